from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from booking import services
from booking.models import BookingSettings, DateOverride, ExpertiseTag
from core.models import Role
from tests.conftest import create_user

WEEKDAYS_8_TO_16 = [(day, "08:00", "16:00") for day in range(5)]
NATIONAL_HOLIDAYS = holidays.country_holidays("ID", categories=("public", "government"))


def next_weekday(zone: str, weekday: int = 0, weeks_ahead: int = 1):
    """A working date at least a few days ahead, on the given weekday, in the satker's zone
    (a week later when that date is a national holiday: nothing can be booked on it)."""
    today = timezone.now().astimezone(ZoneInfo(zone)).date()
    day = today + timedelta(days=3)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    day += timedelta(weeks=weeks_ahead - 1)
    while day in NATIONAL_HOLIDAYS:
        day += timedelta(weeks=1)
    return day


def on_duty_now(satker, *officers) -> None:
    """Put officers on duty all of today and tomorrow (local dates, so no test meets midnight),
    whatever their weekly hours and whatever the date, holidays included: routing gives a
    written question only to an officer on duty now. Bookings, days ahead, keep their hours."""
    today = timezone.now().astimezone(ZoneInfo(satker.timezone)).date()
    with schema_context(satker.schema_name):
        BookingSettings.objects.update_or_create(id=1, defaults={"national_holidays": False})
        for officer in officers:
            for day in (today, today + timedelta(days=1)):
                DateOverride.objects.create(officer=officer, date=day, start_time=time.min, end_time=time.max)


def at(satker, day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), ZoneInfo(satker.timezone))


def make_officer(satker, email, tags=("kemiskinan-kesejahteraan",), hours=WEEKDAYS_8_TO_16, **fields):
    user = create_user(satker, email, role=Role.OFFICER, **fields)
    with schema_context(satker.schema_name):
        profile = services.save_officer_profile(user, expertise=list(ExpertiseTag.objects.filter(slug__in=tags)))
        services.set_weekly_hours(profile, list(hours))
    return profile


def request(satker, consumer, officer, starts_at, **fields):
    with schema_context(satker.schema_name):
        values = dict(
            topic="Garis kemiskinan",
            data_need="Garis kemiskinan Sidoarjo 2023 dan metodenya",
            purpose="study",
            consumer_category="student",
        )
        values.update(fields)
        return services.request_consultation(consumer=consumer, officer=officer, starts_at=starts_at, **values)


@pytest.fixture
def rules(satker_a):
    with schema_context(satker_a.schema_name):
        return BookingSettings.current()


@pytest.fixture
def officer_a(satker_a):
    return make_officer(satker_a, "rina@a.example", full_name="Rina Kusumawati")


@pytest.fixture
def consumer_a(satker_a):
    return create_user(satker_a, "andi@example.com", full_name="Andi Mahasiswa")
