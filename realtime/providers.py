"""The external channels: SendGrid (official SDK), the WhatsApp Cloud API (httpx) and Web Push
(pywebpush: RFC 8030 delivery, RFC 8291 encryption, RFC 8292 VAPID).

Each `send_*` returns the provider's message id, or raises `TemporaryFailure` (worth retrying:
5xx, 429, connection failures, the provider's rate limits), `UncertainOutcome` (the request
reached the provider but no answer came back: it may have been accepted, so sending it again
could deliver it twice) or `PermanentFailure` (bad address, bad key, refused content). Each passes our delivery's reference so provider events find it again:
SendGrid echoes `custom_args`, WhatsApp echoes `biz_opaque_callback_data`.
"""

import base64
import http.client
import json
import logging
import os
import socket
import threading
import urllib.error
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

logger = logging.getLogger(__name__)


class TemporaryFailure(Exception):
    def __init__(self, detail: str, http_status: int | None = None, retry_after: float | None = None):
        super().__init__(detail)
        self.http_status = http_status
        self.retry_after = retry_after


class UncertainOutcome(TemporaryFailure):
    """The provider may have accepted the message (a read timeout, a connection dropped after
    the request was written). Neither SendGrid nor WhatsApp take an idempotency key, so only
    the provider's own status event can tell whether it did."""


class PermanentFailure(Exception):
    def __init__(self, detail: str, http_status: int | None = None, code: int | None = None):
        super().__init__(detail)
        self.http_status = http_status
        self.code = code  # the provider's own error code, when it gave one (WhatsApp: 131047 …)


@dataclass(frozen=True)
class Email:
    to: str
    to_name: str
    subject: str
    text: str
    html: str
    from_name: str
    reference: dict
    attachment: tuple[str, str, str] | None = None  # (filename, mime type, content)


def send_email(email: Email) -> str:
    if not settings.HALOPST_SENDGRID_API_KEY:
        return _send_email_locally(email)
    from python_http_client import exceptions as http_errors
    from sendgrid import SendGridAPIClient
    from sendgrid.helpers.mail import Attachment, CustomArg, Mail

    message = Mail(
        from_email=(settings.HALOPST_SENDGRID_FROM, email.from_name),
        to_emails=[(email.to, email.to_name)],
        subject=email.subject,
        plain_text_content=email.text,
        html_content=email.html,
    )
    for key, value in email.reference.items():
        message.add_custom_arg(CustomArg(key, str(value)))
    if email.attachment:
        filename, mime, content = email.attachment
        message.add_attachment(Attachment(base64.b64encode(content.encode()).decode(), filename, mime, "attachment"))
    client = SendGridAPIClient(settings.HALOPST_SENDGRID_API_KEY, host=settings.HALOPST_SENDGRID_API_HOST)
    client.client.timeout = settings.HALOPST_PROVIDER_TIMEOUT
    try:
        response = client.send(message)
    except http_errors.HTTPError as error:
        status = error.status_code
        detail = _body_text(error.body)
        if status == 429 or status >= 500:
            raise TemporaryFailure(detail, status, _retry_after(error.headers)) from None
        raise PermanentFailure(detail, status) from None
    except urllib.error.URLError as error:  # urllib wraps only what fails before the request is sent
        raise TemporaryFailure(f"network: {error}") from None
    except (socket.timeout, TimeoutError, ConnectionError, http.client.HTTPException) as error:
        raise UncertainOutcome(f"no answer from SendGrid: {error!r}") from None
    return response.headers.get("X-Message-Id", "") or f"accepted-{response.status_code}"


def _send_email_locally(email: Email) -> str:
    """No SendGrid key (development): hand the mail to Django's backend (console by default)."""
    message = EmailMultiAlternatives(email.subject, email.text, settings.DEFAULT_FROM_EMAIL, [email.to])
    message.attach_alternative(email.html, "text/html")
    if email.attachment:
        message.attach(*email.attachment)
    message.send()
    return "local-" + settings.EMAIL_BACKEND.rsplit(".", 2)[-2]


# WhatsApp error codes worth retrying: rate limits and temporary service trouble.
WHATSAPP_TEMPORARY_CODES = {4, 80007, 130429, 131000, 131016, 131048, 131056, 133004}


def send_whatsapp(to: str, language: str, parameters: list[str], reference: str) -> str:
    """A notification, as the platform's template, from the platform's own number."""
    if not settings.HALOPST_WHATSAPP_TOKEN:
        raise PermanentFailure("WhatsApp is not configured (HALOPST_WHATSAPP_TOKEN is empty)")
    template = {
        "name": settings.HALOPST_WHATSAPP_TEMPLATE,
        "language": {"code": "en" if language == "en" else "id"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": p[:1000]} for p in parameters]}],
    }
    return send_whatsapp_message(
        settings.HALOPST_WHATSAPP_PHONE_NUMBER_ID,
        settings.HALOPST_WHATSAPP_TOKEN,
        {"to": to, "type": "template", "template": template},
        reference,
    )


def _whatsapp_url(path: str) -> str:
    return f"{settings.HALOPST_WHATSAPP_BASE_URL.rstrip('/')}/{settings.HALOPST_WHATSAPP_API_VERSION}/{path}"


_whatsapp_http: tuple[int, httpx.Client] | None = None
_whatsapp_http_lock = threading.Lock()


def _whatsapp_client() -> httpx.Client:
    """One client per process, made after any fork: a client per request loaded the CA bundle
    each time (44 ms of a 67 ms send in bench/conversations.py) and opened a new connection."""
    global _whatsapp_http
    with _whatsapp_http_lock:
        if _whatsapp_http is None or _whatsapp_http[0] != os.getpid():
            _whatsapp_http = (os.getpid(), httpx.Client())
        return _whatsapp_http[1]


def _whatsapp_request(method: str, url: str, token: str, **kwargs) -> httpx.Response:
    try:
        return _whatsapp_client().request(
            method,
            url,
            timeout=settings.HALOPST_PROVIDER_TIMEOUT,
            headers={"Authorization": f"Bearer {token}"},
            **kwargs,
        )
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
        raise TemporaryFailure(f"network: {error!r}") from None
    except httpx.TransportError as error:
        raise UncertainOutcome(f"no answer from WhatsApp: {error!r}") from None


def _whatsapp_refusal(response: httpx.Response):
    """The exception for a WhatsApp error answer: temporary for rate limits and trouble on
    their side, permanent (with WhatsApp's error code) for everything else."""
    error = _whatsapp_error(response)
    detail = json.dumps(error) if error else response.text[:500]
    if response.status_code == 429 or response.status_code >= 500 or error.get("code") in WHATSAPP_TEMPORARY_CODES:
        return TemporaryFailure(detail, response.status_code, _retry_after(response.headers))
    return PermanentFailure(detail, response.status_code, code=error.get("code"))


def send_whatsapp_message(phone_number_id: str, token: str, message: dict, reference: str) -> str:
    """Send one message (`message` holds `to`, `type` and the type's object: text, template,
    interactive, document, image) from the number `phone_number_id`; the message id."""
    payload = {"messaging_product": "whatsapp", "biz_opaque_callback_data": reference, **message}
    response = _whatsapp_request("POST", _whatsapp_url(f"{phone_number_id}/messages"), token, json=payload)
    if response.status_code == 200:
        try:
            return response.json()["messages"][0]["id"]
        except (ValueError, KeyError, IndexError):
            raise TemporaryFailure(f"unreadable success reply: {response.text[:200]}", 200) from None
    raise _whatsapp_refusal(response)


def upload_whatsapp_media(phone_number_id: str, token: str, *, filename: str, mime: str, content: bytes) -> str:
    """Upload a file to send as a document or image; WhatsApp's media id."""
    response = _whatsapp_request(
        "POST",
        _whatsapp_url(f"{phone_number_id}/media"),
        token,
        data={"messaging_product": "whatsapp", "type": mime},
        files={"file": (filename, content, mime)},
    )
    if response.status_code == 200:
        try:
            return response.json()["id"]
        except (ValueError, KeyError):
            raise TemporaryFailure(f"unreadable upload reply: {response.text[:200]}", 200) from None
    raise _whatsapp_refusal(response)


@dataclass(frozen=True)
class Media:
    content: bytes
    mime: str


def download_whatsapp_media(media_id: str, token: str, *, max_bytes: int) -> Media:
    """A file a user sent: its address first (short-lived), then its bytes, both with the token.
    A file over `max_bytes` is refused before it is downloaded whole."""
    described = _whatsapp_request("GET", _whatsapp_url(media_id), token)
    if described.status_code != 200:
        raise _whatsapp_refusal(described)
    try:
        info = described.json()
        url, mime, size = info["url"], info.get("mime_type", "application/octet-stream"), int(info.get("file_size", 0))
    except (ValueError, KeyError, TypeError):
        raise PermanentFailure(f"unreadable media description: {described.text[:200]}") from None
    if size > max_bytes:
        raise PermanentFailure(f"media of {size} bytes is over the {max_bytes} limit")
    fetched = _whatsapp_request("GET", url, token)
    if fetched.status_code != 200:
        raise _whatsapp_refusal(fetched)
    if len(fetched.content) > max_bytes:
        raise PermanentFailure(f"media of {len(fetched.content)} bytes is over the {max_bytes} limit")
    return Media(content=fetched.content, mime=mime)


@dataclass(frozen=True)
class PushTarget:
    """One browser's subscription: its push service endpoint and its encryption keys."""

    endpoint: str
    p256dh: str
    auth: str


@dataclass
class PushOutcome:
    accepted: dict[str, str]  # endpoint → the push service's message location
    gone: list[str]  # endpoints the push service no longer knows (404, 410): to forget
    failures: list[tuple[int | None, float | None, str]]  # (status, retry after, detail), the rest

    def provider_id(self) -> str:
        """The first accepted message, or the failure to record: temporary if any was."""
        if self.accepted:
            return next(iter(self.accepted.values()))
        if any(status is None or status == 429 or status >= 500 for status, _after, _detail in self.failures):
            status, retry_after, detail = self.failures[0]
            raise TemporaryFailure("; ".join(f[2] for f in self.failures)[:2000], status, retry_after)
        detail = "; ".join(f[2] for f in self.failures) or "every browser of the recipient unsubscribed"
        raise PermanentFailure(detail[:2000], self.failures[0][0] if self.failures else 410)


def send_push(targets: list[PushTarget], payload: dict, ttl: int = 86400) -> PushOutcome:
    """Encrypt `payload` for each browser and hand it to its push service. A browser's
    messages replace each other by the payload's `tag`, so a retried message is not shown twice."""
    if not settings.HALOPST_VAPID_PRIVATE_KEY:
        raise PermanentFailure("Web Push is not configured (HALOPST_VAPID_PRIVATE_KEY is empty)")
    import requests
    from pywebpush import WebPushException, webpush

    outcome = PushOutcome(accepted={}, gone=[], failures=[])
    for target in targets:
        try:
            response = webpush(
                subscription_info={"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}},
                data=json.dumps(payload),
                vapid_private_key=settings.HALOPST_VAPID_PRIVATE_KEY,
                vapid_claims={"sub": settings.HALOPST_VAPID_SUBJECT},
                ttl=ttl,
                timeout=settings.HALOPST_PROVIDER_TIMEOUT,
            )
            outcome.accepted[target.endpoint] = response.headers.get("Location", target.endpoint)
        except WebPushException as error:
            response = error.response
            status = response.status_code if response is not None else None
            if status in (404, 410):
                outcome.gone.append(target.endpoint)
            else:
                detail = f"{status}: {_body_text(response.content) if response is not None else error}"
                outcome.failures.append(
                    (status, _retry_after(response.headers if response is not None else None), detail)
                )
        except requests.RequestException as error:
            outcome.failures.append((None, None, f"network: {error!r}"))
    return outcome


def generate_vapid_keys() -> tuple[str, str]:
    """A new VAPID key pair: (private, public), both base64url, as the settings take them."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _base64url(private), _base64url(public)


def _base64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _whatsapp_error(response) -> dict:
    try:
        return response.json().get("error", {})
    except ValueError:
        return {}


def _retry_after(headers) -> float | None:
    try:
        return float(headers.get("Retry-After")) if headers and headers.get("Retry-After") else None
    except (TypeError, ValueError):
        return None


def _body_text(body) -> str:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    return str(body)[:500]
