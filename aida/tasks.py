from celery import shared_task
from django.conf import settings

from aida import services


@shared_task
def anonymise_old_conversations() -> int:
    """Run in every active satker by beat: AIDA conversations past the retention period."""
    return services.anonymise_old_conversations(settings.HALOPST_AIDA_RETENTION_DAYS)


@shared_task
def embed_knowledge() -> int:
    """Give the knowledge entries of the schema it runs in their vectors (services.embed_entries).
    Queued when a satker saves an entry; beat runs it everywhere to catch up (an entry edited in
    public, a call that failed)."""
    return services.embed_entries()
