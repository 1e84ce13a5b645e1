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
