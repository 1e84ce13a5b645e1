from django.db.models import Case, Count, IntegerField, QuerySet, Value, When

from realtime.models import Channel, Delivery, DeliveryStatus, Notification


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def delivery_log() -> QuerySet[Delivery]:
    """Every delivery of the satker, failed ones first, newest first, with their attempts."""
    failed_first = Case(
        When(status=DeliveryStatus.FAILED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        Delivery.objects.select_related("notification__recipient")
        .prefetch_related("attempt_log")
        .annotate(failed_first=failed_first)
        .order_by("failed_first", "-created_at", "-id")
    )


def outbox_backlog() -> dict[str, int]:
    """Deliveries of this schema not yet done (waiting, being sent, or waiting for the provider's
    word), per channel; every channel named, so one that drained reads 0."""
    counts = dict(
        Delivery.objects.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.UNCONFIRMED])
        .values_list("channel")
        .annotate(n=Count("id"))
    )
    return {channel: counts.get(channel, 0) for channel in Channel.values}
