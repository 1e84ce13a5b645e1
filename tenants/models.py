"""The satker registry: one row per BPS office, each with its own PostgreSQL schema."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

PUBLIC_SCHEMA = "public"

bps_code_validator = RegexValidator(r"^\d{4}$", _("A BPS code has exactly four digits."))
subdomain_validator = RegexValidator(
    r"^[a-z][a-z0-9]{1,39}$", _("A subdomain uses lowercase letters and digits only and starts with a letter.")
)
colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour is written as #RRGGBB."))


class Kind(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCE = "province", _("Province")
    REGENCY = "regency", _("Regency")
    CITY = "city", _("City")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


# Indonesia's three time zones (Asia/Pontianak keeps WIB, as West Kalimantan does).
TIMEZONE_LABELS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}
TIMEZONE_CHOICES = [(zone, f"{zone} ({label})") for zone, label in TIMEZONE_LABELS.items()]


def logo_upload_path(satker, filename):
    # Files of one satker stay under its own folder.
    return f"satkers/{satker.schema_name}/branding/{filename}"


class Satker(TenantMixin):
    code = models.CharField(_("BPS code"), max_length=4, unique=True, validators=[bps_code_validator])
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    subdomain = models.CharField(_("subdomain"), max_length=40, unique=True, validators=[subdomain_validator])
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("province")
    )
    timezone = models.CharField(_("time zone"), max_length=32, choices=TIMEZONE_CHOICES, default="Asia/Jakarta")
    display_name = models.CharField(_("display name"), max_length=120, blank=True)
    logo = models.FileField(_("logo"), upload_to=logo_upload_path, blank=True)
    primary_color = models.CharField(
        _("primary colour"), max_length=7, default="#0B5394", validators=[colour_validator]
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Schemas are made by cloning the template (tenants.schema_template), never by migrating.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(name="satker_code_is_four_digits", condition=Q(code__regex=r"^\d{4}$"),
                                   violation_error_message=_("A BPS code has exactly four digits.")),
            models.CheckConstraint(
                name="satker_timezone_is_indonesian",
                condition=Q(timezone__in=list(TIMEZONE_LABELS)),
                violation_error_message=_("Use one of Indonesia's time zones."),
            ),
            models.CheckConstraint(name="satker_colour_is_hex", condition=Q(primary_color__regex=r"^#[0-9a-fA-F]{6}$"),
                                   violation_error_message=_("A colour is written as #RRGGBB.")),
            # A province code ends in 00; a regency's is below 71, a city's from 71 (BPS convention).
            models.CheckConstraint(
                name="satker_kind_matches_code",
                condition=Q(kind="national", code="0000")
                | Q(kind="province", code__regex=r"^[1-9]\d00$")
                | Q(kind="regency", code__regex=r"^\d\d([0-6]\d)$", parent__isnull=False)
                | Q(kind="city", code__regex=r"^\d\d([7-9]\d)$", parent__isnull=False),
                violation_error_message=_(
                    "The kind does not match the BPS code: a province's code ends in 00, a regency's "
                    "last two digits are 01-69 and a city's 71-99."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def title(self):
        return self.display_name or f"BPS {self.name}"

    @property
    def timezone_label(self):
        return TIMEZONE_LABELS[self.timezone]

    @property
    def is_public(self):
        return self.schema_name == PUBLIC_SCHEMA

    @property
    def is_active(self):
        return self.status == Status.ACTIVE

    @property
    def province(self):
        return self if self.kind in (Kind.PROVINCE, Kind.NATIONAL) else self.parent

    def get_primary_domain(self):
        """Asked once per instance: a page that links one satker for each of its officers
        (the portal's search) would otherwise query its domain once per link."""
        if "_primary_domain" not in self.__dict__:
            self.__dict__["_primary_domain"] = super().get_primary_domain()
        return self.__dict__["_primary_domain"]


class Domain(DomainMixin):
    class Meta:
        ordering = ["domain"]


class SchemaTemplate(models.Model):
    """The DDL every new satker schema is created from (see tenants.schema_template)."""

    fingerprint = models.CharField(max_length=64, unique=True)
    ddl = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"schema template {self.fingerprint[:12]}"


# --- The public directory (tenants.directory) ---------------------------------------------
# Copies of what each satker shows the public, kept in step by its own services, so the
# portal searches one table instead of 550 schemas.

class DirectoryTopic(models.Model):
    """An active expertise tag of a satker."""

    satker = models.ForeignKey(Satker, on_delete=models.CASCADE, related_name="directory_topics")
    slug = models.SlugField()
    name = models.CharField(max_length=80)
    name_en = models.CharField(max_length=80, blank=True)
    keywords = models.CharField(max_length=300, blank=True)
    officer_count = models.PositiveIntegerField(default=0)
    search_vector = SearchVectorField(null=True)

    class Meta:
        ordering = ["satker", "name"]
        constraints = [models.UniqueConstraint(fields=["satker", "slug"], name="directory_topic_unique")]
        indexes = [GinIndex(fields=["search_vector"], name="directory_topic_search")]


class DirectoryOfficer(models.Model):
    """An officer of a satker who accepts consultations; `officer_id` is the profile's id in
    the satker's schema, `topics` the slugs of their active expertise."""

    satker = models.ForeignKey(Satker, on_delete=models.CASCADE, related_name="directory_officers")
    officer_id = models.PositiveIntegerField()
    name = models.CharField(max_length=150)
    topics = ArrayField(models.SlugField(), default=list)

    class Meta:
        ordering = ["satker", "name"]
        constraints = [models.UniqueConstraint(fields=["satker", "officer_id"], name="directory_officer_unique")]
        indexes = [GinIndex(fields=["topics"], name="directory_officer_topics")]


# --- Rollups (tenants.rollups) ------------------------------------------------------------
# Computed from a satker's own rows, never incremented: refreshing a day twice is harmless
# and a rebuild from the source gives the same rows.

class ServiceCounts(models.Model):
    """The numbers of a satker's service that add up over days (tenants.rollups.COUNTS)."""

    requests = models.PositiveIntegerField(default=0)
    new_consumers = models.PositiveIntegerField(default=0)
    returning_consumers = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    declined = models.PositiveIntegerField(default=0)
    rescheduled = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    expired = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveIntegerField(default=0)
    decided_within_standard = models.PositiveIntegerField(default=0)
    ratings = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    # All nine SKM elements' answers added up: the IKM needs only this (every element has the
    # same number of answers), and summing one column over a year of 552 satkers is cheap.
    survey_total = models.PositiveIntegerField(default=0)
    aida_questions = models.PositiveIntegerField(default=0)
    aida_rated = models.PositiveIntegerField(default=0)
    aida_helpful = models.PositiveIntegerField(default=0)
    aida_handoffs = models.PositiveIntegerField(default=0)
    aida_tokens = models.PositiveBigIntegerField(default=0)

    class Meta:
        abstract = True


class SatkerDay(ServiceCounts):
    """One satker's service on one calendar day of its own time zone. Rows exist only for
    days with some activity."""

    satker = models.ForeignKey(Satker, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    purposes = models.JSONField(default=dict)  # purpose → requests
    categories = models.JSONField(default=dict)  # consumer category → requests
    decision_minutes = ArrayField(models.PositiveIntegerField(), default=list)  # request → decision, per decision
    survey_sums = models.JSONField(default=dict)  # SKM element → sum of answers

    class Meta:
        ordering = ["satker", "day"]
        constraints = [
            models.UniqueConstraint(fields=["satker", "day"], name="satker_day_unique"),
            models.CheckConstraint(name="satker_day_helpful_within_rated", condition=Q(aida_helpful__lte=F("aida_rated"))),
        ]


class SatkerMonth(ServiceCounts):
    """The sums of a satker's SatkerDay rows for one month, so a year across 552 satkers reads
    6,600 rows instead of 200,000 (tenants.reports._period_totals)."""

    satker = models.ForeignKey(Satker, on_delete=models.CASCADE, related_name="months")
    month = models.DateField()  # the first day of the month

    class Meta:
        ordering = ["satker", "month"]
        constraints = [
            models.UniqueConstraint(fields=["satker", "month"], name="satker_month_unique"),
            models.CheckConstraint(name="satker_month_is_first_day", condition=Q(month__day=1)),
        ]


class SatkerPulse(models.Model):
    """A satker right now, for the command centre: refreshed with the day's rollup."""

    satker = models.OneToOneField(Satker, on_delete=models.CASCADE, primary_key=True, related_name="pulse")
    pending_since = ArrayField(models.DateTimeField(), default=list)  # when each undecided request came in
    decision_standard_hours = models.PositiveSmallIntegerField(default=24)
    local_day = models.DateField()
    consultations_today = models.PositiveIntegerField(default=0)
    aida_questions_today = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()


class OfficerMonth(models.Model):
    """One officer's month, for performance pages and leaderboards (see tenants.rollups.officer_score)."""

    satker = models.ForeignKey(Satker, on_delete=models.CASCADE, related_name="officer_months")
    month = models.DateField()  # the first day of the month
    officer_id = models.PositiveIntegerField()
    officer_name = models.CharField(max_length=150)
    completed = models.PositiveIntegerField(default=0)
    decisions = models.PositiveIntegerField(default=0)
    decided_within_standard = models.PositiveIntegerField(default=0)
    median_response_minutes = models.PositiveIntegerField(null=True)
    ratings = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    reviews = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveIntegerField(default=0)  # consultations the officer missed
    score = models.IntegerField(default=0)

    class Meta:
        ordering = ["satker", "month", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["satker", "month", "officer_id"], name="officer_month_unique"),
            models.CheckConstraint(name="officer_month_is_first_day", condition=Q(month__day=1)),
        ]
        indexes = [models.Index(fields=["month", "-score"], name="officer_month_ranking")]

    @property
    def rating_mean(self) -> float | None:
        return round(self.rating_sum / self.ratings, 2) if self.ratings else None
