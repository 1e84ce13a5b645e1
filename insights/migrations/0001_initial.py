"""Rollups taken over from `tenants` (tenants.0005): state only, so no table is recreated and
no row moves; the tables keep their names."""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("tenants", "0005_move_rollups_and_directory")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SatkerDay",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("requests", models.PositiveIntegerField(default=0)),
                        ("new_consumers", models.PositiveIntegerField(default=0)),
                        ("returning_consumers", models.PositiveIntegerField(default=0)),
                        ("approved", models.PositiveIntegerField(default=0)),
                        ("declined", models.PositiveIntegerField(default=0)),
                        ("rescheduled", models.PositiveIntegerField(default=0)),
                        ("cancelled", models.PositiveIntegerField(default=0)),
                        ("expired", models.PositiveIntegerField(default=0)),
                        ("completed", models.PositiveIntegerField(default=0)),
                        ("no_shows", models.PositiveIntegerField(default=0)),
                        ("decided_within_standard", models.PositiveIntegerField(default=0)),
                        ("ratings", models.PositiveIntegerField(default=0)),
                        ("rating_sum", models.PositiveIntegerField(default=0)),
                        ("survey_total", models.PositiveIntegerField(default=0)),
                        ("aida_questions", models.PositiveIntegerField(default=0)),
                        ("aida_rated", models.PositiveIntegerField(default=0)),
                        ("aida_helpful", models.PositiveIntegerField(default=0)),
                        ("aida_handoffs", models.PositiveIntegerField(default=0)),
                        ("aida_tokens", models.PositiveBigIntegerField(default=0)),
                        ("day", models.DateField()),
                        ("purposes", models.JSONField(default=dict)),
                        ("categories", models.JSONField(default=dict)),
                        (
                            "decision_minutes",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.PositiveIntegerField(), default=list, size=None
                            ),
                        ),
                        ("survey_sums", models.JSONField(default=dict)),
                        (
                            "satker",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="days", to="tenants.satker"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "tenants_satkerday",
                        "ordering": ["satker", "day"],
                        "constraints": [
                            models.UniqueConstraint(fields=("satker", "day"), name="satker_day_unique"),
                            models.CheckConstraint(
                                condition=models.Q(("aida_helpful__lte", models.F("aida_rated"))),
                                name="satker_day_helpful_within_rated",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SatkerMonth",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("requests", models.PositiveIntegerField(default=0)),
                        ("new_consumers", models.PositiveIntegerField(default=0)),
                        ("returning_consumers", models.PositiveIntegerField(default=0)),
                        ("approved", models.PositiveIntegerField(default=0)),
                        ("declined", models.PositiveIntegerField(default=0)),
                        ("rescheduled", models.PositiveIntegerField(default=0)),
                        ("cancelled", models.PositiveIntegerField(default=0)),
                        ("expired", models.PositiveIntegerField(default=0)),
                        ("completed", models.PositiveIntegerField(default=0)),
                        ("no_shows", models.PositiveIntegerField(default=0)),
                        ("decided_within_standard", models.PositiveIntegerField(default=0)),
                        ("ratings", models.PositiveIntegerField(default=0)),
                        ("rating_sum", models.PositiveIntegerField(default=0)),
                        ("survey_total", models.PositiveIntegerField(default=0)),
                        ("aida_questions", models.PositiveIntegerField(default=0)),
                        ("aida_rated", models.PositiveIntegerField(default=0)),
                        ("aida_helpful", models.PositiveIntegerField(default=0)),
                        ("aida_handoffs", models.PositiveIntegerField(default=0)),
                        ("aida_tokens", models.PositiveBigIntegerField(default=0)),
                        ("month", models.DateField()),
                        (
                            "satker",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="months", to="tenants.satker"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "tenants_satkermonth",
                        "ordering": ["satker", "month"],
                        "constraints": [
                            models.UniqueConstraint(fields=("satker", "month"), name="satker_month_unique"),
                            models.CheckConstraint(
                                condition=models.Q(("month__day", 1)), name="satker_month_is_first_day"
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SatkerPulse",
                    fields=[
                        (
                            "satker",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="pulse",
                                serialize=False,
                                to="tenants.satker",
                            ),
                        ),
                        (
                            "pending_since",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.DateTimeField(), default=list, size=None
                            ),
                        ),
                        ("decision_standard_hours", models.PositiveSmallIntegerField(default=24)),
                        ("local_day", models.DateField()),
                        ("consultations_today", models.PositiveIntegerField(default=0)),
                        ("aida_questions_today", models.PositiveIntegerField(default=0)),
                        ("refreshed_at", models.DateTimeField()),
                    ],
                    options={"db_table": "tenants_satkerpulse"},
                ),
                migrations.CreateModel(
                    name="OfficerMonth",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("month", models.DateField()),
                        ("officer_id", models.PositiveIntegerField()),
                        ("officer_name", models.CharField(max_length=150)),
                        ("completed", models.PositiveIntegerField(default=0)),
                        ("decisions", models.PositiveIntegerField(default=0)),
                        ("decided_within_standard", models.PositiveIntegerField(default=0)),
                        ("median_response_minutes", models.PositiveIntegerField(null=True)),
                        ("ratings", models.PositiveIntegerField(default=0)),
                        ("rating_sum", models.PositiveIntegerField(default=0)),
                        ("reviews", models.PositiveIntegerField(default=0)),
                        ("no_shows", models.PositiveIntegerField(default=0)),
                        ("score", models.IntegerField(default=0)),
                        (
                            "satker",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="officer_months",
                                to="tenants.satker",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "tenants_officermonth",
                        "ordering": ["satker", "month", "-score"],
                        "indexes": [models.Index(fields=["month", "-score"], name="officer_month_ranking")],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("satker", "month", "officer_id"), name="officer_month_unique"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("month__day", 1)), name="officer_month_is_first_day"
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
