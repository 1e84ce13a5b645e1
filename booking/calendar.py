"""iCalendar (RFC 5545) invitations, written by the `icalendar` library (escaping, line
folding and UTC times are its job). The UID never changes; SEQUENCE rises with every reschedule
or cancellation, so calendar apps update the same event instead of adding one."""

from icalendar import Calendar, Event, vCalAddress

from booking.models import Consultation, Status


def _person(user, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params.update({"CN": user.full_name, **params})
    return address


def consultation_ics(consultation: Consultation, satker_title: str, host: str) -> str:
    cancelled = consultation.status in (Status.CANCELLED, Status.DECLINED, Status.EXPIRED)
    calendar = Calendar()
    calendar.add("prodid", "-//HaloPST//Konsultasi Statistik//ID")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", f"{consultation.calendar_uid}@{host}")
    event.add("sequence", consultation.calendar_sequence)
    event.add("dtstamp", consultation.updated_at)
    event.add("dtstart", consultation.starts_at)
    event.add("dtend", consultation.ends_at)
    event.add("summary", f"Konsultasi {satker_title}: {consultation.topic}")
    event.add("description", consultation.data_need)
    event.add("location", consultation.meeting_link or satker_title)
    if consultation.meeting_link:
        event.add("url", consultation.meeting_link)
    event.add("organizer", _person(consultation.officer.user))
    event.add("attendee", _person(consultation.consumer, RSVP="FALSE"))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical().decode()
