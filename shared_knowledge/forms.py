from django import forms
from django.utils.translation import gettext_lazy as _

# What the form sends for "every satker": a choice cannot be empty and still count as chosen.
NATIONAL_CHOICE = "nasional"


class SharedEntryForm(forms.Form):
    scope = forms.ChoiceField(label=_("For"))
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}))
    source_url = forms.URLField(label=_("Source link"), required=False, max_length=500, assume_scheme="https")
    tags = forms.CharField(label=_("Tags"), required=False, max_length=300, help_text=_("Comma-separated"))
    language = forms.ChoiceField(label=_("Language"), choices=[("id", "Bahasa Indonesia"), ("en", "English")])

    def __init__(self, *args, scopes: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scopes

    def clean_scope(self) -> str:
        scope = self.cleaned_data["scope"]
        return "" if scope == NATIONAL_CHOICE else scope
