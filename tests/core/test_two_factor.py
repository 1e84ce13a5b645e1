"""Admins need a TOTP code once per session; others never see it."""

import time

from django.test import Client
from django_tenants.utils import schema_context

from core import totp
from core.models import Role, TwoFactorDevice
from tests.conftest import PASSWORD, create_user, host_of


def log_in(satker, user):
    client = Client(HTTP_HOST=host_of(satker))
    assert client.post("/akun/masuk/", {"username": user.email, "password": PASSWORD}).status_code == 302
    return client


def test_rfc_6238_test_vector():
    # RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits) → the last 6 digits.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"
    assert totp.code_at(secret, 59) == "287082"
    assert totp.verify(secret, "287082", moment=59 + 30) and not totp.verify(secret, "287082", moment=59 + 95)


def test_admin_must_set_up_and_confirm_a_code(satker_a):
    admin = create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN)
    client = log_in(satker_a, admin)
    response = client.get("/pengaturan/petugas/")
    assert response.status_code == 302 and response["Location"].startswith("/akun/2fa/")
    assert client.get("/api/v1/me/").status_code == 403
    setup = client.get("/akun/2fa/").content.decode()
    with schema_context(satker_a.schema_name):
        device = TwoFactorDevice.objects.get(user=admin)
    assert device.secret in setup and device.confirmed_at is None
    assert client.post("/akun/2fa/", {"code": "000000"}).status_code == 400
    assert client.post("/akun/2fa/?next=/pengaturan/petugas/",
                       {"code": totp.code_at(device.secret, time.time())})["Location"] == "/pengaturan/petugas/"
    assert client.get("/pengaturan/petugas/").status_code == 200
    with schema_context(satker_a.schema_name):
        device.refresh_from_db()
        assert device.confirmed_at is not None
    # A new session asks again (the device is kept, no new secret shown).
    again = log_in(satker_a, admin)
    page = again.get("/akun/2fa/").content.decode()
    assert device.secret not in page and again.get("/pengaturan/petugas/").status_code == 302


def test_consumers_and_officers_are_not_asked(satker_a):
    for role in (Role.CONSUMER, Role.OFFICER):
        user = create_user(satker_a, f"{role}@a.example", role=role)
        client = log_in(satker_a, user)
        assert client.get("/akun/profil/").status_code == 200
        assert client.get("/akun/2fa/").status_code == 302  # nothing to do here
