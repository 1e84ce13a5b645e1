"""Celery tasks for accounts. Thin: the work is in services."""

from celery import shared_task

from core import services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_invitation_email(invitation_id: int) -> str:
    return services.send_invitation_email(invitation_id)


@shared_task
def purge_expired_invitations() -> int:
    return services.purge_expired_invitations()
