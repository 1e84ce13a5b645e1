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
