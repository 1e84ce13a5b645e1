"""Who hears what: booking events become notifications, inside the event's own transaction."""

from zoneinfo import ZoneInfo

from django.dispatch import receiver
from django.utils import formats, translation

from booking.calendar import consultation_ics
from booking.services import consultation_changed
from realtime.services import notify
from tenants.selectors import current_satker

# action → (kind, who hears it). "other side" of a cancellation depends on who cancelled.
CONSUMER, OFFICER, OTHER_SIDE = "consumer", "officer", "other side"
ROUTES = {
    "request": ("consultation_requested", OFFICER),
    "approve": ("consultation_approved", CONSUMER),
    "decline": ("consultation_declined", CONSUMER),
    "propose_reschedule": ("reschedule_proposed", CONSUMER),
    "accept_reschedule": ("reschedule_accepted", OFFICER),
    "decline_reschedule": ("reschedule_declined", OFFICER),
    "cancel": ("consultation_cancelled", OTHER_SIDE),
    "expire": ("consultation_expired", CONSUMER),
    "complete": ("rating_requested", CONSUMER),
}


def describe(consultation, recipient) -> dict:
    """The values notification texts use, formatted in the satker's zone and the recipient's language."""
    satker = current_satker()
    local = consultation.starts_at.astimezone(ZoneInfo(satker.timezone))
    with translation.override(recipient.language or "id"):
        when = f"{formats.date_format(local, 'l, j F Y')} {local:%H:%M} {satker.timezone_label}"
    return {
        "topic": consultation.topic, "when": when, "reason": consultation.reason,
        "consumer": consultation.consumer.full_name, "officer": consultation.officer.user.full_name,
        "meeting_link": consultation.meeting_link,
    }


def recipient_of(consultation, event, audience):
    if audience == CONSUMER:
        return consultation.consumer
    if audience == OFFICER:
        return consultation.officer.user
    return consultation.officer.user if event.actor_id == consultation.consumer_id else consultation.consumer


@receiver(consultation_changed)
def notify_other_side(sender, consultation, event, **kwargs):
    route = ROUTES.get(event.action)
    if route is None:
        return
    kind, audience = route
    recipient = recipient_of(consultation, event, audience)
    attachment = None
    if kind == "consultation_approved":
        satker = current_satker()
        attachment = (f"konsultasi-{consultation.pk}.ics", "text/calendar",
                      consultation_ics(consultation, satker.title, satker.get_primary_domain().domain))
    link = f"/konsultasi/{consultation.pk}/nilai/" if kind == "rating_requested" else f"/konsultasi/{consultation.pk}/"
    notify(recipient, kind, describe(consultation, recipient), link=link, attachment=attachment)
