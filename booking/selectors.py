"""Reads of booking data. Who may see a consultation is decided here and only here."""

import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

from django.db.models import Avg, Case, Count, F, IntegerField, Min, Prefetch, QuerySet, Sum, Value, When
from django.http import Http404

from booking.models import (
    SURVEY_ELEMENTS,
    Action,
    BookingSettings,
    Consultation,
    ConsultationEvent,
    ExpertiseTag,
    Feedback,
    NoShowParty,
    OfficerProfile,
    Status,
)
from core.models import Role
from core.queries import local_days


def active_tags() -> QuerySet[ExpertiseTag]:
    return ExpertiseTag.objects.filter(is_active=True)


def time_before_proposal(consultation: Consultation) -> datetime | None:
    """While a new time is proposed, the time it would replace (each event records the start
    time it left the consultation with)."""
    if consultation.status != Status.RESCHEDULE_PROPOSED:
        return None
    events = list(consultation.events.order_by("-created_at", "-id").values_list("action", "starts_at")[:2])
    if len(events) < 2 or events[0][0] != Action.PROPOSE_RESCHEDULE:
        return None
    return events[1][1]


def staffed_tags() -> QuerySet[ExpertiseTag]:
    """Active expertise that at least one active officer covers: what can be booked."""
    return active_tags().filter(officers__is_active=True, officers__user__is_active=True).distinct()


def expertise_for(text: str) -> ExpertiseTag | None:
    """The bookable expertise a question is about: the one whose name and keywords ("miskin,
    garis kemiskinan, gini") share the most words or phrases with it; None when none does."""
    words = set(re.findall(r"[a-z0-9]+", text.lower()))
    padded = f" {' '.join(re.findall(r'[a-z0-9]+', text.lower()))} "

    def overlap(tag) -> int:
        terms = [
            term.strip() for term in f"{tag.name},{tag.name_en},{tag.keywords}".lower().replace("&", ",").split(",")
        ]
        return sum(f" {term} " in padded if " " in term else term in words for term in terms if term)

    scored = [(overlap(tag), -tag.sort_order, tag) for tag in staffed_tags()]
    best = max(scored, key=lambda item: item[:2], default=None)
    return best[2] if best and best[0] else None


def officer_directory(expertise_slug: str | None = None) -> QuerySet[OfficerProfile]:
    """Bookable officers with their expertise and their consumers' mean rating (`rating_mean`,
    `ratings`)."""
    officers = (
        OfficerProfile.objects.filter(is_active=True, user__is_active=True)
        .select_related("user")
        .prefetch_related(Prefetch("expertise", queryset=active_tags()))
        .annotate(rating_mean=Avg("consultations__feedback__rating"), ratings=Count("consultations__feedback"))
    )
    if expertise_slug:
        officers = officers.filter(expertise__slug=expertise_slug, expertise__is_active=True)
    return officers


def visible_consultations(user) -> QuerySet[Consultation]:
    """Consumers see their own; officers those assigned to them (all, if the satker admin allows);
    satker admins all of the satker's."""
    consultations = Consultation.objects.select_related("consumer", "officer__user", "expertise")
    if not user.is_authenticated:
        return consultations.none()
    if user.role == Role.SATKER_ADMIN:
        return consultations
    if user.role == Role.OFFICER:
        return consultations if BookingSettings.current().officers_see_all else consultations.filter(officer__user=user)
    if user.role == Role.CONSUMER:
        return consultations.filter(consumer=user)
    return consultations.none()


def last_request_of(consumer) -> Consultation | None:
    """The consumer's latest request, whose purpose and category a quick booking repeats."""
    return Consultation.objects.filter(consumer=consumer).order_by("-created_at").first()


def consultation_for(user, pk) -> Consultation:
    """The consultation if `user` may see it; 404 otherwise (never revealing that it exists)."""
    consultation = visible_consultations(user).filter(pk=pk).first()
    if consultation is None:
        raise Http404
    return consultation


def inbox(user) -> QuerySet[Consultation]:
    """Pending first (oldest request first), then upcoming approved consultations."""
    pending_first = Case(
        When(status=Status.REQUESTED, then=Value(0)),
        When(status=Status.RESCHEDULE_PROPOSED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        visible_consultations(user)
        .filter(status__in=[Status.REQUESTED, Status.RESCHEDULE_PROPOSED, Status.APPROVED])
        .annotate(queue=pending_first)
        .order_by("queue", Case(When(status=Status.REQUESTED, then=F("created_at")), default=F("starts_at")))
    )


# --- Satisfaction (IKM, Permenpan RB 14/2017) -------------------------------------------


def ikm_grade(ikm: float) -> str:
    if ikm >= 88.31:
        return "A"
    if ikm >= 76.61:
        return "B"
    if ikm >= 65.00:
        return "C"
    return "D"


def ikm_of(survey_total: int, responses: int) -> float:
    """IKM = mean of the nine element means × 25 (Permenpan RB 14/2017). Every response answers
    all nine, so that is the total of all answers over 9 × responses: rollups keep only the total."""
    return survey_total / (len(SURVEY_ELEMENTS) * responses) * 25


def _index(rows: list[dict]) -> dict:
    element_means = [mean(row[name] for row in rows) for name, _label in SURVEY_ELEMENTS]
    ikm = ikm_of(sum(row[name] for row in rows for name, _label in SURVEY_ELEMENTS), len(rows))
    return {
        "responses": len(rows),
        "element_means": {name: round(value, 3) for (name, _label), value in zip(SURVEY_ELEMENTS, element_means)},
        "ikm": round(ikm, 2),
        "grade": ikm_grade(ikm),
        "rating_mean": round(mean(row["rating"] for row in rows), 2),
    }


def satisfaction_index(year: int) -> dict:
    """IKM per month and per quarter of `year`, by the date the survey was answered."""
    fields = ["rating", "created_at"] + [name for name, _label in SURVEY_ELEMENTS]
    rows = Feedback.objects.filter(created_at__year=year).values(*fields)
    by_month, by_quarter = defaultdict(list), defaultdict(list)
    for row in rows:
        answered: date = row["created_at"].date()
        by_month[answered.month].append(row)
        by_quarter[(answered.month - 1) // 3 + 1].append(row)
    return {
        "year": year,
        "months": {month: _index(rows) for month, rows in sorted(by_month.items())},
        "quarters": {quarter: _index(rows) for quarter, rows in sorted(by_quarter.items())},
        "year_total": _index(list(rows)) if rows else None,
    }


# --- Activity, for reports (insights.rollups) ---------------------------------------------


def decision_standard() -> timedelta:
    """How long a request may wait for the officer's decision (the satker's service standard)."""
    return timedelta(hours=BookingSettings.current().decision_standard_hours)


def day_activity(start: datetime, end: datetime) -> dict:
    """What the booking service did between `start` and `end`: the counts a day's rollup keeps.
    Decision waits are returned as timedeltas, for the caller's service standard."""
    created = Consultation.objects.filter(created_at__gte=start, created_at__lt=end)
    firsts = list(
        Consultation.objects.filter(consumer__in=created.values("consumer"))
        .values("consumer")
        .annotate(first=Min("created_at"))
        .values_list("first", flat=True)
    )
    actions = dict(
        ConsultationEvent.objects.filter(created_at__gte=start, created_at__lt=end)
        .values_list("action")
        .annotate(n=Count("id"))
    )
    survey = [name for name, _label in SURVEY_ELEMENTS]
    feedback = Feedback.objects.filter(created_at__gte=start, created_at__lt=end).aggregate(
        ratings=Count("id"), rating_sum=Sum("rating"), **{name: Sum(name) for name in survey}
    )
    return {
        "requests": created.count(),
        "new_consumers": sum(first >= start for first in firsts),
        "returning_consumers": sum(first < start for first in firsts),
        "purposes": dict(created.values_list("purpose").annotate(n=Count("id"))),
        "categories": dict(created.values_list("consumer_category").annotate(n=Count("id"))),
        "approved": actions.get(Action.APPROVE, 0) + actions.get(Action.ACCEPT_RESCHEDULE, 0),
        "declined": actions.get(Action.DECLINE, 0),
        "rescheduled": actions.get(Action.PROPOSE_RESCHEDULE, 0),
        "cancelled": actions.get(Action.CANCEL, 0) + actions.get(Action.DECLINE_RESCHEDULE, 0),
        "expired": actions.get(Action.EXPIRE, 0),
        "completed": actions.get(Action.COMPLETE, 0),
        "no_shows": actions.get(Action.NO_SHOW, 0),
        "decision_waits": [
            decided - requested
            for requested, decided in Consultation.objects.filter(
                decided_at__gte=start, decided_at__lt=end
            ).values_list("created_at", "decided_at")
        ],
        "ratings": feedback["ratings"],
        "rating_sum": feedback["rating_sum"] or 0,
        "survey_sums": {name: feedback[name] for name in survey} if feedback["ratings"] else {},
        "survey_total": sum(feedback[name] or 0 for name in survey),
    }


def officer_month_activity(start: datetime, end: datetime) -> dict[int, dict]:
    """Per officer profile: consultations completed and missed, ratings, and decision waits."""
    in_period = {"created_at__gte": start, "created_at__lt": end}
    completed = dict(
        ConsultationEvent.objects.filter(action=Action.COMPLETE, **in_period)
        .values_list("consultation__officer")
        .annotate(n=Count("id"))
    )
    no_shows = dict(
        ConsultationEvent.objects.filter(
            action=Action.NO_SHOW, **in_period, consultation__no_show_party=NoShowParty.OFFICER
        )
        .values_list("consultation__officer")
        .annotate(n=Count("id"))
    )
    waits: dict[int, list] = {}
    for officer_id, requested, decided in Consultation.objects.filter(
        decided_at__gte=start, decided_at__lt=end
    ).values_list("officer", "created_at", "decided_at"):
        waits.setdefault(officer_id, []).append(decided - requested)
    ratings = {
        row["consultation__officer"]: row
        for row in Feedback.objects.filter(**in_period)
        .values("consultation__officer")
        .annotate(n=Count("id"), total=Sum("rating"))
    }
    activity = {}
    for profile in OfficerProfile.objects.select_related("user"):
        rated = ratings.get(profile.pk, {"n": 0, "total": 0})
        activity[profile.pk] = {
            "user_id": profile.user_id,
            "name": profile.user.full_name,
            "completed": completed.get(profile.pk, 0),
            "no_shows": no_shows.get(profile.pk, 0),
            "ratings": rated["n"],
            "rating_sum": rated["total"],
            "decision_waits": waits.get(profile.pk, []),
        }
    return activity


def service_now(start: datetime, end: datetime) -> dict:
    """The booking side of a satker right now: requests waiting for a decision (when each came
    in), the decision standard, and consultations held between `start` and `end`."""
    return {
        "pending_since": list(
            Consultation.objects.filter(status=Status.REQUESTED)
            .order_by("created_at")
            .values_list("created_at", flat=True)
        ),
        "decision_standard_hours": BookingSettings.current().decision_standard_hours,
        "consultations_today": Consultation.objects.filter(
            starts_at__gte=start,
            starts_at__lt=end,
            status__in=[Status.APPROVED, Status.COMPLETED, Status.RATED, Status.NO_SHOW],
        ).count(),
    }


def activity_days(zone: ZoneInfo) -> set[date]:
    """Every local day on which something a report counts happened in booking."""
    sources = [
        (Consultation, "created_at"),
        (Consultation, "decided_at"),
        (ConsultationEvent, "created_at"),
        (Feedback, "created_at"),
    ]
    return local_days(sources, zone)
