"""Fake WhatsApp Cloud API: POST /{version}/{phone number id}/messages with template messages,
answering as Graph does ({"messages":[{"id":"wamid…"}]} or {"error":{message,type,code,…}})."""

import hashlib
import hmac
import json
import uuid
from collections import Counter

from tests.fakes.server import FakeServer

TOKEN = "EAAG-fake-token"
PHONE_NUMBER_ID = "109876543210"
APP_SECRET = "fake-app-secret"
VERIFY_TOKEN = "fake-verify-token"

ERRORS = {
    "131026": (400, {"message": "Message undeliverable", "type": "OAuthException", "code": 131026}),
    "130429": (400, {"message": "Rate limit hit", "type": "OAuthException", "code": 130429}),
    "190": (401, {"message": "Invalid OAuth access token", "type": "OAuthException", "code": 190}),
}


class FakeWhatsApp(FakeServer):
    def __init__(self):
        super().__init__()
        self.accepted = []
        self.reported = 0  # how many of `accepted` have had their status webhook

    def respond(self, method, path, headers, raw, mode):
        if method != "POST" or not path.endswith(f"/{PHONE_NUMBER_ID}/messages"):
            return 404, {}, {"error": {"message": "Unknown path", "type": "GraphMethodException", "code": 100}}
        if headers.get("Authorization") != f"Bearer {TOKEN}":
            status, error = ERRORS["190"]
            return status, {}, {"error": {**error, "fbtrace_id": "A1"}}
        if mode in ERRORS:
            status, error = ERRORS[mode]
            return status, {}, {"error": {**error, "fbtrace_id": "A2"}}
        if mode.isdigit():
            return int(mode), {}, {"error": {"message": f"simulated {mode}", "type": "OAuthException", "code": 2}}
        try:
            body = json.loads(raw)
            assert body["messaging_product"] == "whatsapp" and body["type"] == "template"
            assert body["to"].isdigit() and body["template"]["name"] and body["template"]["language"]["code"]
        except (ValueError, KeyError, AssertionError):
            return 400, {}, {"error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100}}
        wamid = "wamid." + uuid.uuid4().hex
        with self.lock:
            self.accepted.append((wamid, body))
        return (
            200,
            {},
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": wamid}],
            },
        )

    def status_webhooks(self) -> list[tuple[bytes, dict]]:
        """The signed "sent" status webhooks of messages accepted since the last call, as WhatsApp
        posts them to the app's callback URL."""
        with self.lock:
            fresh, self.reported = self.accepted[self.reported :], len(self.accepted)
        return [signed(status_event(body["biz_opaque_callback_data"], wamid, "sent")) for wamid, body in fresh]

    def references(self) -> Counter:
        with self.lock:
            return Counter(body["biz_opaque_callback_data"].split(":")[1] for _id, body in self.accepted)


def signed(body: dict) -> tuple[bytes, dict]:
    raw = json.dumps(body).encode()
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"HTTP_X_HUB_SIGNATURE_256": signature}


def status_event(reference: str, wamid: str, status: str) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": PHONE_NUMBER_ID},
                            "statuses": [
                                {
                                    "id": wamid,
                                    "status": status,
                                    "timestamp": "1764300000",
                                    "recipient_id": "6281234567890",
                                    "biz_opaque_callback_data": reference,
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
