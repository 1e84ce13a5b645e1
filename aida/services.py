"""AIDA's write paths: the knowledge base, asking a question, feedback and the review loop."""

import asyncio
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from aida import embeddings, gemini, retrieval
from aida.figure_answers import figure_text, source_lines
from aida.guard import NumberGuard
from aida.models import AnswerReview, Conversation, EntryStatus, KnowledgeEntry, Message, Origin, Verdict
from billing_quota import services as quota
from core.audit import record
from core.errors import Conflict
from core.models import Role, User
from core.tasking import enqueue_after_commit
from core.text import scrub_personal_data, unique_slug
from shared_knowledge.entries import EntryData
from shared_knowledge.models import SEARCH_VECTOR, SharedEntry
from statdata.selectors import Figures, figures_for
from tenants.models import PUBLIC_SCHEMA

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
    if embeddings.enabled():  # a changed text lost its vector (shared_knowledge.vectors): a new one
        from aida.tasks import embed_knowledge  # the tasks module imports this one

        enqueue_after_commit(embed_knowledge)
    if actor is not None:  # an admin's edit; imports and reviews are audited as a whole
        record(actor, "knowledge.save", entry.slug, title=entry.title, status=status)
    return entry


def embed_entries() -> int:
    """Give the knowledge entries of the current schema their vectors, where search by meaning
    is on (aida.embeddings): a satker's own entries, or in public the national and province ones."""
    if not embeddings.enabled():
        return 0
    return embeddings.embed_pending(SharedEntry if connection.schema_name == PUBLIC_SCHEMA else KnowledgeEntry)


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


# Why an answer was given without (or instead of) the model's words: Message.degraded.
NO_MATCH, NO_KEY, QUOTA = "no_match", "no_key", "quota"
ASK_BACK, NOT_HELD, UNSUPPORTED_NUMBER = "ask_back", "not_held", "unsupported_number"


@dataclass
class Prepared:
    conversation: Conversation
    question: Message
    hits: list
    language: str
    figures: Figures
    guard: NumberGuard
    contents: list = field(default_factory=list)
    reservation: object = None
    degraded: str = ""

    @cached_property
    def card(self) -> dict | None:
        """The figure card shown above the answer: never from the model."""
        if self.figures.status == "none":
            return None
        with translation.override(self.language):
            return self.figures.as_dict()


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
    return prompt + settings.HALOPST_GEMINI_MAX_OUTPUT_TOKENS + settings.HALOPST_GEMINI_THINKING_ALLOWANCE


def _passages(hits: list) -> str:
    return "\n\n".join(
        f"[{number}] {hit.entry.title}\n{hit.entry.body}\nSumber: {hit.entry.source_url or '-'}"
        for number, hit in enumerate(hits, start=1)
    )


def _prompt(question: str, data: str, passages: str, history: list[Message]) -> list:
    contents = [
        {"role": "user" if item.role == Message.Role.USER else "model", "parts": [{"text": item.text}]}
        for item in history
    ]
    sources = (f"Data angka (sebagaimana dipublikasikan):\n{data}\n\n" if data else "") + (
        f"Kutipan basis pengetahuan:\n\n{passages}\n\n" if passages else ""
    )
    contents.append({"role": "user", "parts": [{"text": f"{sources}Pertanyaan: {question}"}]})
    return contents


def prepare(
    satker, *, question: str, user=None, session_key: str = "", conversation_id: int | None = None, language: str = "id"
) -> Prepared:
    """Store the question, retrieve passages and reserve quota (all before Gemini is called)."""
    with tenant_context(satker):
        # Outside the transaction: searching by meaning waits on Gemini for the question's vector.
        hits = retrieval.search(question, limit=PASSAGES)
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
        with translation.override(language):
            figures = figures_for(question, satker.code)
    data = "\n".join(source_lines(figures)) if figures.status == "found" else ""
    passages = _passages(hits)
    # The only numbers an answer may contain: the question's, the figures' and the passages'.
    guard = NumberGuard(question, data, passages)
    prepared = Prepared(
        conversation=conversation, question=message, hits=hits, language=language, figures=figures, guard=guard
    )
    if figures.status == "ambiguous":
        prepared.degraded = ASK_BACK
    elif figures.status == "not_held":
        prepared.degraded = NOT_HELD
    elif not hits and figures.status == "none":
        prepared.degraded = NO_MATCH
    elif not settings.HALOPST_GEMINI_API_KEY:
        prepared.degraded = NO_KEY
    else:
        prepared.contents = _prompt(question, data, passages, history)
        prepared.reservation = quota.reserve(satker, call_token_bound(prepared.contents, satker.title))
        if prepared.reservation is None:
            prepared.degraded = QUOTA
    return prepared


def _excerpt(body: str, length: int = 280) -> str:
    """The start of a passage, cut between words: a cut inside "2020" would show "20"."""
    if len(body) <= length:
        return body
    return body[:length].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def degraded_text(reason: str, prepared: Prepared) -> str:
    """The answer AIDA gives without the model's words, in words a consumer understands: why,
    then the figures (they never needed the model), then a pointer to the knowledge found
    (shown as cards from the answer's sources) and the officer."""
    language, hits, figures = prepared.language, prepared.hits, prepared.figures
    with translation.override(language):
        with_figures = figures.status != "none"
        straight = (
            _(
                "so the figures below are shown exactly as published and the rest comes straight from this office's knowledge base."
            )
            if with_figures
            else _("so this answer comes straight from this office's knowledge base.")
        )
        leads = {
            NO_MATCH: _("I could not find this in this office's knowledge base, so I will not guess."),
            NO_KEY: _("AIDA is answering without its AI helper at the moment,") + " " + straight,
            QUOTA: _("This office's AI answers for this month are used up,") + " " + straight,
            UNSUPPORTED_NUMBER: ""
            if with_figures
            else _("I could not check every number of my answer against a source, so I will not show it."),
            ASK_BACK: "",
            NOT_HELD: "",
        }
        unavailable = _("AIDA's AI helper is not responding at the moment,") + " " + straight
        parts = [leads.get(reason, unavailable)]
        if with_figures:
            parts.append(figure_text(figures, language))
        if hits and reason not in (ASK_BACK, NOT_HELD):
            found = _("Here is what the knowledge base has on it.")
            if language == "en" and any(hit.entry.language != "en" for hit in hits):
                found += " " + _("These entries are written in Indonesian only.")
            parts.append(found)
        parts.append(_("An officer can help you further."))
        return "\n\n".join(part for part in parts if part)


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
            error=error[:4000],
            figures=prepared.card or {},
            sources=[
                {
                    "id": hit.entry.pk,
                    "slug": hit.entry.slug,
                    "title": hit.entry.title,
                    "url": hit.entry.source_url,
                    "excerpt": _excerpt(hit.entry.body),
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
    from realtime.services import notify

    for admin in User.objects.filter(role=Role.SATKER_ADMIN, is_active=True):
        notify(admin, "quota_alert", {"percent": percent}, link="/pengaturan/aida/")
    enqueue_after_commit(email_province_admins, satker.pk, percent)


async def answer_events(satker, prepared: Prepared):
    """The answer as events: {"type": "figures", …} (the card, when the question asks for
    figures), {"type": "token", "text"} …, then {"type": "done", …}. Tokens pass the number
    guard before they are sent; if the model writes a number no source gave, the stream stops
    and {"type": "replace", "text"} puts the figures' own text in its place."""
    from asgiref.sync import sync_to_async

    started = time.monotonic()
    text, shown, result, degraded, error = "", 0, None, prepared.degraded, ""
    if prepared.card:
        yield {"type": "figures", **prepared.card}
    if not degraded:
        invented: list[str] = []
        try:
            async for item in gemini.stream(prepared.contents, satker.title):
                if isinstance(item, gemini.StreamResult):
                    result = item
                    continue
                text += item
                if invented:
                    continue  # read to the end for the usage the quota is charged, show nothing
                settled = prepared.guard.settled(text)
                invented = prepared.guard.unsupported(text[:settled])
                if not invented and settled > shown:
                    yield {"type": "token", "text": text[shown:settled]}
                    shown = settled
            invented = invented or prepared.guard.unsupported(text)
            if not invented and shown < len(text):
                yield {"type": "token", "text": text[shown:]}
                shown = len(text)
        except gemini.GeminiUnavailable as failure:
            degraded, error = failure.reason, str(failure)
            text = text[:shown]
            if text:  # tokens already reached the user: finish the answer honestly
                notice = "\n\n" + _("(The answer was cut off: the AI service stopped responding.)")
                text += notice
                yield {"type": "token", "text": notice}
        if invented:
            degraded = UNSUPPORTED_NUMBER
            error = f"numbers no source gave: {', '.join(invented)}\n\n{text}"
            text = degraded_text(degraded, prepared)
            yield {"type": "replace", "text": text}
    if degraded and not text:
        text = degraded_text(degraded, prepared)
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
        "choices": prepared.figures.choices,
    }


_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def _answer_loop() -> asyncio.AbstractEventLoop:
    """One event loop per process for answers asked from sync code (a worker). Gemini's client
    belongs to a loop and costs ~44 ms to build: a new loop per answer (async_to_sync) paid it,
    and a new connection, every time (bench/conversations.py: 242 ms of CPU per answer, 69 ms
    with this loop)."""
    global _loop
    with _loop_lock:
        if _loop is None or _loop.is_closed():
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="aida-answers", daemon=True).start()
    return _loop


def answer_whole(satker, prepared: Prepared) -> tuple[str, Message]:
    """The answer as one text, for a channel that cannot stream or show a card (WhatsApp): the
    figures in words first when the model's answer stands beside a card (a degraded answer
    already carries them), then the answer, then its knowledge sources by name."""

    async def drain():
        text, done = "", {}
        async for event in answer_events(satker, prepared):
            if event["type"] == "token":
                text += event["text"]
            elif event["type"] == "replace":
                text = event["text"]
            elif event["type"] == "done":
                done = event
        return text, done

    text, done = asyncio.run_coroutine_threadsafe(drain(), _answer_loop()).result()
    parts = [text]
    if prepared.card and not done["degraded"]:
        parts.insert(0, figure_text(prepared.figures, prepared.language))
    if done["sources"]:
        with translation.override(prepared.language):
            parts.append(
                _("Sources: %(titles)s") % {"titles": "; ".join(source["title"] for source in done["sources"])}
            )
    answer = Message.objects.get(pk=done["message"])
    return "\n\n".join(part for part in parts if part), answer


# --- Feedback and review ----------------------------------------------------------------


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
