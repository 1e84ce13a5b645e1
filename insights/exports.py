"""Report tables as files: CSV (UTF-8 with a BOM, so spreadsheet programs read Indonesian names
right) and XLSX."""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe(value):
    """A cell that starts like a formula is written as text (CSV/formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def as_csv(table: list[list], *, title: str = "") -> tuple[bytes, str]:
    """`title` is for formats that name their sheet; CSV has none."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in table:
        writer.writerow([_safe(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"


def as_xlsx(table: list[list], *, title: str) -> tuple[bytes, str]:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for row in table:
        sheet.append([_safe(value) for value in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), XLSX_TYPE
