"""The public directory (portal.directory): copies of what each satker shows the public, kept
in step by its own services, so the portal searches one table instead of 550 schemas."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from tenants.models import Satker


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
        db_table = "tenants_directorytopic"  # created by tenants before insights/portal existed
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
        db_table = "tenants_directoryofficer"  # created by tenants before insights/portal existed
        ordering = ["satker", "name"]
        constraints = [models.UniqueConstraint(fields=["satker", "officer_id"], name="directory_officer_unique")]
        indexes = [GinIndex(fields=["topics"], name="directory_officer_topics")]
