"""Consultations and what they are booked against: officers, expertise, availability.

All of it lives in each satker's own schema. The database keeps the promises that matter:
one officer's held consultations never overlap (an exclusion constraint), scores stay on their
scales, a state change always leaves an event behind (services write both in one transaction).
"""

import uuid

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import connection, models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _


class ExpertiseTag(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    # Words people search with that the name lacks ("miskin", "IHK"): the portal matches them.
    keywords = models.CharField(
        _("search words"),
        max_length=300,
        blank=True,
        help_text=_("Other words people use for this topic, separated by commas"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def label(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


def officer_photo_path(profile, filename):
    # Files of one satker stay under its own folder.
    return f"satkers/{connection.schema_name}/officers/{profile.user_id}/{filename}"


class OfficerProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="officer_profile")
    photo = models.FileField(_("photo"), upload_to=officer_photo_path, blank=True)
    bio = models.TextField(_("short bio"), blank=True, max_length=1000)
    languages = models.CharField(_("languages"), max_length=100, default="Bahasa Indonesia")
    is_active = models.BooleanField(_("accepting consultations"), default=True)
    expertise = models.ManyToManyField(ExpertiseTag, related_name="officers", blank=True, verbose_name=_("expertise"))

    class Meta:
        ordering = ["user__full_name"]

    def __str__(self):
        return self.user.full_name


class BookingSettings(models.Model):
    """The satker's booking rules: one row per schema (id is always 1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    slot_minutes = models.PositiveSmallIntegerField(_("consultation length (minutes)"), default=60)
    buffer_minutes = models.PositiveSmallIntegerField(_("buffer between consultations (minutes)"), default=15)
    min_notice_hours = models.PositiveSmallIntegerField(_("minimum notice (hours)"), default=4)
    booking_window_days = models.PositiveSmallIntegerField(_("booking window (days)"), default=60)
    daily_cap = models.PositiveSmallIntegerField(_("consultations per officer per day"), default=5)
    decision_standard_hours = models.PositiveSmallIntegerField(_("service standard for a decision (hours)"), default=24)
    officers_see_all = models.BooleanField(_("officers see every consultation of the satker"), default=False)
    national_holidays = models.BooleanField(
        _("closed on national holidays and cuti bersama"),
        default=True,
        help_text=_("From the government's calendar; add the satker's own closed days below."),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(name="booking_settings_singleton", condition=Q(id=1)),
            models.CheckConstraint(
                name="booking_slot_length_sane", condition=Q(slot_minutes__gte=15, slot_minutes__lte=240)
            ),
            models.CheckConstraint(
                name="booking_window_sane", condition=Q(booking_window_days__gte=1, booking_window_days__lte=365)
            ),
            models.CheckConstraint(name="booking_cap_positive", condition=Q(daily_cap__gte=1)),
        ]

    @classmethod
    def current(cls) -> "BookingSettings":
        """The satker's rules; the defaults until an admin saves them (the row is seeded)."""
        return cls.objects.filter(id=1).first() or cls()


# An officer's day has at most two ranges of hours: a morning and an afternoon around a break.
MAX_RANGES_PER_DAY = 2


class WeeklyHours(models.Model):
    """An officer's regular opening hours on one weekday, in the satker's time zone."""

    officer = models.ForeignKey(OfficerProfile, on_delete=models.CASCADE, related_name="weekly_hours")
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(name="weekly_hours_order", condition=Q(start_time__lt=F("end_time"))),
            models.CheckConstraint(name="weekly_hours_weekday", condition=Q(weekday__lte=6)),
        ]


class DateOverride(models.Model):
    """Hours that replace an officer's weekly hours on one date; a row without hours closes the day."""

    officer = models.ForeignKey(OfficerProfile, on_delete=models.CASCADE, related_name="date_overrides")
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("from"), null=True, blank=True)
    end_time = models.TimeField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                name="date_override_hours",
                condition=Q(start_time__isnull=True, end_time__isnull=True) | Q(start_time__lt=F("end_time")),
            ),
        ]


class ClosedDay(models.Model):
    """A day the whole satker is closed: national holidays, cuti bersama."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["date"]


class OfficerLeave(models.Model):
    officer = models.ForeignKey(OfficerProfile, on_delete=models.CASCADE, related_name="leaves")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["start_date"]
        constraints = [models.CheckConstraint(name="leave_order", condition=Q(start_date__lte=F("end_date")))]


class Status(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    RESCHEDULE_PROPOSED = "reschedule_proposed", _("New time proposed")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    COMPLETED = "completed", _("Completed")
    RATED = "rated", _("Rated")
    NO_SHOW = "no_show", _("No-show")


# States in which a consultation holds its officer's time.
HOLDING_STATUSES = [Status.REQUESTED, Status.APPROVED, Status.RESCHEDULE_PROPOSED]


class Mode(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")


class Purpose(models.TextChoices):
    STUDY = "study", _("Study / thesis")
    RESEARCH = "research", _("Research")
    POLICY = "policy", _("Government planning and policy")
    BUSINESS = "business", _("Business")
    JOURNALISM = "journalism", _("Journalism")
    OTHER = "other", _("Other")


class ConsumerCategory(models.TextChoices):
    STUDENT = "student", _("Student")
    RESEARCHER = "researcher", _("Researcher / academic")
    GOVERNMENT = "government", _("Government")
    PRIVATE = "private", _("Private sector")
    MEDIA = "media", _("Media")
    OTHER = "other", _("Other")


class NoShowParty(models.TextChoices):
    CONSUMER = "consumer", _("Consumer")
    OFFICER = "officer", _("Officer")


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = models.DateTimeField()


class Consultation(models.Model):
    consumer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultations")
    officer = models.ForeignKey(OfficerProfile, on_delete=models.PROTECT, related_name="consultations")
    expertise = models.ForeignKey(ExpertiseTag, null=True, blank=True, on_delete=models.SET_NULL)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # The officer's time is held until here: the end plus the satker's buffer.
    held_until = models.DateTimeField()
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.ONLINE)
    topic = models.CharField(_("topic"), max_length=200)
    data_need = models.TextField(_("data needed"), max_length=4000)
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    consumer_category = models.CharField(_("you are"), max_length=12, choices=ConsumerCategory.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    meeting_link = models.URLField(_("meeting link"), blank=True, max_length=500)
    reason = models.TextField(_("reason"), blank=True, max_length=1000)
    no_show_party = models.CharField(max_length=10, choices=NoShowParty.choices, blank=True)
    calendar_uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    calendar_sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["officer", "starts_at"]),
            models.Index(fields=["consumer", "-starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="consultation_time_order",
                condition=Q(starts_at__lt=F("ends_at")) & Q(ends_at__lte=F("held_until")),
            ),
            ExclusionConstraint(
                name="consultation_no_double_booking",
                expressions=[
                    ("officer", RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "held_until"), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=HOLDING_STATUSES),
            ),
            models.CheckConstraint(
                name="consultation_reason_when_refused",
                condition=~Q(status__in=[Status.DECLINED, Status.CANCELLED]) | ~Q(reason=""),
            ),
            models.CheckConstraint(
                name="consultation_link_when_approved",
                condition=~Q(status=Status.APPROVED) | ~Q(meeting_link="") | Q(mode=Mode.IN_PERSON),
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.topic}"

    @property
    def is_holding(self):
        return self.status in HOLDING_STATUSES


class Action(models.TextChoices):
    """What happened to a consultation; the name a ConsultationEvent records. Reports count
    these constants, so renaming one is a change they see."""

    REQUEST = "request", _("Requested")
    APPROVE = "approve", _("Approved")
    DECLINE = "decline", _("Declined")
    PROPOSE_RESCHEDULE = "propose_reschedule", _("New time proposed")
    ACCEPT_RESCHEDULE = "accept_reschedule", _("New time accepted")
    DECLINE_RESCHEDULE = "decline_reschedule", _("New time declined")
    CANCEL = "cancel", _("Cancelled")
    COMPLETE = "complete", _("Completed")
    NO_SHOW = "no_show", _("No-show")
    RATE = "rate", _("Rated")
    EXPIRE = "expire", _("Expired")


class ConsultationEvent(models.Model):
    """The audit trail: one row per state change, written by the service that made it."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)  # an Action; no choices, so no migration renames history
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    reason = models.TextField(blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


SURVEY_ELEMENTS = [
    ("u1_requirements", _("Service requirements")),
    ("u2_procedure", _("Systems, mechanisms and procedures")),
    ("u3_completion_time", _("Completion time")),
    ("u4_cost", _("Cost / tariff")),
    ("u5_product", _("Product specification")),
    ("u6_competence", _("Staff competence")),
    ("u7_behaviour", _("Staff behaviour")),
    ("u8_complaints", _("Handling of complaints, suggestions and input")),
    ("u9_facilities", _("Facilities and infrastructure")),
]
SURVEY_SCALE_MAX = 4


def _survey_field(label):
    return models.PositiveSmallIntegerField(label)


class Feedback(models.Model):
    """The consumer's rating (1-5) and the nine-element SKM survey (Permenpan RB 14/2017, 1-4)."""

    consultation = models.OneToOneField(Consultation, on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    rating_scale_max = models.PositiveSmallIntegerField(default=5, editable=False)
    survey_scale_max = models.PositiveSmallIntegerField(default=SURVEY_SCALE_MAX, editable=False)
    u1_requirements = _survey_field(SURVEY_ELEMENTS[0][1])
    u2_procedure = _survey_field(SURVEY_ELEMENTS[1][1])
    u3_completion_time = _survey_field(SURVEY_ELEMENTS[2][1])
    u4_cost = _survey_field(SURVEY_ELEMENTS[3][1])
    u5_product = _survey_field(SURVEY_ELEMENTS[4][1])
    u6_competence = _survey_field(SURVEY_ELEMENTS[5][1])
    u7_behaviour = _survey_field(SURVEY_ELEMENTS[6][1])
    u8_complaints = _survey_field(SURVEY_ELEMENTS[7][1])
    u9_facilities = _survey_field(SURVEY_ELEMENTS[8][1])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(name="feedback_rating_range", condition=Q(rating__gte=1, rating__lte=5)),
            *[
                models.CheckConstraint(
                    name=f"feedback_{name}_range", condition=Q(**{f"{name}__gte": 1, f"{name}__lte": 4})
                )
                for name, _label in SURVEY_ELEMENTS
            ],
        ]
