"""The public directory taken over from `tenants` (tenants.0005): state only, so no table is
recreated and no row moves; the tables keep their names."""

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
                    name="DirectoryTopic",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("slug", models.SlugField()),
                        ("name", models.CharField(max_length=80)),
                        ("name_en", models.CharField(blank=True, max_length=80)),
                        ("keywords", models.CharField(blank=True, max_length=300)),
                        ("officer_count", models.PositiveIntegerField(default=0)),
                        ("search_vector", django.contrib.postgres.search.SearchVectorField(null=True)),
                        (
                            "satker",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="directory_topics",
                                to="tenants.satker",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "tenants_directorytopic",
                        "ordering": ["satker", "name"],
                        "indexes": [
                            django.contrib.postgres.indexes.GinIndex(
                                fields=["search_vector"], name="directory_topic_search"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(fields=("satker", "slug"), name="directory_topic_unique")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="DirectoryOfficer",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("officer_id", models.PositiveIntegerField()),
                        ("name", models.CharField(max_length=150)),
                        (
                            "topics",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.SlugField(), default=list, size=None
                            ),
                        ),
                        (
                            "satker",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="directory_officers",
                                to="tenants.satker",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "tenants_directoryofficer",
                        "ordering": ["satker", "name"],
                        "indexes": [
                            django.contrib.postgres.indexes.GinIndex(fields=["topics"], name="directory_officer_topics")
                        ],
                        "constraints": [
                            models.UniqueConstraint(fields=("satker", "officer_id"), name="directory_officer_unique")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
