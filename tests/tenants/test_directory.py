"""The public directory: the portal finds satkers and officers for a need, and stays in step
with each satker's officers and tags without reading any satker schema per request."""

from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from booking import services as booking
from booking.models import ExpertiseTag
from core.services import update_profile
from portal.directory import search_directory
from portal.models import DirectoryOfficer, DirectoryTopic
from tenants.services import set_satker_status
from tests.booking.conftest import at, make_officer, next_weekday
from tests.conftest import client_for, create_user

NEED = "data kemiskinan Sidoarjo 2023"


def portal() -> Client:
    return Client(HTTP_HOST=settings.HALOPST_BASE_DOMAIN)


def suggested(query):
    return [
        (s.satker.subdomain, s.topic.slug if s.topic else None, [o.name for o in s.officers])
        for s in search_directory(query)
    ]


def test_a_need_with_a_place_finds_that_satkers_topic_and_officer(satker_a, satker_b):
    make_officer(satker_a, "rina@a.example", full_name="Rina Kusumawati")
    make_officer(satker_b, "budi@b.example", full_name="Budi Santoso", tags=("perdagangan-harga-inflasi",))

    assert suggested(NEED)[0] == ("sidoarjokab", "kemiskinan-kesejahteraan", ["Rina Kusumawati"])
    # "inflasi" is a search word of the trade & prices tag, not part of its name.
    assert suggested("inflasi Surabaya")[0] == ("surabayakota", "perdagangan-harga-inflasi", ["Budi Santoso"])
    # A topic with no place: only satkers with an officer for it.
    assert [row[0] for row in suggested("angka kemiskinan")] == ["sidoarjokab"]
    # A place with no topic: the satker itself.
    assert suggested("Sidoarjo") == [("sidoarjokab", None, [])]
    assert suggested("zzzz qqqq") == []


def test_abbreviations_and_other_names_find_topics_and_places(satker_a, satker_b):
    make_officer(satker_a, "rina@a.example", full_name="Rina Kusumawati", tags=("pendidikan-kesehatan",))
    make_officer(satker_b, "budi@b.example", full_name="Budi Santoso", tags=("ketenagakerjaan",))
    # An indicator's abbreviation leads to the topic of its subject ("uhh": life expectancy, health).
    assert suggested("uhh")[0] == ("sidoarjokab", "pendidikan-kesehatan", ["Rina Kusumawati"])
    assert suggested("human development index")[0][:2] == ("sidoarjokab", "pendidikan-kesehatan")
    # A place as people write it: "sby" is Surabaya, with a mistyped indicator too.
    assert suggested("pengangguan sby")[0] == ("surabayakota", "ketenagakerjaan", ["Budi Santoso"])
    assert suggested("sby") == [("surabayakota", None, [])]

    # No office is named "ipm": the page suggests the topic and still lists every office.
    page = portal().get("/", {"q": "ipm"}).content.decode()
    assert "Rina Kusumawati" in page and "Kabupaten Sidoarjo" in page and "Kota Surabaya" in page
    assert page.count("Semua kantor") == 1


def test_directory_follows_officers_and_tags(satker_a, satker_b):
    officer = make_officer(satker_a, "rina@a.example", full_name="Rina Kusumawati")
    untouched_b = list(DirectoryTopic.objects.filter(satker=satker_b).values_list("slug", "name", "officer_count"))

    with schema_context(satker_a.schema_name):
        update_profile(officer.user, full_name="Rina K. Wardani")
    assert suggested(NEED)[0][2] == ["Rina K. Wardani"]

    with schema_context(satker_a.schema_name):
        tag = ExpertiseTag.objects.get(slug="kemiskinan-kesejahteraan")
        booking.save_expertise_tag(tag, name="Kemiskinan & Ketimpangan", keywords="miskin, gini")
        booking.save_expertise_tag(None, name="Statistik Gender", keywords="perempuan, gender")
    topic = DirectoryTopic.objects.get(satker=satker_a, slug="kemiskinan-kesejahteraan")
    assert topic.name == "Kemiskinan & Ketimpangan" and topic.officer_count == 1
    assert suggested("statistik gender Sidoarjo")[0][:2] == ("sidoarjokab", "statistik-gender")

    with schema_context(satker_a.schema_name):
        booking.save_officer_profile(officer.user, expertise=[tag], is_active=False)
    assert not DirectoryOfficer.objects.filter(satker=satker_a).exists()
    assert suggested("angka kemiskinan") == []

    with schema_context(satker_a.schema_name):
        booking.save_expertise_tag(tag, name=tag.name, is_active=False)
    assert not DirectoryTopic.objects.filter(satker=satker_a, slug="kemiskinan-kesejahteraan").exists()
    # Another satker's directory rows never move with this satker's changes.
    assert (
        list(DirectoryTopic.objects.filter(satker=satker_b).values_list("slug", "name", "officer_count")) == untouched_b
    )


def test_a_suspended_satker_disappears_from_the_portal(satker_a):
    make_officer(satker_a, "rina@a.example", full_name="Rina Kusumawati")
    assert "Kabupaten Sidoarjo" in portal().get("/", {"q": NEED}).content.decode()
    set_satker_status(satker_a, "suspended")
    assert suggested(NEED) == [] and suggested("angka kemiskinan") == []
    page = portal().get("/", {"q": NEED}).content.decode()
    assert "Kabupaten Sidoarjo" not in page
    assert portal().get("/api/v1/directory/", {"q": NEED}).json() == []


def test_portal_links_land_on_the_satkers_booking_form_with_the_need_filled_in(satker_a, django_assert_max_num_queries):
    officer = make_officer(satker_a, "rina@a.example", full_name="Rina Kusumawati")
    # Public tables only, whatever the number of satkers (one is the indicator catalogue's
    # freshness check: the search understands indicator and place names as AIDA does), with
    # the catalogue already in the process, as it is after a process's first search.
    search_directory(NEED)
    with django_assert_max_num_queries(9):
        api = portal().get("/api/v1/directory/", {"q": NEED})
    first = api.json()[0]
    assert first["satker_code"] == "3515" and first["officers"] == [{"id": officer.pk, "name": "Rina Kusumawati"}]
    link = urlsplit(first["booking_url"])
    assert link.hostname == "sidoarjokab.localhost" and link.path == "/keahlian/kemiskinan-kesejahteraan/jadwal/"
    assert parse_qs(link.query) == {"topik": [NEED]}
    page = portal().get("/", {"q": NEED}).content.decode()
    assert f"http://sidoarjokab.localhost/petugas/{officer.pk}/jadwal/?topik=data+kemiskinan+Sidoarjo+2023" in page

    consumer = client_for(satker_a, create_user(satker_a, "andi@example.com"))
    assert consumer.get(f"/petugas/{officer.pk}/jadwal/", {"topik": NEED}).status_code == 200
    starts_at = at(satker_a, next_weekday(satker_a.timezone), 9)
    form = consumer.get("/konsultasi/baru/", {"petugas": officer.pk, "mulai": starts_at.isoformat()})
    assert form.status_code == 200
    assert f'value="{NEED}"' in form.content.decode()
