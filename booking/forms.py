from django import forms
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from booking.models import (
    MAX_RANGES_PER_DAY,
    SURVEY_ELEMENTS,
    ConsumerCategory,
    ExpertiseTag,
    Mode,
    NoShowParty,
    Purpose,
    WeeklyHours,
)
from core.uploads import clean_raster_image


class RequestForm(forms.Form):
    starts_at = forms.DateTimeField(widget=forms.HiddenInput)
    mode = forms.ChoiceField(
        label=_("How would you like to meet?"), choices=Mode.choices, widget=forms.RadioSelect, initial=Mode.ONLINE
    )
    topic = forms.CharField(
        label=_("Topic"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Poverty line of Sidoarjo 2023")}),
    )
    data_need = forms.CharField(
        label=_("What data do you need, and for what?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    consumer_category = forms.ChoiceField(label=_("You are"), choices=ConsumerCategory.choices)


class ApproveForm(forms.Form):
    meeting_link = forms.URLField(
        label=_("Meeting link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Leave empty to create a video meeting room automatically."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class RescheduleForm(ReasonForm):
    """The officer picks one of their own free times (the page fills the choices); a time no
    longer free is refused by the service."""

    starts_at = forms.DateTimeField(label=_("New time"), widget=forms.Select)

    field_order = ["starts_at", "reason"]

    def offer(self, slots, zone) -> None:
        """Offer `slots` grouped by local day, each labelled with its local start time."""
        days: dict[str, list] = {}
        for slot in slots:
            local = slot.starts_at.astimezone(zone)
            days.setdefault(date_format(local, "l, j F Y"), []).append((slot.starts_at.isoformat(), f"{local:%H:%M}"))
        empty = gettext("Choose a time") if days else gettext("No free time in the next two weeks")
        self.fields["starts_at"].widget.choices = [("", empty), *days.items()]


class NoShowForm(forms.Form):
    party = forms.ChoiceField(label=_("Who did not come?"), choices=NoShowParty.choices)
    reason = forms.CharField(label=_("Note"), max_length=1000, required=False)


SCORE_CHOICES = [(1, _("1 · Poor")), (2, _("2 · Fair")), (3, _("3 · Good")), (4, _("4 · Very good"))]


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Overall, how was the consultation?"),
        coerce=int,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comments"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in SURVEY_ELEMENTS:
            self.fields[name] = forms.TypedChoiceField(
                label=label, coerce=int, choices=SCORE_CHOICES, widget=forms.RadioSelect
            )

    def survey(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name, _label in SURVEY_ELEMENTS}


WEEKDAYS = WeeklyHours._meta.get_field("weekday").choices


class WeeklyHoursWidget(forms.MultiWidget):
    """A row per weekday with time pickers for up to two ranges (from, until), in place of a
    text format an admin had to learn."""

    template_name = "booking/widgets/weekly_hours.html"

    def __init__(self, attrs=None):
        widgets = {}
        for day, day_name in WEEKDAYS:
            for number in range(1, MAX_RANGES_PER_DAY + 1):
                for end, word in (("from", _("from")), ("until", _("until"))):
                    label = format_lazy("{}, {} ({})" if number > 1 else "{}, {}", day_name, word, number)
                    widgets[f"{day}_{number}_{end}"] = forms.TimeInput(
                        attrs={"type": "time", "aria-label": label}, format="%H:%M"
                    )
        super().__init__(widgets, attrs)

    def id_for_label(self, id_):
        return id_  # the fieldset around the rows, for the error summary's link

    def decompress(self, value):
        """`value` is the officer's WeeklyHours rows (a list would be taken as already split)."""
        values = {name: None for name in self.widgets_names}
        counts = dict.fromkeys(range(7), 0)
        for row in value or []:
            counts[row.weekday] += 1
            number = f"_{row.weekday}_{counts[row.weekday]}"
            values[f"{number}_from"], values[f"{number}_until"] = row.start_time, row.end_time
        return [values[name] for name in self.widgets_names]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        subwidgets = iter(context["widget"]["subwidgets"])
        context["days"] = [
            (day_name, [(next(subwidgets), next(subwidgets)) for _number in range(MAX_RANGES_PER_DAY)])
            for _day, day_name in WEEKDAYS
        ]
        return context


class WeeklyHoursField(forms.MultiValueField):
    """Cleans to [(weekday, "HH:MM", "HH:MM"), …], the shape booking.services.set_weekly_hours takes."""

    widget = WeeklyHoursWidget

    def __init__(self, **kwargs):
        fields = [forms.TimeField(required=False) for _name in WeeklyHoursWidget().widgets_names]
        super().__init__(fields, require_all_fields=False, required=False, **kwargs)

    def compress(self, data_list):
        """Pairs the pickers into ranges; whether a day's ranges make sense is the service's
        rule (booking.services.set_weekly_hours), refused there per day."""
        if not data_list:
            return []
        pairs = iter(zip(data_list[::2], data_list[1::2], strict=True))
        hours, problems = [], []
        for day, day_name in WEEKDAYS:
            for start, end in (next(pairs) for _number in range(MAX_RANGES_PER_DAY)):
                if start is None and end is None:
                    continue
                if start is None or end is None:
                    problems.append(gettext("%(day)s: fill in both “from” and “until”.") % {"day": day_name})
                else:
                    hours.append((day, f"{start:%H:%M}", f"{end:%H:%M}"))
        if problems:
            raise forms.ValidationError(problems)
        return hours


class OfficerProfileForm(forms.Form):
    photo = forms.FileField(label=_("Photo (PNG or JPG, at most 512 KB)"), required=False)
    bio = forms.CharField(
        label=_("Short bio"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    languages = forms.CharField(label=_("Languages"), max_length=100, initial="Bahasa Indonesia")
    is_active = forms.BooleanField(label=_("Accepting consultations"), required=False, initial=True)
    expertise = forms.ModelMultipleChoiceField(
        label=_("Expertise"),
        queryset=ExpertiseTag.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    weekly_hours = WeeklyHoursField(label=_("Weekly hours"))

    def clean_photo(self):
        return clean_raster_image(self.cleaned_data.get("photo"), "photo")


class BookingSettingsForm(forms.Form):
    slot_minutes = forms.IntegerField(label=_("Consultation length (minutes)"), min_value=15, max_value=240)
    buffer_minutes = forms.IntegerField(label=_("Buffer between consultations (minutes)"), min_value=0, max_value=120)
    min_notice_hours = forms.IntegerField(label=_("Minimum notice (hours)"), min_value=0, max_value=336)
    booking_window_days = forms.IntegerField(label=_("Booking window (days)"), min_value=1, max_value=365)
    daily_cap = forms.IntegerField(label=_("Consultations per officer per day"), min_value=1, max_value=20)
    officers_see_all = forms.BooleanField(
        label=_("Officers see every consultation of the satker, not only their own"), required=False
    )
    decision_standard_hours = forms.IntegerField(
        label=_("Service standard for a decision (hours)"), min_value=1, max_value=720
    )
    national_holidays = forms.BooleanField(
        label=_("Closed on national holidays and cuti bersama"),
        required=False,
        help_text=_("From the government's calendar; add the satker's own closed days below."),
    )


class DateOverrideForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("From"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Leave both times empty to close the day."),
    )
    end_time = forms.TimeField(label=_("Until"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))


class LeaveForm(forms.Form):
    start_date = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ExpertiseTagForm(forms.Form):
    tag = forms.ModelChoiceField(queryset=ExpertiseTag.objects.all(), required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=80)
    name_en = forms.CharField(label=_("English name"), max_length=80, required=False)
    keywords = forms.CharField(
        label=_("Search words"),
        max_length=300,
        required=False,
        help_text=_("Other words people use for this topic, separated by commas"),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class BaseExpertiseFormSet(forms.BaseFormSet):
    """Every tag of the satker as one form (a row each, and an empty row to add one), saved
    together. A service's refusal lands above the rows (core.pages.submit_form calls add_error)."""

    def add_error(self, field, errors):
        self._non_form_errors = self.error_class(
            [*self.non_form_errors(), *(errors if isinstance(errors, list) else [errors])]
        )

    def changed(self) -> list[dict]:
        return [form.cleaned_data for form in self.forms if form.has_changed() and form.cleaned_data]


ExpertiseFormSet = forms.formset_factory(ExpertiseTagForm, formset=BaseExpertiseFormSet, extra=1)


class ClosedDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=120)
