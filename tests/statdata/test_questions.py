"""Question understanding on the phrasings consumers use: indicator, area and period."""

import pytest

from statdata.models import Area, Variable
from statdata.questions import Catalogue, understand

SBY, SDA, KAB_MALANG, KOTA_MALANG, JATIM = "3578", "3515", "3507", "3573", "3500"

# question → (indicator slug or None, area codes, years, last n, ambiguous area codes)
PHRASINGS = [
    ("TPT kota surabaya 2019 sampai 2024", "tpt", [SBY], range(2019, 2025), 0, []),
    ("berapa tingkat pengangguran terbuka Surabaya 2022?", "tpt", [SBY], [2022], 0, []),
    ("tingkat pengangguran terbuka surabaya tahun 2022", "tpt", [SBY], [2022], 0, []),
    ("tpt sby 2020-2023", "tpt", [SBY], range(2020, 2024), 0, []),
    ("TPT Kota Sby 2019–2021", "tpt", [SBY], range(2019, 2022), 0, []),
    ("pengangguran sidoarjo 2023", "tpt", [SDA], [2023], 0, []),
    ("angka pengangguran kab. sidoarjo 2021", "tpt", [SDA], [2021], 0, []),
    ("angka pengangguran kab sidoarjo 2021", "tpt", [SDA], [2021], 0, []),
    ("unemployment rate Sidoarjo last five years", "tpt", [SDA], [], 5, []),
    ("open unemployment rate surabaya 2024", "tpt", [SBY], [2024], 0, []),
    ("tpt sidoarjo lima tahun terakhir", "tpt", [SDA], [], 5, []),
    ("tpt sidoarjo 3 tahun terakhir", "tpt", [SDA], [], 3, []),
    ("tpt terbaru", "tpt", [], [], 0, []),
    ("tingkat pengangguran terbuka", "tpt", [], [], 0, []),
    ("pengangguan surabaya 2022", "tpt", [SBY], [2022], 0, []),  # typo
    ("tingkat pengangguran surbaya 2022", "tpt", [SBY], [2022], 0, []),  # typo in the area
    ("persentase penduduk miskin sidoarjo 2023", "persentase-penduduk-miskin", [SDA], [2023], 0, []),
    ("min, data kemiskinan sidoarjo 2023 ada?", "persentase-penduduk-miskin", [SDA], [2023], 0, []),
    ("angka kemiskinan kota surabaya 2020 dan 2021", "persentase-penduduk-miskin", [SBY], [2020, 2021], 0, []),
    ("kemiskinn surabaya 2021", "persentase-penduduk-miskin", [SBY], [2021], 0, []),  # typo
    ("poverty rate surabaya 2022", "persentase-penduduk-miskin", [SBY], [2022], 0, []),
    ("garis kemiskinan sidoarjo 2024", "garis-kemiskinan", [SDA], [2024], 0, []),
    ("poverty line sidoarjo 2019", "garis-kemiskinan", [SDA], [2019], 0, []),
    ("IPM sidoarjo 2019", "ipm", [SDA], [2019], 0, []),
    ("indeks pembangunan manusia kota surabaya terbaru", "ipm", [SBY], [], 0, []),
    ("human development index surabaya between 2019 and 2022", "ipm", [SBY], range(2019, 2023), 0, []),
    ("ipm antara 2020 dan 2022 sidoarjo", "ipm", [SDA], range(2020, 2023), 0, []),
    ("HDI Sidoarjo from 2019 to 2021", "ipm", [SDA], range(2019, 2022), 0, []),
    ("umur harapan hidup sidoarjo 2022", "umur-harapan-hidup", [SDA], [2022], 0, []),
    ("angka harapan hidup surabaya 2023", "umur-harapan-hidup", [SBY], [2023], 0, []),
    ("life expectancy surabaya 2020", "umur-harapan-hidup", [SBY], [2020], 0, []),
    ("harapan lama sekolah sidoarjo 2021", "harapan-lama-sekolah", [SDA], [2021], 0, []),
    ("HLS kota surabaya 2019 s.d. 2020", "harapan-lama-sekolah", [SBY], range(2019, 2021), 0, []),
    ("gini ratio surabaya 2022", "gini-ratio", [SBY], [2022], 0, []),
    ("rasio gini sidoarjo 2019 s/d 2021", "gini-ratio", [SDA], range(2019, 2022), 0, []),
    ("ketimpangan pendapatan surabaya 2023", "gini-ratio", [SBY], [2023], 0, []),
    ("PDRB per kapita sidoarjo 2022", "pdrb-per-kapita", [SDA], [2022], 0, []),
    ("pdrb perkapita kota surabaya 2020", "pdrb-per-kapita", [SBY], [2020], 0, []),
    ("pengeluaran per kapita sidoarjo 2023", "pengeluaran-per-kapita", [SDA], [2023], 0, []),
    ("aps sma surabaya 2021", "aps-usia-sma", [SBY], [2021], 0, []),
    ("tpt malang 2022", "tpt", [], [2022], 0, [KAB_MALANG, KOTA_MALANG]),
    ("tpt kota malang 2022", "tpt", [KOTA_MALANG], [2022], 0, []),
    ("tpt kabupaten malang 2022", "tpt", [KAB_MALANG], [2022], 0, []),
    ("tpt jatim 2023", "tpt", [JATIM], [2023], 0, []),
    ("tpt provinsi jawa timur 2023", "tpt", [JATIM], [2023], 0, []),
    ("tpt surabaya dan sidoarjo 2022", "tpt", [SBY, SDA], [2022], 0, []),
    ("jadwal konsultasi hari senin", None, [], [], 0, []),
    ("bagaimana cara meminta data mikro?", None, [], [], 0, []),
]


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return Catalogue(list(Variable.objects.all()), list(Area.objects.all()))


@pytest.mark.parametrize(("question", "indicator", "areas", "years", "last", "ambiguous"), PHRASINGS)
def test_a_question_is_understood(catalogue, question, indicator, areas, years, last, ambiguous):
    understood = understand(question, catalogue)
    assert [variable.slug for variable in understood.variables][:1] == ([indicator] if indicator else [])
    assert [area.code for area in understood.areas] == areas
    assert list(understood.period.years) == list(years)
    assert understood.period.last == last
    assert [sorted(area.code for area in group) for group in understood.ambiguous_areas] == (
        [sorted(ambiguous)] if ambiguous else []
    )


def test_there_are_at_least_forty_phrasings():
    assert len(PHRASINGS) >= 40


@pytest.mark.parametrize(
    ("question", "figures"),
    [
        ("apa itu TPT?", False),
        ("what does TPT mean?", False),
        ("bagaimana cara menghitung garis kemiskinan", False),
        ("How is the poverty line calculated?", False),
        ("tingkat pengangguran terbuka", False),
        ("apa itu TPT surabaya 2022?", True),
        ("berapa TPT?", True),
        ("data kemiskinan terbaru", True),
        ("berapa garis kemiskinan sidoarjo dan bagaimana cara menghitungnya?", True),
    ],
)
def test_a_figure_question_is_told_from_a_question_about_the_indicator(catalogue, question, figures):
    assert understand(question, catalogue).asks_for_figures is figures
