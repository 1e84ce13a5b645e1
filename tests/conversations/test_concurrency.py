"""Routing and taking under races, against real PostgreSQL: separate connections, released at once."""

import pytest
from django_tenants.utils import schema_context

from conversations import services
from conversations.models import Conversation, ConversationSettings, State
from core.errors import Conflict
from tests.booking.conftest import make_officer, on_duty_now
from tests.conftest import create_user, race

pytestmark = pytest.mark.timeout(120)


def test_twenty_questions_at_once_never_pass_an_officers_cap(make_satker):
    satker = make_satker()
    officers = [make_officer(satker, f"petugas{i}@example.com") for i in range(2)]
    on_duty_now(satker, *officers)
    consumers = [create_user(satker, f"penanya{i}@example.com") for i in range(20)]
    with schema_context(satker.schema_name):
        ConversationSettings.objects.update_or_create(id=1, defaults={"open_per_officer": 5})

    def attempt(i):
        with schema_context(satker.schema_name):
            return services.start_conversation(consumer=consumers[i], subject=f"Pertanyaan {i}", body="Data").pk

    outcomes = race(20, attempt, refused=Conflict)
    assert [kind for kind, _ in outcomes] == ["ok"] * 20
    with schema_context(satker.schema_name):
        held = {
            officer.pk: Conversation.objects.filter(assignee=officer, state=State.ASSIGNED).count()
            for officer in officers
        }
        assert held == {officers[0].pk: 5, officers[1].pk: 5}
        assert Conversation.objects.filter(state=State.WAITING, assignee__isnull=True).count() == 10
        assert Conversation.objects.count() == 20


def test_eight_officers_take_the_same_question_and_one_gets_it(make_satker):
    satker = make_satker()
    officers = [make_officer(satker, f"petugas{i}@example.com") for i in range(8)]
    on_duty_now(satker, *officers)
    consumer = create_user(satker, "penanya@example.com")
    with schema_context(satker.schema_name):
        ConversationSettings.objects.update_or_create(id=1, defaults={"open_per_officer": 1})
        for i in range(8):  # every officer holds one: the next question waits
            services.start_conversation(consumer=consumer, subject=f"Sebelumnya {i}", body="x")
        waiting = services.start_conversation(consumer=consumer, subject="Rebutan", body="x")
        assert waiting.state == State.WAITING

    def attempt(i):
        with schema_context(satker.schema_name):
            return services.take(waiting.pk, officers[i].user).assignee_id

    outcomes = race(8, attempt, refused=Conflict)
    winners = [value for kind, value in outcomes if kind == "ok"]
    assert len(winners) == 1
    assert [kind for kind, _ in outcomes].count("refused") == 7
    with schema_context(satker.schema_name):
        waiting.refresh_from_db()
        assert waiting.assignee_id == winners[0]
        assert waiting.events.filter(action="take").count() == 1
