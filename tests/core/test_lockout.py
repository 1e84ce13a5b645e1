"""Lockout after repeated failed logins (django-axes, kept in the database of the account's own
schema), shown in the user's language, and lifted by an admin of that satker."""

from django.test import Client, override_settings
from django_tenants.utils import schema_context

from core.audit import entries
from core.models import Role
from tenants.models import Satker
from tests.conftest import PASSWORD, client_for, create_user, host_of


def log_in(satker, email, password, ip="10.1.1.1"):
    return Client(HTTP_HOST=host_of(satker), REMOTE_ADDR=ip).post(
        "/akun/masuk/", {"username": email, "password": password}
    )


@override_settings(AXES_FAILURE_LIMIT=3)
def test_an_account_locks_after_failures_and_a_satker_admin_unlocks_it(satker_a, satker_b):
    create_user(satker_a, "andi@example.com")
    create_user(satker_b, "andi@example.com")
    statuses = [
        log_in(satker_a, spelling, "salah-tebak", ip=f"10.2.0.{number}").status_code
        for number, spelling in enumerate(["andi@example.com", "ANDI@example.com", " andi@Example.com"])
    ]
    assert statuses == [200, 200, 429]  # the third failure locks, whatever the spelling or address
    locked = log_in(satker_a, "andi@example.com", PASSWORD, ip="10.9.9.9")
    assert locked.status_code == 429 and "Terlalu banyak percobaan masuk yang gagal" in locked.content.decode()
    # The same address on another satker is another account, with its own count.
    assert log_in(satker_b, "andi@example.com", PASSWORD).status_code == 302

    consumer = client_for(satker_a, create_user(satker_a, "sari@example.com"))
    assert consumer.get("/pengaturan/akun-terkunci/").status_code == 403
    admin = client_for(satker_a, create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN))
    assert "andi@example.com" in admin.get("/pengaturan/akun-terkunci/").content.decode()
    assert (
        "andi@example.com"
        not in client_for(satker_b, create_user(satker_b, "admin@b.example", role=Role.SATKER_ADMIN))
        .get("/pengaturan/akun-terkunci/")
        .content.decode()
    )
    assert admin.post("/pengaturan/akun-terkunci/", {}).status_code == 400
    assert admin.post("/pengaturan/akun-terkunci/", {"username": "andi@example.com"}).status_code == 302
    with schema_context(satker_a.schema_name):
        assert entries().filter(action="account.unlock", target="andi@example.com").exists()
    assert log_in(satker_a, "andi@example.com", PASSWORD, ip="10.9.9.9").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_mistyped_logins_of_other_accounts_never_lock_a_campus_address_out(satker_a):
    """Students behind one NAT: others' typos lock neither the address nor a real account
    (core.ratelimit slows an address that guesses many accounts, far above a campus's typos)."""
    create_user(satker_a, "mahasiswa@example.com")
    for number in range(20):
        assert log_in(satker_a, f"salahketik{number}@example.com", "salah", ip="10.3.3.3").status_code == 200
    assert log_in(satker_a, "mahasiswa@example.com", PASSWORD, ip="10.3.3.3").status_code == 302


def test_on_the_portal_only_national_admins_unlock(db):
    national = Satker.objects.get(schema_name="public")
    province = client_for(
        national,
        create_user(
            national, "prov@halopst.example", role=Role.PROVINCE_ADMIN, managed_province=Satker.objects.get(code="3500")
        ),
    )
    assert province.get("/pengaturan/akun-terkunci/").status_code == 403
    boss = client_for(national, create_user(national, "pusat@halopst.example", role=Role.NATIONAL_ADMIN))
    assert boss.get("/pengaturan/akun-terkunci/").status_code == 200


def test_password_policy_refuses_what_is_guessed_first(satker_a):
    form = {"full_name": "Andi", "email": "andi@example.com", "whatsapp": "081234567890", "consent": "on"}
    client = client_for(satker_a)
    for weak, reason in [
        ("sidoarjokab2026!", "nama HaloPST atau kantor ini"),
        ("halopst-rahasia-1", "nama HaloPST atau kantor ini"),
        ("kopitubruksidoarjo", "huruf dan sedikitnya satu angka atau simbol"),
        ("x" * 120 + "-1" * 10, "paling banyak 128"),
    ]:
        response = client.post("/akun/daftar/", {**form, "password": weak}, REMOTE_ADDR=f"10.5.{len(weak)}.1")
        assert response.status_code == 400 and reason in response.content.decode(), weak
    assert client.post("/akun/daftar/", {**form, "password": PASSWORD}, REMOTE_ADDR="10.5.9.9").status_code == 302
