"""Spending a satker's Gemini budget: reserve before a call, settle after, release on failure.

`reserve` is one conditional UPDATE: it succeeds only if the month's used plus reserved plus
this estimate still fits both limits, so fifty questions at once cannot spend past the budget.
"""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import schema_context

from billing_quota.models import Reservation, SatkerQuota, UsageLedger
from billing_quota.selectors import month_of, usage_of
from core.audit import record
from tenants.models import PUBLIC_SCHEMA

logger = logging.getLogger(__name__)
ALERT_THRESHOLDS = (80, 100)
STALE_RESERVATION = timedelta(minutes=10)


def ledger_for(satker, month=None) -> UsageLedger:
    """This month's ledger row of the satker, created from its limits on first use."""
    ledger = usage_of(satker, month)
    if ledger.pk is not None:
        return ledger
    with schema_context(PUBLIC_SCHEMA):
        try:
            with transaction.atomic():
                ledger.save(force_insert=True)
                return ledger
        except IntegrityError:  # another request created it a moment ago
            return UsageLedger.objects.get(satker=satker, month=ledger.month)


def reserve(satker, tokens: int) -> Reservation | None:
    """Set `tokens` and one request aside, or return None if that would pass a limit.

    One conditional UPDATE of the month's ledger, found by satker and month (the ledger is a
    public table, on every satker's search path): no read first and no schema switch, since
    this runs before every AIDA question. Only the month's first question creates the row."""
    month = month_of()
    for attempt in range(2):
        with transaction.atomic():
            granted = (
                UsageLedger.objects.filter(satker=satker, month=month)
                .filter(
                    tokens_used__lte=F("token_limit") - F("tokens_reserved") - tokens,
                    requests_used__lte=F("request_limit") - F("requests_reserved") - 1,
                )
                .update(tokens_reserved=F("tokens_reserved") + tokens, requests_reserved=F("requests_reserved") + 1)
            )
            if granted:
                return Reservation.objects.create(satker=satker, month=month, tokens=tokens)
        if attempt == 0:
            # No room, or no ledger yet: make sure it exists (whoever creates it) and try once more.
            ledger_for(satker, month)
    return None


def settle(reservation: Reservation, tokens_reported: int) -> int | None:
    """Charge what the call cost (Gemini's totalTokenCount), at most what was reserved: the
    reservation is the call's upper bound (prompt, output cap, thinking budget), so a reply that
    reports more is an anomaly, logged and kept on the reservation, and never pushes the month
    past its limit. Returns a newly crossed alert threshold (80 or 100), if any."""
    tokens_used = min(tokens_reported, reservation.tokens)
    over = tokens_reported if tokens_reported > reservation.tokens else None
    with schema_context(PUBLIC_SCHEMA), transaction.atomic():
        if not Reservation.objects.filter(pk=reservation.pk, settled_at__isnull=True).update(
            settled_at=timezone.now(), tokens_charged=tokens_used, tokens_reported=over
        ):
            return None  # already settled or swept
        if over:
            logger.warning(
                "AIDA call of satker %s reported %d tokens, over its reservation of %d",
                reservation.satker_id,
                over,
                reservation.tokens,
            )
        ledger = UsageLedger.objects.select_for_update().get(satker_id=reservation.satker_id, month=reservation.month)
        ledger.tokens_reserved -= reservation.tokens
        ledger.requests_reserved -= 1
        ledger.tokens_used += tokens_used
        ledger.requests_used += 1
        crossed = None
        percent = max(ledger.tokens_percent, ledger.requests_percent)
        for threshold in ALERT_THRESHOLDS:
            if percent >= threshold > ledger.alerted_percent:
                crossed = threshold
        if crossed:
            ledger.alerted_percent = crossed
        ledger.save(
            update_fields=["tokens_reserved", "requests_reserved", "tokens_used", "requests_used", "alerted_percent"]
        )
        return crossed


def release(reservation: Reservation) -> None:
    """Give back what a failed call reserved: nothing reached Gemini, nothing is charged."""
    with schema_context(PUBLIC_SCHEMA), transaction.atomic():
        if Reservation.objects.filter(pk=reservation.pk, settled_at__isnull=True).update(
            settled_at=timezone.now(), tokens_charged=0
        ):
            UsageLedger.objects.filter(satker_id=reservation.satker_id, month=reservation.month).update(
                tokens_reserved=F("tokens_reserved") - reservation.tokens, requests_reserved=F("requests_reserved") - 1
            )


def sweep_stale_reservations() -> int:
    """Release reservations whose call never reported back (its process died)."""
    with schema_context(PUBLIC_SCHEMA):
        stale = list(
            Reservation.objects.filter(settled_at__isnull=True, created_at__lt=timezone.now() - STALE_RESERVATION)
        )
    for reservation in stale:
        release(reservation)
    return len(stale)


@transaction.atomic
@transaction.atomic
def set_limits(satker, *, plan: str, monthly_token_limit: int, monthly_request_limit: int, actor=None) -> SatkerQuota:
    """The province admin sets a satker's limits; this month's ledger follows at once."""
    with schema_context(PUBLIC_SCHEMA):
        quota, _created = SatkerQuota.objects.update_or_create(
            satker=satker,
            defaults={
                "plan": plan,
                "monthly_token_limit": monthly_token_limit,
                "monthly_request_limit": monthly_request_limit,
                "updated_by": getattr(actor, "email", ""),
            },
        )
        UsageLedger.objects.filter(satker=satker, month=month_of()).update(
            token_limit=monthly_token_limit, request_limit=monthly_request_limit
        )
        record(
            actor,
            "quota.set",
            satker.code,
            plan=plan,
            monthly_token_limit=monthly_token_limit,
            monthly_request_limit=monthly_request_limit,
        )
        return quota
