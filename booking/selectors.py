"""Reads of booking data. Who may see a consultation is decided here and only here."""

from collections import defaultdict
from datetime import date
from statistics import mean

from django.db.models import Case, F, IntegerField, Prefetch, QuerySet, Value, When
from django.http import Http404

from booking.models import SURVEY_ELEMENTS, BookingSettings, Consultation, ExpertiseTag, Feedback, OfficerProfile, Status
from core.models import Role


def active_tags() -> QuerySet[ExpertiseTag]:
    return ExpertiseTag.objects.filter(is_active=True)


def officer_directory(expertise_slug: str | None = None) -> QuerySet[OfficerProfile]:
    officers = (OfficerProfile.objects.filter(is_active=True, user__is_active=True)
                .select_related("user").prefetch_related(Prefetch("expertise", queryset=active_tags())))
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
        default=Value(2), output_field=IntegerField(),
    )
    return (visible_consultations(user)
            .filter(status__in=[Status.REQUESTED, Status.RESCHEDULE_PROPOSED, Status.APPROVED])
            .annotate(queue=pending_first)
            .order_by("queue", Case(When(status=Status.REQUESTED, then=F("created_at")), default=F("starts_at"))))


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
