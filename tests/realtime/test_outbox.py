"""The outbox: notifications and deliveries commit with the event; delivery through the real
SDKs against the fakes, with retries, permanent failures and the attempt log."""

import json
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django_tenants.utils import schema_context

from booking import services as booking
from core.models import Role
from core.text import normalise_whatsapp_number
from realtime import services
from realtime.models import AttemptOutcome, Delivery, DeliveryStatus, Notification
from tests.booking.conftest import at, make_officer, next_weekday, request
from tests.conftest import client_for, create_user


@pytest.fixture
def people(satker_a):
    officer = make_officer(satker_a, "rina@a.example", full_name="Rina", whatsapp="081211112222")
    consumer = create_user(satker_a, "andi@example.com", full_name="Andi", whatsapp="+6281333334444")
    return officer, consumer


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("081234567890", "6281234567890"),
        ("+62 812-3456-7890", "6281234567890"),
        ("6281234567890", "6281234567890"),
        ("021555123", None),
        ("", None),
        ("+1 650 555 0100", None),
    ],
)
def test_whatsapp_numbers_become_e164_digits(given, expected):
    assert normalise_whatsapp_number(given) == expected


def test_booking_events_notify_the_other_side_in_the_same_transaction(
    satker_a, people, fakes, django_capture_on_commit_callbacks
):
    officer, consumer = people
    monday = next_weekday(satker_a.timezone, 0)
    with django_capture_on_commit_callbacks() as callbacks:
        booked = request(satker_a, consumer, officer, at(satker_a, monday, 8))
    with schema_context(satker_a.schema_name):
        to_officer = Notification.objects.get(recipient=officer.user)
        assert to_officer.kind == "consultation_requested" and "Andi" in to_officer.body
        assert sorted(to_officer.deliveries.values_list("channel", "address")) == [
            ("email", "rina@a.example"),
            ("whatsapp", "6281211112222"),
        ]
        assert not Notification.objects.filter(recipient=consumer).exists()
    # Two deliveries queued, one socket push and one statistics refresh, all only after commit.
    assert len(callbacks) == 4

    with schema_context(satker_a.schema_name):
        booking.approve(booked.pk, officer.user, meeting_link="https://meet.example.org/x")
        approved = Notification.objects.get(recipient=consumer)
        assert approved.kind == "consultation_approved" and "https://meet.example.org/x" in approved.body
        assert approved.attachment_name.endswith(".ics") and "BEGIN:VCALENDAR" in approved.attachment_text
        booking.cancel(booked.pk, consumer, reason="Berhalangan")
        assert Notification.objects.filter(recipient=officer.user, kind="consultation_cancelled").exists()


def test_a_rolled_back_event_leaves_no_notification(satker_a, people):
    officer, consumer = people
    with schema_context(satker_a.schema_name):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.notify(consumer, "rating_requested", {"topic": "x"})
            raise RuntimeError("the event failed")
        assert not Notification.objects.exists() and not Delivery.objects.exists()


def test_users_choose_their_channels(satker_a, people, fakes):
    _officer, consumer = people
    client_settings = {"full_name": "Andi", "whatsapp": "", "language": "en", "notify_by_email": ""}
    from tests.conftest import client_for

    assert client_for(satker_a, consumer).post("/akun/profil/", client_settings).status_code == 302
    consumer.refresh_from_db()
    with schema_context(satker_a.schema_name):
        notification = services.notify(consumer, "rating_requested", {"topic": "Inflasi"})
        assert not notification.deliveries.exists()  # in-app only
        assert notification.title == "How was your consultation?"  # in the recipient's language


def test_delivery_goes_through_both_real_clients_and_records_the_attempt(satker_a, people, fakes):
    officer, _consumer = people
    with schema_context(satker_a.schema_name):
        notification = services.notify(officer.user, "requests_waiting", {"count": 3}, link="/kotak-masuk/")
        for delivery in notification.deliveries.all():
            assert services.deliver(delivery.pk) is None
        email, whatsapp = (notification.deliveries.get(channel=c) for c in ("email", "whatsapp"))
        assert email.status == whatsapp.status == DeliveryStatus.SENT
        assert whatsapp.provider_id.startswith("wamid.")
        assert list(email.attempt_log.values_list("outcome", flat=True)) == [AttemptOutcome.ACCEPTED]
    ((_id, sent),) = fakes.sendgrid.accepted
    assert sent["subject"] == "Permintaan menunggu Anda"
    assert any("http://sidoarjokab.localhost" in part["value"] for part in sent["content"])
    assert fakes.sendgrid.references() == {str(email.pk): 1}
    ((_wamid, message),) = fakes.whatsapp.accepted
    assert message["to"] == "6281211112222" and message["template"]["language"]["code"] == "id"
    assert message["biz_opaque_callback_data"] == f"sidoarjokab:{whatsapp.pk}"


def test_approval_email_carries_the_ics(satker_a, people, fakes):
    officer, consumer = people
    booked = request(satker_a, consumer, officer, at(satker_a, next_weekday(satker_a.timezone, 0), 8))
    with schema_context(satker_a.schema_name):
        booking.approve(booked.pk, officer.user)
        delivery = Delivery.objects.get(notification__recipient=consumer, channel="email")
        services.deliver(delivery.pk)
    ((_id, sent),) = [
        item for item in fakes.sendgrid.accepted if item[1]["personalizations"][0]["to"][0]["email"] == consumer.email
    ]
    (attachment,) = sent["attachments"]
    assert attachment["filename"] == f"konsultasi-{booked.pk}.ics" and attachment["type"] == "text/calendar"


def test_temporary_failures_back_off_and_permanent_ones_stop(satker_a, people, fakes):
    officer, _consumer = people
    fakes.sendgrid.plan.extend(["500", "429", "503"])
    fakes.whatsapp.plan.extend(["131026"])
    with schema_context(satker_a.schema_name):
        notification = services.notify(officer.user, "requests_waiting", {"count": 1})
        email = notification.deliveries.get(channel="email")
        whatsapp = notification.deliveries.get(channel="whatsapp")
        delays = []
        for _attempt in range(3):
            delays.append(services.deliver(email.pk))
            Delivery.objects.filter(pk=email.pk).update(next_attempt_at=email.created_at)  # as if the wait passed
        assert all(delay is not None and delay > 0 for delay in delays)
        assert delays[1] >= 1.0  # 429 with Retry-After: 1
        assert services.deliver(email.pk) is None
        email.refresh_from_db()
        assert (email.status, email.attempts) == (DeliveryStatus.SENT, 4)
        outcomes = list(email.attempt_log.values_list("outcome", "http_status"))
        assert outcomes == [("temporary", 500), ("temporary", 429), ("temporary", 503), ("accepted", None)]

        assert services.deliver(whatsapp.pk) is None
        whatsapp.refresh_from_db()
        assert whatsapp.status == DeliveryStatus.FAILED and "131026" in whatsapp.last_error
        assert services.deliver(whatsapp.pk) is None  # a failed delivery is not claimed again
    assert len(fakes.whatsapp.accepted) == 0 and fakes.sendgrid.references() == {str(email.pk): 1}


def test_a_send_without_an_answer_waits_for_the_providers_word_before_sending_again(
    satker_a, people, fakes, client, settings
):
    """A timeout after the request went out may hide an acceptance: sending again at once is how
    a consumer gets the same WhatsApp message twice."""
    officer, _consumer = people
    fakes.whatsapp.timeout_sleep = 1.5  # answers after the client's 1 s timeout, and takes the message
    fakes.whatsapp.plan.extend(["timeout", "timeout"])
    with schema_context(satker_a.schema_name):
        notification = services.notify(officer.user, "requests_waiting", {"count": 1})
        taken, lost = notification.deliveries.get(channel="whatsapp"), None
        assert services.deliver(taken.pk) is None  # no retry scheduled
        taken.refresh_from_db()
        assert taken.status == DeliveryStatus.UNCONFIRMED
        services.sweep()
        assert services.deliver(taken.pk) is None
    deadline = time.monotonic() + 30
    while not (webhooks := fakes.whatsapp.status_webhooks()):
        assert time.monotonic() < deadline, "the fake never took the message"
        time.sleep(0.1)
    ((raw, headers),) = webhooks
    assert client.post(
        "/webhooks/whatsapp/", raw, content_type="application/json", HTTP_HOST="localhost", **headers
    ).json() == {"queued": 0, "applied": 1}
    with schema_context(satker_a.schema_name):
        taken.refresh_from_db()
        assert taken.status == DeliveryStatus.SENT
        settings.HALOPST_DELIVERY_CONFIRM_SECONDS = 0
        services.sweep()
        assert services.deliver(taken.pk) is None
    assert fakes.whatsapp.references() == {str(taken.pk): 1}

    # Without the provider's word, the delivery goes again once the confirmation window has passed.
    with schema_context(satker_a.schema_name):
        lost = services.notify(officer.user, "requests_waiting", {"count": 2}).deliveries.get(channel="whatsapp")
        services.deliver(lost.pk)
        services.sweep()
        assert services.deliver(lost.pk) is None
        lost.refresh_from_db()
        assert lost.status == DeliveryStatus.SENT and lost.attempts == 2
        assert [a.detail.startswith("no status") for a in lost.attempt_log.filter(outcome="temporary")] == [False, True]


def test_a_delivery_that_never_gets_an_answer_stops_after_its_attempts(satker_a, people, fakes, settings):
    officer, _consumer = people
    settings.HALOPST_DELIVERY_MAX_ATTEMPTS = 2
    settings.HALOPST_DELIVERY_CONFIRM_SECONDS = 0
    fakes.whatsapp.timeout_sleep = 1.5
    fakes.whatsapp.plan.extend(["timeout", "timeout"])
    with schema_context(satker_a.schema_name):
        whatsapp = services.notify(officer.user, "requests_waiting", {"count": 1}).deliveries.get(channel="whatsapp")
        for _attempt in range(2):
            services.deliver(whatsapp.pk)
            services.sweep()
        whatsapp.refresh_from_db()
        assert (whatsapp.status, whatsapp.attempts) == (DeliveryStatus.FAILED, 2)
        assert services.deliver(whatsapp.pk) is None  # the admin's retry button is the way on


def test_a_slow_worker_keeps_its_claim_against_the_sweeper(make_satker, fakes, settings):
    """The sweeper re-sends only what a dead worker left: a claim whose row is still locked is a
    live worker's, however long ago it was made."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    satker = make_satker()
    settings.HALOPST_DELIVERY_STALE_SECONDS = 0
    officer = create_user(satker, "rina@uji.example", role=Role.OFFICER)
    with schema_context(satker.schema_name):
        email = services.notify(officer, "requests_waiting", {"count": 1}).deliveries.get(channel="email")
        claimed = services.claim(email.pk)

    def sweep_elsewhere():  # beat's sweeper, on its own connection
        try:
            with schema_context(satker.schema_name):
                return services.sweep(), Delivery.objects.get(pk=claimed.pk).status
        finally:
            connections.close_all()

    with schema_context(satker.schema_name), transaction.atomic(), ThreadPoolExecutor(1) as pool:
        assert Delivery.objects.select_for_update().filter(pk=claimed.pk).exists()  # what deliver() holds
        assert pool.submit(sweep_elsewhere).result(timeout=30) == (0, DeliveryStatus.SENDING)
    with ThreadPoolExecutor(1) as pool:  # the worker's connection gone, the lock with it
        assert pool.submit(sweep_elsewhere).result(timeout=30) == (1, DeliveryStatus.PENDING)


def test_an_accepted_delivery_is_never_sent_again(satker_a, people, fakes):
    officer, _consumer = people
    with schema_context(satker_a.schema_name):
        notification = services.notify(officer.user, "requests_waiting", {"count": 1})
        email = notification.deliveries.get(channel="email")
        services.deliver(email.pk)
        services.deliver(email.pk)
        services.sweep()
        assert services.deliver(email.pk) is None
    assert fakes.sendgrid.references() == {str(email.pk): 1}


def test_without_a_sendgrid_key_mail_goes_to_the_django_backend(satker_a, people, settings):
    from django.core import mail

    settings.HALOPST_SENDGRID_API_KEY = ""
    officer, _consumer = people
    with schema_context(satker_a.schema_name):
        notification = services.notify(officer.user, "requests_waiting", {"count": 2})
        services.deliver(notification.deliveries.get(channel="email").pk)
        assert notification.deliveries.get(channel="email").provider_id == "local-locmem"
        assert not notification.deliveries.filter(channel="whatsapp").exists()  # WhatsApp not configured
    assert mail.outbox[0].subject == "Permintaan menunggu Anda" and "2" in mail.outbox[0].body


def test_admin_sees_the_delivery_log_and_retries_a_failure(satker_a, people, fakes):
    from tests.conftest import client_for

    officer, _consumer = people
    fakes.whatsapp.plan.append("131026")
    with schema_context(satker_a.schema_name):
        notification = services.notify(officer.user, "requests_waiting", {"count": 1})
        whatsapp = notification.deliveries.get(channel="whatsapp")
        services.deliver(whatsapp.pk)
    admin = client_for(satker_a, create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN))
    page = admin.get("/pengaturan/pengiriman/").content.decode()
    assert "Gagal" in page and "131026" in page
    assert admin.post(f"/pengaturan/pengiriman/{whatsapp.pk}/ulang/").status_code == 302
    with schema_context(satker_a.schema_name):
        assert services.deliver(whatsapp.pk) is None
        whatsapp.refresh_from_db()
        assert whatsapp.status == DeliveryStatus.SENT
    assert client_for(satker_a, officer.user).get("/pengaturan/pengiriman/").status_code == 403
    assert admin.post(f"/pengaturan/pengiriman/{whatsapp.pk}/ulang/", follow=True).content.decode().count("gagal") >= 1


def test_reminders_come_once_per_window_in_the_satker_zone(satker_a, people, fakes):
    from datetime import timedelta

    from django.utils import timezone

    from booking.reminders import send_consultation_reminders

    officer, consumer = people
    booked = request(satker_a, consumer, officer, at(satker_a, next_weekday(satker_a.timezone, 0), 8))
    with schema_context(satker_a.schema_name):
        booking.approve(booked.pk, officer.user)
        day_before = booked.starts_at - timedelta(hours=20)
        assert send_consultation_reminders(now=day_before) == 2  # consumer and officer
        assert send_consultation_reminders(now=day_before + timedelta(minutes=5)) == 0
        hour_before = booked.starts_at - timedelta(minutes=50)
        assert send_consultation_reminders(now=hour_before) == 2  # the hour reminder (the day one is done)
        reminder = Notification.objects.filter(recipient=consumer, kind="reminder_hour").get()
        assert "08:00 WIB" in reminder.body
        assert timezone.now() < booked.starts_at


def test_the_day_reminder_says_today_or_tomorrow_in_the_satker_zone(satker_a, people, fakes):
    from datetime import timedelta

    from booking.reminders import send_consultation_reminders

    officer, consumer = people
    day = next_weekday(satker_a.timezone, 0)
    afternoon = request(satker_a, consumer, officer, at(satker_a, day, 13))
    next_morning = request(satker_a, consumer, officer, at(satker_a, day + timedelta(days=1), 9, 15))
    with schema_context(satker_a.schema_name):
        booking.approve(afternoon.pk, officer.user)
        booking.approve(next_morning.pk, officer.user)
        # 08:00 local: the 13:00 consultation is today; tomorrow's 09:15 is not yet within 24 hours.
        assert send_consultation_reminders(now=at(satker_a, day, 8)) == 2
        # 09:30 local, within a day of 09:15 tomorrow (and 13:00 today is already reminded).
        assert send_consultation_reminders(now=at(satker_a, day, 9, 30)) == 2
        reminders = Notification.objects.filter(kind__startswith="reminder")
        assert set(reminders.filter(link=f"/konsultasi/{afternoon.pk}/").values_list("title", flat=True)) == {
            "Konsultasi hari ini"
        }
        assert set(reminders.filter(link=f"/konsultasi/{next_morning.pk}/").values_list("title", flat=True)) == {
            "Konsultasi besok"
        }


def test_notifications_are_shown_in_the_readers_language_without_doubled_stops(satker_a, people, fakes):
    officer, consumer = people
    booked = request(satker_a, consumer, officer, at(satker_a, next_weekday(satker_a.timezone, 0), 8))
    with schema_context(satker_a.schema_name):
        booking.propose_reschedule(
            booked.pk,
            officer.user,
            starts_at=booked.starts_at + timedelta(hours=2, minutes=30),
            reason="Saya rapat jam itu.",
        )
        proposal = Notification.objects.get(recipient=consumer, kind="reschedule_proposed")
    assert ".." not in proposal.body and "rapat jam itu. " in proposal.body
    assert proposal.title == "Ada usulan waktu baru untuk konsultasi Anda"  # sent in the consumer's Indonesian
    client = client_for(satker_a, consumer)
    english = client.get("/notifikasi/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "A new time is proposed for your consultation" in english and "10:30 WIB" in english
    assert "Monday" in english  # the day is written in the reader's language too
    api = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert api[0]["title"] == "A new time is proposed for your consultation"
    indonesian = client.get("/notifikasi/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Ada usulan waktu baru untuk konsultasi Anda" in indonesian and "Senin" in indonesian


def test_webhooks_with_bad_signatures_change_nothing(satker_a, people, fakes, client):
    from tests.fakes.whatsapp import signed, status_event

    officer, _consumer = people
    with schema_context(satker_a.schema_name):
        notification = services.notify(officer.user, "requests_waiting", {"count": 1})
        email = notification.deliveries.get(channel="email")
        whatsapp = notification.deliveries.get(channel="whatsapp")
        services.deliver(email.pk)
        services.deliver(whatsapp.pk)
    events = json.dumps(
        [
            {
                "email": "rina@a.example",
                "event": "delivered",
                "timestamp": 1764300000,
                "sg_message_id": "abc",
                "halopst_schema": "sidoarjokab",
                "halopst_delivery": str(email.pk),
            }
        ]
    )
    portal = {"HTTP_HOST": "localhost"}
    good = fakes.signer.headers(events)
    forged = dict(good, HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_TIMESTAMP="1")
    assert (
        client.post("/webhooks/sendgrid/", events, content_type="application/json", **portal, **forged).status_code
        == 403
    )
    assert client.post("/webhooks/sendgrid/", events, content_type="application/json", **portal).status_code == 403
    raw, headers = signed(status_event(f"sidoarjokab:{whatsapp.pk}", "wamid.x", "read"))
    tampered = raw.replace(b'"read"', b'"failed"')
    assert (
        client.post("/webhooks/whatsapp/", tampered, content_type="application/json", **portal, **headers).status_code
        == 403
    )
    with schema_context(satker_a.schema_name):
        assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
        assert not email.attempt_log.filter(outcome="event").exists()

    assert client.post("/webhooks/sendgrid/", events, content_type="application/json", **portal, **good).json() == {
        "applied": 1
    }
    assert client.post("/webhooks/whatsapp/", raw, content_type="application/json", **portal, **headers).json() == {
        "queued": 0,
        "applied": 1,
    }
    late_sent, late_headers = signed(status_event(f"sidoarjokab:{whatsapp.pk}", "wamid.x", "delivered"))
    client.post("/webhooks/whatsapp/", late_sent, content_type="application/json", **portal, **late_headers)
    with schema_context(satker_a.schema_name):
        email.refresh_from_db()
        whatsapp.refresh_from_db()
        assert email.status == DeliveryStatus.DELIVERED
        assert whatsapp.status == DeliveryStatus.READ  # a late "delivered" does not undo "read"


def test_webhook_cannot_reach_into_an_unknown_or_public_schema(satker_a, people, fakes, client):
    events = json.dumps(
        [
            {"event": "delivered", "halopst_schema": "public", "halopst_delivery": "1"},
            {"event": "delivered", "halopst_schema": "nowhere", "halopst_delivery": "1"},
            {"event": "delivered", "halopst_schema": "sidoarjokab", "halopst_delivery": "x"},
        ]
    )
    response = client.post(
        "/webhooks/sendgrid/",
        events,
        content_type="application/json",
        HTTP_HOST="localhost",
        **fakes.signer.headers(events),
    )
    assert response.json() == {"applied": 0}


def test_whatsapp_verification_challenge(db, client, fakes):
    ok = client.get(
        "/webhooks/whatsapp/",
        {"hub.mode": "subscribe", "hub.verify_token": "fake-verify-token", "hub.challenge": "1158201444"},
        HTTP_HOST="localhost",
    )
    assert (ok.status_code, ok.content) == (200, b"1158201444")
    bad = client.get(
        "/webhooks/whatsapp/",
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        HTTP_HOST="localhost",
    )
    assert bad.status_code == 403
