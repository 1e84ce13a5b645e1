"""Following topics and publishing announcements. One transaction each."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from announcements.models import Announcement, AnnouncementKind, TopicSubscription
from core.audit import record
from core.models import Role, User
from realtime.services import notify


@transaction.atomic
def follow_topic(user, topic) -> TopicSubscription:
    if not topic.is_active:
        raise ValidationError(_("This topic is no longer offered."))
    subscription, _created = TopicSubscription.objects.get_or_create(user=user, topic=topic)
    return subscription


@transaction.atomic
def unfollow_topic(user, topic) -> None:
    TopicSubscription.objects.filter(user=user, topic=topic).delete()


@transaction.atomic
def publish_announcement(author, *, topic, kind: str, title: str, body: str, link: str = "") -> Announcement:
    """Publish on a topic and notify every follower through their channels, in one transaction:
    the announcement, its notifications and its audit entry exist together or not at all."""
    if author.role != Role.SATKER_ADMIN:
        raise PermissionDenied(_("Only satker admins publish announcements."))
    announcement = Announcement(
        topic=topic,
        kind=AnnouncementKind(kind),
        title=title.strip(),
        body=body.strip(),
        link=link.strip(),
        published_by=author,
    )
    announcement.full_clean(exclude=["published_by"])
    announcement.save()
    record(author, "announcement.publish", str(announcement.pk), topic=topic.slug)
    followers = User.objects.filter(topic_subscriptions__topic=topic, is_active=True)
    for follower in followers:
        notify(
            follower,
            "data_release" if announcement.kind == AnnouncementKind.RELEASE else "announcement",
            {"topic": topic.label(follower.language), "title": announcement.title},
            link=f"/pengumuman/{announcement.pk}/",
            dedupe_key=f"announcement:{announcement.pk}:{follower.pk}",
        )
    return announcement
