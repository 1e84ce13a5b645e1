from django import forms
from django.utils.translation import gettext_lazy as _

from aida.models import EntryStatus, Verdict


class QuestionForm(forms.Form):
    question = forms.CharField(label=_("Your question"), min_length=3, max_length=1000)
    conversation = forms.IntegerField(required=False, min_value=1)


class EntryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)
    source_url = forms.URLField(label=_("Source link"), required=False, max_length=500, assume_scheme="https")
    tags = forms.CharField(label=_("Tags (comma-separated)"), required=False, max_length=300)
    language = forms.ChoiceField(label=_("Language"), choices=[("id", "Bahasa Indonesia"), ("en", "English")])
    status = forms.ChoiceField(label=_("Status"), choices=EntryStatus.choices)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV (title, body, source_url, tags, language) or Markdown (## Title …)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The file may be at most 2 MB."))
        try:
            return upload.name.lower(), upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file must be UTF-8 text.")) from None


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices, widget=forms.RadioSelect)
    corrected_text = forms.CharField(
        label=_("Corrected answer (becomes knowledge)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=8000,
    )
