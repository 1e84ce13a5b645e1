"""Abuse limits: fixed-window counters in the cache, per person and per client address.

The numbers are in HALOPST_RATE_LIMITS (settings, with the reasoning): a person's allowance is
what one human needs; an address's is far above what a campus behind one NAT does in an hour.

Keys carry the schema (the cache's key function), so one satker's visitors never use up
another's allowance. Exceeding a limit is answered with 429 and a message in the user's language.
"""

import ipaddress
import logging
import math
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


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


def _counters(name: str, identities: dict[str, str]) -> list[tuple[str, int, float]]:
    """(cache key, allowed, seconds until the window ends) of each identity whose scope
    ("person", "address") HALOPST_RATE_LIMITS limits for `name`. Fixed windows aligned on the
    clock, so the wait is known without asking Redis for a TTL."""
    now = time.time()
    counters = []
    for scope, identity in identities.items():
        allowance = settings.HALOPST_RATE_LIMITS[name].get(scope)
        if identity and allowance:
            allowed, seconds = allowance
            window = int(now // seconds)
            counters.append((f"ratelimit:{name}:{identity}:{window}", allowed, (window + 1) * seconds - now))
    return counters


def wait_before(name: str, identities: dict[str, str]) -> float:
    """Seconds until a request of `name` is allowed again for these identities; 0 if it is now."""
    counters = _counters(name, identities)
    try:
        counts = cache.get_many([key for key, _allowed, _wait in counters])
    except RedisError:
        # Redis down: let the request through rather than fail it. Logins still meet the
        # lockout (database), bookings the slot rules; the limits return with Redis.
        logger.warning("rate limit %s not checked: the cache is unreachable", name)
        return 0
    return max([wait for key, allowed, wait in counters if counts.get(key, 0) >= allowed], default=0)


def count(name: str, identities: dict[str, str]) -> None:
    """Count one request (or one failure) of `name` for each identity."""
    for key, _allowed, wait in _counters(name, identities):
        try:
            cache.add(key, 0, int(wait) + 1)
            cache.incr(key)
        except ValueError:  # expired between add and incr: the window is over anyway
            pass
        except RedisError:
            logger.warning("rate limit %s not counted: the cache is unreachable", name)
            return


def too_many(request, wait_seconds: float):
    minutes = max(1, math.ceil(wait_seconds / 60))
    message = ngettext(
        "Too many attempts. Please wait %(minutes)d minute and try again.",
        "Too many attempts. Please wait %(minutes)d minutes and try again.",
        minutes,
    ) % {"minutes": minutes}
    if request.path.startswith("/api/") or request.headers.get("Accept", "").startswith("application/json"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "core/too_many.html", {"message": message}, status=429)
    response["Retry-After"] = str(math.ceil(wait_seconds))
    return response


def _identities(request, account: str) -> dict[str, str]:
    return {"address": f"ip:{client_ip(request)}", "person": account}


def limit(name: str, *, per_account_field: str | None = None, methods=("POST",), failures_only: bool = False):
    """Limit a view's `methods` per address and per person (the signed-in user, or the value of
    a posted field such as the e-mail being logged into). With `failures_only`, only requests
    the view refused count (a form shown again rather than a redirect): a campus behind one
    address signs in all day, and only its mistakes add up."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in methods:
                return view(request, *args, **kwargs)
            account = ""
            if request.user.is_authenticated:
                account = f"user:{request.user.pk}"
            elif per_account_field:
                account = "account:" + request.POST.get(per_account_field, "").strip().lower()
            identities = _identities(request, account)
            wait = wait_before(name, identities)
            if wait:
                return too_many(request, wait)
            if not failures_only:
                count(name, identities)
            response = view(request, *args, **kwargs)
            if failures_only and not response.has_header("Location"):
                count(name, identities)
            return response

        return wrapped

    return decorator


def ok_or_429(request, name: str) -> HttpResponse | None:
    """For code paths that are not whole views: None when allowed (and counted), else the 429
    response. Counted per address and per person (the user, or an anonymous visitor's session)."""
    if request.user.is_authenticated:
        account = f"user:{request.user.pk}"
    else:
        account = f"session:{request.session.session_key}" if request.session.session_key else ""
    identities = _identities(request, account)
    wait = wait_before(name, identities)
    if wait:
        return too_many(request, wait)
    count(name, identities)
    return None


def lockout_username(request, credentials) -> str:
    """The account name django-axes counts failures for: as the login form treats it
    (e-mail, case-insensitive), so "Target@Example.com" is no second account to guess on."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return value.strip().lower()
