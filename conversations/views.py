"""Conversation pages. Thin: reads through selectors, every change through services."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from booking import selectors as booking_selectors
from booking.models import ExpertiseTag
from conversations import selectors, services
from conversations.forms import (
    AskForm,
    CannedReplyForm,
    ConversationSettingsForm,
    NoteForm,
    RatingForm,
    ReplyForm,
    TemplateForm,
    TransferForm,
    WhatsAppNumberForm,
)
from conversations.models import (
    TEMPLATE_PARAMETERS,
    CannedReply,
    Channel,
    ConversationSettings,
    Kind,
    State,
    TemplatePurpose,
    WhatsAppTemplate,
)
from core.access import require_role
from core.errors import Conflict
from core.models import Role
from core.pages import add_service_errors, form_status, run_action, submit_form
from core.ratelimit import limit
from core.text import normalise_whatsapp_number
from tenants.selectors import whatsapp_number_of
from tenants.services import connect_whatsapp, disconnect_whatsapp


@login_required
@require_http_methods(["GET", "POST"])
@limit("conversation_start")
def ask(request):
    """Ask an officer in writing, without choosing a time: from the directory, a topic nobody
    is free for, or AIDA's "talk to an officer" (its question comes along as the draft)."""
    require_role(request, Role.CONSUMER)
    draft = request.session.get("booking_draft", {})
    tag = ExpertiseTag.objects.filter(slug=request.GET.get("keahlian") or "", is_active=True).first()
    form = AskForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "expertise": tag,
            "subject": (request.GET.get("topik") or draft.get("topic", ""))[:200],
            "body": draft.get("data_need", "")[:4000],
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.start_conversation(consumer=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            request.session.pop("booking_draft", None)
            messages.success(request, _("Your question has been sent. You will be notified when an officer answers."))
            return redirect("conversation", pk=conversation.pk)
    return render(request, "conversations/ask.html", {"form": form}, status=form_status(form))


@login_required
def conversation_list(request):
    user = request.user
    if user.role == Role.CONSUMER:
        context = {"conversations": selectors.mine(user), "whatsapp": whatsapp_number_of(request.tenant)}
        if context["whatsapp"] is not None:
            context["linked"] = selectors.linked_whatsapp(user)
            context["link_code"] = None if context["linked"] else selectors.link_code_of(user)
            number = normalise_whatsapp_number(context["whatsapp"].display_number)
            if context["link_code"] and number:  # a mobile number: WhatsApp opens with the message typed
                context["whatsapp_link"] = f"https://wa.me/{number}?text=HUBUNGKAN%20{context['link_code'].code}"
        return render(request, "conversations/mine.html", context)
    require_role(request, Role.OFFICER, Role.SATKER_ADMIN)
    standard = timedelta(minutes=selectors.reply_standard_minutes())
    now = timezone.now()
    conversations = list(selectors.inbox(user))
    for conversation in conversations:
        conversation.overdue = conversation.first_response_at is None and now - conversation.created_at > standard
    return render(
        request,
        "conversations/inbox.html",
        {"conversations": conversations, "standard_minutes": int(standard.total_seconds() // 60)},
    )


def _page(request, conversation, status=200, **forms):
    user = request.user
    officer_side = user.role in (Role.OFFICER, Role.SATKER_ADMIN)
    context = {
        "conversation": conversation,
        "thread": selectors.thread(conversation, user),
        "officer_side": officer_side,
        "reply_form": forms.get("reply") or ReplyForm(auto_id="id_reply_%s"),
        "reply_window_open": services.within_reply_window(conversation),
    }
    if officer_side:
        context["canned_replies"] = CannedReply.objects.all()
    elif conversation.state == State.WAITING:
        context["opening"] = services.opening_text(conversation.expertise)
    if conversation.state == State.CLOSED and user.pk == conversation.consumer_id:
        context["rating_token"] = None if hasattr(conversation, "rating") else services.rating_token(conversation)
    if officer_side:
        if conversation.channel == Channel.WHATSAPP and not context["reply_window_open"]:
            context["follow_up_template"] = WhatsAppTemplate.objects.filter(purpose=TemplatePurpose.FOLLOW_UP).first()
        context["note_form"] = forms.get("note") or NoteForm(auto_id="id_note_%s")
        context["transfer_form"] = forms.get("transfer") or TransferForm(
            auto_id="id_transfer_%s", officers=selectors.transfer_targets(conversation)
        )
        context["events"] = conversation.events.select_related("actor", "assignee__user")
    return render(request, "conversations/thread.html", context, status=status)


@login_required
@require_POST
def consultation_thread(request, pk):
    """ "Write to the officer" / "write to the consumer" on a consultation's page."""
    consultation = booking_selectors.consultation_for(request.user, pk)
    return redirect("conversation", pk=services.consultation_thread(consultation, request.user).pk)


@login_required
def conversation(request, pk):
    return _page(request, selectors.conversation_for(request.user, pk))


ACTIONS = {
    "balas": (ReplyForm, lambda pk, user, data: services.write(pk, user, **data)),
    "catatan": (NoteForm, lambda pk, user, data: services.add_note(pk, user, **data)),
    "ambil": (None, lambda pk, user, data: services.take(pk, user)),
    "alihkan": (TransferForm, lambda pk, user, data: services.transfer(pk, user, **data)),
    "tutup": (None, lambda pk, user, data: services.close(pk, user)),
    "susulan": (None, lambda pk, user, data: services.send_follow_up(pk, user)),
}
FORM_KEYS = {"balas": "reply", "catatan": "note", "alihkan": "transfer"}


@login_required
@require_POST
@limit("conversation_message")
def conversation_action(request, pk, action):
    conversation = selectors.conversation_for(request.user, pk)
    if action not in ACTIONS:
        raise Http404
    form_class, call = ACTIONS[action]
    form = None
    if form_class is TransferForm:
        form = TransferForm(request.POST, auto_id="id_transfer_%s", officers=selectors.transfer_targets(conversation))
    elif form_class is not None:
        form = form_class(request.POST, request.FILES, auto_id=f"id_{FORM_KEYS[action]}_%s")
    status = run_action(request, form, lambda data: call(conversation.pk, request.user, data))
    if status is None:
        return redirect("conversation", pk=conversation.pk)
    conversation = selectors.conversation_for(request.user, pk)
    forms = {FORM_KEYS[action]: form} if form is not None else {}
    return _page(request, conversation, status=status, **forms)


@login_required
def attachment(request, pk, message_id):
    """A file of the thread, for those who may read the thread (and its notes' side)."""
    conversation = selectors.conversation_for(request.user, pk)
    message = conversation.messages.filter(pk=message_id).exclude(attachment="").first()
    if message is None or (message.kind == Kind.NOTE and request.user.pk == conversation.consumer_id):
        raise Http404
    response = FileResponse(
        message.attachment.open("rb"),
        as_attachment=True,
        filename=message.attachment_name,
        content_type=services.attachment_type(message.attachment_name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def conversation_settings(request):
    """The satker admin's rules for conversations, and the satker's own WhatsApp number."""
    require_role(request, Role.SATKER_ADMIN)
    satker = request.tenant
    posted = request.POST.get("form") if request.method == "POST" else None
    rules = ConversationSettings.current()
    rules_form = ConversationSettingsForm(request.POST if posted == "rules" else None, instance=rules)
    number_form = WhatsAppNumberForm(request.POST if posted == "whatsapp" else None)
    template_forms = {
        purpose: TemplateForm(
            request.POST if posted == purpose else None,
            instance=WhatsAppTemplate.objects.filter(purpose=purpose).first(),
            prefix=purpose,
        )
        for purpose in TemplatePurpose.values
    }
    canned_form = CannedReplyForm(request.POST if posted == "canned" else None, prefix="canned")
    if posted == "disconnect":
        disconnect_whatsapp(satker, actor=request.user)
        messages.success(request, _("The WhatsApp number is disconnected."))
        return redirect("conversation-settings")
    if posted == "canned-delete":
        services.delete_canned_reply(actor=request.user, pk=int(request.POST.get("pk") or 0))
        messages.success(request, _("Deleted."))
        return redirect(reverse("conversation-settings") + "#canned")
    done = submit_form(
        request,
        rules_form,
        lambda data: services.save_settings(actor=request.user, **data),
        success=_("Saved."),
        next_url="conversation-settings",
    ) or submit_form(
        request,
        number_form,
        lambda data: connect_whatsapp(satker, actor=request.user, **data),
        success=_("The WhatsApp number is connected."),
        next_url="conversation-settings",
    )
    done = done or submit_form(
        request,
        canned_form,
        lambda data: services.save_canned_reply(actor=request.user, **data),
        success=_("Saved."),
        next_url=reverse("conversation-settings") + "#canned",
    )
    for purpose, form in template_forms.items():
        done = done or submit_form(
            request,
            form,
            lambda data, purpose=purpose: services.save_template(actor=request.user, purpose=purpose, **data),
            success=_("Saved."),
            next_url="conversation-settings",
        )
    return done or render(
        request,
        "conversations/settings.html",
        {
            "rules_form": rules_form,
            "number_form": number_form,
            "number": whatsapp_number_of(satker),
            "canned_form": canned_form,
            "canned_replies": CannedReply.objects.all(),
            "templates": [
                (TemplatePurpose(purpose).label, TEMPLATE_PARAMETERS[purpose], form)
                for purpose, form in template_forms.items()
            ],
        },
        status=form_status(rules_form, number_form, canned_form, *template_forms.values()),
    )


@require_http_methods(["GET", "POST"])
@limit("conversation_message")
def rate(request, token):
    """Rate a closed conversation from the link sent on closing; no sign-in (WhatsApp)."""
    conversation = services.conversation_of_rating_token(token)
    if conversation is None:
        return render(request, "conversations/rate.html", {"expired": True}, status=404)
    form = RatingForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.rate(conversation, **form.cleaned_data)
        except Conflict as error:
            messages.error(request, str(error))
            status = 409
        else:
            return render(request, "conversations/rate.html", {"conversation": conversation, "thanks": True})
    already = hasattr(conversation, "rating") and status == 200
    return render(
        request,
        "conversations/rate.html",
        {"conversation": conversation, "form": None if already else form, "already": already},
        status=400 if form.errors else status,
    )


@login_required
@require_POST
@limit("conversation_start")
def whatsapp_link(request, action):
    """ "Link my WhatsApp" (a new code to send from it) and "unlink" on "My questions"."""
    require_role(request, Role.CONSUMER)
    if action == "kode":
        services.new_link_code(request.user)
    elif action == "putuskan":
        services.unlink_whatsapp(request.user)
        messages.success(request, _("Your WhatsApp is no longer linked to this account."))
    else:
        raise Http404
    return redirect(reverse("conversations") + "#whatsapp")
