"""Understanding a figure question: which indicator, which area, which period.

Consumers write "TPT kota surabaya 2019 sampai 2024", "jumlah penduduk miskin sidoarjo terbaru",
"unemployment rate Sidoarjo last five years", with abbreviations and typos. Names are matched
longest first on word boundaries (so "garis kemiskinan" is not also "kemiskinan"); a word no
alias matches is compared for typos against single-word aliases.
"""

import re
from dataclasses import dataclass, field
from difflib import get_close_matches

from statdata.models import Area, Variable

YEAR = r"(?:19[4-9]\d|20\d\d)"
RANGE = re.compile(
    rf"({YEAR})\s*(?:-|–|—|s/d|s\.d\.?|sd|sampai dengan|sampai|hingga|ke|to|until|till|through)\s*({YEAR})"
    rf"|(?:antara|between)\s+({YEAR})\s+(?:dan|and)\s+({YEAR})"
)
NUMBER_WORDS = {
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
    "sepuluh": 10,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
COUNT = r"(\d{1,2}|" + "|".join(NUMBER_WORDS) + r")"
LAST_YEARS = re.compile(rf"{COUNT}\s+tahun\s+(?:terakhir|belakangan|terakhir ini)|(?:last|past)\s+{COUNT}\s+years")
LATEST = re.compile(r"\b(terbaru|terkini|terakhir|saat ini|sekarang|latest|most recent|current|recent)\b")
# "What is TPT?" and "how is it calculated?" ask for a meaning or a method, not a figure
# (unless they name an area or a period too); "berapa", "jumlah", "data" ask for one.
ABOUT_THE_INDICATOR = re.compile(
    r"\b(apa itu|apa yang dimaksud|apakah yang dimaksud|definisi|pengertian|arti|konsep|bagaimana|cara|metode|"
    r"menghitung|dihitung|penghitungan|perhitungan|what is an?|what does|meaning|definition|how is|how are|"
    r"how do|calculated|computed|method)\b"
)
FIGURE_WORDS = re.compile(
    r"\b(berapa|jumlah|angka|nilai|data|tren|perkembangan|besarnya|how many|how much|figures?|values?|what was|"
    r"what were)\b"
)


@dataclass(frozen=True)
class Period:
    """years: the years asked for; last: the n latest held; neither: the latest held
    (`latest` says the question asked for it, so the answer need not point out the choice)."""

    years: tuple[int, ...] = ()
    last: int = 0
    latest: bool = False

    @property
    def given(self) -> bool:
        return bool(self.years or self.last)


@dataclass
class Understood:
    variables: list[Variable] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    # Each group: the areas one written name could be ("malang": the regency and the city).
    ambiguous_areas: list[list[Area]] = field(default_factory=list)
    period: Period = Period()
    asks_about_the_indicator: bool = False
    figure_words: bool = False

    @property
    def asks_for_figures(self) -> bool:
        explicit = bool(self.areas or self.ambiguous_areas or self.period.given or self.period.latest)
        if not self.variables:
            return False
        return explicit or (self.figure_words and not self.asks_about_the_indicator)


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[\"'“”?!,;:()\[\]]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


class Names:
    """The names of a set of variables or areas, matched in one pass: one regular expression
    of every alias, longest first, so at each position the longest name wins ("garis
    kemiskinan" over "kemiskinan", "kota malang" over "malang")."""

    def __init__(self, rows):
        self.targets: dict[str, list] = {}
        for row in rows:
            for alias in row.aliases:
                if row not in self.targets.setdefault(alias, []):
                    self.targets[alias].append(row)
        names = sorted(self.targets, key=len, reverse=True)
        alternatives = "|".join(re.escape(name) for name in names) or r"(?!x)x"
        self.pattern = re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")
        self.single_words = [name for name in names if " " not in name and len(name) >= 5]

    def find(self, text: str) -> tuple[list[list], str]:
        """The targets of the names in `text`, in order, and the text with those names blanked."""
        found = [self.targets[match.group(0)] for match in self.pattern.finditer(text)]
        return found, self.pattern.sub(lambda match: " " * len(match.group(0)), text)

    def typos(self, text: str) -> list[list]:
        """Targets of words that look like a one-word name mistyped ("pengangguan", "kemiskinn")."""
        found = []
        for word in re.findall(r"[a-z]{5,}", text):
            close = get_close_matches(word, self.single_words, n=1, cutoff=0.84)
            if close:
                found.append(self.targets[close[0]])
        return found


@dataclass
class Catalogue:
    """What a question is matched against: every variable and area, with their names."""

    variables: list[Variable]
    areas: list[Area]

    def __post_init__(self):
        self.variable_names = Names(self.variables)
        self.area_names = Names(self.areas)


def _period(text: str) -> Period:
    if match := LAST_YEARS.search(text):
        count = next(group for group in match.groups() if group)
        return Period(last=int(count) if count.isdigit() else NUMBER_WORDS[count])
    years: list[int] = []
    for match in RANGE.finditer(text):
        low, high = sorted(int(year) for year in match.groups() if year)
        years += range(low, high + 1)
    text = RANGE.sub(" ", text)
    years += [int(year) for year in re.findall(rf"(?<!\d){YEAR}(?!\d)", text)]
    return Period(years=tuple(sorted(set(years))), latest=bool(LATEST.search(text)))


def understand(question: str, catalogue: Catalogue) -> Understood:
    text = normalise(question)
    found_variables, rest = catalogue.variable_names.find(text)
    if not found_variables:
        found_variables = catalogue.variable_names.typos(rest)
    found_areas, rest = catalogue.area_names.find(rest)
    if not found_areas:
        found_areas = catalogue.area_names.typos(rest)
    understood = Understood(
        period=_period(text),
        asks_about_the_indicator=bool(ABOUT_THE_INDICATOR.search(text)),
        figure_words=bool(FIGURE_WORDS.search(text)),
    )
    for targets in found_variables:
        if targets[0] not in understood.variables:
            understood.variables.append(targets[0])
    for targets in found_areas:
        if len(targets) == 1:
            if targets[0] not in understood.areas:
                understood.areas.append(targets[0])
        elif targets not in understood.ambiguous_areas:
            understood.ambiguous_areas.append(targets)
    return understood
