"""Satker admins manage officers, expertise, availability and rules through the pages."""

import html
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from booking import services
from booking.models import BookingSettings, ClosedDay, ExpertiseTag, OfficerProfile
from core.models import AuditEntry, Role
from tests.booking.conftest import at, next_weekday, request
from tests.booking.test_slots import slots_on
from tests.conftest import client_for, create_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def admin_client(satker_a):
    return client_for(satker_a, create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN))


def test_admin_sets_up_an_officer_who_then_appears_with_slots(satker_a, admin_client, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    officer = create_user(satker_a, "dewi@a.example", role=Role.OFFICER, full_name="Dewi Lestari")
    with schema_context(satker_a.schema_name):
        tag = ExpertiseTag.objects.get(slug="pertanian")
    response = admin_client.post(
        f"/pengaturan/petugas/{officer.pk}/",
        {
            "form": "profile",
            "bio": "Statistisi pertanian",
            "languages": "Indonesia, Jawa",
            "is_active": "on",
            "expertise": [tag.pk],
            "weekly_hours_0_1_from": "08:00",
            "weekly_hours_0_1_until": "12:00",
            "weekly_hours_2_1_from": "13:00",
            "weekly_hours_2_1_until": "15:00",
            "photo": SimpleUploadedFile("me.png", PNG),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with schema_context(satker_a.schema_name):
        profile = OfficerProfile.objects.get(user=officer)
        assert profile.photo.name.startswith(f"satkers/{satker_a.schema_name}/officers/")
    page = client_for(satker_a).get("/petugas/?keahlian=pertanian").content.decode()
    assert "Dewi Lestari" in page and "Statistisi pertanian" in page
    monday = next_weekday(satker_a.timezone, 0)
    assert slots_on(satker_a, profile, monday) == ["08:00", "09:15", "10:30"]
    assert slots_on(satker_a, profile, monday + timedelta(days=2)) == ["13:00"]

    edit_page = admin_client.get(f"/pengaturan/petugas/{officer.pk}/").content.decode()
    assert 'name="weekly_hours_0_1_from" value="08:00"' in edit_page  # the saved hours, shown per day
    assert 'name="weekly_hours_2_1_until" value="15:00"' in edit_page
    for hours, problem in (
        ({"weekly_hours_0_1_from": "08:00"}, "Senin: isi “mulai” dan “sampai”"),
        ({"weekly_hours_1_1_from": "12:00", "weekly_hours_1_1_until": "08:00"}, "Selasa: “sampai” harus"),
        (
            {
                "weekly_hours_4_1_from": "08:00",
                "weekly_hours_4_1_until": "12:00",
                "weekly_hours_4_2_from": "11:00",
                "weekly_hours_4_2_until": "15:00",
            },
            "Jumat: kedua rentang bertumpuk",
        ),
        ({"weekly_hours_0_1_from": "pagi", "weekly_hours_0_1_until": "12:00"}, "Masukkan waktu yang valid"),
    ):
        bad = admin_client.post(f"/pengaturan/petugas/{officer.pk}/", {"form": "profile", "languages": "x", **hours})
        assert bad.status_code == 400 and problem in bad.content.decode(), problem
        assert 'href="#id_weekly_hours"' in bad.content.decode()  # the error summary leads to the editor
    assert slots_on(satker_a, profile, monday) == ["08:00", "09:15", "10:30"]  # nothing half-saved

    assert (
        admin_client.post(f"/pengaturan/petugas/{officer.pk}/", {"form": "override", "date": monday}).status_code == 302
    )
    assert (
        admin_client.post(
            f"/pengaturan/petugas/{officer.pk}/",
            {"form": "leave", "start_date": monday + timedelta(days=2), "end_date": monday + timedelta(days=2)},
        ).status_code
        == 302
    )
    assert slots_on(satker_a, profile, monday) == []
    assert slots_on(satker_a, profile, monday + timedelta(days=2)) == []
    reversed_leave = admin_client.post(
        f"/pengaturan/petugas/{officer.pk}/",
        {"form": "leave", "start_date": monday + timedelta(days=3), "end_date": monday},
    )
    assert reversed_leave.status_code == 400


def expertise_rows(admin_client, changes: dict[int, dict], new: dict | None = None) -> dict:
    """The expertise page's one form as the browser posts it: every row as shown, with `changes`
    by row number, and `new` in the empty row."""
    page = admin_client.get("/pengaturan/keahlian/").content.decode()
    shown = {
        name: html.unescape(value) for name, value in re.findall(r'name="(form-[^"]+)"[^>]*?value="([^"]*)"', page)
    }
    shown.update({name: "on" for name in re.findall(r'name="(form-\d+-is_active)"[^>]*checked', page)})
    total = int(shown["form-TOTAL_FORMS"])
    for row, fields in changes.items():
        shown.pop(f"form-{row}-is_active", None)
        shown.update({f"form-{row}-{name}": value for name, value in fields.items()})
    shown.update({f"form-{total - 1}-{name}": value for name, value in (new or {}).items()})
    return shown


def test_admin_adds_renames_and_retires_expertise_in_one_form(satker_a, satker_b, admin_client, officer_a):
    with schema_context(satker_a.schema_name):
        tags = list(ExpertiseTag.objects.values_list("slug", flat=True))
    poverty_row = tags.index("kemiskinan-kesejahteraan")
    page = admin_client.get("/pengaturan/keahlian/").content.decode()
    main = page[page.index("<main") : page.index("</main>")]
    assert main.count("<form") == 1 and main.count('type="submit"') == 1  # one form, one button
    added = admin_client.post(
        "/pengaturan/keahlian/",
        expertise_rows(
            admin_client,
            {poverty_row: {"name": "Kemiskinan", "name_en": "Poverty", "is_active": "on"}},
            new={"name": "Statistik Gender", "name_en": "Gender statistics", "is_active": "on"},
        ),
    )
    assert added.status_code == 302
    with schema_context(satker_a.schema_name):
        assert ExpertiseTag.objects.get(name="Statistik Gender").slug == "statistik-gender"
        assert ExpertiseTag.objects.get(slug="kemiskinan-kesejahteraan").name == "Kemiskinan"
        assert AuditEntry.objects.filter(action="expertise.save").count() == 2  # only the changed rows
    with schema_context(satker_b.schema_name):
        assert not ExpertiseTag.objects.filter(name="Statistik Gender").exists()
    assert "Kemiskinan</a>" in client_for(satker_a).get("/petugas/").content.decode()

    emptied = admin_client.post("/pengaturan/keahlian/", expertise_rows(admin_client, {poverty_row: {"name": ""}}))
    assert emptied.status_code == 400 and 'href="#id_form-' in emptied.content.decode()
    admin_client.post("/pengaturan/keahlian/", expertise_rows(admin_client, {poverty_row: {}}))  # unticked: retired
    directory = client_for(satker_a).get("/petugas/").content.decode()
    assert "?keahlian=kemiskinan-kesejahteraan" not in directory
    assert client_for(satker_a).get("/keahlian/kemiskinan-kesejahteraan/jadwal/").status_code == 404


def test_admin_rules_and_closed_days(satker_a, admin_client, officer_a):
    monday = next_weekday(satker_a.timezone, 0)
    response = admin_client.post(
        "/pengaturan/jadwal/",
        {
            "slot_minutes": 45,
            "buffer_minutes": 0,
            "min_notice_hours": 2,
            "booking_window_days": 30,
            "daily_cap": 3,
            "decision_standard_hours": 8,
        },
    )
    assert response.status_code == 302
    assert slots_on(satker_a, officer_a, monday)[:3] == ["08:00", "08:45", "09:30"]
    assert (
        admin_client.post(
            "/pengaturan/jadwal/",
            {
                "slot_minutes": 5,
                "buffer_minutes": 0,
                "min_notice_hours": 2,
                "booking_window_days": 30,
                "daily_cap": 3,
                "decision_standard_hours": 8,
            },
        ).status_code
        == 400
    )
    assert admin_client.post("/pengaturan/jadwal/", {"date": monday, "name": "Cuti bersama"}).status_code == 302
    assert slots_on(satker_a, officer_a, monday) == []
    duplicate = admin_client.post("/pengaturan/jadwal/", {"date": monday, "name": "Lagi"})
    assert duplicate.status_code == 400
    with schema_context(satker_a.schema_name):
        assert ClosedDay.objects.count() == 1


def test_officers_see_all_consultations_only_when_the_admin_allows(satker_a, admin_client, officer_a, consumer_a):
    from tests.booking.conftest import make_officer

    colleague = make_officer(satker_a, "bagus@a.example")
    booked = request(satker_a, consumer_a, officer_a, at(satker_a, next_weekday(satker_a.timezone, 0), 8))
    colleague_client = client_for(satker_a, colleague.user)
    assert colleague_client.get(f"/konsultasi/{booked.pk}/").status_code == 404
    with schema_context(satker_a.schema_name):
        BookingSettings.objects.filter(id=1).update(officers_see_all=True)
    assert colleague_client.get(f"/konsultasi/{booked.pk}/").status_code == 200
    # Seeing is not acting: the colleague still may not approve it.
    assert colleague_client.post(f"/konsultasi/{booked.pk}/approve/", {"meeting_link": ""}).status_code == 403


@pytest.mark.parametrize(
    "path",
    ["/pengaturan/petugas/", "/pengaturan/keahlian/", "/pengaturan/jadwal/", "/pengaturan/kepuasan/", "/kotak-masuk/"],
)
def test_admin_pages_refuse_consumers(satker_a, consumer_a, path):
    assert client_for(satker_a, consumer_a).get(path).status_code == 403
    assert client_for(satker_a).get(path).status_code == 302  # anonymous: to the login page


def test_availability_before_a_profile_is_a_clear_400(satker_a, admin_client):
    officer = create_user(satker_a, "baru@a.example", role=Role.OFFICER)
    response = admin_client.post(f"/pengaturan/petugas/{officer.pk}/", {"form": "override", "date": "2030-01-07"})
    assert response.status_code == 400 and "profil petugas" in response.content.decode()


def test_weekly_hours_are_refused_per_day_by_the_service(satker_a, officer_a):
    with schema_context(satker_a.schema_name):
        with pytest.raises(ValidationError) as refused:
            services.set_weekly_hours(
                officer_a,
                [(0, "08:00", "09:00"), (0, "10:00", "11:00"), (0, "12:00", "13:00"), (3, "14:00", "13:00")],
            )
        assert refused.value.message_dict["weekly_hours"] == [
            "Senin: paling banyak dua rentang jam.",
            "Kamis: “sampai” harus lebih lambat daripada “mulai”.",
        ]
        assert officer_a.weekly_hours.count() == 5  # the hours it had are kept
