"""Small query helpers shared by apps."""

from datetime import date
from zoneinfo import ZoneInfo

from django.db.models.functions import TruncDate


def local_days(sources, zone: ZoneInfo) -> set[date]:
    """The local days (in `zone`) on which any row of the (model, datetime column) `sources` falls."""
    days = set()
    for model, column in sources:
        days.update(
            model.objects.filter(**{f"{column}__isnull": False})
            .annotate(day=TruncDate(column, tzinfo=zone))
            .values_list("day", flat=True)
            .distinct()
        )
    return days
