"""Celery tasks of the notification channels. Thin: the work is in realtime.services."""

from celery import shared_task
from django.db import connection

from core.tasking import send_in_schema
from realtime import services


@shared_task(acks_late=True)
def deliver(delivery_id: int) -> None:
    delay = services.deliver(delivery_id)
    if delay is not None:
        send_in_schema(deliver, connection.schema_name, delivery_id, countdown=delay)


@shared_task
def sweep_deliveries() -> int:
    return services.sweep()
