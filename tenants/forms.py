from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from core.uploads import clean_raster_image
from tenants.models import TIMEZONE_CHOICES, Kind


class OnboardSatkerForm(forms.Form):
    code = forms.RegexField(label=_("BPS code"), regex=r"^\d{4}$", max_length=4,
                            error_messages={"invalid": _("A BPS code has exactly four digits.")})
    kind = forms.ChoiceField(label=_("Kind"), choices=[(k.value, k.label) for k in (Kind.PROVINCE, Kind.REGENCY, Kind.CITY)])
    name = forms.CharField(label=_("Name"), max_length=120)
    subdomain = forms.RegexField(label=_("Subdomain"), regex=r"^[a-z][a-z0-9]{1,39}$", max_length=40,
                                 error_messages={"invalid": _("Use lowercase letters and digits only, starting with a letter.")})
    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIMEZONE_CHOICES)
    admin_email = forms.EmailField(label=_("First admin's email"), required=False)
    admin_name = forms.CharField(label=_("First admin's name"), max_length=150, required=False)


class InviteAdminForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    full_name = forms.CharField(label=_("Name"), max_length=150, required=False)


class BrandingForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=120, required=False,
                                   help_text=_("Shown at the top of every page, e.g. BPS Kabupaten Sidoarjo."))
    primary_color = forms.RegexField(label=_("Primary colour"), regex=r"^#[0-9a-fA-F]{6}$", max_length=7,
                                     widget=forms.TextInput(attrs={"type": "color"}),
                                     error_messages={"invalid": _("A colour is written as #RRGGBB.")})
    logo = forms.FileField(label=_("Logo (PNG or JPG, at most 512 KB)"), required=False)

    def clean_logo(self):
        return clean_raster_image(self.cleaned_data.get("logo"), "logo")


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
    bulan = forms.RegexField(label=_("Month"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False,
                             widget=forms.TextInput(attrs={"type": "month"}),
                             error_messages={"invalid": _("Write the month as YYYY-MM.")})

    def __init__(self, data, *, today):
        super().__init__(data)
        self.today = today

    def clean(self):
        data = super().clean()
        value = data.get("bulan")
        data["month"] = date.fromisoformat(f"{value}-01") if value else self.today.replace(day=1)
        return data
