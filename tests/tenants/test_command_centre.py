"""The command centre (portal), the satker dashboard and leaderboards: each admin sees only
what is theirs, by page, API and socket; the numbers come from the rollups."""

import asyncio
import io

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from core.models import Role
from halopst.asgi import application
from insights import reports, rollups
from insights.models import OfficerMonth
from tenants.models import Satker
from tenants.services import SatkerSpec, onboard_satker
from tests.booking.conftest import at, make_officer, next_weekday, request
from tests.conftest import PASSWORD, client_for, create_user, delete_public_users

pytestmark = pytest.mark.timeout(120)


def national_satker():
    return Satker.objects.get(schema_name="public")


def province_admin(email, province):
    return create_user(national_satker(), email, role=Role.PROVINCE_ADMIN, managed_province=province)


def one_request(satker, email="andi@example.com"):
    officer = make_officer(satker, f"petugas@{satker.subdomain}.example")
    consumer = create_user(satker, email)
    with schema_context(satker.schema_name):
        return request(satker, consumer, officer, at(satker, next_weekday(satker.timezone), 8))


@pytest.fixture
def bali(db):
    province = onboard_satker(SatkerSpec("5100", "province", "Provinsi Bali", "bali", "Asia/Makassar"))
    return onboard_satker(SatkerSpec("5171", "city", "Kota Denpasar", "denpasarkota", "Asia/Makassar")), province


def test_province_admin_sees_their_province_only_by_page_and_api(
    satker_a, province_jatim, bali, django_capture_on_commit_callbacks, eager_celery
):
    denpasar, province_bali = bali
    with django_capture_on_commit_callbacks(execute=True):
        one_request(satker_a)
    with django_capture_on_commit_callbacks(execute=True):
        one_request(denpasar, "made@example.com")
    jatim = client_for(national_satker(), province_admin("jatim@halopst.example", province_jatim))

    page = jatim.get("/konsol/pusat-komando/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Kabupaten Sidoarjo" in text and "Denpasar" not in text and "Provinsi Bali" not in text
    rows = {row["code"]: row for row in jatim.get("/api/v1/command-centre/").json()}
    assert rows["3515"]["pending"] == 1 and rows["3515"]["requests"] == 1
    assert not {"5100", "5171"} & set(rows)
    # Asking for another province returns nothing, not that province.
    assert jatim.get("/api/v1/command-centre/", {"province": "51"}).json() == []
    assert jatim.get("/konsol/pusat-komando/", {"provinsi": "51"}).content.decode().count('data-code="') == 0
    assert jatim.get("/konsol/satker/5171/").status_code == 404

    national = client_for(
        national_satker(), create_user(national_satker(), "pusat@halopst.example", role=Role.NATIONAL_ADMIN)
    )
    codes = {row["code"] for row in national.get("/api/v1/command-centre/").json()}
    assert {"3515", "5171", "5100"} <= codes
    assert {row["code"] for row in national.get("/api/v1/command-centre/", {"province": "51"}).json()} == {
        "5100",
        "5171",
    }
    # The national page starts with one line per province, each adding up its satkers.
    overview = national.get("/konsol/pusat-komando/").content.decode()
    assert 'data-code="35"' in overview and 'data-code="51"' in overview and 'data-code="3515"' not in overview
    assert 'href="?provinsi=51"' in overview
    assert 'data-code="3515"' in national.get("/konsol/pusat-komando/", {"provinsi": "35"}).content.decode()

    # Nobody else: consumers and satker admins are not on the portal; anonymous is refused.
    from django.test import Client

    assert Client(HTTP_HOST=settings.HALOPST_BASE_DOMAIN).get("/api/v1/command-centre/").status_code in (401, 403)
    assert Client(HTTP_HOST="sidoarjokab.localhost").get("/konsol/pusat-komando/").status_code == 404


def test_ranking_leaves_out_satkers_without_data_and_draws_each_trend(
    satker_a, province_jatim, django_capture_on_commit_callbacks, eager_celery
):
    with django_capture_on_commit_callbacks(execute=True):
        one_request(satker_a)
    jatim = client_for(national_satker(), province_admin("jatim-rank@halopst.example", province_jatim))

    by_requests = jatim.get("/konsol/pusat-komando/", {"urut": "permintaan"}).content.decode()
    ranking = by_requests[by_requests.index('<table class="ranking') :]
    ranked, unranked = ranking.split('class="muted without-data"')
    assert "Kabupaten Sidoarjo" in ranked and "Provinsi Jawa Timur" not in ranked  # no request: not ranked
    assert "Provinsi Jawa Timur" in unranked and "Kabupaten Sidoarjo" not in unranked
    # Its trend line: 30 days of requests, flat at the bottom (y=24) except today's one at the top.
    [points] = [line.split('points="')[1].split('"')[0] for line in ranked.split("<polyline")[1:]]
    heights = [point.split(",")[1] for point in points.split()]
    assert len(heights) == 30 and heights.count("0.0") == 1 and heights.count("24.0") == 29
    # Over a year the line is drawn week by week, and says so.
    by_year = jatim.get("/konsol/pusat-komando/", {"urut": "permintaan", "periode": "365"}).content.decode()
    [yearly] = [line.split('points="')[1].split('"')[0] for line in by_year.split("<polyline")[1:]]
    assert len(yearly.split()) == 53 and "Permintaan per minggu" in by_year

    # Nobody was rated yet: the IKM ranking has no first place to give.
    by_ikm = jatim.get("/konsol/pusat-komando/", {"urut": "ikm"}).content.decode()
    assert '<table class="ranking' not in by_ikm and "Belum ada satker dengan data" in by_ikm
    # The month the leaderboard heading names is in its field, and so is the period.
    today = timezone.localdate()
    assert f'name="bulan" value="{today:%Y-%m}"' in by_ikm
    assert 'name="sampai" value="' in by_ikm and 'name="sampai" value=""' not in by_ikm


def test_command_centre_api_refuses_bad_input_in_the_users_language(satker_a, province_jatim):
    jatim = client_for(national_satker(), province_admin("jatim@halopst.example", province_jatim))
    response = jatim.get("/api/v1/command-centre/", {"days": "0", "sort": "best"}, HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 400
    assert set(response.json()) >= {"days", "sort"}
    page = jatim.get("/konsol/pusat-komando/", {"dari": "2026-12-01", "sampai": "2026-11-01"})
    assert page.status_code == 400 and "tidak boleh setelah" in page.content.decode()


def socket(host, cookie):
    return WebsocketCommunicator(
        application,
        "/ws/pusat-komando/",
        headers=[
            (b"host", host.encode()),
            (b"origin", f"http://{host}".encode()),
            (b"cookie", f"sessionid={cookie}".encode()),
        ],
    )


async def receive_row(communicator, timeout=5):
    message = await communicator.receive_json_from(timeout=timeout)
    assert message["type"] == "row"
    return message["row"]


def test_command_centre_socket_carries_only_the_admins_province(make_satker, eager_celery):
    national = national_satker()
    jatim_satker = make_satker()
    other_province = make_satker(code="3100", kind="province", name="Provinsi Uji", subdomain="ujiprov")
    jatim_admin = province_admin("jatim-live@halopst.example", Satker.objects.get(code="3500"))
    other_admin = province_admin("lain-live@halopst.example", other_province)
    try:
        jatim_cookie = client_for(national, jatim_admin).cookies["sessionid"].value
        other_cookie = client_for(national, other_admin).cookies["sessionid"].value

        async def scenario():
            jatim, other = socket("localhost", jatim_cookie), socket("localhost", other_cookie)
            assert (await jatim.connect())[0] and (await other.connect())[0]
            assert (await jatim.receive_json_from())["watching"] == "3500"
            assert (await other.receive_json_from())["watching"] == "3100"
            await sync_to_async(one_request)(jatim_satker)
            row = await receive_row(jatim)
            assert row["code"] == jatim_satker.code and row["pending"] == 1
            assert await other.receive_nothing(timeout=1)
            # A satker host is not the command centre, whoever asks.
            satker_socket = socket(f"{jatim_satker.subdomain}.localhost", jatim_cookie)
            connected, _code = await satker_socket.connect()
            assert not connected
            await jatim.disconnect()
            await other.disconnect()

        asyncio.run(scenario())
    finally:
        delete_public_users(jatim_admin, other_admin)


def test_a_province_admin_without_the_two_factor_code_gets_no_socket(make_satker):
    from django.test import Client

    admin = province_admin("belum2fa@halopst.example", Satker.objects.get(code="3500"))
    try:
        client = Client(HTTP_HOST="localhost")
        assert client.post("/akun/masuk/", {"username": admin.email, "password": PASSWORD}).status_code in (200, 302)
        cookie = client.cookies["sessionid"].value if "sessionid" in client.cookies else ""

        async def scenario():
            connected, code = await socket("localhost", cookie).connect()
            assert not connected and code == 4401

        asyncio.run(scenario())
    finally:
        delete_public_users(admin)


def test_satker_dashboard_shows_and_exports_its_own_numbers_only(
    satker_a, satker_b, django_capture_on_commit_callbacks, eager_celery
):
    with django_capture_on_commit_callbacks(execute=True):
        one_request(satker_a)
    admin_a = client_for(satker_a, create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN))
    admin_b = client_for(satker_b, create_user(satker_b, "admin@b.example", role=Role.SATKER_ADMIN))

    page_a = admin_a.get("/pengaturan/dasbor/")
    assert page_a.status_code == 200 and 'data-kpi="requests">1<' in page_a.content.decode()
    assert "Belum ada permintaan yang diputuskan pada periode ini." in page_a.content.decode()  # not "p50 –"
    assert 'data-kpi="requests">0<' in admin_b.get("/pengaturan/dasbor/").content.decode()

    csv = admin_a.get("/pengaturan/dasbor/unduh.csv", {"periode": "7"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Tanggal,Permintaan") and len(lines) == 2 and lines[1].split(",")[1] == "1"
    xlsx = admin_a.get("/pengaturan/dasbor/unduh.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [cell.value for cell in sheet[2]][1] == 1
    assert len(admin_b.get("/pengaturan/dasbor/unduh.csv").content.decode("utf-8-sig").splitlines()) == 1

    bad = admin_a.get("/pengaturan/dasbor/", {"dari": "2026-05-01", "sampai": "2024-01-01"})
    assert bad.status_code == 400
    assert admin_a.get("/pengaturan/dasbor/unduh.csv", {"dari": "kemarin"}).status_code == 400
    officer = client_for(satker_a, create_user(satker_a, "officer@a.example", role=Role.OFFICER))
    assert officer.get("/pengaturan/dasbor/").status_code == 403
    assert officer.get("/pengaturan/dasbor/unduh.csv").status_code == 403


def test_best_officer_follows_the_documented_formula(satker_a, satker_b):
    month = timezone.localdate().replace(day=1)

    def officer(satker, name, **counts):
        values = {
            "completed": 0,
            "ratings": 0,
            "rating_sum": 0,
            "decided_within_standard": 0,
            "reviews": 0,
            "no_shows": 0,
            "conversations_replied_within_standard": 0,
        }
        values.update(counts)
        return OfficerMonth.objects.create(
            satker=satker,
            month=month,
            officer_id=OfficerMonth.objects.count() + 1,
            officer_name=name,
            score=rollups.officer_score(**values),
            median_response_minutes=30,
            **values,
        )

    busy = officer(satker_a, "Busy", completed=6, ratings=6, rating_sum=18)  # 60 points, mean rating 3
    liked = officer(satker_a, "Liked", completed=5, ratings=5, rating_sum=25)  # 50 + 2 × 10 stars above 3 = 70
    reviewer = officer(satker_a, "Reviewer", completed=2, reviews=30)  # 110 points, but only 2 consultations
    missed = officer(satker_b, "Missed", completed=8, no_shows=2)  # 80 - 20 = 60, no ratings
    assert [liked.score, busy.score, reviewer.score, missed.score] == [70, 60, 110, 60]

    both = Satker.objects.filter(pk__in=[satker_a.pk, satker_b.pk])
    board = reports.leaderboard(both, month)
    assert [row.officer_name for row in board["rows"]] == ["Reviewer", "Liked", "Busy", "Missed"]
    assert board["best"] == liked
    liked.delete()
    assert reports.leaderboard(both, month)["best"] == busy  # a tie on points goes to the better mean rating
    assert reports.leaderboard(Satker.objects.filter(pk=satker_b.pk), month)["best"] == missed
    reviewer.delete(), busy.delete(), missed.delete()
    officer(satker_a, "New", completed=2, ratings=2, rating_sum=10)
    assert reports.leaderboard(both, month)["best"] is None


def test_leaderboard_page_for_officers_of_the_satker_only(satker_a, satker_b):
    OfficerMonth.objects.create(
        satker=satker_a,
        month=timezone.localdate().replace(day=1),
        officer_id=1,
        officer_name="Rina Kusumawati",
        completed=4,
        score=40,
    )
    officer = client_for(satker_a, create_user(satker_a, "rina@a.example", role=Role.OFFICER))
    page = officer.get("/petugas-terbaik/").content.decode()
    assert "Rina Kusumawati" in page and "Petugas terbaik" in page
    assert (
        "Rina Kusumawati"
        not in client_for(satker_b, create_user(satker_b, "x@b.example", role=Role.OFFICER))
        .get("/petugas-terbaik/")
        .content.decode()
    )
    consumer = client_for(satker_a, create_user(satker_a, "andi@example.com"))
    assert consumer.get("/petugas-terbaik/").status_code == 403
    assert officer.get("/petugas-terbaik/", {"bulan": "2026-13"}).status_code == 400
