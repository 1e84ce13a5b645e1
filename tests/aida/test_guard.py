"""The number guard on its own: how numbers are read, and a stream cut anywhere."""

import pytest

from aida.guard import NumberGuard

SOURCES = "[D1] TPT, Kota Surabaya, 2019: 5.76 · [D2] Garis Kemiskinan 2024: 283321 · PDRB 2022: 28.734 (juta rupiah)"


@pytest.mark.parametrize(
    "text",
    [
        "TPT 2019 adalah 5,76 persen [D1].",
        "TPT 2019 adalah 5.76% [1].",
        "Garis kemiskinan Rp283.321 per kapita per bulan.",
        "Garis kemiskinan Rp 283,321.",
        "PDRB per kapita 28,734 juta rupiah.",
        "PDRB per kapita Rp28.734.000",  # 28.734 juta written out
        "1. Lihat tabel [D2].\n2. Tanyakan petugas.",  # list numbering and citations
    ],
)
def test_numbers_the_sources_gave_pass_in_any_notation(text):
    assert NumberGuard(SOURCES).unsupported(text) == []


@pytest.mark.parametrize(
    ("text", "invented"),
    [
        ("TPT 2019 adalah 5,67 persen.", ["5,67"]),
        ("TPT 2019 adalah 5,8 persen.", ["5,8"]),
        ("Garis kemiskinan Rp283.322.", ["283.322"]),
        ("PDRB 2023: 29,1 juta.", ["2023", "29,1"]),
        ("Sekitar 6 dari 100 orang.", ["6", "100"]),
    ],
)
def test_numbers_no_source_gave_are_named(text, invented):
    assert NumberGuard(SOURCES).unsupported(text) == invented


def test_a_stream_cut_anywhere_never_shows_an_invented_number():
    guard = NumberGuard(SOURCES)
    answer = "TPT 2019 adalah 5,76 persen, dan PDRB 28,734 juta; perkiraan 2025: 6,12 persen."
    for cut in range(len(answer) + 1):
        text = answer[:cut]
        settled = guard.settled(text)
        if not guard.unsupported(text[:settled]):
            # What would be shown holds no invented number, not even a prefix of one.
            assert "6,1" not in text[:settled] and "2025" not in text[:settled]
    assert guard.unsupported(answer) == ["2025", "6,12"]
