from datetime import date

from celery import shared_task
from django.core.cache import cache
from django.db import connection

from insights import reports, rollups


@shared_task(acks_late=True)
def refresh_rollups(day: str | None = None) -> None:
    """Recompute one local day of this satker (today by default) and its live numbers, then
    tell the command centres watching it. Beat runs it every few minutes for every active
    satker, so "today" turns over at local midnight without an event."""
    day = date.fromisoformat(day) if day else rollups.local_day()
    cache.delete(rollups.debounce_key(connection.schema_name, day))
    rollups.refresh_day(day)
    pulse = rollups.refresh_pulse()
    reports.announce_pulse(pulse)
