from django import forms
from django.utils.translation import gettext_lazy as _

from booking.models import SURVEY_ELEMENTS, ConsumerCategory, ExpertiseTag, Mode, NoShowParty, Purpose
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
    starts_at = forms.DateTimeField(label=_("New time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


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
    weekly_hours = forms.CharField(
        label=_("Weekly hours"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One line per range: weekday number (1 = Monday … 7 = Sunday), from, until. E.g. 1 08:00 16:00"),
    )

    def clean_photo(self):
        return clean_raster_image(self.cleaned_data.get("photo"), "photo")

    def clean_weekly_hours(self):
        hours = []
        for number, line in enumerate(self.cleaned_data["weekly_hours"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split()
            if len(parts) != 3 or not parts[0].isdigit() or not 1 <= int(parts[0]) <= 7:
                raise forms.ValidationError(_("Line %(n)d is not like “1 08:00 16:00”.") % {"n": number})
            hours.append((int(parts[0]) - 1, parts[1], parts[2]))
        return hours


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
    name = forms.CharField(label=_("Name"), max_length=80)
    name_en = forms.CharField(label=_("English name"), max_length=80, required=False)
    keywords = forms.CharField(
        label=_("Search words"),
        max_length=300,
        required=False,
        help_text=_("Other words people use for this topic, separated by commas"),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ClosedDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=120)
