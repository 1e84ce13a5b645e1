"""Asking in writing on a phone: a consumer with no free time in sight asks without an
appointment, the officer answers with a table from the inbox, and the consumer's open thread
shows the answer without a reload."""

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from conversations.models import CannedReply
from tests.booking.conftest import make_officer
from tests.browser.test_booking_story import shot
from tests.browser.test_live_badge import log_in
from tests.conftest import create_user

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


@pytest.fixture
def uploads(monkeypatch, tmp_path):
    """The server's uploads go to a folder of this test, not the checkout's media/."""
    monkeypatch.setenv("HALOPST_MEDIA_ROOT", str(tmp_path / "media"))


@pytest.fixture
def scene(uploads, make_satker, web_server, tmp_path):
    satker = make_satker()
    # No opening hours at all: a week of "no free time" for her topic.
    make_officer(satker, "rina@petugas.example", full_name="Rina Kemiskinan", hours=[])
    create_user(satker, "siti@example.com", full_name="Siti")
    with schema_context(satker.schema_name):
        CannedReply.objects.create(title="Sumber data", body="Sumber: BPS Kabupaten Sidoarjo.")
    table = tmp_path / "garis-kemiskinan-sidoarjo-2023.csv"
    table.write_text("tahun,garis_kemiskinan\n2023,570123\n")
    return web_server.format(satker.subdomain), table


def test_a_question_without_an_appointment_is_answered_with_a_file_live(scene, phone):
    base, table = scene
    consumer = phone()
    log_in(consumer, base, "siti@example.com")
    consumer.goto(base + "/keahlian/kemiskinan-kesejahteraan/jadwal/")
    expect(consumer.locator("#no-free-time")).to_be_visible()
    consumer.get_by_role("link", name="Tanya secara tertulis").click()
    expect(consumer.get_by_label("Topik")).to_have_value("kemiskinan-kesejahteraan")
    consumer.get_by_label("Pertanyaan Anda dalam beberapa kata").fill("Garis kemiskinan Sidoarjo 2023")
    consumer.get_by_label("Data apa yang Anda perlukan, dan untuk apa?").fill("Untuk skripsi, per tahun.")
    consumer.get_by_role("button", name="Kirim pertanyaan").click()
    consumer.get_by_text("Pertanyaan Anda sudah terkirim").wait_for()
    # Rina has no hours on duty: the question waits for her in the queue, and Siti is told so.
    expect(consumer.locator("#state")).to_have_text("Menunggu petugas")
    expect(consumer.locator("#opening")).to_have_text("Petugas akan membalas di sini secepatnya.")
    expect(consumer.locator("#bell-count")).to_have_attribute("data-count", "0", timeout=30000)  # socket open
    shot(consumer, "conversation-asked")

    officer = phone()
    log_in(officer, base, "rina@petugas.example")
    officer.goto(base + "/percakapan/")
    officer.get_by_role("link", name="Garis kemiskinan Sidoarjo 2023").click()
    officer.locator("#id_reply_body").fill("Terlampir tabelnya. ")
    officer.get_by_text("Jawaban siap pakai").click()
    officer.get_by_role("button", name="Sumber data").click()  # a ready answer, dropped in to edit
    expect(officer.locator("#id_reply_body")).to_have_value("Terlampir tabelnya. Sumber: BPS Kabupaten Sidoarjo.")
    officer.locator("#id_reply_attachment").set_input_files(str(table))
    officer.get_by_role("button", name="Kirim").click()
    expect(officer.locator("#thread")).to_contain_text("Terlampir tabelnya")
    expect(officer.locator("#assignee")).to_have_text("Rina Kemiskinan")  # answering took it

    # No reload on the consumer's side: the answer and its file appear, and the bell counts it.
    expect(consumer.locator("#thread")).to_contain_text("Terlampir tabelnya", timeout=30000)
    expect(consumer.locator("#bell-count")).to_have_text("1", timeout=30000)
    expect(consumer.locator("#assignee")).to_have_text("Rina Kemiskinan")
    with consumer.expect_download() as download:
        consumer.get_by_role("link", name="garis-kemiskinan-sidoarjo-2023.csv").click()
    assert download.value.suggested_filename == "garis-kemiskinan-sidoarjo-2023.csv"
    assert open(download.value.path()).read() == table.read_text()
    shot(consumer, "conversation-answered")
