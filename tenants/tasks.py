"""Celery tasks of the platform's tenancy. Thin: the work is in tenants.backups."""

import logging

from celery import shared_task
from django.conf import settings

from tenants.backups import backup_platform

logger = logging.getLogger(__name__)


@shared_task
def back_up_platform() -> str:
    if settings.BACKUP_DIR is None:
        logger.info("nightly backup skipped: HALOPST_BACKUP_DIR is not set")
        return ""
    folder = backup_platform(settings.BACKUP_DIR, keep=settings.BACKUP_KEEP)
    logger.info("platform backed up into %s", folder)
    return str(folder)
