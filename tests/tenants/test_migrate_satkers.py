"""Migrating every satker at once: schemas already at the target are left alone, the others are
migrated by parallel processes, and one that fails is named without stopping the rest."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tenants.models import Satker

pytestmark = pytest.mark.timeout(240)
# A migration that only adds columns: applying it again where they exist fails, as a broken
# migration would; and a last migration whose second run changes nothing.
SCHEMA_CHANGE = ("conversations", "0007_whatsapp_linked_to_account")
REPEATABLE = ("aida", "0006_embedding")


def forget(schema: str, migration: tuple[str, str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s', migration)


def applied(schema: str, migration: tuple[str, str]) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT 1 FROM "{schema}".django_migrations WHERE app = %s AND name = %s', migration)
        return cursor.fetchone() is not None


def run() -> str:
    out = StringIO()
    call_command("migrate_satkers", processes=2, stdout=out, stderr=out)
    return out.getvalue()


def test_only_schemas_behind_are_migrated_and_a_failure_stops_no_other(committed_db):
    sidoarjo, surabaya = (Satker.objects.get(subdomain=name).schema_name for name in ("sidoarjokab", "surabayakota"))
    assert ", 0 to migrate" in run()

    forget(surabaya, REPEATABLE)
    report = run()
    assert ", 1 to migrate" in report and "migrated 1, failed 0" in report
    assert applied(surabaya, REPEATABLE)

    forget(sidoarjo, SCHEMA_CHANGE)
    forget(surabaya, REPEATABLE)
    try:
        with pytest.raises(CommandError, match=sidoarjo):
            run()
        assert applied(surabaya, REPEATABLE)  # migrated although Sidoarjo failed
        assert not applied(sidoarjo, SCHEMA_CHANGE)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                f'INSERT INTO "{sidoarjo}".django_migrations (app, name, applied) VALUES (%s, %s, now())',
                SCHEMA_CHANGE,
            )
    assert ", 0 to migrate" in run()


def test_a_new_model_gets_its_table_content_type_and_permissions_in_the_schema(committed_db):
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django_tenants.utils import schema_context

    surabaya = Satker.objects.get(subdomain="surabayakota").schema_name
    with schema_context(surabaya), connection.cursor() as cursor:  # as if 0007 had never run here
        ContentType.objects.filter(app_label="conversations", model="linkcode").delete()
        cursor.execute("DROP TABLE conversations_linkcode")
        cursor.execute("ALTER TABLE conversations_contact DROP COLUMN consumer_id, DROP COLUMN linked_at")
    forget(surabaya, SCHEMA_CHANGE)

    report = run()
    assert ", 1 to migrate" in report and "migrated 1, failed 0" in report
    with schema_context(surabaya):
        link_code = ContentType.objects.get(app_label="conversations", model="linkcode")
        assert set(Permission.objects.filter(content_type=link_code).values_list("codename", flat=True)) == {
            f"{action}_linkcode" for action in ("add", "change", "delete", "view")
        }
        from conversations.models import LinkCode

        assert LinkCode.objects.count() == 0  # the table is back
