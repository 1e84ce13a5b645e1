"""Personal data rights (UU PDP 27/2022): a consumer downloads their data or deletes their account.

Deleting keeps what the satker must count (consultations, ratings, the fact that questions were
asked) but leaves nothing that identifies the person: the account row is anonymised, free text
they wrote is scrubbed, contact addresses and conversations' links to them are removed.
"""

from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Role, User


def export_personal_data(user: User) -> dict:
    from aida.models import Conversation
    from booking.models import Consultation
    from realtime.models import Notification

    account = {"email": user.email, "full_name": user.full_name, "whatsapp": user.whatsapp, "role": user.role,
               "language": user.language, "joined": user.date_joined.isoformat(),
               "privacy_consent_at": user.privacy_consent_at.isoformat() if user.privacy_consent_at else None,
               "notify_by_email": user.notify_by_email, "notify_by_whatsapp": user.notify_by_whatsapp}
    if connection.schema_name == get_public_schema_name():
        return {"account": account}  # the portal's accounts (admins) have no satker rows
    consultations = Consultation.objects.filter(consumer=user).select_related("officer__user").prefetch_related("events")
    return {
        "account": account,
        "consultations": [{
            "id": item.pk, "status": item.status, "officer": item.officer.user.full_name,
            "starts_at": item.starts_at.isoformat(), "mode": item.mode, "topic": item.topic, "data_need": item.data_need,
            "purpose": item.purpose, "consumer_category": item.consumer_category, "meeting_link": item.meeting_link,
            "history": [{"action": event.action, "to": event.to_status, "at": event.created_at.isoformat(),
                         "reason": event.reason} for event in item.events.all()],
            "feedback": ({"rating": item.feedback.rating, "comment": item.feedback.comment}
                         if hasattr(item, "feedback") else None),
        } for item in consultations],
        "notifications": list(Notification.objects.filter(recipient=user).values("kind", "title", "body", "created_at")),
        "aida": [{"started": conversation.created_at.isoformat(),
                  "messages": list(conversation.messages.values("role", "text", "created_at"))}
                 for conversation in Conversation.objects.filter(user=user)],
    }


@transaction.atomic
def delete_account(user: User, *, password: str) -> None:
    from aida.models import Conversation, Message
    from aida.services import scrub_personal_data
    from booking.models import Consultation
    from realtime.models import Notification

    if user.role != Role.CONSUMER:
        raise PermissionDenied(_("Staff accounts are closed by an admin."))
    if not user.check_password(password):
        raise ValidationError({"password": _("The password is not correct.")})
    for consultation in Consultation.objects.filter(consumer=user):
        consultation.topic = scrub_personal_data(consultation.topic)
        consultation.data_need = _("[deleted at the consumer's request]")
        consultation.save(update_fields=["topic", "data_need", "updated_at"])
    Notification.objects.filter(recipient=user).delete()  # deliveries (with addresses) go with them
    for message in Message.objects.filter(conversation__user=user):
        message.text = scrub_personal_data(message.text)
        message.save(update_fields=["text"])
    Conversation.objects.filter(user=user).update(user=None, session_key="")
    user.email = f"terhapus-{user.pk}@anonim.invalid"
    user.full_name = _("Deleted user")
    user.whatsapp = ""
    user.is_active = False
    user.password = make_password(None)  # also ends every session of the account
    user.notify_by_email = user.notify_by_whatsapp = False
    user.save()


@transaction.atomic
def anonymise_old_conversations(days: int) -> int:
    """AIDA conversations older than `days` lose their link to people and their personal data."""
    from aida.models import Conversation, Message
    from aida.services import scrub_personal_data

    cutoff = timezone.now() - timedelta(days=days)
    old = Conversation.objects.filter(created_at__lt=cutoff).exclude(user__isnull=True, session_key="")
    count = old.count()
    for message in Message.objects.filter(conversation__in=old):
        scrubbed = scrub_personal_data(message.text)
        if scrubbed != message.text:
            message.text = scrubbed
            message.save(update_fields=["text"])
    old.update(user=None, session_key="")
    return count
