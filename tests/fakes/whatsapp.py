"""Fake WhatsApp Cloud API, both directions.

Outbound, as Graph answers it: POST /{version}/{phone number id}/messages (template, text,
interactive, document, image) → {"messages":[{"id":"wamid…"}]} or {"error":{message,type,code,…}};
POST /{version}/{phone number id}/media (multipart upload) → {"id"}; GET /{version}/{media id}
→ the file's short-lived URL, then GET of that URL → its bytes, both with the number's token.
Its checks are WhatsApp's documented limits (at most three reply buttons, titles ≤ 20
characters, an interactive body ≤ 1,024, a text ≤ 4,096), and its errors the real codes:
131047 to a person whose 24-hour window is closed (`window_closed`), 132000 / 132012 for template
parameters, 130429 rate limits, 131026 undeliverable, 190 a wrong token.

Inbound, as WhatsApp posts to the app's callback URL: `inbound_*` build the webhook bodies
(text, button and list replies, images, documents, contacts without a phone number) and
`signed` signs one with the app secret.
"""

import hashlib
import hmac
import json
import re
import time
import uuid
from collections import Counter
from email.parser import BytesParser
from email.policy import HTTP

from tests.fakes.server import FakeServer

TOKEN = "EAAG-fake-token"
PHONE_NUMBER_ID = "109876543210"
APP_SECRET = "fake-app-secret"
VERIFY_TOKEN = "fake-verify-token"

ERRORS = {
    "131026": (400, {"message": "Message undeliverable", "type": "OAuthException", "code": 131026}),
    "130429": (400, {"message": "Rate limit hit", "type": "OAuthException", "code": 130429}),
    "190": (401, {"message": "Invalid OAuth access token", "type": "OAuthException", "code": 190}),
    "131047": (
        400,
        {
            "message": "(#131047) Re-engagement message",
            "type": "OAuthException",
            "code": 131047,
            "error_data": {"details": "Message failed to send because more than 24 hours have passed"},
        },
    ),
    "132000": (
        400,
        {"message": "(#132000) Number of parameters does not match the expected number of params", "code": 132000},
    ),
    "132012": (
        400,
        {"message": "(#132012) Parameter format does not match format in the created template", "code": 132012},
    ),
}
INVALID = (400, {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100})
RECIPIENT = re.compile(r"^(\d{6,15}|[A-Z]{2}\.\d{10,30})$")  # a phone number, or a business-scoped user id


def _error(status_and_error, trace="A1"):
    status, error = status_and_error
    return status, {}, {"error": {"type": "OAuthException", **error, "fbtrace_id": trace}}


def _check(body: dict) -> bool:
    """WhatsApp's own limits for the message types HaloPST sends."""
    kind = body.get("type")
    if body.get("messaging_product") != "whatsapp" or not RECIPIENT.match(str(body.get("to", ""))):
        return False
    if kind == "template":
        template = body.get("template") or {}
        return bool(template.get("name") and (template.get("language") or {}).get("code"))
    if kind == "text":
        return 0 < len((body.get("text") or {}).get("body", "")) <= 4096
    if kind == "interactive":
        interactive = body.get("interactive") or {}
        text = (interactive.get("body") or {}).get("text", "")
        action = interactive.get("action") or {}
        if not 0 < len(text) <= 1024:
            return False
        if interactive.get("type") == "list":
            rows = [row for section in action.get("sections", []) for row in section.get("rows", [])]
            return (
                0 < len(action.get("button", "")) <= 20
                and 1 <= len(rows) <= 10
                and all(0 < len(r["title"]) <= 24 and len(r.get("description", "")) <= 72 for r in rows)
                and all(len(section.get("title", "")) <= 24 for section in action["sections"])
            )
        buttons = action.get("buttons", [])
        return (
            interactive.get("type") == "button"
            and 1 <= len(buttons) <= 3
            and all(0 < len(b["reply"]["title"]) <= 20 and len(b["reply"]["id"]) <= 256 for b in buttons)
        )
    if kind in ("document", "image"):
        return bool((body.get(kind) or {}).get("id") or (body.get(kind) or {}).get("link"))
    return False


class FakeWhatsApp(FakeServer):
    def __init__(self):
        super().__init__()
        self.accepted = []
        self.reported = 0  # how many of `accepted` have had their status webhook
        self.tokens = {PHONE_NUMBER_ID: TOKEN}  # phone number id → its access token
        self.window_closed = set()  # recipients whose 24-hour window has passed
        self.uploads = {}  # media id → (filename, mime, bytes) uploaded by HaloPST
        self.offered = {}  # media id → (mime, bytes) that people sent (to download)

    def add_number(self, phone_number_id: str, token: str) -> None:
        self.tokens[phone_number_id] = token

    def offer_media(self, content: bytes, mime: str) -> str:
        """A file a person sends: its media id, for an inbound webhook."""
        media_id = str(uuid.uuid4().int)[:16]
        with self.lock:
            self.offered[media_id] = (mime, content)
        return media_id

    def respond(self, method, path, headers, raw, mode):
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        parts = path.split("?")[0].strip("/").split("/")
        if method == "GET" and parts[0] == "download" and len(parts) == 2:
            if token not in self.tokens.values():
                return _error(ERRORS["190"])
            with self.lock:
                found = self.offered.get(parts[1])
            return (200, {}, found[1]) if found else _error((404, {"message": "Unknown media", "code": 100}))
        if method == "GET" and len(parts) == 2:
            if token not in self.tokens.values():
                return _error(ERRORS["190"])
            with self.lock:
                found = self.offered.get(parts[1])
            if not found:
                return _error((404, {"message": "Unsupported get request", "code": 100}))
            mime, content = found
            return (
                200,
                {},
                {
                    "url": f"{self.url}/download/{parts[1]}",
                    "mime_type": mime,
                    "file_size": len(content),
                    "id": parts[1],
                },
            )
        if method != "POST" or len(parts) != 3 or parts[2] not in ("messages", "media"):
            return _error((404, {"message": "Unknown path", "type": "GraphMethodException", "code": 100}))
        number = parts[1]
        if number not in self.tokens or self.tokens[number] != token:
            return _error(ERRORS["190"])
        if mode in ERRORS:
            return _error(ERRORS[mode], "A2")
        if mode.isdigit():
            return int(mode), {}, {"error": {"message": f"simulated {mode}", "type": "OAuthException", "code": 2}}
        if parts[2] == "media":
            return self._upload(headers, raw)
        try:
            body = json.loads(raw)
        except ValueError:
            return _error(INVALID)
        if not _check(body):
            return _error(INVALID)
        if body["type"] != "template" and body["to"] in self.window_closed:
            return _error(ERRORS["131047"])
        wamid = "wamid." + uuid.uuid4().hex
        with self.lock:
            self.accepted.append((wamid, {**body, "from_number": number}))
        return (
            200,
            {},
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": wamid}],
            },
        )

    def _upload(self, headers, raw):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {headers.get('Content-Type', '')}\r\n\r\n".encode() + raw
        )
        fields = {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}
        if "file" not in fields or (
            fields.get("messaging_product") and fields["messaging_product"].get_content().strip() != "whatsapp"
        ):
            return _error(INVALID)
        media_id = str(uuid.uuid4().int)[:16]
        part = fields["file"]
        with self.lock:
            self.uploads[media_id] = (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
        return 200, {}, {"id": media_id}

    def sent_to(self, recipient: str) -> list[dict]:
        """What HaloPST sent to one person, in order."""
        with self.lock:
            return [body for _id, body in self.accepted if body["to"] == recipient]

    def status_webhooks(self) -> list[tuple[bytes, dict]]:
        """The signed "sent" status webhooks of messages accepted since the last call, as WhatsApp
        posts them to the app's callback URL."""
        with self.lock:
            fresh, self.reported = self.accepted[self.reported :], len(self.accepted)
        return [
            signed(
                status_event(body["biz_opaque_callback_data"], wamid, "sent", body.get("from_number", PHONE_NUMBER_ID))
            )
            for wamid, body in fresh
        ]

    def references(self) -> Counter:
        with self.lock:
            return Counter(body["biz_opaque_callback_data"].split(":")[1] for _id, body in self.accepted)


def signed(body: dict) -> tuple[bytes, dict]:
    raw = json.dumps(body).encode()
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"HTTP_X_HUB_SIGNATURE_256": signature}


def _webhook(phone_number_id: str, value: dict) -> dict:
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
                            "metadata": {"display_phone_number": "6231000000", "phone_number_id": phone_number_id},
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def status_event(reference: str, wamid: str, status: str, phone_number_id: str = PHONE_NUMBER_ID, errors=None) -> dict:
    item = {
        "id": wamid,
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": "6281234567890",
        "biz_opaque_callback_data": reference,
    }
    if errors:
        item["errors"] = errors
    return _webhook(phone_number_id, {"statuses": [item]})


def inbound(
    phone_number_id: str,
    message: dict,
    *,
    wa_id: str | None = "6281234567890",
    user_id: str = "ID.1234567890123",
    name: str = "Siti",
) -> dict:
    """A person's message to `phone_number_id`, as the webhook carries it. `wa_id=None`: a
    person who chose a username, known only by their business-scoped user id."""
    contact = {"profile": {"name": name}, "user_id": user_id, **({"wa_id": wa_id} if wa_id else {})}
    message = {
        "from": wa_id or user_id,
        "id": message.pop("id", "wamid." + uuid.uuid4().hex),
        "timestamp": message.pop("timestamp", str(int(time.time()))),
        **message,
    }
    return _webhook(phone_number_id, {"contacts": [contact], "messages": [message]})


def text(body: str, **extra) -> dict:
    return {"type": "text", "text": {"body": body}, **extra}


def button_reply(button_id: str, title: str, **extra) -> dict:
    return {
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": button_id, "title": title}},
        **extra,
    }


def list_reply(row_id: str, title: str, **extra) -> dict:
    return {
        "type": "interactive",
        "interactive": {"type": "list_reply", "list_reply": {"id": row_id, "title": title, "description": ""}},
        **extra,
    }


def document(media_id: str, filename: str, mime: str = "application/pdf", caption: str = "", **extra) -> dict:
    return {
        "type": "document",
        "document": {"id": media_id, "filename": filename, "mime_type": mime, "caption": caption},
        **extra,
    }


def image(media_id: str, mime: str = "image/jpeg", caption: str = "", **extra) -> dict:
    return {"type": "image", "image": {"id": media_id, "mime_type": mime, "caption": caption}, **extra}
