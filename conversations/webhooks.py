"""WhatsApp's webhook, on the portal host: one callback URL for the whole platform.

It brings three things: statuses of notifications sent from the platform's number (handed to
realtime), statuses of messages officers and AIDA sent from a satker's own number, and messages
people write to a satker's number. Nothing is read before the signature checks out. A message
is routed by the number it was written to (`metadata.phone_number_id`) to its satker's schema
and queued for a worker; the answer to WhatsApp comes as soon as it is queued, and is a 503 if
the queue cannot take it (WhatsApp then sends it again: receiving is idempotent). A number no
active satker has is ignored and logged.
"""

import json
import logging
import time

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_tenants.utils import schema_context
from kombu.exceptions import OperationalError

from conversations import whatsapp
from conversations.tasks import receive_whatsapp
from core.metrics import WHATSAPP_WEBHOOK_LAG_SECONDS
from core.tasking import send_in_schema
from realtime.webhooks import apply_notification_status, whatsapp_signature_ok, whatsapp_verification
from tenants.selectors import satker_for_whatsapp_number

logger = logging.getLogger(__name__)


def _profile_for(message: dict, contacts: list) -> dict:
    """The `contacts` entry of the person who wrote `message` (by phone or user id)."""
    sender = message.get("from", "")
    for contact in contacts:
        if sender and sender in (contact.get("wa_id"), contact.get("user_id")):
            return contact
    return contacts[0] if len(contacts) == 1 else {"wa_id": sender}


def _handle(value: dict) -> tuple[int, int]:
    """Queue the messages and apply the statuses of one change; (queued, statuses applied)."""
    number = str((value.get("metadata") or {}).get("phone_number_id", ""))
    satker = satker_for_whatsapp_number(number) if number else None
    queued = applied = 0
    for status in value.get("statuses") or []:
        reference = str(status.get("biz_opaque_callback_data", ""))
        schema_name, _, target = reference.partition(":")
        if satker is not None and target.startswith("m") and schema_name == satker.schema_name:
            with schema_context(satker.schema_name):
                errors = status.get("errors") or [{}]
                applied += whatsapp.apply_status(
                    str(status.get("id", "")), status.get("status", ""), errors[0].get("title", "")
                )
        else:
            applied += apply_notification_status(status)
    messages = value.get("messages") or []
    if messages and satker is None:
        logger.warning("whatsapp messages to unknown number %r ignored (%d)", number, len(messages))
        return 0, applied
    for message in messages:
        send_in_schema(
            receive_whatsapp, satker.schema_name, _profile_for(message, value.get("contacts") or []), message
        )
        queued += 1
        if str(message.get("timestamp", "")).isdigit():
            WHATSAPP_WEBHOOK_LAG_SECONDS.observe(max(0.0, time.time() - int(message["timestamp"])))
    return queued, applied


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp_events(request):
    if request.method == "GET":
        return whatsapp_verification(request)
    if not whatsapp_signature_ok(request):
        return JsonResponse({"error": "invalid signature"}, status=403)
    try:
        body = json.loads(request.body)
    except ValueError:
        return JsonResponse({"error": "body is not JSON"}, status=400)
    queued = applied = 0
    try:
        for entry in body.get("entry", []) if isinstance(body, dict) else []:
            for change in entry.get("changes", []) if isinstance(entry, dict) else []:
                if isinstance(change, dict) and isinstance(change.get("value"), dict):
                    more_queued, more_applied = _handle(change["value"])
                    queued, applied = queued + more_queued, applied + more_applied
    except OperationalError:  # the queue (Redis) is down: WhatsApp must send it again
        logger.exception("whatsapp webhook not queued")
        return JsonResponse({"error": "not queued, send again"}, status=503)
    return JsonResponse({"queued": queued, "applied": applied})
