"""The national and province entries' vectors, where pgvector is installed (shared_knowledge.vectors)."""

from django.db import migrations

from shared_knowledge.vectors import add_embedding_sql, drop_embedding_sql


class Migration(migrations.Migration):
    dependencies = [
        ("shared_knowledge", "0002_national_starter_entries"),
        ("tenants", "0002_extensions_and_national_satker"),
    ]

    operations = [
        migrations.RunSQL(
            add_embedding_sql("shared_knowledge_sharedentry"), drop_embedding_sql("shared_knowledge_sharedentry")
        )
    ]
