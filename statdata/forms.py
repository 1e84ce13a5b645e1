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


class UploadTableForm(forms.Form):
    table = forms.FileField(
        label=_("Table (CSV or XLSX)"),
        help_text=_(
            "One row per area and year, one column per indicator: a BPS dynamic-table export or a table of Dalam Angka. At most 5 MB."
        ),
    )
    title = forms.CharField(
        label=_("Title of the source"),
        max_length=300,
        help_text=_("As AIDA names it under every figure, e.g. “Kabupaten Sidoarjo Dalam Angka 2025, Tabel 3.2.1”."),
    )
    publisher = forms.CharField(label=_("Publisher"), max_length=200)
    url = forms.URLField(label=_("Link to the source"), required=False, max_length=500, assume_scheme="https")
    released_on = forms.DateField(
        label=_("Release date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


IGNORE, NEW = "", "+"
HINTS_AREA = ("kabupaten", "kab", "kota", "wilayah", "daerah", "area", "region", "kecamatan")
HINTS_YEAR = ("tahun", "year", "periode", "period")


def _guess(header: list[str], hints) -> int | None:
    for index, name in enumerate(header):
        if any(hint in name.lower().replace("_", " ").split() or name.lower().startswith(hint) for hint in hints):
            return index
    return None


class MappingForm(forms.Form):
    """Which column is the area, which the year, and which variable each other column holds
    (an existing one, a new one named after the column, or none)."""

    def __init__(self, *args, header: list[str], variables, **kwargs):
        super().__init__(*args, **kwargs)
        self.header = header
        columns = list(enumerate(header))
        column_choices = [(str(index), name) for index, name in columns]
        self.fields["area_column"] = forms.TypedChoiceField(
            label=_("Column of the area"), choices=column_choices, coerce=int, initial=_guess(header, HINTS_AREA)
        )
        self.fields["year_column"] = forms.TypedChoiceField(
            label=_("Column of the year"), choices=column_choices, coerce=int, initial=_guess(header, HINTS_YEAR)
        )
        known = {variable.slug: variable for variable in variables}
        by_name = {
            name.lower(): variable.slug for variable in variables for name in (variable.title, *variable.aliases)
        }
        variable_choices = [(IGNORE, _("— not imported —")), (NEW, _("a new indicator named after the column"))]
        variable_choices += [(slug, variable.title) for slug, variable in known.items()]
        self.known = known
        for index, name in columns:
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=name,
                choices=variable_choices,
                required=False,
                initial=by_name.get(name.lower().replace("_", " "), by_name.get(name.lower(), NEW)),
            )
            self.fields[f"unit_{index}"] = forms.CharField(
                label=_("Unit of a new indicator"), required=False, max_length=80
            )

    def column_fields(self):
        return [(index, name, self[f"column_{index}"], self[f"unit_{index}"]) for index, name in enumerate(self.header)]

    def clean(self):
        data = super().clean()
        area, year = data.get("area_column"), data.get("year_column")
        if area is not None and area == year:
            self.add_error("year_column", _("The year and the area cannot be the same column."))
        chosen = [
            index
            for index in range(len(self.header))
            if index not in (area, year) and data.get(f"column_{index}", IGNORE) != IGNORE
        ]
        if not chosen:
            raise forms.ValidationError(_("Choose the indicator of at least one column of values."))
        data["value_columns"] = chosen
        return data
