"""A satker's copy of a starter entry that nobody changed goes: the national entry of the same
slug (shared_knowledge) answers in its place, so a correction made once reaches every satker.
A copy the satker edited stays, as its local version of that entry."""

from django.db import migrations


def forget_unchanged_copies(apps, schema_editor):
    from shared_knowledge.entries import STARTER_FILE, parse_markdown

    KnowledgeEntry = apps.get_model("aida", "KnowledgeEntry")
    for data in parse_markdown(STARTER_FILE.read_text(encoding="utf-8")):
        KnowledgeEntry.objects.filter(slug=data.slug, title=data.title, body=data.body, origin="curated").delete()


class Migration(migrations.Migration):
    dependencies = [("aida", "0004_message_figures")]

    operations = [migrations.RunPython(forget_unchanged_copies, migrations.RunPython.noop)]
