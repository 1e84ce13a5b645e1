"""Who hears what of a consultation: `notify_of_event` turns each event into notifications,
called by booking.services inside the event's own transaction (the outbox commits with it)."""

from booking.calendar import consultation_ics
from booking.models import Action
from core.tenancy import current_satker
from realtime.services import notify

# action → (kind, who hears it). "other side" of a cancellation depends on who cancelled.
CONSUMER, OFFICER, OTHER_SIDE = "consumer", "officer", "other side"
ROUTES = {
    Action.REQUEST: ("consultation_requested", OFFICER),
    Action.APPROVE: ("consultation_approved", CONSUMER),
    Action.DECLINE: ("consultation_declined", CONSUMER),
    Action.PROPOSE_RESCHEDULE: ("reschedule_proposed", CONSUMER),
    Action.ACCEPT_RESCHEDULE: ("reschedule_accepted", OFFICER),
    Action.DECLINE_RESCHEDULE: ("reschedule_declined", OFFICER),
    Action.CANCEL: ("consultation_cancelled", OTHER_SIDE),
    Action.EXPIRE: ("consultation_expired", CONSUMER),
    Action.COMPLETE: ("rating_requested", CONSUMER),
}


def describe(consultation) -> dict:
    """The values notification texts use; the time is written in each reader's language when
    shown (realtime.catalog.render), in the satker's zone."""
    satker = current_satker()
    return {
        "topic": consultation.topic,
        "starts_at": consultation.starts_at.isoformat(),
        "zone": satker.timezone,
        "zone_label": satker.timezone_label,
        "reason": consultation.reason,
        "consumer": consultation.consumer.full_name,
        "officer": consultation.officer.user.full_name,
        "meeting_link": consultation.meeting_link,
    }


def recipient_of(consultation, event, audience):
    if audience == CONSUMER:
        return consultation.consumer
    if audience == OFFICER:
        return consultation.officer.user
    return consultation.officer.user if event.actor_id == consultation.consumer_id else consultation.consumer


def notify_of_event(consultation, event) -> None:
    route = ROUTES.get(event.action)
    if route is None:
        return
    kind, audience = route
    recipient = recipient_of(consultation, event, audience)
    attachment = None
    if kind == "consultation_approved":
        satker = current_satker()
        attachment = (
            f"konsultasi-{consultation.pk}.ics",
            "text/calendar",
            consultation_ics(consultation, satker.title, satker.get_primary_domain().domain),
        )
    link = f"/konsultasi/{consultation.pk}/nilai/" if kind == "rating_requested" else f"/konsultasi/{consultation.pk}/"
    notify(recipient, kind, describe(consultation), link=link, attachment=attachment)
