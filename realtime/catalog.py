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
from django.utils.translation import gettext_noop

from core.models import Role


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str


# Title and body template of each kind, in English; translated when one is rendered (only that
# one: translating all of them for each notification was most of a 100-recipient push).
_KINDS = {
    "consultation_requested": (
        gettext_noop("New consultation request"),
        gettext_noop("%(consumer)s asks for a consultation on “%(topic)s” on %(when)s."),
    ),
    "consultation_approved": (
        gettext_noop("Your consultation is approved"),
        gettext_noop("“%(topic)s” with %(officer)s on %(when)s. Meeting link: %(meeting_link)s"),
    ),
    "consultation_declined": (
        gettext_noop("Your consultation request was declined"),
        gettext_noop("“%(topic)s”: %(reason)s"),
    ),
    "reschedule_proposed": (
        gettext_noop("A new time is proposed for your consultation"),
        gettext_noop("%(officer)s proposes %(when)s for “%(topic)s”: %(reason)s. Please accept or decline."),
    ),
    "reschedule_accepted": (
        gettext_noop("The new time was accepted"),
        gettext_noop("%(consumer)s accepted %(when)s for “%(topic)s”."),
    ),
    "reschedule_declined": (
        gettext_noop("The new time was declined"),
        gettext_noop("%(consumer)s declined the new time for “%(topic)s”: %(reason)s"),
    ),
    "consultation_cancelled": (
        gettext_noop("A consultation was cancelled"),
        gettext_noop("“%(topic)s” on %(when)s was cancelled: %(reason)s"),
    ),
    "consultation_expired": (
        gettext_noop("Your consultation request expired"),
        gettext_noop("“%(topic)s” was not confirmed before %(when)s. Please choose another time."),
    ),
    "rating_requested": (
        gettext_noop("How was your consultation?"),
        gettext_noop("Please rate “%(topic)s” and answer the short satisfaction survey."),
    ),
    "reminder_today": (
        gettext_noop("Consultation today"),
        gettext_noop("Reminder: “%(topic)s” on %(when)s. %(meeting_link)s"),
    ),
    "reminder_day": (
        gettext_noop("Consultation tomorrow"),
        gettext_noop("Reminder: “%(topic)s” on %(when)s. %(meeting_link)s"),
    ),
    "reminder_hour": (
        gettext_noop("Consultation in one hour"),
        gettext_noop("Reminder: “%(topic)s” starts at %(when)s. %(meeting_link)s"),
    ),
    "quota_alert": (
        gettext_noop("AIDA budget alert"),
        gettext_noop("AIDA has used %(percent)s%% of this month's budget."),
    ),
    "announcement": (gettext_noop("New announcement on a topic you follow"), gettext_noop("%(topic)s: %(title)s")),
    "data_release": (gettext_noop("New data release on a topic you follow"), gettext_noop("%(topic)s: %(title)s")),
    "invitation": (
        gettext_noop("Invitation to HaloPST %(satker)s"),
        gettext_noop(
            "You are invited to HaloPST %(satker)s as %(role)s. Open the link to set up your account; "
            "it is valid until %(valid_until)s and can be used once."
        ),
    ),
    "conversation_assigned": (
        gettext_noop("A question for you"),
        gettext_noop("%(consumer)s asks: “%(subject)s”. Please answer in the conversation."),
    ),
    "conversation_message": (
        gettext_noop("New message from a consumer"),
        gettext_noop("%(consumer)s wrote in “%(subject)s”."),
    ),
    "conversation_reply": (
        gettext_noop("An officer answered you"),
        gettext_noop("%(officer)s answered “%(subject)s”."),
    ),
    "conversation_rating": (
        gettext_noop("How did we do?"),
        gettext_noop("“%(subject)s” is closed. Please rate how we answered: %(link)s"),
    ),
    "requests_waiting": (
        gettext_noop("Requests are waiting for you"),
        gettext_noop("%(count)s consultation requests are waiting for your decision."),
    ),
}


def _texts(kind: str) -> tuple[str, str]:
    """Title and body template of `kind`, translated into the active language."""
    title, body = _KINDS[kind]
    return _(title), _(body)


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
