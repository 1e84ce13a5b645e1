from django.db.models import Case, IntegerField, QuerySet, Value, When

from booking.models import ExpertiseTag
from realtime.models import Announcement, Delivery, DeliveryStatus, Notification, TopicSubscription


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def delivery_log() -> QuerySet[Delivery]:
    """Every delivery of the satker, failed ones first, newest first, with their attempts."""
    failed_first = Case(When(status=DeliveryStatus.FAILED, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (Delivery.objects.select_related("notification__recipient").prefetch_related("attempt_log")
            .annotate(failed_first=failed_first).order_by("failed_first", "-created_at", "-id"))


def active_topics() -> QuerySet[ExpertiseTag]:
    return ExpertiseTag.objects.filter(is_active=True)


def followed_topic_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(TopicSubscription.objects.filter(user=user).values_list("topic_id", flat=True))


def announcements() -> QuerySet[Announcement]:
    return Announcement.objects.select_related("topic")
