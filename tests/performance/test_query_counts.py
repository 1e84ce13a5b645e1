"""Query counts on the hot pages and APIs, as Zulip asserts them: each is measured with a little
data and with more of it, and must neither grow with the rows (no query per row) nor pass its
budget. A regression fails here before a load test finds it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from booking import services as booking
from conversations import services as conversations
from conversations.models import Conversation
from core.models import Role
from tenants.models import Satker
from tests.booking.conftest import at, make_officer, next_weekday, on_duty_now, request
from tests.conftest import client_for, create_user

# page → the most queries it may take: what each took when this test was written. Raise one only
# with a reason in the commit; a page that needs fewer should have its budget lowered.
# Admin pages (dashboard, command centre) count one query more: django-otp loads the session's
# verified device on every request, so a removed device ends the admin's sessions at once.
# The officer list reads every listed officer's free times at once for their next free time
# (+6: rules, closed days, hours, overrides, leave, holds); portal search checks that its
# indicator catalogue is fresh (+1) and lists every office when no office name matches (+1).
# A conversation's officer side reads its history, the officers it may be transferred to and
# the satker's ready answers (+4). A consumer's questions look up the satker's WhatsApp number,
# to offer linking it (+1).
BUDGETS = {
    "officers": 13,
    "slot picker": 12,
    "inbox": 6,
    "my consultations": 5,
    "conversation inbox": 7,
    "my questions": 6,
    "conversation (officer)": 10,
    "conversation (consumer)": 6,
    "dashboard": 7,
    "portal search page": 8,
    "directory API": 6,
    "command centre page": 9,
    "command centre API": 7,
}


def queries(client, path) -> int:
    """Queries of a request with warm caches (the first after a change may refill one)."""
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured)


def grow(satker, officer, consumers: int, start: int) -> None:
    """More officers, consumers and consultations in `satker`: rows a page must not query one by one."""
    monday = next_weekday(satker.timezone, 0)
    on_duty_now(satker, make_officer(satker, f"tambahan{start}@a.example", full_name=f"Petugas {start}"))
    for number in range(start, start + consumers):
        consumer = create_user(satker, f"warga{number}@example.com")
        week, rest = divmod(number, 10)
        day, slot = divmod(rest, 2)  # the day's first and third slot (60 minutes + 15 buffer): 08:00, 10:30
        hour, minute = ((8, 0), (10, 30))[slot]
        booked = request(satker, consumer, officer, at(satker, monday + timedelta(weeks=week, days=day), hour, minute))
        if number % 2:
            with schema_context(satker.schema_name):
                booking.approve(booked.pk, officer.user, meeting_link="https://meet.example.org/x")
        with schema_context(satker.schema_name):
            asked = conversations.start_conversation(consumer=consumer, subject=f"Tanya {number}", body="Data")
            conversations.write(asked.pk, asked.assignee.user, body="Jawaban")
            watched = Conversation.objects.order_by("pk").first()  # the thread page's: it grows too
            conversations.write(watched.pk, watched.consumer, body=f"Lagi {number}")
            conversations.add_note(watched.pk, officer.user, body=f"Catatan {number}")


@pytest.fixture
def clients(satker_a, province_jatim):
    officer = make_officer(satker_a, "rina@a.example", full_name="Rina")
    on_duty_now(satker_a, officer)
    consumer = create_user(satker_a, "andi@example.com")
    admin = create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN)
    national = Satker.objects.get(schema_name="public")
    province_admin = create_user(
        national, "jatim@halopst.example", role=Role.PROVINCE_ADMIN, managed_province=province_jatim
    )
    monday = next_weekday(satker_a.timezone, 0)
    with schema_context(satker_a.schema_name):
        thread = conversations.start_conversation(consumer=consumer, subject="Pertama", body="Data")
    pages = {
        "officers": (client_for(satker_a, consumer), "/petugas/"),
        "slot picker": (client_for(satker_a, consumer), f"/petugas/{officer.pk}/jadwal/?minggu={monday.isoformat()}"),
        "inbox": (client_for(satker_a, officer.user), "/kotak-masuk/"),
        "my consultations": (client_for(satker_a, consumer), "/konsultasi/"),
        "conversation inbox": (client_for(satker_a, officer.user), "/percakapan/"),
        "my questions": (client_for(satker_a, consumer), "/percakapan/"),
        "conversation (officer)": (client_for(satker_a, thread.assignee.user), f"/percakapan/{thread.pk}/"),
        "conversation (consumer)": (client_for(satker_a, consumer), f"/percakapan/{thread.pk}/"),
        "dashboard": (client_for(satker_a, admin), "/pengaturan/dasbor/"),
        "portal search page": (client_for(national), "/?q=kemiskinan+sidoarjo"),
        "directory API": (client_for(national), "/api/v1/directory/?q=kemiskinan"),
        "command centre page": (client_for(national, province_admin), "/konsol/pusat-komando/"),
        "command centre API": (client_for(national, province_admin), "/api/v1/command-centre/"),
    }
    return satker_a, officer, consumer, pages


def test_hot_pages_take_a_fixed_number_of_queries(clients):
    satker, officer, consumer, pages = clients
    grow(satker, officer, consumers=2, start=0)
    small = {name: queries(client, path) for name, (client, path) in pages.items()}
    grow(satker, officer, consumers=12, start=2)
    large = {name: queries(client, path) for name, (client, path) in pages.items()}
    print("\nqueries per page:", small, large)
    assert large == small  # nothing queries once per row
    over = {name: count for name, count in large.items() if count > BUDGETS[name]}
    assert over == {}, f"over budget {BUDGETS}: {over}"
