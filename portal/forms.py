"""The console's onboarding form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.models import TIMEZONE_CHOICES, Kind


class OnboardSatkerForm(forms.Form):
    code = forms.RegexField(
        label=_("BPS code"),
        regex=r"^\d{4}$",
        max_length=4,
        error_messages={"invalid": _("A BPS code has exactly four digits.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(k.value, k.label) for k in (Kind.PROVINCE, Kind.REGENCY, Kind.CITY)]
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    subdomain = forms.RegexField(
        label=_("Subdomain"),
        regex=r"^[a-z][a-z0-9]{1,39}$",
        max_length=40,
        error_messages={"invalid": _("Use lowercase letters and digits only, starting with a letter.")},
    )
    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIMEZONE_CHOICES)
    admin_email = forms.EmailField(label=_("First admin's email"), required=False)
    admin_name = forms.CharField(label=_("First admin's name"), max_length=150, required=False)
