"""A satker admin sets an officer's weekly hours on a phone, with day rows and time pickers, and
the consumer's slot page follows."""

import pytest
from playwright.sync_api import expect

from core.models import Role
from tests.booking.conftest import make_officer, next_weekday
from tests.browser.test_live_badge import log_in
from tests.conftest import authenticator_code, create_user

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


@pytest.fixture
def scene(make_satker, web_server):
    satker = make_satker()
    officer = make_officer(
        satker, "rina@petugas.example", full_name="Rina Kusumawati", hours=[(day, "08:00", "16:00") for day in range(5)]
    )
    admin = create_user(satker, "admin@satker.example", role=Role.SATKER_ADMIN, full_name="Admin Satker")
    return satker, web_server.format(satker.subdomain), officer, admin


def test_admin_edits_weekly_hours_with_day_rows_and_the_slots_follow(scene, phone):
    satker, base, officer, admin = scene
    page = phone()
    log_in(page, base, admin.email)
    page.wait_for_url("**/akun/2fa/**")
    page.get_by_label("Kode 6 digit").fill(authenticator_code(satker, admin))
    page.get_by_role("button", name="Verifikasi").click()
    page.get_by_text("Pengaturan", exact=True).click()  # the settings menu opens
    page.get_by_role("link", name="Kelola petugas").click()
    page.get_by_role("link", name="Rina Kusumawati").click()

    hours = page.get_by_role("group", name="Jam layanan mingguan")
    assert hours.get_by_label("Senin, mulai", exact=True).input_value() == "08:00"
    # A mistake is caught per day and the summary leads to the editor.
    hours.get_by_label("Rabu, mulai", exact=True).fill("15:00")
    hours.get_by_label("Rabu, sampai", exact=True).fill("09:00")
    page.get_by_role("button", name="Simpan").first.click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Rabu: “sampai” harus lebih lambat daripada “mulai”.")
    summary.get_by_role("link").first.click()
    assert page.evaluate("location.hash") == "#id_weekly_hours"

    # Monday with a break, Wednesday put right.
    hours = page.get_by_role("group", name="Jam layanan mingguan")
    hours.get_by_label("Senin, mulai", exact=True).fill("09:00")
    hours.get_by_label("Senin, sampai", exact=True).fill("11:30")
    hours.get_by_label("Senin, mulai (2)").fill("13:00")
    hours.get_by_label("Senin, sampai (2)").fill("14:15")
    hours.get_by_label("Rabu, mulai", exact=True).fill("08:00")
    hours.get_by_label("Rabu, sampai", exact=True).fill("16:00")
    page.get_by_role("button", name="Simpan").first.click()
    page.get_by_text("Tersimpan").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling

    page.goto(base + f"/petugas/{officer.pk}/jadwal/")
    monday = next_weekday(satker.timezone, 0)
    day = page.locator(f'[data-day="{monday.isoformat()}"]')
    if day.count() == 0:  # the week shown may start later: page forward to that Monday
        page.goto(base + f"/petugas/{officer.pk}/jadwal/?minggu=1")
    slots = page.locator(f'[data-day="{monday.isoformat()}"] a.slot')
    expect(slots).to_have_text(["09:00", "10:15", "13:00"])  # 60-minute slots, 15 between
