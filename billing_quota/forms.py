"""The form a province or national admin sets a satker's AIDA limits with."""

from django import forms
from django.utils.translation import gettext_lazy as _


class QuotaForm(forms.Form):
    plan = forms.ChoiceField(
        label=_("Plan"), choices=[("basic", _("Basic")), ("standard", _("Standard")), ("province", _("Province"))]
    )
    monthly_token_limit = forms.IntegerField(label=_("Tokens per month"), min_value=0, max_value=10**10)
    monthly_request_limit = forms.IntegerField(label=_("Questions per month"), min_value=0, max_value=10**7)
