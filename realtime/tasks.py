"""Celery tasks of the notification channels. Thin: the work is in realtime.services."""

from celery import shared_task
from django.db import connection

from core import metrics
from core.tasking import send_in_schema
from realtime import selectors, services


@shared_task(acks_late=True)
def deliver(delivery_id: int) -> None:
    delay = services.deliver(delivery_id)
    if delay is not None:
        send_in_schema(deliver, connection.schema_name, delivery_id, countdown=delay)


@shared_task
def sweep_deliveries() -> int:
    """Every minute in every schema: re-queue what was lost, and report the outbox's backlog."""
    requeued = services.sweep()
    for channel, waiting in selectors.outbox_backlog().items():
        metrics.report("outbox_backlog", f"{connection.schema_name}|{channel}", waiting)
    return requeued
