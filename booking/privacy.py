"""A consumer's consultations in their data export, and what deleting their account leaves."""

from django.utils.translation import gettext as _

from booking.models import Consultation
from core.text import scrub_personal_data


def personal_data_of(user) -> dict:
    consultations = (
        Consultation.objects.filter(consumer=user)
        .select_related("officer__user", "feedback")
        .prefetch_related("events")
    )
    return {
        "consultations": [
            {
                "id": item.pk,
                "status": item.status,
                "officer": item.officer.user.full_name,
                "starts_at": item.starts_at.isoformat(),
                "mode": item.mode,
                "topic": item.topic,
                "data_need": item.data_need,
                "purpose": item.purpose,
                "consumer_category": item.consumer_category,
                "meeting_link": item.meeting_link,
                "history": [
                    {
                        "action": event.action,
                        "to": event.to_status,
                        "at": event.created_at.isoformat(),
                        "reason": event.reason,
                    }
                    for event in item.events.all()
                ],
                "feedback": (
                    {"rating": item.feedback.rating, "comment": item.feedback.comment}
                    if hasattr(item, "feedback")
                    else None
                ),
            }
            for item in consultations
        ]
    }


def erase_personal_data(user) -> None:
    """Consultations stay counted; what the consumer wrote about themselves goes."""
    for consultation in Consultation.objects.filter(consumer=user):
        consultation.topic = scrub_personal_data(consultation.topic)
        consultation.data_need = _("[deleted at the consumer's request]")
        consultation.save(update_fields=["topic", "data_need", "updated_at"])
