"""A satker admin's branding form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.uploads import clean_raster_image


class BrandingForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=120,
        required=False,
        help_text=_("Shown at the top of every page, e.g. BPS Kabupaten Sidoarjo."),
    )
    primary_color = forms.RegexField(
        label=_("Primary colour"),
        regex=r"^#[0-9a-fA-F]{6}$",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
        error_messages={"invalid": _("A colour is written as #RRGGBB.")},
    )
    logo = forms.FileField(label=_("Logo (PNG or JPG, at most 512 KB)"), required=False)

    def clean_logo(self):
        return clean_raster_image(self.cleaned_data.get("logo"), "logo")
