"""A consumer's written questions in their data export, and what deleting their account leaves."""

from django.utils.translation import gettext as _

from conversations.models import Conversation, Kind, Message
from core.text import scrub_personal_data


def personal_data_of(user) -> dict:
    conversations = Conversation.objects.filter(consumer=user).prefetch_related("messages__author")
    return {
        "conversations": [
            {
                "id": conversation.pk,
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
        ]
    }


def erase_personal_data(user) -> None:
    """Conversations stay counted; what the consumer wrote and sent goes, files included.
    Officers' answers stay: they are the satker's record of the service given."""
    for conversation in Conversation.objects.filter(consumer=user):
        conversation.subject = scrub_personal_data(conversation.subject)
        conversation.save(update_fields=["subject", "updated_at"])
    for message in Message.objects.filter(conversation__consumer=user, kind=Kind.FROM_CONSUMER):
        if message.attachment:
            message.attachment.delete(save=False)
        message.body = _("[deleted at the consumer's request]")
        message.attachment_name = ""
        message.attachment_bytes = 0
        message.save(update_fields=["body", "attachment", "attachment_name", "attachment_bytes"])
