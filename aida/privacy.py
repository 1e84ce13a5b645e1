"""A user's AIDA conversations in their data export; deleting the account scrubs them and
unlinks them from the person (the questions stay counted)."""

from aida.models import Conversation
from aida.services import forget_conversations


def personal_data_of(user) -> dict:
    return {
        "aida": [
            {
                "started": conversation.created_at.isoformat(),
                "messages": list(conversation.messages.values("role", "text", "created_at")),
            }
            for conversation in Conversation.objects.filter(user=user)
        ]
    }


def erase_personal_data(user) -> None:
    forget_conversations(Conversation.objects.filter(user=user))
