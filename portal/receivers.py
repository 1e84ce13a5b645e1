"""The directory follows the satkers' own changes, inside their transactions.

Signals, not calls: the apps that change officers, tags, names and satkers sit below the
portal and must not import it (import-linter's layers)."""

from django.dispatch import receiver

from booking.services import public_profile_changed
from core.models import Role
from core.services import profile_updated
from portal.directory import sync_directory
from tenants.signals import satker_onboarded


@receiver(public_profile_changed)
def officers_or_topics_changed(sender, **kwargs):
    sync_directory()


@receiver(profile_updated)
def officer_renamed(sender, user, fields, **kwargs):
    if user.role == Role.OFFICER and "full_name" in fields:
        sync_directory()


@receiver(satker_onboarded)
def satker_onboarded_with_seeded_topics(sender, satker, **kwargs):
    sync_directory()
