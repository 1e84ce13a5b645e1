from django import forms
from django.utils.translation import gettext_lazy as _

from booking.selectors import active_tags
from conversations.models import CannedReply, ConversationSettings, WhatsAppTemplate
from conversations.services import check_attachment


class AttachmentField(forms.FileField):
    """A file as a data answer comes: size and kind checked where the service checks them."""

    def __init__(self, **kwargs):
        super().__init__(
            label=_("Attach a file (optional)"),
            required=False,
            help_text=_("PDF, Excel, CSV, Word, PNG or JPG, at most 5 MB."),
            **kwargs,
        )

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        try:
            check_attachment(upload or None)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["attachment"]) from None
        return upload or None


class AskForm(forms.Form):
    expertise = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=active_tags(),
        required=False,
        empty_label=_("Not sure: any officer"),
        to_field_name="slug",
    )
    subject = forms.CharField(
        label=_("Your question in a few words"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Poverty line of Sidoarjo 2023")}),
    )
    body = forms.CharField(
        label=_("What data do you need, and for what?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    attachment = AttachmentField()


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachment = AttachmentField()

    def clean(self):
        data = super().clean()
        if not data.get("body", "").strip() and not data.get("attachment"):
            raise forms.ValidationError(_("Write a message or attach a file."))
        return data


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note (only officers see it)"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class TransferForm(forms.Form):
    officer = forms.ModelChoiceField(label=_("Transfer to"), queryset=None)

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["officer"].label_from_instance = lambda officer: officer.user.full_name


class ConversationSettingsForm(forms.ModelForm):
    class Meta:
        model = ConversationSettings
        fields = ["open_per_officer", "reply_standard_minutes", "reassign_after_minutes"]


class WhatsAppNumberForm(forms.Form):
    phone_number_id = forms.RegexField(
        label=_("Phone number ID"),
        regex=r"^\d{5,40}$",
        help_text=_("From Meta's WhatsApp Manager: API setup → Phone number ID (digits only)."),
        error_messages={"invalid": _("The phone number ID is digits only.")},
    )
    display_number = forms.CharField(label=_("The number as people write it"), max_length=24)
    access_token = forms.CharField(
        label=_("Access token"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("A system user's permanent token. It is stored sealed and never shown again."),
    )


class TemplateForm(forms.ModelForm):
    class Meta:
        model = WhatsAppTemplate
        fields = ["name", "language"]


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the answer?"),
        choices=[(5, _("5 · Very satisfied")), (4, "4"), (3, "3"), (2, "2"), (1, _("1 · Not satisfied"))],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything we should know? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CannedReplyForm(forms.ModelForm):
    class Meta:
        model = CannedReply
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}
