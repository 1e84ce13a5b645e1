"""The booking story in a real browser: sign up, book, approve, see it, complete, rate."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from booking.models import Consultation, Status
from tests.booking.conftest import make_officer
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
SHOTS = Path("/tmp/halopst-shots")


def sign_up(page, name, email, whatsapp):
    """Fill in and send the sign-up form as a person would (4 fields, the consent tick)."""
    page.get_by_label("Nama lengkap").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Nomor WhatsApp").fill(whatsapp)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_label("Saya telah membaca").check()
    page.get_by_role("button", name="Daftar").click()


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_consumer_books_officer_approves_consumer_rates(make_satker, web_server, phone):
    satker = make_satker()
    officer = make_officer(
        satker, "rina@petugas.example", full_name="Rina Kusumawati", hours=[(day, "08:00", "16:00") for day in range(7)]
    )
    base = web_server.format(satker.subdomain)

    consumer = phone()
    consumer.goto(base + "/")
    consumer.get_by_role("link", name="Buat akun").first.click()
    sign_up(consumer, "Siti Aminah", "siti@example.com", "081234567890")
    consumer.get_by_text("Akun Anda sudah siap").wait_for()

    consumer.get_by_role("link", name="Petugas").first.click()
    consumer.get_by_role("link", name="Kemiskinan & Kesejahteraan Sosial").click()
    consumer.get_by_role("link", name="Pesan konsultasi").click()
    shot(consumer, "1-slots")
    slot = consumer.locator("a.slot").first
    chosen_time = slot.inner_text()
    slot.click()
    consumer.get_by_label("Topik").fill("Garis kemiskinan Sidoarjo")
    consumer.get_by_label("Data apa yang Anda perlukan").fill("Garis kemiskinan 2023 dan cara menghitungnya")
    consumer.get_by_label("Tujuan").select_option("study")
    consumer.get_by_label("Anda adalah").select_option("student")
    shot(consumer, "2-request")
    consumer.get_by_role("button", name="Kirim permintaan").click()
    consumer.get_by_text("Permintaan Anda sudah terkirim").wait_for()
    assert consumer.locator("#status").inner_text() == "Diajukan"
    assert chosen_time in consumer.content()
    detail_url = consumer.url

    officer_page = phone()
    officer_page.goto(base + "/akun/masuk/")
    officer_page.get_by_label("Email").fill("rina@petugas.example")
    officer_page.get_by_label("Kata sandi").fill(PASSWORD)
    officer_page.get_by_role("button", name="Masuk").click()
    officer_page.get_by_role("link", name="Kotak masuk").click()
    officer_page.get_by_text("Garis kemiskinan Sidoarjo").click()
    officer_page.get_by_label("Tautan pertemuan").fill("https://meet.example.org/pst-sidoarjo-42")
    officer_page.get_by_role("button", name="Setujui").click()
    officer_page.get_by_text("Tersimpan").wait_for()

    consumer.goto(detail_url)
    assert consumer.locator("#status").inner_text() == "Disetujui"
    assert consumer.locator("#meeting-link").inner_text() == "https://meet.example.org/pst-sidoarjo-42"
    shot(consumer, "3-approved")

    # The consultation's hour comes.
    pk = int(re.search(r"/konsultasi/(\d+)/", detail_url).group(1))
    with schema_context(satker.schema_name):
        start = timezone.now() - timedelta(hours=2)
        Consultation.objects.filter(pk=pk).update(
            starts_at=start, ends_at=start + timedelta(hours=1), held_until=start + timedelta(hours=1)
        )
    officer_page.reload()
    officer_page.get_by_role("button", name="Tandai selesai").click()
    officer_page.get_by_text("Tersimpan").wait_for()

    consumer.reload()
    consumer.locator("#rate").click()
    consumer.locator("input[name=rating][value='5']").check()
    for element in range(1, 10):
        consumer.locator(f"input[name^='u{element}_'][value='4']").check()
    consumer.get_by_label("Komentar").fill("Sangat membantu")
    shot(consumer, "4-feedback")
    consumer.get_by_role("button", name="Kirim").click()
    consumer.get_by_text("Terima kasih atas penilaian Anda").wait_for()
    assert consumer.locator("#status").inner_text() == "Dinilai"
    with schema_context(satker.schema_name):
        consultation = Consultation.objects.get(pk=pk)
        assert consultation.status == Status.RATED and consultation.feedback.rating == 5
    assert officer.pk
