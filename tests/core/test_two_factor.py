"""Admins need a TOTP code once per session; others never see it."""

import re
import time

from django.test import Client
from django_tenants.utils import schema_context

from core import totp
from core.models import RecoveryCode, Role, TwoFactorDevice
from tests.conftest import PASSWORD, create_user, host_of


def log_in(satker, user):
    client = Client(HTTP_HOST=host_of(satker))
    assert client.post("/akun/masuk/", {"username": user.email, "password": PASSWORD}).status_code == 302
    return client


def test_rfc_6238_test_vector():
    # RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits) → the last 6 digits.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"
    assert totp.code_at(secret, 59) == "287082"
    assert totp.matching_step(secret, "287082", moment=59 + 30) == 1
    assert totp.matching_step(secret, "287082", moment=59 + 95) is None


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
    confirmed = client.post("/akun/2fa/?next=/pengaturan/petugas/", {"code": totp.code_at(device.secret, time.time())})
    # The first confirmation shows the recovery codes, once, then goes on where the admin was going.
    assert confirmed["Location"] == "/akun/2fa/kode-cadangan/?next=%2Fpengaturan%2Fpetugas%2F"
    shown = client.get(confirmed["Location"]).content.decode()
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", shown)
    assert len(codes) == 10 and 'href="/pengaturan/petugas/"' in shown
    assert not re.findall(r"<code>", client.get("/akun/2fa/kode-cadangan/").content.decode())
    assert client.get("/pengaturan/petugas/").status_code == 200
    with schema_context(satker_a.schema_name):
        device.refresh_from_db()
        assert device.confirmed_at is not None
    # A new session asks again (the device is kept, no new secret shown).
    again = log_in(satker_a, admin)
    page = again.get("/akun/2fa/").content.decode()
    assert device.secret not in page and again.get("/pengaturan/petugas/").status_code == 302

    # Lost phone: a recovery code works once, in any spelling, and is then spent.
    assert again.post("/akun/2fa/", {"code": codes[0].upper().replace("-", " ")}).status_code == 302
    assert again.get("/pengaturan/petugas/").status_code == 200
    third = log_in(satker_a, admin)
    assert third.post("/akun/2fa/", {"code": codes[0]}).status_code == 400
    # New codes void the old ones.
    assert third.post("/akun/2fa/", {"code": codes[1]}).status_code == 302
    fresh = re.findall(
        r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", third.post("/akun/2fa/kode-cadangan/").content.decode()
    )
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    assert log_in(satker_a, admin).post("/akun/2fa/", {"code": codes[2]}).status_code == 400
    with schema_context(satker_a.schema_name):
        assert RecoveryCode.objects.filter(device=device).count() == 10
        assert not RecoveryCode.objects.filter(code_hash__in=codes).exists()  # only keyed hashes are kept


def test_a_code_is_accepted_once(satker_a):
    """RFC 6238 §5.2: two sessions, the same code; the second is refused, and an older code too."""
    admin = create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN)
    first, second = log_in(satker_a, admin), log_in(satker_a, admin)
    first.get("/akun/2fa/")
    with schema_context(satker_a.schema_name):
        secret = TwoFactorDevice.objects.get(user=admin).secret
    now = time.time()
    code = totp.code_at(secret, now)
    assert first.post("/akun/2fa/", {"code": code}).status_code == 302
    replayed = second.post("/akun/2fa/", {"code": code})
    assert replayed.status_code == 400 and "sudah dipakai" in replayed.content.decode()
    assert second.post("/akun/2fa/", {"code": totp.code_at(secret, now - 30)}).status_code == 400
    assert second.get("/pengaturan/petugas/").status_code == 302  # still not verified
    assert second.post("/akun/2fa/", {"code": totp.code_at(secret, now + 30)}).status_code == 302  # the next code


def test_consumers_and_officers_are_not_asked(satker_a):
    for role in (Role.CONSUMER, Role.OFFICER):
        user = create_user(satker_a, f"{role}@a.example", role=role)
        client = log_in(satker_a, user)
        assert client.get("/akun/profil/").status_code == 200
        assert client.get("/akun/2fa/").status_code == 302  # nothing to do here
