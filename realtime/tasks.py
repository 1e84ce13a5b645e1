"""Celery tasks of the notification channels. Thin: the work is in realtime.services."""

from celery import shared_task
from django.db import connection

from realtime import reminders, services


@shared_task(acks_late=True)
def deliver(delivery_id: int) -> None:
    delay = services.deliver(delivery_id)
    if delay is not None:
        deliver.apply_async((delivery_id,), countdown=delay, headers={"_schema_name": connection.schema_name})


@shared_task
def sweep_deliveries() -> int:
    return services.sweep()


@shared_task
def send_reminders() -> int:
    return reminders.send_consultation_reminders() + reminders.remind_officers_of_waiting_requests()
