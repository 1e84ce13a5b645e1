"""The national layer in a real browser: a need typed on the portal leads to the right
satker's booking form, and the province command centre changes live when a request is made."""

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from booking.models import Consultation
from core.models import Role, User
from tenants.models import Satker
from tests.booking.conftest import at, make_officer, next_weekday, request
from tests.browser.test_booking_story import sign_up
from tests.browser.test_live_badge import log_in
from tests.conftest import PASSWORD, authenticator_code, create_user, delete_public_users

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]
NEED = "data kemiskinan Lumajangbaru 2023"


def portal_of(web_server) -> str:
    return web_server.replace("{}.", "")


def test_a_need_typed_on_the_portal_lands_on_the_satkers_booking_form(make_satker, web_server, phone):
    decoy = make_satker()  # another satker with the same expertise: the place decides
    make_officer(
        decoy, "dewi@petugas.example", full_name="Dewi Lestari", hours=[(day, "08:00", "16:00") for day in range(7)]
    )
    satker = make_satker(name="Kabupaten Lumajangbaru")
    officer = make_officer(
        satker, "rina@petugas.example", full_name="Rina Kusumawati", hours=[(day, "08:00", "16:00") for day in range(7)]
    )
    create_user(satker, "siti@example.com", full_name="Siti Aminah")

    page = phone()
    page.goto(portal_of(web_server) + "/")
    page.get_by_role("searchbox").fill(NEED)
    page.get_by_role("button", name="Cari").click()
    suggestions = page.locator(".suggestions")
    suggestions.get_by_text("Kabupaten Lumajangbaru").wait_for()
    assert "Dewi Lestari" not in suggestions.inner_text()
    suggestions.get_by_role("link", name="Rina Kusumawati").click()

    page.wait_for_url(f"**/petugas/{officer.pk}/jadwal/**")
    assert page.url.startswith(web_server.format(satker.subdomain))
    page.locator("a.slot").first.click()
    page.get_by_label("Email").fill("siti@example.com")  # consumer accounts are per satker: sign in here
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/konsultasi/baru/**")
    assert page.get_by_label("Topik").input_value() == NEED
    assert "Rina Kusumawati" in page.content()


@pytest.fixture
def province_admin(make_satker):
    admin = create_user(
        Satker.objects.get(schema_name="public"),
        "jatim-browser@halopst.example",
        role=Role.PROVINCE_ADMIN,
        managed_province=Satker.objects.get(code="3500"),
    )
    yield admin
    delete_public_users(admin)


def test_the_command_centre_updates_live_when_a_request_is_made(
    make_satker, web_server, phone, province_admin, eager_celery
):
    satker = make_satker()
    officer = make_officer(satker, "rina@petugas.example", hours=[(day, "08:00", "16:00") for day in range(7)])
    consumer = create_user(satker, "siti@example.com", full_name="Siti")
    portal = portal_of(web_server)

    page = phone()
    log_in(page, portal, province_admin.email)
    page.wait_for_url("**/akun/2fa/**")
    page.get_by_label("Kode 6 digit").fill(authenticator_code(Satker.objects.get(schema_name="public"), province_admin))
    page.get_by_role("button", name="Verifikasi").click()
    page.goto(portal + "/konsol/pusat-komando/")
    pending = page.locator(f'tr[data-code="{satker.code}"] [data-field="pending"]')
    assert pending.inner_text() == "0"
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=30000)

    with schema_context(satker.schema_name):
        request(satker, consumer, officer, at(satker, next_weekday(satker.timezone), 8))
    # A locator wait, not wait_for_function: polling a JS string is eval, which the page's CSP
    # forbids, so that only worked when the first check already passed (a race on a busy CPU).
    expect(pending).to_have_text("1", timeout=30000)
    assert page.locator(f'tr[data-code="{satker.code}"]').evaluate("row => row.classList.contains('updated')")


def test_a_new_consumer_goes_from_the_portal_through_sign_up_to_a_booked_request(make_satker, web_server, phone):
    satker = make_satker(name="Kabupaten Lumajangbaru")
    make_officer(
        satker, "rina@petugas.example", full_name="Rina Kusumawati", hours=[(day, "08:00", "16:00") for day in range(7)]
    )
    taps = fields = 0

    page = phone()
    page.goto(portal_of(web_server) + "/")
    page.get_by_role("searchbox").fill(NEED)
    fields += 1
    page.get_by_role("button", name="Cari").click()
    page.locator(".suggestions").get_by_role("link", name="Rina Kusumawati").click()
    page.locator("a.slot").first.click()
    taps += 3
    page.wait_for_url("**/akun/masuk/**")  # the slot needs an account: sign-up is one tap away
    page.get_by_role("link", name="Buat akun").last.click()
    sign_up(page, "Siti Aminah", "siti.baru@example.com", "0812-3456-7890")
    taps += 4  # the link, the consent tick, the button
    fields += 4

    # Back on the request form with the slot and the need kept: only what the officer must know.
    page.wait_for_url("**/konsultasi/baru/**")
    assert page.get_by_label("Topik").input_value() == NEED
    page.get_by_label("Data apa yang Anda perlukan").fill("Garis kemiskinan 2023 dan metodenya")
    page.get_by_label("Tujuan").select_option("study")
    page.get_by_label("Anda adalah").select_option("student")
    page.get_by_role("button", name="Kirim permintaan").click()
    taps += 1
    fields += 3
    page.get_by_text("Permintaan Anda sudah terkirim").wait_for()
    assert page.locator("#status").inner_text() == "Diajukan"
    with schema_context(satker.schema_name):
        booked = Consultation.objects.get(consumer__email="siti.baru@example.com")
        assert booked.topic == NEED and booked.officer.user.email == "rina@petugas.example"
    print(f"\nportal to a booked request: {taps} taps and {fields} fields")


def test_one_halopst_account_signs_in_at_two_offices(make_satker, web_server, phone):
    first, second = make_satker(name="Kabupaten Satu"), make_satker(name="Kota Dua")
    page = phone()
    page.goto(portal_of(web_server) + "/akun/masuk/")
    page.get_by_role("link", name="Buat akun HaloPST").click()
    sign_up(page, "Siti Aminah", "siti.portal@example.com", "0812-3456-7890")
    try:
        for satker in (first, second):
            page.goto(web_server.format(satker.subdomain) + "/akun/masuk/")
            page.get_by_role("link", name="Masuk dengan akun HaloPST").click()
            page.get_by_text("Anda masuk dengan akun HaloPST Anda.").wait_for()
            assert page.url.startswith(web_server.format(satker.subdomain))
            assert page.locator("a.who").inner_text() == "Siti"
    finally:
        delete_public_users(*User.objects.filter(email="siti.portal@example.com"))
