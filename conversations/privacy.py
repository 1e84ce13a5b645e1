"""A consumer's written questions in their data export, what deleting their account leaves, and
how long WhatsApp contacts (people without an account) are kept."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations.models import OPEN_STATES, Contact, Conversation, Kind, Message
from core.text import scrub_personal_data

# The user id a forgotten contact keeps: the row must name someone, and this names no one.
FORGOTTEN = "dihapus-"


def personal_data_of(user) -> dict:
    """Their web threads and, when they linked their WhatsApp, that number and its threads."""
    contact = Contact.objects.filter(consumer=user).first()
    conversations = (
        Conversation.objects.filter(Q(consumer=user) | Q(contact__consumer=user))
        .order_by("pk")
        .prefetch_related("messages__author")
    )
    return {
        "linked_whatsapp": {"number": contact.wa_id, "name": contact.profile_name} if contact else None,
        "conversations": [
            {
                "id": conversation.pk,
                "channel": conversation.channel,
                "subject": conversation.subject,
                "state": conversation.state,
                "started_at": conversation.created_at.isoformat(),
                "messages": [
                    {
                        "from": message.kind,
                        "author": message.author.full_name if message.author else "",
                        "at": message.created_at.isoformat(),
                        "text": message.body,
                        "file": message.attachment_name,
                    }
                    for message in conversation.messages.all()
                    if message.kind != Kind.NOTE
                ],
            }
            for conversation in conversations
        ],
    }


def _forget_what_they_wrote(conversations, body) -> None:
    """Subjects scrubbed; the person's messages get `body(old text)` and lose their files.
    Officers' answers stay: they are the satker's record of the service given."""
    for conversation in conversations:
        conversation.subject = scrub_personal_data(conversation.subject)
        conversation.save(update_fields=["subject", "updated_at"])
    for message in Message.objects.filter(conversation__in=conversations, kind=Kind.FROM_CONSUMER):
        if message.attachment:
            message.attachment.delete(save=False)
        message.body = body(message.body)
        message.attachment_name, message.attachment_bytes = "", 0
        message.save(update_fields=["body", "attachment", "attachment_name", "attachment_bytes"])


def _forget_contact(contact: Contact, body) -> None:
    _forget_what_they_wrote(contact.conversations.all(), body)
    contact.wa_id, contact.wa_user_id, contact.profile_name = None, f"{FORGOTTEN}{contact.pk}", ""
    contact.consumer, contact.linked_at = None, None
    contact.save(update_fields=["wa_id", "wa_user_id", "profile_name", "consumer", "linked_at", "updated_at"])


def erase_personal_data(user) -> None:
    """Conversations stay counted; what the consumer wrote and sent goes, files included, and
    the WhatsApp they linked is forgotten like a contact past its retention."""
    deleted = _("[deleted at the consumer's request]")
    _forget_what_they_wrote(Conversation.objects.filter(consumer=user), lambda _text: deleted)
    for contact in Contact.objects.filter(consumer=user):
        _forget_contact(contact, lambda _text: deleted)


def forget_old_contacts(days: int) -> int:
    """WhatsApp contacts without an account, quiet for `days`, with nothing open, lose their number, user id and name;
    what they wrote is scrubbed and what they sent deleted. The conversations stay counted,
    and the officers' answers stay as the satker's record. Returns how many were forgotten."""
    cutoff = timezone.now() - timedelta(days=days)
    quiet = (
        # A contact linked to an account is the account's: it goes when the account does.
        Contact.objects.filter(consumer__isnull=True)
        .exclude(profile_name="", wa_id__isnull=True, wa_user_id__startswith=FORGOTTEN)
        .exclude(conversations__state__in=OPEN_STATES)
        .exclude(conversations__last_message_at__gte=cutoff)
    )
    forgotten = 0
    for contact in quiet:
        with transaction.atomic():
            _forget_contact(contact, lambda text: scrub_personal_data(text) or "-")
            forgotten += 1
    return forgotten
