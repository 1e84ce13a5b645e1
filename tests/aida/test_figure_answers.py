"""AIDA answers figure questions from the figures store: the card never depends on the model,
and the number guard keeps every number no source gave from reaching the user."""

import pytest
from django_tenants.utils import schema_context

from aida.models import Message
from aida.selectors import answers_to_review
from tests.aida.test_answers import ask, text_of

SURABAYA = "TPT kota surabaya 2019 sampai 2021"
PUBLISHED = ["5.76", "9.79", "9.68"]  # statdata/data/jatim_indikator.csv


def card_of(events):
    (card,) = [event for event in events if event["type"] == "figures"]
    return card


def test_without_a_key_the_figure_card_still_answers(satker_a, settings):
    settings.HALOPST_GEMINI_API_KEY = ""
    events = ask(satker_a, SURABAYA)
    card = card_of(events)
    assert events[0] is card  # drawn before any word of the answer
    assert [value["published"] for value in card["values"]] == PUBLISHED
    assert [value["shown"] for value in card["values"]] == ["5,76", "9,79", "9,68"]
    assert card["sources"][0]["demo"] is True and "Data demo" in card["sources"][0]["note"]
    text = text_of(events)
    # The words name the source; the values are the card's, not repeated.
    assert "Indikator kabupaten/kota Jawa Timur 2019–2024 (data demo)" in text and "5,76" not in text
    assert events[-1]["degraded"] == "no_key"


def test_the_model_phrases_the_figures_it_was_given(satker_a, gemini):
    wording = (
        "TPT Kota Surabaya naik dari 5,76 persen (2019) menjadi 9,79 persen (2020), lalu 9,68 persen pada 2021 [D1]."
    )
    gemini.answer = lambda body: wording
    events = ask(satker_a, SURABAYA)
    assert text_of(events) == wording and events[-1]["degraded"] == ""
    ((_method, request),) = gemini.answers
    prompt = request["contents"][-1]["parts"][0]["text"]
    assert "[D1] Tingkat Pengangguran Terbuka, Kota Surabaya, 2019: 5.76 persen" in prompt
    assert "DATA DEMO" in prompt
    with schema_context(satker_a.schema_name):
        stored = Message.objects.get(pk=events[-1]["message"])
        assert [value["published"] for value in stored.figures["values"]] == PUBLISHED


# What a model slips in: swapped digits, rounding, arithmetic, estimates, a future year's guess.
INVENTED = [
    ("TPT 2019 sebesar 5,67 persen", "5,67"),
    ("TPT 2020 sekitar 9,8 persen", "9,8"),
    ("TPT naik 4,03 poin dari 2019 ke 2020", "4,03"),
    ("kira-kira 10 persen penduduk usia kerja menganggur", "10"),
    ("jumlah penganggur sekitar 1,2 juta orang", "1,2"),
    ("pada 2025 TPT diperkirakan 8,1 persen", "2025"),
    ("TPT 2021 adalah 9.86%", "9.86"),
    ("the unemployment rate was 5.67 percent in 2019", "5.67"),
]


@pytest.mark.parametrize(("sentence", "number"), INVENTED)
def test_a_number_no_source_gave_never_reaches_the_user(satker_a, gemini, sentence, number):
    gemini.answer = lambda body: f"Menurut data resmi [D1], TPT 2019 adalah 5,76 persen; {sentence}. Semoga membantu."
    events = ask(satker_a, SURABAYA)
    streamed = text_of(events)
    assert number not in streamed  # not even for a moment
    (replaced,) = [event for event in events if event["type"] == "replace"]
    assert number not in replaced["text"] and "Indikator kabupaten/kota Jawa Timur" in replaced["text"]
    done = events[-1]
    assert done["degraded"] == "unsupported_number"
    with schema_context(satker_a.schema_name):
        answer = Message.objects.get(pk=done["message"])
        assert number not in answer.text and number in answer.error  # kept for the reviewer
        assert answers_to_review().first() == answer  # first in the officers' review queue


def test_a_year_not_published_is_said_plainly_without_the_model(satker_a, gemini):
    events = ask(satker_a, "tpt surabaya 2026")
    assert gemini.answers == []
    text = text_of(events)
    assert "tidak akan menebak" in text and "2019–2024" in text
    assert events[-1]["degraded"] == "not_held" and events[-1]["handoff_first"] is True


def test_an_ambiguous_area_is_asked_back_with_choices(satker_a, gemini):
    events = ask(satker_a, "tpt malang 2022")
    assert [choice["label"] for choice in events[-1]["choices"]] == ["Kabupaten Malang", "Kota Malang"]
    assert "Kabupaten Malang / Kota Malang" in text_of(events)
    assert events[-1]["degraded"] == "ask_back"


def test_a_figure_conversation_on_one_satker_is_not_seen_on_another(satker_a, satker_b, settings):
    settings.HALOPST_GEMINI_API_KEY = ""
    on_a = card_of(ask(satker_a, SURABAYA, session_key="s-a"))
    on_b = card_of(ask(satker_b, SURABAYA, session_key="s-b"))
    assert on_a == on_b  # the same public figures on every satker
    with schema_context(satker_b.schema_name):
        assert list(Message.objects.filter(conversation__session_key="s-a")) == []
        assert Message.objects.filter(conversation__session_key="s-b").count() == 2
