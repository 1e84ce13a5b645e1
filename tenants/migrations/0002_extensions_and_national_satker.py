"""Extensions live in the public schema, created from this shared app's migration: created from
a tenant migration they would land in that tenant's schema, and dropping that tenant would
cascade into every other tenant's constraints that use them.

The national satker (BPS RI, code 0000) is the public schema's own tenant row: the portal's
requests run as it.
"""

from django.db import migrations

CREATE_EXTENSIONS = """
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
        CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;
    END IF;
END
$$;
"""


def create_national_satker(apps, schema_editor):
    Satker = apps.get_model("tenants", "Satker")
    Satker.objects.get_or_create(
        schema_name="public",
        defaults={
            "code": "0000",
            "kind": "national",
            "name": "Badan Pusat Statistik",
            "subdomain": "www",
            "timezone": "Asia/Jakarta",
            "display_name": "HaloPST",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("tenants", "0001_initial")]

    operations = [
        migrations.RunSQL(CREATE_EXTENSIONS, reverse_sql=migrations.RunSQL.noop),
        migrations.RunPython(create_national_satker, migrations.RunPython.noop),
    ]
