"""Web Push as one more outbox channel: a browser subscribes through the API, a notification
reaches it through the real pywebpush client and a fake push service that checks VAPID and
decrypts the message as the phone would; gone browsers are forgotten, busy services retried,
and a satker's notifications reach only its own users' browsers."""

import pytest
from django_tenants.utils import schema_context

from booking import services as booking
from realtime import services
from realtime.models import AttemptOutcome, Channel, Delivery, DeliveryStatus, PushSubscription
from realtime.providers import generate_vapid_keys
from tests.booking.conftest import at, make_officer, next_weekday, request
from tests.conftest import client_for, create_user
from tests.fakes.push import FakePushService

API = "/api/v1/push/subscriptions/"


@pytest.fixture
def push_service(settings):
    service = FakePushService().start()
    settings.HALOPST_VAPID_PRIVATE_KEY, settings.HALOPST_VAPID_PUBLIC_KEY = generate_vapid_keys()
    settings.HALOPST_VAPID_SUBJECT = "mailto:pst@bps.example"
    settings.HALOPST_PUSH_SERVICES = [service.url]
    settings.HALOPST_PROVIDER_TIMEOUT = 2.0
    yield service
    service.stop()


def subscribe(satker, user, subscription):
    response = client_for(satker, user).post(API, subscription, content_type="application/json")
    assert response.status_code == 201, response.content
    return subscription


def approval_reaches(satker, consumer, officer):
    """The officer approves the consumer's request; returns the consultation and the push delivery."""
    booked = request(satker, consumer, officer, at(satker, next_weekday(satker.timezone, 0), 8))
    with schema_context(satker.schema_name):
        booking.approve(booked.pk, officer.user)
        return booked, Delivery.objects.filter(
            notification__recipient=consumer, notification__link=f"/konsultasi/{booked.pk}/", channel=Channel.PUSH
        ).first()


def test_an_approval_reaches_the_consumers_phone_encrypted_and_signed(satker_a, push_service):
    officer = make_officer(satker_a, "rina@a.example")
    consumer = create_user(satker_a, "andi@example.com")
    phone = subscribe(satker_a, consumer, push_service.subscribe())
    laptop = subscribe(satker_a, consumer, push_service.subscribe())

    booked, delivery = approval_reaches(satker_a, consumer, officer)
    assert delivery is not None and delivery.address == services.PUSH_ADDRESS
    with schema_context(satker_a.schema_name):
        assert services.deliver(delivery.pk) is None
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.SENT and delivery.provider_id.startswith(push_service.url)
    for browser in (phone, laptop):
        [message] = push_service.messages_for(browser)  # decrypted with the browser's own key
        assert message["title"] == "Konsultasi Anda disetujui"
        assert message["link"] == f"http://{satker_a.get_primary_domain().domain}/konsultasi/{booked.pk}/"
        assert message["tag"] == f"notification-{delivery.notification_id}"


def test_a_browser_the_push_service_forgot_is_forgotten_and_a_busy_one_retried(satker_a, push_service):
    officer = make_officer(satker_a, "rina@a.example")
    consumer = create_user(satker_a, "andi@example.com")
    gone = subscribe(satker_a, consumer, push_service.subscribe())
    push_service.forget(gone)
    _booked, delivery = approval_reaches(satker_a, consumer, officer)
    with schema_context(satker_a.schema_name):
        services.deliver(delivery.pk)
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.FAILED  # nobody left to send to
        assert not PushSubscription.objects.filter(endpoint=gone["endpoint"]).exists()
    # With no browser left, the next notification has no push delivery at all.
    _again, none = approval_reaches(satker_a, consumer, make_officer(satker_a, "bagus@a.example"))
    assert none is None

    busy = subscribe(satker_a, consumer, push_service.subscribe())
    push_service.plan.append("429")
    _booked, delivery = approval_reaches(satker_a, consumer, make_officer(satker_a, "dewi@a.example"))
    with schema_context(satker_a.schema_name):
        assert services.deliver(delivery.pk) > 0  # retried after a delay
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PENDING
        assert delivery.attempt_log.get().outcome == AttemptOutcome.TEMPORARY
        assert PushSubscription.objects.filter(endpoint=busy["endpoint"]).exists()


def test_only_a_push_service_may_be_an_endpoint_and_refusals_are_in_the_users_language(satker_a, push_service):
    consumer = create_user(satker_a, "andi@example.com")
    client = client_for(satker_a, consumer)
    inside = {**push_service.subscribe(), "endpoint": "http://10.0.0.7:8080/admin/reset"}
    refused = client.post(API, inside, content_type="application/json", HTTP_ACCEPT_LANGUAGE="id")
    assert refused.status_code == 400 and "bukan alamat layanan push" in refused.json()["endpoint"][0]
    no_keys = client.post(API, {"endpoint": push_service.subscribe()["endpoint"]}, content_type="application/json")
    assert no_keys.status_code == 400 and "keys" in no_keys.json()
    assert client_for(satker_a).post(API, push_service.subscribe(), content_type="application/json").status_code in (
        401,
        403,
    )
    with schema_context(satker_a.schema_name):
        assert not PushSubscription.objects.exists()


def test_a_satkers_notification_reaches_only_its_own_users_browsers(satker_a, satker_b, push_service):
    consumer_a = create_user(satker_a, "andi@example.com")
    consumer_b = create_user(satker_b, "andi@example.com")  # the same person, another satker's account
    browser_a = subscribe(satker_a, consumer_a, push_service.subscribe())
    browser_b = subscribe(satker_b, consumer_b, push_service.subscribe())
    _booked, delivery = approval_reaches(satker_a, consumer_a, make_officer(satker_a, "rina@a.example"))
    with schema_context(satker_a.schema_name):
        services.deliver(delivery.pk)
    assert len(push_service.messages_for(browser_a)) == 1 and push_service.messages_for(browser_b) == []
    with schema_context(satker_b.schema_name):
        assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [browser_b["endpoint"]]


def test_the_app_can_be_installed_and_works_offline(satker_a, satker_b):
    page = client_for(satker_a)
    manifest = page.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    assert manifest.json()["name"] == f"HaloPST {satker_a.title}" and manifest.json()["start_url"] == "/"
    assert client_for(satker_b).get("/manifest.webmanifest").json()["name"] == f"HaloPST {satker_b.title}"
    worker = page.get("/sw.js")
    assert worker["Content-Type"] == "application/javascript" and "no-cache" in worker["Cache-Control"]
    assert '"/luring/"' in worker.content.decode()
    home = page.get("/").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in home
    signed_in = client_for(satker_a, create_user(satker_a, "andi@example.com", full_name="Andi Wibowo"))
    assert "Andi" not in signed_in.get("/luring/").content.decode()  # cached for whoever is offline later
