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


def test_nightly_sets_restore_in_the_drill_at_a_point_in_time_and_in_place(make_satker, tmp_path, settings):
    import datetime
    import gzip
    import json

    import pytest
    from django.core.management.base import CommandError

    from booking.models import Consultation
    from tenants.backups import backup_sets, files_folder

    settings.MEDIA_ROOT = tmp_path / "media"
    tmp_path = tmp_path / "backups"
    satker, neighbour = make_satker(), make_satker()
    photo = files_folder(satker.schema_name) / "officers" / "7" / "foto.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"foto malam pertama")
    officer = make_officer(satker, "rina@example.com")
    consumer = create_user(satker, "andi@example.com")
    create_user(neighbour, "budi@example.com")
    booked = request(
        satker, consumer, officer, at(satker, next_weekday(satker.timezone, 0), 8), topic="Versi malam pertama"
    )

    def back_up(night: str) -> None:
        call_command("backup_satker", "--all", "--output", str(tmp_path), "--keep", "2", stdout=io.StringIO())
        newest = backup_sets(tmp_path)[-1]
        newest.rename(tmp_path / night)  # as if taken that night

    def restore_as_of(moment: str, *target: str) -> str:
        out = io.StringIO()
        call_command(
            "restore_satker",
            "--satker",
            satker.subdomain,
            "--at",
            moment,
            "--backups",
            str(tmp_path),
            *target,
            stdout=out,
        )
        return out.getvalue()

    back_up("20261201T190700Z")
    with schema_context(satker.schema_name):
        Consultation.objects.filter(pk=booked.pk).update(topic="Versi malam kedua")
    photo.write_bytes(b"foto malam kedua")
    attachment = files_folder(satker.schema_name) / "conversations" / "3" / "ab12" / "surat.pdf"
    attachment.parent.mkdir(parents=True)
    attachment.write_bytes(b"%PDF-1.4 surat")
    back_up("20261202T190700Z")
    assert [folder.name for folder in backup_sets(tmp_path)] == ["20261201T190700Z", "20261202T190700Z"]

    # The drill replays the newest set into a scratch database and compares every row.
    out = io.StringIO()
    call_command("restore_drill", "--backups", str(tmp_path), stdout=out)
    assert "and 2 files restored exactly as backed up" in out.getvalue()
    manifest = json.loads((tmp_path / "20261202T190700Z" / "manifest.json").read_text())
    assert {"public", satker.schema_name, neighbour.schema_name} <= set(manifest["schemas"])
    assert manifest["schemas"][satker.schema_name]["tables"]["booking_consultation"][0] == 1
    assert manifest["schemas"][satker.schema_name]["files"]["count"] == 2
    assert manifest["schemas"][neighbour.schema_name]["files"] is None  # no uploads, no archive

    # A satker as it was on the first night, beside the live one.
    between = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=datetime.UTC).isoformat()
    copy = f"{satker.schema_name}_malam1"
    restore_as_of(between, "--into", copy)
    try:
        with schema_context(copy):
            assert Consultation.objects.get(pk=booked.pk).topic == "Versi malam pertama"
        # Its files beside it, as they were that night; the live ones untouched.
        assert (files_folder(copy) / "officers" / "7" / "foto.jpg").read_bytes() == b"foto malam pertama"
        assert not (files_folder(copy) / "conversations").exists()
        assert photo.read_bytes() == b"foto malam kedua"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{copy}" CASCADE')
    with pytest.raises(CommandError, match="no backup taken at or before"):
        restore_as_of("2026-11-30T00:00", "--into", copy)

    # In place: the live schema is swapped for the first night's and kept under another name.
    kept = restore_as_of(between, "--replace").rsplit(" ", 1)[-1].strip()
    try:
        with schema_context(satker.schema_name):
            assert Consultation.objects.get(pk=booked.pk).topic == "Versi malam pertama"
        with schema_context(kept):
            assert Consultation.objects.get(pk=booked.pk).topic == "Versi malam kedua"
        # The files too: the first night's in place, the live ones kept under the same name.
        assert photo.read_bytes() == b"foto malam pertama" and not attachment.exists()
        assert (files_folder(kept) / "conversations" / "3" / "ab12" / "surat.pdf").read_bytes() == b"%PDF-1.4 surat"
        from core.audit import entries

        assert entries().filter(action="satker.restore", target=satker.schema_name, detail__kept_as=kept).exists()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{kept}" CASCADE')

    # A backup that lost or changed a row fails the drill, naming the table.
    dump = tmp_path / "20261202T190700Z" / manifest["schemas"][neighbour.schema_name]["file"]
    with gzip.open(dump, "rb") as handle:
        text = handle.read().decode()
    with gzip.open(dump, "wb") as handle:
        handle.write(text.replace("budi@example.com", "budi@contoh.com").encode())
    err = io.StringIO()
    with pytest.raises(CommandError, match="differ from the backup"):
        call_command("restore_drill", "--backups", str(tmp_path), stdout=io.StringIO(), stderr=err)
    assert f"{neighbour.schema_name}.core_user" in err.getvalue()
    archive = tmp_path / "20261202T190700Z" / manifest["schemas"][satker.schema_name]["files"]["file"]
    archive.write_bytes(archive.read_bytes()[:-40])  # cut short
    err = io.StringIO()
    with pytest.raises(CommandError, match="differ from the backup"):
        call_command("restore_drill", "--backups", str(tmp_path), stdout=io.StringIO(), stderr=err)
    assert f"{satker.schema_name} files: backed up [2," in err.getvalue()

    # Retention: the newest two sets stay.
    back_up("20261203T190700Z")
    assert [folder.name for folder in backup_sets(tmp_path)] == ["20261202T190700Z", "20261203T190700Z"]
