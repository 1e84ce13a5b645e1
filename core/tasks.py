"""Celery tasks for accounts. Thin: the work is in services."""

from celery import shared_task

from core import services


@shared_task
def purge_expired_invitations() -> int:
    return services.purge_expired_invitations()
