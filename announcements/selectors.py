"""Reads of announcements and topic subscriptions."""

from django.db.models import QuerySet

from announcements.models import Announcement, TopicSubscription


def followed_topic_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(TopicSubscription.objects.filter(user=user).values_list("topic_id", flat=True))


def announcements() -> QuerySet[Announcement]:
    return Announcement.objects.select_related("topic")
