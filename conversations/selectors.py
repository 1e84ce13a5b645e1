"""Reads of conversations, and the one door to them: `conversation_for` (404 for anyone the
thread is not theirs to see)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Case, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils import timezone

from booking.models import BookingSettings, OfficerProfile
from conversations.models import (
    LINK_CODE_MINUTES,
    QUEUE_STATES,
    Channel,
    Contact,
    Conversation,
    ConversationSettings,
    Kind,
    LinkCode,
    Message,
    State,
)
from core.models import Role
from core.queries import local_days


def visible_conversations(user) -> QuerySet[Conversation]:
    """Consumers see their own threads; officers the waiting ones (any of them may take one)
    and those they hold or held (all, if the satker admin lets officers see everything);
    satker admins all of the satker's."""
    conversations = Conversation.objects.select_related("consumer", "contact__consumer", "assignee__user", "expertise")
    if not user.is_authenticated:
        return conversations.none()
    if user.role == Role.SATKER_ADMIN:
        return conversations
    if user.role == Role.OFFICER:
        if BookingSettings.current().officers_see_all:
            return conversations
        return conversations.filter(state=State.WAITING) | conversations.filter(assignee__user=user)
    if user.role == Role.CONSUMER:
        # Their own web threads, and those of the WhatsApp they linked to the account.
        return conversations.filter(Q(consumer=user) | Q(contact__consumer=user))
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
    if user.role not in (Role.OFFICER, Role.SATKER_ADMIN):
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


# --- For reports (insights) ---------------------------------------------------------------


def _with_people() -> QuerySet[Conversation]:
    """Conversations that reached the officers, each with when it did (`reached_at`: the first
    time it was waiting or held) and the officer who answered first (`first_responder`).

    A booked consultation's thread is left out: it is opened with the consultation, so its
    "response time" would measure when someone first looked at the page, not a service."""
    first_reply = Message.objects.filter(conversation=OuterRef("pk"), kind=Kind.FROM_OFFICER, from_bot=False).order_by(
        "created_at", "pk"
    )
    return (
        Conversation.objects.filter(consultation__isnull=True)
        .annotate(
            reached_at=Min("events__created_at", filter=Q(events__to_state__in=QUEUE_STATES)),
            first_responder=Subquery(first_reply.values("author")[:1]),
        )
        .filter(reached_at__isnull=False)
    )


def _minutes(wait: timedelta) -> int:
    return max(0, round(wait.total_seconds() / 60))


def day_activity(start: datetime, end: datetime) -> dict:
    """What the conversations did between `start` and `end`, as a day's rollup keeps it: threads
    started (and how many on WhatsApp), first replies and closes with their minutes from the
    moment the thread reached the officers, and first replies within the reply standard."""
    started = Conversation.objects.filter(consultation__isnull=True, created_at__gte=start, created_at__lt=end)
    with_people = _with_people()
    first_waits = [
        _minutes(answered - reached)
        for reached, answered in with_people.filter(
            first_response_at__gte=start, first_response_at__lt=end
        ).values_list("reached_at", "first_response_at")
    ]
    resolution_waits = [
        _minutes(closed - reached)
        for reached, closed in with_people.filter(closed_at__gte=start, closed_at__lt=end).values_list(
            "reached_at", "closed_at"
        )
    ]
    standard = reply_standard_minutes()
    return {
        "conversations": started.count(),
        "conversations_whatsapp": started.filter(channel=Channel.WHATSAPP).count(),
        "conversation_first_replies": len(first_waits),
        "conversation_replied_within_standard": sum(wait <= standard for wait in first_waits),
        "conversation_first_reply_minutes_total": sum(first_waits),
        "conversations_resolved": len(resolution_waits),
        "conversation_resolution_minutes_total": sum(resolution_waits),
        "first_reply_minutes": sorted(first_waits),
        "resolution_minutes": sorted(resolution_waits),
    }


def officer_month_activity(start: datetime, end: datetime) -> dict[int, dict]:
    """Per officer profile: conversations they answered first in the period (with the minutes
    each waited, and how many within the reply standard) and conversations closed while they
    held them."""
    officers = {profile.user_id: profile for profile in OfficerProfile.objects.select_related("user")}
    standard = reply_standard_minutes()
    with_people = _with_people()
    activity: dict[int, dict] = {}

    def of(profile) -> dict:
        return activity.setdefault(
            profile.pk,
            {"user_id": profile.user_id, "name": profile.user.full_name, "first_reply_minutes": [], "resolved": 0},
        )

    for responder, reached, answered in with_people.filter(
        first_response_at__gte=start, first_response_at__lt=end
    ).values_list("first_responder", "reached_at", "first_response_at"):
        if responder in officers:
            of(officers[responder])["first_reply_minutes"].append(_minutes(answered - reached))
    for profile in OfficerProfile.objects.select_related("user").filter(
        conversations__closed_at__gte=start, conversations__closed_at__lt=end, conversations__consultation__isnull=True
    ):
        of(profile)["resolved"] += 1
    for row in activity.values():
        row["replied_within_standard"] = sum(wait <= standard for wait in row["first_reply_minutes"])
    return activity


def waiting_now() -> int:
    """Conversations waiting for any officer to take them, for the command centre."""
    return Conversation.objects.filter(state=State.WAITING).count()


def activity_days(zone: ZoneInfo) -> set[date]:
    """Every local day on which something a report counts happened in conversations."""
    return local_days(
        [(Conversation, "created_at"), (Conversation, "first_response_at"), (Conversation, "closed_at")], zone
    )


def linked_whatsapp(user) -> Contact | None:
    """The WhatsApp contact `user` linked to their account, if any."""
    return Contact.objects.filter(consumer=user).first()


def link_code_of(user) -> LinkCode | None:
    """The consumer's link code while it still works."""
    fresh_since = timezone.now() - timedelta(minutes=LINK_CODE_MINUTES)
    return LinkCode.objects.filter(consumer=user, created_at__gte=fresh_since).first()
