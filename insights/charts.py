"""Chart geometry for report pages. Bars are drawn as SVG by the templates with sizes as
attributes (the Content-Security-Policy forbids inline styles), so no chart library or
script is needed and a phone shows them as they are."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from booking.models import ConsumerCategory, Purpose


@dataclass
class Bar:
    label: str
    value: int
    percent: float  # of the largest bar in the chart


def bars(items: list[tuple[str, int]]) -> list[Bar]:
    top = max((value for _label, value in items), default=0)
    return [Bar(label, value, round(100 * value / top, 1) if top else 0) for label, value in items]


def trend_points(values: list[int], *, width: int = 100, height: int = 24) -> str:
    """An SVG polyline's points for a small trend line, the largest value at the top."""
    top = max(values, default=0) or 1
    step = width / max(len(values) - 1, 1)
    return " ".join(f"{round(i * step, 1)},{round(height - height * value / top, 1)}" for i, value in enumerate(values))


def dashboard_charts(summary: dict) -> dict:
    purposes = dict(Purpose.choices)
    categories = dict(ConsumerCategory.choices)
    return {
        "outcomes": bars(
            [
                (_("Requests"), summary["requests"]),
                (_("Approved"), summary["approved"]),
                (_("Declined"), summary["declined"]),
                (_("New time proposed"), summary["rescheduled"]),
                (_("Cancelled"), summary["cancelled"]),
                (_("Expired"), summary["expired"]),
                (_("Completed"), summary["completed"]),
                (_("No-show"), summary["no_shows"]),
            ]
        ),
        "weeks": bars([(f"{week['week']:%d/%m}", week["requests"]) for week in summary["weeks"]]),
        "consumers": bars(
            [(_("New consumers"), summary["new_consumers"]), (_("Returning consumers"), summary["returning_consumers"])]
        ),
        "purposes": bars([(str(purposes.get(key, key)), value) for key, value in summary["purposes"].items()]),
        "categories": bars([(str(categories.get(key, key)), value) for key, value in summary["categories"].items()]),
    }
