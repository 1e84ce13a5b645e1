"""The province console and registry API: a province admin manages their own province only."""

import re

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from core.audit import entries
from core.models import Invitation, Role
from realtime.models import Delivery
from tenants.models import Satker
from tenants.services import SatkerSpec, onboard_satker
from tests.conftest import client_for, create_user


@pytest.fixture
def national(db):
    return Satker.objects.get(schema_name="public")


@pytest.fixture
def bali(db, province_jatim):
    province = onboard_satker(SatkerSpec("5100", "province", "Provinsi Bali", "bali", "Asia/Makassar"))
    onboard_satker(SatkerSpec("5171", "city", "Kota Denpasar", "denpasarkota", "Asia/Makassar"))
    return province


@pytest.fixture
def jatim_admin_client(national, province_jatim):
    admin = create_user(national, "jatim@halopst.example", role=Role.PROVINCE_ADMIN, managed_province=province_jatim)
    return client_for(national, admin)


NEW_REGENCY = {
    "code": "3525",
    "kind": "regency",
    "name": "Kabupaten Gresik",
    "subdomain": "gresikkab",
    "timezone": "Asia/Jakarta",
    "admin_email": "admin@gresik.example",
}


def test_province_admin_sees_only_their_province(jatim_admin_client, bali):
    listed = {row["code"] for row in jatim_admin_client.get("/api/v1/satkers/").json()}
    assert {"3500", "3515", "3578"} <= listed
    assert not {"5100", "5171", "0000"} & listed

    page = jatim_admin_client.get("/konsol/").content.decode()
    assert "Kabupaten Sidoarjo" in page and "Denpasar" not in page
    assert jatim_admin_client.get("/konsol/satker/5171/").status_code == 404
    assert jatim_admin_client.get("/api/v1/satkers/5171/").status_code == 404
    assert jatim_admin_client.post("/konsol/satker/5171/status/").status_code == 404
    assert Satker.objects.get(code="5171").is_active


def test_province_admin_onboards_a_regency_by_page_and_by_api(jatim_admin_client, eager_celery):
    response = jatim_admin_client.post("/konsol/satker/baru/", NEW_REGENCY)
    assert response.status_code == 302
    satker = Satker.objects.get(code="3525")
    assert satker.parent.code == "3500"
    with schema_context("gresikkab"):
        assert Invitation.objects.get().email == "admin@gresik.example"

    api = jatim_admin_client.post(
        "/api/v1/satkers/",
        {**NEW_REGENCY, "code": "3526", "name": "Kabupaten Bangkalan", "subdomain": "bangkalankab"},
        content_type="application/json",
    )
    assert api.status_code == 201
    assert api.json()["domain"] == "bangkalankab.localhost"
    assert Client(HTTP_HOST="bangkalankab.localhost").get("/").status_code == 200
    # The page and the API onboard through the same service, and both leave their audit entry.
    with schema_context("public"):
        onboarded = entries().filter(action="satker.onboard", actor_email="jatim@halopst.example")
        assert set(onboarded.values_list("target", flat=True)) == {"3525", "3526"}


def test_province_admin_cannot_onboard_outside_their_province(jatim_admin_client, bali):
    denied = jatim_admin_client.post(
        "/api/v1/satkers/",
        {**NEW_REGENCY, "code": "5172", "subdomain": "badungkab", "timezone": "Asia/Makassar"},
        content_type="application/json",
    )
    assert denied.status_code == 403
    page = jatim_admin_client.post(
        "/konsol/satker/baru/", {**NEW_REGENCY, "kind": "province", "code": "3600", "subdomain": "banten"}
    )
    assert page.status_code == 400
    assert "provinsi Anda sendiri" in page.content.decode()
    assert not Satker.objects.filter(code__in=["5172", "3600"]).exists()


def test_bad_onboarding_input_is_a_clear_400_not_a_500(jatim_admin_client):
    response = jatim_admin_client.post(
        "/api/v1/satkers/", {**NEW_REGENCY, "code": "35", "timezone": "UTC"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"code", "timezone"}
    duplicate = jatim_admin_client.post(
        "/api/v1/satkers/", {**NEW_REGENCY, "subdomain": "sidoarjokab"}, content_type="application/json"
    )
    assert duplicate.status_code == 400 and "subdomain" in duplicate.json()


def test_province_admin_can_suspend_a_regency_but_not_their_province(jatim_admin_client, satker_a):
    assert jatim_admin_client.post("/konsol/satker/3515/status/").status_code == 302
    assert Satker.objects.get(code="3515").status == "suspended"
    assert jatim_admin_client.post("/konsol/satker/3500/status/").status_code == 403


def test_national_admin_grows_the_platform_with_a_province_and_its_admin(
    national, eager_celery, django_capture_on_commit_callbacks
):
    admin = create_user(national, "nasional@halopst.example", role=Role.NATIONAL_ADMIN)
    client = client_for(national, admin)
    created = client.post(
        "/api/v1/satkers/",
        {"code": "5100", "kind": "province", "name": "Provinsi Bali", "subdomain": "bali", "timezone": "Asia/Makassar"},
        content_type="application/json",
    )
    assert created.status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/konsol/satker/5100/undang/", {"email": "bali@halopst.example", "role": "province_admin"}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="bali@halopst.example")
    assert (invitation.role, invitation.managed_province.code) == ("province_admin", "5100")
    # E-mailed through the portal's own outbox, with a link on the portal.
    assert Delivery.objects.get(address="bali@halopst.example").status == "sent"
    sent = next(message for message in mail.outbox if message.to == ["bali@halopst.example"])
    assert re.search(r"http://localhost/akun/undangan/\S+", sent.body)
    assert "sebagai Admin provinsi" in sent.body


@pytest.mark.parametrize("role", [Role.SATKER_ADMIN, Role.OFFICER, Role.CONSUMER])
def test_satker_users_have_no_console(db, satker_a, role):
    user = create_user(satker_a, f"{role}@example.com", role=role)
    client = client_for(satker_a, user)
    assert client.get("/konsol/").status_code == 404
    assert client.get("/api/v1/satkers/").status_code == 404
    # Nor does their session open the console on the portal.
    portal = Client(HTTP_HOST="localhost")
    portal.cookies["sessionid"] = client.cookies["sessionid"].value
    assert portal.get("/api/v1/satkers/").status_code == 403
    assert portal.get("/konsol/").status_code == 302
