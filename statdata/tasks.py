"""Celery tasks for figures. Thin: the work is in services."""

from celery import shared_task

from statdata import services


@shared_task
def sync_followed_table(table_id: int) -> bool:
    return services.sync_followed_table(table_id) is not None


@shared_task
def refresh_followed_tables() -> int:
    return services.refresh_followed_tables()
