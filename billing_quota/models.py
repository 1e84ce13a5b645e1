"""Gemini spending per satker (public schema): limits set by the province, a monthly ledger.

The ledger is spent only through one conditional UPDATE (billing_quota.services.reserve), so
concurrent questions can never together pass the month's limits.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Plan(models.TextChoices):
    BASIC = "basic", _("Basic")
    STANDARD = "standard", _("Standard")
    PROVINCE = "province", _("Province")


# Monthly defaults per plan: (tokens, requests).
PLAN_LIMITS = {Plan.BASIC: (500_000, 1_000), Plan.STANDARD: (2_000_000, 4_000), Plan.PROVINCE: (5_000_000, 10_000)}


class SatkerQuota(models.Model):
    satker = models.OneToOneField("tenants.Satker", on_delete=models.CASCADE, related_name="quota")
    plan = models.CharField(_("plan"), max_length=10, choices=Plan.choices, default=Plan.BASIC)
    monthly_token_limit = models.PositiveBigIntegerField(_("tokens per month"))
    monthly_request_limit = models.PositiveIntegerField(_("questions per month"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=254, blank=True)


class UsageLedger(models.Model):
    satker = models.ForeignKey("tenants.Satker", on_delete=models.CASCADE, related_name="usage")
    month = models.DateField()  # the first day of the month
    token_limit = models.PositiveBigIntegerField()
    request_limit = models.PositiveIntegerField()
    tokens_reserved = models.BigIntegerField(default=0)
    tokens_used = models.BigIntegerField(default=0)
    requests_reserved = models.IntegerField(default=0)
    requests_used = models.IntegerField(default=0)
    alerted_percent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["satker", "month"], name="one_ledger_row_per_month"),
            models.CheckConstraint(
                name="ledger_non_negative",
                condition=Q(tokens_reserved__gte=0, tokens_used__gte=0, requests_reserved__gte=0, requests_used__gte=0),
            ),
        ]

    @property
    def tokens_percent(self) -> int:
        return int(100 * (self.tokens_used + self.tokens_reserved) / self.token_limit) if self.token_limit else 100

    @property
    def requests_percent(self) -> int:
        return (
            int(100 * (self.requests_used + self.requests_reserved) / self.request_limit) if self.request_limit else 100
        )


class Reservation(models.Model):
    """Tokens set aside for one call until it is settled (or swept, if its worker died)."""

    satker = models.ForeignKey("tenants.Satker", on_delete=models.CASCADE)
    month = models.DateField()
    tokens = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    tokens_charged = models.PositiveIntegerField(null=True, blank=True)
    # What the provider reported, when that was more than the reservation (then only the
    # reservation is charged: the ledger never passes the limit by a call's report).
    tokens_reported = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["settled_at", "created_at"], name="open_reservations")]
