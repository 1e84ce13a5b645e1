"""Drop cached host lookups when a satker or one of its domains changes; tell the apps above
tenancy (the public directory) that a satker was onboarded.

Deleted now and again after commit, so a request that read the old row in between cannot
leave it cached.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from tenants.models import Domain, Satker
from tenants.selectors import forget_hosts, public_hosts

# Sent by onboarding inside its transaction, in the new satker's schema (sender=Satker,
# satker): the public copies kept by apps above tenancy (the directory) start from the
# template's seeded rows. A signal because those apps sit above this one.
satker_onboarded = Signal()


def _hosts_of(satker: Satker) -> set[str]:
    hosts = set(Domain.objects.filter(tenant_id=satker.pk).values_list("domain", flat=True))
    return hosts | public_hosts() if satker.is_public else hosts


def _forget(hosts: set[str]) -> None:
    forget_hosts(hosts)
    transaction.on_commit(lambda: forget_hosts(hosts))


@receiver([post_save, post_delete], sender=Satker)
def forget_satker_hosts(sender, instance, **kwargs):
    _forget(_hosts_of(instance))


@receiver([post_save, post_delete], sender=Domain)
def forget_domain_host(sender, instance, **kwargs):
    _forget({instance.domain})
