"""The number guard: every number in AIDA's answer must be one its sources or the question gave.

The model phrases; it never supplies a figure. Before a piece of an answer reaches the user,
each number in it is read every way it could be meant — Indonesian (1.234,5) and English
(1,234.5) notation, a percentage, "juta"/"ribu"/"miliar" scaling — and at least one reading must
be a number of this turn's sources. A number still being streamed is held back until it ends,
so a wrong figure is never shown, not even for a moment.
"""

import re
from decimal import Decimal, InvalidOperation

# Digits glued to letters are names ("P0", "COVID19"), except after "Rp" (Rp283.321).
NUMBER = re.compile(r"(?:(?<=Rp)|(?<![\w.,]))[-−]?\d+(?:[.,]\d+)*")
SCALES = {"ribu": 10**3, "rb": 10**3, "thousand": 10**3, "juta": 10**6, "jt": 10**6, "million": 10**6}
SCALES |= {"miliar": 10**9, "milyar": 10**9, "billion": 10**9, "triliun": 10**12, "trillion": 10**12}
SCALE_AFTER = re.compile(r"\s*\(?(" + "|".join(SCALES) + r")\b", re.IGNORECASE)
# Citations ("[1]") and list numbering at the start of a line are the answer's layout, not figures.
LAYOUT = re.compile(r"\[\d+\]|^\s*\d{1,2}[.)](?=\s)", re.MULTILINE)


def readings(token: str) -> set[Decimal]:
    """Every value `token` can stand for: "1.234" is 1234 (Indonesian) or 1.234 (English)."""
    token = token.replace("−", "-")
    candidates = {token.replace(",", ""), token.replace(".", "").replace(",", ".")}
    if token.count(".") <= 1 and token.count(",") == 0:
        candidates.add(token)
    values = set()
    for candidate in candidates:
        try:
            value = Decimal(candidate)
        except InvalidOperation:
            continue
        if value.is_finite():
            values.add(value.normalize())
    return values


def numbers_in(text: str) -> list[tuple[str, set[Decimal], int, int]]:
    """(token, its readings with and without a following scale word, start, end) for each number."""
    text = LAYOUT.sub(lambda match: " " * len(match.group(0)), text)
    found = []
    for match in NUMBER.finditer(text):
        values = readings(match.group(0))
        scale = SCALE_AFTER.match(text, match.end())
        if scale:
            factor = SCALES[scale.group(1).lower()]
            values |= {(value * factor).normalize() for value in values}
        found.append((match.group(0), values, match.start(), match.end()))
    return found


class NumberGuard:
    def __init__(self, *sources: str):
        self.allowed: set[Decimal] = set()
        for text in sources:
            for _token, values, _start, _end in numbers_in(text):
                self.allowed |= values

    def unsupported(self, text: str) -> list[str]:
        """The numbers of `text` no source gave, in order."""
        return [token for token, values, _start, _end in numbers_in(text) if not values & self.allowed]

    @staticmethod
    def settled(text: str) -> int:
        """How much of a streaming `text` can be judged now: all of it but a number (or a
        number's scale word) that the next piece may still continue."""
        tail = re.search(r"[-−]?\d+(?:[.,]\d*)*\s*[a-zA-Z]*$", text)
        return tail.start() if tail else len(text)
