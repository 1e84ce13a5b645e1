"""Free slots: an officer's availability minus what is already held, computed on the server.

Everything is worked out on the satker's local calendar (its time zone) and returned as aware
datetimes. The rules, in order, for each local date of the booking window:
closed day (the satker's own list, and Indonesia's national holidays and cuti bersama unless the
satker opens on them) or leave → nothing; date overrides replace weekly hours (an override without hours
closes the day); slots of `slot_minutes` start every `slot_minutes + buffer_minutes` inside each
range; a slot must start at least `min_notice_hours` from now; a slot overlapping held time is
taken; a date with `daily_cap` held consultations has no free slot left.
"""

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.utils.translation import get_language

from booking.models import (
    HOLDING_STATUSES,
    BookingSettings,
    ClosedDay,
    Consultation,
    DateOverride,
    OfficerLeave,
    OfficerProfile,
    WeeklyHours,
)


@dataclass(frozen=True, order=True)
class Slot:
    starts_at: datetime
    ends_at: datetime


@dataclass
class OfficerCalendar:
    """What the slot rules need to know about one officer, loaded in a fixed number of queries."""

    weekly: dict[int, list[tuple[time, time]]]
    overrides: dict[date, list[tuple[time, time]]]  # an empty list closes the date
    leave_days: set[date]
    held: list[tuple[datetime, datetime]]  # (starts_at, held_until)


@lru_cache(maxsize=32)
def _national_holidays(year: int, language: str) -> dict[date, str]:
    calendar = holidays.country_holidays("ID", years=year, language=language, categories=("public", "government"))
    return dict(calendar.items())


def closed_days(first: date, last: date, rules: BookingSettings | None = None) -> dict[date, str]:
    """The days between `first` and `last` (inclusive) the whole satker is closed, with their
    names: the admin's list and, unless the satker opens on them, Indonesia's national holidays
    and cuti bersama (the `holidays` package, which follows the government's decrees)."""
    rules = rules or BookingSettings.current()
    closed = {}
    if rules.national_holidays:
        language = "id" if (get_language() or "id").startswith("id") else "en_US"
        for year in range(first.year, last.year + 1):
            closed.update(
                (day, name) for day, name in _national_holidays(year, language).items() if first <= day <= last
            )
    closed.update(ClosedDay.objects.filter(date__range=(first, last)).values_list("date", "name"))
    return closed


def load_calendars(
    officer_ids, first: date, last: date, zone: ZoneInfo, exclude_consultation: int | None = None
) -> dict[int, OfficerCalendar]:
    calendars = {pk: OfficerCalendar(defaultdict(list), defaultdict(list), set(), []) for pk in officer_ids}
    for row in WeeklyHours.objects.filter(officer_id__in=officer_ids):
        calendars[row.officer_id].weekly[row.weekday].append((row.start_time, row.end_time))
    for row in DateOverride.objects.filter(officer_id__in=officer_ids, date__range=(first, last)):
        hours = calendars[row.officer_id].overrides[row.date]
        if row.start_time is not None:
            hours.append((row.start_time, row.end_time))
    for row in OfficerLeave.objects.filter(officer_id__in=officer_ids, end_date__gte=first, start_date__lte=last):
        day = max(row.start_date, first)
        while day <= min(row.end_date, last):
            calendars[row.officer_id].leave_days.add(day)
            day += timedelta(days=1)
    window_start = datetime.combine(first, time.min, zone)
    window_end = datetime.combine(last + timedelta(days=1), time.min, zone)
    held = Consultation.objects.filter(
        officer_id__in=officer_ids, status__in=HOLDING_STATUSES, starts_at__lt=window_end, held_until__gt=window_start
    )
    if exclude_consultation is not None:
        held = held.exclude(pk=exclude_consultation)
    for officer_id, starts_at, held_until in held.values_list("officer_id", "starts_at", "held_until"):
        calendars[officer_id].held.append((starts_at, held_until))
    return calendars


def _hours_on(calendar: OfficerCalendar, day: date) -> list[tuple[time, time]]:
    """An officer's ranges of hours on one date: a date override replaces the weekly hours."""
    return sorted(calendar.overrides[day] if day in calendar.overrides else calendar.weekly.get(day.weekday(), []))


def slots_for_calendar(
    calendar: OfficerCalendar,
    rules: BookingSettings,
    closed: set[date],
    first: date,
    last: date,
    now: datetime,
    zone: ZoneInfo,
) -> list[Slot]:
    length = timedelta(minutes=rules.slot_minutes)
    step = length + timedelta(minutes=rules.buffer_minutes)
    buffer = timedelta(minutes=rules.buffer_minutes)
    earliest = now + timedelta(hours=rules.min_notice_hours)
    held = sorted(calendar.held)
    held_per_day = defaultdict(int)
    for starts_at, _until in held:
        held_per_day[starts_at.astimezone(zone).date()] += 1

    free = []
    # One officer's holds never overlap (the exclusion constraint), so sorted by start they are
    # sorted by end too: a binary search finds the first hold a slot could touch.
    hold_ends = [until for _start, until in held]
    day = first
    while day <= last:
        if day in closed or day in calendar.leave_days or held_per_day[day] >= rules.daily_cap:
            day += timedelta(days=1)
            continue
        for opens, closes in _hours_on(calendar, day):
            start = datetime.combine(day, opens, zone)
            close = datetime.combine(day, closes, zone)
            while start + length <= close:
                end = start + length
                index = bisect_right(hold_ends, start)
                # The first hold ending after `start` clashes if it begins before this slot's buffer ends.
                clash = index < len(held) and held[index][0] < end + buffer
                if start >= earliest and not clash:
                    free.append(Slot(start, end))
                start += step
        day += timedelta(days=1)
    return free


def booking_window(rules: BookingSettings, now: datetime, zone: ZoneInfo) -> tuple[date, date]:
    today = now.astimezone(zone).date()
    return today, today + timedelta(days=rules.booking_window_days)


def free_slots(
    officers: list[OfficerProfile],
    *,
    zone: ZoneInfo,
    now: datetime,
    first: date | None = None,
    last: date | None = None,
    exclude_consultation: int | None = None,
) -> dict[int, list[Slot]]:
    """Free slots per officer id, within the booking window (optionally narrowed to [first, last]).

    `exclude_consultation`'s own hold is ignored: a consultation being moved does not block itself.
    """
    rules = BookingSettings.current()
    window_first, window_last = booking_window(rules, now, zone)
    first = max(first or window_first, window_first)
    last = min(last or window_last, window_last)
    if first > last or not officers:
        return {officer.pk: [] for officer in officers}
    closed = set(closed_days(first, last, rules))
    calendars = load_calendars([officer.pk for officer in officers], first, last, zone, exclude_consultation)
    return {
        pk: slots_for_calendar(calendar, rules, closed, first, last, now, zone) for pk, calendar in calendars.items()
    }


def next_opening(officers: list[OfficerProfile], *, zone: ZoneInfo, now: datetime, days: int = 14) -> datetime | None:
    """When one of `officers` is next on duty by their hours (closed days, leave and date
    overrides counted): `now` itself if one is on duty now, None if nobody is within `days`."""
    if not officers:
        return None
    first = now.astimezone(zone).date()
    last = first + timedelta(days=days)
    closed = set(closed_days(first, last))
    soonest = None
    for calendar in load_calendars([officer.pk for officer in officers], first, last, zone).values():
        day = first
        while day <= last and (soonest is None or datetime.combine(day, time.min, zone) < soonest):
            if day not in closed and day not in calendar.leave_days:
                for opens, closes in _hours_on(calendar, day):
                    start, end = datetime.combine(day, opens, zone), datetime.combine(day, closes, zone)
                    if start <= now < end:
                        return now
                    if start > now and (soonest is None or start < soonest):
                        soonest = start
            day += timedelta(days=1)
    return soonest


def on_duty(officer_ids: list[int], *, zone: ZoneInfo, now: datetime) -> set[int]:
    """The officers among `officer_ids` whose hours hold `now` (closed days, leave and date
    overrides counted): whom a written question may be given to at this moment."""
    today = now.astimezone(zone).date()
    if not officer_ids or today in closed_days(today, today):
        return set()
    return {
        pk
        for pk, calendar in load_calendars(officer_ids, today, today, zone).items()
        if today not in calendar.leave_days
        and any(
            datetime.combine(today, opens, zone) <= now < datetime.combine(today, closes, zone)
            for opens, closes in _hours_on(calendar, today)
        )
    }
