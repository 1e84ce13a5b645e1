"""Secrets kept in the database (a satker's WhatsApp access token) are sealed with Fernet
(AES-128-CBC with HMAC-SHA256, from `cryptography`) under HALOPST_SEALING_KEYS: a stolen
database dump or backup does not carry usable tokens.

The first key seals; every key unseals, so a key is rotated by putting a new one first and
resealing (`manage.py reseal_secrets` is not built: with one kind of secret, an admin entering
the token again does the same).
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class Unreadable(Exception):
    """A sealed value that none of the configured keys opens (a key was dropped too early)."""


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.HALOPST_SEALING_KEYS])


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise Unreadable("no configured HALOPST_SEALING_KEYS key opens this value") from None
