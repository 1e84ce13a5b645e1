"""iCalendar (RFC 5545) invitations. The UID never changes; SEQUENCE rises with every
reschedule or cancellation, so calendar apps update the same event instead of adding one."""

from datetime import datetime, timezone

from booking.models import Consultation, Status


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def consultation_ics(consultation: Consultation, satker_title: str, host: str) -> str:
    cancelled = consultation.status in (Status.CANCELLED, Status.DECLINED, Status.EXPIRED)
    officer = consultation.officer.user
    location = consultation.meeting_link or satker_title
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//HaloPST//Konsultasi Statistik//ID",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancelled else 'REQUEST'}",
        "BEGIN:VEVENT",
        f"UID:{consultation.calendar_uid}@{host}",
        f"SEQUENCE:{consultation.calendar_sequence}",
        f"DTSTAMP:{_stamp(consultation.updated_at)}",
        f"DTSTART:{_stamp(consultation.starts_at)}",
        f"DTEND:{_stamp(consultation.ends_at)}",
        f"SUMMARY:{_escape(f'Konsultasi {satker_title}: {consultation.topic}')}",
        f"DESCRIPTION:{_escape(consultation.data_need)}",
        f"LOCATION:{_escape(location)}",
        f"ORGANIZER;CN={_escape(officer.full_name)}:mailto:{officer.email}",
        f"ATTENDEE;CN={_escape(consultation.consumer.full_name)};RSVP=FALSE:mailto:{consultation.consumer.email}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    if consultation.meeting_link:
        lines.insert(-2, f"URL:{consultation.meeting_link}")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
