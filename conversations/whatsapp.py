"""The WhatsApp channel: what a person writes to the satker's number becomes a conversation,
AIDA answers while nobody holds it, "petugas" (or the button) hands it to a person, and what
officers write goes back out through the satker's own number.

Inbound messages arrive by webhook, which only checks and queues them (conversations.webhooks);
`receive` runs in a worker, in the satker's schema. WhatsApp re-delivers webhooks, so a message
is stored once (its id is unique) and answered once (only the call that stored it goes on).
Messages of one person are taken one at a time (a row lock on the contact), so two arriving
together cannot open two threads.

The bot never talks over a person: AIDA answers only while the conversation is with it, checked
again, under the conversation's lock, just before its answer is stored and sent.
"""

import logging
import re
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from aida import selectors as aida_selectors
from aida import services as aida
from booking import selectors as booking_selectors
from booking import services as booking_services
from booking.availability import free_slots
from booking.models import ConsumerCategory, OfficerProfile, Purpose
from booking.selectors import active_tags, expertise_for, staffed_tags
from conversations import services
from conversations.models import (
    DELIVERY_ORDER,
    LINK_CODE_MINUTES,
    OPEN_STATES,
    Action,
    Channel,
    Contact,
    Conversation,
    Delivery,
    Kind,
    Message,
    State,
    WhatsAppTemplate,
)
from core.tasking import enqueue_after_commit
from core.tenancy import current_satker
from core.text import normalise_whatsapp_number
from realtime import providers
from tenants.models import site_url
from tenants.selectors import whatsapp_credentials

logger = logging.getLogger(__name__)

# What a person types, or the button they tap, to reach a person instead of AIDA.
HANDOFF_WORDS = {"petugas", "admin", "cs", "operator", "manusia", "orang", "human", "agent", "officer"}
HANDOFF_BUTTON, BOOKING_BUTTON = "handoff", "book"
# A row of the topic list: "topik:<expertise slug>" ("topik:-": something else).
TOPIC_PREFIX, TOPIC_ROWS = "topik:", 10
# A row of the times list: "jadwal:<officer id>:<start, Unix seconds>" ("jadwal:-": another time).
SLOT_PREFIX, SLOT_DAYS = "jadwal:", 14
# WhatsApp's limits: a button's title 20 characters, an interactive body 1,024, a text 4,096.
BUTTON_BODY_LIMIT, TEXT_LIMIT = 1024, 4096
MEDIA_TYPES = {"image", "document"}


# --- Inbound ------------------------------------------------------------------------------


def _contact_for(profile: dict) -> Contact:
    """The contact a webhook's `contacts[0]` names, made on first contact, locked for this
    transaction. Known by user id or by phone; whichever was missing is filled in."""
    user_id = profile.get("user_id") or None
    wa_id = normalise_whatsapp_number(profile.get("wa_id") or "") or None
    if not user_id and not wa_id:
        raise ValueError("a contact without user id or phone number")
    name = ((profile.get("profile") or {}).get("name") or "")[:120]
    for _attempt in range(2):
        contact = (
            Contact.objects.select_for_update()
            .filter(**({"wa_user_id": user_id} if user_id else {"wa_id": wa_id}))
            .first()
        )
        if contact is None and user_id and wa_id:
            contact = Contact.objects.select_for_update().filter(wa_id=wa_id).first()
        if contact is not None:
            changed = {
                field: value
                for field, value in (("wa_user_id", user_id), ("wa_id", wa_id), ("profile_name", name))
                if value and getattr(contact, field) != value
            }
            if changed:
                for field, value in changed.items():
                    setattr(contact, field, value)
                contact.save(update_fields=[*changed, "updated_at"])
            return contact
        try:
            with transaction.atomic():
                return Contact.objects.create(wa_user_id=user_id, wa_id=wa_id, profile_name=name)
        except IntegrityError:
            continue  # made a moment ago by the same person's other message: lock that one
    raise RuntimeError("contact could not be made or found")


def _text_of(message: dict) -> tuple[str, str]:
    """(text, button id) of an inbound message, whatever its type."""
    kind = message.get("type")
    if kind == "text":
        return (message.get("text") or {}).get("body", ""), ""
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        return reply.get("title", ""), reply.get("id", "")
    if kind == "button":
        button = message.get("button") or {}
        return button.get("text", ""), button.get("payload", "")
    if kind in MEDIA_TYPES:
        media = message.get(kind) or {}
        return media.get("caption", "") or media.get("filename", ""), ""
    return "", ""


def wants_a_person(text: str, button: str) -> bool:
    words = set(text.lower().replace(",", " ").replace(".", " ").split())
    return button == HANDOFF_BUTTON or bool(words & HANDOFF_WORDS) and len(words) <= 4


@transaction.atomic
def receive(profile: dict, message: dict) -> Message | None:
    """Store one inbound WhatsApp message in its contact's open conversation (a new one, with
    AIDA, if none is open) and decide who answers. None for a re-delivery or a message of a
    type a thread cannot hold (reactions, system notices)."""
    wamid = message.get("id", "")
    if not wamid or Message.objects.filter(provider_id=wamid).exists():
        return None
    text, button = _text_of(message)
    kind = message.get("type")
    if not text and kind not in MEDIA_TYPES:
        logger.info("whatsapp message %s of type %s not kept", wamid, kind)
        return None
    contact = _contact_for(profile)
    stamp = message.get("timestamp")
    written_at = datetime.fromtimestamp(int(stamp), UTC) if stamp else timezone.now()
    conversation = Conversation.objects.select_for_update().filter(contact=contact, state__in=OPEN_STATES).first()
    if conversation is None:
        conversation = Conversation.objects.create(
            channel=Channel.WHATSAPP,
            contact=contact,
            subject=(text or _("File from WhatsApp"))[:200],
            state=State.BOT,
            last_message_at=written_at,
            last_consumer_message_at=written_at,
        )
        services.record_event(conversation, Action.START, None, "")
    stored = Message(
        conversation=conversation,
        kind=Kind.FROM_CONSUMER,
        body=text[:4000] or (_("(a picture)") if kind == "image" else _("(a file)")),
        provider_id=wamid,
        created_at=written_at,
    )
    try:
        with transaction.atomic():
            stored.save()
    except IntegrityError:
        return None  # the same message, stored by a re-delivery a moment ago
    if kind in MEDIA_TYPES:
        _keep_media(stored, message[kind])
    # Webhooks arrive late and out of order: the latest written time wins.
    fields = []
    if written_at > conversation.last_consumer_message_at:
        conversation.last_consumer_message_at = written_at
        fields.append("last_consumer_message_at")
    if written_at > conversation.last_message_at:
        conversation.last_message_at = written_at
        fields.append("last_message_at")
    if fields:
        conversation.save(update_fields=[*fields, "updated_at"])
    link = LINK_COMMAND.match(text)
    if link:
        _link_account(conversation, contact, link.group(1))
    elif button.startswith(SLOT_PREFIX):
        _book(conversation, button.removeprefix(SLOT_PREFIX))
    elif conversation.state == State.BOT:
        if button.startswith(TOPIC_PREFIX):
            conversation.expertise = active_tags().filter(slug=button.removeprefix(TOPIC_PREFIX)).first()
            hand_off(conversation, chosen_topic=True)
        elif wants_a_person(text, button):
            hand_off(conversation)
        elif button == BOOKING_BUTTON:
            _offer_times(conversation)
        else:
            from conversations.tasks import answer_on_whatsapp

            enqueue_after_commit(answer_on_whatsapp, stored.pk)
    else:
        services.tell_assignee_of_message(conversation)
    services.tell_open_pages(conversation)
    return stored


# What a consumer sends from WhatsApp to link it to their account (the code from "My questions").
LINK_COMMAND = re.compile(r"^\s*(?:hubungkan|link)\s+([a-z0-9]{%d})\s*$" % services.LINK_CODE_LENGTH, re.IGNORECASE)


def _link_account(conversation: Conversation, contact: Contact, code: str) -> None:
    tries = Message.objects.filter(
        conversation__contact=contact,
        kind=Kind.FROM_CONSUMER,
        body__iregex=LINK_COMMAND.pattern,
        created_at__gte=timezone.now() - timedelta(hours=1),
    ).count()
    consumer = services.link_contact(contact, code, attempts_this_hour=tries)
    if consumer is None:
        _say(
            conversation,
            _(
                "This code does not work: it is wrong, used, or older than %(minutes)d minutes. Make a new one "
                "under “My questions” on the website."
            )
            % {"minutes": LINK_CODE_MINUTES},
        )
    else:
        _say(
            conversation,
            _(
                "This WhatsApp is now linked to the account of %(name)s: your conversations here are also under “My questions” on the website."
            )
            % {"name": consumer.full_name},
        )


def _keep_media(message: Message, media: dict) -> None:
    """Download a picture or document the person sent into the satker's storage."""
    credentials = whatsapp_credentials(current_satker())
    name = (media.get("filename") or f"whatsapp-{message.pk}").rsplit("/", 1)[-1][:100]
    try:
        if credentials is None:
            raise providers.PermanentFailure("the satker's number is no longer connected")
        fetched = providers.download_whatsapp_media(
            media.get("id", ""), credentials[1], max_bytes=services.MAX_ATTACHMENT_BYTES
        )
    except (providers.PermanentFailure, providers.TemporaryFailure) as failure:
        logger.warning("whatsapp media of message %s not kept: %s", message.provider_id, failure)
        message.body += "\n" + _("(The file could not be kept: it may be over 5 MB. Ask the person to send it again.)")
        message.save(update_fields=["body"])
        return
    if "." not in name:
        name += {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}.get(fetched.mime, "")
    message.attachment_name, message.attachment_bytes = name, len(fetched.content)
    message.attachment.save(name, ContentFile(fetched.content), save=False)
    message.save(update_fields=["attachment", "attachment_name", "attachment_bytes"])


# --- Handing over to a person ---------------------------------------------------------------


def hand_off(conversation: Conversation, *, chosen_topic: bool = False) -> None:
    """The person asked for a person: the conversation leaves AIDA for the officers' queue,
    routed by the topic of what they asked, and they are told what happens next."""
    if conversation.state != State.BOT:
        return
    conversation.expertise = conversation.expertise or expertise_for(_asked(conversation))
    if conversation.expertise is None and not chosen_topic:
        tags = list(staffed_tags())
        asked_before = conversation.messages.filter(from_bot=True, interactive__type="list").exists()
        if len(tags) > 1 and not asked_before:
            # Who should answer is not clear from what was asked: the person chooses.
            _say(conversation, _("Which topic is your question about?"), interactive=_topic_list(tags))
            return
    conversation.state = State.WAITING
    conversation.save(update_fields=["expertise", "state", "updated_at"])
    services.record_event(conversation, Action.HANDOFF, None, State.BOT)
    services.route(conversation, None)
    _say(
        conversation,
        _("Your question is passed to our officers.") + " " + services.opening_text(conversation.expertise),
    )


def _booking_link_text() -> str:
    link = site_url(
        current_satker().get_primary_domain().domain, reverse("booking-directory", urlconf=settings.ROOT_URLCONF)
    )
    return _("Choose an officer and a time for a consultation here: %(link)s") % {"link": link}


# --- Outbound -------------------------------------------------------------------------------


def _say(conversation: Conversation, text: str, *, interactive: dict | None = None) -> Message:
    """A message from AIDA (the bot) to the person, queued to leave after commit."""
    message = Message.objects.create(
        conversation=conversation,
        kind=Kind.FROM_OFFICER,
        from_bot=True,
        body=text[:TEXT_LIMIT],
        interactive=interactive,
    )
    services.queue_whatsapp(message)
    return message


def answer_with_aida(message_id: int) -> Message | None:
    """AIDA answers one inbound message (the quota, the figures and the number guard as on the
    web), unless a person holds the conversation by the time the answer is ready."""
    question = Message.objects.select_related("conversation").get(pk=message_id)
    conversation = question.conversation
    if conversation.state != State.BOT:
        return None
    satker = current_satker()
    session_key = f"whatsapp:{conversation.pk}"
    earlier = aida_selectors.latest_conversation(AnonymousUser(), session_key)
    with translation.override("id"):
        prepared = aida.prepare(
            satker, question=question.body, session_key=session_key, conversation_id=earlier.pk if earlier else None
        )
        text, _answer = aida.answer_whole(satker, prepared)
        with transaction.atomic():
            locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
            if locked.state != State.BOT:
                return None  # an officer took it while AIDA was thinking: they answer, not the bot
            reply = _say(locked, text, interactive=_aida_buttons())
            locked.last_message_at = timezone.now()
            locked.save(update_fields=["last_message_at", "updated_at"])
            services.tell_open_pages(locked)
    return reply


# --- Booking a time from WhatsApp ------------------------------------------------------------


def _asked(conversation: Conversation) -> str:
    return " ".join(conversation.messages.filter(kind=Kind.FROM_CONSUMER).values_list("body", flat=True))


def _offer_times(conversation: Conversation) -> None:
    """ "Book a time": a person whose WhatsApp is linked to their account chooses one of the next
    free times of the officers of their topic from a list; anyone else gets the booking page
    (a consultation is held for an account, with its e-mail and history)."""
    if conversation.contact.consumer_id is None:
        _say(
            conversation,
            _booking_link_text()
            + "\n\n"
            + _("To book here on WhatsApp, link it to your account under “My questions” on the website."),
        )
        return
    expertise = conversation.expertise or expertise_for(_asked(conversation))
    officers = {officer.pk: officer for officer in services.candidates(expertise).select_related("user")}
    now = timezone.now()
    today = now.astimezone(services.satker_zone()).date()
    found = free_slots(
        list(officers.values()), zone=services.satker_zone(), now=now, last=today + timedelta(days=SLOT_DAYS)
    )
    soonest = sorted((slot.starts_at, officer_id) for officer_id, slots in found.items() for slot in slots)
    if not soonest:
        _say(conversation, _("No officer has a free time in the next two weeks.") + " " + _booking_link_text())
        return
    _say(
        conversation,
        _("Choose a time for a consultation (%(zone)s):") % {"zone": current_satker().timezone_label},
        interactive=_times_list([(starts_at, officers[pk]) for starts_at, pk in soonest[: TOPIC_ROWS - 1]]),
    )


def _times_list(times) -> dict:
    with translation.override("id"):
        rows = [
            {
                "id": f"{SLOT_PREFIX}{officer.pk}:{int(starts_at.timestamp())}",
                "title": formats.date_format(starts_at.astimezone(services.satker_zone()), "D j M H:i")[:24],
                "description": officer.user.full_name[:72],
            }
            for starts_at, officer in times
        ]
        rows.append({"id": f"{SLOT_PREFIX}-", "title": _("Another time")[:24]})
        return {
            "type": "list",
            "action": {"button": _("Choose a time")[:20], "sections": [{"title": _("Free times")[:24], "rows": rows}]},
        }


def _book(conversation: Conversation, choice: str) -> None:
    """The person chose a row of the times list: the consultation is requested for their account
    (purpose and category as in their last request), or they hear that it was just taken."""
    consumer = conversation.contact.consumer
    officer_id, _colon, stamp = choice.partition(":")
    officer = OfficerProfile.objects.filter(pk=officer_id).first() if officer_id.isdigit() else None
    if consumer is None or officer is None or not stamp.isdigit():
        _say(conversation, _booking_link_text())
        return
    earlier = booking_selectors.last_request_of(consumer)
    try:
        with transaction.atomic():
            consultation = booking_services.request_consultation(
                consumer=consumer,
                officer=officer,
                starts_at=datetime.fromtimestamp(int(stamp), UTC),
                topic=conversation.subject[:200],
                data_need=_asked(conversation)[:4000],
                purpose=earlier.purpose if earlier else Purpose.OTHER,
                consumer_category=earlier.consumer_category if earlier else ConsumerCategory.OTHER,
            )
    except (booking_services.SlotTaken, ValidationError):
        _say(conversation, _("That time was just taken or is no longer free."))
        _offer_times(conversation)
        return
    local = consultation.starts_at.astimezone(services.satker_zone())
    link = site_url(
        current_satker().get_primary_domain().domain,
        reverse("booking-detail", args=[consultation.pk], urlconf=settings.ROOT_URLCONF),
    )
    _say(
        conversation,
        _(
            "Your consultation with %(officer)s on %(when)s is requested. The officer approves it and sends "
            "the meeting link; you are notified by e-mail or WhatsApp, as you chose in your profile. Details: %(link)s"
        )
        % {
            "officer": officer.user.full_name,
            "when": f"{formats.date_format(local, 'l, j F')} {local:%H:%M} {current_satker().timezone_label}",
            "link": link,
        },
    )


def _aida_buttons() -> dict:
    """What AIDA's answers carry: ask a person, or book a time."""
    with translation.override("id"):
        return {
            "type": "button",
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": HANDOFF_BUTTON, "title": _("Ask an officer")[:20]}},
                    {"type": "reply", "reply": {"id": BOOKING_BUTTON, "title": _("Book a time")[:20]}},
                ]
            },
        }


def _topic_list(tags) -> dict:
    """A list to choose the question's topic from: WhatsApp takes at most ten rows, titles of
    24 characters and descriptions of 72; the last row is "something else"."""
    with translation.override("id"):
        rows = [
            {"id": f"{TOPIC_PREFIX}{tag.slug}", "title": tag.name[:24], "description": tag.name[:72]}
            for tag in tags[: TOPIC_ROWS - 1]
        ]
        rows.append({"id": f"{TOPIC_PREFIX}-", "title": _("Something else")[:24]})
        return {
            "type": "list",
            "action": {"button": _("Choose a topic")[:20], "sections": [{"title": _("Topics")[:24], "rows": rows}]},
        }


def _payloads(message: Message, credentials) -> list[dict]:
    """What to send for one message: its file, its text, its buttons or list (on the text when
    it fits in an interactive body, else after it)."""
    if message.template:
        template = WhatsAppTemplate.objects.filter(name=message.template).first()
        parameters = [{"type": "text", "text": str(value)[:1000]} for value in message.template_parameters]
        return [
            {
                "type": "template",
                "template": {
                    "name": message.template,
                    "language": {"code": template.language if template else "id"},
                    "components": [{"type": "body", "parameters": parameters}],
                },
            }
        ]
    payloads = []
    if message.attachment:
        message.attachment.open("rb")
        try:
            content = message.attachment.read()
        finally:
            message.attachment.close()
        mime = services.attachment_type(message.attachment_name)
        media_id = providers.upload_whatsapp_media(
            credentials[0], credentials[1], filename=message.attachment_name, mime=mime, content=content
        )
        kind = "image" if mime.startswith("image/") else "document"
        body = {"id": media_id, **({"filename": message.attachment_name} if kind == "document" else {})}
        payloads.append({"type": kind, kind: body})
    interactive = message.interactive
    if message.body and interactive and len(message.body) <= BUTTON_BODY_LIMIT:
        payloads.append({"type": "interactive", "interactive": {**interactive, "body": {"text": message.body}}})
    elif message.body:
        payloads.append({"type": "text", "text": {"body": message.body[:TEXT_LIMIT], "preview_url": True}})
        if interactive:
            with translation.override("id"):
                more = _("Anything else? You can also ask an officer.")
            payloads.append({"type": "interactive", "interactive": {**interactive, "body": {"text": more}}})
    return payloads


# What an officer reads when WhatsApp refuses a message, by WhatsApp's error code.
def _refusal_text(failure: providers.PermanentFailure) -> str:
    if failure.code == 131047:
        return _("More than 24 hours have passed since the person last wrote: WhatsApp accepts no free-form reply.")
    if failure.code in (132000, 132012):
        return _("WhatsApp refused the template's parameters. Check the template settings.")
    if failure.code == 131026:
        return _("WhatsApp could not deliver to this person (the number may not use WhatsApp).")
    if failure.code == 190:
        return _("The satker's WhatsApp access token is no longer valid. An admin must connect the number again.")
    return _("WhatsApp refused the message.")


def send(message_id: int, *, give_up: bool = False) -> float | None:
    """Send one outgoing message. Returns seconds to wait before trying again after a temporary
    failure (none when `give_up`: it is marked not delivered), else None (sent, refused for
    good, or maybe sent: then its status decides)."""
    message = Message.objects.select_related("conversation__contact").get(pk=message_id)
    if message.delivery != Delivery.QUEUED or message.provider_id:
        return None
    credentials = whatsapp_credentials(current_satker())
    try:
        if credentials is None:
            raise providers.PermanentFailure("not connected")
        provider_ids = [
            providers.send_whatsapp_message(
                credentials[0],
                credentials[1],
                {"to": message.conversation.contact.address, **payload},
                f"{current_satker().schema_name}:m{message.pk}",
            )
            for payload in _payloads(message, credentials)
        ]
    except providers.UncertainOutcome as failure:
        _record_delivery(
            message, Delivery.QUEUED, _("No answer from WhatsApp yet; its status will tell."), str(failure)
        )
        return None
    except providers.TemporaryFailure as failure:
        if give_up:
            _record_delivery(
                message, Delivery.FAILED, _("WhatsApp stayed busy; the message was not sent."), str(failure)
            )
            return None
        _record_delivery(message, Delivery.QUEUED, _("WhatsApp is busy; trying again."), str(failure))
        return failure.retry_after or 30.0
    except providers.PermanentFailure as failure:
        reason = _("The satker's WhatsApp number is not connected.") if credentials is None else _refusal_text(failure)
        _record_delivery(message, Delivery.FAILED, reason, str(failure))
        return None
    Message.objects.filter(pk=message.pk).update(
        provider_id=provider_ids[-1], delivery=Delivery.SENT, delivery_error=""
    )
    return None


def _record_delivery(message: Message, delivery: str, reason: str, detail: str) -> None:
    logger.warning("whatsapp message %s: %s (%s)", message.pk, reason, detail[:300])
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(delivery=delivery, delivery_error=reason[:500])
        services.tell_open_pages(message.conversation, consumer=False)


def apply_status(provider_id: str, status: str, error: str = "") -> bool:
    """A status webhook for a message we sent: applied only forward (sent → delivered → read;
    failed from anywhere but read), so a late "sent" never undoes "read"."""
    message = Message.objects.select_related("conversation").filter(provider_id=provider_id).first()
    if message is None or status not in Delivery.values or status == Delivery.QUEUED:
        return False
    if status == Delivery.FAILED:
        earlier = [Delivery.QUEUED, Delivery.SENT, Delivery.DELIVERED]
        error = (error or _("WhatsApp could not deliver it."))[:500]
    else:
        earlier = DELIVERY_ORDER[: DELIVERY_ORDER.index(status)]
        error = ""
    with transaction.atomic():
        # One conditional update: two statuses arriving at once cannot both apply out of order.
        moved = Message.objects.filter(pk=message.pk, delivery__in=earlier).update(
            delivery=status, delivery_error=error
        )
        if moved:
            services.tell_open_pages(message.conversation, consumer=False)
    return bool(moved)
