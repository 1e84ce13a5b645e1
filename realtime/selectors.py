from django.db.models import Case, IntegerField, QuerySet, Value, When

from realtime.models import Delivery, DeliveryStatus, Notification


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
