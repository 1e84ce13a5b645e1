"""Durations in words, as the dashboard says them."""

import pytest
from django.utils import translation

from core.templatetags.wording import minutes_in_words


@pytest.mark.parametrize(
    ("minutes", "indonesian", "english"),
    [
        (None, "–", "–"),
        (0, "kurang dari 1 menit", "less than 1 minute"),
        (1, "1 menit", "1 minute"),
        (90, "1 jam 30 menit", "1 hour 30 minutes"),
        (120, "2 jam", "2 hours"),
        (3 * 24 * 60 + 125, "3 hari 2 jam", "3 days 2 hours"),
    ],
)
def test_minutes_are_said_in_words(minutes, indonesian, english):
    with translation.override("id"):
        assert minutes_in_words(minutes) == indonesian
    with translation.override("en"):
        assert minutes_in_words(minutes) == english
