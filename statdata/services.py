"""Every write to the figures store: areas, variables, sources and observations. One transaction each."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from statdata.models import Area, Observation, Source, Status, Variable
from tenants.services import read_satker_csv

SATKER_DATA = Path(__file__).resolve().parents[1] / "tenants" / "data"

# Ways people write an area that its name does not give (BPS codes → extra lower-case aliases).
EXTRA_AREA_ALIASES = {
    "0000": ["indonesia", "nasional", "national"],
    "3500": ["jatim", "jawa timur", "prov jatim", "east java"],
    "3578": ["sby", "kota sby", "suroboyo"],
    "3515": ["sda"],
    "3573": ["kota mlg"],
    "3507": ["kab mlg"],
}


@dataclass(frozen=True)
class ObservationRow:
    """One published value to record: `published` is the text as the source printed it."""

    variable: Variable
    area: Area
    year: int
    published: str
    subperiod: str = ""
    status: str = Status.FINAL


@dataclass
class RecordReport:
    created: int = 0
    revised: int = 0
    unchanged: int = 0


def aliases_of(name: str, code: str) -> list[str]:
    """ "Kabupaten Sidoarjo" → kabupaten sidoarjo, kab sidoarjo, kab. sidoarjo, sidoarjo."""
    lowered = name.lower()
    aliases = [lowered]
    for long, shorts in (("kabupaten ", ("kab ", "kab. ")), ("kota ", ()), ("provinsi ", ("prov ", "prov. "))):
        if lowered.startswith(long):
            bare = lowered.removeprefix(long)
            aliases += [short + bare for short in shorts] + [bare]
    return list(dict.fromkeys(aliases + EXTRA_AREA_ALIASES.get(code, [])))


@transaction.atomic
def register_areas() -> int:
    """The nation, every province and Jawa Timur's regencies and cities, from the satker lists
    the tenants app keeps (tenants/data); names and aliases are refreshed, rows never removed."""
    specs = [("0000", "Indonesia")]
    for file in ("provinces.csv", "satker_jatim.csv"):
        specs += [(spec.code, spec.name) for _line, spec in read_satker_csv(SATKER_DATA / file)]
    for code, name in specs:
        Area.objects.update_or_create(code=code, defaults={"name": name, "aliases": aliases_of(name, code)})
    return len(specs)


def parse_published(text: str) -> Decimal:
    """A published value as a decimal: "5.76" → 5.76; "1.234,5" (Indonesian) → 1234.5."""
    cleaned = text.strip().replace(" ", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a number: {text!r}")
    return value


@transaction.atomic
def record_observations(source: Source, rows: Iterable[ObservationRow]) -> RecordReport:
    """Record published values under `source`. A value equal to the current one changes
    nothing; a different one supersedes it (the old row stays, dated), so a revision is never
    silent and never loses history. Two imports of the same figure at once cannot both make it
    current: the database keeps one current observation per variable, area and period."""
    if source.pk is None:
        source.save()
    rows = list(rows)
    now = timezone.now()
    current = {
        (observation.variable_id, observation.area_id, observation.year, observation.subperiod): observation
        for observation in Observation.objects.select_for_update().filter(
            variable__in={row.variable.pk for row in rows},
            area__in={row.area.pk for row in rows},
            superseded_at__isnull=True,
        )
    }
    report, superseded, created, seen = RecordReport(), [], [], set()
    for row in rows:
        key = (row.variable.pk, row.area.pk, row.year, row.subperiod)
        if key in seen:
            raise ValueError(f"{row.variable} {row.area} {row.year}{row.subperiod} appears twice")
        seen.add(key)
        value = parse_published(row.published)
        before = current.get(key)
        if before is not None and before.value == value:
            report.unchanged += 1
            continue
        if before is not None:
            superseded.append(before.pk)
        created.append(
            Observation(
                variable=row.variable,
                area=row.area,
                year=row.year,
                subperiod=row.subperiod,
                value=value,
                published=row.published.strip(),
                status=Status.REVISED if before is not None and row.status == Status.FINAL else row.status,
                source=source,
                recorded_at=now,
            )
        )
    Observation.objects.filter(pk__in=superseded).update(superseded_at=now)
    Observation.objects.bulk_create(created, batch_size=2000)
    report.revised, report.created = len(superseded), len(created) - len(superseded)
    return report
