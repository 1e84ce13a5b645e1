"""Celery tasks for accounts. Thin: the work is in services."""

from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core import services
from core.models import Invitation
from tenants.selectors import current_satker, satker_url


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_invitation_email(invitation_id: int) -> str:
    """E-mail an invitation link on the host of the satker the invitation lives in."""
    invitation = Invitation.objects.get(pk=invitation_id)
    satker = current_satker()
    link = satker_url(satker, reverse("accept_invitation", args=[services.invitation_token(invitation)]))
    with translation.override("id"):
        context = {"invitation": invitation, "satker": satker, "link": link}
        subject = render_to_string("core/email/invitation_subject.txt", context).strip()
        body = render_to_string("core/email/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])
    return invitation.email


@shared_task
def purge_expired_invitations() -> int:
    return services.purge_expired_invitations()
