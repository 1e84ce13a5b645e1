"""Reads of conversations, and the one door to them: `conversation_for` (404 for anyone the
thread is not theirs to see)."""

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404

from booking.models import BookingSettings, OfficerProfile
from conversations.models import QUEUE_STATES, Conversation, ConversationSettings, Kind, Message, State
from core.models import Role


def visible_conversations(user) -> QuerySet[Conversation]:
    """Consumers see their own threads; officers the waiting ones (any of them may take one)
    and those they hold or held (all, if the satker admin lets officers see everything);
    satker admins all of the satker's."""
    conversations = Conversation.objects.select_related("consumer", "assignee__user", "expertise")
    if not user.is_authenticated:
        return conversations.none()
    if user.role == Role.SATKER_ADMIN:
        return conversations
    if user.role == Role.OFFICER:
        if BookingSettings.current().officers_see_all:
            return conversations
        return conversations.filter(state=State.WAITING) | conversations.filter(assignee__user=user)
    if user.role == Role.CONSUMER:
        return conversations.filter(consumer=user)
    return conversations.none()


def conversation_for(user, pk) -> Conversation:
    """The conversation if `user` may see it; 404 otherwise (never revealing that it exists)."""
    conversation = visible_conversations(user).filter(pk=pk).first()
    if conversation is None:
        raise Http404
    return conversation


def thread(conversation: Conversation, user) -> list[Message]:
    """The messages `user` reads: internal notes only on the officer side."""
    messages = conversation.messages.select_related("author")
    if user.pk == conversation.consumer_id:
        messages = messages.exclude(kind=Kind.NOTE)
    return list(messages)


def inbox(user) -> QuerySet[Conversation]:
    """Open conversations, waiting first (oldest question first), then the officer's own, then
    the team's, most recent first."""
    queue = Case(
        When(state=State.WAITING, then=Value(0)),
        When(assignee__user=user, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        visible_conversations(user).filter(state__in=QUEUE_STATES).annotate(queue=queue).order_by("queue", "created_at")
    )


def mine(user) -> QuerySet[Conversation]:
    """A consumer's threads, the one with news first."""
    return visible_conversations(user).order_by("-last_message_at")


def transfer_targets(conversation: Conversation) -> QuerySet[OfficerProfile]:
    return (
        OfficerProfile.objects.filter(is_active=True, user__is_active=True)
        .exclude(pk=conversation.assignee_id)
        .select_related("user")
    )


def reply_standard_minutes() -> int:
    return ConversationSettings.current().reply_standard_minutes
