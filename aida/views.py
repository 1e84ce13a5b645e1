"""AIDA pages: the chat (answers stream as server-sent events), feedback, handoff, the officers'
review queue, the knowledge base editor and the budget page."""

import json
import time
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aida import selectors, services
from aida.forms import EntryForm, ImportForm, QuestionForm, ReviewForm
from aida.models import EntryStatus, KnowledgeEntry
from billing_quota.selectors import usage_of
from booking.selectors import expertise_for
from core.access import require_role
from core.errors import Conflict
from core.metrics import AIDA_FIRST_TOKEN_SECONDS
from core.models import Role
from core.pages import form_status, submit_form
from core.ratelimit import ok_or_429
from shared_knowledge import services as shared_services
from shared_knowledge.entries import EntryData, parse_csv, parse_markdown
from shared_knowledge.selectors import inherited_entries, inherited_entry, proposed_slugs


def chat(request):
    conversation = selectors.latest_conversation(request.user, request.session.session_key)
    return render(
        request,
        "aida/chat.html",
        {"conversation": conversation, "history": conversation.messages.all() if conversation else []},
    )


@require_POST
def ask(request):
    """Answer one question as a stream of server-sent events (token…, done)."""
    arrived = time.monotonic()
    form = QuestionForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    if not request.session.session_key:
        request.session.save()
    refused = ok_or_429(request, "aida_question")
    if refused is not None:
        return refused
    user = request.user if request.user.is_authenticated else None
    prepared = services.prepare(
        request.tenant,
        question=form.cleaned_data["question"],
        user=user,
        session_key=request.session.session_key,
        conversation_id=form.cleaned_data["conversation"],
        language=getattr(request, "LANGUAGE_CODE", "id"),
    )

    async def events():
        waiting_for_first_token = True
        async for event in services.answer_events(request.tenant, prepared):
            if waiting_for_first_token and event["type"] == "token":
                AIDA_FIRST_TOKEN_SECONDS.observe(time.monotonic() - arrived)
                waiting_for_first_token = False
            yield f"event: {event['type']}\ndata: {json.dumps(event)}\n\n"

    response = StreamingHttpResponse(events(), content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass tokens on as they come
    return response


@require_POST
def rate_answer(request, pk):
    answer = selectors.answer_for(request.user, request.session.session_key, pk)
    services.mark_helpful(answer, request.POST.get("helpful") == "yes")
    return HttpResponse(status=204)


@require_POST
def handoff(request, pk):
    """ "Talk to an officer": the booking form opens with the topic and a summary filled in.
    A POST: it records the handoff, which a link or an image on another page must not do."""
    answer = selectors.answer_for(request.user, request.session.session_key, pk)
    services.record_handoff(answer)
    question = answer.conversation.messages.filter(role="user", created_at__lte=answer.created_at).last()
    topic = (question.text if question else answer.text)[:200]
    request.session["booking_draft"] = {
        "topic": topic,
        "data_need": _("Question to AIDA: %(question)s") % {"question": topic},
    }
    # The officers of the expertise the question is about, not the whole list.
    expertise = expertise_for(topic)
    directory = reverse("booking-directory")
    return redirect(f"{directory}?{urlencode({'keahlian': expertise.slug})}" if expertise else directory)


def knowledge_entry(request, slug):
    """An entry AIDA cited: the satker's own, else the one it inherits (province, then nation)."""
    entry = selectors.published_entries().filter(slug=slug).first() or inherited_entry(request.tenant.code[:2], slug)
    if entry is None:
        raise Http404
    return render(request, "aida/entry.html", {"entry": entry})


@login_required
@require_http_methods(["GET", "POST"])
def review_queue(request):
    require_role(request, Role.OFFICER, Role.SATKER_ADMIN)
    answer = None
    if request.method == "POST":
        answer = get_object_or_404(selectors.answers_to_review(), pk=request.POST.get("answer") or 0)
    form = ReviewForm(request.POST or None)
    try:
        done = submit_form(
            request,
            form,
            lambda data: services.review_answer(answer, request.user, **data),
            success=_("Review saved."),
            next_url="aida-review",
        )
    except Conflict as error:
        messages.error(request, str(error))
        return redirect("aida-review")
    page = Paginator(selectors.answers_to_review(), 20).get_page(request.GET.get("halaman"))
    return done or render(
        request,
        "aida/review.html",
        {"page": page, "form": form, "suggestions": selectors.unanswered_suggestions()},
        status=form_status(form),
    )


@login_required
def knowledge_admin(request):
    require_role(request, Role.SATKER_ADMIN)
    query = request.GET.get("q", "").strip()
    entries = (
        [
            hit.entry
            for hit in services.retrieval.search(
                query, limit=50, include_drafts=True, inherited=False, by_meaning=False
            )
        ]
        if query
        else KnowledgeEntry.objects.order_by("status", "title")
    )
    return render(
        request,
        "aida/knowledge_admin.html",
        _knowledge_context(request, entries, query=query, import_form=ImportForm()),
    )


def _knowledge_context(request, entries, **context) -> dict:
    """The admin's list: the satker's own entries, and those it inherits (province and nation),
    each marked when a local entry of the same slug replaces it on this site."""
    own = set(KnowledgeEntry.objects.values_list("slug", flat=True))
    inherited = inherited_entries(request.tenant.code[:2])
    return {
        "entries": entries,
        "inherited": [(entry, entry.slug in own) for entry in inherited],
        "proposed": proposed_slugs(request.tenant.code),
        **context,
    }


@login_required
@require_POST
def knowledge_propose(request, pk):
    """Offer a reviewed answer of this satker to its province's shared knowledge."""
    require_role(request, Role.SATKER_ADMIN)
    entry = get_object_or_404(KnowledgeEntry, pk=pk, status=EntryStatus.PUBLISHED)
    try:
        shared_services.propose(
            request.tenant,
            request.user,
            slug=entry.slug,
            title=entry.title,
            body=entry.body,
            source_url=entry.source_url,
            tags=entry.tags,
        )
    except Conflict as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Proposed to the province: its admin decides whether every satker of the province gets it.")
        )
    return redirect("aida-knowledge")


@login_required
@require_http_methods(["GET", "POST"])
def knowledge_edit(request, pk=None):
    require_role(request, Role.SATKER_ADMIN)
    entry = get_object_or_404(KnowledgeEntry, pk=pk) if pk else None
    # "Change for this satker" on an inherited entry: a local entry of its slug, prefilled.
    replaced = None if entry else inherited_entry(request.tenant.code[:2], request.GET.get("ganti", ""))
    source = entry or replaced
    initial = {name: getattr(source, name, "") for name in EntryForm.base_fields} if source else {"language": "id"}
    if replaced:
        initial["status"] = EntryStatus.PUBLISHED
    form = EntryForm(request.POST or None, initial=initial)

    def save(data):
        status = data.pop("status")
        services.save_entry(
            entry, EntryData(**data, slug=replaced.slug if replaced else ""), status=status, actor=request.user
        )

    done = submit_form(request, form, save, success=_("Saved."), next_url="aida-knowledge")
    return done or render(
        request,
        "aida/knowledge_edit.html",
        {"form": form, "entry": entry, "replaced": replaced},
        status=form_status(form),
    )


@login_required
@require_POST
def knowledge_import(request):
    require_role(request, Role.SATKER_ADMIN)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        name, text = form.cleaned_data["file"]
        entries = parse_csv(text) if name.endswith(".csv") else parse_markdown(text)
        imported, problems = services.import_entries(entries, name=name, actor=request.user)
        messages.success(request, _("%(n)d entries imported as drafts.") % {"n": imported})
        for problem in problems:
            messages.error(request, problem)
        return redirect("aida-knowledge")
    return render(
        request,
        "aida/knowledge_admin.html",
        _knowledge_context(request, KnowledgeEntry.objects.order_by("status", "title"), import_form=form),
        status=400,
    )


@login_required
def budget(request):
    require_role(request, Role.SATKER_ADMIN)
    return render(
        request, "aida/budget.html", {"ledger": usage_of(request.tenant), "activity": selectors.activity_this_month()}
    )
