"""Rollups: kept up to date by the satkers' own events, equal to a recomputation from the
source rows, rebuilt by a command, and cut along each satker's own calendar days."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.utils import timezone
from django_tenants.utils import schema_context

from aida import services as aida
from aida.models import Conversation, Message
from booking import services
from booking.models import SURVEY_ELEMENTS, Consultation, Feedback
from insights import rollups
from insights.models import OfficerMonth, SatkerDay, SatkerPulse
from tests.booking.conftest import at, make_officer, next_weekday, on_duty_now, request
from tests.booking.test_lifecycle import move_to_past
from tests.conftest import create_user

pytestmark = pytest.mark.timeout(120)
SURVEY = {name: 4 for name, _label in SURVEY_ELEMENTS} | {"u4_cost": 3}


def snapshot(satker) -> dict:
    """Every rollup row of a satker, as plain values."""

    def rows(model, order):
        return [
            {key: value for key, value in model_to_dict(row).items() if key not in ("id", "satker")}
            for row in model.objects.filter(satker=satker).order_by(*order)
        ]

    pulse = (
        SatkerPulse.objects.filter(satker=satker)
        .values("pending_since", "consultations_today", "aida_questions_today", "local_day")
        .first()
    )
    return {"days": rows(SatkerDay, ["day"]), "officers": rows(OfficerMonth, ["month", "officer_id"]), "pulse": pulse}


def busy_day(satker):
    """A day of service in `satker`, every step through its services."""
    officer = make_officer(
        satker, "rina@uji.example", full_name="Rina", hours=[(d, "08:00", "17:00") for d in range(7)]
    )
    reviewer = make_officer(
        satker, "budi@uji.example", full_name="Budi", hours=[(d, "08:00", "17:00") for d in range(7)]
    )
    first = create_user(satker, "andi@example.com", full_name="Andi")
    second = create_user(satker, "sari@example.com", full_name="Sari")
    day = next_weekday(satker.timezone)
    with schema_context(satker.schema_name):
        done = request(satker, first, officer, at(satker, day, 8), purpose="research", consumer_category="researcher")
        declined = request(satker, second, officer, at(satker, day, 10, 30))
        waiting = request(satker, second, reviewer, at(satker, day, 13))
        services.approve(done.pk, officer.user)
        services.decline(declined.pk, officer.user, reason="Data belum rilis")
        move_to_past(done)
        services.complete(done.pk, officer.user)
        services.rate(done.pk, first, rating=5, survey=SURVEY)
        conversation = Conversation.objects.create(user=first)
        Message.objects.create(conversation=conversation, role=Message.Role.USER, text="Berapa garis kemiskinan?")
        answer = Message.objects.create(
            conversation=conversation, role=Message.Role.ASSISTANT, text="…", total_tokens=120
        )
        aida.mark_helpful(answer, True)
        aida.record_handoff(answer)
        aida.review_answer(answer, reviewer.user, verdict="correct")
    return officer, reviewer, waiting


def test_rollups_follow_events_and_equal_a_full_recomputation(make_satker, eager_celery):
    satker = make_satker()
    officer, reviewer, waiting = busy_day(satker)
    with schema_context(satker.schema_name):
        today = rollups.local_day()
        # The oracle: counted here straight from the source rows, not through insights.rollups.
        consultations = list(Consultation.objects.all())
        feedback = Feedback.objects.get()
        waited = [c.decided_at - c.created_at for c in consultations if c.decided_at]

    live = snapshot(satker)
    [row] = live["days"]
    assert row["day"] == today
    assert (row["requests"], row["new_consumers"], row["returning_consumers"]) == (3, 2, 0)
    assert row["purposes"] == {"research": 1, "study": 2}
    assert row["categories"] == {"researcher": 1, "student": 2}
    assert (row["approved"], row["declined"], row["completed"], row["no_shows"]) == (1, 1, 1, 0)
    assert len(row["decision_minutes"]) == len(waited) == 2 and row["decided_within_standard"] == 2
    assert (row["ratings"], row["rating_sum"]) == (1, feedback.rating)
    assert row["survey_sums"] == SURVEY
    assert (
        row["aida_questions"],
        row["aida_rated"],
        row["aida_helpful"],
        row["aida_handoffs"],
        row["aida_tokens"],
    ) == (1, 1, 1, 1, 120)
    by_officer = {officer_row["officer_name"]: officer_row for officer_row in live["officers"]}
    assert by_officer["Rina"]["completed"] == 1 and by_officer["Rina"]["decisions"] == 2
    assert (
        by_officer["Rina"]["score"]
        == rollups.officer_score(
            completed=1,
            ratings=1,
            rating_sum=5,
            decided_within_standard=2,
            reviews=0,
            no_shows=0,
            conversations_replied_within_standard=0,
        )
        == 24
    )
    assert by_officer["Budi"]["reviews"] == 1 and by_officer["Budi"]["score"] == 3
    assert live["pulse"]["pending_since"] == [waiting.created_at]
    assert live["pulse"]["aida_questions_today"] == 1

    call_command("rebuild_rollups", satker.subdomain)
    assert snapshot(satker) == live

    # A rebuild also drops rows whose source is gone, and rewrites what was tampered with.
    SatkerDay.objects.filter(satker=satker).update(requests=99)
    SatkerDay.objects.create(satker=satker, day=today - timedelta(days=40), requests=7)
    call_command("rebuild_rollups", satker.subdomain)
    assert snapshot(satker) == live


def test_days_are_the_satkers_own_local_days(make_satker):
    """In a WIT satker (UTC+9), 16:30 UTC is already the next day."""
    satker = make_satker(timezone="Asia/Jayapura")
    officer = make_officer(satker, "rina@uji.example", hours=[(d, "08:00", "17:00") for d in range(7)])
    consumer = create_user(satker, "andi@example.com")
    with schema_context(satker.schema_name):
        booked = request(satker, consumer, officer, at(satker, next_weekday(satker.timezone), 8))
        utc_evening = datetime.combine(
            timezone.now().date() - timedelta(days=3), datetime.min.time(), ZoneInfo("UTC")
        ).replace(hour=16, minute=30)
        Consultation.objects.filter(pk=booked.pk).update(created_at=utc_evening)
        booked.events.update(created_at=utc_evening)
        rollups.rebuild()
    assert list(SatkerDay.objects.filter(satker=satker).values_list("day", "requests")) == [
        (utc_evening.date() + timedelta(days=1), 1)
    ]


def test_a_refresh_sends_one_task_per_day_in_a_burst(make_satker):
    """Without a worker, the first event of the day queues the task; the next ones only find it queued."""
    satker = make_satker()
    from django.core.cache import cache

    with schema_context(satker.schema_name):
        key = rollups.debounce_key(satker.schema_name, rollups.local_day())
        assert cache.get(key) is None
        rollups.request_refresh()
        assert cache.get(key) == 1
        assert cache.add(key, 1) is False


def test_period_sums_from_months_and_edge_days_equal_the_days_summed(satker_a):
    """_period_totals reads whole months from SatkerMonth: the same as adding up every day."""
    from datetime import date

    from django.db.models import Sum

    from insights.reports import _period_totals
    from insights.rollups import COUNTS

    start = date(2026, 1, 20)
    for offset in range(80):  # 20 January to 9 April
        SatkerDay.objects.create(
            satker=satker_a,
            day=start + timedelta(days=offset),
            requests=offset + 1,
            completed=offset % 3,
            aida_tokens=1000 * offset,
        )
    with schema_context(satker_a.schema_name):
        for month in (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)):
            rollups.refresh_satker_month(month)
    for first, last in [
        (date(2026, 1, 25), date(2026, 4, 5)),
        (date(2026, 2, 1), date(2026, 3, 31)),
        (date(2026, 2, 3), date(2026, 2, 20)),
        (date(2026, 1, 1), date(2026, 12, 31)),
        (date(2026, 3, 31), date(2026, 4, 1)),
    ]:
        expected = SatkerDay.objects.filter(satker=satker_a, day__gte=first, day__lte=last).aggregate(
            **{name: Sum(name) for name in COUNTS}
        )
        got = _period_totals([satker_a.pk], first, last)[satker_a.pk]
        assert {name: got[name] for name in COUNTS} == {name: expected[name] or 0 for name in COUNTS}, (first, last)


def test_written_conversations_count_with_their_first_reply_and_close_times(make_satker, eager_celery):
    """A question answered and closed 45 minutes after it reached the officers,
    one still waiting, one a bot handles on WhatsApp and a booked consultation's thread (not
    counted: its "response" would time a page view) — on the day row, the officer's month, the
    command centre and the dashboard, and equal to a rebuild."""
    from conversations import services as conversations
    from conversations.models import Channel, Contact, ConversationEvent, State
    from conversations.models import Conversation as Thread
    from insights import reports

    satker = make_satker()
    rina = make_officer(satker, "rina@uji.example", full_name="Rina", hours=[(d, "08:00", "17:00") for d in range(7)])
    on_duty_now(satker, rina)
    andi = create_user(satker, "andi@example.com", full_name="Andi")
    sari = create_user(satker, "sari@example.com", full_name="Sari")
    with schema_context(satker.schema_name):
        from conversations.models import ConversationSettings

        ConversationSettings.objects.update_or_create(
            id=1, defaults={"open_per_officer": 1, "reply_standard_minutes": 60}
        )
        answered = conversations.start_conversation(consumer=andi, subject="Garis kemiskinan", body="Untuk skripsi.")
        waiting = conversations.start_conversation(consumer=sari, subject="Inflasi", body="Bulanan 2024?")
        assert (answered.assignee, waiting.state) == (rina, State.WAITING)  # Rina is at the cap of one
        now = timezone.now()
        ConversationEvent.objects.filter(conversation=answered).update(created_at=now - timedelta(minutes=45))
        conversations.write(answered.pk, rina.user, body="Tabelnya terlampir.")
        conversations.close(answered.pk, rina.user)
        contact = Contact.objects.create(wa_user_id="ID.1", wa_id="6281200000001", profile_name="Dewi")
        Thread.objects.create(
            channel=Channel.WHATSAPP,
            contact=contact,
            subject="WA",
            state=State.BOT,
            last_message_at=now,
            last_consumer_message_at=now,
        )
        done = request(satker, andi, rina, at(satker, next_weekday(satker.timezone), 8))
        conversations.consultation_thread(done, rina.user)
        conversations.write(Thread.objects.get(consultation=done).pk, rina.user, body="Sampai jumpa besok.")
        today = rollups.local_day()

    live = snapshot(satker)
    [row] = live["days"]
    assert (row["conversations"], row["conversations_whatsapp"]) == (3, 1)
    assert (row["conversation_first_replies"], row["first_reply_minutes"]) == (1, [45])
    assert (row["conversation_replied_within_standard"], row["conversation_first_reply_minutes_total"]) == (1, 45)
    assert (row["conversations_resolved"], row["resolution_minutes"]) == (1, [45])
    [month] = live["officers"]
    assert (month["officer_name"], month["conversations_answered"], month["median_first_reply_minutes"]) == (
        "Rina",
        1,
        45,
    )
    assert month["conversations_resolved"] == 1 and month["score"] == rollups.SCORE_REPLIED_WITHIN_STANDARD
    assert SatkerPulse.objects.get(satker=satker).conversations_waiting == 1

    summary = reports.satker_summary(satker, today, today)
    assert (summary["first_reply_p50_minutes"], summary["replied_within_standard_percent"]) == (45, 100.0)
    [centre] = reports.command_centre_rows(type(satker).objects.filter(pk=satker.pk), today, today)
    assert (centre["conversations"], centre["first_reply_mean_minutes"], centre["conversations_waiting"]) == (3, 45, 1)
    assert centre["resolution_mean_minutes"] == 45

    call_command("rebuild_rollups", satker.subdomain)
    assert snapshot(satker) == live
