"""What a satker publishes on its topics, and who follows which topic."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AnnouncementKind(models.TextChoices):
    ANNOUNCEMENT = "announcement", _("Announcement")
    RELEASE = "release", _("Data release")


class Announcement(models.Model):
    """What a satker publishes on a topic; followers of the topic are notified."""

    topic = models.ForeignKey(
        "booking.ExpertiseTag", on_delete=models.PROTECT, related_name="announcements", verbose_name=_("topic")
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=AnnouncementKind.choices, default=AnnouncementKind.ANNOUNCEMENT
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=4000)
    link = models.URLField(_("link"), blank=True, max_length=500)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "realtime_announcement"  # created by realtime before this app existed
        ordering = ["-published_at"]

    def __str__(self):
        return self.title


class TopicSubscription(models.Model):
    """A user follows a topic of this satker."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_subscriptions")
    topic = models.ForeignKey("booking.ExpertiseTag", on_delete=models.CASCADE, related_name="subscriptions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "realtime_topicsubscription"  # created by realtime before this app existed
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="topic_subscription_unique")]
