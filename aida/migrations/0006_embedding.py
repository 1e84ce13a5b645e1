"""A satker's own entries' vectors, where pgvector is installed (shared_knowledge.vectors)."""

from django.db import migrations

from shared_knowledge.vectors import add_embedding_sql, drop_embedding_sql


class Migration(migrations.Migration):
    dependencies = [("aida", "0005_inherit_starter_entries")]

    operations = [
        migrations.RunSQL(add_embedding_sql("aida_knowledgeentry"), drop_embedding_sql("aida_knowledgeentry"))
    ]
