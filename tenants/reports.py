"""Reads over the rollups (tenants.rollups): the satker dashboard, the province command centre
and the officer leaderboards. Every function takes the satkers it may read from the caller's
access check (`satkers_visible_to`, or the request's own satker); none reads a satker schema.
"""

import math
from datetime import date, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

from django.db.models import IntegerField, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_quota.models import UsageLedger
from billing_quota.services import month_of
from booking.models import SURVEY_ELEMENTS
from booking.selectors import ikm_grade
from tenants.channels import group_name
from tenants.models import PUBLIC_SCHEMA, OfficerMonth, Satker, SatkerDay, SatkerPulse
from tenants.rollups import award_order, best_officer

COUNTS = ["requests", "new_consumers", "returning_consumers", "approved", "declined", "rescheduled", "cancelled",
          "expired", "completed", "no_shows", "decided_within_standard", "ratings", "rating_sum", "aida_questions",
          "aida_rated", "aida_helpful", "aida_handoffs", "aida_tokens"]
SURVEY = [name for name, _label in SURVEY_ELEMENTS]
RANKINGS = {"ikm": "ikm", "tepat-waktu": "within_standard_percent", "selesai": "completion_percent",
            "permintaan": "requests"}


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _percentile(values: list[int], fraction: float) -> int | None:
    """Nearest-rank percentile: a real observed value, as a service standard report wants."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * fraction) - 1)]


def _ikm(ratings: int, survey_sums: dict) -> tuple[float | None, str]:
    if not ratings or not survey_sums:
        return None, ""
    ikm = round(mean(survey_sums[name] / ratings for name in SURVEY) * 25, 2)
    return ikm, ikm_grade(ikm)


def _derived(totals: dict, survey_sums: dict, decision_minutes: list[int] | None) -> dict:
    decisions = totals["approved"] + totals["declined"] if decision_minutes is None else len(decision_minutes)
    ikm, grade = _ikm(totals["ratings"], survey_sums)
    finished = totals["completed"] + totals["no_shows"]
    return {
        "decisions": decisions,
        "within_standard_percent": _percent(totals["decided_within_standard"], decisions),
        "completion_percent": _percent(totals["completed"], finished),
        "no_show_percent": _percent(totals["no_shows"], finished),
        "rating_mean": round(totals["rating_sum"] / totals["ratings"], 2) if totals["ratings"] else None,
        "ikm": ikm, "ikm_grade": grade,
        "aida_helpful_percent": _percent(totals["aida_helpful"], totals["aida_rated"]),
    }


# --- The satker dashboard -----------------------------------------------------------------

def satker_summary(satker: Satker, first: date, last: date) -> dict:
    """Everything the dashboard shows for `satker` between two local days (inclusive)."""
    rows = list(SatkerDay.objects.filter(satker=satker, day__gte=first, day__lte=last))
    totals = {name: sum(getattr(row, name) for row in rows) for name in COUNTS}
    survey_sums = {name: sum(row.survey_sums.get(name, 0) for row in rows) for name in SURVEY}
    minutes = [value for row in rows for value in row.decision_minutes]
    purposes, categories = {}, {}
    for row in rows:
        for key, value in row.purposes.items():
            purposes[key] = purposes.get(key, 0) + value
        for key, value in row.categories.items():
            categories[key] = categories.get(key, 0) + value
    weeks = {}
    for row in rows:
        week = row.day - timedelta(days=row.day.weekday())
        bucket = weeks.setdefault(week, {"week": week, "requests": 0, "approved": 0, "declined": 0, "completed": 0,
                                         "cancelled": 0, "no_shows": 0})
        for name in bucket:
            if name != "week":
                bucket[name] += getattr(row, name)
    ledger = UsageLedger.objects.filter(satker=satker, month=month_of()).first()
    return {
        "first": first, "last": last, "days": rows, **totals,
        **_derived(totals, survey_sums, minutes),
        "decision_p50_minutes": _percentile(minutes, 0.5), "decision_p90_minutes": _percentile(minutes, 0.9),
        "purposes": dict(sorted(purposes.items(), key=lambda item: -item[1])),
        "categories": dict(sorted(categories.items(), key=lambda item: -item[1])),
        "weeks": [weeks[week] for week in sorted(weeks)],
        "quota_percent": ledger.tokens_percent if ledger else 0,
    }


# --- The command centre -------------------------------------------------------------------

def _period_totals(satker_ids, first: date, last: date) -> dict[int, dict]:
    """Sums per satker over a period, one grouped query over the (satker, day) index."""
    survey = {f"survey_{name}": Sum(Cast(KeyTextTransform(name, "survey_sums"), IntegerField())) for name in SURVEY}
    rows = (SatkerDay.objects.filter(satker_id__in=satker_ids, day__gte=first, day__lte=last).values("satker_id")
            .annotate(**{name: Sum(name) for name in COUNTS}, **survey))
    return {row["satker_id"]: row for row in rows}


def _live(satker: Satker, now) -> dict:
    """Numbers of this moment: waiting past the standard is counted now, not when the pulse was
    taken, and a pulse from yesterday has nothing for today."""
    pulse = getattr(satker, "pulse", None)
    if pulse is None:
        return {"pending": 0, "past_standard": 0, "consultations_today": 0, "aida_questions_today": 0}
    deadline = now - timedelta(hours=pulse.decision_standard_hours)
    fresh = pulse.local_day == now.astimezone(ZoneInfo(satker.timezone)).date()
    return {
        "pending": len(pulse.pending_since),
        "past_standard": sum(since < deadline for since in pulse.pending_since),
        "consultations_today": pulse.consultations_today if fresh else 0,
        "aida_questions_today": pulse.aida_questions_today if fresh else 0,
    }


def command_centre_rows(satkers, *, days: int = 30, now=None) -> list[dict]:
    """One row per satker: live numbers (pulse), quota use this month and the period's results."""
    now = now or timezone.now()
    satkers = list(satkers.select_related("pulse", "parent"))
    last = now.date()
    first = last - timedelta(days=days - 1)
    totals = _period_totals([satker.pk for satker in satkers], first, last)
    ledgers = {ledger.satker_id: ledger for ledger in UsageLedger.objects.filter(satker__in=satkers, month=month_of(now))}
    rows = []
    for satker in satkers:
        period = totals.get(satker.pk) or {name: 0 for name in COUNTS}
        counts = {name: period.get(name) or 0 for name in COUNTS}
        survey_sums = {name: period.get(f"survey_{name}") or 0 for name in SURVEY}
        ledger = ledgers.get(satker.pk)
        rows.append({
            "code": satker.code, "name": satker.name, "kind": satker.kind, "status": satker.status,
            "province": (satker.parent or satker).code,
            **_live(satker, now),
            "quota_percent": ledger.tokens_percent if ledger else 0,
            **counts, **_derived(counts, survey_sums, None),
        })
    return rows


def rank(rows: list[dict], by: str) -> list[dict]:
    """Rows ordered best first by one of RANKINGS; satkers with no value for it come last."""
    key = RANKINGS.get(by, "ikm")
    return sorted(rows, key=lambda row: (row[key] is None, -(row[key] or 0), row["code"]))


def command_centre_group(province_code: str) -> str:
    """Sockets watching one province ("all" for national admins) join this group."""
    return group_name(PUBLIC_SCHEMA, "command-centre", province_code)


def announce_pulse(pulse: SatkerPulse) -> None:
    """Send a satker's fresh row to the command centres of its province and the nation."""
    from realtime.push import group_send

    satker = Satker.objects.filter(pk=pulse.satker_id)
    row = command_centre_rows(satker)[0]
    message = {"type": "command_centre.row", "row": row}
    group_send(command_centre_group(row["province"]), message)
    group_send(command_centre_group("all"), message)


# --- Officers -----------------------------------------------------------------------------

def leaderboard(satkers, month: date, limit: int = 20) -> dict:
    """The month's officers of these satkers, best first, and the award winner if any."""
    rows = list(OfficerMonth.objects.filter(satker__in=satkers, month=month).select_related("satker"))
    rows.sort(key=award_order)
    return {"month": month, "rows": rows[:limit], "best": best_officer(rows)}


def day_table(summary: dict) -> list[list]:
    """The period's days as rows for export, with the column names in the active language."""
    columns = [
        (_("Date"), lambda row: row.day.isoformat()), (_("Requests"), lambda row: row.requests),
        (_("New consumers"), lambda row: row.new_consumers), (_("Returning consumers"), lambda row: row.returning_consumers),
        (_("Approved"), lambda row: row.approved), (_("Declined"), lambda row: row.declined),
        (_("New time proposed"), lambda row: row.rescheduled), (_("Cancelled"), lambda row: row.cancelled),
        (_("Expired"), lambda row: row.expired), (_("Completed"), lambda row: row.completed),
        (_("No-show"), lambda row: row.no_shows), (_("Decisions"), lambda row: len(row.decision_minutes)),
        (_("Decided within the standard"), lambda row: row.decided_within_standard),
        (_("Median minutes to decision"), lambda row: _percentile(row.decision_minutes, 0.5)),
        (_("Ratings"), lambda row: row.ratings),
        (_("Mean rating"), lambda row: round(row.rating_sum / row.ratings, 2) if row.ratings else None),
        (_("IKM"), lambda row: _ikm(row.ratings, row.survey_sums)[0]),
        (_("AIDA questions"), lambda row: row.aida_questions), (_("AIDA answers found helpful"), lambda row: row.aida_helpful),
        (_("AIDA answers rated"), lambda row: row.aida_rated), (_("Handoffs to an officer"), lambda row: row.aida_handoffs),
        (_("AIDA tokens"), lambda row: row.aida_tokens),
    ]
    return [[name for name, _value in columns]] + [[value(row) for _name, value in columns] for row in summary["days"]]
