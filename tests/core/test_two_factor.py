"""Admins need a TOTP code once per session; others never see it."""

import hashlib
import hmac
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from core.models import Role
from core.services import two_factor_secret
from tests.conftest import PASSWORD, authenticator_code, code_of_step, create_user, host_of, last_accepted_step


def log_in(satker, user):
    client = Client(HTTP_HOST=host_of(satker))
    assert client.post("/akun/masuk/", {"username": user.email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def no_wait_after_a_wrong_code(settings):
    """These tests send wrong codes on purpose, then right ones at once; a person would wait the
    second django-otp asks after a failure (tested in test_wrong_codes_slow_the_next_try)."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def test_admin_must_set_up_and_confirm_a_code(satker_a, no_wait_after_a_wrong_code):
    admin = create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN)
    client = log_in(satker_a, admin)
    response = client.get("/pengaturan/petugas/")
    assert response.status_code == 302 and response["Location"].startswith("/akun/2fa/")
    assert client.get("/api/v1/me/").status_code == 403
    setup = client.get("/akun/2fa/").content.decode()
    with schema_context(satker_a.schema_name):
        device = TOTPDevice.objects.get(user=admin)
    secret = two_factor_secret(device)
    assert secret in setup and not device.confirmed
    assert "otpauth://totp/HaloPST%3Aadmin%40a.example?secret=" + secret in setup
    assert client.post("/akun/2fa/", {"code": "000000"}).status_code == 400
    confirmed = client.post("/akun/2fa/?next=/pengaturan/petugas/", {"code": authenticator_code(satker_a, admin)})
    # The first confirmation shows the recovery codes, once, then goes on where the admin was going.
    assert confirmed["Location"] == "/akun/2fa/kode-cadangan/?next=%2Fpengaturan%2Fpetugas%2F"
    shown = client.get(confirmed["Location"]).content.decode()
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", shown)
    assert len(codes) == 10 and 'href="/pengaturan/petugas/"' in shown
    assert not re.findall(r"<code>", client.get("/akun/2fa/kode-cadangan/").content.decode())
    assert client.get("/pengaturan/petugas/").status_code == 200
    with schema_context(satker_a.schema_name):
        device.refresh_from_db()
        assert device.confirmed
    # A new session asks again (the device is kept, no new secret shown).
    again = log_in(satker_a, admin)
    page = again.get("/akun/2fa/").content.decode()
    assert secret not in page and again.get("/pengaturan/petugas/").status_code == 302

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
        tokens = StaticToken.objects.filter(device__user=admin)
        assert tokens.count() == 10
        # Only keyed hashes are kept, never the codes in any spelling.
        assert not tokens.filter(token__in=codes + [code.replace("-", "") for code in codes]).exists()


def test_a_code_is_accepted_once(satker_a, no_wait_after_a_wrong_code):
    """RFC 6238 §5.2: two sessions, the same code; the second is refused, and an older code too."""
    admin = create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN)
    first, second = log_in(satker_a, admin), log_in(satker_a, admin)
    first.get("/akun/2fa/")
    code = authenticator_code(satker_a, admin)
    assert first.post("/akun/2fa/", {"code": code}).status_code == 302
    replayed = second.post("/akun/2fa/", {"code": code})
    assert replayed.status_code == 400 and "sudah dipakai" in replayed.content.decode()
    accepted = last_accepted_step(satker_a, admin)
    assert second.post("/akun/2fa/", {"code": code_of_step(satker_a, admin, accepted - 1)}).status_code == 400
    assert second.get("/pengaturan/petugas/").status_code == 302  # still not verified
    following = code_of_step(satker_a, admin, accepted + 1)
    assert second.post("/akun/2fa/", {"code": following}).status_code == 302  # the next code


def test_one_code_sent_by_many_sessions_at_once_verifies_one(make_satker):
    satker = make_satker()
    admin = create_user(satker, "kepala@a.example", role=Role.SATKER_ADMIN)
    sessions = [log_in(satker, admin) for _ in range(6)]
    sessions[0].get("/akun/2fa/")
    code = authenticator_code(satker, admin)
    barrier = threading.Barrier(len(sessions))

    def send(client):
        try:
            barrier.wait()
            return client.post("/akun/2fa/", {"code": code}).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
        outcomes = list(pool.map(send, sessions))
    assert sorted(outcomes) == [302] + [400] * 5


def test_wrong_codes_slow_the_next_try(satker_a, settings):
    """After wrong codes the right one waits too (django-otp's throttle), and the page says how long."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 600
    admin = create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN)
    client = log_in(satker_a, admin)
    client.get("/akun/2fa/")
    assert client.post("/akun/2fa/", {"code": "000000"}).status_code == 400
    held = client.post("/akun/2fa/", {"code": authenticator_code(satker_a, admin)})
    assert held.status_code == 400 and "Terlalu banyak kode salah" in held.content.decode()
    assert client.get("/pengaturan/petugas/").status_code == 302


def old_recovery_hash(code: str) -> str:
    """How core stored a recovery code before django-otp: the whole keyed hash."""
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def test_devices_from_before_django_otp_keep_working(make_satker, no_wait_after_a_wrong_code):
    """Migration core.0009: an admin's app keeps its key and its last used step; their unused
    recovery codes still work, the used ones still do not."""
    satker = make_satker()
    admin = create_user(satker, "lama@a.example", role=Role.SATKER_ADMIN)
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    step = int(time.time() // 30)
    with schema_context(satker.schema_name):
        executor = MigrationExecutor(connection)
        executor.migrate([("core", "0008_invitation_salt")])
        executor.loader.build_graph()
        old = executor.loader.project_state([("core", "0008_invitation_salt")]).apps
        device = old.get_model("core", "TwoFactorDevice").objects.create(
            user_id=admin.pk, secret=secret, confirmed_at=timezone.now(), last_step=step
        )
        codes = old.get_model("core", "RecoveryCode").objects
        codes.create(device=device, code_hash=old_recovery_hash("abcdefghjk"))
        codes.create(device=device, code_hash=old_recovery_hash("mnpqrstuvw"), used_at=timezone.now())
        forward = MigrationExecutor(connection)
        forward.migrate(forward.loader.graph.leaf_nodes("core"))  # 0009, and what came after it
        migrated = TOTPDevice.objects.get(user=admin)
        assert migrated.confirmed and two_factor_secret(migrated) == secret and migrated.last_t == step
    client = log_in(satker, admin)
    used = code_of_step(satker, admin, step)
    assert client.post("/akun/2fa/", {"code": used}).status_code == 400  # its step was used before the move
    assert client.post("/akun/2fa/", {"code": "mnpqr-stuvw"}).status_code == 400
    assert client.post("/akun/2fa/", {"code": "abcde-fghjk"}).status_code == 302


def test_consumers_and_officers_are_not_asked(satker_a):
    for role in (Role.CONSUMER, Role.OFFICER):
        user = create_user(satker_a, f"{role}@a.example", role=role)
        client = log_in(satker_a, user)
        assert client.get("/akun/profil/").status_code == 200
        assert client.get("/akun/2fa/").status_code == 302  # nothing to do here
