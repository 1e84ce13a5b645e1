"""Every transition of a consultation, allowed and refused, with its audit event."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from booking import services
from booking.models import Consultation, ConsultationEvent, Status
from booking.services import TRANSITIONS, TransitionNotAllowed, consultation_changed
from core.models import Role
from tests.booking.conftest import at, make_officer, next_weekday, request
from tests.conftest import create_user

ALL_STATES = [state for state in Status]


@pytest.fixture
def booked(satker_a, officer_a, consumer_a):
    day = next_weekday(satker_a.timezone)
    return request(satker_a, consumer_a, officer_a, at(satker_a, day, 8))


def move_to_past(consultation):
    """As if the consultation's time had come: shift it two hours before now."""
    starts = timezone.now() - timedelta(hours=2)
    Consultation.objects.filter(pk=consultation.pk).update(
        starts_at=starts, ends_at=starts + timedelta(hours=1), held_until=starts + timedelta(hours=1, minutes=15)
    )


def events(consultation):
    return list(
        ConsultationEvent.objects.filter(consultation=consultation).values_list(
            "action", "from_status", "to_status", "actor__email", "reason"
        )
    )


def in_state(satker, booked, officer_user, consumer, state):
    """Drive `booked` into `state` through the services themselves."""
    pk = booked.pk
    if state == Status.REQUESTED:
        pass
    elif state == Status.APPROVED:
        services.approve(pk, officer_user)
    elif state == Status.RESCHEDULE_PROPOSED:
        services.propose_reschedule(
            pk, officer_user, starts_at=booked.starts_at + timedelta(minutes=75), reason="Rapat"
        )
    elif state == Status.DECLINED:
        services.decline(pk, officer_user, reason="Data belum rilis")
    elif state == Status.CANCELLED:
        services.cancel(pk, consumer, reason="Berhalangan")
    elif state == Status.EXPIRED:
        move_to_past(booked)
        services.expire_stale_requests()
    elif state in (Status.COMPLETED, Status.RATED, Status.NO_SHOW):
        services.approve(pk, officer_user)
        move_to_past(booked)
        if state == Status.NO_SHOW:
            services.mark_no_show(pk, officer_user, party="consumer")
        else:
            services.complete(pk, officer_user)
        if state == Status.RATED:
            services.rate(pk, consumer, rating=5, survey={name: 4 for name in SURVEY})
    return Consultation.objects.get(pk=pk)


SURVEY = [
    "u1_requirements",
    "u2_procedure",
    "u3_completion_time",
    "u4_cost",
    "u5_product",
    "u6_competence",
    "u7_behaviour",
    "u8_complaints",
    "u9_facilities",
]


def run_action(name, pk, officer_user, consumer, booked):
    later = booked.starts_at + timedelta(minutes=75 * 2)
    calls = {
        "approve": lambda: services.approve(pk, officer_user, meeting_link="https://meet.example/abc"),
        "decline": lambda: services.decline(pk, officer_user, reason="Bukan kewenangan BPS"),
        "propose_reschedule": lambda: services.propose_reschedule(
            pk, officer_user, starts_at=later, reason="Dinas luar"
        ),
        "accept_reschedule": lambda: services.accept_reschedule(pk, consumer),
        "decline_reschedule": lambda: services.decline_reschedule(pk, consumer, reason="Tidak bisa"),
        "cancel": lambda: services.cancel(pk, consumer, reason="Sudah dapat datanya"),
        "complete": lambda: services.complete(pk, officer_user),
        "no_show": lambda: services.mark_no_show(pk, officer_user, party="consumer"),
        "rate": lambda: services.rate(pk, consumer, rating=4, comment="Jelas", survey={name: 3 for name in SURVEY}),
        "expire": lambda: services._transition(pk, "expire", None),
    }
    return calls[name]()


@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_every_action_from_every_state(satker_a, officer_a, consumer_a, booked, state, action):
    with schema_context(satker_a.schema_name):
        consultation = in_state(satker_a, booked, officer_a.user, consumer_a, state)
        if state in (Status.COMPLETED, Status.NO_SHOW, Status.APPROVED) and action in ("complete", "no_show"):
            move_to_past(consultation)
        history = events(consultation)
        allowed = state in TRANSITIONS[action].from_states
        if allowed:
            run_action(action, consultation.pk, officer_a.user, consumer_a, consultation)
            consultation.refresh_from_db()
            assert consultation.status == TRANSITIONS[action].to_state
            new_events = events(consultation)[len(history) :]
            assert len(new_events) == 1
            name, from_status, to_status, _actor, _reason = new_events[0]
            assert (name, from_status, to_status) == (action, state, TRANSITIONS[action].to_state)
        else:
            with pytest.raises(TransitionNotAllowed):
                run_action(action, consultation.pk, officer_a.user, consumer_a, consultation)
            consultation.refresh_from_db()
            assert consultation.status == state
            assert events(consultation) == history


def test_request_records_the_first_event_and_holds_the_slot(satker_a, officer_a, consumer_a, booked):
    with schema_context(satker_a.schema_name):
        assert booked.status == Status.REQUESTED
        assert events(booked) == [("request", "", "requested", "andi@example.com", "")]
        assert booked.held_until - booked.ends_at == timedelta(minutes=15)


def test_approve_generates_an_unguessable_meeting_room_when_no_link_is_given(satker_a, officer_a, consumer_a, booked):
    with schema_context(satker_a.schema_name):
        first = services.approve(booked.pk, officer_a.user)
    second_booking = request(satker_a, consumer_a, officer_a, booked.starts_at + timedelta(minutes=75))
    with schema_context(satker_a.schema_name):
        second = services.approve(second_booking.pk, officer_a.user)
    prefix = "https://meet.jit.si/halopst-sidoarjokab-"
    assert first.meeting_link.startswith(prefix) and second.meeting_link.startswith(prefix)
    assert len(first.meeting_link.removeprefix(prefix)) >= 24 and first.meeting_link != second.meeting_link


def test_reasons_are_required_where_the_life_cycle_says_so(satker_a, officer_a, consumer_a, booked):
    with schema_context(satker_a.schema_name):
        for call in (
            lambda: services.decline(booked.pk, officer_a.user, reason="  "),
            lambda: services.cancel(booked.pk, consumer_a, reason=""),
        ):
            with pytest.raises(ValidationError):
                call()
        assert Consultation.objects.get(pk=booked.pk).status == Status.REQUESTED


def test_only_the_right_people_may_act(satker_a, officer_a, consumer_a, booked):
    other_officer = make_officer(satker_a, "bagus@a.example")
    other_consumer = create_user(satker_a, "lain@example.com")
    admin = create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN)
    with schema_context(satker_a.schema_name):
        with pytest.raises(PermissionDenied):
            services.approve(booked.pk, other_officer.user)
        with pytest.raises(PermissionDenied):
            services.cancel(booked.pk, other_consumer, reason="iseng")
        with pytest.raises(PermissionDenied):
            services.approve(booked.pk, consumer_a)  # a consumer cannot approve their own request
        assert Consultation.objects.get(pk=booked.pk).status == Status.REQUESTED
        services.approve(booked.pk, admin)  # the satker admin may act for an officer
        assert events(booked)[-1][3] == "admin@a.example"


def test_reschedule_moves_the_hold_and_raises_the_calendar_sequence(satker_a, officer_a, consumer_a, booked):
    later = booked.starts_at + timedelta(minutes=150)
    with schema_context(satker_a.schema_name):
        moved = services.propose_reschedule(booked.pk, officer_a.user, starts_at=later, reason="Rapat pimpinan")
        assert (moved.starts_at, moved.calendar_sequence) == (later, 1)
        accepted = services.accept_reschedule(booked.pk, consumer_a)
        assert accepted.status == Status.APPROVED and accepted.meeting_link
    # The old time is free again for someone else.
    other = create_user(satker_a, "lain@example.com")
    assert request(satker_a, other, officer_a, booked.starts_at).status == Status.REQUESTED


def test_a_subscriber_of_consultation_changed_writes_inside_the_transaction(satker_a, officer_a, consumer_a, booked):
    seen = []

    def subscriber(sender, consultation, event, **kwargs):
        from django.db import connection

        seen.append((event.action, event.to_status, connection.in_atomic_block))
        if event.action == "decline":
            raise RuntimeError("the outbox failed")

    consultation_changed.connect(subscriber)
    try:
        with schema_context(satker_a.schema_name):
            services.approve(booked.pk, officer_a.user)
            assert seen == [("approve", "approved", True)]
            other = request(satker_a, consumer_a, officer_a, booked.starts_at + timedelta(minutes=75))
            with pytest.raises(RuntimeError):
                services.decline(other.pk, officer_a.user, reason="x")
            # The subscriber failed, so the decline did not happen either.
            assert Consultation.objects.get(pk=other.pk).status == Status.REQUESTED
    finally:
        consultation_changed.disconnect(subscriber)


def test_feedback_is_kept_on_its_scales(satker_a, officer_a, consumer_a, booked):
    with schema_context(satker_a.schema_name):
        consultation = in_state(satker_a, booked, officer_a.user, consumer_a, Status.COMPLETED)
        with pytest.raises(ValidationError):
            services.rate(consultation.pk, consumer_a, rating=6, survey={name: 4 for name in SURVEY})
        with pytest.raises(ValidationError):
            services.rate(consultation.pk, consumer_a, rating=5, survey={**{name: 4 for name in SURVEY}, "u4_cost": 5})
        assert Consultation.objects.get(pk=consultation.pk).status == Status.COMPLETED
        feedback = services.rate(consultation.pk, consumer_a, rating=5, survey={name: 4 for name in SURVEY})
        assert (feedback.rating_scale_max, feedback.survey_scale_max) == (5, 4)
