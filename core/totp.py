"""Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), as every
authenticator app (Google Authenticator, Microsoft Authenticator, FreeOTP…) computes them."""

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote

STEP = 30
DIGITS = 6


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode()


def code_at(secret: str, moment: float) -> str:
    counter = int(moment // STEP)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def matching_step(secret: str, code: str, moment: float | None = None) -> int | None:
    """The time step whose code `code` is, among this step and the ones before and after it
    (clocks drift); None if it is none of them. The caller accepts a step only once (RFC 6238
    §5.2): a code seen over a shoulder or replayed from a second session is then worthless."""
    moment = time.time() if moment is None else moment
    code = (code or "").strip().replace(" ", "")
    for drift in (-1, 0, 1):
        if hmac.compare_digest(code_at(secret, moment + drift * STEP), code):
            return int((moment + drift * STEP) // STEP)
    return None


def provisioning_uri(secret: str, account: str, issuer: str = "HaloPST") -> str:
    return f"otpauth://totp/{quote(issuer)}:{quote(account)}?secret={secret}&issuer={quote(issuer)}"
