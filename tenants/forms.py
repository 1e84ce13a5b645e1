"""A satker admin's branding and office contact forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import WhatsAppNumberField
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


class OfficeContactForm(forms.Form):
    address = forms.CharField(
        label=_("Address"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    opening_hours = forms.CharField(
        label=_("Opening hours"),
        max_length=200,
        required=False,
        help_text=_("As visitors should read them, e.g. Senin–Kamis 08.00–15.30, Jumat 08.00–16.00."),
    )
    phone = forms.RegexField(
        label=_("Telephone"),
        regex=r"^\+?[0-9(][0-9 ()-]{5,28}$",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"invalid": _("Enter a telephone number, e.g. (031) 8941744.")},
    )
    whatsapp = WhatsAppNumberField(required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    map_url = forms.URLField(
        label=_("Map link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("A link to the office on a map (https). Left empty, the address is searched on the map."),
    )
