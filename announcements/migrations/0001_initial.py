"""Announcements and topic subscriptions, taken over from `realtime` (realtime.0004): state
only, so no table is recreated and no row moves."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("booking", "0004_expertisetag_keywords"),
        ("realtime", "0004_move_announcements"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Announcement",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("announcement", "Announcement"), ("release", "Data release")],
                                default="announcement",
                                max_length=12,
                                verbose_name="kind",
                            ),
                        ),
                        ("title", models.CharField(max_length=200, verbose_name="title")),
                        ("body", models.TextField(max_length=4000, verbose_name="text")),
                        ("link", models.URLField(blank=True, max_length=500, verbose_name="link")),
                        ("published_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "published_by",
                            models.ForeignKey(
                                null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL
                            ),
                        ),
                        (
                            "topic",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="announcements",
                                to="booking.expertisetag",
                                verbose_name="topic",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-published_at"],
                        "db_table": "realtime_announcement",
                    },
                ),
                migrations.CreateModel(
                    name="TopicSubscription",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "topic",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="subscriptions",
                                to="booking.expertisetag",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="topic_subscriptions",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "realtime_topicsubscription",
                        "constraints": [
                            models.UniqueConstraint(fields=("user", "topic"), name="topic_subscription_unique")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
