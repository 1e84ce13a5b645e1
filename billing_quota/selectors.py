"""Reads of a satker's Gemini budget, for pages and other apps. Nothing here writes: a month
whose ledger does not exist yet reads as nothing spent against the satker's limits."""

from datetime import date

from django.utils import timezone
from django_tenants.utils import schema_context

from billing_quota.models import PLAN_LIMITS, Plan, SatkerQuota, UsageLedger
from tenants.models import PUBLIC_SCHEMA


def month_of(moment=None) -> date:
    moment = timezone.localdate(moment) if moment else timezone.localdate()
    return moment.replace(day=1)


def limits_for(satker) -> tuple[int, int]:
    """(monthly tokens, monthly requests) the satker may spend: its quota, or its plan's default."""
    quota = SatkerQuota.objects.filter(satker=satker).first()
    if quota is not None:
        return quota.monthly_token_limit, quota.monthly_request_limit
    return PLAN_LIMITS[Plan.PROVINCE if satker.kind == "province" else Plan.BASIC]


def usage_of(satker, month=None) -> UsageLedger:
    """The month's ledger row, or an unsaved one with nothing spent if no call made it yet."""
    month = month or month_of()
    with schema_context(PUBLIC_SCHEMA):
        ledger = UsageLedger.objects.filter(satker=satker, month=month).first()
        if ledger is not None:
            return ledger
        tokens, requests = limits_for(satker)
        return UsageLedger(satker=satker, month=month, token_limit=tokens, request_limit=requests)


def ledgers_of(satkers, month: date) -> dict[int, UsageLedger]:
    """Satker id → the month's ledger row, for the satkers that have one (reports)."""
    return {ledger.satker_id: ledger for ledger in UsageLedger.objects.filter(satker__in=satkers, month=month)}
