"""Reading figures: the only door other apps (AIDA, the figures API) use.

`figures_for(question, home_area_code)` turns a question into the values the store holds, each
as published, with its source, and says plainly what it does not hold and what it holds nearest.
It never computes, rounds or estimates a value: the model is not the source of any number.
"""

import time
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Count, Q
from django.utils import formats, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from statdata.models import Area, FollowedTable, Observation, Source, SourceKind, Variable
from statdata.questions import Catalogue, Understood, understand

MONTHS = {f"M{number:02d}": number for number in range(1, 13)}
MOST_ROWS = 30  # a table a phone shows whole


@dataclass(frozen=True)
class Value:
    area: str
    period: str
    year: int
    published: str
    shown: str  # the published digits in the reader's notation: 28.734 → "28,734" in Indonesian
    status: str
    source: int


@dataclass
class Figures:
    """What the store answers. status: "found", "ambiguous" (choices to ask back with),
    "not_held" (said plainly, with `nearest`), or "none" (not a figure question)."""

    status: str
    variable: Variable | None = None
    areas: list[Area] = field(default_factory=list)
    values: list[Value] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    choices: list[dict] = field(default_factory=list)
    nearest: str = ""

    def as_dict(self) -> dict:
        variable = self.variable
        return {
            "status": self.status,
            "variable": (
                {
                    "slug": variable.slug,
                    "title": variable.title_en if _english() else variable.title,
                    "unit": variable.unit_en if _english() else variable.unit,
                }
                if variable
                else None
            ),
            "areas": [{"code": area.code, "name": area.name} for area in self.areas],
            "values": [value.__dict__ for value in self.values],
            "sources": [
                {
                    "id": source.pk,
                    "title": source.title,
                    "publisher": source.publisher,
                    "url": source.url,
                    "released_on": source.released_on.isoformat() if source.released_on else None,
                    "retrieved_at": source.retrieved_at.isoformat(),
                    "demo": source.is_demo,
                    "note": source.note,
                }
                for source in self.sources
            ],
            "missing": self.missing,
            "notes": self.notes,
            "choices": self.choices,
            "nearest": self.nearest,
        }


def _english() -> bool:
    return (translation.get_language() or "id").startswith("en")


def in_reader_notation(published: str) -> str:
    """The published digits, none added or dropped, grouped and pointed as the reader reads
    numbers: Indonesian 283.321 and 5,76; English 283,321 and 5.76."""
    sign, digits = ("-", published[1:]) if published.startswith("-") else ("", published)
    whole, _point, fraction = digits.partition(".")
    indonesian = not _english()
    group = "." if indonesian else ","
    grouped = f"{int(whole):,}".replace(",", group) if whole.isdigit() else whole
    return sign + grouped + (("," if indonesian else ".") + fraction if fraction else "")


def period_label(year: int, subperiod: str) -> str:
    if subperiod in MONTHS:
        return formats.date_format(date(year, MONTHS[subperiod], 1), "F Y")
    if subperiod.startswith("S"):
        return _("Semester %(number)s %(year)s") % {"number": subperiod[1], "year": year}
    if subperiod.startswith("Q"):
        return _("Quarter %(number)s %(year)s") % {"number": subperiod[1], "year": year}
    return str(year)


_catalogue: tuple[tuple, float, Catalogue] | None = None
CATALOGUE_SECONDS = 60


def catalogue() -> Catalogue:
    """Every variable and area with their names compiled, kept in the process: rebuilt when
    one is added or removed (a one-row query tells), and at least every CATALOGUE_SECONDS
    for edited aliases. Building it takes tens of milliseconds at 552 areas."""
    global _catalogue
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) || ':' || coalesce(max(id), 0) FROM statdata_variable), "
            "(SELECT count(*) || ':' || coalesce(max(id), 0) FROM statdata_area)"
        )
        fingerprint = cursor.fetchone()
    now = time.monotonic()
    if _catalogue is None or _catalogue[0] != fingerprint or now - _catalogue[1] > CATALOGUE_SECONDS:
        _catalogue = (fingerprint, now, Catalogue(list(Variable.objects.all()), list(Area.objects.all())))
    return _catalogue[2]


def names_in(text: str) -> tuple[list[Variable], list[Area]]:
    """The indicators and areas a text names, the way AIDA reads a question: abbreviations
    ("ipm", "tpt"), Indonesian and English names, ways of writing a place ("kota sby") and
    one-letter typos. An ambiguous place name gives every area it could be."""
    understood = understand(text, catalogue())
    areas = understood.areas + [area for group in understood.ambiguous_areas for area in group]
    return understood.variables, areas


def figures_for(question: str, home_area_code: str) -> Figures:
    names = catalogue()
    areas = names.areas
    understood = understand(question, names)
    if not understood.asks_for_figures:
        return Figures(status="none")
    variable = understood.variables[0]
    if understood.ambiguous_areas and not understood.areas:
        return _ask_which_area(understood, variable, question)
    home = next((area for area in areas if area.code == home_area_code), None)
    chosen = understood.areas or ([home] if home else [])
    figures = Figures(status="found", variable=variable, areas=chosen)
    if not understood.areas and home:
        figures.notes.append(_("No area named: figures for %(area)s.") % {"area": home.name})
    held = list(
        Observation.objects.filter(variable=variable, area__in=chosen, superseded_at__isnull=True)
        .select_related("area", "source")
        .order_by("area__code", "year", "subperiod")
    )
    if not held:
        return _not_held(figures, variable, chosen)
    years = sorted({observation.year for observation in held})
    period = understood.period
    if period.years:
        wanted = [year for year in period.years if year in years]
        figures.missing = [str(year) for year in period.years if year not in years]
        if not wanted:
            figures.status = "not_held"
            figures.nearest = _("The nearest years held are %(first)s–%(last)s.") % {
                "first": years[0],
                "last": years[-1],
            }
            return figures
    elif period.last:
        wanted = years[-period.last :]
        if len(wanted) < period.last:
            figures.notes.append(_("Only %(count)s years are held.") % {"count": len(wanted)})
    else:
        wanted = years[-1:]
        if not period.latest:
            figures.notes.append(_("No period named: the latest held, %(year)s.") % {"year": years[-1]})
    chosen_rows = [observation for observation in held if observation.year in wanted][:MOST_ROWS]
    figures.values = [
        Value(
            area=observation.area.name,
            period=period_label(observation.year, observation.subperiod),
            year=observation.year,
            published=observation.published,
            shown=in_reader_notation(observation.published),
            status=observation.status,
            source=observation.source_id,
        )
        for observation in chosen_rows
    ]
    figures.sources = list({observation.source_id: observation.source for observation in chosen_rows}.values())
    return figures


def _ask_which_area(understood: Understood, variable: Variable, question: str) -> Figures:
    group = understood.ambiguous_areas[0]
    return Figures(
        status="ambiguous",
        variable=variable,
        choices=[{"label": area.name, "question": f"{question} ({area.name})"} for area in group],
    )


def _not_held(figures: Figures, variable: Variable, chosen: list[Area]) -> Figures:
    """Nothing for these areas: say which areas do have this indicator."""
    figures.status = "not_held"
    holding = (
        Area.objects.filter(observations__variable=variable, observations__superseded_at__isnull=True)
        .distinct()
        .order_by("code")
    )
    count = holding.count()
    if count:
        figures.nearest = _("%(indicator)s is held for %(count)s areas, such as %(examples)s.") % {
            "indicator": variable.title,
            "count": count,
            "examples": ", ".join(area.name for area in holding[:3]),
        }
    return figures


def followed_tables_of(domain: str) -> list:
    """The WebAPI tables a satker follows, each with the title its figures carry."""
    tables = list(FollowedTable.objects.filter(domain=domain))
    titles = dict(
        Variable.objects.filter(slug__in=[f"bps-{table.domain}-{table.variable_id}" for table in tables]).values_list(
            "slug", "title"
        )
    )
    for table in tables:
        table.title = titles.get(f"bps-{table.domain}-{table.variable_id}", "")
    return tables


def tables_uploaded_by(satker_code: str) -> list[Source]:
    """The tables a satker uploaded, newest first, with how many current values each supplies."""
    return list(
        Source.objects.filter(kind=SourceKind.TABLE, uploaded_by=satker_code)
        .annotate(current=Count("observations", filter=Q(observations__superseded_at__isnull=True)))
        .order_by("-retrieved_at")
    )


def variables_for_mapping() -> list[Variable]:
    """The indicators a column of an uploaded table may be mapped to."""
    return list(Variable.objects.order_by("title"))


def table_variable(satker_code: str, column: str, unit: str) -> Variable:
    """The indicator a satker's table brings under a column name: the one an earlier upload of
    the same column made, or a new one (unsaved: the import saves it in its transaction)."""
    slug = slugify(f"tabel {satker_code} {column}")[:60]
    return Variable.objects.filter(slug=slug).first() or Variable(
        slug=slug, title=column, title_en=column, unit=unit, aliases=[column.lower()]
    )
