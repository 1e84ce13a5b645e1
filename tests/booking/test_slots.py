"""Free slots across time zones, date overrides, holidays and full days."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from booking import services
from booking.availability import closed_days, free_slots, next_opening, on_duty
from booking.models import Consultation
from tenants.services import SatkerSpec, onboard_satker
from tests.booking.conftest import at, make_officer, next_weekday, request
from tests.conftest import create_user


def slots_on(satker, officer, day, now=None):
    zone = ZoneInfo(satker.timezone)
    with schema_context(satker.schema_name):
        found = free_slots([officer], zone=zone, now=now or timezone.now(), first=day, last=day)[officer.pk]
    return [slot.starts_at.astimezone(zone).strftime("%H:%M") for slot in found]


DEFAULT_DAY = ["08:00", "09:15", "10:30", "11:45", "13:00", "14:15"]


@pytest.fixture
def bali_and_papua(db, province_jatim):
    bali = onboard_satker(SatkerSpec("5100", "province", "Provinsi Bali", "bali", "Asia/Makassar"))
    papua = onboard_satker(SatkerSpec("9400", "province", "Provinsi Papua", "papua", "Asia/Jayapura"))
    return bali, papua


def test_weekly_hours_give_slots_in_the_satker_zone(satker_a, officer_a):
    monday = next_weekday(satker_a.timezone, 0)
    assert slots_on(satker_a, officer_a, monday) == DEFAULT_DAY
    assert slots_on(satker_a, officer_a, monday + timedelta(days=5)) == []  # Saturday


def test_wita_and_wit_satkers_open_at_their_own_eight_oclock(bali_and_papua):
    bali, papua = bali_and_papua
    for satker, utc_hour in ((bali, 0), (papua, 23)):
        officer = make_officer(satker, f"petugas@{satker.subdomain}.example")
        monday = next_weekday(satker.timezone, 0)
        assert slots_on(satker, officer, monday)[0] == "08:00"
        with schema_context(satker.schema_name):
            first = free_slots(
                [officer], zone=ZoneInfo(satker.timezone), now=timezone.now(), first=monday, last=monday
            )[officer.pk][0]
        assert first.starts_at.astimezone(ZoneInfo("UTC")).hour == utc_hour
        assert first.starts_at.utcoffset() == timedelta(hours=8 if satker is bali else 9)


def test_a_wit_booking_is_stored_as_the_right_instant(bali_and_papua):
    _bali, papua = bali_and_papua
    officer = make_officer(papua, "petugas@papua.example")
    consumer = create_user(papua, "warga@papua.example")
    monday = next_weekday(papua.timezone, 0)
    consultation = request(papua, consumer, officer, at(papua, monday, 8))
    assert consultation.starts_at == datetime.combine(monday, time(8), ZoneInfo("Asia/Jayapura"))
    assert consultation.starts_at.astimezone(ZoneInfo("Asia/Jakarta")).hour == 6


def test_date_override_replaces_or_closes_a_day(satker_a, officer_a):
    monday = next_weekday(satker_a.timezone, 0)
    tuesday = monday + timedelta(days=1)
    saturday = monday + timedelta(days=5)
    with schema_context(satker_a.schema_name):
        services.add_date_override(officer_a, date=monday, start_time=time(13), end_time=time(15))
        services.add_date_override(officer_a, date=tuesday)  # closed
        services.add_date_override(officer_a, date=saturday, start_time=time(9), end_time=time(10))
    assert slots_on(satker_a, officer_a, monday) == ["13:00"]
    assert slots_on(satker_a, officer_a, tuesday) == []
    assert slots_on(satker_a, officer_a, saturday) == ["09:00"]


def test_holiday_and_leave_close_the_day(satker_a, officer_a):
    monday = next_weekday(satker_a.timezone, 0)
    with schema_context(satker_a.schema_name):
        services.add_closed_day(date=monday, name="Cuti bersama Natal")
        services.add_leave(officer_a, start_date=monday + timedelta(days=2), end_date=monday + timedelta(days=3))
    assert slots_on(satker_a, officer_a, monday) == []
    assert slots_on(satker_a, officer_a, monday + timedelta(days=1)) == DEFAULT_DAY
    assert slots_on(satker_a, officer_a, monday + timedelta(days=2)) == []
    assert slots_on(satker_a, officer_a, monday + timedelta(days=3)) == []


def test_held_time_and_its_buffer_are_not_offered(satker_a, officer_a, consumer_a):
    monday = next_weekday(satker_a.timezone, 0)
    request(satker_a, consumer_a, officer_a, at(satker_a, monday, 9, 15))
    assert slots_on(satker_a, officer_a, monday) == ["08:00", "10:30", "11:45", "13:00", "14:15"]


def test_a_full_day_offers_nothing_more(satker_a, officer_a, consumer_a):
    monday = next_weekday(satker_a.timezone, 0)
    with schema_context(satker_a.schema_name):
        services.update_booking_settings(daily_cap=2)
    request(satker_a, consumer_a, officer_a, at(satker_a, monday, 8))
    assert len(slots_on(satker_a, officer_a, monday)) == 5
    request(satker_a, consumer_a, officer_a, at(satker_a, monday, 13))
    assert slots_on(satker_a, officer_a, monday) == []
    assert slots_on(satker_a, officer_a, monday + timedelta(days=1)) == DEFAULT_DAY
    with pytest.raises(Exception) as refused:
        request(satker_a, consumer_a, officer_a, at(satker_a, monday, 10, 30))
    assert "does not offer" in str(refused.value) or "tidak" in str(refused.value)


def test_minimum_notice_and_window(satker_a, officer_a):
    monday = next_weekday(satker_a.timezone, 0)
    just_before = datetime.combine(monday, time(7), ZoneInfo(satker_a.timezone))
    # 4 hours' notice: at 07:00 the 08:00 and 09:15 slots are too soon.
    assert slots_on(satker_a, officer_a, monday, now=just_before)[0] == "11:45"
    with schema_context(satker_a.schema_name):
        services.update_booking_settings(booking_window_days=1)
    assert slots_on(satker_a, officer_a, monday) == []


def test_any_officer_with_the_expertise_goes_to_the_least_loaded(satker_a, consumer_a):
    from booking.models import ExpertiseTag

    busy = make_officer(satker_a, "busy@a.example", tags=["ketenagakerjaan"])
    free = make_officer(satker_a, "free@a.example", tags=["ketenagakerjaan"])
    monday = next_weekday(satker_a.timezone, 0)
    request(satker_a, consumer_a, busy, at(satker_a, monday + timedelta(days=1), 8))
    with schema_context(satker_a.schema_name):
        tag = ExpertiseTag.objects.get(slug="ketenagakerjaan")
        chosen = services.request_consultation(
            consumer=consumer_a,
            expertise=tag,
            starts_at=at(satker_a, monday, 8),
            topic="TPT",
            data_need="Tingkat pengangguran terbuka",
            purpose="research",
            consumer_category="researcher",
        )
        assert chosen.officer == free
        again = services.request_consultation(
            consumer=consumer_a,
            expertise=tag,
            starts_at=at(satker_a, monday, 8),
            topic="TPT",
            data_need="Tingkat pengangguran terbuka",
            purpose="research",
            consumer_category="researcher",
        )
        assert again.officer == busy  # the free one now holds 08:00


def test_the_database_itself_refuses_overlapping_holds(satker_a, officer_a, consumer_a):
    from django.db import IntegrityError, transaction

    monday = next_weekday(satker_a.timezone, 0)
    booked = request(satker_a, consumer_a, officer_a, at(satker_a, monday, 8))
    with schema_context(satker_a.schema_name):
        clash = Consultation(
            consumer=consumer_a,
            officer=officer_a,
            starts_at=booked.starts_at + timedelta(minutes=30),
            ends_at=booked.ends_at + timedelta(minutes=30),
            held_until=booked.held_until + timedelta(minutes=30),
            topic="x",
            data_need="x",
            purpose="other",
            consumer_category="other",
        )
        with pytest.raises(IntegrityError, match="consultation_no_double_booking"), transaction.atomic():
            clash.save()
        clash.status = "cancelled"
        clash.reason = "kept for the record"
        clash.save()  # a consultation that no longer holds time does not clash
        assert connection.schema_name == satker_a.schema_name


def test_national_holidays_and_cuti_bersama_close_the_satker_unless_it_opens_on_them(satker_a, officer_a):
    """Christmas 2026 (a Friday) and the cuti bersama before it, from the government's calendar:
    no slot, nobody on duty, and the next opening is the Monday after; a satker that opens on
    national holidays serves on them. Dates are fixed: `now` is passed, not read from the clock."""
    zone = ZoneInfo(satker_a.timezone)
    christmas_eve = datetime(2026, 12, 24, 10, 0, tzinfo=zone)
    before = christmas_eve - timedelta(days=7)
    with schema_context(satker_a.schema_name):
        closed = closed_days(christmas_eve.date(), christmas_eve.date() + timedelta(days=1))
        assert closed == {
            christmas_eve.date(): "Cuti Bersama Hari Raya Natal",
            christmas_eve.date() + timedelta(days=1): "Hari Raya Natal",
        }
        week = free_slots([officer_a], zone=zone, now=before, first=christmas_eve.date() - timedelta(days=1))
        days = {slot.starts_at.astimezone(zone).date() for slot in week[officer_a.pk]}
        assert {christmas_eve.date() + timedelta(days=offset) for offset in (-1, 4)} <= days
        assert not days & set(closed)
        assert on_duty([officer_a.pk], zone=zone, now=christmas_eve) == set()
        assert next_opening([officer_a], zone=zone, now=christmas_eve) == datetime(2026, 12, 28, 8, 0, tzinfo=zone)

        services.update_booking_settings(national_holidays=False)
        assert closed_days(christmas_eve.date(), christmas_eve.date() + timedelta(days=1)) == {}
        assert on_duty([officer_a.pk], zone=zone, now=christmas_eve) == {officer_a.pk}
        assert next_opening([officer_a], zone=zone, now=christmas_eve) == christmas_eve
