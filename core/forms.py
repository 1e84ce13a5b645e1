import re

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "That email and password do not match an account here. Check both (the password is "
            "case-sensitive), or reset your password."
        ),
    }

    def clean_username(self):
        return self.cleaned_data["username"].lower()


class WhatsAppNumberField(forms.RegexField):
    """An Indonesian mobile number as people write it ("0812-3456-7890", "+62 812 3456 7890"),
    kept as its digits (and a leading +)."""

    def __init__(self, **kwargs):
        super().__init__(
            regex=r"^(\+62|62|0)8[0-9]{7,12}$",
            max_length=24,
            label=_("WhatsApp number"),
            help_text=_("For example 0812-3456-7890."),
            error_messages={"invalid": _("Enter an Indonesian mobile number, e.g. 0812-3456-7890.")},
            **kwargs,
        )
        self.widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})

    def to_python(self, value):
        return re.sub(r"[\s().-]", "", super().to_python(value))


def new_password_field():
    """A new password: its rules shown before the first try, and kept when another field is refused."""
    return forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
        help_text=" ".join(str(text) for text in password_validators_help_texts()),
    )


class SignUpForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    whatsapp = WhatsAppNumberField()
    password = new_password_field()
    consent = forms.BooleanField(
        label=_("I have read and accept the privacy notice (UU PDP 27/2022)."),
        error_messages={"required": _("You must accept the privacy notice to sign up.")},
    )


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password = new_password_field()


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    whatsapp = WhatsAppNumberField(required=False)
    language = forms.ChoiceField(label=_("Language of messages"), choices=settings.LANGUAGES)
    notify_by_email = forms.BooleanField(label=_("Send me notifications by email"), required=False)
    notify_by_whatsapp = forms.BooleanField(label=_("Send me notifications by WhatsApp"), required=False)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label=_("Your password, to confirm"), widget=forms.PasswordInput)


class TwoFactorForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=20,
        help_text=_("Lost your phone? Enter one of your recovery codes instead."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


class UnlockForm(forms.Form):
    username = forms.CharField(max_length=254, required=False)
    ip_address = forms.GenericIPAddressField(required=False)

    def clean(self):
        data = super().clean()
        if not data.get("username") and not data.get("ip_address"):
            raise forms.ValidationError(_("Name an account or an address to unlock."))
        return data


class InviteForm(forms.Form):
    """Whom to invite: an officer, a satker admin or a province admin."""

    email = forms.EmailField(label=_("Email"))
    full_name = forms.CharField(label=_("Name"), max_length=150, required=False)
