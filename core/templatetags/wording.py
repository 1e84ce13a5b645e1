"""Numbers said the way a person says them."""

from django import template
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def minutes_in_words(minutes: int | None) -> str:
    """90 → "1 jam 30 menit"; 0 → "kurang dari 1 menit"; 2 days and more → days and hours."""
    if minutes is None:
        return "–"
    if minutes < 1:
        return ngettext("less than %(count)d minute", "less than %(count)d minutes", 1) % {"count": 1}
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [
        ngettext("%(count)d day", "%(count)d days", days) % {"count": days} if days else "",
        ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours} if hours else "",
        ngettext("%(count)d minute", "%(count)d minutes", mins) % {"count": mins} if mins and not days else "",
    ]
    return " ".join(part for part in parts if part)
