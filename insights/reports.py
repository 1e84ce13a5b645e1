"""Reads over the rollups (insights.rollups): the satker dashboard, the province command centre
and the officer leaderboards. Every function takes the satkers it may read from the caller's
access check (`satkers_visible_to`, or the request's own satker); none reads a satker schema.
"""

import math
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.db.models import F, FloatField, Sum
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_quota.selectors import ledgers_of, month_of
from booking.selectors import ikm_grade, ikm_of
from insights.models import OfficerMonth, SatkerDay, SatkerMonth, SatkerPulse
from insights.rollups import AWARD_MIN_COMPLETED, COUNTS
from tenants.channels import group_name
from tenants.models import PUBLIC_SCHEMA, Satker

NEWEST_ZONE = ZoneInfo("Asia/Jayapura")
RANKINGS = {
    "ikm": "ikm",
    "tepat-waktu": "within_standard_percent",
    "selesai": "completion_percent",
    "permintaan": "requests",
}


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _percentile(values: list[int], fraction: float) -> int | None:
    """Nearest-rank percentile: a real observed value, as a service standard report wants."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * fraction) - 1)]


def _mean(total: int, count: int) -> int | None:
    return round(total / count) if count else None


def _ikm(ratings: int, survey_total: int) -> tuple[float | None, str]:
    if not ratings or not survey_total:
        return None, ""
    ikm = round(ikm_of(survey_total, ratings), 2)
    return ikm, ikm_grade(ikm)


def _derived(totals: dict, decision_minutes: list[int] | None) -> dict:
    decisions = totals["approved"] + totals["declined"] if decision_minutes is None else len(decision_minutes)
    ikm, grade = _ikm(totals["ratings"], totals["survey_total"])
    finished = totals["completed"] + totals["no_shows"]
    return {
        "decisions": decisions,
        "within_standard_percent": _percent(totals["decided_within_standard"], decisions),
        "completion_percent": _percent(totals["completed"], finished),
        "no_show_percent": _percent(totals["no_shows"], finished),
        "rating_mean": round(totals["rating_sum"] / totals["ratings"], 2) if totals["ratings"] else None,
        "ikm": ikm,
        "ikm_grade": grade,
        "aida_helpful_percent": _percent(totals["aida_helpful"], totals["aida_rated"]),
        "first_reply_mean_minutes": _mean(
            totals["conversation_first_reply_minutes_total"], totals["conversation_first_replies"]
        ),
        "replied_within_standard_percent": _percent(
            totals["conversation_replied_within_standard"], totals["conversation_first_replies"]
        ),
        "resolution_mean_minutes": _mean(
            totals["conversation_resolution_minutes_total"], totals["conversations_resolved"]
        ),
    }


# --- The satker dashboard -----------------------------------------------------------------


def satker_summary(satker: Satker, first: date, last: date) -> dict:
    """Everything the dashboard shows for `satker` between two local days (inclusive)."""
    rows = list(SatkerDay.objects.filter(satker=satker, day__gte=first, day__lte=last))
    totals = {name: sum(getattr(row, name) for row in rows) for name in COUNTS}
    minutes = [value for row in rows for value in row.decision_minutes]
    first_replies = [value for row in rows for value in row.first_reply_minutes]
    resolutions = [value for row in rows for value in row.resolution_minutes]
    purposes, categories = {}, {}
    for row in rows:
        for key, value in row.purposes.items():
            purposes[key] = purposes.get(key, 0) + value
        for key, value in row.categories.items():
            categories[key] = categories.get(key, 0) + value
    weeks = {}
    for row in rows:
        week = row.day - timedelta(days=row.day.weekday())
        bucket = weeks.setdefault(
            week,
            {"week": week, "requests": 0, "approved": 0, "declined": 0, "completed": 0, "cancelled": 0, "no_shows": 0},
        )
        for name in bucket:
            if name != "week":
                bucket[name] += getattr(row, name)
    ledger = ledgers_of([satker], month_of()).get(satker.pk)
    return {
        "first": first,
        "last": last,
        "days": rows,
        **totals,
        **_derived(totals, minutes),
        "decision_p50_minutes": _percentile(minutes, 0.5),
        "decision_p90_minutes": _percentile(minutes, 0.9),
        "first_reply_p50_minutes": _percentile(first_replies, 0.5),
        "first_reply_p90_minutes": _percentile(first_replies, 0.9),
        "resolution_p50_minutes": _percentile(resolutions, 0.5),
        "purposes": dict(sorted(purposes.items(), key=lambda item: -item[1])),
        "categories": dict(sorted(categories.items(), key=lambda item: -item[1])),
        "weeks": [weeks[week] for week in sorted(weeks)],
        "quota_percent": ledger.tokens_percent if ledger else 0,
    }


# --- The command centre -------------------------------------------------------------------


def _sums(model, satker_ids, **period) -> dict[int, dict]:
    rows = (
        model.objects.filter(satker_id__in=satker_ids, **period)
        .values("satker_id")
        .annotate(**{name: Sum(name) for name in COUNTS})
    )
    return {row["satker_id"]: row for row in rows}


def _period_totals(satker_ids, first: date, last: date) -> dict[int, dict]:
    """Sums per satker over a period: whole months from SatkerMonth, the days at either end
    from SatkerDay. Three grouped queries whatever the length of the period."""
    months_from = first if first.day == 1 else (first + timedelta(days=32)).replace(day=1)
    months_until = (last + timedelta(days=1)).replace(day=1)  # exclusive: the month of `last` is whole only at its end
    if months_from >= months_until:
        return _sums(SatkerDay, satker_ids, day__gte=first, day__lte=last)
    parts = [
        _sums(SatkerMonth, satker_ids, month__gte=months_from, month__lt=months_until),
        _sums(SatkerDay, satker_ids, day__gte=first, day__lt=months_from),
        _sums(SatkerDay, satker_ids, day__gte=months_until, day__lte=last),
    ]
    totals: dict[int, dict] = {}
    for part in parts:
        for satker_id, row in part.items():
            total = totals.setdefault(satker_id, {name: 0 for name in COUNTS})
            for name in COUNTS:
                total[name] += row[name] or 0
    return totals


def _live(satker: Satker, now) -> dict:
    """Numbers of this moment: waiting past the standard is counted now, not when the pulse was
    taken, and a pulse from yesterday has nothing for today."""
    pulse = getattr(satker, "pulse", None)
    if pulse is None:
        return {
            "pending": 0,
            "past_standard": 0,
            "consultations_today": 0,
            "aida_questions_today": 0,
            "conversations_waiting": 0,
        }
    deadline = now - timedelta(hours=pulse.decision_standard_hours)
    fresh = pulse.local_day == now.astimezone(ZoneInfo(satker.timezone)).date()
    return {
        "pending": len(pulse.pending_since),
        "past_standard": sum(since < deadline for since in pulse.pending_since),
        "consultations_today": pulse.consultations_today if fresh else 0,
        "aida_questions_today": pulse.aida_questions_today if fresh else 0,
        "conversations_waiting": pulse.conversations_waiting,
    }


def newest_day(now=None) -> date:
    """Rows are per satker-local day; the newest local day in Indonesia (WIT) ends a recent
    period, so "today" is in it for every satker whatever its zone."""
    return (now or timezone.now()).astimezone(NEWEST_ZONE).date()


def command_centre_rows(satkers, first: date | None = None, last: date | None = None, *, now=None) -> list[dict]:
    """One row per satker: live numbers (pulse), quota use this month and the results of the
    period (the last 30 days unless given)."""
    now = now or timezone.now()
    satkers = list(satkers.select_related("pulse", "parent"))
    last = last or newest_day(now)
    first = first or last - timedelta(days=29)
    totals = _period_totals([satker.pk for satker in satkers], first, last)
    ledgers = ledgers_of(satkers, month_of(now))
    rows = []
    for satker in satkers:
        period = totals.get(satker.pk) or {name: 0 for name in COUNTS}
        counts = {name: period.get(name) or 0 for name in COUNTS}
        ledger = ledgers.get(satker.pk)
        rows.append(
            {
                "code": satker.code,
                "name": satker.name,
                "kind": satker.kind,
                "status": satker.status,
                "province": (satker.parent or satker).code,
                **_live(satker, now),
                "quota_percent": ledger.tokens_percent if ledger else 0,
                **counts,
                **_derived(counts, None),
            }
        )
    return rows


LIVE = ["pending", "past_standard", "consultations_today", "aida_questions_today", "conversations_waiting"]


def province_rows(rows: list[dict]) -> list[dict]:
    """Satker rows added up per province: what a national admin sees first, one line per
    province, each leading to that province's satkers. Codes are the two-digit province prefix,
    so they never collide with a satker's own row."""
    by_province: dict[str, list[dict]] = {}
    for row in rows:
        by_province.setdefault(row["province"], []).append(row)
    totals = []
    for province, members in sorted(by_province.items()):
        counts = {name: sum(member[name] for member in members) for name in COUNTS}
        head = next((member for member in members if member["code"] == province), members[0])
        totals.append(
            {
                "code": province[:2],
                "name": head["name"] if head["code"] == province else province,
                "kind": "province_total",
                "status": "active",
                "province": province,
                "satkers": len(members),
                **{name: sum(member[name] for member in members) for name in LIVE},
                "quota_percent": round(sum(member["quota_percent"] for member in members) / len(members)),
                **counts,
                **_derived(counts, None),
            }
        )
    return totals


def rank(rows: list[dict], by: str) -> tuple[list[dict], list[dict]]:
    """Rows with a value for one of RANKINGS, best first, and the rows without one (no rating,
    no decision, no request in the period): a satker without data is not ranked at all."""
    key = RANKINGS.get(by, "ikm")
    ranked = sorted((row for row in rows if row[key]), key=lambda row: (-row[key], row["code"]))
    return ranked, sorted((row for row in rows if not row[key]), key=lambda row: row["code"])


# Periods up to a month are drawn day by day; longer ones week by week (a year of days made the
# national page 3x heavier and its p95 890 ms in bench/command_centre.py).
TREND_DAILY_UP_TO_DAYS = 31


def requests_trend(codes: list[str], first: date, last: date) -> tuple[dict[str, list[int]], int]:
    """Requests of each satker code from `first` to `last`, per day or, over a longer period,
    per week: the series and the days per point. One query, for the command centre's lines."""
    step = 1 if (last - first).days < TREND_DAILY_UP_TO_DAYS else 7
    points = (last - first).days // step + 1
    series = {code: [0] * points for code in codes}
    rows = SatkerDay.objects.filter(satker__code__in=codes, day__gte=first, day__lte=last)
    for code, day, requests in rows.values_list("satker__code", "day", "requests"):
        series[code][(day - first).days // step] += requests
    return series, step


def command_centre_group(province_code: str) -> str:
    """Sockets watching one province ("all" for national admins) join this group."""
    return group_name(PUBLIC_SCHEMA, "command-centre", province_code)


def announce_pulse(pulse: SatkerPulse) -> None:
    """Send a satker's fresh row to the command centres of its province and the nation."""
    from realtime.push import group_send

    satker = Satker.objects.select_related("parent").get(pk=pulse.satker_id)
    province = (satker.parent or satker).code
    rows = command_centre_rows(Satker.objects.exclude(schema_name=PUBLIC_SCHEMA).filter(code__startswith=province[:2]))
    message = {"type": "command_centre.row", "row": next(row for row in rows if row["code"] == satker.code)}
    group_send(command_centre_group(province), message)
    group_send(command_centre_group("all"), message)
    [total] = province_rows(rows)
    group_send(command_centre_group("all"), {"type": "command_centre.row", "row": total})


# --- Officers -----------------------------------------------------------------------------


def leaderboard(satkers, month: date, limit: int = 20) -> dict:
    """The month's officers of these satkers, best first, and the award winner if any.

    Highest score (insights.rollups.officer_score) first; ties go to the better mean rating,
    then more consultations completed, then the quicker median response. The winner is the
    first with at least AWARD_MIN_COMPLETED consultations. Sorted in SQL: a national month
    holds thousands of officers."""
    ranked = (
        OfficerMonth.objects.filter(satker__in=satkers, month=month)
        .select_related("satker")
        .annotate(mean_rating=Coalesce(Cast("rating_sum", FloatField()) / NullIf("ratings", 0), 0.0))
        .order_by(
            "-score", "-mean_rating", "-completed", F("median_response_minutes").asc(nulls_first=True), "officer_name"
        )
    )
    best = ranked.filter(completed__gte=AWARD_MIN_COMPLETED).first()
    return {"month": month, "rows": list(ranked[:limit]), "best": best}


def day_table(summary: dict) -> list[list]:
    """The period's days as rows for export, with the column names in the active language."""
    columns = [
        (_("Date"), lambda row: row.day.isoformat()),
        (_("Requests"), lambda row: row.requests),
        (_("New consumers"), lambda row: row.new_consumers),
        (_("Returning consumers"), lambda row: row.returning_consumers),
        (_("Approved"), lambda row: row.approved),
        (_("Declined"), lambda row: row.declined),
        (_("New time proposed"), lambda row: row.rescheduled),
        (_("Cancelled"), lambda row: row.cancelled),
        (_("Expired"), lambda row: row.expired),
        (_("Completed"), lambda row: row.completed),
        (_("No-show"), lambda row: row.no_shows),
        (_("Decisions"), lambda row: len(row.decision_minutes)),
        (_("Decided within the standard"), lambda row: row.decided_within_standard),
        (_("Median minutes to decision"), lambda row: _percentile(row.decision_minutes, 0.5)),
        (_("Ratings"), lambda row: row.ratings),
        (_("Mean rating"), lambda row: round(row.rating_sum / row.ratings, 2) if row.ratings else None),
        (_("IKM"), lambda row: _ikm(row.ratings, row.survey_total)[0]),
        (_("AIDA questions"), lambda row: row.aida_questions),
        (_("AIDA answers found helpful"), lambda row: row.aida_helpful),
        (_("AIDA answers rated"), lambda row: row.aida_rated),
        (_("Handoffs to an officer"), lambda row: row.aida_handoffs),
        (_("AIDA tokens"), lambda row: row.aida_tokens),
        (_("Conversations"), lambda row: row.conversations),
        (_("Conversations on WhatsApp"), lambda row: row.conversations_whatsapp),
        (_("Conversations answered"), lambda row: row.conversation_first_replies),
        (_("Answered within the reply standard"), lambda row: row.conversation_replied_within_standard),
        (_("Median minutes to the first reply"), lambda row: _percentile(row.first_reply_minutes, 0.5)),
        (_("Conversations closed"), lambda row: row.conversations_resolved),
        (_("Median minutes to close"), lambda row: _percentile(row.resolution_minutes, 0.5)),
    ]
    return [[name for name, _value in columns]] + [[value(row) for _name, value in columns] for row in summary["days"]]
