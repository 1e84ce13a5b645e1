"""One HaloPST account for every satker: made on the portal, it signs the consumer in at any
satker through a signed one-time statement for that satker and that browser session, with a
local account linked to it; sessions stay host-only and each satker's data in its schema."""

import time

import pytest
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client
from django_tenants.utils import schema_context

from core.models import Role, User
from core.services import portal_sign_in_token, sign_in_from_portal
from tenants.models import Satker
from tests.conftest import PASSWORD, client_for, create_user, delete_public_users, host_of

SIGN_UP = {
    "full_name": "Siti Aminah",
    "email": "siti.satu@example.com",
    "whatsapp": "0812-3456-7890",
    "password": PASSWORD,
    "consent": "on",
}


@pytest.fixture
def identity(db):
    """A HaloPST account made through the portal's sign-up page, and its signed-in browser."""
    browser = Client(HTTP_HOST=settings.HALOPST_BASE_DOMAIN)
    assert browser.post("/akun/daftar/", SIGN_UP).status_code == 302
    with schema_context("public"):
        account = User.objects.get(email=SIGN_UP["email"])
    yield account, browser
    delete_public_users(account)


def through_the_portal(portal_browser, satker_browser, satker, next_path="/konsultasi/"):
    """The satker's "Sign in with a HaloPST account", answered by the portal; returns the
    satker's answer to the portal's statement."""
    start = satker_browser.get("/akun/ke-portal/", {"next": next_path})
    assert start["Location"].startswith(f"http://{settings.HALOPST_BASE_DOMAIN}/akun/masuk-ke/{satker.code}/?state=")
    statement = portal_browser.get(start["Location"])
    assert statement.status_code == 302 and statement["Location"].startswith(
        f"http://{host_of(satker)}/akun/dari-portal/?token="
    )
    return satker_browser.get(statement["Location"])


def test_one_account_signs_in_at_every_satker_with_a_local_account_each(identity, satker_a, satker_b):
    account, portal_browser = identity
    for satker in (satker_a, satker_b):
        browser = Client(HTTP_HOST=host_of(satker))
        signed_in = through_the_portal(portal_browser, browser, satker)
        assert signed_in.status_code == 302 and signed_in["Location"] == "/konsultasi/"
        assert browser.get("/konsultasi/").status_code == 200
        with schema_context(satker.schema_name):
            local = User.objects.get(portal_identity=account.pk)
            assert (local.email, local.full_name, local.role) == (SIGN_UP["email"], "Siti Aminah", Role.CONSUMER)
            assert not local.has_usable_password() and local.privacy_consent_at is not None
        # Signing in again finds the same local account.
        again = Client(HTTP_HOST=host_of(satker))
        assert through_the_portal(portal_browser, again, satker).status_code == 302
        with schema_context(satker.schema_name):
            assert User.objects.filter(email=SIGN_UP["email"]).count() == 1
    # Each satker's session is its own: Sidoarjo's cookie is not Surabaya's.
    assert Client(HTTP_HOST=host_of(satker_b)).get("/konsultasi/").status_code == 302


def test_a_statement_signs_in_once_at_its_satker_for_the_browser_that_asked(identity, satker_a, satker_b, monkeypatch):
    account, _portal_browser = identity
    with schema_context("public"):
        token = portal_sign_in_token(account, satker_a.code, "state-1")
    with schema_context(satker_b.schema_name), pytest.raises(ValidationError, match="tidak berlaku"):
        sign_in_from_portal(token, satker_b.code, "state-1")  # made for Sidoarjo
    with schema_context(satker_a.schema_name):
        with pytest.raises(ValidationError, match="tidak berlaku"):
            sign_in_from_portal(token, satker_a.code, "another-browser")
        assert sign_in_from_portal(token, satker_a.code, "state-1").portal_identity == account.pk
        with pytest.raises(ValidationError, match="sudah dipakai"):
            sign_in_from_portal(token, satker_a.code, "state-1")
        with schema_context("public"):
            late = portal_sign_in_token(account, satker_a.code, "state-2")
        later = time.time() + 61
        monkeypatch.setattr(signing.time, "time", lambda: later)
        with pytest.raises(ValidationError, match="kedaluwarsa"):
            sign_in_from_portal(late, satker_a.code, "state-2")


def test_a_link_made_for_someone_elses_browser_links_nothing(identity, satker_a):
    """A stranger starts the flow, then sends the portal's answer to a signed-in victim: if it
    linked, the stranger's HaloPST account would sign in as the victim."""
    _account, stranger_portal = identity
    victim = create_user(satker_a, "korban@example.com")
    stranger = Client(HTTP_HOST=host_of(satker_a))
    start = stranger.get("/akun/ke-portal/")
    answer = stranger_portal.get(start["Location"])["Location"]
    refused = client_for(satker_a, victim).get(answer)
    assert refused.status_code == 400 and "tidak berlaku" in refused.content.decode()
    with schema_context(satker_a.schema_name):
        victim.refresh_from_db()
        assert victim.portal_identity is None


def test_an_existing_account_with_that_email_is_linked_only_by_its_owner(identity, satker_a):
    account, portal_browser = identity
    owner = create_user(satker_a, SIGN_UP["email"], full_name="Siti Lokal")
    refused = through_the_portal(portal_browser, Client(HTTP_HOST=host_of(satker_a)), satker_a)
    assert refused.status_code == 409 and "hubungkan akun HaloPST Anda dari profil" in refused.content.decode()
    with schema_context(satker_a.schema_name):
        owner.refresh_from_db()
        assert owner.portal_identity is None

    owner_browser = client_for(satker_a, owner)
    assert "Hubungkan akun HaloPST" in owner_browser.get("/akun/profil/").content.decode()
    linked = through_the_portal(portal_browser, owner_browser, satker_a, next_path="/akun/profil/")
    assert linked.status_code == 302 and linked["Location"] == "/akun/profil/"
    with schema_context(satker_a.schema_name):
        owner.refresh_from_db()
        assert owner.portal_identity == account.pk
    # From now on the HaloPST account signs in as that same local account.
    fresh = Client(HTTP_HOST=host_of(satker_a))
    assert through_the_portal(portal_browser, fresh, satker_a).status_code == 302
    assert "Siti Lokal" in fresh.get("/akun/profil/").content.decode()


def test_staff_accounts_do_not_travel_and_strangers_meet_the_portal_login(satker_a):
    public = Satker.objects.get(schema_name="public")
    admin = create_user(public, "pusat-sso@halopst.example", role=Role.NATIONAL_ADMIN)
    try:
        assert client_for(public, admin).get(f"/akun/masuk-ke/{satker_a.code}/?state=x").status_code == 403
    finally:
        delete_public_users(admin)
    anonymous = Client(HTTP_HOST=settings.HALOPST_BASE_DOMAIN).get(f"/akun/masuk-ke/{satker_a.code}/?state=x")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/akun/masuk/?next=")
    assert Client(HTTP_HOST=settings.HALOPST_BASE_DOMAIN).get("/akun/masuk-ke/9999/").status_code in (302, 404)
