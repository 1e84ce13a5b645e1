"""Every change to consultations and officers' availability. One transaction each.

A consultation changes state only through `_transition`, which locks the row, checks the
move is allowed from the current state and for this actor, writes the change and its audit
event, and sends `consultation_changed` inside the transaction, so a subscriber's writes
(the notification outbox) commit or roll back with it.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from operator import itemgetter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.availability import Slot, free_slots
from booking.models import (
    HOLDING_STATUSES,
    MAX_RANGES_PER_DAY,
    Action,
    BookingSettings,
    ClosedDay,
    Consultation,
    ConsultationEvent,
    DateOverride,
    ExpertiseTag,
    Feedback,
    Mode,
    NoShowParty,
    OfficerLeave,
    OfficerProfile,
    Status,
    WeeklyHours,
)
from booking.notifications import notify_of_event
from core.audit import record
from core.errors import Conflict
from core.models import Role, User
from core.tenancy import current_satker
from core.text import unique_slug

# Sent inside the transaction of every state change (sender=Consultation, consultation, event),
# after the notifications are written. For the apps above booking that keep derived rows
# (insights' rollups); booking's own reactions are explicit calls.
consultation_changed = Signal()
# Sent inside the transaction that changes an officer's or a tag's public face (sender=
# OfficerProfile): the portal's directory copies it.
public_profile_changed = Signal()


class SlotTaken(Conflict):
    """The time was taken by someone else a moment ago (the database refused the overlap)."""


class TransitionNotAllowed(Conflict):
    """The consultation is not in a state that allows this action (answered with 409)."""


@dataclass(frozen=True)
class Transition:
    name: Action
    from_states: tuple[str, ...]
    to_state: str
    by_officer: bool
    by_consumer: bool
    needs_reason: bool = False


TRANSITIONS = {
    transition.name: transition
    for transition in [
        Transition(Action.APPROVE, (Status.REQUESTED,), Status.APPROVED, by_officer=True, by_consumer=False),
        Transition(
            Action.DECLINE,
            (Status.REQUESTED, Status.RESCHEDULE_PROPOSED),
            Status.DECLINED,
            True,
            False,
            needs_reason=True,
        ),
        Transition(
            Action.PROPOSE_RESCHEDULE,
            (Status.REQUESTED, Status.APPROVED),
            Status.RESCHEDULE_PROPOSED,
            True,
            False,
            needs_reason=True,
        ),
        Transition(Action.ACCEPT_RESCHEDULE, (Status.RESCHEDULE_PROPOSED,), Status.APPROVED, False, True),
        Transition(
            Action.DECLINE_RESCHEDULE, (Status.RESCHEDULE_PROPOSED,), Status.CANCELLED, False, True, needs_reason=True
        ),
        Transition(
            Action.CANCEL,
            (Status.REQUESTED, Status.APPROVED, Status.RESCHEDULE_PROPOSED),
            Status.CANCELLED,
            True,
            True,
            needs_reason=True,
        ),
        Transition(Action.COMPLETE, (Status.APPROVED,), Status.COMPLETED, True, False),
        Transition(Action.NO_SHOW, (Status.APPROVED,), Status.NO_SHOW, True, False),
        Transition(Action.RATE, (Status.COMPLETED,), Status.RATED, False, True),
        Transition(Action.EXPIRE, (Status.REQUESTED, Status.RESCHEDULE_PROPOSED), Status.EXPIRED, False, False),
    ]
}


def _local_zone() -> ZoneInfo:
    return ZoneInfo(current_satker().timezone)


def generate_meeting_link() -> str:
    """A room on the configured (self-hostable) Jitsi server whose name cannot be guessed."""
    base = settings.HALOPST_JITSI_BASE_URL.rstrip("/")
    return f"{base}/halopst-{connection.schema_name}-{secrets.token_urlsafe(18)}"


def _held_until(ends_at: datetime) -> datetime:
    return ends_at + timedelta(minutes=BookingSettings.current().buffer_minutes)


def _save_holding(consultation: Consultation, fields: list[str] | None = None) -> None:
    """Save (all, or the given fields of) a consultation that holds officer time; the database
    refusing a concurrent overlap surfaces as SlotTaken."""
    try:
        with transaction.atomic():
            consultation.save(update_fields=None if fields is None else fields + ["updated_at"])
    except IntegrityError as error:
        if "consultation_no_double_booking" in str(error):
            raise SlotTaken(_("This time was just taken. Please choose another slot.")) from None
        raise


def _check_slot(
    officer: OfficerProfile, starts_at: datetime, now: datetime, ignore: Consultation | None = None
) -> Slot:
    """The slot starting at `starts_at` if the officer offers it (ignoring `ignore`'s own hold)."""
    zone = _local_zone()
    day = starts_at.astimezone(zone).date()
    slots = free_slots(
        [officer], zone=zone, now=now, first=day, last=day, exclude_consultation=ignore.pk if ignore else None
    )[officer.pk]
    for slot in slots:
        if slot.starts_at == starts_at:
            return slot
    taken = Consultation.objects.filter(
        officer=officer,
        status__in=HOLDING_STATUSES,
        starts_at__lt=starts_at + timedelta(minutes=1),
        held_until__gt=starts_at,
    )
    if ignore is not None:
        taken = taken.exclude(pk=ignore.pk)
    if taken.exists():
        raise SlotTaken(_("This time was just taken. Please choose another slot."))
    raise ValidationError({"starts_at": _("This officer does not offer a consultation at that time.")})


def pick_officer_for(expertise: ExpertiseTag, starts_at: datetime, now: datetime) -> OfficerProfile:
    """ "Any officer with this expertise": of those free at that time, the one holding the fewest
    consultations from now on (ties: the one who has waited longest since their last request)."""
    candidates = list(
        OfficerProfile.objects.filter(expertise=expertise, is_active=True, user__is_active=True)
        .annotate(
            load=Count(
                "consultations", filter=Q(consultations__status__in=HOLDING_STATUSES, consultations__starts_at__gte=now)
            )
        )
        .order_by("load", "pk")
    )
    zone = _local_zone()
    day = starts_at.astimezone(zone).date()
    slots = free_slots(candidates, zone=zone, now=now, first=day, last=day)
    for officer in candidates:
        if any(slot.starts_at == starts_at for slot in slots[officer.pk]):
            return officer
    raise SlotTaken(_("No officer with this expertise is free at that time any more. Please choose another slot."))


@transaction.atomic
def request_consultation(
    *,
    consumer: User,
    starts_at: datetime,
    topic: str,
    data_need: str,
    purpose: str,
    consumer_category: str,
    mode: str = Mode.ONLINE,
    officer: OfficerProfile | None = None,
    expertise: ExpertiseTag | None = None,
) -> Consultation:
    """A consumer asks for a consultation; the slot is held from this moment."""
    if consumer.role != Role.CONSUMER:
        raise PermissionDenied(_("Only consumers can request consultations."))
    if (officer is None) == (expertise is None):
        raise ValidationError(_("Choose an officer, or an expertise for any officer."))
    now = timezone.now()
    if officer is None:
        officer = pick_officer_for(expertise, starts_at, now)
    elif not officer.is_active:
        raise ValidationError({"officer": _("This officer is not accepting consultations.")})
    # One request per officer at a time, so the daily cap cannot be passed by two at once; the
    # exclusion constraint guards the overlap whatever the path.
    OfficerProfile.objects.select_for_update().filter(pk=officer.pk).first()
    slot = _check_slot(officer, starts_at, now)
    consultation = Consultation(
        consumer=consumer,
        officer=officer,
        expertise=expertise,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        held_until=_held_until(slot.ends_at),
        mode=mode,
        topic=topic.strip(),
        data_need=data_need.strip(),
        purpose=purpose,
        consumer_category=consumer_category,
    )
    consultation.full_clean(exclude=["held_until", "consumer", "officer", "expertise"], validate_constraints=False)
    _save_holding(consultation)
    _record(consultation, Action.REQUEST, consumer, "", Status.REQUESTED)
    return consultation


def _record(consultation, action, actor, from_status, to_status, reason=""):
    event = ConsultationEvent.objects.create(
        consultation=consultation,
        action=action,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        starts_at=consultation.starts_at,
    )
    notify_of_event(consultation, event)
    consultation_changed.send(sender=Consultation, consultation=consultation, event=event)
    return event


def may(consultation: Consultation, action: Action) -> bool:
    """Whether the consultation's state allows `action` now (who may do it is checked when done)."""
    return consultation.status in TRANSITIONS[action].from_states


def _is_officer_side(consultation: Consultation, user: User) -> bool:
    return user.role == Role.SATKER_ADMIN or (user.role == Role.OFFICER and consultation.officer.user_id == user.pk)


def _transition(
    consultation_id: int, action_name: str, actor: User | None, *, reason: str = "", change=None
) -> Consultation:
    action = TRANSITIONS[action_name]
    consultation = Consultation.objects.select_for_update().select_related("officer").get(pk=consultation_id)
    if actor is not None:
        allowed = (action.by_officer and _is_officer_side(consultation, actor)) or (
            action.by_consumer and consultation.consumer_id == actor.pk
        )
        if not allowed:
            raise PermissionDenied(_("You may not do this to this consultation."))
    if consultation.status not in action.from_states:
        raise TransitionNotAllowed(
            _(
                "This consultation is now %(status)s, so that step is no longer possible. Reload the "
                "page to see what you can do with it now."
            )
            % {"status": consultation.get_status_display().lower()}
        )
    reason = reason.strip()
    if action.needs_reason and not reason:
        raise ValidationError({"reason": _("Please give a reason.")})
    from_status = consultation.status
    consultation.status = action.to_state
    consultation.reason = reason or consultation.reason
    fields = ["status", "reason"]
    if change is not None:
        fields += change(consultation)
    _save_holding(consultation, fields)
    _record(consultation, action_name, actor, from_status, action.to_state, reason)
    return consultation


@transaction.atomic
def approve(
    consultation_id: int, officer_user: User, *, meeting_link: str = "", starts_at: datetime | None = None
) -> Consultation:
    """Approve with a meeting link (pasted, or generated when left empty for online
    consultations), optionally at another free time of the same officer."""

    def change(consultation):
        fields = ["meeting_link", "decided_at"]
        if starts_at is not None and starts_at != consultation.starts_at:
            slot = _check_slot(consultation.officer, starts_at, timezone.now(), ignore=consultation)
            consultation.starts_at, consultation.ends_at = slot.starts_at, slot.ends_at
            consultation.held_until = _held_until(slot.ends_at)
            consultation.calendar_sequence += 1
            fields += ["starts_at", "ends_at", "held_until", "calendar_sequence"]
        link = meeting_link.strip()
        if not link and consultation.mode == Mode.ONLINE:
            link = generate_meeting_link()
        consultation.meeting_link = link
        consultation.decided_at = consultation.decided_at or timezone.now()
        return fields

    return _transition(consultation_id, Action.APPROVE, officer_user, change=change)


@transaction.atomic
def decline(consultation_id: int, officer_user: User, *, reason: str) -> Consultation:
    def change(consultation):
        consultation.decided_at = consultation.decided_at or timezone.now()
        return ["decided_at"]

    return _transition(consultation_id, Action.DECLINE, officer_user, reason=reason, change=change)


@transaction.atomic
def propose_reschedule(consultation_id: int, officer_user: User, *, starts_at: datetime, reason: str) -> Consultation:
    """Move the hold to a new free time of the same officer; the consumer accepts or declines."""

    def change(consultation):
        slot = _check_slot(consultation.officer, starts_at, timezone.now(), ignore=consultation)
        consultation.starts_at, consultation.ends_at = slot.starts_at, slot.ends_at
        consultation.held_until = _held_until(slot.ends_at)
        consultation.calendar_sequence += 1
        consultation.decided_at = consultation.decided_at or timezone.now()
        return ["starts_at", "ends_at", "held_until", "calendar_sequence", "decided_at"]

    return _transition(consultation_id, Action.PROPOSE_RESCHEDULE, officer_user, reason=reason, change=change)


@transaction.atomic
def accept_reschedule(consultation_id: int, consumer: User) -> Consultation:
    def change(consultation):
        if not consultation.meeting_link and consultation.mode == Mode.ONLINE:
            consultation.meeting_link = generate_meeting_link()
        return ["meeting_link"]

    return _transition(consultation_id, Action.ACCEPT_RESCHEDULE, consumer, change=change)


@transaction.atomic
def decline_reschedule(consultation_id: int, consumer: User, *, reason: str) -> Consultation:
    def change(consultation):
        consultation.calendar_sequence += 1
        return ["calendar_sequence"]

    return _transition(consultation_id, Action.DECLINE_RESCHEDULE, consumer, reason=reason, change=change)


@transaction.atomic
def cancel(consultation_id: int, user: User, *, reason: str) -> Consultation:
    def change(consultation):
        consultation.calendar_sequence += 1
        return ["calendar_sequence"]

    return _transition(consultation_id, Action.CANCEL, user, reason=reason, change=change)


def _after_start(consultation):
    if consultation.starts_at > timezone.now():
        raise TransitionNotAllowed(_("This can only be recorded once the consultation has started."))
    return []


@transaction.atomic
def complete(consultation_id: int, officer_user: User) -> Consultation:
    return _transition(consultation_id, Action.COMPLETE, officer_user, change=_after_start)


@transaction.atomic
def mark_no_show(consultation_id: int, officer_user: User, *, party: str, reason: str = "") -> Consultation:
    def change(consultation):
        _after_start(consultation)
        consultation.no_show_party = NoShowParty(party)
        return ["no_show_party"]

    return _transition(consultation_id, Action.NO_SHOW, officer_user, reason=reason, change=change)


@transaction.atomic
def rate(consultation_id: int, consumer: User, *, rating: int, comment: str = "", survey: dict[str, int]) -> Feedback:
    """The consumer's rating and SKM survey, once the consultation is completed."""
    consultation = _transition(consultation_id, Action.RATE, consumer)
    feedback = Feedback(consultation=consultation, rating=rating, comment=comment.strip(), **survey)
    feedback.full_clean(exclude=["consultation"])
    feedback.save()
    return feedback


@transaction.atomic
def expire_stale_requests() -> int:
    """Requests nobody decided before their start expire (run per satker by beat)."""
    stale = Consultation.objects.filter(
        status__in=[Status.REQUESTED, Status.RESCHEDULE_PROPOSED], starts_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    for pk in stale:
        _transition(pk, Action.EXPIRE, None)
    return len(stale)


# --- Officers and availability (satker admins) ----------------------------------------


@transaction.atomic
def save_officer_profile(
    user: User,
    *,
    bio: str = "",
    languages: str = "Bahasa Indonesia",
    is_active: bool = True,
    expertise: list[ExpertiseTag] = (),
    photo=None,
    actor=None,
) -> OfficerProfile:
    if user.role != Role.OFFICER:
        raise ValidationError(_("Only officers have an officer profile."))
    profile, _created = OfficerProfile.objects.get_or_create(user=user)
    profile.bio, profile.languages, profile.is_active = bio, languages, is_active
    if photo is not None:
        profile.photo.save(photo.name, photo, save=False)
    profile.save()
    profile.expertise.set(expertise)
    record(
        actor,
        "officer.profile",
        user.email,
        is_active=is_active,
        expertise=[tag.slug for tag in expertise],
        photo=photo,
    )
    public_profile_changed.send(sender=OfficerProfile)
    return profile


@transaction.atomic
def save_expertise_tag(
    tag: ExpertiseTag | None, *, name: str, name_en: str = "", keywords: str = "", is_active: bool = True, actor=None
) -> ExpertiseTag:
    """Add a tag (tag=None) or rename / (de)activate one. Tags are never deleted: past
    consultations keep pointing at them."""
    tag = tag or ExpertiseTag(slug=unique_slug(ExpertiseTag, name, fallback="keahlian", max_length=40))
    tag.name, tag.name_en, tag.keywords, tag.is_active = name.strip(), name_en.strip(), keywords.strip(), is_active
    tag.full_clean()
    tag.save()
    record(actor, "expertise.save", tag.slug, name=tag.name, name_en=tag.name_en, is_active=is_active)
    public_profile_changed.send(sender=OfficerProfile)
    return tag


@transaction.atomic
def save_expertise_tags(rows: list[dict], *, actor=None) -> None:
    """The expertise page's changed rows together: each a tag (None to add one) and its fields."""
    for row in rows:
        fields = {name: value for name, value in row.items() if name != "tag"}
        save_expertise_tag(row["tag"], actor=actor, **fields)


@transaction.atomic
def set_weekly_hours(officer: OfficerProfile, hours: list[tuple[int, str, str]], *, actor=None) -> None:
    """Replace the officer's weekly hours with (weekday, "HH:MM", "HH:MM") ranges. A day's
    ranges each end after they start, number at most MAX_RANGES_PER_DAY (the hours editor's
    rows) and do not overlap; a refusal names the day (on the `weekly_hours` field)."""
    as_time = WeeklyHours._meta.get_field("start_time").to_python
    day_names = dict(WeeklyHours._meta.get_field("weekday").choices)
    ranges = sorted((day, as_time(start), as_time(end)) for day, start, end in hours)
    problems = []
    for day, of_day in groupby(ranges, key=itemgetter(0)):
        spans = [(start, end) for _day, start, end in of_day]
        name = {"day": day_names.get(day, day)}
        if any(start >= end for start, end in spans):
            problems.append(_("%(day)s: “until” must be later than “from”.") % name)
        elif len(spans) > MAX_RANGES_PER_DAY:
            problems.append(_("%(day)s: at most two ranges of hours.") % name)
        elif any(earlier[1] > later[0] for earlier, later in zip(spans, spans[1:])):
            problems.append(_("%(day)s: the two ranges overlap.") % name)
    if problems:
        raise ValidationError({"weekly_hours": problems})
    officer.weekly_hours.all().delete()
    rows = [WeeklyHours(officer=officer, weekday=day, start_time=start, end_time=end) for day, start, end in ranges]
    for row in rows:
        row.full_clean(exclude=["officer"])
    WeeklyHours.objects.bulk_create(rows)
    record(actor, "officer.hours", officer.user.email, hours=[f"{day} {start}-{end}" for day, start, end in hours])


@transaction.atomic
def add_date_override(officer: OfficerProfile, *, date, start_time=None, end_time=None, actor=None) -> DateOverride:
    override = DateOverride(officer=officer, date=date, start_time=start_time, end_time=end_time)
    override.full_clean(exclude=["officer"])
    override.save()
    record(
        actor,
        "officer.date_override",
        officer.user.email,
        date=str(date),
        start_time=str(start_time or ""),
        end_time=str(end_time or ""),
    )
    return override


@transaction.atomic
def add_closed_day(*, date, name: str, actor=None) -> ClosedDay:
    closed = ClosedDay(date=date, name=name)
    closed.full_clean()
    closed.save()
    record(actor, "booking.closed_day", str(date), name=name)
    return closed


@transaction.atomic
def add_leave(officer: OfficerProfile, *, start_date, end_date, reason: str = "", actor=None) -> OfficerLeave:
    leave = OfficerLeave(officer=officer, start_date=start_date, end_date=end_date, reason=reason)
    leave.full_clean(exclude=["officer"])
    leave.save()
    record(actor, "officer.leave", officer.user.email, start_date=str(start_date), end_date=str(end_date))
    return leave


@transaction.atomic
def update_booking_settings(*, actor=None, **values) -> BookingSettings:
    rules = BookingSettings.current()
    for name, value in values.items():
        setattr(rules, name, value)
    rules.full_clean()
    rules.save()
    record(actor, "booking.rules", "", **values)
    return rules
