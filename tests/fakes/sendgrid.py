"""Fake SendGrid v3: POST /v3/mail/send, as the real API answers it (202 + X-Message-Id, or
{"errors": [...]} with 400/401/413/429/5xx), plus signed event webhooks."""

import base64
import json
import time
import uuid
from collections import Counter

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.fakes.server import FakeServer

API_KEY = "SG.fake-key-for-tests"


class FakeSendGrid(FakeServer):
    def __init__(self):
        super().__init__()
        self.accepted = []  # (message id, request body) of every message the fake took
        self.reported = 0  # how many of `accepted` have had their event webhook

    def respond(self, method, path, headers, raw, mode):
        if method != "POST" or path != "/v3/mail/send":
            return 404, {}, {"errors": [{"message": "not found", "field": None}]}
        if headers.get("Authorization") != f"Bearer {API_KEY}":
            return (
                401,
                {},
                {
                    "errors": [
                        {"message": "The provided authorization grant is invalid, expired, or revoked", "field": None}
                    ]
                },
            )
        if mode.isdigit():
            return (
                int(mode),
                ({"Retry-After": "1"} if mode == "429" else {}),
                {"errors": [{"message": f"simulated {mode}", "field": None}]},
            )
        try:
            body = json.loads(raw)
            assert body["personalizations"][0]["to"][0]["email"] and body["from"]["email"] and body["subject"]
            assert {part["type"] for part in body["content"]} >= {"text/plain"}
        except (ValueError, KeyError, IndexError, AssertionError):
            return 400, {}, {"errors": [{"message": "Bad Request", "field": "personalizations"}]}
        message_id = uuid.uuid4().hex[:22]
        with self.lock:
            self.accepted.append((message_id, body))
        return 202, {"X-Message-Id": message_id}, b""

    def processed_events(self, signer: "WebhookSigner") -> list[tuple[str, dict]]:
        """The signed "processed" event webhooks of messages accepted since the last call, as
        SendGrid posts them (custom_args at the top level of each event)."""
        with self.lock:
            fresh, self.reported = self.accepted[self.reported :], len(self.accepted)
        if not fresh:
            return []
        events = json.dumps(
            [
                {
                    "email": body["personalizations"][0]["to"][0]["email"],
                    "event": "processed",
                    "timestamp": int(time.time()),
                    "sg_message_id": f"{message_id}.filter0001",
                    **custom_args(body),
                }
                for message_id, body in fresh
            ]
        )
        return [(events, signer.headers(events))]

    def references(self) -> Counter:
        """How many times each of our delivery references was accepted."""
        with self.lock:
            return Counter(custom_args(body).get("halopst_delivery") for _id, body in self.accepted)


def custom_args(body: dict) -> dict:
    """A message's custom args, set on the message or on its personalization."""
    return body.get("custom_args") or body["personalizations"][0].get("custom_args", {})


class WebhookSigner:
    """Signs event webhook bodies as SendGrid does: ECDSA P-256 / SHA-256 over timestamp + body."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        der = self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.public_key = base64.b64encode(der).decode()

    def headers(self, body: str, timestamp: str | None = None) -> dict:
        timestamp = timestamp or str(int(time.time()))
        signature = self.private_key.sign((timestamp + body).encode(), ec.ECDSA(hashes.SHA256()))
        return {
            "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE": base64.b64encode(signature).decode(),
            "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_TIMESTAMP": timestamp,
        }
