"""Abuse limits: fixed-window counters in the cache, per client IP and per account.

Keys carry the schema (the cache's key function), so one satker's visitors never use up
another's allowance. Exceeding a limit is answered with 429 and a message in the user's language.
"""

import ipaddress
import logging
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)



def limits() -> dict[str, tuple[int, int]]:
    """name → (requests, seconds)."""
    return {
        "sign_up": (5, 3600),
        "login": (10, 300),
        "password_reset": (5, 3600),
        "booking_request": (10, 3600),
        "aida_question": (settings.HALOPST_AIDA_QUESTIONS_PER_HOUR, 3600),
    }


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.HALOPST_TRUSTED_PROXIES)


def client_ip(request) -> str:
    """The address a request came from: REMOTE_ADDR, unless that is one of our own proxies
    (HALOPST_TRUSTED_PROXIES, e.g. nginx); then the last address in X-Forwarded-For that is
    not. Addresses a client writes into the header itself come before those and are ignored."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not _trusted(remote):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if not _trusted(address):
            return address
    return remote


def hit(name: str, *identities: str) -> bool:
    """Count one request of `name` for each identity; False once any is over its limit."""
    allowed, window = limits()[name]
    over = False
    for identity in identities:
        if not identity:
            continue
        key = f"ratelimit:{name}:{identity}"
        try:
            cache.add(key, 0, window)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, window)
                count = 1
        except RedisError:
            # Redis down: let the request through rather than fail it. Logins still meet the
            # lockout (database), bookings the slot rules; the limits return with Redis.
            logger.warning("rate limit %s not counted: the cache is unreachable", name)
            continue
        over = over or count > allowed
    return not over


def too_many(request):
    message = _("Too many attempts. Please wait a while and try again.")
    if request.path.startswith("/api/") or request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"detail": message}, status=429)
    response = render(request, "core/too_many.html", {"message": message}, status=429)
    response["Retry-After"] = "300"
    return response


def limit(name: str, *, per_account_field: str | None = None, methods=("POST",)):
    """Limit a view's `methods` per IP, and per account (the signed-in user, or the value of a
    posted field such as the e-mail being logged into)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                account = ""
                if request.user.is_authenticated:
                    account = f"user:{request.user.pk}"
                elif per_account_field:
                    account = "account:" + request.POST.get(per_account_field, "").strip().lower()
                if not hit(name, f"ip:{client_ip(request)}", account):
                    return too_many(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def ok_or_429(request, name: str) -> HttpResponse | None:
    """For code paths that are not whole views: None when allowed, else the 429 response.
    Counted per IP and per account (the user, or for anonymous visitors their session)."""
    if request.user.is_authenticated:
        account = f"user:{request.user.pk}"
    else:
        account = f"session:{request.session.session_key}" if request.session.session_key else ""
    return None if hit(name, f"ip:{client_ip(request)}", account) else too_many(request)


def lockout_username(request, credentials) -> str:
    """The account name django-axes counts failures for: as the login form treats it
    (e-mail, case-insensitive), so "Target@Example.com" is no second account to guess on."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return value.strip().lower()
