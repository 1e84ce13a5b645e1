from django import forms
from django.utils.translation import gettext_lazy as _


class FollowTableForm(forms.Form):
    variable_id = forms.RegexField(
        label=_("Variable id in the BPS WebAPI"),
        regex=r"^\s*[0-9]{1,12}\s*$",
        error_messages={"invalid": _("A variable id is a number, as in the WebAPI's list of variables.")},
        help_text=_("The number of a dynamic table of this office's domain, e.g. 543."),
    )
    aliases = forms.CharField(
        label=_("Other names people use"),
        required=False,
        max_length=500,
        help_text=_("Comma-separated, e.g. tpt, pengangguran. AIDA finds the table by these and by its title."),
    )
