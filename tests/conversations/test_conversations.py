"""Asking an officer in writing: routing by topic and load, the thread on both sides, files,
notes that stay internal, closing and reopening, and isolation between people and satkers."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from conversations import services
from conversations.models import Conversation, ConversationEvent, ConversationSettings, Kind, Message, State
from core.errors import Conflict
from core.models import Role
from core.privacy import delete_account, export_personal_data
from realtime.models import Notification
from tests.booking.conftest import make_officer, on_duty_now
from tests.conftest import PASSWORD, client_for, create_user


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def team(satker_a):
    """Two poverty officers and one for prices, all on duty whenever the test runs."""
    team = {
        "rina": make_officer(satker_a, "rina@a.example", full_name="Rina Kemiskinan"),
        "bagus": make_officer(satker_a, "bagus@a.example", full_name="Bagus Kemiskinan"),
        "sari": make_officer(satker_a, "sari@a.example", tags=("perdagangan-harga-inflasi",), full_name="Sari Inflasi"),
    }
    on_duty_now(satker_a, *team.values())
    return team


def ask(satker, consumer, subject="Garis kemiskinan Sidoarjo 2023", tag=None, body="Untuk skripsi saya.", **extra):
    from booking.models import ExpertiseTag

    with schema_context(satker.schema_name):
        expertise = ExpertiseTag.objects.get(slug=tag) if tag else None
        return services.start_conversation(consumer=consumer, subject=subject, body=body, expertise=expertise, **extra)


def test_questions_go_to_the_officers_of_their_topic_in_turn(satker_a, team):
    consumers = [create_user(satker_a, f"penanya{i}@example.com") for i in range(3)]
    first = ask(satker_a, consumers[0], tag="kemiskinan-kesejahteraan")
    second = ask(satker_a, consumers[1], tag="kemiskinan-kesejahteraan")
    prices = ask(satker_a, consumers[2], "Inflasi bulanan", tag="perdagangan-harga-inflasi")
    poverty_officers = {team["rina"].pk, team["bagus"].pk}
    # Fewest open first, so the two poverty questions went to different poverty officers.
    assert {first.assignee_id, second.assignee_id} == poverty_officers
    assert prices.assignee == team["sari"]
    with schema_context(satker_a.schema_name):
        told = Notification.objects.get(kind="conversation_assigned", recipient=team["sari"].user)
        assert told.link == f"/percakapan/{prices.pk}/" and "Inflasi bulanan" in told.body
        assert list(ConversationEvent.objects.filter(conversation=prices).values_list("action", flat=True)) == [
            "start",
            "assign",
        ]
        # A third poverty question goes to whichever of the two was assigned longest ago.
        third = ask(satker_a, consumers[0], "Gini ratio", tag="kemiskinan-kesejahteraan")
        assert third.assignee_id == first.assignee_id


def test_at_the_cap_a_question_waits_and_an_officer_takes_it(satker_a, team):
    consumer = create_user(satker_a, "andi@example.com")
    with schema_context(satker_a.schema_name):
        ConversationSettings.objects.update_or_create(id=1, defaults={"open_per_officer": 1})
    first = ask(satker_a, consumer, tag="perdagangan-harga-inflasi")  # Sari now holds her one
    assert first.assignee == team["sari"]
    # She is the one who covers prices: the next question waits for her, or for anyone who takes it.
    queued = ask(satker_a, consumer, "IHK Juni", tag="perdagangan-harga-inflasi")
    assert queued.state == State.WAITING and queued.assignee is None
    # A topic nobody covers goes to anyone, below the cap.
    anyone = ask(satker_a, consumer, "Data pariwisata", tag="pariwisata-transportasi")
    assert anyone.assignee in (team["rina"], team["bagus"])
    with schema_context(satker_a.schema_name):
        taken = services.take(queued.pk, team["rina"].user)
        assert taken.assignee == team["rina"] and taken.state == State.ASSIGNED
        with pytest.raises(Conflict):
            services.take(queued.pk, team["bagus"].user)
        assert Notification.objects.filter(kind="conversation_assigned", recipient=team["rina"].user).count() == (
            1 if anyone.assignee == team["rina"] else 0
        )  # who takes a conversation is not told they took it


def test_the_thread_on_both_sides_with_a_file_and_an_internal_note(satker_a, team, media):
    consumer = create_user(satker_a, "andi@example.com", full_name="Andi Mahasiswa")
    conversation = ask(satker_a, consumer, tag="perdagangan-harga-inflasi")
    officer_page = client_for(satker_a, team["sari"].user)
    table = SimpleUploadedFile("ihk-sidoarjo-2024.csv", b"bulan,ihk\nJanuari,105.2\n", content_type="text/csv")
    answered = officer_page.post(
        f"/percakapan/{conversation.pk}/balas/", {"body": "Terlampir tabel IHK 2024.", "attachment": table}
    )
    assert answered.status_code == 302
    assert officer_page.post(f"/percakapan/{conversation.pk}/catatan/", {"body": "RAHASIA-CATATAN"}).status_code == 302

    consumer_page = client_for(satker_a, consumer)
    seen = consumer_page.get(f"/percakapan/{conversation.pk}/").content.decode()
    assert "Terlampir tabel IHK 2024." in seen and "ihk-sidoarjo-2024.csv" in seen
    assert "RAHASIA-CATATAN" not in seen
    assert "RAHASIA-CATATAN" in officer_page.get(f"/percakapan/{conversation.pk}/").content.decode()
    with schema_context(satker_a.schema_name):
        message = conversation.messages.exclude(attachment="").get()
        conversation.refresh_from_db()
        assert conversation.first_response_at is not None
        reply = Notification.objects.get(kind="conversation_reply", recipient=consumer)
        assert "Sari Inflasi" in reply.body
    download = consumer_page.get(f"/percakapan/{conversation.pk}/lampiran/{message.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"bulan,ihk\nJanuari,105.2\n"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"

    # The consumer writes twice before the next answer: the officer is told once.
    consumer_page.post(f"/percakapan/{conversation.pk}/balas/", {"body": "Terima kasih!"})
    consumer_page.post(f"/percakapan/{conversation.pk}/balas/", {"body": "Ada juga untuk 2023?"})
    with schema_context(satker_a.schema_name):
        assert Notification.objects.filter(kind="conversation_message", recipient=team["sari"].user).count() == 1


def test_files_a_data_answer_never_is_are_refused_in_words_and_nothing_is_kept(satker_a, team, media):
    consumer = create_user(satker_a, "andi@example.com")
    conversation = ask(satker_a, consumer, tag="perdagangan-harga-inflasi")
    page = client_for(satker_a, consumer)
    too_big = SimpleUploadedFile("besar.pdf", b"%PDF" + b"0" * (5 * 1024 * 1024), content_type="application/pdf")
    refused = page.post(f"/percakapan/{conversation.pk}/balas/", {"body": "ini", "attachment": too_big})
    assert refused.status_code == 400 and "paling besar 5 MB" in refused.content.decode()
    script = SimpleUploadedFile("halaman.html", b"<script>alert(1)</script>", content_type="text/html")
    refused = page.post(f"/percakapan/{conversation.pk}/balas/", {"attachment": script})
    assert refused.status_code == 400 and "PDF, Excel, CSV" in refused.content.decode()
    empty = page.post(f"/percakapan/{conversation.pk}/balas/", {"body": "  "})
    assert empty.status_code == 400 and "Tulis pesan atau lampirkan berkas" in empty.content.decode()
    with schema_context(satker_a.schema_name):
        assert conversation.messages.count() == 1
    assert not list(media.rglob("*.*"))


def test_closed_by_the_consumer_the_officer_cannot_write_and_a_new_message_reopens_it(satker_a, team):
    consumer = create_user(satker_a, "andi@example.com")
    conversation = ask(satker_a, consumer, tag="perdagangan-harga-inflasi")
    consumer_page = client_for(satker_a, consumer)
    assert consumer_page.post(f"/percakapan/{conversation.pk}/tutup/").status_code == 302
    officer_page = client_for(satker_a, team["sari"].user)
    refused = officer_page.post(f"/percakapan/{conversation.pk}/balas/", {"body": "Masih ada?"})
    assert refused.status_code == 409 and "ditutup" in refused.content.decode()
    consumer_page.post(f"/percakapan/{conversation.pk}/balas/", {"body": "Maaf, satu lagi."})
    with schema_context(satker_a.schema_name):
        conversation.refresh_from_db()
        assert conversation.state == State.ASSIGNED and conversation.assignee == team["sari"]
        actions = list(conversation.events.values_list("action", flat=True))
        assert actions == ["start", "assign", "close", "reopen", "assign"]


def test_an_officer_cannot_answer_a_colleagues_conversation_until_it_is_transferred(satker_a, team):
    consumer = create_user(satker_a, "andi@example.com")
    conversation = ask(satker_a, consumer, tag="perdagangan-harga-inflasi")
    rina = client_for(satker_a, team["rina"].user)
    # Not waiting and not hers: Rina does not even see it.
    assert rina.get(f"/percakapan/{conversation.pk}/").status_code == 404
    sari = client_for(satker_a, team["sari"].user)
    moved = sari.post(f"/percakapan/{conversation.pk}/alihkan/", {"officer": team["rina"].pk})
    assert moved.status_code == 302
    assert rina.post(f"/percakapan/{conversation.pk}/balas/", {"body": "Saya bantu."}).status_code == 302
    assert sari.get(f"/percakapan/{conversation.pk}/").status_code == 404
    with schema_context(satker_a.schema_name):
        event = conversation.events.get(action="transfer")
        assert event.actor == team["sari"].user and event.assignee == team["rina"]


def test_nobody_else_reaches_a_thread_not_in_this_satker_and_not_another_consumer(satker_a, satker_b, team, media):
    owner = create_user(satker_a, "andi@example.com")
    conversation = ask(satker_a, owner, "RAHASIA-PERCAKAPAN", tag="perdagangan-harga-inflasi")
    with schema_context(satker_a.schema_name):
        message = services.write(
            conversation.pk,
            team["sari"].user,
            body="ok",
            attachment=SimpleUploadedFile("tabel.csv", b"a,b\n", content_type="text/csv"),
        )
    stranger = create_user(satker_a, "lain@example.com")
    b_admin = create_user(satker_b, "admin@b.example", role=Role.SATKER_ADMIN)
    for client in (client_for(satker_a, stranger), client_for(satker_b, b_admin)):
        for path in (
            f"/percakapan/{conversation.pk}/",
            f"/percakapan/{conversation.pk}/lampiran/{message.pk}/",
        ):
            response = client.get(path)
            assert response.status_code == 404
        assert client.post(f"/percakapan/{conversation.pk}/balas/", {"body": "x"}).status_code == 404
        assert client.post(f"/percakapan/{conversation.pk}/tutup/").status_code == 404
        assert "RAHASIA-PERCAKAPAN" not in client.get("/percakapan/").content.decode()
    with schema_context(satker_a.schema_name):
        assert conversation.messages.count() == 2
    with schema_context(satker_b.schema_name):
        assert not Conversation.objects.exists()


def test_asking_from_the_pages_keeps_the_topic_and_officers_see_the_queue(satker_a, team):
    consumer = create_user(satker_a, "andi@example.com")
    page = client_for(satker_a, consumer)
    form = page.get("/tanya-petugas/?keahlian=perdagangan-harga-inflasi&topik=Inflasi+Sidoarjo").content.decode()
    assert 'value="Inflasi Sidoarjo"' in form and 'value="perdagangan-harga-inflasi" selected' in form
    missing = page.post("/tanya-petugas/", {"subject": "", "body": ""})
    assert missing.status_code == 400 and "harus diisi" in missing.content.decode()
    sent = page.post(
        "/tanya-petugas/",
        {"expertise": "perdagangan-harga-inflasi", "subject": "Inflasi Sidoarjo", "body": "Bulanan 2024"},
    )
    assert sent.status_code == 302
    with schema_context(satker_a.schema_name):
        conversation = Conversation.objects.get()
        assert conversation.messages.get().kind == Kind.FROM_CONSUMER
    assert sent["Location"] == f"/percakapan/{conversation.pk}/"
    assert "Inflasi Sidoarjo" in page.get("/percakapan/").content.decode()
    inbox = client_for(satker_a, team["sari"].user).get("/percakapan/").content.decode()
    assert "Inflasi Sidoarjo" in inbox and "belum dijawab" in inbox
    # Officers do not ask; consumers do not see the officers' queue.
    assert client_for(satker_a, team["sari"].user).get("/tanya-petugas/").status_code == 403


def test_a_consumers_questions_are_in_their_export_and_go_with_their_account(satker_a, team, media):
    consumer = create_user(satker_a, "andi@example.com")
    conversation = ask(
        satker_a,
        consumer,
        "Data untuk Andi 081234567890",
        tag="perdagangan-harga-inflasi",
        body="Nomor saya 081234567890",
        attachment=SimpleUploadedFile("ktp.pdf", b"%PDF-1.4 ktp", content_type="application/pdf"),
    )
    with schema_context(satker_a.schema_name):
        services.add_note(conversation.pk, team["sari"].user, body="catatan internal")
        services.write(conversation.pk, team["sari"].user, body="Silakan unduh di tautan.")
        exported = export_personal_data(consumer)["conversations"][0]
        assert [m["text"] for m in exported["messages"]] == ["Nomor saya 081234567890", "Silakan unduh di tautan."]
        assert exported["messages"][0]["file"] == "ktp.pdf"
        delete_account(consumer, password=PASSWORD)
        conversation.refresh_from_db()
        assert "081234567890" not in conversation.subject
        mine = conversation.messages.get(kind=Kind.FROM_CONSUMER)
        assert "081234567890" not in mine.body and not mine.attachment
        assert conversation.messages.filter(kind=Kind.FROM_OFFICER).exists()
    assert not list(media.rglob("ktp.pdf"))


def test_a_satker_admin_connects_its_whatsapp_number_and_the_token_is_kept_sealed(satker_a, satker_b):
    from tenants.models import WhatsAppNumber
    from tenants.selectors import whatsapp_credentials
    from tenants.services import connect_whatsapp

    admin = create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN)
    page = client_for(satker_a, admin)
    form = {
        "form": "whatsapp",
        "phone_number_id": "3515000001",
        "display_number": "0811 3515 000",
        "access_token": "EAAG-rahasia",
    }
    assert page.post("/pengaturan/percakapan/", form).status_code == 302
    shown = page.get("/pengaturan/percakapan/").content.decode()
    assert "0811 3515 000" in shown and "EAAG-rahasia" not in shown and "/webhooks/whatsapp/" in shown
    stored = WhatsAppNumber.objects.get(phone_number_id="3515000001")
    assert "EAAG-rahasia" not in stored.sealed_token
    assert whatsapp_credentials(satker_a) == ("3515000001", "EAAG-rahasia")
    # One number, one satker: its messages could go to only one.
    with pytest.raises(ValidationError):
        connect_whatsapp(satker_b, phone_number_id="3515000001", display_number="x", access_token="y")
    refused = page.post("/pengaturan/percakapan/", {**form, "phone_number_id": "nomor"})
    assert refused.status_code == 400 and "hanya berisi angka" in refused.content.decode()
    # Officers and consumers do not reach the page.
    officer = make_officer(satker_a, "petugas-lain@a.example").user
    assert client_for(satker_a, officer).get("/pengaturan/percakapan/").status_code == 403
    assert page.post("/pengaturan/percakapan/", {"form": "disconnect"}).status_code == 302
    assert whatsapp_credentials(satker_a) is None


def test_closed_by_the_officer_the_consumer_is_asked_to_rate_it(satker_a, team):
    consumer = create_user(satker_a, "andi@example.com")
    conversation = ask(satker_a, consumer, tag="perdagangan-harga-inflasi")
    assert client_for(satker_a, team["sari"].user).post(f"/percakapan/{conversation.pk}/tutup/").status_code == 302
    with schema_context(satker_a.schema_name):
        asked = Notification.objects.get(kind="conversation_rating", recipient=consumer)
        assert "/percakapan/nilai/" in asked.body
    page = client_for(satker_a, consumer).get(f"/percakapan/{conversation.pk}/").content.decode()
    assert 'id="rate"' in page


def test_a_conversation_left_unanswered_past_the_satkers_time_goes_to_another_officer(satker_a, team):
    from datetime import timedelta

    from django.utils import timezone

    consumer = create_user(satker_a, "andi@example.com")
    conversation = ask(satker_a, consumer, tag="kemiskinan-kesejahteraan")
    holder = conversation.assignee
    other = team["bagus"] if holder == team["rina"] else team["rina"]
    answered = ask(satker_a, create_user(satker_a, "budi@example.com"), "Gini", tag="kemiskinan-kesejahteraan")
    with schema_context(satker_a.schema_name):
        services.write(answered.pk, answered.assignee.user, body="Sudah dijawab")
        assert services.pass_on_unanswered() == 0  # the rule is off until the admin sets it
        ConversationSettings.objects.update_or_create(id=1, defaults={"reassign_after_minutes": 30})
        an_hour_ago = timezone.now() - timedelta(hours=1)
        Conversation.objects.update(assigned_at=an_hour_ago, last_consumer_message_at=an_hour_ago)
        Message.objects.update(created_at=an_hour_ago)
        assert services.pass_on_unanswered() == 1  # the answered one stays
        conversation.refresh_from_db()
        assert conversation.assignee == other
        assert list(conversation.events.values_list("action", flat=True))[-2:] == ["return", "assign"]
        assert Notification.objects.filter(kind="conversation_assigned", recipient=other.user).exists()


def test_a_booked_consultation_has_its_own_thread_for_its_consumer_and_officer(satker_a, team):
    from tests.booking.conftest import at, next_weekday, request

    consumer = create_user(satker_a, "andi@example.com")
    booked = request(satker_a, consumer, team["rina"], at(satker_a, next_weekday(satker_a.timezone, 0), 8))
    page = client_for(satker_a, consumer)
    assert "Tulis pesan" in page.get(f"/konsultasi/{booked.pk}/").content.decode()
    opened = page.post(f"/percakapan/konsultasi/{booked.pk}/")
    assert opened.status_code == 302
    with schema_context(satker_a.schema_name):
        thread = Conversation.objects.get(consultation=booked)
        assert thread.assignee == team["rina"] and thread.state == State.ASSIGNED
    assert opened["Location"] == f"/percakapan/{thread.pk}/"
    page.post(f"/percakapan/{thread.pk}/balas/", {"body": "Boleh saya kirim daftar variabelnya dulu?"})
    officer = client_for(satker_a, team["rina"].user)
    # The officer's button finds the same thread; another officer cannot open it.
    assert officer.post(f"/percakapan/konsultasi/{booked.pk}/")["Location"] == f"/percakapan/{thread.pk}/"
    assert "daftar variabelnya" in officer.get(f"/percakapan/{thread.pk}/").content.decode()
    assert client_for(satker_a, team["bagus"].user).post(f"/percakapan/konsultasi/{booked.pk}/").status_code == 404
    assert "1 pesan" in page.get(f"/konsultasi/{booked.pk}/").content.decode()
    with schema_context(satker_a.schema_name):
        assert Notification.objects.filter(kind="conversation_message", recipient=team["rina"].user).count() == 1


def test_ready_answers_are_kept_by_the_admin_and_offered_in_every_officer_reply(satker_a, team):
    admin = client_for(satker_a, create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN))
    saved = admin.post(
        "/pengaturan/percakapan/",
        {"form": "canned", "canned-title": "Unduh tabel", "canned-body": "Tabel ada di sidoarjokab.bps.go.id"},
    )
    assert saved.status_code == 302
    conversation = ask(satker_a, create_user(satker_a, "andi@example.com"), tag="perdagangan-harga-inflasi")
    page = client_for(satker_a, team["sari"].user).get(f"/percakapan/{conversation.pk}/").content.decode()
    assert 'data-canned="Tabel ada di sidoarjokab.bps.go.id"' in page
    consumer_page = client_for(satker_a, conversation.consumer).get(f"/percakapan/{conversation.pk}/").content
    assert b"data-canned" not in consumer_page
    with schema_context(satker_a.schema_name):
        from conversations.models import CannedReply

        pk = CannedReply.objects.get().pk
    admin.post("/pengaturan/percakapan/", {"form": "canned-delete", "pk": pk})
    with schema_context(satker_a.schema_name):
        assert not CannedReply.objects.exists()


def test_a_question_asked_out_of_hours_waits_and_goes_to_the_first_officer_on_duty(satker_a):
    """Nobody is on duty now: the question waits, the consumer is told when the officers of its
    topic are next on duty (in the satker's zone), and the sweep gives it to the first officer
    who comes on duty, not to one who is still off."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from booking.models import BookingSettings, DateOverride
    from conversations.tasks import route_waiting

    zone = ZoneInfo(satker_a.timezone)
    later = timezone.now().astimezone(zone).date() + timedelta(days=2)
    rina = make_officer(satker_a, "rina@a.example", full_name="Rina Kemiskinan", hours=[])
    bagus = make_officer(satker_a, "bagus@a.example", full_name="Bagus Kemiskinan", hours=[])
    consumer = create_user(satker_a, "andi@example.com")
    with schema_context(satker_a.schema_name):
        BookingSettings.objects.update_or_create(id=1, defaults={"national_holidays": False})
        DateOverride.objects.create(officer=rina, date=later, start_time=time(8), end_time=time(16))
    asked = ask(satker_a, consumer, tag="kemiskinan-kesejahteraan")
    assert asked.state == State.WAITING and asked.assignee is None
    page = client_for(satker_a, consumer).get(f"/percakapan/{asked.pk}/").content.decode()
    opens = datetime.combine(later, time(8), zone)
    assert "sedang tidak bertugas" in page and f"{opens.day} " in page and "08:00 WIB" in page

    with schema_context(satker_a.schema_name):
        assert route_waiting() == 0  # still nobody on duty
    on_duty_now(satker_a, bagus)
    with schema_context(satker_a.schema_name):
        assert route_waiting() == 1
        asked.refresh_from_db()
        assert (asked.state, asked.assignee) == (State.ASSIGNED, bagus)
        assert Notification.objects.filter(kind="conversation_assigned", recipient=bagus.user).exists()
        assert route_waiting() == 0


def test_the_api_gives_each_person_their_threads_and_nothing_of_another_satker(satker_a, satker_b, team):
    consumer = create_user(satker_a, "andi@example.com")
    stranger = create_user(satker_a, "budi@example.com")
    asked = ask(satker_a, consumer, tag="kemiskinan-kesejahteraan")
    holder = asked.assignee.user
    with schema_context(satker_a.schema_name):
        services.add_note(asked.pk, holder, body="Catatan internal")
    api = client_for(satker_a, consumer)
    [listed] = api.get("/api/v1/conversations/").json()
    assert (listed["id"], listed["state"], listed["assignee"]) == (asked.pk, "assigned", holder.full_name)
    thread = api.get(f"/api/v1/conversations/{asked.pk}/").json()
    assert [message["kind"] for message in thread["messages"]] == ["in"]  # the note is not theirs to read
    officer = client_for(satker_a, holder)
    assert [m["kind"] for m in officer.get(f"/api/v1/conversations/{asked.pk}/").json()["messages"]] == ["in", "note"]
    assert [row["id"] for row in officer.get("/api/v1/conversations/").json()] == [asked.pk]

    answer = officer.post(f"/api/v1/conversations/{asked.pk}/messages/", {"body": "Tabelnya ada di sini."})
    assert answer.status_code == 201 and answer.json()["kind"] == "out"
    empty = api.post(f"/api/v1/conversations/{asked.pk}/messages/", {"body": ""})
    assert empty.status_code == 400 and "body" in empty.json()
    with schema_context(satker_a.schema_name):
        assert Message.objects.filter(conversation=asked).count() == 3  # nothing of the empty one

    # Another consumer, another satker's people, and anonymous visitors reach nothing.
    assert client_for(satker_a, stranger).get(f"/api/v1/conversations/{asked.pk}/").status_code == 404
    assert client_for(satker_a, stranger).get("/api/v1/conversations/").json() == []
    someone_at_b = create_user(satker_b, "andi@example.com")
    assert client_for(satker_b, someone_at_b).get(f"/api/v1/conversations/{asked.pk}/").status_code == 404
    assert client_for(satker_b, someone_at_b).get("/api/v1/conversations/").json() == []
    assert client_for(satker_a).get("/api/v1/conversations/").status_code in (401, 403)
