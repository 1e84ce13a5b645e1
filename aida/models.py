"""AIDA, the data assistant: the satker's knowledge base, conversations and answer reviews."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Origin(models.TextChoices):
    CURATED = "curated", _("Curated")
    IMPORTED = "imported", _("Imported")
    REVIEWED = "reviewed", _("Reviewed answer")


class KnowledgeEntry(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), max_length=20000)
    source_url = models.URLField(_("source link"), blank=True, max_length=500)
    tags = models.CharField(_("tags"), max_length=300, blank=True, help_text=_("Comma-separated"))
    language = models.CharField(_("language"), max_length=5, default="id")
    status = models.CharField(_("status"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.PUBLISHED)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.CURATED)
    # Title (weight A) and tags (B) and body (C), with the Indonesian stemmer; plus the words as
    # written ("simple") so codes and names match exactly. Kept by aida.services.save_entry.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        indexes = [GinIndex(fields=["search_vector"], name="knowledge_search")]

    def __str__(self):
        return self.title


class Conversation(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="aida_conversations"
    )
    # Anonymous visitors keep their conversation through the session.
    session_key = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class Message(models.Model):
    class Role(models.TextChoices):
        USER = "user", _("Question")
        ASSISTANT = "assistant", _("Answer")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=10, choices=Role.choices)
    text = models.TextField()
    language = models.CharField(max_length=5, default="id")
    model = models.CharField(max_length=80, blank=True)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    output_tokens = models.PositiveIntegerField(null=True, blank=True)
    total_tokens = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    sources = models.JSONField(default=list, blank=True)  # [{"id", "slug", "title", "score"}]
    finish_reason = models.CharField(max_length=30, blank=True)
    degraded = models.CharField(max_length=20, blank=True)  # why AIDA answered without Gemini
    # The figure card shown with the answer (statdata's values as published, with sources).
    figures = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    helpful = models.BooleanField(null=True, blank=True)
    handed_off_at = models.DateTimeField(null=True, blank=True)  # the asker chose "talk to an officer"
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class Verdict(models.TextChoices):
    CORRECT = "correct", _("Correct")
    INCORRECT = "incorrect", _("Incorrect")
    INCOMPLETE = "incomplete", _("Incomplete")
    OUTDATED = "outdated", _("Outdated")


class AnswerReview(models.Model):
    answer = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="review")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    verdict = models.CharField(_("verdict"), max_length=12, choices=Verdict.choices)
    corrected_text = models.TextField(_("corrected answer"), blank=True)
    knowledge_entry = models.ForeignKey(KnowledgeEntry, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
