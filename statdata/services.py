"""Every write to the figures store: areas, variables, sources and observations. One transaction each."""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record
from core.tasking import enqueue_after_commit
from statdata.models import Area, FollowedTable, Observation, Source, SourceKind, Status, Variable
from statdata.tables import Checked, Mapping, Table, check, parse_published
from statdata.webapi import WebAPI, WebAPIError
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


# --- From uploaded tables ---------------------------------------------------------------------


def allowed_area_codes(satker) -> str:
    """The BPS code prefix of the areas a satker may record figures for: its own regency or
    city, its province's regencies and cities, or (the national office) every area."""
    if satker.kind == "province":
        return satker.code[:2]
    if satker.kind == "national":
        return ""
    return satker.code


@transaction.atomic
def import_table(
    satker,
    table: Table,
    mapping: Mapping,
    *,
    title: str,
    publisher: str,
    url: str = "",
    released_on=None,
    actor=None,
) -> tuple[RecordReport, Checked]:
    """Record an uploaded table's values under a source of its own, all or nothing: the rows
    are checked again here (the preview's report is not trusted) and a row with a problem is
    left out whole. Variables the mapping names for the first time are made here."""
    for variable in mapping.variables.values():
        if variable.pk is None:
            variable.save()
    checked = check(table, mapping, allowed_codes=allowed_area_codes(satker))
    if not checked.values:
        raise ValidationError(_("No row of the table can be recorded: see the rejected rows."))
    source = Source(
        kind=SourceKind.TABLE,
        title=title.strip(),
        publisher=publisher.strip() or "BPS",
        url=url,
        released_on=released_on,
        uploaded_by=satker.code,
    )
    rows = [
        ObservationRow(variable=variable, area=area, year=year, published=published)
        for variable, area, year, published in checked.values
    ]
    report = record_observations(source, rows)
    record(
        actor,
        "statdata.table_imported",
        source.title,
        created=report.created,
        revised=report.revised,
        unchanged=report.unchanged,
        rejected_rows=len(checked.rejected),
    )
    return report, checked


# --- From the BPS WebAPI ----------------------------------------------------------------------

# BPS's sub-period labels (turtahun) → ours; "Tahun" is the year itself.
SUBPERIODS = {"tahun": "", "semester 1": "S1", "semester 2": "S2", "semester i": "S1", "semester ii": "S2"}
SUBPERIODS |= {f"triwulan {roman}": f"Q{number}" for number, roman in enumerate(("i", "ii", "iii", "iv"), start=1)}
SUBPERIODS |= {
    month: f"M{number:02d}"
    for number, month in enumerate(
        (
            "januari",
            "februari",
            "maret",
            "april",
            "mei",
            "juni",
            "juli",
            "agustus",
            "september",
            "oktober",
            "november",
            "desember",
        ),
        start=1,
    )
}
WHOLE_AREA = "9999"  # BPS's row for the domain itself (a province's total)


def sync_webapi_table(domain: str, variable_id: str, *, aliases: Iterable[str] = (), client=None):
    """Fetch one dynamic table of the BPS WebAPI and record its values for the areas it has
    (the network call is made before the transaction opens). Returns the report and the cells
    not stored, each with why."""
    table = (client or WebAPI()).table(domain, variable_id)
    return _record_webapi_table(domain, table, list(aliases))


@transaction.atomic
def _record_webapi_table(domain: str, table, aliases: list[str]) -> tuple[RecordReport, list[str]]:
    variable, _created = Variable.objects.update_or_create(
        slug=f"bps-{domain}-{table.variable_id}",
        defaults={
            "title": table.title,
            "title_en": table.title,
            "unit": table.unit,
            "decimals": table.decimals if table.decimals is not None else 2,
            "aliases": list(dict.fromkeys([table.title.lower(), *(alias.lower() for alias in aliases)])),
        },
    )
    source = Source(
        kind=SourceKind.WEBAPI,
        title=f"{table.title} (WebAPI BPS, domain {domain}, var {table.variable_id})",
        url=f"https://webapi.bps.go.id/v1/api/list/model/data/lang/ind/domain/{domain}/var/{table.variable_id}/",
    )
    categories = {cell.turvar for cell in table.cells}
    rows, skipped = [], []
    for cell in table.cells:
        code = domain if cell.vervar == WHOLE_AREA else cell.vervar
        subperiod = SUBPERIODS.get(cell.turtahun_label.strip().lower())
        if len(categories) > 1 and cell.turvar != "0":
            skipped.append(f"{cell.vervar_label} {cell.year}: category {cell.turvar} (categories are not stored yet)")
        elif not (len(code) == 4 and code.isdigit()):
            skipped.append(f"{cell.vervar_label} {cell.year}: {code} is not a BPS area code")
        elif subperiod is None:
            skipped.append(f"{cell.vervar_label} {cell.year}: unknown sub-period {cell.turtahun_label!r}")
        else:
            area = Area.objects.filter(code=code).first() or Area.objects.create(
                code=code, name=cell.vervar_label, aliases=aliases_of(cell.vervar_label, code)
            )
            rows.append(ObservationRow(variable, area, cell.year, cell.value, subperiod))
    return record_observations(source, rows), skipped


# --- Tables satkers keep in sync ----------------------------------------------------------------


@transaction.atomic
def follow_webapi_table(satker, *, variable_id: str, aliases: Iterable[str] = (), actor=None) -> FollowedTable:
    """A satker admin keeps one WebAPI table of their own domain in sync (a province's tables
    hold its regencies and cities too). Audited in the satker's schema; the first sync runs
    once this commits."""
    from statdata.tasks import sync_followed_table  # statdata.tasks imports this module

    variable_id = variable_id.strip()
    if not variable_id.isdigit():
        raise ValidationError({"variable_id": _("A variable id is a number, as in the WebAPI's list of variables.")})
    aliases = [alias.strip().lower() for alias in aliases if alias.strip()]
    table, created = FollowedTable.objects.get_or_create(
        domain=satker.code, variable_id=variable_id, defaults={"aliases": aliases, "followed_by": satker.code}
    )
    if not created and aliases:
        table.aliases = list(dict.fromkeys(table.aliases + aliases))
        table.save(update_fields=["aliases"])
    record(actor, "figures.follow_table", f"{satker.code}/{variable_id}", aliases=aliases)
    enqueue_after_commit(sync_followed_table, table.pk)
    return table


def sync_followed_table(table_id: int) -> RecordReport | None:
    """Sync one followed table now; its outcome (time, or the error) is kept on the row."""
    table = FollowedTable.objects.get(pk=table_id)
    try:
        report, _skipped = sync_webapi_table(table.domain, table.variable_id, aliases=table.aliases)
    except WebAPIError as failure:
        FollowedTable.objects.filter(pk=table.pk).update(last_error=str(failure)[:2000])
        return None
    FollowedTable.objects.filter(pk=table.pk).update(synced_at=timezone.now(), last_error="")
    return report


def refresh_followed_tables() -> int:
    """Beat, daily, in public: every followed table once (the WebAPI's cache keeps it gentle)."""
    return sum(sync_followed_table(pk) is not None for pk in FollowedTable.objects.values_list("pk", flat=True))
