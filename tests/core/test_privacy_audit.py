"""UU PDP rights (download, delete, retention) and the append-only admin audit log."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from aida.models import Conversation, Message
from aida.services import anonymise_old_conversations
from booking.models import Consultation
from core import privacy
from core.models import AuditEntry, Role, User
from tests.booking.conftest import at, make_officer, next_weekday, request
from tests.booking.test_admin_pages import expertise_rows
from tests.conftest import PASSWORD, ROOT, client_for, create_user


@pytest.fixture
def consumer_with_history(satker_a):
    officer = make_officer(satker_a, "rina@a.example")
    consumer = create_user(satker_a, "siti@example.com", full_name="Siti Aminah", whatsapp="081234567890")
    booked = request(
        satker_a,
        consumer,
        officer,
        at(satker_a, next_weekday(satker_a.timezone, 0), 8),
        topic="Kemiskinan, hubungi saya di 081234567890",
        data_need="Saya Siti Aminah, NIK 3515012345678901",
    )
    with schema_context(satker_a.schema_name):
        conversation = Conversation.objects.create(user=consumer)
        Message.objects.create(conversation=conversation, role="user", text="Nama saya Siti Aminah, berapa inflasi?")
    return consumer, booked


def test_consumer_downloads_everything_kept_about_them(satker_a, consumer_with_history):
    consumer, booked = consumer_with_history
    response = client_for(satker_a, consumer).get("/akun/data-saya/unduh/")
    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    assert data["account"]["whatsapp"] == "081234567890"
    assert data["consultations"][0]["data_need"].startswith("Saya Siti Aminah")
    assert data["consultations"][0]["history"][0]["action"] == "request"
    assert data["aida"][0]["messages"][0]["text"].startswith("Nama saya")
    assert data["notifications"] == []  # the consumer has none yet; the officer's are not theirs
    assert data["followed_topics"] == []


def test_every_app_that_keeps_personal_data_has_export_and_erase_hooks():
    """A new app whose rows point at people cannot forget the export or the deletion."""
    people = get_user_model()
    project = [config for config in apps.get_app_configs() if Path(config.path).parent == ROOT]
    holding = {
        config.label
        for config in project
        for model in config.get_models()
        if model is not people
        and any(field.concrete and field.related_model is people for field in model._meta.get_fields())
    }
    assert {"booking", "realtime", "aida", "announcements"} <= holding
    hooks = privacy.app_hooks()
    assert holding - {"core"} <= set(hooks), f"no privacy module in {sorted(holding - {'core'} - set(hooks))}"
    for module in hooks.values():
        assert callable(module.personal_data_of) and callable(module.erase_personal_data)


def test_deleting_an_account_keeps_anonymous_records_only(satker_a, consumer_with_history):
    consumer, booked = consumer_with_history
    client = client_for(satker_a, consumer)
    assert client.post("/akun/data-saya/", {"password": "salah"}).status_code == 400
    assert client.post("/akun/data-saya/", {"password": PASSWORD}).status_code == 302
    with schema_context(satker_a.schema_name):
        gone = User.objects.get(pk=consumer.pk)
        assert (
            not gone.is_active and "siti" not in gone.email and gone.whatsapp == "" and gone.full_name != "Siti Aminah"
        )
        kept = Consultation.objects.get(pk=booked.pk)
        assert kept.consumer_id == consumer.pk and kept.status == "requested"  # still counted
        assert "081234567890" not in kept.topic and "3515012345678901" not in kept.data_need
        assert Conversation.objects.get().user is None
        assert "Siti" not in Message.objects.get().text
    assert client.get("/akun/profil/").status_code == 302  # the session is over
    assert (
        client_for(satker_a).post("/akun/masuk/", {"username": "siti@example.com", "password": PASSWORD}).status_code
        == 200
    )


def test_staff_cannot_delete_themselves_here(satker_a):
    officer = create_user(satker_a, "rina@a.example", role=Role.OFFICER)
    assert client_for(satker_a, officer).post("/akun/data-saya/", {"password": PASSWORD}).status_code == 403


def test_old_aida_conversations_are_anonymised(satker_a, consumer_with_history):
    with schema_context(satker_a.schema_name):
        Conversation.objects.update(created_at=timezone.now() - timedelta(days=400))
        assert anonymise_old_conversations(365) == 1
        assert Conversation.objects.get().user is None and "Siti" not in Message.objects.get().text
        assert anonymise_old_conversations(365) == 0


def test_admin_actions_are_audited_and_the_log_cannot_be_edited(satker_a, satker_b):
    admin = create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN)
    client = client_for(satker_a, admin)
    client.post(
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
    client.post(
        "/pengaturan/keahlian/", expertise_rows(client, {}, new={"name": "Statistik Gender", "is_active": "on"})
    )
    with schema_context(satker_a.schema_name):
        actions = list(AuditEntry.objects.values_list("actor_email", "action"))
        assert ("admin@a.example", "booking.rules") in actions and ("admin@a.example", "expertise.save") in actions
        entry = AuditEntry.objects.first()
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).update(action="nothing happened")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM core_auditentry")
        assert AuditEntry.objects.filter(action="booking.rules").exists()
    page = client.get("/audit/").content.decode()
    assert "booking.rules" in page
    b_admin = create_user(satker_b, "admin@b.example", role=Role.SATKER_ADMIN)
    assert "booking.rules" not in client_for(satker_b, b_admin).get("/audit/").content.decode()
    consumer = create_user(satker_a, "c@a.example")
    assert client_for(satker_a, consumer).get("/audit/").status_code == 403


def test_console_actions_are_audited_per_province(satker_a, province_jatim):
    from tenants.models import Satker
    from tenants.services import SatkerSpec, onboard_satker

    national = Satker.objects.get(schema_name="public")
    jatim_admin = create_user(national, "jatim@x.example", role=Role.PROVINCE_ADMIN, managed_province=province_jatim)
    client = client_for(national, jatim_admin)
    client.post("/konsol/satker/3515/status/")
    onboard_satker(SatkerSpec("5100", "province", "Provinsi Bali", "bali", "Asia/Makassar"))
    nasional = create_user(national, "nas@x.example", role=Role.NATIONAL_ADMIN)
    client_for(national, nasional).post("/konsol/satker/5100/status/")
    invited = client_for(national, nasional).post(
        "/konsol/satker/3500/undang/", {"email": "wakil@jatim.example", "full_name": "Wakil", "role": "province_admin"}
    )
    assert invited.status_code == 302
    mine = client.get("/audit/").content.decode()
    assert "satker.status" in mine and "3515" in mine and "5100" not in mine
    assert "admin.invite" in mine  # the national admin's invitation of this province's admin
    assert "5100" in client_for(national, nasional).get("/audit/").content.decode()
