"""Reads of the satker registry. Host lookups are cached: routing must not cost a query per request."""

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django_tenants.utils import schema_context
from redis.exceptions import RedisError

from core.models import Role
from core.sealing import unseal
from tenants.models import PUBLIC_SCHEMA, Domain, Kind, Satker, Status, WhatsAppNumber

_HOST_TTL = 3600
_UNKNOWN_HOST_TTL = 60
_UNKNOWN = "unknown"


def host_cache_key(host: str) -> str:
    return f"tenancy:host:{host}"


def public_hosts() -> set[str]:
    return {settings.HALOPST_BASE_DOMAIN, f"www.{settings.HALOPST_BASE_DOMAIN}"}


def satker_for_host(host: str) -> Satker | None:
    """The satker (or the national portal) that serves `host`, from the cache when possible.

    Unknown hosts are remembered briefly too, so a flood of made-up subdomains cannot turn
    into a flood of queries. Entries are dropped whenever a satker or domain changes
    (tenants.signals).
    """
    host = host.lower()
    with schema_context(PUBLIC_SCHEMA):
        try:
            cached = cache.get(host_cache_key(host))
        except RedisError:  # Redis down or restarting: route from the database meanwhile
            return _load_satker_for_host(host)
        if cached == _UNKNOWN:
            return None
        if cached is not None:
            return cached
        satker = _load_satker_for_host(host)
        cache.set(host_cache_key(host), satker or _UNKNOWN, _HOST_TTL if satker else _UNKNOWN_HOST_TTL)
        return satker


def _load_satker_for_host(host: str) -> Satker | None:
    if host in public_hosts():
        return Satker.objects.filter(schema_name=PUBLIC_SCHEMA).first()
    domain = Domain.objects.select_related("tenant").filter(domain=host).first()
    return domain.tenant if domain else None


def forget_hosts(hosts) -> None:
    with schema_context(PUBLIC_SCHEMA):
        cache.delete_many([host_cache_key(host) for host in hosts])


def satkers_visible_to(user) -> QuerySet[Satker]:
    """Satkers a public-schema admin may see and manage: all for national admins, their own
    province and its regencies and cities for province admins, none for anyone else."""
    satkers = Satker.objects.exclude(schema_name=PUBLIC_SCHEMA).select_related("parent")
    if not user.is_authenticated:
        return satkers.none()
    if user.role == Role.NATIONAL_ADMIN:
        return satkers
    if user.role == Role.PROVINCE_ADMIN and user.managed_province_id:
        return satkers.filter(pk=user.managed_province_id) | satkers.filter(parent_id=user.managed_province_id)
    return satkers.none()


def provinces_visible_to(user) -> QuerySet[Satker]:
    return satkers_visible_to(user).filter(kind=Kind.PROVINCE)


def whatsapp_number_of(satker: Satker) -> WhatsAppNumber | None:
    """The satker's connected WhatsApp number (its token still sealed), or None. The table is in
    public, which every satker's search path ends with: no schema switch (two more queries)."""
    return WhatsAppNumber.objects.filter(satker=satker).first()


def satker_for_whatsapp_number(phone_number_id: str) -> Satker | None:
    """Whose number an inbound webhook was sent to; None for a number no active satker has."""
    with schema_context(PUBLIC_SCHEMA):
        number = (
            WhatsAppNumber.objects.select_related("satker")
            .filter(phone_number_id=phone_number_id, satker__status=Status.ACTIVE)
            .first()
        )
    return number.satker if number else None


def whatsapp_credentials(satker: Satker) -> tuple[str, str] | None:
    """(phone number id, access token) to send from the satker's own number, or None."""
    number = whatsapp_number_of(satker)
    return (number.phone_number_id, unseal(number.sealed_token)) if number else None
