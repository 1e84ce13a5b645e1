"""The period and month a report covers."""

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_PERIOD_DAYS = 731


PERIOD_PRESETS = [(7, _("7 days")), (30, _("30 days")), (90, _("90 days")), (365, _("1 year"))]


class PeriodForm(forms.Form):
    """A period of local days for reports: a preset length ending today, or two dates."""

    periode = forms.TypedChoiceField(label=_("Period"), choices=PERIOD_PRESETS, coerce=int, required=False)
    dari = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sampai = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, today):
        super().__init__(data)
        self.today = today

    def clean(self):
        data = super().clean()
        last = data.get("sampai") or self.today
        first = data.get("dari") or last - timedelta(days=(data.get("periode") or 30) - 1)
        if first > last:
            raise forms.ValidationError(_("The start of the period must not be after its end."))
        if (last - first).days >= MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("A period can be at most two years long."))
        data["first"], data["last"] = first, last
        return data


class MonthForm(forms.Form):
    bulan = forms.RegexField(
        label=_("Month"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"invalid": _("Write the month as YYYY-MM.")},
    )

    def __init__(self, data, *, today):
        super().__init__(data)
        self.today = today

    def clean(self):
        data = super().clean()
        value = data.get("bulan")
        data["month"] = date.fromisoformat(f"{value}-01") if value else self.today.replace(day=1)
        return data
