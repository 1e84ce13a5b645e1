"""Reminders a day and an hour before approved consultations, and to officers of waiting requests.

Each reminder has a dedupe key, so running the sweep twice (two beats, a retry) sends nothing twice;
the key carries the start time, so a rescheduled consultation is reminded again.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from booking.models import BookingSettings, Consultation, Status
from booking.notifications import describe
from core.models import User
from core.tenancy import current_satker
from realtime.services import notify

WINDOWS = [("reminder_day", timedelta(hours=24)), ("reminder_hour", timedelta(hours=1))]


def _day_reminder(consultation, now) -> str:
    """The day-ahead reminder says "today" for a consultation later on the same local day of
    the satker (booked this morning for this afternoon), "tomorrow" otherwise."""
    zone = ZoneInfo(current_satker().timezone)
    same_day = consultation.starts_at.astimezone(zone).date() == now.astimezone(zone).date()
    return "reminder_today" if same_day else "reminder_day"


@transaction.atomic
def send_consultation_reminders(now=None) -> int:
    now = now or timezone.now()
    sent = 0
    for kind, ahead in WINDOWS:
        upcoming = Consultation.objects.filter(
            status=Status.APPROVED, starts_at__gt=now, starts_at__lte=now + ahead
        ).select_related("consumer", "officer__user")
        for consultation in upcoming:
            said = _day_reminder(consultation, now) if kind == "reminder_day" else kind
            for recipient in (consultation.consumer, consultation.officer.user):
                key = f"{kind}:{consultation.pk}:{int(consultation.starts_at.timestamp())}:{recipient.pk}"
                if notify(
                    recipient,
                    said,
                    describe(consultation),
                    link=f"/konsultasi/{consultation.pk}/",
                    dedupe_key=key,
                ):
                    sent += 1
    return sent


@transaction.atomic
def remind_officers_of_waiting_requests(now=None) -> int:
    """Once a day per officer, while requests wait longer than half the satker's decision standard."""
    now = now or timezone.now()
    waited = timedelta(hours=BookingSettings.current().decision_standard_hours / 2)
    waiting = (
        Consultation.objects.filter(status=Status.REQUESTED, created_at__lte=now - waited)
        .values("officer__user")
        .annotate(count=Count("pk"))
    )
    sent = 0
    for row in waiting:
        officer = User.objects.get(pk=row["officer__user"])
        key = f"requests_waiting:{officer.pk}:{now:%Y-%m-%d}"
        if notify(officer, "requests_waiting", {"count": row["count"]}, link="/kotak-masuk/", dedupe_key=key):
            sent += 1
    return sent
