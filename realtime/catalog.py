"""What each kind of notification says, in the recipient's language.

Texts are written in English and translated (locale/); `render` runs them under the
recipient's language, so an English-speaking officer and an Indonesian consumer each read
their own.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import formats, translation
from django.utils.translation import gettext as _

from core.models import Role


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str


def _texts(kind: str) -> tuple[str, str]:
    """Title and body template of `kind`, translated into the active language."""
    texts = {
        "consultation_requested": (
            _("New consultation request"),
            _("%(consumer)s asks for a consultation on “%(topic)s” on %(when)s."),
        ),
        "consultation_approved": (
            _("Your consultation is approved"),
            _("“%(topic)s” with %(officer)s on %(when)s. Meeting link: %(meeting_link)s"),
        ),
        "consultation_declined": (_("Your consultation request was declined"), _("“%(topic)s”: %(reason)s")),
        "reschedule_proposed": (
            _("A new time is proposed for your consultation"),
            _("%(officer)s proposes %(when)s for “%(topic)s”: %(reason)s. Please accept or decline."),
        ),
        "reschedule_accepted": (_("The new time was accepted"), _("%(consumer)s accepted %(when)s for “%(topic)s”.")),
        "reschedule_declined": (
            _("The new time was declined"),
            _("%(consumer)s declined the new time for “%(topic)s”: %(reason)s"),
        ),
        "consultation_cancelled": (
            _("A consultation was cancelled"),
            _("“%(topic)s” on %(when)s was cancelled: %(reason)s"),
        ),
        "consultation_expired": (
            _("Your consultation request expired"),
            _("“%(topic)s” was not confirmed before %(when)s. Please choose another time."),
        ),
        "rating_requested": (
            _("How was your consultation?"),
            _("Please rate “%(topic)s” and answer the short satisfaction survey."),
        ),
        "reminder_today": (_("Consultation today"), _("Reminder: “%(topic)s” on %(when)s. %(meeting_link)s")),
        "reminder_day": (_("Consultation tomorrow"), _("Reminder: “%(topic)s” on %(when)s. %(meeting_link)s")),
        "reminder_hour": (
            _("Consultation in one hour"),
            _("Reminder: “%(topic)s” starts at %(when)s. %(meeting_link)s"),
        ),
        "quota_alert": (_("AIDA budget alert"), _("AIDA has used %(percent)s%% of this month's budget.")),
        "announcement": (_("New announcement on a topic you follow"), _("%(topic)s: %(title)s")),
        "data_release": (_("New data release on a topic you follow"), _("%(topic)s: %(title)s")),
        "invitation": (
            _("Invitation to HaloPST %(satker)s"),
            _(
                "You are invited to HaloPST %(satker)s as %(role)s. Open the link to set up your account; "
                "it is valid until %(valid_until)s and can be used once."
            ),
        ),
        "conversation_assigned": (
            _("A question for you"),
            _("%(consumer)s asks: “%(subject)s”. Please answer in the conversation."),
        ),
        "conversation_message": (_("New message from a consumer"), _("%(consumer)s wrote in “%(subject)s”.")),
        "conversation_reply": (_("An officer answered you"), _("%(officer)s answered “%(subject)s”.")),
        "conversation_rating": (
            _("How did we do?"),
            _("“%(subject)s” is closed. Please rate how we answered: %(link)s"),
        ),
        "requests_waiting": (
            _("Requests are waiting for you"),
            _("%(count)s consultation requests are waiting for your decision."),
        ),
    }
    return texts[kind]


def when(starts_at: str, zone: str, zone_label: str) -> str:
    """A moment (ISO) as a reader says it in the active language: "Senin, 7 Desember 2026 08:00 WIB"."""
    local = datetime.fromisoformat(starts_at).astimezone(ZoneInfo(zone))
    return f"{formats.date_format(local, 'l, j F Y')} {local:%H:%M} {zone_label}"


# A period the text adds after one the user wrote ("… jam itu." + ".").
_DOUBLED_STOP = re.compile(r"(?<=[.!?…])\.(?=\s|$)")


def render(kind: str, context: dict, language: str) -> Rendered:
    """The text of `kind` in `language`. A context with `starts_at` (ISO), `zone` and
    `zone_label` has its `when` written in that language too, and so are a `role` and a
    `valid_until` (ISO date)."""
    with translation.override(language or "id"):
        title, body = _texts(kind)
        if "starts_at" in context:
            context = {**context, "when": when(context["starts_at"], context["zone"], context["zone_label"])}
        if "role" in context:
            context = {**context, "role": str(Role(context["role"]).label)}
        if "valid_until" in context:
            context = {
                **context,
                "valid_until": formats.date_format(date.fromisoformat(context["valid_until"]), "j F Y"),
            }
    return Rendered(title=title % context, body=_DOUBLED_STOP.sub("", body % context).strip())
