"""Daily statistics of every satker, kept in the public schema for cross-satker pages.

A row is never incremented. Something happening in a satker (a request, a decision, a rating,
an AIDA answer) asks for its local day to be *recomputed* from the satker's own rows, by a
Celery task after commit (`request_refresh`). So a lost or repeated task costs nothing that
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
from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from redis.exceptions import RedisError

from tenants.models import OfficerMonth, SatkerDay, SatkerMonth, SatkerPulse, ServiceCounts
from tenants.selectors import current_satker

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
    from tenants.tasks import refresh_rollups
    from core.tasking import enqueue_after_commit

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
    """The statistics of one local day, read from this satker's rows."""
    from aida.models import Message
    from booking.models import BookingSettings, Consultation, ConsultationEvent, Feedback, SURVEY_ELEMENTS

    start, end = _bounds(day, ZoneInfo(current_satker().timezone))
    created = Consultation.objects.filter(created_at__gte=start, created_at__lt=end)
    consumers = list(Consultation.objects.filter(consumer__in=created.values("consumer"))
                     .values("consumer").annotate(first=Min("created_at")).values_list("first", flat=True))
    actions = dict(ConsultationEvent.objects.filter(created_at__gte=start, created_at__lt=end)
                   .values_list("action").annotate(n=Count("id")))
    standard = timedelta(hours=BookingSettings.current().decision_standard_hours)
    waits = [decided - requested for requested, decided in
             Consultation.objects.filter(decided_at__gte=start, decided_at__lt=end).values_list("created_at", "decided_at")]
    survey = [name for name, _label in SURVEY_ELEMENTS]
    feedback = Feedback.objects.filter(created_at__gte=start, created_at__lt=end).aggregate(
        ratings=Count("id"), rating_sum=Sum("rating"), **{name: Sum(name) for name in survey})
    answers = Message.objects.filter(role=Message.Role.ASSISTANT, created_at__gte=start, created_at__lt=end).aggregate(
        rated=Count("id", filter=Q(helpful__isnull=False)), helpful=Count("id", filter=Q(helpful=True)),
        tokens=Sum("total_tokens"))
    return {
        "requests": created.count(),
        "new_consumers": sum(first >= start for first in consumers),
        "returning_consumers": sum(first < start for first in consumers),
        "purposes": dict(created.values_list("purpose").annotate(n=Count("id"))),
        "categories": dict(created.values_list("consumer_category").annotate(n=Count("id"))),
        "approved": actions.get("approve", 0) + actions.get("accept_reschedule", 0),
        "declined": actions.get("decline", 0),
        "rescheduled": actions.get("propose_reschedule", 0),
        "cancelled": actions.get("cancel", 0) + actions.get("decline_reschedule", 0),
        "expired": actions.get("expire", 0),
        "completed": actions.get("complete", 0),
        "no_shows": actions.get("no_show", 0),
        "decision_minutes": sorted(_minutes(wait) for wait in waits),
        "decided_within_standard": sum(wait <= standard for wait in waits),
        "ratings": feedback["ratings"],
        "rating_sum": feedback["rating_sum"] or 0,
        "survey_sums": {name: feedback[name] for name in survey} if feedback["ratings"] else {},
        "survey_total": sum(feedback[name] or 0 for name in survey),
        "aida_questions": Message.objects.filter(role=Message.Role.USER, created_at__gte=start, created_at__lt=end).count(),
        "aida_rated": answers["rated"],
        "aida_helpful": answers["helpful"],
        "aida_handoffs": Message.objects.filter(handed_off_at__gte=start, handed_off_at__lt=end).count(),
        "aida_tokens": answers["tokens"] or 0,
    }


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
        days=Count("id"), **{name: Sum(name) for name in COUNTS})
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
# Who can win the month: enough consultations that the score is not luck.
AWARD_MIN_COMPLETED = 3
SCORE_RULES = [
    (_("each consultation completed"), SCORE_COMPLETED),
    (_("each star above 3 in a rating (a 1-star rating costs 4)"), SCORE_PER_STAR_ABOVE_THREE),
    (_("each request decided within the service standard"), SCORE_DECIDED_WITHIN_STANDARD),
    (_("each AIDA answer reviewed"), SCORE_REVIEW),
    (_("each consultation the officer missed"), SCORE_NO_SHOW),
]


def officer_score(*, completed: int, ratings: int, rating_sum: int, decided_within_standard: int, reviews: int,
                  no_shows: int) -> int:
    return (SCORE_COMPLETED * completed + SCORE_PER_STAR_ABOVE_THREE * (rating_sum - 3 * ratings)
            + SCORE_DECIDED_WITHIN_STANDARD * decided_within_standard + SCORE_REVIEW * reviews
            + SCORE_NO_SHOW * no_shows)


def compute_officer_month(month: date) -> list[dict]:
    from aida.models import AnswerReview
    from booking.models import BookingSettings, Consultation, ConsultationEvent, Feedback, NoShowParty, OfficerProfile

    zone = ZoneInfo(current_satker().timezone)
    start = datetime.combine(month, time.min, tzinfo=zone)
    end = datetime.combine((month + timedelta(days=32)).replace(day=1), time.min, tzinfo=zone)
    standard = timedelta(hours=BookingSettings.current().decision_standard_hours)
    in_month = {"created_at__gte": start, "created_at__lt": end}
    completed = dict(ConsultationEvent.objects.filter(action="complete", **in_month)
                     .values_list("consultation__officer").annotate(n=Count("id")))
    no_shows = dict(ConsultationEvent.objects.filter(action="no_show", consultation__no_show_party=NoShowParty.OFFICER,
                                                     **in_month).values_list("consultation__officer").annotate(n=Count("id")))
    waits: dict[int, list[timedelta]] = {}
    for officer_id, requested, decided in Consultation.objects.filter(decided_at__gte=start, decided_at__lt=end) \
            .values_list("officer", "created_at", "decided_at"):
        waits.setdefault(officer_id, []).append(decided - requested)
    ratings = {row["consultation__officer"]: row for row in Feedback.objects.filter(**in_month)
               .values("consultation__officer").annotate(n=Count("id"), total=Sum("rating"))}
    reviews = dict(AnswerReview.objects.filter(**in_month).values_list("reviewer").annotate(n=Count("id")))
    rows = []
    for profile in OfficerProfile.objects.select_related("user"):
        officer_waits = waits.get(profile.pk, [])
        rated = ratings.get(profile.pk, {"n": 0, "total": 0})
        counts = {
            "completed": completed.get(profile.pk, 0), "ratings": rated["n"], "rating_sum": rated["total"],
            "decided_within_standard": sum(wait <= standard for wait in officer_waits),
            "reviews": reviews.get(profile.user_id, 0), "no_shows": no_shows.get(profile.pk, 0),
        }
        if not any(counts.values()) and not officer_waits:
            continue
        rows.append({
            "officer_id": profile.pk, "officer_name": profile.user.full_name, "decisions": len(officer_waits),
            "median_response_minutes": _minutes(median(officer_waits)) if officer_waits else None,
            "score": officer_score(**counts), **counts,
        })
    return rows


def refresh_officer_month(month: date) -> None:
    satker = current_satker()
    rows = compute_officer_month(month)
    OfficerMonth.objects.filter(satker=satker, month=month).exclude(officer_id__in=[row["officer_id"] for row in rows]).delete()
    for row in rows:
        OfficerMonth.objects.update_or_create(satker=satker, month=month, officer_id=row.pop("officer_id"), defaults=row)


# --- Now ---------------------------------------------------------------------------------

def refresh_pulse() -> SatkerPulse:
    """The command centre's live numbers for this satker."""
    from aida.models import Message
    from booking.models import BookingSettings, Consultation, Status

    satker = current_satker()
    today = local_day()
    start, end = _bounds(today, ZoneInfo(satker.timezone))
    pulse, _created = SatkerPulse.objects.update_or_create(satker=satker, defaults={
        "pending_since": list(Consultation.objects.filter(status=Status.REQUESTED).order_by("created_at")
                              .values_list("created_at", flat=True)),
        "decision_standard_hours": BookingSettings.current().decision_standard_hours,
        "local_day": today,
        "consultations_today": Consultation.objects.filter(
            starts_at__gte=start, starts_at__lt=end,
            status__in=[Status.APPROVED, Status.COMPLETED, Status.RATED, Status.NO_SHOW]).count(),
        "aida_questions_today": Message.objects.filter(role=Message.Role.USER, created_at__gte=start, created_at__lt=end).count(),
        "refreshed_at": timezone.now(),
    })
    return pulse


# --- Rebuild -----------------------------------------------------------------------------

def active_days() -> set[date]:
    """Every local day on which something that a rollup counts happened in this satker."""
    from aida.models import AnswerReview, Message
    from booking.models import Consultation, ConsultationEvent, Feedback

    zone = ZoneInfo(current_satker().timezone)
    sources = [(Consultation, "created_at"), (Consultation, "decided_at"), (ConsultationEvent, "created_at"),
               (Feedback, "created_at"), (Message, "created_at"), (Message, "handed_off_at"), (AnswerReview, "created_at")]
    days = set()
    for model, column in sources:
        days.update(model.objects.filter(**{f"{column}__isnull": False}).annotate(day=TruncDate(column, tzinfo=zone))
                    .values_list("day", flat=True).distinct())
    return days


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
