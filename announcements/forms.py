from django import forms
from django.utils.translation import gettext_lazy as _

from announcements.models import AnnouncementKind
from booking.selectors import active_tags


class AnnouncementForm(forms.Form):
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=active_tags())
    kind = forms.ChoiceField(label=_("Kind"), choices=AnnouncementKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    link = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https")
