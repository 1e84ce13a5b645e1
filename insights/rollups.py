"""Daily statistics of every satker, kept in the public schema for cross-satker pages.

A row is never incremented. Something happening in a satker (a request, a decision, a rating,
an AIDA answer, a conversation's start, first reply or close) asks for its local day to be
*recomputed* from the satker's own rows, by a Celery task after commit (`request_refresh`). So a lost or repeated task costs nothing that
the next refresh, the five-minute beat or `manage.py rebuild_rollups` does not put right, and
the incremental rows equal a full recomputation by construction, which a test checks.

Everything here except `request_refresh` runs inside the satker's schema (the task carries
it); the rows it writes are filtered by that satker, so nothing of another satker is read.
"""

import logging
from datetime import date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from redis.exceptions import RedisError

from aida import selectors as aida_selectors
from booking import selectors as booking_selectors
from conversations import selectors as conversation_selectors
from core.tenancy import current_satker
from insights.models import OfficerMonth, SatkerDay, SatkerMonth, SatkerPulse, ServiceCounts

logger = logging.getLogger(__name__)
DEBOUNCE_SECONDS = 30
# The columns a period adds up: on SatkerDay and, summed per month, on SatkerMonth.
COUNTS = [field.name for field in ServiceCounts._meta.fields]


def debounce_key(schema_name: str, day: date) -> str:
    return f"rollup:pending:{schema_name}:{day.isoformat()}"


def local_day(instant: datetime | None = None) -> date:
    return (instant or timezone.now()).astimezone(ZoneInfo(current_satker().timezone)).date()


def request_refresh(instant: datetime | None = None) -> None:
    """Recompute the local day of `instant` (default: now) once the transaction commits.

    Many events of one day in a burst send one task: the first sets a short-lived key, the
    task clears it before it reads, so an event that lands while it runs sends another.
    """
    from core.tasking import enqueue_after_commit
    from insights.tasks import refresh_rollups

    day = local_day(instant)
    try:
        first = cache.add(debounce_key(connection.schema_name, day), 1, DEBOUNCE_SECONDS)
    except RedisError:
        # Redis (cache and broker) is down: the event itself must not fail for a statistic;
        # the five-minute beat refresh (or rebuild_rollups for a past day) catches up.
        logger.warning("rollup refresh of %s not queued: Redis is unreachable", day)
        return
    if first:
        enqueue_after_commit(refresh_rollups, day.isoformat())


def _bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def _minutes(wait: timedelta) -> int:
    return max(0, round(wait.total_seconds() / 60))


def compute_day(day: date) -> dict:
    """The statistics of one local day, read from this satker's rows through the apps' selectors."""
    start, end = _bounds(day, ZoneInfo(current_satker().timezone))
    values = booking_selectors.day_activity(start, end)
    standard = booking_selectors.decision_standard()
    waits = values.pop("decision_waits")
    values["decision_minutes"] = sorted(_minutes(wait) for wait in waits)
    values["decided_within_standard"] = sum(wait <= standard for wait in waits)
    return values | aida_selectors.assistant_activity(start, end) | conversation_selectors.day_activity(start, end)


def _is_empty(values: dict) -> bool:
    return not any(values.values())


@transaction.atomic
def refresh_day(day: date) -> None:
    """Write (or remove, when nothing happened) this satker's row for `day`, and its officers' month."""
    satker = current_satker()
    values = compute_day(day)
    if _is_empty(values):
        SatkerDay.objects.filter(satker=satker, day=day).delete()
    else:
        SatkerDay.objects.update_or_create(satker=satker, day=day, defaults=values)
    refresh_satker_month(day.replace(day=1))
    refresh_officer_month(day.replace(day=1))


def refresh_satker_month(month: date) -> None:
    satker = current_satker()
    end = (month + timedelta(days=32)).replace(day=1)
    sums = SatkerDay.objects.filter(satker=satker, day__gte=month, day__lt=end).aggregate(
        days=Count("id"), **{name: Sum(name) for name in COUNTS}
    )
    if not sums.pop("days"):
        SatkerMonth.objects.filter(satker=satker, month=month).delete()
    else:
        SatkerMonth.objects.update_or_create(satker=satker, month=month, defaults=sums)


# --- Officers ----------------------------------------------------------------------------

# The "best officer" score, explained on the leaderboard page. Points for serving people well
# and promptly; a missed consultation costs what a completed one earns.
SCORE_COMPLETED = 10
SCORE_PER_STAR_ABOVE_THREE = 2
SCORE_DECIDED_WITHIN_STANDARD = 5
SCORE_REVIEW = 3
SCORE_NO_SHOW = -10
SCORE_REPLIED_WITHIN_STANDARD = 2
# Who can win the month: enough consultations that the score is not luck.
AWARD_MIN_COMPLETED = 3
SCORE_RULES = [
    (_("each consultation completed"), SCORE_COMPLETED),
    (_("each star above 3 in a rating (a 1-star rating costs 4)"), SCORE_PER_STAR_ABOVE_THREE),
    (_("each request decided within the service standard"), SCORE_DECIDED_WITHIN_STANDARD),
    (_("each AIDA answer reviewed"), SCORE_REVIEW),
    (_("each consultation the officer missed"), SCORE_NO_SHOW),
    (_("each written conversation answered first within the reply standard"), SCORE_REPLIED_WITHIN_STANDARD),
]


def officer_score(
    *,
    completed: int,
    ratings: int,
    rating_sum: int,
    decided_within_standard: int,
    reviews: int,
    no_shows: int,
    conversations_replied_within_standard: int,
) -> int:
    return (
        SCORE_COMPLETED * completed
        + SCORE_PER_STAR_ABOVE_THREE * (rating_sum - 3 * ratings)
        + SCORE_DECIDED_WITHIN_STANDARD * decided_within_standard
        + SCORE_REVIEW * reviews
        + SCORE_NO_SHOW * no_shows
        + SCORE_REPLIED_WITHIN_STANDARD * conversations_replied_within_standard
    )


def compute_officer_month(month: date) -> list[dict]:
    zone = ZoneInfo(current_satker().timezone)
    start = datetime.combine(month, time.min, tzinfo=zone)
    end = datetime.combine((month + timedelta(days=32)).replace(day=1), time.min, tzinfo=zone)
    standard = booking_selectors.decision_standard()
    reviews = aida_selectors.reviews_by_reviewer(start, end)
    written = conversation_selectors.officer_month_activity(start, end)
    rows = []
    for officer_id, activity in booking_selectors.officer_month_activity(start, end).items():
        waits = activity["decision_waits"]
        conversations = written.get(
            officer_id, {"first_reply_minutes": [], "resolved": 0, "replied_within_standard": 0}
        )
        replies = conversations["first_reply_minutes"]
        counts = {
            "completed": activity["completed"],
            "ratings": activity["ratings"],
            "rating_sum": activity["rating_sum"],
            "decided_within_standard": sum(wait <= standard for wait in waits),
            "reviews": reviews.get(activity["user_id"], 0),
            "no_shows": activity["no_shows"],
            "conversations_replied_within_standard": conversations["replied_within_standard"],
        }
        if not any(counts.values()) and not waits and not replies and not conversations["resolved"]:
            continue
        rows.append(
            {
                "officer_id": officer_id,
                "officer_name": activity["name"],
                "decisions": len(waits),
                "median_response_minutes": _minutes(median(waits)) if waits else None,
                "conversations_answered": len(replies),
                "median_first_reply_minutes": round(median(replies)) if replies else None,
                "conversations_resolved": conversations["resolved"],
                "score": officer_score(**counts),
                **counts,
            }
        )
    return rows


def refresh_officer_month(month: date) -> None:
    satker = current_satker()
    rows = compute_officer_month(month)
    OfficerMonth.objects.filter(satker=satker, month=month).exclude(
        officer_id__in=[row["officer_id"] for row in rows]
    ).delete()
    for row in rows:
        OfficerMonth.objects.update_or_create(
            satker=satker, month=month, officer_id=row.pop("officer_id"), defaults=row
        )


# --- Now ---------------------------------------------------------------------------------


def refresh_pulse() -> SatkerPulse:
    """The command centre's live numbers for this satker."""
    satker = current_satker()
    today = local_day()
    start, end = _bounds(today, ZoneInfo(satker.timezone))
    pulse, _created = SatkerPulse.objects.update_or_create(
        satker=satker,
        defaults={
            **booking_selectors.service_now(start, end),
            "local_day": today,
            "aida_questions_today": aida_selectors.questions_between(start, end),
            "conversations_waiting": conversation_selectors.waiting_now(),
            "refreshed_at": timezone.now(),
        },
    )
    return pulse


# --- Rebuild -----------------------------------------------------------------------------


def active_days() -> set[date]:
    """Every local day on which something that a rollup counts happened in this satker."""
    zone = ZoneInfo(current_satker().timezone)
    return (
        booking_selectors.activity_days(zone)
        | aida_selectors.activity_days(zone)
        | conversation_selectors.activity_days(zone)
    )


@transaction.atomic
def rebuild() -> int:
    """Recompute every row of this satker from its source data; returns the days written."""
    satker = current_satker()
    days = active_days()
    SatkerDay.objects.filter(satker=satker).delete()
    SatkerMonth.objects.filter(satker=satker).delete()
    OfficerMonth.objects.filter(satker=satker).delete()
    written = 0
    for day in sorted(days):
        values = compute_day(day)
        if not _is_empty(values):
            SatkerDay.objects.create(satker=satker, day=day, **values)
            written += 1
    for month in sorted({day.replace(day=1) for day in days}):
        refresh_satker_month(month)
        refresh_officer_month(month)
    refresh_pulse()
    return written
