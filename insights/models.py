"""Rollups: computed from a satker's own rows, never incremented, so refreshing a day twice is
harmless and a rebuild from the source gives the same rows."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

from tenants.models import Satker


class ServiceCounts(models.Model):
    """The numbers of a satker's service that add up over days (insights.rollups.COUNTS)."""

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
    # Written conversations (web and WhatsApp) that are not a booked consultation's thread.
    # Minutes are totals, so a period's mean is its total over its count.
    conversations = models.PositiveIntegerField(default=0)
    conversations_whatsapp = models.PositiveIntegerField(default=0)
    conversation_first_replies = models.PositiveIntegerField(default=0)
    conversation_replied_within_standard = models.PositiveIntegerField(default=0)
    conversation_first_reply_minutes_total = models.PositiveBigIntegerField(default=0)
    conversations_resolved = models.PositiveIntegerField(default=0)
    conversation_resolution_minutes_total = models.PositiveBigIntegerField(default=0)

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
    first_reply_minutes = ArrayField(models.PositiveIntegerField(), default=list)  # per conversation answered
    resolution_minutes = ArrayField(models.PositiveIntegerField(), default=list)  # per conversation closed

    class Meta:
        db_table = "tenants_satkerday"  # created by tenants before insights/portal existed
        ordering = ["satker", "day"]
        constraints = [
            models.UniqueConstraint(fields=["satker", "day"], name="satker_day_unique"),
            models.CheckConstraint(
                name="satker_day_helpful_within_rated", condition=Q(aida_helpful__lte=F("aida_rated"))
            ),
            models.CheckConstraint(
                name="satker_day_replied_within_replies",
                condition=Q(conversation_replied_within_standard__lte=F("conversation_first_replies")),
            ),
        ]


class SatkerMonth(ServiceCounts):
    """The sums of a satker's SatkerDay rows for one month, so a year across 552 satkers reads
    6,600 rows instead of 200,000 (insights.reports._period_totals)."""

    satker = models.ForeignKey(Satker, on_delete=models.CASCADE, related_name="months")
    month = models.DateField()  # the first day of the month

    class Meta:
        db_table = "tenants_satkermonth"  # created by tenants before insights/portal existed
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
    conversations_waiting = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        db_table = "tenants_satkerpulse"  # created by tenants before insights/portal existed


class OfficerMonth(models.Model):
    """One officer's month, for performance pages and leaderboards (see insights.rollups.officer_score)."""

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
    conversations_answered = models.PositiveIntegerField(default=0)  # first replies written by the officer
    conversations_replied_within_standard = models.PositiveIntegerField(default=0)
    median_first_reply_minutes = models.PositiveIntegerField(null=True)
    conversations_resolved = models.PositiveIntegerField(default=0)
    score = models.IntegerField(default=0)

    class Meta:
        db_table = "tenants_officermonth"  # created by tenants before insights/portal existed
        ordering = ["satker", "month", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["satker", "month", "officer_id"], name="officer_month_unique"),
            models.CheckConstraint(name="officer_month_is_first_day", condition=Q(month__day=1)),
        ]
        indexes = [models.Index(fields=["month", "-score"], name="officer_month_ranking")]

    @property
    def rating_mean(self) -> float | None:
        return round(self.rating_sum / self.ratings, 2) if self.ratings else None
