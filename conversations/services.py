"""Every write to conversations: one transaction each, the event (audit) written inside it,
notifications through the outbox in the same transaction, open pages told after commit.

Routing takes row locks on the candidate officers (in id order, so two routings never wait on
each other in a circle): two questions asked at the same moment cannot both see an officer
below the cap and both go to them.
"""

import mimetypes
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max, Q
from django.dispatch import Signal
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from booking.availability import next_opening, on_duty
from booking.models import ExpertiseTag, OfficerProfile
from conversations.models import (
    LINK_CODE_MINUTES,
    Action,
    CannedReply,
    Channel,
    Contact,
    Conversation,
    ConversationEvent,
    ConversationRating,
    ConversationSettings,
    Delivery,
    Kind,
    LinkCode,
    Message,
    State,
    TemplatePurpose,
    WhatsAppTemplate,
)
from core.audit import record
from core.errors import Conflict
from core.models import Role, User
from core.tasking import enqueue_after_commit
from core.tenancy import current_satker
from realtime.services import notify, push_to_user
from tenants.models import site_url

# Sent inside the transaction of every state change and first reply, for reports (insights sits
# above this app and listens; this app does not import it).
conversation_changed = Signal()

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
WHATSAPP_REPLY_WINDOW = timedelta(hours=24)
# What a data answer comes as: tables, documents and pictures of them. Files are always
# downloaded, never shown inline, so a file cannot run as a page of this host.
ATTACHMENT_EXTENSIONS = {
    ".pdf",
    ".csv",
    ".xlsx",
    ".xls",
    ".docx",
    ".doc",
    ".odt",
    ".ods",
    ".png",
    ".jpg",
    ".jpeg",
    ".txt",
}


def check_attachment(upload) -> None:
    """Refuse a file that is too big or of a kind a data answer never is, in the user's words."""
    if upload is None:
        return
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"attachment": _("The file may be at most 5 MB.")})
    extension = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in ATTACHMENT_EXTENSIONS:
        raise ValidationError(
            {"attachment": _("Send a table, a document or a picture (PDF, Excel, CSV, Word, PNG or JPG).")}
        )


def attachment_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _is_officer_side(user: User) -> bool:
    return user.role in (Role.OFFICER, Role.SATKER_ADMIN)


def record_event(conversation: Conversation, action: str, actor: User | None, from_state: str) -> ConversationEvent:
    event = ConversationEvent.objects.create(
        conversation=conversation,
        action=action,
        actor=actor,
        from_state=from_state,
        to_state=conversation.state,
        assignee=conversation.assignee,
    )
    conversation_changed.send(sender=Conversation, conversation=conversation)
    return event


def _link(conversation: Conversation) -> str:
    # The satker's URLs, also from a worker or a webhook on the portal host.
    return reverse("conversation", args=[conversation.pk], urlconf=settings.ROOT_URLCONF)


def _context(conversation: Conversation, author: User | None = None) -> dict:
    return {
        "subject": conversation.subject,
        "consumer": conversation.person_name,
        "officer": author.full_name if author is not None else "",
    }


def tell_open_pages(conversation: Conversation, *, consumer: bool = True) -> None:
    """After commit, every open page of this thread (consumer, assignee) fetches itself again.
    Not the consumer's for what only officers see: even "something changed" would tell of a note."""
    payload = {"type": "changed", "link": _link(conversation)}
    if consumer and conversation.consumer_id:
        push_to_user(conversation.consumer, payload)
    if consumer and conversation.contact_id and conversation.contact.consumer_id:
        push_to_user(conversation.contact.consumer, payload)
    if conversation.assignee_id:
        push_to_user(conversation.assignee.user, payload)


def within_reply_window(conversation: Conversation, now: datetime | None = None) -> bool:
    """WhatsApp takes free-form replies only within 24 hours of the person's last message."""
    return (now or timezone.now()) - conversation.last_consumer_message_at < WHATSAPP_REPLY_WINDOW


def queue_whatsapp(message: Message) -> None:
    """Queue an outgoing message for the person's WhatsApp; it leaves after commit."""
    from conversations.tasks import send_bot_message, send_on_whatsapp

    message.delivery = Delivery.QUEUED
    message.save(update_fields=["delivery"])
    enqueue_after_commit(send_bot_message if message.from_bot else send_on_whatsapp, message.pk)


def _add_message(conversation, kind, author, body, attachment) -> Message:
    message = Message(conversation=conversation, kind=kind, author=author, body=body.strip())
    if attachment is not None:
        check_attachment(attachment)
        message.attachment_name = attachment.name[-150:]
        message.attachment_bytes = attachment.size
        message.attachment = attachment
    if not message.body and not message.attachment:
        raise ValidationError({"body": _("Write a message or attach a file.")})
    message.save()
    return message


# --- Routing ----------------------------------------------------------------------------

NEVER = datetime.min.replace(tzinfo=UTC)


def candidates(expertise: ExpertiseTag | None):
    """The officers who may answer a question of `expertise`: those who cover it, else anyone."""
    officers = OfficerProfile.objects.filter(is_active=True, user__is_active=True)
    if expertise is not None and officers.filter(expertise=expertise).exists():
        return officers.filter(expertise=expertise)
    # Nobody covers the topic (or none was named): every officer may answer it.
    return officers


def route(conversation: Conversation, actor: User | None, *, exclude: OfficerProfile | None = None) -> None:
    """Give a waiting conversation to the officer of its topic on duty now (hours, leave,
    closed days and national holidays in the satker's zone) with the fewest open conversations
    below the satker's cap, the one assigned longest ago among equals (round robin). With
    nobody on duty or everyone at the cap it stays waiting: any officer may take it, and
    `route_waiting` gives it out when someone comes on duty."""
    officers = candidates(conversation.expertise)
    if exclude is not None:
        officers = officers.exclude(pk=exclude.pk)
    locked = list(officers.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
    duty = on_duty(locked, zone=satker_zone(), now=timezone.now())
    locked = [pk for pk in locked if pk in duty]
    assigned = Conversation.objects.filter(assignee_id__in=locked).order_by().values("assignee_id")
    open_counts = dict(assigned.filter(state=State.ASSIGNED).annotate(n=Count("id")).values_list("assignee_id", "n"))
    last_assigned = dict(assigned.annotate(latest=Max("assigned_at")).values_list("assignee_id", "latest"))
    cap = ConversationSettings.current().open_per_officer
    below_cap = [
        (open_counts.get(pk, 0), last_assigned.get(pk) or NEVER, pk) for pk in locked if open_counts.get(pk, 0) < cap
    ]
    if below_cap:
        officer = OfficerProfile.objects.select_related("user").get(pk=min(below_cap)[2])
        _assign(conversation, officer, Action.ASSIGN, actor)


def route_waiting() -> int:
    """Give out conversations left waiting (asked out of hours, or with everyone at the cap),
    oldest first, each in its own transaction and checked again under its lock. Beat runs it
    every few minutes, so a question asked at night reaches the first officer on duty."""
    assigned = 0
    for pk in Conversation.objects.filter(state=State.WAITING).order_by("created_at").values_list("pk", flat=True):
        with transaction.atomic():
            conversation = _lock(pk)
            if conversation.state != State.WAITING:
                continue
            route(conversation, None)
            if conversation.state == State.ASSIGNED:
                tell_open_pages(conversation)
                assigned += 1
    return assigned


def satker_zone() -> ZoneInfo:
    """The satker's own time zone, in which hours, holidays and opening times are read."""
    return ZoneInfo(current_satker().timezone)


def opening_text(expertise: ExpertiseTag | None) -> str:
    """What a person who waits for an officer is told: soon, or when the officers of the topic
    are next on duty, in the satker's zone."""
    now = timezone.now()
    opens = next_opening(list(candidates(expertise)), zone=satker_zone(), now=now)
    if opens is None:
        return _("An officer will reply here as soon as possible.")
    if opens <= now:
        return _("An officer will reply here shortly.")
    local = opens.astimezone(satker_zone())
    when = f"{formats.date_format(local, 'l, j F')} {local:%H:%M} {current_satker().timezone_label}"
    return _("Our officers are not on duty now; one will reply here from %(when)s.") % {"when": when}


def _assign(conversation: Conversation, officer: OfficerProfile, action: str, actor: User | None) -> None:
    from_state = conversation.state
    conversation.state = State.ASSIGNED
    conversation.assignee = officer
    conversation.assigned_at = timezone.now()
    conversation.save(update_fields=["state", "assignee", "assigned_at", "updated_at"])
    record_event(conversation, action, actor, from_state)
    if actor is None or actor.pk != officer.user_id:
        notify(officer.user, "conversation_assigned", _context(conversation), link=_link(conversation))


def tell_assignee_of_message(conversation: Conversation) -> None:
    """The officer holding the conversation hears of the person's new message: once per
    stretch of messages between two answers, not once per message."""
    if conversation.state != State.ASSIGNED:
        return
    answered = conversation.messages.filter(kind=Kind.FROM_OFFICER).order_by("-id").values_list("id", flat=True)
    notify(
        conversation.assignee.user,
        "conversation_message",
        _context(conversation),
        link=_link(conversation),
        dedupe_key=f"conversation-{conversation.pk}-after-{answered.first() or 0}",
    )


# --- What people do -----------------------------------------------------------------------


def _lock(conversation_id: int) -> Conversation:
    return (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("consumer", "contact", "assignee__user")
        .get(pk=conversation_id)
    )


def _check_officer_may_act(conversation: Conversation, user: User) -> None:
    """An officer acts on a waiting conversation or one they hold; a satker admin on any."""
    if user.role == Role.SATKER_ADMIN:
        return
    if user.role != Role.OFFICER:
        raise PermissionDenied(_("Only the satker's officers can do this."))
    if conversation.state == State.ASSIGNED and conversation.assignee.user_id != user.pk:
        raise Conflict(
            _("%(officer)s is handling this conversation. Ask them, or an admin, to transfer it to you.")
            % {"officer": conversation.assignee.user.full_name}
        )


@transaction.atomic
def start_conversation(
    *, consumer: User, subject: str, body: str, expertise: ExpertiseTag | None = None, attachment=None
) -> Conversation:
    """A consumer asks in writing, without a time; the question goes to an officer of its topic."""
    if consumer.role != Role.CONSUMER:
        raise PermissionDenied(_("Only consumers can start a conversation."))
    subject = subject.strip()
    if not subject:
        raise ValidationError({"subject": _("Say in a few words what you need.")})
    now = timezone.now()
    conversation = Conversation.objects.create(
        consumer=consumer,
        subject=subject[:200],
        expertise=expertise,
        last_message_at=now,
        last_consumer_message_at=now,
    )
    _add_message(conversation, Kind.FROM_CONSUMER, consumer, body, attachment)
    record_event(conversation, Action.START, consumer, "")
    route(conversation, None)
    tell_open_pages(conversation)
    return conversation


@transaction.atomic
def consultation_thread(consultation, user: User) -> Conversation:
    """The thread of a booked consultation, made when its consumer or officer first opens it:
    held by the consultation's officer from the start (nothing to route)."""
    if user.pk != consultation.consumer_id and user.role not in (Role.OFFICER, Role.SATKER_ADMIN):
        raise PermissionDenied(_("You may not write in this conversation."))
    existing = Conversation.objects.filter(consultation=consultation).first()
    if existing is not None:
        return existing
    now = timezone.now()
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                consumer=consultation.consumer,
                consultation=consultation,
                subject=consultation.topic,
                expertise=consultation.expertise,
                state=State.ASSIGNED,
                assignee=consultation.officer,
                assigned_at=now,
                last_message_at=now,
                last_consumer_message_at=now,
            )
    except IntegrityError:  # opened by the other side a moment ago
        return Conversation.objects.get(consultation=consultation)
    record_event(conversation, Action.START, user, "")
    return conversation


@transaction.atomic
def write(conversation_id: int, author: User, *, body: str = "", attachment=None) -> Message:
    """A message in the thread, from its consumer or from the officer side.

    An officer who answers a waiting conversation takes it. A consumer who writes into a closed
    one opens it again; it goes back to the queue."""
    conversation = _lock(conversation_id)
    now = timezone.now()
    if author.pk == conversation.consumer_id:
        message = _add_message(conversation, Kind.FROM_CONSUMER, author, body, attachment)
        conversation.last_consumer_message_at = now
        if conversation.state == State.CLOSED:
            conversation.state, conversation.assignee, conversation.closed_at = State.WAITING, None, None
            conversation.save(update_fields=["state", "assignee", "closed_at", "updated_at"])
            record_event(conversation, Action.REOPEN, author, State.CLOSED)
            route(conversation, None)
        else:
            tell_assignee_of_message(conversation)
    else:
        if not _is_officer_side(author):
            raise PermissionDenied(_("You may not write in this conversation."))
        if conversation.state == State.CLOSED:
            raise Conflict(_("This conversation is closed. The consumer can open it again by writing."))
        _check_officer_may_act(conversation, author)
        if conversation.channel == Channel.WHATSAPP and not within_reply_window(conversation, now):
            raise Conflict(
                _(
                    "More than 24 hours have passed since this person last wrote, so WhatsApp accepts no "
                    "free-form reply. They can write again, or be contacted another way."
                )
            )
        message = _add_message(conversation, Kind.FROM_OFFICER, author, body, attachment)
        if conversation.state in (State.WAITING, State.BOT):
            _take(conversation, author)
        if conversation.first_response_at is None:
            conversation.first_response_at = now
            conversation_changed.send(sender=Conversation, conversation=conversation)
        if conversation.channel == Channel.WHATSAPP:
            queue_whatsapp(message)
        else:
            notify(
                conversation.consumer, "conversation_reply", _context(conversation, author), link=_link(conversation)
            )
    conversation.last_message_at = now
    conversation.save(update_fields=["last_message_at", "last_consumer_message_at", "first_response_at", "updated_at"])
    tell_open_pages(conversation)
    return message


@transaction.atomic
def add_note(conversation_id: int, officer_user: User, *, body: str) -> Message:
    """An internal note: officers and admins read it, the consumer never does."""
    conversation = _lock(conversation_id)
    if not _is_officer_side(officer_user):
        raise PermissionDenied(_("Only the satker's officers can write notes."))
    message = _add_message(conversation, Kind.NOTE, officer_user, body, None)
    tell_open_pages(conversation, consumer=False)
    return message


def _take(conversation: Conversation, user: User) -> None:
    officer = OfficerProfile.objects.filter(user=user).select_related("user").first()
    if officer is None:  # a satker admin without an officer profile answers as the satker
        return
    _assign(conversation, officer, Action.TAKE, user)


@transaction.atomic
def take(conversation_id: int, officer_user: User) -> Conversation:
    """An officer takes a waiting conversation; if a colleague took it a moment earlier, 409."""
    conversation = _lock(conversation_id)
    if officer_user.role != Role.OFFICER:
        raise PermissionDenied(_("Only officers take conversations."))
    if conversation.state != State.WAITING:
        raise Conflict(_("This conversation is no longer waiting. Reload the page to see who has it."))
    _take(conversation, officer_user)
    tell_open_pages(conversation)
    return conversation


@transaction.atomic
def transfer(conversation_id: int, actor: User, *, officer: OfficerProfile) -> Conversation:
    """The holder (or an admin) hands an open conversation to another active officer."""
    conversation = _lock(conversation_id)
    if not conversation.is_open:
        raise Conflict(_("This conversation is closed."))
    _check_officer_may_act(conversation, actor)
    if not officer.is_active or not officer.user.is_active:
        raise ValidationError({"officer": _("This officer is not taking conversations.")})
    if conversation.assignee_id == officer.pk:
        raise ValidationError({"officer": _("This officer already holds the conversation.")})
    _assign(conversation, officer, Action.TRANSFER, actor)
    tell_open_pages(conversation)
    return conversation


@transaction.atomic
def close(conversation_id: int, actor: User) -> Conversation:
    """Either side closes the thread; the consumer can open it again by writing."""
    conversation = _lock(conversation_id)
    if actor.pk != conversation.consumer_id:
        _check_officer_may_act(conversation, actor)
    if conversation.state == State.CLOSED:
        raise Conflict(_("This conversation is already closed."))
    from_state = conversation.state
    conversation.state, conversation.closed_at = State.CLOSED, timezone.now()
    conversation.save(update_fields=["state", "closed_at", "updated_at"])
    record_event(conversation, Action.CLOSE, actor, from_state)
    if actor.pk != conversation.consumer_id and not hasattr(conversation, "rating"):
        _ask_for_rating(conversation)
    tell_open_pages(conversation)
    return conversation


# --- Templates and ratings ------------------------------------------------------------------

RATING_SALT = "conversation-rating"
RATING_LINK_DAYS = 30


def rating_token(conversation: Conversation) -> str:
    """A link's key to rate one conversation of this satker, for 30 days, with no sign-in:
    a person on WhatsApp has no account. It names the schema, so it opens nothing elsewhere."""
    return signing.dumps({"schema": connection.schema_name, "conversation": conversation.pk}, salt=RATING_SALT)


def conversation_of_rating_token(token: str) -> Conversation | None:
    try:
        value = signing.loads(token, salt=RATING_SALT, max_age=timedelta(days=RATING_LINK_DAYS))
    except signing.BadSignature:
        return None
    if value.get("schema") != connection.schema_name:
        return None
    return Conversation.objects.filter(pk=value.get("conversation"), state=State.CLOSED).first()


def _rating_url(conversation: Conversation) -> str:
    path = reverse("conversation-rate", args=[rating_token(conversation)], urlconf=settings.ROOT_URLCONF)
    return site_url(current_satker().get_primary_domain().domain, path)


def _ask_for_rating(conversation: Conversation) -> None:
    """Closed by the satker: ask the person how it went. On WhatsApp by the rating template,
    so it arrives even after the 24-hour window (plain words inside it when no template is set)."""
    context = {**_context(conversation), "link": _rating_url(conversation)}
    if conversation.channel == Channel.WEB:
        notify(conversation.consumer, "conversation_rating", context, link=_link(conversation))
        return
    template = WhatsAppTemplate.objects.filter(purpose=TemplatePurpose.RATING).first()
    if template is not None:
        _send_template(conversation, template, [conversation.subject, context["link"]])
    elif within_reply_window(conversation):
        message = Message.objects.create(
            conversation=conversation,
            kind=Kind.FROM_OFFICER,
            from_bot=True,
            body=_("Thank you for asking BPS. How did we do? Rate this conversation: %(link)s") % context,
        )
        queue_whatsapp(message)


def _send_template(conversation: Conversation, template: WhatsAppTemplate, parameters: list[str], author=None):
    purpose = TemplatePurpose(template.purpose).label
    message = Message.objects.create(
        conversation=conversation,
        kind=Kind.FROM_OFFICER,
        author=author,
        from_bot=author is None,
        body=f"[{purpose}: {template.name}] " + " · ".join(parameters),
        template=template.name,
        template_parameters=parameters,
    )
    queue_whatsapp(message)
    return message


@transaction.atomic
def send_follow_up(conversation_id: int, officer_user: User) -> Message:
    """After the 24-hour window: the satker's follow-up template, the one message WhatsApp still
    takes. When the person answers it, the window opens again."""
    conversation = _lock(conversation_id)
    if conversation.channel != Channel.WHATSAPP or conversation.state == State.CLOSED:
        raise Conflict(_("A follow-up template is only for open WhatsApp conversations."))
    _check_officer_may_act(conversation, officer_user)
    template = WhatsAppTemplate.objects.filter(purpose=TemplatePurpose.FOLLOW_UP).first()
    if template is None:
        raise ValidationError(_("No follow-up template is set. An admin sets it under Conversations and WhatsApp."))
    if conversation.state in (State.WAITING, State.BOT):
        _take(conversation, officer_user)
    message = _send_template(conversation, template, [conversation.person_name, conversation.subject], officer_user)
    tell_open_pages(conversation)
    return message


@transaction.atomic
def rate(conversation: Conversation, *, rating: int, comment: str = "") -> ConversationRating:
    """The person's rating, from the link; once per conversation."""
    if ConversationRating.objects.filter(conversation=conversation).exists():
        raise Conflict(_("This conversation has already been rated. Thank you!"))
    try:
        with transaction.atomic():
            return ConversationRating.objects.create(conversation=conversation, rating=rating, comment=comment.strip())
    except IntegrityError:
        raise Conflict(_("This conversation has already been rated. Thank you!")) from None


@transaction.atomic
def save_template(*, actor: User, purpose: str, name: str, language: str) -> WhatsAppTemplate:
    template, _created = WhatsAppTemplate.objects.update_or_create(
        purpose=purpose, defaults={"name": name.strip(), "language": language.strip() or "id"}
    )
    template.full_clean()
    record(actor, "conversations.template", purpose, name=name, language=language)
    return template


@transaction.atomic
def save_settings(*, actor: User, **rules_given: int) -> ConversationSettings:
    """The satker's rules (ConversationSettingsForm's fields)."""
    rules = ConversationSettings.current()
    for name, value in rules_given.items():
        setattr(rules, name, value)
    rules.full_clean()
    rules.save()
    record(actor, "conversations.rules", "", **rules_given)
    return rules


def pass_on_unanswered(now: datetime | None = None) -> int:
    """Conversations whose holder has not answered the person's latest message within the
    satker's time go to another officer of the topic (back to the queue if there is none).
    Each in its own transaction, checked again under its lock. Returns how many moved."""
    minutes = ConversationSettings.current().reassign_after_minutes
    if not minutes:
        return 0
    cutoff = (now or timezone.now()) - timedelta(minutes=minutes)
    stale = (
        Conversation.objects.filter(state=State.ASSIGNED, assigned_at__lt=cutoff, last_consumer_message_at__lt=cutoff)
        .annotate(
            answered_at=Max(
                "messages__created_at", filter=Q(messages__kind=Kind.FROM_OFFICER, messages__from_bot=False)
            )
        )
        .filter(Q(answered_at__isnull=True) | Q(answered_at__lt=F("last_consumer_message_at")))
        .values_list("pk", flat=True)
    )
    moved = 0
    for pk in list(stale):
        with transaction.atomic():
            conversation = _lock(pk)
            if conversation.state != State.ASSIGNED or conversation.assigned_at >= cutoff:
                continue  # taken or answered meanwhile
            holder = conversation.assignee
            conversation.state, conversation.assignee = State.WAITING, None
            conversation.save(update_fields=["state", "assignee", "updated_at"])
            record_event(conversation, Action.RETURN, None, State.ASSIGNED)
            route(conversation, None, exclude=holder)
            tell_open_pages(conversation)
            moved += 1
    return moved


@transaction.atomic
def save_canned_reply(*, actor: User, title: str, body: str) -> CannedReply:
    reply, _created = CannedReply.objects.update_or_create(title=title.strip(), defaults={"body": body.strip()})
    record(actor, "conversations.canned_reply", reply.title)
    return reply


@transaction.atomic
def delete_canned_reply(*, actor: User, pk: int) -> None:
    deleted = CannedReply.objects.filter(pk=pk).first()
    if deleted is not None:
        deleted.delete()
        record(actor, "conversations.canned_reply.delete", deleted.title)


# --- A consumer's WhatsApp, linked to their account ----------------------------------------

# No 0/O or 1/I: the code is read off a screen and typed into WhatsApp.
LINK_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LINK_CODE_LENGTH = 8
# Wrong codes a WhatsApp contact may send in an hour before its attempts are refused: with 32⁸
# codes, guessing one that is live is hopeless within that.
LINK_ATTEMPTS_PER_HOUR = 5


@transaction.atomic
def new_link_code(consumer: User) -> LinkCode:
    """A fresh code for `consumer` to send from their WhatsApp; an earlier code stops working."""
    if consumer.role != Role.CONSUMER:
        raise PermissionDenied(_("Only consumers link a WhatsApp number to their account."))
    LinkCode.objects.filter(consumer=consumer).delete()
    return LinkCode.objects.create(
        consumer=consumer, code=get_random_string(LINK_CODE_LENGTH, allowed_chars=LINK_CODE_ALPHABET)
    )


@transaction.atomic
def link_contact(contact: Contact, code: str, *, attempts_this_hour: int) -> User | None:
    """Link the WhatsApp `contact` that sent `code` to the code's consumer: sending it proves the number is theirs. None for a wrong, used or stale code,
    and for every code once the contact has tried too often. A consumer has one WhatsApp: a
    number linked before is let go."""
    if attempts_this_hour > LINK_ATTEMPTS_PER_HOUR:
        return None
    fresh_since = timezone.now() - timedelta(minutes=LINK_CODE_MINUTES)
    found = (
        LinkCode.objects.select_for_update()
        .select_related("consumer")
        .filter(code=code.upper(), created_at__gte=fresh_since)
        .first()
    )
    if found is None:
        return None
    consumer = found.consumer
    Contact.objects.filter(consumer=consumer).exclude(pk=contact.pk).update(consumer=None, linked_at=None)
    contact.consumer, contact.linked_at = consumer, timezone.now()
    contact.save(update_fields=["consumer", "linked_at", "updated_at"])
    found.delete()
    record(consumer, "conversations.whatsapp_linked", str(contact.pk))
    return consumer


@transaction.atomic
def unlink_whatsapp(consumer: User) -> None:
    """The consumer lets their WhatsApp go: its threads are no longer shown on their account."""
    if Contact.objects.filter(consumer=consumer).update(consumer=None, linked_at=None):
        record(consumer, "conversations.whatsapp_unlinked", "")
