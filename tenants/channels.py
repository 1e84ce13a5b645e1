"""Tenancy for Channels: django-tenants only routes HTTP requests.

`SatkerWebsocketMiddleware` resolves the Host to a satker, refuses cross-origin sockets,
and loads the session and user *inside that satker's schema*. Consumers reach the
database only through `in_satker`, which sets the schema on whichever worker thread
runs the ORM call: the connection is per thread, and a thread last used for another
satker would otherwise answer from that satker's tables.
"""

from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser
from django.utils.module_loading import import_string
from django_tenants.utils import tenant_context

from tenants.selectors import satker_for_host

# WebSocket close codes (4000-4999 are the application's).
CLOSE_UNKNOWN_HOST = 4404
CLOSE_FORBIDDEN_ORIGIN = 4403
CLOSE_UNAUTHENTICATED = 4401


def _header(scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


def _hostname(host_header: str) -> str:
    """The host name of a Host header, without port, lowercased."""
    return urlsplit(f"//{host_header}").hostname or ""


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _same_origin(scope) -> bool:
    """Whether the Origin header is the origin of the page this socket's Host serves. The page
    is https when the socket is wss, or when our proxy says the client came over TLS (as
    SECURE_PROXY_SSL_HEADER does for pages)."""
    header, value = settings.SECURE_PROXY_SSL_HEADER
    forwarded = _header(scope, header.removeprefix("HTTP_").replace("_", "-").lower().encode())
    scheme = "https" if scope.get("scheme") == "wss" or forwarded == value else "http"
    try:
        origin = urlsplit(_header(scope, b"origin"))
        own = urlsplit(f"{scheme}://{_header(scope, b'host')}")
        origin_port, own_port = origin.port, own.port
    except ValueError:  # a port that is no number
        return False
    return bool(origin.hostname) and (
        origin.scheme,
        origin.hostname,
        origin_port or _DEFAULT_PORTS.get(origin.scheme),
    ) == (scheme, own.hostname, own_port or _DEFAULT_PORTS[scheme])


def in_satker(satker, func, *args, **kwargs):
    """Await `func(*args, **kwargs)` on a database thread, in the satker's schema.

    Not thread-sensitive: outside Django's request handler a socket has no thread of its own,
    so thread-sensitive calls of every socket of the process would queue on one shared thread
    (under a crowd, handshakes then waited past the clients' timeouts and they reconnected in
    a loop). Each call here is complete in itself: it may run on any thread of the pool."""

    def call():
        with tenant_context(satker):
            return func(*args, **kwargs)

    return database_sync_to_async(call, thread_sensitive=False)()


def group_name(schema_name: str, *parts) -> str:
    """A channel-layer group of one satker: the schema is always part of the name."""
    return ".".join([schema_name, *[str(part) for part in parts]])


class _SessionRequest:
    """What django.contrib.auth.get_user needs of a request: a session."""

    def __init__(self, session):
        self.session = session


def _load_user(session_key: str):
    """The session's user; an admin who has not confirmed their two-factor code in this
    session is nobody here, as on every page (core.middleware.RequireTwoFactorMiddleware)."""
    from core.services import needs_two_factor, two_factor_verified

    if not session_key:
        return AnonymousUser()
    session = import_string(settings.SESSION_ENGINE).SessionStore(session_key)
    user = get_user(_SessionRequest(session))
    if needs_two_factor(user) and not two_factor_verified(user, session):
        return AnonymousUser()
    return user


class SatkerWebsocketMiddleware:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        host = _hostname(_header(scope, b"host"))
        satker = await sync_to_async(satker_for_host, thread_sensitive=False)(host) if host else None
        if satker is None or not satker.is_active:
            return await self._refuse(receive, send, CLOSE_UNKNOWN_HOST)
        if not _same_origin(scope):
            # Satkers share a site (subdomains of one domain): only a page of this very origin
            # (scheme, host and port, as Django's CSRF check compares) may open a socket that
            # carries this host's session.
            return await self._refuse(receive, send, CLOSE_FORBIDDEN_ORIGIN)
        cookies = _parse_cookies(_header(scope, b"cookie"))
        user = await in_satker(satker, _load_user, cookies.get(settings.SESSION_COOKIE_NAME, ""))
        scope = dict(scope, satker=satker, user=user)
        return await self.inner(scope, receive, send)

    @staticmethod
    async def _refuse(receive, send, code):
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.close", "code": code})


def _parse_cookies(header: str) -> dict[str, str]:
    from django.http.cookie import parse_cookie

    return parse_cookie(header)
