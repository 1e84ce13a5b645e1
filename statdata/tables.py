"""Tables a satker admin uploads (CSV or XLSX: BPS dynamic-table exports, "Dalam Angka" tables):
read into a header and rows, then checked against a mapping of its columns, row by row, before
anything is recorded. Reading and checking write nothing; statdata.services.import_table does.
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zipfile import BadZipFile

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from statdata.models import Area, Variable

MAX_TABLE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 40
# Cells BPS tables print for a value that is not published: left out, not rejected.
NOT_PUBLISHED = {"", "-", "–", "—", "…", "...", "x", "na", "n/a", "tt"}


class TableError(ValueError):
    """The file cannot be read as a table; the message says why, in the user's language."""


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]  # cells as text, each row as long as the header


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return format(Decimal(str(value)), "f")  # 5.76, never 5.7600000000000002
    return str(value).strip()


def _shape(lines: list[list]) -> Table:
    lines = [[_cell(value) for value in line] for line in lines]
    lines = [line for line in lines if any(line)]
    if len(lines) < 2:
        raise TableError(_("The table needs a header row and at least one row of values."))
    header = lines[0]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise TableError(_("The table has more than %(count)d columns.") % {"count": MAX_COLUMNS})
    if len(lines) - 1 > MAX_ROWS:
        raise TableError(_("The table has more than %(count)d rows: split it.") % {"count": MAX_ROWS})
    names = [name or _("column %(number)d") % {"number": number} for number, name in enumerate(header, start=1)]
    if len(set(names)) != len(names):
        raise TableError(_("Two columns have the same name: give each column its own name."))
    width = len(names)
    return Table(names, [(line + [""] * width)[:width] for line in lines[1:]])


def read_table(name: str, content: bytes) -> Table:
    """A CSV (comma, semicolon or tab; UTF-8 or Windows encoding) or the first sheet of an XLSX."""
    if len(content) > MAX_TABLE_BYTES:
        raise TableError(_("The file is larger than 5 MB."))
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        except (InvalidFileException, BadZipFile, KeyError, OSError, IndexError, ValueError):
            raise TableError(_("The file is not a readable XLSX workbook.")) from None
        return _shape([list(row) for row in sheet.iter_rows(values_only=True)])
    if suffix not in (".csv", ".txt"):
        raise TableError(_("Upload a CSV or XLSX file."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return _shape(list(csv.reader(io.StringIO(text), dialect)))


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


@dataclass
class Mapping:
    """Which column holds the area, which the year, and which variable each value column is."""

    area_column: int
    year_column: int
    variables: dict[int, Variable]  # column → variable (columns left out are ignored)


@dataclass
class Checked:
    values: list[tuple[Variable, Area, int, str]] = field(default_factory=list)  # ready to record
    rejected: list[str] = field(default_factory=list)  # "row 7: …", in the user's language
    left_out: int = 0  # cells marked as not published


def _area_index(areas) -> dict[str, Area]:
    index = {}
    for area in areas:
        index[area.code] = area
        for alias in [area.name.lower(), *area.aliases]:
            index.setdefault(alias, area)
    return index


def check(table: Table, mapping: Mapping, *, allowed_codes: str) -> Checked:
    """Every row against the mapping: its area known and within `allowed_codes` (a code prefix:
    "3515" a regency, "35" a province, "" the nation), its year a year, each value a number.
    A rejected row is reported whole; nothing of it is recorded."""
    areas = _area_index(Area.objects.all())
    checked = Checked()
    seen = {}
    for number, row in enumerate(table.rows, start=2):  # row 1 is the header
        label = row[mapping.area_column]
        area = areas.get(label.strip().lower())
        year_text = row[mapping.year_column].strip()
        problems = []
        if area is None:
            problems.append(_("area “%(area)s” is not known") % {"area": label})
        elif not area.code.startswith(allowed_codes):
            problems.append(_("%(area)s is outside this satker's area") % {"area": area.name})
        if not (year_text.isdigit() and 1945 <= int(year_text) <= 2100):
            problems.append(_("“%(year)s” is not a year") % {"year": year_text})
        values = []
        for column, variable in mapping.variables.items():
            text = row[column].strip()
            if text.lower() in NOT_PUBLISHED:
                checked.left_out += 1
                continue
            try:
                parse_published(text)
            except ValueError:
                problems.append(
                    _("“%(value)s” in %(column)s is not a number") % {"value": text, "column": table.header[column]}
                )
                continue
            values.append((variable, text))
        if not problems:
            key = (area.pk, int(year_text))
            if key in seen:
                problems.append(_("the same area and year as row %(row)d") % {"row": seen[key]})
            seen[key] = number
        if problems:
            checked.rejected.append(_("row %(row)d: %(problems)s") % {"row": number, "problems": "; ".join(problems)})
            continue
        checked.values += [(variable, area, int(year_text), text) for variable, text in values]
    return checked
