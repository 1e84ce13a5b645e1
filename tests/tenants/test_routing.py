from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenants.models import Status
from tenants.services import SatkerSpec, onboard_satker, set_satker_status, update_branding
from tests.conftest import client_for, host_of


def test_each_host_shows_its_own_satker_with_branding(db, satker_a, satker_b):
    update_branding(satker_a, display_name="BPS Kab. Sidoarjo", primary_color="#7A1F5C")
    page_a = client_for(satker_a).get("/").content.decode()
    page_b = client_for(satker_b).get("/").content.decode()

    assert "BPS Kab. Sidoarjo" in page_a and "#7A1F5C" in page_a
    assert "Surabaya" in page_b and "Sidoarjo" not in page_b and "#7A1F5C" not in page_b


def test_unknown_host_gets_a_friendly_404_that_names_no_satker(db, satker_a):
    for host in ["nowhere.localhost", "evil.example.com", "sidoarjokab.localhost.evil.com"]:
        response = Client(HTTP_HOST=host).get("/")
        body = response.content.decode()
        assert response.status_code == 404, host
        assert "Situs tidak ditemukan" in body
        assert "Sidoarjo" not in body and "sidoarjokab" not in body and "Surabaya" not in body


def test_suspended_satker_gets_403_and_comes_back_when_reactivated(db, satker_a):
    client = client_for(satker_a)
    assert client.get("/").status_code == 200  # caches the host lookup

    set_satker_status(satker_a, Status.SUSPENDED)
    response = client.get("/")
    assert response.status_code == 403
    assert "sementara" in response.content.decode()

    set_satker_status(satker_a, Status.ACTIVE)
    assert client.get("/").status_code == 200


def test_portal_lives_on_the_bare_base_domain_and_www(db, satker_a):
    for host in ["localhost", "www.localhost"]:
        response = Client(HTTP_HOST=host).get("/")
        assert response.status_code == 200
        assert "Kabupaten Sidoarjo" in response.content.decode()


def test_the_portal_reads_like_a_product(db, satker_a, province_jatim):
    page = Client(HTTP_HOST="localhost").get("/").content.decode()
    assert "<title>Konsultasi statistik BPS, secara daring · HaloPST</title>" in page  # not "HaloPST · HaloPST"
    assert page.count("Provinsi Jawa Timur") == 1  # the group heading; its own card says "Kantor provinsi"
    assert "Kantor provinsi" in page and "sidoarjokab.localhost · WIB" in page
    icon = Client(HTTP_HOST="localhost").get("/favicon.ico")
    assert icon.status_code == 301 and icon["Location"].endswith("halopst/favicon.svg")


def test_host_lookup_costs_no_query_once_cached(db, satker_a):
    client = client_for(satker_a)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    assert not [sql for sql in statements if "tenants_domain" in sql or "tenants_satker" in sql], statements
    assert len([sql for sql in statements if sql.startswith("SET search_path")]) <= 1, statements


def test_new_satker_is_routable_at_once_even_after_its_host_was_asked_for(db, province_jatim):
    assert Client(HTTP_HOST="gresikkab.localhost").get("/").status_code == 404  # cached as unknown
    onboard_satker(SatkerSpec("3525", "regency", "Kabupaten Gresik", "gresikkab", "Asia/Jakarta"))
    assert Client(HTTP_HOST="gresikkab.localhost").get("/").status_code == 200


def test_times_are_shown_in_the_satker_time_zone_with_its_label(db, province_jatim):
    onboard_satker(SatkerSpec("5100", "province", "Provinsi Bali", "bali", "Asia/Makassar"))
    onboard_satker(SatkerSpec("9400", "province", "Provinsi Papua", "papua", "Asia/Jayapura"))
    assert "WITA" in Client(HTTP_HOST="bali.localhost").get("/").content.decode()
    assert "WIT" in Client(HTTP_HOST="papua.localhost").get("/").content.decode()
    assert "WIB" in client_for(province_jatim).get("/").content.decode()


def test_english_is_available(db, satker_a):
    client = client_for(satker_a)
    assert "Selamat datang" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Welcome to" in client.get("/").content.decode()


def test_host_header_with_port_routes_the_same(db, satker_a):
    assert Client(HTTP_HOST=f"{host_of(satker_a)}:8000").get("/").status_code == 200


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_satker_admin_sets_branding_that_only_their_site_shows(db, satker_a, satker_b, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.models import Role
    from tests.conftest import create_user

    settings.MEDIA_ROOT = tmp_path
    admin = create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN)
    client = client_for(satker_a, admin)
    response = client.post(
        "/pengaturan/tampilan/",
        {
            "display_name": "BPS Kab. Sidoarjo",
            "primary_color": "#7a1f5c",
            "logo": SimpleUploadedFile("x.png", PNG, content_type="image/png"),
        },
    )
    assert response.status_code == 302

    satker_a.refresh_from_db()
    assert satker_a.logo.name.startswith("satkers/sidoarjokab/branding/logo")
    page = client.get("/").content.decode()
    assert "BPS Kab. Sidoarjo" in page and "#7a1f5c" in page and satker_a.logo.url in page
    assert satker_a.logo.url not in client_for(satker_b).get("/").content.decode()


def test_branding_refuses_scripts_disguised_as_logos_and_other_roles(db, satker_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.models import Role
    from tests.conftest import create_user

    admin = create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN)
    svg = SimpleUploadedFile("logo.png", b"<svg onload='alert(1)'/>", content_type="image/png")
    response = client_for(satker_a, admin).post("/pengaturan/tampilan/", {"primary_color": "#000000", "logo": svg})
    assert response.status_code == 400 and "PNG atau JPG" in response.content.decode()

    officer = create_user(satker_a, "petugas@a.example", role=Role.OFFICER)
    assert client_for(satker_a, officer).post("/pengaturan/tampilan/", {"primary_color": "#000000"}).status_code == 403
    satker_a.refresh_from_db()
    assert satker_a.primary_color == "#0B5394"
