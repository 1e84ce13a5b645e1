"""A fake browser push service (RFC 8030), like FCM or Mozilla's autopush: it hands out
subscriptions as a browser's `PushSubscription.toJSON()` does, and takes messages on their
endpoints only as a real push service would — a valid VAPID JWT for its own origin (RFC 8292),
a TTL, and an aes128gcm body (RFC 8291) — which it decrypts with the browser's private key,
so a test reads exactly what the phone would show."""

import base64
import json
import time
import uuid
from urllib.parse import urlsplit

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.fakes.server import FakeServer


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class FakePushService(FakeServer):
    def __init__(self):
        super().__init__()
        self.browsers = {}  # token → (private key, auth secret)
        self.delivered = {}  # token → [decrypted payload, …]
        self.forgotten = set()  # tokens whose browser unsubscribed: 410 Gone

    def subscribe(self) -> dict:
        token = uuid.uuid4().hex
        key = ec.generate_private_key(ec.SECP256R1())
        auth = uuid.uuid4().bytes
        public = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        with self.lock:
            self.browsers[token] = (key, auth)
            self.delivered[token] = []
        return {"endpoint": f"{self.url}/push/{token}", "keys": {"p256dh": b64url(public), "auth": b64url(auth)}}

    def messages_for(self, subscription: dict) -> list[dict]:
        return self.delivered[subscription["endpoint"].rsplit("/", 1)[1]]

    def forget(self, subscription: dict) -> None:
        self.forgotten.add(subscription["endpoint"].rsplit("/", 1)[1])

    def respond(self, method, path, headers, raw, mode):
        if method != "POST" or not path.startswith("/push/"):
            return 404, {}, {"reason": "not found"}
        token = path.rsplit("/", 1)[1]
        if token in self.forgotten or mode == "410":
            return 410, {}, {"reason": "push subscription has unsubscribed or expired"}
        if token not in self.browsers:
            return 404, {}, {"reason": "unknown subscription"}
        if mode.isdigit():
            return int(mode), ({"Retry-After": "1"} if mode == "429" else {}), {"reason": f"simulated {mode}"}
        problem = self._vapid_problem(headers.get("Authorization", ""))
        if problem:
            return 403, {}, {"reason": problem}
        if headers.get("TTL") is None or headers.get("Content-Encoding") != "aes128gcm":
            return 400, {}, {"reason": "TTL and Content-Encoding: aes128gcm are required"}
        key, auth = self.browsers[token]
        try:
            payload = json.loads(http_ece.decrypt(raw, private_key=key, auth_secret=auth, version="aes128gcm"))
        except Exception as error:  # noqa: BLE001 - any decryption failure is the sender's fault
            return 400, {}, {"reason": f"cannot decrypt: {error!r}"}
        with self.lock:
            self.delivered[token].append(payload)
        return 201, {"Location": f"{self.url}/message/{uuid.uuid4().hex}"}, b""

    def _vapid_problem(self, authorization: str) -> str:
        """Why the VAPID header is not acceptable ("" when it is): `vapid t=<JWT>, k=<key>`."""
        if not authorization.startswith("vapid "):
            return "Authorization must be 'vapid t=…, k=…'"
        fields = dict(part.strip().split("=", 1) for part in authorization[6:].split(","))
        try:
            header, claims, signature = fields["t"].split(".")
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(fields["k"]))
            raw = unb64url(signature)
            der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
            public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
            claims = json.loads(unb64url(claims))
        except (KeyError, ValueError, InvalidSignature):
            return "invalid VAPID token"
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.url))
        if claims.get("aud") != origin:
            return f"aud must be {origin}"
        if not time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600:
            return "exp must be within the next 24 hours"
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            return "sub must be a mailto: or https: contact"
        return ""
