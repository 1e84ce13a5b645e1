"""Celery tasks of the WhatsApp channel. Thin: the work is in conversations.whatsapp."""

from celery import shared_task
from django.conf import settings
from django.db import connection

from conversations import privacy, services, whatsapp
from core.tasking import send_in_schema

# A message WhatsApp keeps refusing for a temporary reason is given up after this many tries
# (about an hour with the waits it asks for), and the officer sees it was not delivered.
MAX_SEND_ATTEMPTS = 8


@shared_task(acks_late=True)
def receive_whatsapp(profile: dict, message: dict) -> None:
    whatsapp.receive(profile, message)


@shared_task(acks_late=True)
def answer_on_whatsapp(message_id: int) -> None:
    whatsapp.answer_with_aida(message_id)


def _send(task, message_id: int, attempt: int) -> None:
    delay = whatsapp.send(message_id, give_up=attempt >= MAX_SEND_ATTEMPTS)
    if delay is not None:
        send_in_schema(task, connection.schema_name, message_id, attempt + 1, countdown=delay)


@shared_task(acks_late=True)
def send_on_whatsapp(message_id: int, attempt: int = 1) -> None:
    """What an officer wrote: on the default queue, never behind a burst of the bot's traffic."""
    _send(send_on_whatsapp, message_id, attempt)


@shared_task(acks_late=True)
def send_bot_message(message_id: int, attempt: int = 1) -> None:
    """What AIDA (the bot) says: on the WhatsApp queue, with the messages it answers."""
    _send(send_bot_message, message_id, attempt)


@shared_task
def pass_on_unanswered() -> int:
    return services.pass_on_unanswered()


@shared_task
def route_waiting() -> int:
    return services.route_waiting()


@shared_task
def forget_old_contacts() -> int:
    return privacy.forget_old_contacts(settings.HALOPST_WHATSAPP_RETENTION_DAYS)
