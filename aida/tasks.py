from celery import shared_task
from django.conf import settings
from django.db import connection

from aida import embeddings, services
from aida.models import KnowledgeEntry
from shared_knowledge.models import SharedEntry
from tenants.models import PUBLIC_SCHEMA


@shared_task
def anonymise_old_conversations() -> int:
    """Run in every active satker by beat: AIDA conversations past the retention period."""
    return services.anonymise_old_conversations(settings.HALOPST_AIDA_RETENTION_DAYS)


@shared_task
def embed_knowledge() -> int:
    """Give the knowledge entries of the schema it runs in their vectors: a satker's own entries,
    or in public the national and province ones. Queued when a satker saves an entry; beat runs
    it everywhere to catch up (an entry edited in public, a call that failed)."""
    if not embeddings.enabled():
        return 0
    return embeddings.embed_pending(SharedEntry if connection.schema_name == PUBLIC_SCHEMA else KnowledgeEntry)
