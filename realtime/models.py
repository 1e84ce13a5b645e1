"""Notifications and their deliveries: the outbox.

A notification and one delivery row per external channel are written in the transaction of
the event that caused them. Workers claim deliveries, call the provider, and record every
attempt; the sweeper re-queues what a crash left behind.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    # None for an invitation: the address has no account yet (its delivery holds the address).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=2000)
    # What the text is made of (realtime.catalog): shown in the reader's language when read.
    # title/body are the text as sent (e-mail, WhatsApp) and the fallback for older rows.
    context = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)
    # Set for events that must not notify twice (reminders): the database refuses a second row.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    # Sent with the e-mail (the approval's .ics invitation).
    attachment_name = models.CharField(max_length=100, blank=True)
    attachment_mime = models.CharField(max_length=100, blank=True)
    attachment_text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        constraints = [
            models.CheckConstraint(
                name="notification_for_a_user_or_an_invitee",
                condition=Q(recipient__isnull=False) | Q(kind="invitation"),
            )
        ]

    def __str__(self):
        return self.title

    def in_language(self, language: str):
        """The title and body in `language`, as the reader would have it now."""
        from realtime.catalog import Rendered, render

        if not self.context:
            return Rendered(title=self.title, body=self.body)
        return render(self.kind, self.context, language)


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    WHATSAPP = "whatsapp", _("WhatsApp")
    PUSH = "push", _("Phone notification")


class PushSubscription(models.Model):
    """A browser that asked for Web Push (a phone with HaloPST installed, a laptop): where its
    push service takes messages for it, and the keys its messages are encrypted with."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"push #{self.pk} of user {self.user_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    UNCONFIRMED = "unconfirmed", _("Sent, waiting for the provider's confirmation")
    SENT = "sent", _("Accepted by the provider")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")
    DROPPED = "dropped", _("Dropped")


class Delivery(models.Model):
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=254)
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="one_delivery_per_channel"),
            models.CheckConstraint(
                name="sending_is_claimed", condition=~Q(status="sending") | Q(claimed_at__isnull=False)
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self):
        return f"{self.channel} #{self.pk} {self.status}"


class AttemptOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    TEMPORARY = "temporary", _("Temporary failure")
    PERMANENT = "permanent", _("Permanent failure")
    EVENT = "event", _("Provider event")


class DeliveryAttempt(models.Model):
    """Every call to a provider and every event it reported back, in order."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=AttemptOutcome.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
