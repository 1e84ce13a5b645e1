"""Knowledge kept once down the hierarchy: the nation's and a province's entries are found on
every satker of their scope at once; a satker's own version replaces one on its site only; a
satker's reviewed answer is proposed upward and, published, reaches the whole province."""

import pytest
from django_tenants.utils import schema_context

from aida import services as aida
from aida.models import KnowledgeEntry, Origin
from core.models import Role
from shared_knowledge.entries import EntryData
from shared_knowledge.models import SharedEntry
from tenants.models import Satker
from tenants.services import SatkerSpec, onboard_satker
from tests.conftest import client_for, create_user

NATIONAL_MARK = "Koreksi-nasional-7731"
LOCAL_MARK = "Versi-Sidoarjo-4410"


def found(satker, question: str) -> list[dict]:
    return client_for(satker).get("/api/v1/knowledge/search/", {"q": question}).json()


def entry_page(satker, slug: str) -> str:
    return client_for(satker).get(f"/aida/pengetahuan/{slug}/").content.decode()


@pytest.fixture
def national_admin(db):
    return create_user(Satker.objects.get(schema_name="public"), "pusat@bps.example", role=Role.NATIONAL_ADMIN)


def test_a_national_correction_reaches_every_satker_at_once_and_a_local_version_only_its_own(
    satker_a, satker_b, national_admin
):
    # The starter entries are inherited, not copied: no satker holds its own copy any more.
    with schema_context(satker_a.schema_name):
        assert not KnowledgeEntry.objects.filter(slug="garis-kemiskinan").exists()
    national = SharedEntry.objects.get(scope="", slug="garis-kemiskinan")
    console = client_for(Satker.objects.get(schema_name="public"), national_admin)
    changed = console.post(
        f"/konsol/pengetahuan/{national.pk}/",
        {
            "scope": "nasional",
            "title": national.title,
            "body": f"{national.body} {NATIONAL_MARK}",
            "language": "id",
            "tags": national.tags,
            "source_url": national.source_url,
        },
    )
    assert changed.status_code == 302, changed.context["form"].errors
    for satker in (satker_a, satker_b):
        assert NATIONAL_MARK in entry_page(satker, "garis-kemiskinan")
        assert found(satker, "cara menghitung garis kemiskinan")[0]["slug"] == "garis-kemiskinan"

    admin_a = create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN)
    page = client_for(satker_a, admin_a)
    listing = page.get("/pengaturan/pengetahuan/").content.decode()
    assert "?ganti=garis-kemiskinan" in listing
    form = page.get("/pengaturan/pengetahuan/baru/?ganti=garis-kemiskinan")
    assert form.context["form"]["title"].initial == national.title and 'id="replaces"' in form.content.decode()
    saved = page.post(
        "/pengaturan/pengetahuan/baru/?ganti=garis-kemiskinan",
        {
            "title": national.title,
            "body": f"Di Sidoarjo dihitung bersama. {LOCAL_MARK}",
            "tags": "kemiskinan",
            "language": "id",
            "status": "published",
            "source_url": "",
        },
    )
    assert saved.status_code == 302
    assert LOCAL_MARK in entry_page(satker_a, "garis-kemiskinan") and NATIONAL_MARK not in entry_page(
        satker_a, "garis-kemiskinan"
    )
    assert NATIONAL_MARK in entry_page(satker_b, "garis-kemiskinan") and LOCAL_MARK not in entry_page(
        satker_b, "garis-kemiskinan"
    )
    # One entry of the slug in a satker's ranked list: its own version, never both.
    hits = found(satker_a, "garis kemiskinan dihitung")
    assert [hit["slug"] for hit in hits].count("garis-kemiskinan") == 1
    with schema_context(satker_a.schema_name):
        from aida.retrieval import search

        [hit] = [hit for hit in search("garis kemiskinan dihitung") if hit.entry.slug == "garis-kemiskinan"]
        assert not hit.inherited and LOCAL_MARK in hit.entry.body
    with schema_context(satker_b.schema_name):
        [hit] = [hit for hit in search("garis kemiskinan dihitung") if hit.entry.slug == "garis-kemiskinan"]
        assert hit.inherited and NATIONAL_MARK in hit.entry.body


def test_a_province_entry_reaches_its_satkers_only_and_a_reviewed_answer_is_proposed_upward(
    satker_a, satker_b, province_jatim
):
    bali = onboard_satker(SatkerSpec("5100", "province", "Provinsi Bali", "bali", "Asia/Makassar"))
    public = Satker.objects.get(schema_name="public")
    jatim_admin = create_user(public, "jatim@bps.example", role=Role.PROVINCE_ADMIN, managed_province=province_jatim)
    console = client_for(public, jatim_admin)
    assert (
        console.post(
            "/konsol/pengetahuan/baru/", {"scope": "nasional", "title": "Nasional?", "body": "x", "language": "id"}
        ).status_code
        == 400
    )  # a province admin writes for the province only
    made = console.post(
        "/konsol/pengetahuan/baru/",
        {
            "scope": "35",
            "title": "Jadwal rilis BRS Jawa Timur",
            "body": "BRS Jawa Timur terbit tiap awal bulan.",
            "tags": "jadwal rilis, brs",
            "language": "id",
        },
    )
    assert made.status_code == 302
    for satker in (satker_a, satker_b):
        assert "jadwal-rilis-brs-jawa-timur" in [hit["slug"] for hit in found(satker, "jadwal rilis brs jawa timur")]
    assert "jadwal-rilis-brs-jawa-timur" not in [hit["slug"] for hit in found(bali, "jadwal rilis brs jawa timur")]

    with schema_context(satker_a.schema_name):
        reviewed = aida.save_entry(
            None,
            EntryData(title="Data stunting Sidoarjo", body="Data stunting ada di Dinas Kesehatan.", tags="stunting"),
            origin=Origin.REVIEWED,
        )
    admin_a = create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN)
    page = client_for(satker_a, admin_a)
    assert page.post(f"/pengaturan/pengetahuan/{reviewed.pk}/usulkan/").status_code == 302
    assert "diusulkan ke provinsi" in page.get("/pengaturan/pengetahuan/").content.decode()
    assert "data-stunting-sidoarjo" not in [hit["slug"] for hit in found(satker_b, "data stunting")]  # not yet
    proposal = SharedEntry.objects.get(proposed_by="3515")
    assert "Data stunting Sidoarjo" in console.get("/konsol/pengetahuan/").content.decode()
    assert console.post(f"/konsol/pengetahuan/{proposal.pk}/terbitkan/").status_code == 302
    assert "data-stunting-sidoarjo" in [hit["slug"] for hit in found(satker_b, "data stunting")]
    assert "data-stunting-sidoarjo" not in [hit["slug"] for hit in found(bali, "data stunting")]
