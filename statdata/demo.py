"""The demo figures `make run` seeds: a public copy of BPS Jawa Timur's regency/city indicators,
2019–2024 (statdata/data/README.md says where it came from and what in it is unfit)."""

import csv
from pathlib import Path

from django.db import transaction

from statdata.models import Area, Source, SourceKind, Variable
from statdata.services import ObservationRow, RecordReport, record_observations, register_areas

TABLE = Path(__file__).resolve().parent / "data" / "jatim_indikator.csv"
SOURCE_TITLE = "Indikator kabupaten/kota Jawa Timur 2019–2024 (data demo)"
SOURCE_URL = "https://github.com/radamm/Dashboard_IPM_Jatim/blob/0e26f85/data_jatim.csv"
SOURCE_NOTE = (
    "Data demo: salinan publik tabel BPS Provinsi Jawa Timur dari repositori radamm/Dashboard_IPM_Jatim "
    "(bukan rilis resmi; tanpa nomor tabel). Untuk angka resmi, lihat jatim.bps.go.id atau tanya petugas. "
    "Demo data: a public copy of BPS Jawa Timur tables, not an official release."
)

# CSV column → the variable it holds. RLS (rounded by the copier) and Kawasan (not BPS's) are left out.
VARIABLES = {
    "IPM": dict(
        slug="ipm",
        title="Indeks Pembangunan Manusia",
        title_en="Human Development Index",
        unit="",
        unit_en="",
        decimals=2,
        subject="Pembangunan Manusia",
        aliases=["ipm", "indeks pembangunan manusia", "pembangunan manusia", "human development index", "hdi"],
    ),
    "Persentase_Miskin": dict(
        slug="persentase-penduduk-miskin",
        title="Persentase Penduduk Miskin",
        title_en="Percentage of Poor Population",
        unit="persen",
        unit_en="percent",
        decimals=2,
        subject="Kemiskinan",
        aliases=[
            "persentase penduduk miskin",
            "penduduk miskin",
            "persentase miskin",
            "angka kemiskinan",
            "tingkat kemiskinan",
            "kemiskinan",
            "miskin",
            "p0",
            "poverty rate",
            "poverty",
            "poor population",
        ],
    ),
    "PDRB_Per_Kapita": dict(
        slug="pdrb-per-kapita",
        title="PDRB per Kapita",
        title_en="GRDP per Capita",
        unit="juta rupiah",
        unit_en="million rupiah",
        decimals=3,
        subject="Neraca Regional",
        aliases=["pdrb per kapita", "pdrb perkapita", "grdp per capita", "pendapatan per kapita", "pdrb"],
    ),
    "UHH": dict(
        slug="umur-harapan-hidup",
        title="Umur Harapan Hidup",
        title_en="Life Expectancy",
        unit="tahun",
        unit_en="years",
        decimals=2,
        subject="Kesehatan",
        aliases=["umur harapan hidup", "angka harapan hidup", "harapan hidup", "uhh", "ahh", "life expectancy"],
    ),
    "HLS": dict(
        slug="harapan-lama-sekolah",
        title="Harapan Lama Sekolah",
        title_en="Expected Years of Schooling",
        unit="tahun",
        unit_en="years",
        decimals=2,
        subject="Pendidikan",
        aliases=["harapan lama sekolah", "hls", "expected years of schooling"],
    ),
    "APS_SMA": dict(
        slug="aps-usia-sma",
        title="Angka Partisipasi Sekolah usia SMA",
        title_en="School Participation Rate, senior high school age",
        unit="persen",
        unit_en="percent",
        decimals=2,
        subject="Pendidikan",
        aliases=["angka partisipasi sekolah", "aps sma", "aps", "school participation rate", "school participation"],
    ),
    "Gini_Ratio": dict(
        slug="gini-ratio",
        title="Gini Ratio",
        title_en="Gini Ratio",
        unit="",
        unit_en="",
        decimals=3,
        subject="Kemiskinan",
        aliases=["gini ratio", "rasio gini", "indeks gini", "gini", "ketimpangan", "inequality"],
    ),
    "TPT": dict(
        slug="tpt",
        title="Tingkat Pengangguran Terbuka",
        title_en="Open Unemployment Rate",
        unit="persen",
        unit_en="percent",
        decimals=2,
        subject="Ketenagakerjaan",
        aliases=[
            "tingkat pengangguran terbuka",
            "tingkat pengangguran",
            "angka pengangguran",
            "pengangguran",
            "tpt",
            "open unemployment rate",
            "unemployment rate",
            "unemployment",
        ],
    ),
    "Garis_Kemiskinan": dict(
        slug="garis-kemiskinan",
        title="Garis Kemiskinan",
        title_en="Poverty Line",
        unit="rupiah/kapita/bulan",
        unit_en="rupiah per capita per month",
        decimals=0,
        subject="Kemiskinan",
        aliases=["garis kemiskinan", "poverty line", "gk"],
    ),
    "Pengeluaran_Per_Kapita": dict(
        slug="pengeluaran-per-kapita",
        title="Pengeluaran per Kapita",
        title_en="Per Capita Expenditure",
        unit="juta rupiah/tahun",
        unit_en="million rupiah per year",
        decimals=3,
        subject="Pembangunan Manusia",
        aliases=["pengeluaran per kapita", "pengeluaran perkapita", "per capita expenditure", "expenditure per capita"],
    ),
}


def area_for(name: str, areas: dict[str, Area]) -> Area | None:
    """The table writes "Pacitan" for Kabupaten Pacitan and "Kota Surabaya" for the city."""
    return areas.get(name.lower() if name.lower().startswith("kota ") else f"kabupaten {name.lower()}")


@transaction.atomic
def import_jatim_demo() -> tuple[RecordReport, list[str]]:
    """Import the demo table (again: unchanged values are left alone). Returns the report and
    the rows that could not be placed."""
    register_areas()
    areas = {area.name.lower(): area for area in Area.objects.filter(code__startswith="35")}
    variables = {
        column: Variable.objects.update_or_create(slug=spec["slug"], defaults=spec)[0]
        for column, spec in VARIABLES.items()
    }
    source, _created = Source.objects.get_or_create(
        kind=SourceKind.DEMO,
        title=SOURCE_TITLE,
        defaults={"url": SOURCE_URL, "publisher": "BPS Provinsi Jawa Timur (salinan)", "note": SOURCE_NOTE},
    )
    rows, rejected = [], []
    with open(TABLE, newline="", encoding="utf-8-sig") as handle:
        for line, record in enumerate(csv.DictReader(handle, delimiter=";"), start=2):
            area = area_for(record["Kabupaten_Kota"].strip(), areas)
            if area is None:
                rejected.append(f"line {line}: unknown area {record['Kabupaten_Kota']!r}")
                continue
            rows += [
                ObservationRow(variable=variable, area=area, year=int(record["Tahun"]), published=record[column])
                for column, variable in variables.items()
                if record.get(column, "").strip()
            ]
    return record_observations(source, rows), rejected
