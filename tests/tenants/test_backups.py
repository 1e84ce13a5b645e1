"""Backup of one satker and restore into a fresh schema, by round trip: nothing lost."""

import io

from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context

from booking import services as booking
from tests.booking.conftest import at, make_officer, next_weekday, request
from tests.conftest import create_user


def table_rows(schema):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'",
            [schema],
        )
        tables = sorted(row[0] for row in cursor.fetchall())
        contents = {}
        for table in tables:
            cursor.execute(f'SELECT * FROM "{schema}"."{table}" ORDER BY 1')
            contents[table] = cursor.fetchall()
    return contents


def test_round_trip_keeps_every_row(make_satker, tmp_path):
    satker = make_satker()
    officer = make_officer(satker, "rina@example.com")
    consumer = create_user(satker, "andi@example.com")
    booked = request(
        satker,
        consumer,
        officer,
        at(satker, next_weekday(satker.timezone, 0), 8),
        topic=f"Data {satker.schema_name}.localhost ada di sini",
    )  # the schema name inside data
    with schema_context(satker.schema_name):
        booking.approve(booked.pk, officer.user)  # a meeting link with the schema name in it
    out = io.StringIO()
    call_command("backup_satker", satker.subdomain, "--output", str(tmp_path), stdout=out)
    backup = next(tmp_path.glob("*.sql.gz"))

    restored = f"{satker.schema_name}_pulih"
    call_command("restore_satker", str(backup), "--into", restored, stdout=io.StringIO())
    try:
        original, copy = table_rows(satker.schema_name), table_rows(restored)
        assert original == copy
        assert sum(len(rows) for rows in copy.values()) > 50  # the knowledge base, tags, users, events…
        with schema_context(restored):
            from booking.models import Consultation

            restored_consultation = Consultation.objects.get(pk=booked.pk)
            assert restored_consultation.topic == f"Data {satker.schema_name}.localhost ada di sini"
            assert satker.schema_name in restored_consultation.meeting_link
            Consultation.objects.filter(pk=booked.pk).update(topic="changed in the copy")
        with schema_context(satker.schema_name):
            from booking.models import Consultation

            assert Consultation.objects.get(pk=booked.pk).topic.startswith("Data ")  # the live satker untouched
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{restored}" CASCADE')


def test_restore_refuses_an_existing_schema(make_satker, tmp_path):
    import pytest
    from django.core.management.base import CommandError

    satker = make_satker()
    call_command("backup_satker", satker.subdomain, "--output", str(tmp_path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="already exists"):
        call_command("restore_satker", str(next(tmp_path.glob("*.sql.gz"))), "--into", satker.schema_name)
