"""Tables a satker admin uploads: read from CSV and XLSX, mapped column by column, every bad row
reported before anything is recorded, imported whole, revisions kept, within the satker's area."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from openpyxl import Workbook

from core.models import Role
from statdata.models import Observation, Source, SourceKind
from statdata.selectors import figures_for
from statdata.tables import TableError, read_table
from tests.conftest import client_for, create_user

TABLE = """Wilayah;Tahun;Tingkat Pengangguran Terbuka;Penduduk Miskin (ribu jiwa)
Sidoarjo;2023;4,56;120,5
Sidoarjo;2022;5,12;-
Atlantis;2023;1,0;2
Sidoarjo;20x3;3,3;4
Sidoarjo;2021;abc;118,2
Kota Surabaya;2023;4,9;130
Sidoarjo;2023;4,60;121
"""


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(client, content: bytes, name="sidoarjo-tpt.csv", title="Sidoarjo Dalam Angka 2025, Tabel 4.1"):
    return client.post(
        "/pengaturan/data-tabel/",
        {
            "table": SimpleUploadedFile(name, content),
            "title": title,
            "publisher": "BPS Kabupaten Sidoarjo",
            "released_on": "2025-02-28",
        },
    )


def test_csv_xlsx_and_what_is_not_a_table():
    csv_table = read_table("t.csv", TABLE.encode("cp1252"))
    assert csv_table.header[:2] == ["Wilayah", "Tahun"] and csv_table.rows[0] == ["Sidoarjo", "2023", "4,56", "120,5"]
    book = Workbook()
    book.active.append(["Kabupaten/Kota", "Tahun", "TPT"])
    book.active.append(["Sidoarjo", 2023, 4.56])
    book.active.append([None, None, None])
    saved = io.BytesIO()
    book.save(saved)
    xlsx = read_table("t.xlsx", saved.getvalue())
    assert xlsx.rows == [["Sidoarjo", "2023", "4.56"]]  # 4.56, not 4.5599999999999996
    for name, content, said in (
        ("t.pdf", b"%PDF-1.4", "CSV atau XLSX"),
        ("t.xlsx", b"not a workbook", "XLSX"),
        ("t.csv", b"Tahun\n", "baris judul"),
        ("t.csv", b"a;a\n1;2\n", "nama yang sama"),
        ("t.csv", b"x" * (5 * 1024 * 1024 + 1), "5 MB"),
    ):
        with pytest.raises(TableError, match=said):
            read_table(name, content)


def test_an_admin_maps_checks_and_imports_a_table_whole_and_a_revision_keeps_history(satker_a, satker_b, media):
    admin = create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN)
    page = client_for(satker_a, admin)
    assert upload(page, b"%PDF-1.4", name="tabel.pdf").status_code == 400
    assert upload(page, TABLE.encode()).status_code == 302
    mapping = page.get("/pengaturan/data-tabel/petakan/")
    assert mapping.status_code == 200
    form = mapping.context["form"]
    assert (form["area_column"].initial, form["year_column"].initial) == (0, 1)  # guessed from the names
    assert form["column_2"].initial == "tpt"  # the store's indicator, by its title

    chosen = {"area_column": "0", "year_column": "1", "column_2": "tpt", "column_3": "+", "unit_3": "ribu jiwa"}
    checked = page.post("/pengaturan/data-tabel/petakan/", {**chosen, "check": "1"})
    report = checked.context["checked"]
    assert len(report.values) == 3 and report.left_out == 1  # rows 2 and 3; "-" is not published
    assert [problem.split(":")[0] for problem in report.rejected] == [
        "baris 4",
        "baris 5",
        "baris 6",
        "baris 7",
        "baris 8",
    ]
    text = checked.content.decode()
    for said in ("“Atlantis” tidak dikenal", "“20x3” bukan tahun", "“abc”", "di luar wilayah satker", "baris 2"):
        assert said in text
    assert not Source.objects.filter(kind=SourceKind.TABLE).exists()  # checking records nothing

    done = page.post("/pengaturan/data-tabel/petakan/", {**chosen, "import": "1"})
    assert done.status_code == 302
    source = Source.objects.get(kind=SourceKind.TABLE)
    assert (source.uploaded_by, source.title, str(source.released_on)) == (
        "3515",
        "Sidoarjo Dalam Angka 2025, Tabel 4.1",
        "2025-02-28",
    )
    assert Observation.objects.filter(source=source).count() == 3
    assert not list(media.rglob("*.csv"))  # the upload is not kept after the import
    figures = figures_for("tpt sidoarjo 2023", "3515")
    [value] = [row for row in figures.values if row.year == 2023]
    assert value.published == "4,56" and [str(source) for source in figures.sources] == [source.title]
    assert "Sidoarjo Dalam Angka 2025" in page.get("/pengaturan/data-tabel/").content.decode()
    other_admin = create_user(satker_b, "admin@b.example", role=Role.SATKER_ADMIN)
    assert "Tabel 4.1" not in client_for(satker_b, other_admin).get("/pengaturan/data-tabel/").content.decode()

    # The same table next year, one value revised: a new vintage, the old one kept as history.
    upload(page, TABLE.replace("4,56", "4,57").encode(), title="Sidoarjo Dalam Angka 2026, Tabel 4.1")
    page.post("/pengaturan/data-tabel/petakan/", {**chosen, "import": "1"})
    tpt = Observation.objects.filter(variable__slug="tpt", area__code="3515", year=2023).order_by("recorded_at")
    assert [(row.published, row.superseded_at is not None) for row in tpt][-2:] == [("4,56", True), ("4,57", False)]


def test_a_table_with_no_usable_row_records_nothing(satker_a, media):
    admin = create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN)
    page = client_for(satker_a, admin)
    upload(page, b"Wilayah;Tahun;TPT\nAtlantis;2023;4,5\n")
    refused = page.post(
        "/pengaturan/data-tabel/petakan/", {"area_column": "0", "year_column": "1", "column_2": "tpt", "import": "1"}
    )
    assert refused.status_code == 400 and "Tidak ada baris" in refused.content.decode()
    assert not Source.objects.filter(kind=SourceKind.TABLE).exists()
    same = page.post("/pengaturan/data-tabel/petakan/", {"area_column": "0", "year_column": "0", "check": "1"})
    assert same.status_code == 400 and "tidak boleh kolom yang sama" in same.content.decode()
    with schema_context(satker_a.schema_name):
        assert page.get("/pengaturan/data-tabel/petakan/").status_code == 200  # the upload is still there to fix
