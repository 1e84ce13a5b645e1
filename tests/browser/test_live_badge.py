"""The bell changes live in the consumer's page when the officer acts in another browser."""

import pytest
from playwright.sync_api import expect

from tests.booking.conftest import at, make_officer, next_weekday, request
from tests.browser.test_booking_story import shot
from tests.conftest import PASSWORD, create_user

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def log_in(page, base, email):
    page.goto(base + "/akun/masuk/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()


@pytest.fixture
def scene(make_satker, web_server):
    """Data made before the browser starts: Playwright's event loop then owns this thread."""
    satker = make_satker()
    officer = make_officer(satker, "rina@petugas.example", hours=[(day, "08:00", "16:00") for day in range(7)])
    consumer = create_user(satker, "siti@example.com", full_name="Siti")
    booked = request(satker, consumer, officer, at(satker, next_weekday(satker.timezone, 0), 8))
    return web_server.format(satker.subdomain), booked


def test_badge_counts_up_live_when_the_officer_approves(scene, phone):
    base, booked = scene

    consumer_page = phone()
    log_in(consumer_page, base, "siti@example.com")
    consumer_page.goto(base + "/konsultasi/")
    bell = consumer_page.locator("#bell-count")
    expect(bell).to_have_attribute("data-count", "0", timeout=30000)
    assert bell.is_hidden()

    officer_page = phone()
    log_in(officer_page, base, "rina@petugas.example")
    officer_page.goto(base + f"/konsultasi/{booked.pk}/")
    officer_page.get_by_role("button", name="Setujui").click()
    officer_page.get_by_text("Tersimpan").wait_for()

    expect(bell).to_have_text("1", timeout=30000)  # a locator wait: polling a JS string is eval, which the CSP forbids
    assert bell.is_visible()
    shot(consumer_page, "5-badge")
    consumer_page.locator("a.bell").click()
    consumer_page.get_by_text("Konsultasi Anda disetujui").wait_for()
    consumer_page.get_by_role("button", name="Tandai semua sudah dibaca").click()
    expect(bell).to_have_attribute("data-count", "0", timeout=30000)


def test_officer_approves_from_the_inbox_and_the_consumers_open_page_follows_keeping_what_is_typed(scene, phone):
    base, booked = scene
    consumer_page = phone()
    log_in(consumer_page, base, "siti@example.com")
    consumer_page.goto(base + f"/konsultasi/{booked.pk}/")
    expect(consumer_page.locator("#bell-count")).to_have_attribute("data-count", "0", timeout=30000)  # socket open
    assert consumer_page.locator("#status").inner_text() == "Diajukan"

    officer_page = phone()
    log_in(officer_page, base, "rina@petugas.example")
    officer_page.wait_for_url("**/kotak-masuk/")  # an officer starts in the inbox
    officer_page.locator(f'a.row-link[href="/konsultasi/{booked.pk}/"]').click()
    officer_page.get_by_label("Tautan pertemuan").fill("https://meet.example.org/pst-7")
    officer_page.get_by_role("button", name="Setujui").click()
    officer_page.get_by_text("Tersimpan").wait_for()

    # No reload: the status, the meeting link and the history change in place.
    expect(consumer_page.locator("#status")).to_have_text("Disetujui", timeout=30000)
    expect(consumer_page.locator("#meeting-link")).to_have_text("https://meet.example.org/pst-7")
    expect(consumer_page.locator("#live-announcer")).to_have_text("Disetujui")

    # Half-way through writing a cancellation, the officer proposes another time: the text stays.
    consumer_page.locator("#id_cancel_reason").fill("Saya berhalangan karena")
    officer_page.get_by_label("Waktu baru").select_option(index=1)
    officer_page.locator("#id_propose_reschedule_reason").fill("Rapat pimpinan")
    officer_page.get_by_role("button", name="Usulkan").click()
    officer_page.get_by_text("Tersimpan").wait_for()
    expect(consumer_page.locator("#live-changed")).to_be_visible(timeout=30000)
    assert consumer_page.locator("#id_cancel_reason").input_value() == "Saya berhalangan karena"
    assert consumer_page.locator("#status").inner_text() == "Disetujui"
