from celery import shared_task

from billing_quota import services


@shared_task
def sweep_stale_reservations() -> int:
    return services.sweep_stale_reservations()


@shared_task
def email_province_admins(satker_id: int, percent: int) -> int:
    """Tell the province admins that a satker of theirs crossed an AIDA budget threshold."""
    from django.core.mail import send_mail
    from django.utils import translation
    from django.utils.translation import gettext as _

    from core.models import Role, User
    from tenants.models import Satker

    satker = Satker.objects.get(pk=satker_id)
    province = satker.province
    recipients = list(
        User.objects.filter(role=Role.PROVINCE_ADMIN, managed_province=province, is_active=True).values_list(
            "email", flat=True
        )
    )
    if recipients:
        with translation.override("id"):
            send_mail(
                _("AIDA budget of %(name)s at %(percent)d%%") % {"name": satker.name, "percent": percent},
                _("%(name)s has used %(percent)d%% of this month's AIDA budget.")
                % {"name": satker.name, "percent": percent},
                None,
                recipients,
            )
    return len(recipients)
