"""Knowledge entries kept once for many satkers, in the public schema like the figures: a
national entry reaches every satker's AIDA, a province's entry every satker of that province.
A satker's own entry with the same slug replaces an inherited one on its site only, and a
province's replaces the national one in that province (aida.retrieval applies the order)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# How every knowledge entry (a satker's own and these) is indexed for search: title (A), tags (B)
# and body (C) with the Indonesian stemmer, plus title and tags as written ("simple"), so codes
# and names match exactly.
SEARCH_VECTOR = (
    SearchVector("title", weight="A", config="indonesian")
    + SearchVector("tags", weight="B", config="indonesian")
    + SearchVector("body", weight="C", config="indonesian")
    + SearchVector("title", "tags", weight="D", config="simple")
)
NATIONAL = ""  # the scope of a national entry; a province's is its two-digit BPS code


class SharedStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    PROPOSED = "proposed", _("Proposed by a satker")


class SharedEntry(models.Model):
    scope = models.CharField(_("for"), max_length=2, blank=True, help_text=_("Empty: every satker."))
    slug = models.SlugField(max_length=80)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), max_length=20000)
    source_url = models.URLField(_("source link"), blank=True, max_length=500)
    tags = models.CharField(_("tags"), max_length=300, blank=True, help_text=_("Comma-separated"))
    language = models.CharField(_("language"), max_length=5, default="id")
    status = models.CharField(max_length=10, choices=SharedStatus.choices, default=SharedStatus.PUBLISHED)
    proposed_by = models.CharField(max_length=4, blank=True)  # the satker whose reviewed answer it was
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scope", "title"]
        indexes = [GinIndex(fields=["search_vector"], name="shared_knowledge_search")]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "slug"], condition=Q(status="published"), name="shared_entry_slug_per_scope"
            ),
            models.CheckConstraint(
                name="shared_entry_scope_code", condition=Q(scope="") | Q(scope__regex=r"^[0-9]{2}$")
            ),
        ]

    def __str__(self):
        return self.title
