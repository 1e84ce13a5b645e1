from celery import shared_task
from django.conf import settings

from aida import services


@shared_task
def anonymise_old_conversations() -> int:
    """Run in every active satker by beat: AIDA conversations past the retention period."""
    return services.anonymise_old_conversations(settings.HALOPST_AIDA_RETENTION_DAYS)
