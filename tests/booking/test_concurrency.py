"""Races against real PostgreSQL: separate connections, at the same time."""

from datetime import timedelta

import pytest
from django_tenants.utils import schema_context

from booking import services
from booking.models import Consultation, Status
from booking.services import SlotTaken
from tests.booking.conftest import at, make_officer, next_weekday, request
from tests.conftest import create_user, race

pytestmark = pytest.mark.timeout(120)


def test_twenty_consumers_race_for_one_slot_and_exactly_one_holds_it(make_satker):
    satker = make_satker()
    officer = make_officer(satker, "rina@example.com")
    consumers = [create_user(satker, f"konsumen{i}@example.com") for i in range(20)]
    slot = at(satker, next_weekday(satker.timezone, 0), 8)

    def attempt(i):
        with schema_context(satker.schema_name):
            return services.request_consultation(
                consumer=consumers[i],
                officer=officer,
                starts_at=slot,
                topic="Inflasi",
                data_need="IHK bulanan",
                purpose="study",
                consumer_category="student",
            ).pk

    outcomes = race(20, attempt, refused=SlotTaken)
    assert [kind for kind, _ in outcomes].count("ok") == 1
    losers = [message for kind, message in outcomes if kind == "refused"]
    assert len(losers) == 19 and all("just taken" in m or "baru saja" in m for m in losers)
    with schema_context(satker.schema_name):
        assert Consultation.objects.filter(status=Status.REQUESTED).count() == 1


def test_approving_two_requests_onto_one_time_at_once_is_refused_by_the_database(make_satker):
    """Both approvals check the new time free before either commits; the exclusion constraint
    then refuses the second. Three rounds, on three days, so one lucky ordering proves nothing."""
    satker = make_satker()
    officer = make_officer(satker, "rina@example.com")
    consumer = create_user(satker, "andi@example.com")
    monday = next_weekday(satker.timezone, 0)
    for offset in range(3):
        day = monday + timedelta(days=offset)
        pair = [
            request(satker, consumer, officer, at(satker, day, 8)).pk,
            request(satker, consumer, officer, at(satker, day, 9, 15)).pk,
        ]
        target = at(satker, day, 13)

        def attempt(i):
            with schema_context(satker.schema_name):
                return services.approve(pair[i], officer.user, starts_at=target).pk

        outcomes = race(2, attempt, refused=SlotTaken)
        assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"]
        with schema_context(satker.schema_name):
            approved = Consultation.objects.filter(pk__in=pair, status=Status.APPROVED)
            assert [c.starts_at for c in approved] == [target]
            assert Consultation.objects.filter(pk__in=pair, status=Status.REQUESTED).count() == 1
