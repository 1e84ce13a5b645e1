"""AIDA's write paths: the knowledge base, asking a question, feedback and the review loop."""

import re
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from aida import gemini, retrieval
from aida.knowledge import EntryData
from aida.models import AnswerReview, Conversation, EntryStatus, KnowledgeEntry, Message, Origin, Verdict
from billing_quota import services as quota
from core.audit import record
from core.errors import Conflict
from core.models import Role, User
from core.text import scrub_personal_data, unique_slug

SEARCH_VECTOR = (
    SearchVector("title", weight="A", config="indonesian")
    + SearchVector("tags", weight="B", config="indonesian")
    + SearchVector("body", weight="C", config="indonesian")
    + SearchVector("title", "tags", weight="D", config="simple")
)
PASSAGES = 4

# Sent inside the transaction of each question, answer rating, handoff and review (sender=Message,
# optional `at`: when the counted thing happened): for insights' rollups, which sit above AIDA.
assistant_used = Signal()


# --- Knowledge base ---------------------------------------------------------------------


@transaction.atomic
def save_entry(
    entry: KnowledgeEntry | None,
    data: EntryData,
    *,
    origin: str = Origin.CURATED,
    status: str = EntryStatus.PUBLISHED,
    actor=None,
) -> KnowledgeEntry:
    entry = entry or KnowledgeEntry(
        origin=origin, slug=unique_slug(KnowledgeEntry, data.slug or data.title, fallback="entri")
    )
    entry.title, entry.body, entry.source_url = data.title.strip(), data.body.strip(), data.source_url.strip()
    entry.tags, entry.language, entry.status = data.tags.strip(), data.language or "id", status
    entry.full_clean(exclude=["search_vector"])
    entry.save()
    KnowledgeEntry.objects.filter(pk=entry.pk).update(search_vector=SEARCH_VECTOR)
    if actor is not None:  # an admin's edit; imports and reviews are audited as a whole
        record(actor, "knowledge.save", entry.slug, title=entry.title, status=status)
    return entry


def import_entries(entries: list[EntryData], *, name: str = "", actor=None) -> tuple[int, list[str]]:
    """Import good entries as drafts for review; report the bad ones. Each entry is its own
    transaction, so one bad row loses nothing else; the audit entry says what was kept."""
    imported, problems = 0, []
    for number, data in enumerate(entries, start=1):
        if not data.title or not data.body:
            problems.append(_("Entry %(n)d has no title or no text.") % {"n": number})
            continue
        try:
            save_entry(None, data, origin=Origin.IMPORTED, status=EntryStatus.DRAFT)
            imported += 1
        except ValidationError as error:
            problems.append(f"{number} ({data.title[:40]}): {' '.join(error.messages)}")
    record(actor, "knowledge.import", name, imported=imported, rejected=len(problems))
    return imported, problems


# --- Asking ----------------------------------------------------------------------------


@dataclass
class Prepared:
    conversation: Conversation
    question: Message
    hits: list
    language: str
    contents: list = field(default_factory=list)
    reservation: object = None
    degraded: str = ""


def detect_language(question: str, default: str = "id") -> str:
    words = set(re.findall(r"[a-z]+", question.lower()))
    english = len(words & {"what", "how", "the", "is", "are", "of", "where", "when", "which", "does", "data", "rate"})
    indonesian = len(words & {"apa", "berapa", "bagaimana", "yang", "di", "dan", "untuk", "cara", "dari", "tahun"})
    if english > indonesian:
        return "en"
    return "id" if indonesian else default


def call_token_bound(contents: list, satker_title: str) -> int:
    """The most one call can cost: a token is at least one character of the prompt (system
    instruction included), and output and thinking are capped by the request's own settings."""
    prompt = len(gemini.SYSTEM_INSTRUCTION.format(satker=satker_title)) + sum(
        len(part["text"]) for turn in contents for part in turn["parts"]
    )
    return prompt + settings.HALOPST_GEMINI_MAX_OUTPUT_TOKENS + settings.HALOPST_GEMINI_THINKING_BUDGET


def _prompt(question: str, hits: list, history: list[Message]) -> list:
    passages = "\n\n".join(
        f"[{number}] {hit.entry.title}\n{hit.entry.body}\nSumber: {hit.entry.source_url or '-'}"
        for number, hit in enumerate(hits, start=1)
    )
    contents = [
        {"role": "user" if item.role == Message.Role.USER else "model", "parts": [{"text": item.text}]}
        for item in history
    ]
    contents.append(
        {"role": "user", "parts": [{"text": f"Kutipan basis pengetahuan:\n\n{passages}\n\nPertanyaan: {question}"}]}
    )
    return contents


def prepare(
    satker, *, question: str, user=None, session_key: str = "", conversation_id: int | None = None, language: str = "id"
) -> Prepared:
    """Store the question, retrieve passages and reserve quota (all before Gemini is called)."""
    with tenant_context(satker), transaction.atomic():
        conversations = (
            Conversation.objects.filter(user=user)
            if user
            else Conversation.objects.filter(session_key=session_key, user__isnull=True)
        )
        conversation = conversations.filter(pk=conversation_id).first() if conversation_id else None
        conversation = conversation or Conversation.objects.create(user=user, session_key="" if user else session_key)
        history = list(conversation.messages.order_by("-created_at")[:4])[::-1]
        language = detect_language(question, language)
        message = Message.objects.create(
            conversation=conversation, role=Message.Role.USER, text=question, language=language
        )
        hits = retrieval.search(question, limit=PASSAGES)
    prepared = Prepared(conversation=conversation, question=message, hits=hits, language=language)
    if not hits:
        prepared.degraded = "no_match"
    elif not settings.HALOPST_GEMINI_API_KEY:
        prepared.degraded = "no_key"
    else:
        prepared.contents = _prompt(question, hits, history)
        prepared.reservation = quota.reserve(satker, call_token_bound(prepared.contents, satker.title))
        if prepared.reservation is None:
            prepared.degraded = "quota"
    return prepared


def degraded_text(reason: str, hits: list, language: str) -> str:
    from django.utils import translation

    with translation.override(language):
        lead = {
            "no_match": _("I could not find this in this office's knowledge base, so I will not guess."),
            "no_key": _("AIDA is in limited mode: the AI service is not configured."),
            "quota": _("AIDA is in limited mode: this office's AI budget for the month is used up."),
        }.get(reason, _("AIDA is in limited mode: the AI service is not answering right now."))
        handoff = _("An officer can help you further.")
        if hits:
            heading = _("What the knowledge base has:")
            listing = "\n".join(f"- {hit.entry.title}: {hit.entry.body[:280]}…" for hit in hits[:3])
            return f"{lead}\n\n{heading}\n{listing}\n\n{handoff}"
        return f"{lead} {handoff}"


def finish(
    satker,
    prepared: Prepared,
    *,
    text: str,
    result=None,
    degraded: str = "",
    error: str = "",
    latency_ms: int | None = None,
) -> Message:
    """Store the answer and settle (or release) the quota reservation."""
    crossed = None
    if prepared.reservation is not None:
        if result is not None:
            charged = result.total_tokens if result.total_tokens is not None else prepared.reservation.tokens
            crossed = quota.settle(prepared.reservation, charged)
        else:
            quota.release(prepared.reservation)
    with tenant_context(satker), transaction.atomic():
        answer = Message.objects.create(
            conversation=prepared.conversation,
            role=Message.Role.ASSISTANT,
            text=text,
            language=prepared.language,
            model=result.model if result else "",
            prompt_tokens=result.prompt_tokens if result else None,
            output_tokens=result.output_tokens if result else None,
            total_tokens=result.total_tokens if result else None,
            latency_ms=latency_ms,
            finish_reason=result.finish_reason if result else "",
            degraded=degraded,
            error=error[:2000],
            sources=[
                {
                    "id": hit.entry.pk,
                    "slug": hit.entry.slug,
                    "title": hit.entry.title,
                    "url": hit.entry.source_url,
                    "score": round(hit.score, 4),
                }
                for hit in prepared.hits
            ],
        )
        assistant_used.send(sender=Message)
        if crossed:
            _alert_quota(satker, crossed)
    return answer


def _alert_quota(satker, percent: int) -> None:
    from billing_quota.tasks import email_province_admins
    from core.tasking import enqueue_after_commit
    from realtime.services import notify

    for admin in User.objects.filter(role=Role.SATKER_ADMIN, is_active=True):
        notify(admin, "quota_alert", {"percent": percent}, link="/pengaturan/aida/")
    enqueue_after_commit(email_province_admins, satker.pk, percent)


async def answer_events(satker, prepared: Prepared):
    """The answer as events: {"type": "token", "text"} …, then {"type": "done", …}."""
    from asgiref.sync import sync_to_async

    started = time.monotonic()
    text, result, degraded, error = "", None, prepared.degraded, ""
    if not degraded:
        try:
            async for item in gemini.stream(prepared.contents, satker.title):
                if isinstance(item, gemini.StreamResult):
                    result = item
                else:
                    text += item
                    yield {"type": "token", "text": item}
        except gemini.GeminiUnavailable as failure:
            degraded, error = failure.reason, str(failure)
            if text:  # tokens already reached the user: finish the answer honestly
                notice = "\n\n" + _("(The answer was cut off: the AI service stopped responding.)")
                text += notice
                yield {"type": "token", "text": notice}
    if degraded and not text:
        text = degraded_text(degraded, prepared.hits, prepared.language)
        yield {"type": "token", "text": text}
    answer = await sync_to_async(finish)(
        satker,
        prepared,
        text=text,
        result=result,
        degraded=degraded,
        error=error,
        latency_ms=int((time.monotonic() - started) * 1000),
    )
    yield {
        "type": "done",
        "message": answer.pk,
        "conversation": prepared.conversation.pk,
        "degraded": degraded,
        "handoff": f"/aida/ke-petugas/{answer.pk}/",
        "handoff_first": bool(degraded),
        "sources": answer.sources,
    }


# --- Feedback and review ----------------------------------------------------------------


@transaction.atomic
@transaction.atomic
def mark_helpful(answer: Message, helpful: bool) -> None:
    Message.objects.filter(pk=answer.pk, role=Message.Role.ASSISTANT).update(helpful=helpful)
    assistant_used.send(sender=Message, at=answer.created_at)


@transaction.atomic
def record_handoff(answer: Message) -> None:
    """The asker chose "talk to an officer" after this answer (counted once)."""
    if Message.objects.filter(pk=answer.pk, handed_off_at__isnull=True).update(handed_off_at=timezone.now()):
        assistant_used.send(sender=Message)


@transaction.atomic
def review_answer(answer: Message, reviewer: User, *, verdict: str, corrected_text: str = "") -> AnswerReview:
    """An officer's verdict on an answer; a corrected answer becomes a knowledge entry, scrubbed
    of personal data first."""
    if reviewer.role not in (Role.OFFICER, Role.SATKER_ADMIN):
        raise ValidationError(_("Only officers review answers."))
    if AnswerReview.objects.filter(answer=answer).exists():
        raise Conflict(_("This answer has already been reviewed."))
    review = AnswerReview(
        answer=answer, reviewer=reviewer, verdict=Verdict(verdict), corrected_text=corrected_text.strip()
    )
    if review.corrected_text:
        question = answer.conversation.messages.filter(role=Message.Role.USER, created_at__lte=answer.created_at).last()
        title = scrub_personal_data(question.text if question else review.corrected_text)[:190]
        review.knowledge_entry = save_entry(
            None,
            EntryData(title=title, body=scrub_personal_data(review.corrected_text), tags="jawaban ditinjau"),
            origin=Origin.REVIEWED,
        )
    review.save()
    assistant_used.send(sender=Message)
    return review


# --- Personal data ------------------------------------------------------------------------


def forget_conversations(conversations) -> int:
    """Scrub personal data from the conversations' messages and unlink them from people."""
    for message in Message.objects.filter(conversation__in=conversations):
        scrubbed = scrub_personal_data(message.text)
        if scrubbed != message.text:
            message.text = scrubbed
            message.save(update_fields=["text"])
    return conversations.update(user=None, session_key="")


@transaction.atomic
def anonymise_old_conversations(days: int) -> int:
    """AIDA conversations older than `days` lose their link to people and their personal data."""
    cutoff = timezone.now() - timedelta(days=days)
    return forget_conversations(
        Conversation.objects.filter(created_at__lt=cutoff).exclude(user__isnull=True, session_key="")
    )
