"""The figures store: values exactly as published, sources named, revisions kept, the same
answer on every satker, and plain words for what is not held."""

import pytest
from django.test import Client

from statdata.models import Area, Observation, Source, SourceKind, Status, Variable
from statdata.selectors import figures_for, in_reader_notation
from statdata.services import ObservationRow, parse_published, record_observations
from tests.conftest import host_of

# From the demo table (statdata/data/jatim_indikator.csv), as published.
TPT_SURABAYA = {2019: "5.76", 2020: "9.79", 2021: "9.68"}


def test_the_demo_table_is_imported_with_its_provenance(db):
    source = Source.objects.get(kind=SourceKind.DEMO)
    assert "Data demo" in source.note and "radamm/Dashboard_IPM_Jatim" in source.url
    # 38 regencies/cities × 6 years × 10 indicators; RLS (rounded by the copier) is left out.
    assert Observation.objects.filter(source=source).count() == 38 * 6 * 10
    assert not Variable.objects.filter(slug__icontains="rls").exists()
    surabaya = Observation.objects.filter(variable__slug="tpt", area__code="3578", superseded_at__isnull=True)
    assert {row.year: row.published for row in surabaya if row.year in TPT_SURABAYA} == TPT_SURABAYA


def test_a_range_is_answered_value_by_value_as_published(db):
    figures = figures_for("TPT kota surabaya 2019 sampai 2024", "3515")
    assert figures.status == "found" and figures.variable.slug == "tpt"
    assert [value.year for value in figures.values] == list(range(2019, 2025))
    assert {value.year: value.published for value in figures.values if value.year in TPT_SURABAYA} == TPT_SURABAYA
    assert figures.values[0].shown == "5,76"  # Indonesian notation, the same digits
    assert figures.sources[0].is_demo and figures.missing == []


def test_the_home_area_and_the_latest_year_are_assumed_and_said(db):
    figures = figures_for("berapa tingkat pengangguran terbuka?", "3515")
    assert [value.area for value in figures.values] == ["Kabupaten Sidoarjo"]
    assert [value.year for value in figures.values] == [2024]
    assert any("Kabupaten Sidoarjo" in note for note in figures.notes)
    assert any("2024" in note for note in figures.notes)


def test_a_year_not_published_is_not_guessed(db):
    figures = figures_for("tpt surabaya 2026", "3515")
    assert figures.status == "not_held" and figures.values == []
    assert "2019–2024" in figures.nearest
    partly = figures_for("tpt surabaya 2023 sampai 2026", "3515")
    assert partly.status == "found" and partly.missing == ["2025", "2026"]
    assert [value.year for value in partly.values] == [2023, 2024]


def test_an_area_without_the_indicator_gets_the_nearest_it_holds(db):
    figures = figures_for("tpt jawa timur 2022", "3515")
    assert figures.status == "not_held" and "38" in figures.nearest


def test_an_ambiguous_area_asks_back_with_choices(db):
    figures = figures_for("tpt malang 2022", "3515")
    assert figures.status == "ambiguous"
    assert [choice["label"] for choice in figures.choices] == ["Kabupaten Malang", "Kota Malang"]
    chosen = figures_for(figures.choices[1]["question"], "3515")
    assert chosen.status == "found" and chosen.values[0].area == "Kota Malang"


def test_a_revision_keeps_the_old_value_and_says_it_is_revised(db):
    variable = Variable.objects.create(
        slug="uji-revisi", title="Uji revisi", title_en="Revision test", aliases=["uji revisi"]
    )
    area = Area.objects.get(code="3515")
    first = Source(kind=SourceKind.TABLE, title="Tabel awal")
    assert record_observations(first, [ObservationRow(variable, area, 2023, "12.40")]).created == 1
    again = record_observations(
        Source(kind=SourceKind.TABLE, title="Sama"), [ObservationRow(variable, area, 2023, "12.4")]
    )
    assert (again.created, again.revised, again.unchanged) == (0, 0, 1)  # the same value, written otherwise
    revised = record_observations(
        Source(kind=SourceKind.TABLE, title="Revisi"), [ObservationRow(variable, area, 2023, "12.55")]
    )
    assert revised.revised == 1
    history = Observation.objects.filter(variable=variable).order_by("recorded_at", "pk")
    assert [(row.published, row.superseded_at is None, row.status) for row in history] == [
        ("12.40", False, Status.FINAL),
        ("12.55", True, Status.REVISED),
    ]
    assert figures_for("uji revisi sidoarjo 2023", "3515").values[0].published == "12.55"
    with pytest.raises(ValueError):
        record_observations(
            first, [ObservationRow(variable, area, 2024, "1"), ObservationRow(variable, area, 2024, "2")]
        )


@pytest.mark.parametrize(
    ("published", "indonesian", "english"),
    [
        ("5.76", "5,76", "5.76"),
        ("283321", "283.321", "283,321"),
        ("28.734", "28,734", "28.734"),
        ("-0.50", "-0,50", "-0.50"),
    ],
)
def test_values_are_shown_in_the_readers_notation_with_every_published_digit(published, indonesian, english):
    from django.utils import translation

    with translation.override("id"):
        assert in_reader_notation(published) == indonesian
    with translation.override("en"):
        assert in_reader_notation(published) == english


def test_published_numbers_parse_in_both_notations():
    assert str(parse_published("5.76")) == "5.76" and str(parse_published("1.234,5")) == "1234.5"
    with pytest.raises(ValueError):
        parse_published("n/a")


def test_a_figure_asked_on_one_satker_is_answered_the_same_on_another(db, satker_a, satker_b):
    question = {"q": "TPT kota surabaya 2019 sampai 2021"}
    on_a = Client(HTTP_HOST=host_of(satker_a)).get("/api/v1/figures/", question)
    on_b = Client(HTTP_HOST=host_of(satker_b)).get("/api/v1/figures/", question)
    assert on_a.status_code == on_b.status_code == 200
    assert on_a.json() == on_b.json()
    assert [value["published"] for value in on_a.json()["values"]] == list(TPT_SURABAYA.values())
    assert on_a.json()["sources"][0]["demo"] is True
    # No area in the question: each site answers for its own area.
    home_a = Client(HTTP_HOST=host_of(satker_a)).get("/api/v1/figures/", {"q": "tpt 2022"}).json()
    home_b = Client(HTTP_HOST=host_of(satker_b)).get("/api/v1/figures/", {"q": "tpt 2022"}).json()
    assert home_a["areas"][0]["code"] == "3515" and home_b["areas"][0]["code"] == "3578"


def test_the_figures_api_refuses_bad_input_in_the_users_language(db, satker_a):
    client = Client(HTTP_HOST=host_of(satker_a))
    missing = client.get("/api/v1/figures/")
    assert missing.status_code == 400 and "q" in missing.json()
    assert client.get("/api/v1/figures/", {"q": "tpt", "area": "35; drop"}).status_code == 400
    assert client.get("/api/v1/figures/", {"q": "x" * 501}).status_code == 400
