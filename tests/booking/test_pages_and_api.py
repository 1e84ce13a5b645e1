import re
from datetime import timedelta
from datetime import timezone as dt_timezone
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from booking import services
from booking.models import SURVEY_ELEMENTS, Consultation, Feedback, Status
from booking.selectors import satisfaction_index
from core.models import AuditEntry, Role
from tests.booking.conftest import at, make_officer, next_weekday, request
from tests.conftest import client_for, create_user


@pytest.fixture
def monday(satker_a):
    return next_weekday(satker_a.timezone, 0)


def test_directory_filters_by_expertise(satker_a, officer_a):
    make_officer(satker_a, "bagus@a.example", full_name="Bagus Prasetyo", tags=["ketenagakerjaan"])
    client = client_for(satker_a)
    everyone = client.get("/petugas/").content.decode()
    assert "Rina Kusumawati" in everyone and "Bagus Prasetyo" in everyone
    labour = client.get("/petugas/?keahlian=ketenagakerjaan").content.decode()
    assert "Bagus Prasetyo" in labour and "Rina Kusumawati" not in labour
    assert "/keahlian/ketenagakerjaan/jadwal/" in labour


def test_expertise_nobody_covers_is_not_offered_and_its_old_links_lead_to_help(satker_a, officer_a):
    client = client_for(satker_a)
    directory = client.get("/petugas/").content.decode()
    assert "?keahlian=kemiskinan-kesejahteraan" in directory and "?keahlian=ketenagakerjaan" not in directory
    slots = client.get("/keahlian/ketenagakerjaan/jadwal/")
    assert slots.status_code == 302 and slots["Location"] == "/petugas/?keahlian=ketenagakerjaan"
    page = client.get(slots["Location"]).content.decode()
    assert "/keahlian/ketenagakerjaan/jadwal/" not in page and "/aida/" in page and "http://localhost" in page


def test_consumer_books_through_the_pages(satker_a, officer_a, consumer_a, monday):
    client = client_for(satker_a, consumer_a)
    week = (monday - timezone.localdate()).days // 7
    slots_page = client.get(f"/petugas/{officer_a.pk}/jadwal/?minggu={week}").content.decode()
    starts = at(satker_a, monday, 8)
    link = f"/konsultasi/baru/?petugas={officer_a.pk}&amp;mulai={quote(starts.isoformat())}"
    assert link in slots_page
    form_url = link.replace("&amp;", "&")
    assert "08:00" in client.get(form_url).content.decode()

    bad = client.post(
        form_url,
        {
            "starts_at": starts.isoformat(),
            "mode": "online",
            "topic": "",
            "data_need": "",
            "purpose": "study",
            "consumer_category": "student",
        },
    )
    assert bad.status_code == 400 and "harus diisi" in bad.content.decode()
    response = client.post(
        form_url,
        {
            "starts_at": starts.isoformat(),
            "mode": "online",
            "topic": "Garis kemiskinan",
            "data_need": "GK 2023",
            "purpose": "study",
            "consumer_category": "student",
        },
    )
    assert response.status_code == 302
    with schema_context(satker_a.schema_name):
        consultation = Consultation.objects.get()
    assert consultation.starts_at == starts
    assert client.get("/konsultasi/").content.decode().count("Garis kemiskinan") == 1


def test_losing_the_race_on_the_page_says_the_time_was_taken(satker_a, officer_a, consumer_a, monday):
    other = create_user(satker_a, "lain@example.com")
    starts = at(satker_a, monday, 8)
    request(satker_a, other, officer_a, starts)
    client = client_for(satker_a, consumer_a)
    form_url = f"/konsultasi/baru/?petugas={officer_a.pk}&mulai={quote(starts.isoformat())}"
    response = client.post(
        form_url,
        {
            "starts_at": starts.isoformat(),
            "mode": "online",
            "topic": "T",
            "data_need": "D",
            "purpose": "study",
            "consumer_category": "student",
        },
        follow=True,
    )
    assert "baru saja diambil" in response.content.decode()


def test_inbox_shows_pending_first_oldest_first(satker_a, officer_a, consumer_a, monday):
    late = request(satker_a, consumer_a, officer_a, at(satker_a, monday, 8), topic="Pertama diminta")
    early = request(
        satker_a, consumer_a, officer_a, at(satker_a, monday - timedelta(days=0), 9, 15), topic="Kedua diminta"
    )
    with schema_context(satker_a.schema_name):
        services.approve(late.pk, officer_a.user)
    third = request(satker_a, consumer_a, officer_a, at(satker_a, monday, 10, 30), topic="Ketiga diminta")
    page = client_for(satker_a, officer_a.user).get("/kotak-masuk/").content.decode()
    assert page.index("Kedua diminta") < page.index("Ketiga diminta") < page.index("Pertama diminta")
    assert "menunggu" in page
    assert early.pk and third.pk


def test_officer_approves_on_the_page_and_a_refused_move_is_409(satker_a, officer_a, consumer_a, monday):
    booked = request(satker_a, consumer_a, officer_a, at(satker_a, monday, 8))
    officer = client_for(satker_a, officer_a.user)
    response = officer.post(f"/konsultasi/{booked.pk}/approve/", {"meeting_link": "https://meet.example.org/pst-42"})
    assert response.status_code == 302
    page = client_for(satker_a, consumer_a).get(f"/konsultasi/{booked.pk}/").content.decode()
    assert "https://meet.example.org/pst-42" in page and "Disetujui" in page

    again = officer.post(f"/konsultasi/{booked.pk}/approve/", {"meeting_link": ""})
    assert again.status_code == 409 and "tidak bisa dilakukan lagi" in again.content.decode()
    api = officer.post(f"/api/v1/consultations/{booked.pk}/decline/", {"reason": "x"}, content_type="application/json")
    assert api.status_code == 409 and "detail" in api.json()


def test_api_booking_flow_and_visibility(satker_a, officer_a, consumer_a, monday):
    consumer = client_for(satker_a, consumer_a)
    slots = consumer.get(f"/api/v1/officers/{officer_a.pk}/slots/?from={monday}&to={monday}").json()
    assert len(slots) == 6
    created = consumer.post(
        "/api/v1/consultations/",
        {
            "officer": officer_a.pk,
            "starts_at": slots[0]["starts_at"],
            "mode": "online",
            "topic": "Inflasi",
            "data_need": "IHK",
            "purpose": "research",
            "consumer_category": "researcher",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    taken = consumer.post(
        "/api/v1/consultations/",
        {
            "officer": officer_a.pk,
            "starts_at": slots[0]["starts_at"],
            "mode": "online",
            "topic": "Inflasi",
            "data_need": "IHK",
            "purpose": "research",
            "consumer_category": "researcher",
        },
        content_type="application/json",
    )
    assert taken.status_code == 409
    bad = consumer.post(
        "/api/v1/consultations/", {"officer": officer_a.pk, "starts_at": "kemarin"}, content_type="application/json"
    )
    assert bad.status_code == 400

    stranger = client_for(satker_a, create_user(satker_a, "lain@example.com"))
    pk = created.json()["id"]
    assert stranger.get(f"/api/v1/consultations/{pk}/").status_code == 404
    assert stranger.get("/api/v1/consultations/").json() == []
    assert client_for(satker_a, officer_a.user).get(f"/api/v1/consultations/{pk}/").json()["topic"] == "Inflasi"


def test_consultation_of_satker_a_is_404_on_satker_b(satker_a, satker_b, officer_a, consumer_a, monday):
    booked = request(satker_a, consumer_a, officer_a, at(satker_a, monday, 8))
    # The same id and even the same e-mail on B reach nothing of A.
    twin = create_user(satker_b, "andi@example.com", role=Role.SATKER_ADMIN)
    client_b = client_for(satker_b, twin)
    for path in (
        f"/konsultasi/{booked.pk}/",
        f"/konsultasi/{booked.pk}/kalender.ics",
        f"/api/v1/consultations/{booked.pk}/",
    ):
        assert client_b.get(path).status_code == 404, path
    assert client_b.post(f"/konsultasi/{booked.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert (
        client_b.post(f"/api/v1/consultations/{booked.pk}/approve/", {}, content_type="application/json").status_code
        == 404
    )
    stolen = Client(HTTP_HOST="surabayakota.localhost")
    stolen.cookies["sessionid"] = client_for(satker_a, consumer_a).cookies["sessionid"].value
    assert stolen.get(f"/api/v1/consultations/{booked.pk}/").status_code == 403
    with schema_context(satker_a.schema_name):
        assert Consultation.objects.get(pk=booked.pk).status == Status.REQUESTED


def test_calendar_file_keeps_its_uid_and_raises_its_sequence(satker_a, officer_a, consumer_a, monday):
    booked = request(satker_a, consumer_a, officer_a, at(satker_a, monday, 8))
    client = client_for(satker_a, consumer_a)
    with schema_context(satker_a.schema_name):
        services.approve(booked.pk, officer_a.user)
    first = client.get(f"/konsultasi/{booked.pk}/kalender.ics").content.decode()
    with schema_context(satker_a.schema_name):
        services.propose_reschedule(booked.pk, officer_a.user, starts_at=at(satker_a, monday, 13), reason="Rapat")
        services.accept_reschedule(booked.pk, consumer_a)
    second = client.get(f"/konsultasi/{booked.pk}/kalender.ics").content.decode()
    with schema_context(satker_a.schema_name):
        services.cancel(booked.pk, consumer_a, reason="Batal")
    third = client.get(f"/konsultasi/{booked.pk}/kalender.ics").content.decode()

    def field(ics, name):
        return next(line.split(":", 1)[1] for line in ics.split("\r\n") if line.startswith(name + ":"))

    assert field(first, "UID") == field(second, "UID") == field(third, "UID")
    assert [field(ics, "SEQUENCE") for ics in (first, second, third)] == ["0", "1", "2"]
    assert field(first, "DTSTART") == at(satker_a, monday, 8).astimezone(dt_timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    assert field(third, "METHOD") == "CANCEL" and field(third, "STATUS") == "CANCELLED"


def test_the_survey_is_offered_only_when_the_consultation_can_be_rated(satker_a, officer_a, consumer_a, monday):
    booked = request(satker_a, consumer_a, officer_a, at(satker_a, monday, 8))
    consumer = client_for(satker_a, consumer_a)
    early = consumer.get(f"/konsultasi/{booked.pk}/nilai/")
    assert early.status_code == 200
    assert (
        "u1_requirements" not in early.content.decode() and "setelah konsultasi berlangsung" in early.content.decode()
    )
    assert consumer.post(f"/konsultasi/{booked.pk}/nilai/", {"rating": 5}).status_code == 409
    with schema_context(satker_a.schema_name):
        Consultation.objects.filter(pk=booked.pk).update(status=Status.COMPLETED)
    survey = consumer.get(f"/konsultasi/{booked.pk}/nilai/").content.decode()
    assert "u1_requirements" in survey
    assert survey.count("<legend>") >= 10  # each question is a fieldset a screen reader announces


def test_ikm_is_the_mean_of_element_means_times_25_with_its_grade(satker_a, officer_a, consumer_a, monday):
    answers = [
        {
            "u1_requirements": 4,
            "u2_procedure": 4,
            "u3_completion_time": 3,
            "u4_cost": 4,
            "u5_product": 3,
            "u6_competence": 4,
            "u7_behaviour": 4,
            "u8_complaints": 3,
            "u9_facilities": 3,
        },
        {
            "u1_requirements": 3,
            "u2_procedure": 3,
            "u3_completion_time": 3,
            "u4_cost": 4,
            "u5_product": 3,
            "u6_competence": 4,
            "u7_behaviour": 4,
            "u8_complaints": 3,
            "u9_facilities": 2,
        },
    ]
    for number, survey in enumerate(answers):
        booked = request(satker_a, consumer_a, officer_a, at(satker_a, monday, 8 + number * 5))
        with schema_context(satker_a.schema_name):
            services.approve(booked.pk, officer_a.user)
            Consultation.objects.filter(pk=booked.pk).update(
                starts_at=timezone.now() - timedelta(hours=3),
                ends_at=timezone.now() - timedelta(hours=2),
                held_until=timezone.now() - timedelta(hours=2),
            )
            services.complete(booked.pk, officer_a.user)
            services.rate(booked.pk, consumer_a, rating=5 - number, survey=survey)
    with schema_context(satker_a.schema_name):
        index = satisfaction_index(timezone.now().year)
        assert Feedback.objects.count() == 2
    element_means = [(a + b) / 2 for a, b in zip(answers[0].values(), answers[1].values())]
    expected = sum(element_means) / 9 * 25
    month = timezone.now().month
    assert index["months"][month]["ikm"] == round(expected, 2)  # 84.72
    assert index["months"][month]["grade"] == "B"
    assert index["quarters"][(month - 1) // 3 + 1]["responses"] == 2
    admin = create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN)
    assert client_for(satker_a, admin).get("/api/v1/satisfaction/").json()["year_total"]["grade"] == "B"
    assert client_for(satker_a, consumer_a).get("/api/v1/satisfaction/").status_code == 403


def test_openapi_schema_and_docs_are_served_on_a_satker_host(satker_a):
    client = client_for(satker_a)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/consultations/" in schema.content
    assert client.get("/api/docs/").status_code == 200


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("berapa TPT (tingkat pengangguran) surabaya 2023?", "ketenagakerjaan"),
        ("Inflasi Sidoarjo bulan lalu berapa?", "perdagangan-harga-inflasi"),
        ("data garis kemiskinan dan gini ratio", "kemiskinan-kesejahteraan"),
        ("What is the poverty rate?", "kemiskinan-kesejahteraan"),
        ("jadwal kereta besok pagi", None),
        ("produksi padi kabupaten ini", None),  # agriculture has no officer here: not offered
    ],
)
def test_a_question_finds_the_bookable_expertise_it_is_about(satker_a, question, expected):
    from booking.selectors import expertise_for

    make_officer(satker_a, "rina@a.example", tags=["kemiskinan-kesejahteraan", "ketenagakerjaan"])
    make_officer(satker_a, "bagus@a.example", tags=["perdagangan-harga-inflasi"])
    with schema_context(satker_a.schema_name):
        found = expertise_for(question)
    assert (found.slug if found else None) == expected


def test_a_proposed_time_is_shown_beside_the_time_it_replaces(satker_a, officer_a, consumer_a, monday):
    booked = request(satker_a, consumer_a, officer_a, at(satker_a, monday, 8))
    with schema_context(satker_a.schema_name):
        services.propose_reschedule(booked.pk, officer_a.user, starts_at=at(satker_a, monday, 13), reason="Rapat")
    page = client_for(satker_a, consumer_a).get(f"/konsultasi/{booked.pk}/").content.decode()
    replaced = page[page.index('id="replaced-time"') :]
    assert "<s>" in replaced and "08:00 WIB</s>" in replaced and "13:00–14:00 WIB" in replaced
    with schema_context(satker_a.schema_name):
        services.accept_reschedule(booked.pk, consumer_a)
    assert (
        'id="replaced-time"' not in client_for(satker_a, consumer_a).get(f"/konsultasi/{booked.pk}/").content.decode()
    )


def test_the_officer_proposes_one_of_their_free_times_and_can_reach_the_consumer(
    satker_a, officer_a, consumer_a, monday
):
    with schema_context(satker_a.schema_name):
        consumer_a.whatsapp = "0812-3456-7890"
        consumer_a.save(update_fields=["whatsapp"])
    booked = request(satker_a, consumer_a, officer_a, at(satker_a, monday, 8))
    other = create_user(satker_a, "budi@example.com")
    request(satker_a, other, officer_a, at(satker_a, monday, 10, 30))  # held: not offered
    officer = client_for(satker_a, officer_a.user)
    page = officer.get(f"/konsultasi/{booked.pk}/").content.decode()

    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), [name for name in set(ids) if ids.count(name) > 1]
    offered = re.findall(r'<option value="([^"]+)"', page)
    assert at(satker_a, monday, 9, 15).isoformat() in offered
    assert at(satker_a, monday, 8).isoformat() not in offered  # its own time
    assert at(satker_a, monday, 10, 30).isoformat() not in offered  # another consumer's
    assert 'href="mailto:andi@example.com"' in page and 'href="https://wa.me/6281234567890"' in page
    assert "mailto:" not in client_for(satker_a, consumer_a).get(f"/konsultasi/{booked.pk}/").content.decode()

    held = officer.post(
        f"/konsultasi/{booked.pk}/propose_reschedule/",
        {"starts_at": at(satker_a, monday, 10, 30).isoformat(), "reason": "Rapat"},
    )
    assert held.status_code == 409 and "baru saja diambil" in held.content.decode()
    moved = officer.post(
        f"/konsultasi/{booked.pk}/propose_reschedule/",
        {"starts_at": at(satker_a, monday, 9, 15).isoformat(), "reason": "Rapat"},
    )
    assert moved.status_code == 302
    with schema_context(satker_a.schema_name):
        booked.refresh_from_db()
        assert booked.status == Status.RESCHEDULE_PROPOSED and booked.starts_at == at(satker_a, monday, 9, 15)


def test_officer_cards_show_rating_and_next_free_time(satker_a, officer_a, consumer_a, monday):
    booked = request(satker_a, consumer_a, officer_a, at(satker_a, monday, 8))
    with schema_context(satker_a.schema_name):
        Consultation.objects.filter(pk=booked.pk).update(status=Status.COMPLETED)
        Feedback.objects.create(
            consultation=booked, rating=4, **dict.fromkeys((name for name, _label in SURVEY_ELEMENTS), 3)
        )
    page = client_for(satker_a).get("/petugas/").content.decode()
    card = page[page.index('class="card officer"') :]
    assert "★ 4,0 · 1 penilaian" in card
    assert "Waktu kosong terdekat" in card and "WIB" in card.split("Waktu kosong terdekat")[1][:120]


def test_office_contact_set_by_the_admin_shows_on_its_home_page_only(satker_a, satker_b):
    admin = client_for(satker_a, create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN))
    contact = {
        "form": "contact",
        "address": "Jl. Contoh No. 1, Sidoarjo",
        "opening_hours": "Senin–Jumat 08.00–15.30",
        "phone": "(031) 8941744",
        "whatsapp": "0812-3456-7890",
        "email": "pst@contoh.example",
        "map_url": "",
    }
    bad = admin.post("/pengaturan/tampilan/", {**contact, "map_url": "javascript:alert(1)", "phone": "telepon"})
    assert bad.status_code == 400
    assert "Masukkan nomor telepon" in bad.content.decode() and 'href="#id_map_url"' in bad.content.decode()
    assert admin.post("/pengaturan/tampilan/", contact).status_code == 302

    home = client_for(satker_a).get("/").content.decode()
    assert "Jl. Contoh No. 1, Sidoarjo" in home and "Senin–Jumat 08.00–15.30 (WIB)" in home
    assert 'href="tel:(031)8941744"' in home and 'href="https://wa.me/6281234567890"' in home
    assert "https://www.google.com/maps/search/?api=1&amp;query=" in home
    assert "Jl. Contoh" not in client_for(satker_b).get("/").content.decode()
    with schema_context(satker_a.schema_name):
        assert AuditEntry.objects.filter(action="office_contact.update").exists()
