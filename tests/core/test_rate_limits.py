"""Abuse limits answer 429 with a clear message, per IP and per account, per satker."""

from datetime import timedelta

from django.test import Client, override_settings
from django_tenants.utils import schema_context

from tests.booking.conftest import at, make_officer, next_weekday
from tests.conftest import PASSWORD, client_for, create_user, free_port, host_of


def test_sign_up_is_limited_per_ip(satker_a, satker_b, settings):
    settings.HALOPST_RATE_LIMITS = {**settings.HALOPST_RATE_LIMITS, "sign_up": {"address": (5, 3600)}}
    client = client_for(satker_a)
    statuses = [client.post("/akun/daftar/", {"full_name": "x"}).status_code for _ in range(6)]
    assert statuses[:5] == [400] * 5 and statuses[5] == 429
    refused = client.post("/akun/daftar/", {})
    assert "Terlalu banyak percobaan" in refused.content.decode() and "menit" in refused.content.decode()
    assert 0 < int(refused["Retry-After"]) <= 3600  # how long to wait, to the end of the window
    # Another satker's allowance is its own.
    assert client_for(satker_b).post("/akun/daftar/", {"full_name": "x"}).status_code == 400


@override_settings(AXES_FAILURE_LIMIT=100)  # the throttle alone; the lockout has its own tests
def test_login_is_limited_per_account_whatever_the_ip(satker_a):
    create_user(satker_a, "target@example.com")
    for number in range(10):
        attacker = Client(HTTP_HOST=host_of(satker_a), REMOTE_ADDR=f"10.0.0.{number}")
        assert attacker.post("/akun/masuk/", {"username": "target@example.com", "password": "tebak"}).status_code == 200
    locked = Client(HTTP_HOST=host_of(satker_a), REMOTE_ADDR="10.0.1.1")
    assert locked.post("/akun/masuk/", {"username": "Target@Example.com", "password": PASSWORD}).status_code == 429
    # Other accounts are not affected.
    create_user(satker_a, "other@example.com")
    assert locked.post("/akun/masuk/", {"username": "other@example.com", "password": PASSWORD}).status_code == 302


def test_a_campus_behind_one_address_signs_up_and_logs_in_all_day(satker_a):
    """200 students behind the university's NAT in one hour, each mistyping once: every one of
    them gets in, with the limits as configured (HALOPST_RATE_LIMITS)."""
    form = {"consent": "on", "password": PASSWORD}
    for number in range(200):
        email = f"mahasiswa{number}@student.unair.ac.id"
        student = Client(HTTP_HOST=host_of(satker_a), REMOTE_ADDR="36.80.1.1")
        signed_up = student.post(
            "/akun/daftar/",
            {**form, "full_name": f"Mahasiswa {number}", "email": email, "whatsapp": f"0812{number:08d}"},
        )
        assert signed_up.status_code == 302, (number, signed_up.content.decode()[:300])
        later = Client(HTTP_HOST=host_of(satker_a), REMOTE_ADDR="36.80.1.1")
        assert later.post("/akun/masuk/", {"username": email, "password": "salah-ketik"}).status_code == 200
        assert later.post("/akun/masuk/", {"username": email, "password": PASSWORD}).status_code == 302, number


def test_one_address_guessing_many_accounts_is_slowed_far_above_a_campus(satker_a, settings):
    settings.HALOPST_RATE_LIMITS = {
        **settings.HALOPST_RATE_LIMITS,
        "login": {"person": (10, 300), "address": (30, 3600)},
    }
    guesser = Client(HTTP_HOST=host_of(satker_a), REMOTE_ADDR="36.80.2.2")
    statuses = [
        guesser.post("/akun/masuk/", {"username": f"tebak{n}@example.com", "password": "x"}).status_code
        for n in range(31)
    ]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429


def test_password_reset_is_limited(satker_a):
    client = client_for(satker_a)
    statuses = [client.post("/akun/sandi/lupa/", {"email": "x@example.com"}).status_code for _ in range(6)]
    assert statuses[-1] == 429 and set(statuses[:5]) == {302}


def test_booking_requests_are_limited_per_account(satker_a):
    officer = make_officer(satker_a, "rina@a.example")
    api = client_for(satker_a, create_user(satker_a, "andi@example.com"))
    monday = next_weekday(satker_a.timezone, 0)
    statuses = []
    for number in range(11):
        starts = at(satker_a, monday + timedelta(days=number % 5), 8 if number < 5 else 10, 30 if number >= 10 else 0)
        statuses.append(
            api.post(
                "/api/v1/consultations/",
                {
                    "officer": officer.pk,
                    "starts_at": starts.isoformat(),
                    "mode": "online",
                    "topic": "t",
                    "data_need": "d",
                    "purpose": "study",
                    "consumer_category": "student",
                },
                content_type="application/json",
            ).status_code
        )
    assert statuses[-1] == 429 and 429 not in statuses[:10]
    assert "Terlalu banyak" in api.post("/api/v1/consultations/", {}, content_type="application/json").json()["detail"]


def test_the_client_address_is_read_behind_our_own_proxies_only(settings):
    from ipaddress import ip_network

    from django.test import RequestFactory

    from core.ratelimit import client_ip

    settings.HALOPST_TRUSTED_PROXIES = [ip_network("127.0.0.1/32"), ip_network("172.16.0.0/12")]
    factory = RequestFactory()
    # Behind nginx: the last address nginx added; what the client wrote before it is ignored.
    behind = factory.get("/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 36.80.1.2, 127.0.0.1")
    assert client_ip(behind) == "36.80.1.2"
    # Straight from the internet, a forged header changes nothing.
    direct = factory.get("/", REMOTE_ADDR="36.80.9.9", HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert client_ip(direct) == "36.80.9.9"


def test_pages_and_bookings_keep_working_while_the_cache_is_down(
    satker_a, settings, django_capture_on_commit_callbacks
):
    """Routing falls back to the database, rate limits let requests through and the rollup
    refresh waits for beat: the cache's Redis being away costs no page and no booking.
    (The broker being away is the fault run's part: bench/load.py --faults.)"""
    from booking.models import Consultation
    from realtime.models import Notification

    officer = make_officer(satker_a, "rina@a.example", hours=[(day, "08:00", "16:00") for day in range(7)])
    consumer = client_for(satker_a, create_user(satker_a, "andi@example.com"))
    # The settings fixture resets Django's cache handlers when CACHES changes.
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}}
    assert consumer.get("/petugas/").status_code == 200
    starts_at = at(satker_a, next_weekday(satker_a.timezone), 8)
    with django_capture_on_commit_callbacks(execute=True):
        response = consumer.post(
            f"/konsultasi/baru/?petugas={officer.pk}&mulai={starts_at.isoformat()}",
            {
                "starts_at": starts_at.isoformat(),
                "mode": "online",
                "topic": "Garis kemiskinan",
                "data_need": "Per kecamatan 2023",
                "purpose": "study",
                "consumer_category": "student",
            },
        )
    assert response.status_code == 302 and response["Location"].startswith("/konsultasi/")
    with schema_context(satker_a.schema_name):
        assert Consultation.objects.count() == 1
        assert Notification.objects.filter(kind="consultation_requested").count() == 1
