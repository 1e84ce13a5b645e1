"""Quota under concurrency, the streamed answer over real HTTP, and the budget pages."""

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.db import connection

from aida import services
from billing_quota.models import Reservation, UsageLedger
from billing_quota.services import ledger_for, set_limits, sweep_stale_reservations
from core.models import Role
from tests.conftest import client_for, create_user, stream_aida_answer

pytestmark = pytest.mark.timeout(120)


def ask_at_once(satker, count: int) -> list[str]:
    """`count` anonymous visitors ask AIDA at the same moment, each on its own thread and
    connection; each outcome is "answered" or the reason it was not."""
    from asgiref.sync import async_to_sync

    barrier = threading.Barrier(count)

    def one(index):
        try:
            barrier.wait()
            prepared = services.prepare(
                satker, question="bagaimana garis kemiskinan kabupaten ini dihitung", session_key=f"s{index}"
            )
            if prepared.degraded:
                services.finish(satker, prepared, text="-", degraded=prepared.degraded)
                return prepared.degraded

            async def collect():
                return [event async for event in services.answer_events(satker, prepared)]

            return async_to_sync(collect)()[-1]["degraded"] or "answered"
        finally:
            connection.close()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def test_fifty_parallel_questions_with_budget_for_ten(make_satker, gemini):
    satker = make_satker()
    set_limits(satker, plan="basic", monthly_token_limit=10_000_000, monthly_request_limit=10)
    gemini.delay_between_chunks = 0.01
    outcomes = ask_at_once(satker, 50)

    assert outcomes.count("answered") == 10 and outcomes.count("quota") == 40
    streamed = gemini.answers
    assert len(streamed) == 10  # exactly ten reached Gemini
    ledger = ledger_for(satker)
    assert (ledger.requests_used, ledger.requests_reserved, ledger.tokens_reserved) == (10, 0, 0)
    charged = sum(Reservation.objects.filter(satker=satker).values_list("tokens_charged", flat=True))
    assert ledger.tokens_used == charged > 0
    UsageLedger.objects.filter(satker=satker).delete()
    Reservation.objects.filter(satker=satker).delete()


def test_replies_that_over_report_their_tokens_never_push_the_month_past_its_limit(make_satker, gemini, caplog):
    """Gemini's usage report is trusted only up to the call's own bound (prompt, output cap,
    thinking budget): fifteen parallel questions whose replies claim 40 times their tokens keep
    the ledger within the limit, and every over-report is logged and kept."""
    satker = make_satker()
    probe = services.prepare(satker, question="bagaimana garis kemiskinan kabupaten ini dihitung", session_key="probe")
    bound = probe.reservation.tokens
    services.finish(satker, probe, text="-", degraded="probe")
    limit = 5 * bound + bound // 2  # room for five calls' bounds, not six
    set_limits(satker, plan="basic", monthly_token_limit=limit, monthly_request_limit=1000)
    gemini.over_report = 40
    outcomes = ask_at_once(satker, 15)
    ledger = ledger_for(satker)
    assert outcomes.count("answered") == 5 and outcomes.count("quota") == 10
    assert ledger.tokens_used <= ledger.token_limit and ledger.tokens_reserved == 0
    settled = Reservation.objects.filter(satker=satker, tokens_charged__gt=0)
    assert settled.count() == 5 and all(item.tokens_reported > item.tokens for item in settled)
    assert sum(message.count("over its reservation") for message in caplog.messages) == 5
    UsageLedger.objects.filter(satker=satker).delete()
    Reservation.objects.filter(satker=satker).delete()


def test_stale_reservations_are_released(satker_a):
    from datetime import timedelta

    from django.utils import timezone

    from billing_quota.services import reserve

    reservation = reserve(satker_a, 5_000)
    assert ledger_for(satker_a).tokens_reserved == 5_000
    Reservation.objects.filter(pk=reservation.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert sweep_stale_reservations() == 1
    ledger = ledger_for(satker_a)
    assert (ledger.tokens_reserved, ledger.requests_reserved, ledger.tokens_used) == (0, 0, 0)


def test_answer_streams_over_http_as_server_sent_events(make_satker, gemini_env, web_server):
    gemini = gemini_env
    satker = make_satker()
    base = web_server.format(satker.subdomain)
    port = int(base.rsplit(":", 1)[1])
    host = base.removeprefix("http://")
    # A generous timeout: a cold server on a busy machine may take seconds for its first page.
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Host": host}, timeout=60) as client:
        events, tokens_before_the_end = stream_aida_answer(client, gemini, {"Referer": base + "/aida/"})
    tokens = [event for event in events if event["type"] == "token"]
    assert len(tokens) >= 4 and events[-1]["type"] == "done" and events[-1]["degraded"] == ""
    assert tokens_before_the_end is not None and tokens_before_the_end < len(tokens)


def test_province_admin_sets_limits_and_satker_admin_sees_usage(satker_a, province_jatim):
    from tenants.models import Satker

    national = Satker.objects.get(schema_name="public")
    admin = create_user(national, "jatim@example.com", role=Role.PROVINCE_ADMIN, managed_province=province_jatim)
    console = client_for(national, admin)
    response = console.post(
        "/konsol/satker/3515/kuota/", {"plan": "standard", "monthly_token_limit": 123456, "monthly_request_limit": 789}
    )
    assert response.status_code == 302
    assert (ledger_for(satker_a).token_limit, ledger_for(satker_a).request_limit) == (123456, 789)
    assert (
        console.post(
            "/konsol/satker/3515/kuota/", {"plan": "standard", "monthly_token_limit": -1, "monthly_request_limit": 1}
        ).status_code
        == 400
    )
    satker_admin = create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN)
    page = client_for(satker_a, satker_admin).get("/pengaturan/aida/").content.decode()
    assert "123456" in page and "789" in page
    consumer = create_user(satker_a, "c@a.example")
    assert client_for(satker_a, consumer).get("/pengaturan/aida/").status_code == 403


def test_quota_alerts_reach_satker_admins_at_80_percent(satker_a, gemini):
    from django_tenants.utils import schema_context

    from realtime.models import Notification

    admin = create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN)
    set_limits(satker_a, plan="basic", monthly_token_limit=10_000_000, monthly_request_limit=5)
    for _ in range(4):
        prepared = services.prepare(satker_a, question="berapa inflasi bulan ini", session_key="s")
        services.finish(satker_a, prepared, text="x", result=None, degraded="")
    with schema_context(satker_a.schema_name):
        assert not Notification.objects.filter(recipient=admin, kind="quota_alert").exists()
    from aida.gemini import StreamResult

    for _ in range(6):
        prepared = services.prepare(satker_a, question="berapa inflasi bulan ini", session_key="s")
        if prepared.reservation:
            services.finish(satker_a, prepared, text="x", result=StreamResult(total_tokens=10))
    assert ledger_for(satker_a).requests_used == 5
    with schema_context(satker_a.schema_name):
        alerts = list(Notification.objects.filter(recipient=admin, kind="quota_alert").values_list("body", flat=True))
    assert any("80%" in body for body in alerts) and any("100%" in body for body in alerts)


def test_knowledge_admin_pages(satker_a):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_tenants.utils import schema_context

    from aida.models import KnowledgeEntry

    admin = client_for(satker_a, create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN))
    assert (
        admin.post(
            "/pengaturan/pengetahuan/baru/",
            {
                "title": "Jadwal rilis BRS Sidoarjo",
                "body": "Setiap awal bulan.",
                "language": "id",
                "status": "published",
            },
        ).status_code
        == 302
    )
    csv_file = SimpleUploadedFile(
        "kb.csv",
        "title,body,source_url,tags,language\nStunting,Prevalensi balita,,gizi,id\n,tanpa judul,,,id\n".encode(),
    )
    response = admin.post("/pengaturan/pengetahuan/impor/", {"file": csv_file}, follow=True)
    assert "1 entri diimpor" in response.content.decode() and "tidak memiliki judul" in response.content.decode()
    with schema_context(satker_a.schema_name):
        assert KnowledgeEntry.objects.get(title="Stunting").status == "draft"
        published = KnowledgeEntry.objects.get(title="Jadwal rilis BRS Sidoarjo")
    assert client_for(satker_a).get(f"/aida/pengetahuan/{published.slug}/").status_code == 200
    assert client_for(satker_a).get("/aida/pengetahuan/stunting/").status_code == 404  # drafts stay private
    hits = client_for(satker_a).get("/api/v1/knowledge/search/", {"q": "jadwal rilis brs"}).json()
    assert hits[0]["title"] == "Jadwal rilis BRS Sidoarjo" and hits[0]["score"] > 0
