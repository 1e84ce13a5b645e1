from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from aida.models import AnswerReview, Conversation, EntryStatus, KnowledgeEntry, Message
from core.queries import local_days


def published_entries() -> QuerySet[KnowledgeEntry]:
    return KnowledgeEntry.objects.filter(status=EntryStatus.PUBLISHED)


def conversations_of(user, session_key) -> QuerySet[Conversation]:
    """A signed-in user's conversations, or an anonymous session's."""
    if user.is_authenticated:
        return Conversation.objects.filter(user=user)
    if not session_key:
        return Conversation.objects.none()
    return Conversation.objects.filter(user__isnull=True, session_key=session_key)


def latest_conversation(user, session_key) -> Conversation | None:
    return conversations_of(user, session_key).order_by("-created_at").first()


def answer_for(user, session_key, pk) -> Message:
    """An answer in one of the asker's own conversations; 404 otherwise."""
    answer = Message.objects.filter(
        pk=pk, role=Message.Role.ASSISTANT, conversation__in=conversations_of(user, session_key)
    ).first()
    if answer is None:
        raise Http404
    return answer


def answers_to_review() -> QuerySet[Message]:
    """Answers no officer reviewed yet: marked unhelpful first, then degraded ones, newest first."""
    return (
        Message.objects.filter(role=Message.Role.ASSISTANT, review__isnull=True)
        .select_related("conversation")
        .order_by("helpful", "-created_at")
    )


def unanswered_suggestions(limit: int = 10) -> list[dict]:
    """Questions AIDA could not answer from the knowledge base, grouped by their words: the
    entries worth writing next."""
    from aida.retrieval import query_terms

    questions = Message.objects.filter(role=Message.Role.USER, conversation__messages__degraded="no_match").distinct()
    groups: dict[str, dict] = {}
    for text in questions.values_list("text", flat=True)[:500]:
        key = " ".join(sorted(set(query_terms(text)))[:4])
        if key:
            group = groups.setdefault(key, {"example": text, "count": 0})
            group["count"] += 1
    return sorted(groups.values(), key=lambda group: -group["count"])[:limit]


def activity_this_month() -> dict:
    start = timezone.localdate().replace(day=1)
    answers = Message.objects.filter(role=Message.Role.ASSISTANT, created_at__date__gte=start)
    return answers.aggregate(
        answered=Count("id"),
        marked_helpful=Count("id", filter=Q(helpful=True)),
        marked_unhelpful=Count("id", filter=Q(helpful=False)),
        limited=Count("id", filter=~Q(degraded="")),
    )


# --- Activity, for reports (insights.rollups) ---------------------------------------------


def assistant_activity(start: datetime, end: datetime) -> dict:
    """Questions asked, answers rated and found helpful, handoffs and tokens between `start` and `end`."""
    answers = Message.objects.filter(role=Message.Role.ASSISTANT, created_at__gte=start, created_at__lt=end).aggregate(
        rated=Count("id", filter=Q(helpful__isnull=False)),
        helpful=Count("id", filter=Q(helpful=True)),
        tokens=Sum("total_tokens"),
    )
    return {
        "aida_questions": Message.objects.filter(
            role=Message.Role.USER, created_at__gte=start, created_at__lt=end
        ).count(),
        "aida_rated": answers["rated"],
        "aida_helpful": answers["helpful"],
        "aida_handoffs": Message.objects.filter(handed_off_at__gte=start, handed_off_at__lt=end).count(),
        "aida_tokens": answers["tokens"] or 0,
    }


def questions_between(start: datetime, end: datetime) -> int:
    return Message.objects.filter(role=Message.Role.USER, created_at__gte=start, created_at__lt=end).count()


def reviews_by_reviewer(start: datetime, end: datetime) -> dict[int, int]:
    """User id → answers that user reviewed between `start` and `end`."""
    return dict(
        AnswerReview.objects.filter(created_at__gte=start, created_at__lt=end)
        .values_list("reviewer")
        .annotate(n=Count("id"))
    )


def activity_days(zone: ZoneInfo) -> set[date]:
    """Every local day on which something a report counts happened in AIDA."""
    return local_days([(Message, "created_at"), (Message, "handed_off_at"), (AnswerReview, "created_at")], zone)
