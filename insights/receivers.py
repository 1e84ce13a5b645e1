"""Rollups follow what happens in a satker: any step of a consultation, any AIDA question,
rating, handoff or review, any conversation's state change or first reply asks for its local
day to be recomputed.

Signals, not calls: booking, AIDA and conversations sit below insights and must not import it
(import-linter's layers)."""

from django.dispatch import receiver

from aida.services import assistant_used
from booking.services import consultation_changed
from conversations.services import conversation_changed
from insights import rollups


@receiver(consultation_changed)
def consultation_moved(sender, consultation, event, **kwargs):
    rollups.request_refresh()


@receiver(assistant_used)
def assistant_was_used(sender, at=None, **kwargs):
    rollups.request_refresh(at)


@receiver(conversation_changed)
def conversation_moved(sender, conversation, **kwargs):
    rollups.request_refresh()
