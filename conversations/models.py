"""Written threads between a consumer and the satker's officers, without a fixed time.

A consumer asks in writing ("Tanya petugas"); the question is routed to an officer with its
expertise, who answers in the thread, with files when the answer is a table. Everything lives
in the satker's own schema. The database keeps the states honest: a conversation with an
officer has one, a waiting one has none, a closed one says when it closed; every assignment
and state change leaves a ConversationEvent (services write both in one transaction).
"""

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.models import Consultation, ExpertiseTag, OfficerProfile


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    WHATSAPP = "whatsapp", _("WhatsApp")


class State(models.TextChoices):
    BOT = "bot", _("With AIDA")
    WAITING = "waiting", _("Waiting for an officer")
    ASSIGNED = "assigned", _("With an officer")
    CLOSED = "closed", _("Closed")


OPEN_STATES = [State.BOT, State.WAITING, State.ASSIGNED]
# What an officer's queue holds: conversations a person has to answer.
QUEUE_STATES = [State.WAITING, State.ASSIGNED]


class Contact(models.Model):
    """Someone who writes to the satker's WhatsApp number. WhatsApp names them by a
    business-scoped user id (since 2026) and, unless they chose a username, by their phone
    number (`wa_id`); either may be all we get, and the user id changes with the number."""

    wa_user_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    wa_id = models.CharField(_("WhatsApp number"), max_length=20, null=True, blank=True, unique=True)
    profile_name = models.CharField(_("name"), max_length=120, blank=True)
    # The consumer account this WhatsApp belongs to, once they proved it by sending their link
    # code from it (services.link_contact): their WhatsApp threads are then theirs on the web too.
    consumer = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="whatsapp_contact"
    )
    linked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="contact_has_an_address", condition=Q(wa_user_id__isnull=False) | Q(wa_id__isnull=False)
            ),
            models.CheckConstraint(
                name="contact_linked_with_its_time", condition=Q(consumer__isnull=True) | Q(linked_at__isnull=False)
            ),
        ]

    def __str__(self):
        return self.profile_name or self.wa_id or self.wa_user_id

    @property
    def number_shown(self) -> str:
        """The number as people read it; a person with a WhatsApp username hides it."""
        return f"+{self.wa_id}" if self.wa_id else self.profile_name or _("(number hidden by the user)")

    @property
    def address(self) -> str:
        """Where a reply goes: the phone number when we have it, else the user id."""
        return self.wa_id or self.wa_user_id


LINK_CODE_MINUTES = 30


class LinkCode(models.Model):
    """The code a signed-in consumer sends from their WhatsApp to prove the number is theirs;
    one at a time, valid for LINK_CODE_MINUTES (conversations.services.link_contact)."""

    consumer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="link_code")
    code = models.CharField(max_length=8, unique=True)
    created_at = models.DateTimeField(default=timezone.now)


class ConversationSettings(models.Model):
    """The satker's rules for conversations: one row per schema (id is always 1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    open_per_officer = models.PositiveSmallIntegerField(
        _("open conversations per officer"),
        default=10,
        help_text=_("New questions go to officers below this number; above it they wait for someone to take them."),
    )
    reply_standard_minutes = models.PositiveSmallIntegerField(
        _("service standard for a first reply (minutes)"), default=120
    )
    reassign_after_minutes = models.PositiveSmallIntegerField(
        _("pass on an unanswered conversation after (minutes)"),
        default=0,
        help_text=_(
            "When the officer holding a conversation has not answered the person's message for this long, it goes to another officer (0: never)."
        ),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(name="conversation_settings_singleton", condition=Q(id=1)),
            models.CheckConstraint(name="conversation_cap_positive", condition=Q(open_per_officer__gte=1)),
            models.CheckConstraint(name="conversation_standard_positive", condition=Q(reply_standard_minutes__gte=1)),
        ]

    @classmethod
    def current(cls) -> "ConversationSettings":
        return cls.objects.filter(id=1).first() or cls()


class Conversation(models.Model):
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    # A web conversation's consumer is signed in; a WhatsApp one is a contact.
    consumer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="conversations"
    )
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="conversations")
    subject = models.CharField(_("subject"), max_length=200)
    expertise = models.ForeignKey(
        ExpertiseTag, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("topic")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.WAITING)
    assignee = models.ForeignKey(
        OfficerProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="conversations"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    # A booked consultation's own thread: its consumer and officer write there before and after.
    consultation = models.OneToOneField(
        Consultation, null=True, blank=True, on_delete=models.CASCADE, related_name="thread"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField()
    # When the consumer last wrote and when an officer first answered: the service standard
    # and the reports measure these.
    last_consumer_message_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_message_at"]
        indexes = [
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["assignee", "state"]),
            models.Index(fields=["consumer", "-last_message_at"]),
            models.Index(fields=["contact", "state"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="conversation_has_a_person",
                condition=Q(channel=Channel.WEB, consumer__isnull=False)
                | Q(channel=Channel.WHATSAPP, contact__isnull=False),
            ),
            # One open WhatsApp thread per contact: a new message joins it, never a second one.
            models.UniqueConstraint(
                fields=["contact"], condition=Q(state__in=OPEN_STATES), name="conversation_one_open_per_contact"
            ),
            models.CheckConstraint(
                name="conversation_assigned_has_officer",
                condition=~Q(state=State.ASSIGNED) | Q(assignee__isnull=False, assigned_at__isnull=False),
            ),
            models.CheckConstraint(
                name="conversation_waiting_has_no_officer",
                condition=~Q(state=State.WAITING) | Q(assignee__isnull=True),
            ),
            models.CheckConstraint(
                name="conversation_closed_has_time",
                condition=~Q(state=State.CLOSED) | Q(closed_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def person_name(self) -> str:
        return self.consumer.full_name if self.consumer_id else str(self.contact)


class Kind(models.TextChoices):
    FROM_CONSUMER = "in", _("From the consumer")
    FROM_OFFICER = "out", _("From an officer")
    NOTE = "note", _("Internal note")


def attachment_path(message, filename):
    # Files of one satker stay under its own folder; a random folder keeps names unguessable.
    return f"satkers/{connection.schema_name}/conversations/{message.conversation_id}/{uuid.uuid4().hex}/{filename}"


class Delivery(models.TextChoices):
    """How far an outgoing WhatsApp message got; statuses only move forward."""

    QUEUED = "queued", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Not delivered")


DELIVERY_ORDER = [Delivery.QUEUED, Delivery.SENT, Delivery.DELIVERED, Delivery.READ]


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    # AIDA's answers on WhatsApp have no author; the bot flag says who wrote them.
    from_bot = models.BooleanField(default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    body = models.TextField(_("message"), blank=True, max_length=4000)
    attachment = models.FileField(_("file"), upload_to=attachment_path, blank=True, max_length=300)
    attachment_name = models.CharField(max_length=150, blank=True)
    attachment_bytes = models.PositiveIntegerField(default=0)
    # WhatsApp: the message id (inbound: deduplicates re-delivered webhooks; outbound: finds the
    # message again when its status arrives), and how far an outgoing one got.
    provider_id = models.CharField(max_length=128, null=True, blank=True, unique=True)
    # What WhatsApp shows with the text (its interactive object without the body): AIDA's reply
    # buttons, or a list to choose a topic from.
    interactive = models.JSONField(null=True, blank=True)
    # Sent as an approved template (outside the 24-hour window): its name and parameters.
    template = models.CharField(max_length=512, blank=True)
    template_parameters = models.JSONField(default=list, blank=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, blank=True)
    delivery_error = models.CharField(max_length=500, blank=True)
    # When it was written: for WhatsApp, the time WhatsApp gives (webhooks may arrive late or
    # out of order, the thread keeps the order they were written in).
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(name="message_has_content", condition=~Q(body="") | ~Q(attachment="")),
        ]


class Action(models.TextChoices):
    """What happened to a conversation; the name a ConversationEvent records."""

    START = "start", _("Asked")
    HANDOFF = "handoff", _("Passed from AIDA to the officers")
    ASSIGN = "assign", _("Assigned")
    TAKE = "take", _("Taken")
    TRANSFER = "transfer", _("Transferred")
    RETURN = "return", _("Passed on: not answered in time")
    CLOSE = "close", _("Closed")
    REOPEN = "reopen", _("Reopened")


class ConversationEvent(models.Model):
    """The audit trail of assignments and state changes, written by the service that made them."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)  # an Action; no choices, so no migration renames history
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    from_state = models.CharField(max_length=10, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=State.choices)
    assignee = models.ForeignKey(OfficerProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class TemplatePurpose(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Follow-up after 24 hours")
    RATING = "rating", _("Rating request after closing")


# What each template's body parameters hold, in order ({{1}}, {{2}}): the template approved at
# Meta must take exactly these.
TEMPLATE_PARAMETERS = {
    TemplatePurpose.FOLLOW_UP: [_("the person's name"), _("the conversation's subject")],
    TemplatePurpose.RATING: [_("the conversation's subject"), _("the rating link")],
}


class WhatsAppTemplate(models.Model):
    """A template the satker had approved at Meta (category UTILITY): the only messages
    WhatsApp takes outside the 24-hour window."""

    purpose = models.CharField(_("used for"), max_length=12, choices=TemplatePurpose.choices, unique=True)
    name = models.CharField(
        _("template name"),
        max_length=512,
        validators=[RegexValidator(r"^[a-z0-9_]+$", _("Template names are lower-case letters, digits and _."))],
    )
    language = models.CharField(_("language code"), max_length=10, default="id")

    def __str__(self):
        return self.name


class ConversationRating(models.Model):
    """How the person rated a closed conversation (1-5), from the link they were sent."""

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="rating")
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(name="conversation_rating_range", condition=Q(rating__gte=1, rating__lte=5)),
        ]


class CannedReply(models.Model):
    """An answer the satker's officers give often ("where to download the Dalam Angka tables"),
    ready to drop into a reply and edit."""

    title = models.CharField(_("title"), max_length=60, unique=True)
    body = models.TextField(_("text"), max_length=2000)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title
