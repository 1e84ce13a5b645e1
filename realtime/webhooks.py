"""Provider webhooks, on the portal host: one URL per provider for the whole platform.
(WhatsApp's URL also brings messages people write to satkers: its view is
conversations.webhooks, which uses the checks and the notification statuses here.)

Every event names its satker and delivery through the reference we sent with the message
(SendGrid `custom_args`, WhatsApp `biz_opaque_callback_data`). Nothing is read before the
signature over the raw body checks out; a bad signature changes nothing.
"""

import hmac
import json
import logging
from hashlib import sha256

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from sendgrid.helpers.eventwebhook import EventWebhook

from realtime.models import DeliveryStatus
from realtime.services import apply_provider_event
from tenants.models import Satker

logger = logging.getLogger(__name__)

SENDGRID_STATUS = {
    "processed": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "bounce": DeliveryStatus.BOUNCED,
    "dropped": DeliveryStatus.DROPPED,
    "open": DeliveryStatus.READ,
}
WHATSAPP_STATUS = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "failed": DeliveryStatus.FAILED,
}


def _known_schema(schema_name: str) -> bool:
    return bool(schema_name) and Satker.objects.filter(schema_name=schema_name).exclude(schema_name="public").exists()


def _apply(schema_name, delivery_id, status, provider_id, detail) -> bool:
    if not _known_schema(schema_name) or not str(delivery_id).isdigit():
        return False
    return apply_provider_event(schema_name, int(delivery_id), status, provider_id, detail)


@csrf_exempt
@require_POST
def sendgrid_events(request):
    signature = request.headers.get("X-Twilio-Email-Event-Webhook-Signature", "")
    timestamp = request.headers.get("X-Twilio-Email-Event-Webhook-Timestamp", "")
    key = settings.HALOPST_SENDGRID_WEBHOOK_PUBLIC_KEY
    raw = request.body.decode("utf-8", "replace")
    try:
        valid = bool(key and signature and timestamp) and EventWebhook(key).verify_signature(raw, signature, timestamp)
    except (ValueError, TypeError):
        valid = False
    if not valid:
        return JsonResponse({"error": "invalid signature"}, status=403)
    try:
        events = json.loads(raw)
    except ValueError:
        return JsonResponse({"error": "body is not JSON"}, status=400)
    applied = 0
    for event in events if isinstance(events, list) else []:
        status = SENDGRID_STATUS.get(event.get("event"))
        if status and isinstance(event, dict):
            applied += _apply(
                event.get("halopst_schema", ""),
                event.get("halopst_delivery", ""),
                status,
                str(event.get("sg_message_id", "")),
                event.get("reason") or event.get("event", ""),
            )
    return JsonResponse({"applied": applied})


def whatsapp_verification(request) -> HttpResponse:
    """WhatsApp's subscription check of the callback URL (GET): the challenge back if the
    verify token matches, compared in constant time."""
    expected = settings.HALOPST_WHATSAPP_VERIFY_TOKEN
    token = request.GET.get("hub.verify_token", "")
    if request.GET.get("hub.mode") == "subscribe" and expected and hmac.compare_digest(token, expected):
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    return JsonResponse({"error": "verification failed"}, status=403)


def whatsapp_signature_ok(request) -> bool:
    """The body was signed with the app secret (X-Hub-Signature-256): checked over the raw bytes."""
    secret = settings.HALOPST_WHATSAPP_APP_SECRET.encode()
    given = request.headers.get("X-Hub-Signature-256", "")
    expected = "sha256=" + hmac.new(secret, request.body, sha256).hexdigest()
    return bool(secret) and hmac.compare_digest(given, expected)


def apply_notification_status(status: dict) -> bool:
    """A status of a notification sent from the platform's number (our reference
    "schema:delivery id" comes back as `biz_opaque_callback_data`)."""
    schema_name, _, delivery_id = str(status.get("biz_opaque_callback_data", "")).partition(":")
    mapped = WHATSAPP_STATUS.get(status.get("status"))
    if not mapped:
        return False
    errors = status.get("errors") or [{}]
    return _apply(
        schema_name, delivery_id, mapped, str(status.get("id", "")), str(errors[0].get("title", status.get("status")))
    )
