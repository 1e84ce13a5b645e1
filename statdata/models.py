"""Statistical figures, kept once in the public schema for every satker's AIDA.

A figure is an observation: one variable, one area, one period, the value exactly as published,
and the source it came from. Figures are public data, so they are not per satker; a satker's AIDA
prefers its own area. A revision does not overwrite: the old observation is kept, marked
superseded, and the new one names its own source (its vintage).
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Area(models.Model):
    """A BPS area: the nation (0000), a province (3500) or a regency/city (3578)."""

    code = models.CharField(max_length=4, unique=True)
    name = models.CharField(max_length=120)
    # Lower-case ways people write it ("sidoarjo", "kab. sidoarjo", "kota sby"); an alias two
    # areas share ("malang") makes the question ambiguous, and AIDA asks back.
    aliases = ArrayField(models.CharField(max_length=80), default=list, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.CheckConstraint(name="area_code_is_four_digits", condition=Q(code__regex=r"^[0-9]{4}$"))]

    def __str__(self):
        return f"{self.code} {self.name}"


class Variable(models.Model):
    """What is measured: "Tingkat Pengangguran Terbuka", in percent, with two decimals."""

    slug = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    unit = models.CharField(max_length=80, blank=True)
    unit_en = models.CharField(max_length=80, blank=True)
    decimals = models.PositiveSmallIntegerField(default=2)
    subject = models.CharField(max_length=120, blank=True)
    # Lower-case names people use, Indonesian and English: "tpt", "pengangguran", "unemployment rate".
    aliases = ArrayField(models.CharField(max_length=80), default=list, blank=True)
    definition_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title


class SourceKind(models.TextChoices):
    WEBAPI = "webapi", _("BPS WebAPI")
    TABLE = "table", _("Uploaded table")
    DEMO = "demo", _("Demo data")


class Source(models.Model):
    """Where observations came from: a table or API resource, as retrieved at one moment."""

    kind = models.CharField(max_length=10, choices=SourceKind.choices)
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, default="BPS")
    url = models.URLField(max_length=500, blank=True)
    released_on = models.DateField(null=True, blank=True)
    retrieved_at = models.DateTimeField(default=timezone.now)
    # What a reader must know: for demo data, that it is demo data, where it came from, and
    # what in it is unfit. Shown with every figure from this source.
    note = models.TextField(blank=True)
    uploaded_by = models.CharField(max_length=4, blank=True)  # the code of the satker that uploaded a table

    class Meta:
        constraints = [
            models.CheckConstraint(name="demo_source_says_why", condition=~Q(kind="demo") | ~Q(note="")),
        ]

    def __str__(self):
        return self.title

    @property
    def is_demo(self) -> bool:
        return self.kind == SourceKind.DEMO


class Status(models.TextChoices):
    FINAL = "final", _("Final")
    PRELIMINARY = "preliminary", _("Preliminary")
    REVISED = "revised", _("Revised")


class Observation(models.Model):
    variable = models.ForeignKey(Variable, on_delete=models.PROTECT, related_name="observations")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="observations")
    year = models.PositiveSmallIntegerField()
    # "" for a year; "S1"/"S2", "Q1"…"Q4", "M01"…"M12" (poverty's March and September: M03, M09).
    subperiod = models.CharField(max_length=3, blank=True, default="")
    # The value as published, digits and all: "5.76" stays "5.76", never 5.7600000001.
    value = models.DecimalField(max_digits=24, decimal_places=6)
    published = models.CharField(max_length=40)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.FINAL)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="observations")
    recorded_at = models.DateTimeField(default=timezone.now)
    # Set when a later vintage replaced this value; the row stays, so history is kept.
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["variable", "area", "year", "subperiod"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_observation",
            ),
            models.CheckConstraint(
                name="observation_subperiod_known",
                condition=Q(subperiod="") | Q(subperiod__regex=r"^(S[12]|Q[1-4]|M(0[1-9]|1[0-2]))$"),
            ),
            models.CheckConstraint(name="observation_year_plausible", condition=Q(year__gte=1945, year__lte=2100)),
        ]
        indexes = [
            models.Index(
                fields=["variable", "area", "year"], condition=Q(superseded_at__isnull=True), name="observation_current"
            )
        ]

    def __str__(self):
        return f"{self.variable} {self.area} {self.period_label} = {self.published}"

    @property
    def period_label(self) -> str:
        return f"{self.year}" + (f" {self.subperiod}" if self.subperiod else "")


class FollowedTable(models.Model):
    """A BPS WebAPI dynamic table a satker keeps in sync (beat refreshes it daily). One row per
    table however many satkers follow it: figures are public and kept once."""

    domain = models.CharField(max_length=4)
    variable_id = models.CharField(max_length=12)
    aliases = ArrayField(models.CharField(max_length=80), default=list, blank=True)
    followed_by = models.CharField(max_length=4)  # the code of the satker that asked for it
    created_at = models.DateTimeField(default=timezone.now)
    synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["domain", "variable_id"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "variable_id"], name="followed_table_once"),
            models.CheckConstraint(name="followed_table_domain_code", condition=Q(domain__regex=r"^[0-9]{4}$")),
            models.CheckConstraint(name="followed_table_variable_id", condition=Q(variable_id__regex=r"^[0-9]+$")),
        ]

    def __str__(self):
        return f"{self.domain}/{self.variable_id}"
