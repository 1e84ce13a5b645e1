"""Whole WhatsApp conversations through the fake Cloud API: signed webhooks in, the real httpx
client out. AIDA answers, a person takes over and AIDA falls silent, the officer answers from
the web with a file, statuses move forward only, re-deliveries are stored once, and nothing of
one satker's number reaches another."""

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from conversations import whatsapp
from conversations.models import Contact, Conversation, Delivery, Kind, Message, State
from realtime.models import Notification
from tests.conftest import client_for, host_of, race
from tests.conversations.conftest import NUMBER_A, NUMBER_B, SITI
from tests.fakes import whatsapp as fake

pytestmark = pytest.mark.timeout(120)


def thread_of(satker, **contact) -> Conversation:
    with schema_context(satker.schema_name):
        return Conversation.objects.select_related("assignee__user").get(
            **{f"contact__{k}": v for k, v in contact.items()}
        )


def bodies(sent: list[dict]) -> list[str]:
    return [
        item.get("text", {}).get("body") or item.get("interactive", {}).get("body", {}).get("text") or item["type"]
        for item in sent
    ]


def test_aida_answers_then_a_person_takes_over_and_aida_falls_silent(whatsapp_world):
    world = whatsapp_world
    assert world.write(fake.text("min, data kemiskinan sidoarjo 2023 ada?")).json() == {"queued": 1, "applied": 0}

    (answer,) = world.sent_to(SITI)
    assert answer["type"] == "interactive" and answer["from_number"] == NUMBER_A
    assert "Garis kemiskinan" in answer["interactive"]["body"]["text"]  # from the satker's knowledge
    titles = [button["reply"]["title"] for button in answer["interactive"]["action"]["buttons"]]
    assert titles == ["Tanya petugas", "Buat janji"]
    conversation = thread_of(world.a, wa_id=SITI)
    assert conversation.state == State.BOT and conversation.subject.startswith("min, data kemiskinan")

    # "Tanya petugas": to the poverty officer, and she is told what happens next.
    world.write(fake.button_reply("handoff", "Tanya petugas"))
    conversation = thread_of(world.a, wa_id=SITI)
    assert conversation.state == State.ASSIGNED and conversation.assignee == world.officers["rina"]
    told = world.sent_to(SITI)[-1]
    assert told["type"] == "text" and "diteruskan ke petugas" in told["text"]["body"]
    with schema_context(world.a.schema_name):
        assert Notification.objects.filter(kind="conversation_assigned", recipient=world.officers["rina"].user).exists()

    # With a person holding it, AIDA sends nothing, whatever is written.
    before = len(world.sent_to(SITI))
    world.write(fake.text("halo? ada yang bisa bantu?"))
    world.write(fake.text("garis kemiskinan itu apa"))
    assert len(world.sent_to(SITI)) == before
    with schema_context(world.a.schema_name):
        assert (
            Notification.objects.filter(kind="conversation_message", recipient=world.officers["rina"].user).count() == 1
        )

    # The officer answers from the web with a table; she gets the file and the words.
    officer = client_for(world.a, world.officers["rina"].user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    table = SimpleUploadedFile("garis-kemiskinan-2023.csv", b"tahun,garis\n2023,570123\n", content_type="text/csv")
    reply = officer.post(f"/percakapan/{conversation.pk}/balas/", {"body": "Terlampir tabelnya.", "attachment": table})
    assert reply.status_code == 302
    document, words = world.sent_to(SITI)[-2:]
    assert document["type"] == "document" and document["document"]["filename"] == "garis-kemiskinan-2023.csv"
    assert world.fake.uploads[document["document"]["id"]][2] == b"tahun,garis\n2023,570123\n"
    assert words == {**words, "type": "text", "text": {"body": "Terlampir tabelnya.", "preview_url": True}}
    with schema_context(world.a.schema_name):
        sent = Message.objects.get(body="Terlampir tabelnya.")
        assert sent.delivery == Delivery.SENT and sent.provider_id.startswith("wamid.")

    # Statuses move forward only: a late "sent" after "read" changes nothing.
    reference = f"{world.a.schema_name}:m{sent.pk}"
    for status in ("delivered", "read", "sent"):
        world.post(fake.status_event(reference, sent.provider_id, status, NUMBER_A))
    with schema_context(world.a.schema_name):
        sent.refresh_from_db()
        assert sent.delivery == Delivery.READ
    page = officer.get(f"/percakapan/{conversation.pk}/").content.decode()
    assert "Dibaca" in page and "halo? ada yang bisa bantu?" in page


def test_a_person_who_writes_petugas_reaches_an_officer_and_hears_when_out_of_hours(whatsapp_world):
    world = whatsapp_world
    with schema_context(world.a.schema_name):
        from booking.models import DateOverride, WeeklyHours

        # Nobody on duty today or tomorrow: the next opening is two days ahead at 08:00.
        WeeklyHours.objects.all().delete()
        DateOverride.objects.all().delete()
        day = (timezone.now().astimezone(timezone.get_fixed_timezone(7 * 60)).weekday() + 2) % 7
        for officer in world.officers.values():
            WeeklyHours.objects.create(officer=officer, weekday=day, start_time="08:00", end_time="16:00")
    world.write(fake.text("Petugas"))
    # Nothing says who should answer: she chooses the topic from a list (WhatsApp's limits).
    (asked,) = world.sent_to(SITI)
    assert asked["type"] == "interactive" and asked["interactive"]["type"] == "list"
    rows = asked["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows) <= 10 and all(len(row["title"]) <= 24 for row in rows)
    assert any(row["id"] == "topik:kemiskinan-kesejahteraan" for row in rows)
    assert thread_of(world.a, wa_id=SITI).state == State.BOT
    world.write(fake.list_reply("topik:kemiskinan-kesejahteraan", "Kemiskinan"))
    # Out of hours it waits in the queue (given out when an officer of the topic comes on duty).
    conversation = thread_of(world.a, wa_id=SITI)
    assert conversation.state == State.WAITING and conversation.assignee_id is None
    told = world.sent_to(SITI)[-1]
    assert "sedang tidak bertugas" in told["text"]["body"] and "08:00 WIB" in told["text"]["body"]


def test_redelivered_webhooks_are_stored_and_answered_once(whatsapp_world):
    world = whatsapp_world
    body = fake.inbound(NUMBER_A, fake.text("berapa penduduk sidoarjo?", id="wamid.SAMEONE"))
    outcomes = race(6, lambda _i: world.post(body).status_code)
    assert outcomes == [("ok", 200)] * 6
    with schema_context(world.a.schema_name):
        assert Message.objects.filter(provider_id="wamid.SAMEONE").count() == 1
        assert Conversation.objects.count() == 1
    assert len(world.sent_to(SITI)) == 1  # one answer, not six


def test_one_persons_messages_arriving_together_make_one_thread_in_the_order_written(whatsapp_world):
    world = whatsapp_world
    now = int(timezone.now().timestamp())
    # Sent at 0, 1, 2 … seconds; delivered all at once, in reverse.
    bodies_in = [fake.inbound(NUMBER_A, fake.text(f"pesan {i}", timestamp=str(now + i))) for i in range(8)]
    race(8, lambda i: world.post(bodies_in[7 - i]))
    with schema_context(world.a.schema_name):
        (conversation,) = Conversation.objects.all()
        written = list(conversation.messages.filter(kind=Kind.FROM_CONSUMER).values_list("body", flat=True))
        assert written == [f"pesan {i}" for i in range(8)]
        assert Contact.objects.count() == 1


def test_a_message_to_one_satkers_number_never_reaches_another_and_strangers_are_ignored(whatsapp_world, caplog):
    world = whatsapp_world
    world.write(fake.text("RAHASIA-B data inflasi surabaya"), number=NUMBER_B, wa_id="6289999999999")
    with schema_context(world.b.schema_name):
        assert Message.objects.filter(body__contains="RAHASIA-B").exists()
    with schema_context(world.a.schema_name):
        assert not Message.objects.exists() and not Contact.objects.exists()
    assert world.sent_to("6289999999999")[0]["from_number"] == NUMBER_B  # answered from B's own number
    b_page = client_for(world.a, world.officers["rina"].user).get("/percakapan/").content.decode()
    assert "RAHASIA-B" not in b_page

    with caplog.at_level(logging.WARNING, logger="conversations.webhooks"):
        ignored = world.write(fake.text("halo"), number="999000999")
    assert ignored.json() == {"queued": 0, "applied": 0}
    assert "unknown number '999000999'" in caplog.text
    forged = fake.inbound(NUMBER_A, fake.text("palsu"))
    raw, _headers = fake.signed(forged)
    response = world.portal.post(
        "/webhooks/whatsapp/", raw, content_type="application/json", HTTP_X_HUB_SIGNATURE_256="sha256=00"
    )
    assert response.status_code == 403
    with schema_context(world.a.schema_name):
        assert not Message.objects.filter(body="palsu").exists()


def test_after_24_hours_the_composer_says_so_and_a_refusal_is_shown_to_the_officer(whatsapp_world):
    world = whatsapp_world
    world.write(fake.text("petugas kemiskinan"))
    conversation = thread_of(world.a, wa_id=SITI)
    officer = client_for(world.a, world.officers["rina"].user)
    with schema_context(world.a.schema_name):
        Conversation.objects.filter(pk=conversation.pk).update(
            last_consumer_message_at=timezone.now() - timedelta(hours=25)
        )
    page = officer.get(f"/percakapan/{conversation.pk}/").content.decode()
    assert 'id="window-closed"' in page and "24 jam" in page
    refused = officer.post(f"/percakapan/{conversation.pk}/balas/", {"body": "Maaf terlambat"})
    assert refused.status_code == 409 and "24 jam" in refused.content.decode()

    # Inside our window but refused by WhatsApp (131047): the officer reads why, not silence.
    with schema_context(world.a.schema_name):
        Conversation.objects.filter(pk=conversation.pk).update(last_consumer_message_at=timezone.now())
    world.fake.window_closed.add(SITI)
    assert officer.post(f"/percakapan/{conversation.pk}/balas/", {"body": "Masih ada?"}).status_code == 302
    with schema_context(world.a.schema_name):
        failed = Message.objects.get(body="Masih ada?")
        assert failed.delivery == Delivery.FAILED and "24 jam" in failed.delivery_error
    page = officer.get(f"/percakapan/{conversation.pk}/").content.decode()
    assert "Tidak terkirim" in page and "24 jam" in page


def test_a_person_without_a_phone_number_is_answered_by_user_id_and_their_files_are_kept(whatsapp_world):
    world = whatsapp_world
    person = {"wa_id": None, "user_id": "ID.9876543210987", "name": "Budi"}
    media = world.fake.offer_media(b"%PDF-1.4 surat", "application/pdf")
    world.write(fake.document(media, "surat-permohonan.pdf", caption="Surat permohonan data"), **person)
    conversation = thread_of(world.a, wa_user_id="ID.9876543210987")
    with schema_context(world.a.schema_name):
        kept = conversation.messages.get(kind=Kind.FROM_CONSUMER)
        assert kept.body == "Surat permohonan data" and kept.attachment_name == "surat-permohonan.pdf"
        assert kept.attachment.read() == b"%PDF-1.4 surat"
        assert conversation.contact.wa_id is None and conversation.contact.profile_name == "Budi"
    assert world.sent_to("ID.9876543210987"), "AIDA answered the user id"

    too_big = world.fake.offer_media(b"0" * (5 * 1024 * 1024 + 1), "image/jpeg")
    world.write(fake.image(too_big), **person)
    with schema_context(world.a.schema_name):
        refused = conversation.messages.filter(kind=Kind.FROM_CONSUMER).last()
        assert not refused.attachment and "5 MB" in refused.body


def test_aida_does_not_answer_once_an_officer_has_taken_the_conversation(whatsapp_world):
    """The answer is checked under the conversation's lock just before it is stored and sent."""
    world = whatsapp_world
    world.write(fake.text("petugas kemiskinan"))  # handed off at once: nothing for AIDA to answer
    conversation = thread_of(world.a, wa_id=SITI)
    with schema_context(world.a.schema_name):
        question = Message.objects.create(conversation=conversation, kind=Kind.FROM_CONSUMER, body="garis kemiskinan?")
        sent_before = len(world.sent_to(SITI))
        assert whatsapp.answer_with_aida(question.pk) is None
        assert not Message.objects.filter(conversation=conversation, from_bot=True, body__contains="Garis").exists()
    assert len(world.sent_to(SITI)) == sent_before


def test_after_the_window_only_the_follow_up_template_goes_and_its_errors_are_told(whatsapp_world):
    world = whatsapp_world
    world.write(fake.text("petugas kemiskinan"))
    conversation = thread_of(world.a, wa_id=SITI)
    officer = client_for(world.a, world.officers["rina"].user)
    with schema_context(world.a.schema_name):
        Conversation.objects.filter(pk=conversation.pk).update(
            last_consumer_message_at=timezone.now() - timedelta(days=2)
        )
    assert "Belum ada template tindak lanjut" in officer.get(f"/percakapan/{conversation.pk}/").content.decode()
    admin = client_for(world.a, create_admin(world.a))
    saved = admin.post(
        "/pengaturan/percakapan/",
        {"form": "follow_up", "follow_up-name": "halopst_tindak_lanjut", "follow_up-language": "id"},
    )
    assert saved.status_code == 302
    page = officer.get(f"/percakapan/{conversation.pk}/").content.decode()
    assert "halopst_tindak_lanjut" in page
    assert officer.post(f"/percakapan/{conversation.pk}/susulan/").status_code == 302
    template = world.sent_to(SITI)[-1]
    assert template["type"] == "template" and template["template"]["name"] == "halopst_tindak_lanjut"
    parameters = [p["text"] for p in template["template"]["components"][0]["parameters"]]
    assert parameters == ["Siti", "petugas kemiskinan"]

    world.fake.plan.append("132000")  # the template approved at Meta takes other parameters
    officer.post(f"/percakapan/{conversation.pk}/susulan/")
    with schema_context(world.a.schema_name):
        refused = Message.objects.filter(template="halopst_tindak_lanjut").order_by("pk").last()
        assert refused.delivery == Delivery.FAILED and "parameter template" in refused.delivery_error


def test_closing_asks_for_a_rating_by_template_and_the_link_rates_once_on_its_own_satker(whatsapp_world):
    world = whatsapp_world
    world.write(fake.text("petugas kemiskinan"))
    conversation = thread_of(world.a, wa_id=SITI)
    with schema_context(world.a.schema_name):
        from conversations.services import save_template

        save_template(actor=None, purpose="rating", name="halopst_nilai", language="id")
        Conversation.objects.filter(pk=conversation.pk).update(
            last_consumer_message_at=timezone.now() - timedelta(days=3)
        )
    officer = client_for(world.a, world.officers["rina"].user)
    assert officer.post(f"/percakapan/{conversation.pk}/tutup/").status_code == 302
    asked = world.sent_to(SITI)[-1]
    assert asked["type"] == "template" and asked["template"]["name"] == "halopst_nilai"
    subject, link = [p["text"] for p in asked["template"]["components"][0]["parameters"]]
    assert subject == "petugas kemiskinan" and "/percakapan/nilai/" in link
    path = "/" + link.split("/", 3)[3]

    other_satker = Client(HTTP_HOST=host_of(world.b))
    assert other_satker.get(path).status_code == 404  # the link opens nothing elsewhere
    visitor = Client(HTTP_HOST=host_of(world.a))  # no account: a WhatsApp user
    assert "Seberapa puas" in visitor.get(path).content.decode()
    assert visitor.post(path, {"rating": "5", "comment": "Cepat dan jelas"}).status_code == 200
    assert visitor.post(path, {"rating": "1"}).status_code == 409
    with schema_context(world.a.schema_name):
        conversation.refresh_from_db()
        assert conversation.rating.rating == 5 and conversation.rating.comment == "Cepat dan jelas"


def create_admin(satker):
    from core.models import Role
    from tests.conftest import create_user

    return create_user(satker, "admin@satker.example", role=Role.SATKER_ADMIN)


def test_quiet_whatsapp_contacts_are_forgotten_after_the_retention_period(whatsapp_world):
    from conversations.privacy import forget_old_contacts

    world = whatsapp_world
    media = world.fake.offer_media(b"%PDF-1.4 ktp", "application/pdf")
    world.write(fake.document(media, "ktp.pdf", caption="KTP saya, NIK 3515012345678901"))
    world.write(fake.text("petugas kemiskinan"), wa_id="6285555555555", user_id="ID.6285555555555", name="Budi")
    old = thread_of(world.a, wa_id=SITI)
    recent = thread_of(world.a, wa_id="6285555555555")
    with schema_context(world.a.schema_name):
        Conversation.objects.filter(pk=old.pk).update(
            state=State.CLOSED, closed_at=timezone.now(), last_message_at=timezone.now() - timedelta(days=400)
        )
        assert forget_old_contacts(365) == 1
        assert forget_old_contacts(365) == 0  # once
        contact = Contact.objects.get(pk=old.contact_id)
        assert contact.wa_id is None and contact.profile_name == "" and contact.wa_user_id.startswith("dihapus-")
        kept = Message.objects.get(conversation=old, kind=Kind.FROM_CONSUMER)
        assert "3515012345678901" not in kept.body and not kept.attachment and kept.attachment_name == ""
        assert Contact.objects.get(pk=recent.contact_id).wa_id == "6285555555555"  # still talking: kept


def test_a_consumer_links_their_whatsapp_by_sending_a_code_from_it(whatsapp_world):
    """Sending the code from "My questions" proves the number is hers: her WhatsApp threads are
    then on her account (read there, answered on WhatsApp, internal notes never shown), the
    officers see whose account it is, her export holds them, and deleting the account forgets
    the number. A code works on its own satker only, and guessing is cut off."""
    from conversations import services
    from conversations.models import LinkCode
    from core.models import Role
    from core.privacy import delete_account, export_personal_data
    from tests.conftest import PASSWORD, create_user

    world = whatsapp_world
    siti = create_user(world.a, "siti@example.com", full_name="Siti Aminah")
    web = client_for(world.a, siti)
    assert "Hubungkan WhatsApp saya" in web.get("/percakapan/").content.decode()
    assert web.post("/percakapan/whatsapp/kode/").status_code == 302
    with schema_context(world.a.schema_name):
        code = LinkCode.objects.get(consumer=siti).code
    assert f"HUBUNGKAN {code}" in web.get("/percakapan/").content.decode()

    # The same code sent to satker B's number means nothing there.
    world.write(fake.text(f"HUBUNGKAN {code}"), number=NUMBER_B)
    assert "tidak berlaku" in world.sent_to(SITI)[-1]["text"]["body"]
    world.write(fake.text("HUBUNGKAN ZZZZ2222"))
    assert "tidak berlaku" in world.sent_to(SITI)[-1]["text"]["body"]
    world.write(fake.text(f"hubungkan {code.lower()}"))
    assert "Siti Aminah" in world.sent_to(SITI)[-1]["text"]["body"]
    with schema_context(world.a.schema_name):
        contact = Contact.objects.get(wa_id=SITI)
        assert contact.consumer == siti and not LinkCode.objects.exists()
        thread = Conversation.objects.get(contact=contact)
        services.add_note(thread.pk, world.officers["rina"].user, body="Catatan rahasia petugas")
    with schema_context(world.b.schema_name):
        assert Contact.objects.get(wa_id=SITI).consumer_id is None

    mine = web.get("/percakapan/").content.decode()
    assert f"/percakapan/{thread.pk}/" in mine and "+" + SITI in mine
    page = web.get(f"/percakapan/{thread.pk}/").content.decode()
    assert 'id="reply-on-whatsapp"' in page and "Catatan rahasia" not in page and code.lower() in page
    admin = create_user(world.a, "admin@a.example", role=Role.SATKER_ADMIN)
    officer_page = client_for(world.a, admin).get(f"/percakapan/{thread.pk}/").content.decode()
    assert 'id="linked-account"' in officer_page and "siti@example.com" in officer_page
    assert web.post(f"/percakapan/{thread.pk}/balas/", {"body": "dari web"}).status_code == 403

    with schema_context(world.a.schema_name):
        exported = export_personal_data(siti)
    assert exported["linked_whatsapp"]["number"] == SITI
    assert [c["channel"] for c in exported["conversations"]] == ["whatsapp"]

    # Guessing: after five wrong codes in an hour even a live one is refused.
    assert web.post("/percakapan/whatsapp/putuskan/").status_code == 302
    web.post("/percakapan/whatsapp/kode/")
    with schema_context(world.a.schema_name):
        assert Contact.objects.get(wa_id=SITI).consumer_id is None
        code = LinkCode.objects.get(consumer=siti).code
    for attempt in range(5):
        world.write(fake.text(f"HUBUNGKAN WRONG{attempt:03d}"))
    world.write(fake.text(f"HUBUNGKAN {code}"))
    assert "tidak berlaku" in world.sent_to(SITI)[-1]["text"]["body"]
    with schema_context(world.a.schema_name):
        assert Contact.objects.get(wa_id=SITI).consumer_id is None
        contact.refresh_from_db()
        services.link_contact(contact, code, attempts_this_hour=0)  # as it would be an hour later

    with schema_context(world.a.schema_name):
        delete_account(siti, password=PASSWORD)
        contact.refresh_from_db()
        assert (contact.wa_id, contact.profile_name, contact.consumer_id) == (None, "", None)
        assert not Message.objects.filter(conversation__contact=contact, body__icontains="hubungkan").exists()


def test_a_linked_person_books_a_time_from_a_list_and_a_taken_time_is_offered_again(whatsapp_world):
    """ "Book a time" gives a person whose WhatsApp is linked the next free times as a list
    (WhatsApp's limits); the row she taps is requested for her account. Someone who taps the
    same time a moment later hears it is taken and gets the times still free; a person without
    an account gets the booking page."""
    from booking.models import Consultation, Status
    from tests.conftest import create_user

    world = whatsapp_world
    dewi_number = "6281299990000"
    siti = create_user(world.a, "siti@example.com", full_name="Siti Aminah")
    dewi = create_user(world.a, "dewi@example.com", full_name="Dewi")
    with schema_context(world.a.schema_name):
        for person, number, user_id in ((siti, SITI, "ID.1234567890123"), (dewi, dewi_number, "ID.2")):
            Contact.objects.create(
                wa_id=number,
                wa_user_id=user_id,
                consumer=person,
                linked_at=timezone.now(),
                profile_name=person.full_name,
            )

    world.write(fake.button_reply("book", "Buat janji"))
    (offered,) = world.sent_to(SITI)
    assert offered["type"] == "interactive" and offered["interactive"]["type"] == "list"
    rows = offered["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows) <= 10 and all(len(row["title"]) <= 24 for row in rows)
    assert rows[-1]["id"] == "jadwal:-" and all(row["id"].startswith("jadwal:") for row in rows)
    first = rows[0]
    world.write(fake.list_reply(first["id"], first["title"]))
    assert (
        "Rina Kemiskinan" in world.sent_to(SITI)[-1]["text"]["body"]
        or "Sari" in world.sent_to(SITI)[-1]["text"]["body"]
    )
    with schema_context(world.a.schema_name):
        booked = Consultation.objects.get(consumer=siti)
        assert booked.status == Status.REQUESTED
        assert f"jadwal:{booked.officer_id}:{int(booked.starts_at.timestamp())}" == first["id"]

    world.write(fake.list_reply(first["id"], first["title"]), wa_id=dewi_number, user_id="ID.2", name="Dewi")
    taken, again = world.sent_to(dewi_number)
    assert "baru saja diambil" in taken["text"]["body"]
    assert first["id"] not in [row["id"] for row in again["interactive"]["action"]["sections"][0]["rows"]]
    with schema_context(world.a.schema_name):
        assert not Consultation.objects.filter(consumer=dewi).exists()

    stranger = "6281277770000"
    world.write(fake.button_reply("book", "Buat janji"), wa_id=stranger, user_id="ID.3", name="Budi")
    (told,) = world.sent_to(stranger)
    assert "/petugas/" in told["text"]["body"] and "Pertanyaan saya" in told["text"]["body"]
