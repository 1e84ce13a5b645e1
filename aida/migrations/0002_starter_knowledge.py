"""Every satker started with a copy of the starter knowledge base (now national entries in
shared_knowledge, which 0005 turns these copies into). Runs in the template schema, so cloned
satkers got it without a migration of their own."""

from django.contrib.postgres.search import SearchVector
from django.db import migrations

from shared_knowledge.entries import STARTER_FILE as STARTER


def seed(apps, schema_editor):
    from shared_knowledge.entries import parse_markdown

    KnowledgeEntry = apps.get_model("aida", "KnowledgeEntry")
    for data in parse_markdown(STARTER.read_text(encoding="utf-8")):
        KnowledgeEntry.objects.get_or_create(
            slug=data.slug,
            defaults={
                "title": data.title,
                "body": data.body,
                "source_url": data.source_url,
                "tags": data.tags,
                "language": data.language,
                "status": "published",
                "origin": "curated",
            },
        )
    KnowledgeEntry.objects.update(
        search_vector=(
            SearchVector("title", weight="A", config="indonesian")
            + SearchVector("tags", weight="B", config="indonesian")
            + SearchVector("body", weight="C", config="indonesian")
            + SearchVector("title", "tags", weight="D", config="simple")
        )
    )


class Migration(migrations.Migration):
    dependencies = [("aida", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
