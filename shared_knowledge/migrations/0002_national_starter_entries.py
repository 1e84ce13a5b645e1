"""The starter knowledge base becomes national entries: kept once, inherited by every satker
(each satker's unchanged copy goes in aida 0005)."""

from django.db import migrations


def seed(apps, schema_editor):
    from shared_knowledge.entries import STARTER_FILE, parse_markdown
    from shared_knowledge.models import SEARCH_VECTOR

    SharedEntry = apps.get_model("shared_knowledge", "SharedEntry")
    for data in parse_markdown(STARTER_FILE.read_text(encoding="utf-8")):
        SharedEntry.objects.get_or_create(
            scope="",
            slug=data.slug,
            status="published",
            defaults={
                "title": data.title,
                "body": data.body,
                "source_url": data.source_url,
                "tags": data.tags,
                "language": data.language,
            },
        )
    SharedEntry.objects.update(search_vector=SEARCH_VECTOR)


class Migration(migrations.Migration):
    dependencies = [("shared_knowledge", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
