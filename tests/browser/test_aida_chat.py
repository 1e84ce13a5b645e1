"""AIDA in a real browser: the answer streams into the page, with its sources and the handoff."""

import pytest

from tests.browser.test_booking_story import shot

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


@pytest.fixture
def site(make_satker, gemini_env, web_server):
    gemini_env.delay_between_chunks = 0.05
    return web_server.format(make_satker().subdomain)


def test_question_streams_an_answer_with_sources_and_a_way_to_an_officer(site, phone):
    page = phone()
    page.goto(site + "/")
    page.get_by_role("link", name="Tanya AIDA").click()
    page.get_by_label("Pertanyaan Anda").fill("Berapa garis kemiskinan dan bagaimana cara menghitungnya?")
    page.get_by_role("button", name="Tanya").click()
    answer = page.locator(".bubble-assistant").last
    answer.get_by_text("Garis kemiskinan dihitung").wait_for()
    page.get_by_role("link", name="[1] Garis kemiskinan dan cara menghitungnya").wait_for()
    shot(page, "6-aida")
    page.get_by_role("button", name="Tidak").click()
    page.get_by_role("button", name="Bicara dengan petugas").click()
    page.wait_for_url("**/petugas/")
    page.get_by_text("Berapa garis kemiskinan dan bagaimana cara menghitungnya?").wait_for()  # the question comes along


def test_a_figure_question_shows_the_card_with_its_source_and_asks_back_on_an_ambiguous_area(site, phone):
    page = phone()
    page.goto(site + "/aida/")
    page.get_by_label("Pertanyaan Anda").fill("TPT kota surabaya 2019 sampai 2021")
    page.get_by_role("button", name="Tanya").click()
    card = page.locator(".bubble-assistant .figure-card").last
    card.get_by_role("heading", name="Tingkat Pengangguran Terbuka (persen)").wait_for()
    rows = card.locator("tbody tr")
    assert [rows.nth(index).inner_text().split("\t") for index in range(rows.count())] == [
        ["Kota Surabaya", "2019", "5,76"],
        ["Kota Surabaya", "2020", "9,79"],
        ["Kota Surabaya", "2021", "9,68"],
    ]
    assert "Data demo" in card.locator(".figure-demo").inner_text()
    # The card fits the phone's width: nothing to scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "6b-aida-figures")

    page.get_by_label("Pertanyaan Anda").fill("tpt malang 2022")
    page.get_by_role("button", name="Tanya").click()
    page.get_by_role("button", name="Kota Malang").click()
    latest = page.locator(".bubble-assistant .figure-card").last
    latest.get_by_role("cell", name="Kota Malang").wait_for()


@pytest.fixture
def site_without_key(monkeypatch, make_satker, request):
    monkeypatch.delenv("HALOPST_GEMINI_API_KEY", raising=False)
    return request.getfixturevalue("web_server").format(make_satker().subdomain)  # started without a key


def test_without_a_key_the_knowledge_found_reads_as_cards_in_plain_words(site_without_key, phone):
    page = phone()
    page.goto(site_without_key + "/aida/")
    page.get_by_label("Pertanyaan Anda").fill("Bagaimana cara menghitung garis kemiskinan?")
    page.get_by_role("button", name="Tanya").click()
    answer = page.locator(".bubble-assistant").last
    card = answer.locator(".knowledge-card").first
    card.get_by_role("link", name="Garis kemiskinan dan cara menghitungnya").wait_for()
    assert card.locator("p").inner_text().strip()  # how the entry begins, not a bare link
    words = answer.inner_text()
    assert "tanpa bantuan AI" in words and "dikonfigurasi" not in words and "- Garis" not in words
    # The answer's beginning is on screen, not only the buttons under it.
    top = answer.evaluate("node => node.getBoundingClientRect().top")
    assert 0 <= top < 844
    shot(page, "6c-aida-without-key")
    page.reload()  # the conversation shown again keeps its cards
    page.locator(".bubble-assistant .knowledge-card").first.wait_for()
