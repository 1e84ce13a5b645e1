"""Backups: one satker's schema, or the whole platform each night; restoring a satker; the drill.

A backup is pg_dump's plain SQL of the schema, data included, gzip-compressed. The nightly backup
(`backup_satker --all`, the beat task) writes a set: one folder named by its UTC time, holding the
public schema and every satker's, all dumped from one snapshot, each satker's uploaded files
(officers' photos, WhatsApp attachments, its logo: MEDIA_ROOT/satkers/<schema>/) as a tar.gz, and
a manifest with each table's row count and a digest of its rows taken in that same snapshot, and
each archive's file count and digest; the oldest sets beyond the retention go. A satker is
restored to a point in time from the newest set taken at or before it, files included. The
restore drill replays the newest set into a scratch database and compares every table and every
archive with the manifest, so a backup is known to restore before the day it is needed.

Files are archived after the snapshot, not in it: a file uploaded in between is in the archive
without a row naming it (harmless), and one deleted in between is missing while its row says it
was there (shown as a missing file, as before the backup).

Restoring never
rewrites the SQL text (a schema name can appear inside the data too, in links and domains): the
dump is replayed under its own schema name inside one transaction while a live schema of that name
is renamed out of the way, then the restored schema takes the new name and the live one its old
name back. Other sessions never see the intermediate names: the catalog changes commit at once.
"""

import datetime
import gzip
import hashlib
import json
import re
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.audit import record
from tenants.schema_template import libpq_environment, pg_dump_binary, replayable_sql

_SCHEMA = re.compile(r"[a-z][a-z0-9_]{1,62}")
SET_NAME = "%Y%m%dT%H%M%SZ"
MANIFEST = "manifest.json"
# Each table's rows in one canonical order and text form: equal digests, equal rows.
_TABLE_DIGEST = """
SELECT count(*), md5(coalesce(string_agg(row_text, E'\\n' ORDER BY row_text), ''))
FROM (SELECT t::text AS row_text FROM {table} AS t) AS rows
"""


def backup_schema(schema_name: str, folder: Path, snapshot: str | None = None) -> Path:
    """Dump `schema_name` into `folder` (as seen by `snapshot`, an exported one, if given)."""
    if not _SCHEMA.fullmatch(schema_name):
        raise ValueError(f"not a schema name: {schema_name!r}")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{schema_name}-{timezone.now():%Y%m%dT%H%M%S}.sql.gz"
    result = subprocess.run(
        [
            pg_dump_binary(),
            "--schema",
            schema_name,
            "--no-owner",
            "--no-privileges",
            "--inserts",
            "--rows-per-insert=1000",
            "--no-comments",
            *([f"--snapshot={snapshot}"] if snapshot else []),
        ],
        env=libpq_environment(),
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"pg_dump of {schema_name} failed: {result.stderr.decode(errors='replace').strip()}")
    with gzip.open(target, "wb") as handle:
        handle.write(result.stdout)
    return target


def dumped_schema(path: Path) -> tuple[str, str]:
    """(schema name, replayable SQL) of a backup file."""
    with gzip.open(path, "rb") as handle:
        text = handle.read().decode("utf-8")
    match = re.search(r"^CREATE SCHEMA ([a-z][a-z0-9_]*);$", text, re.MULTILINE)
    if match is None:
        raise ValueError(f"{path} is not a HaloPST schema backup")
    return match.group(1), replayable_sql(text)


def files_folder(schema_name: str) -> Path:
    """Where a satker's uploads live (the upload_to of booking, conversations and tenants)."""
    return Path(settings.MEDIA_ROOT) / "satkers" / schema_name


def _file_lines(members) -> tuple[int, str]:
    """(count, digest) of (name, content) pairs, in name order: equal digests, equal files."""
    digest, count = hashlib.md5(), 0
    for name, content in sorted(members):
        digest.update(f"{name}\t{hashlib.md5(content()).hexdigest()}\n".encode())
        count += 1
    return count, digest.hexdigest()


def backup_files(schema_name: str, folder: Path) -> dict | None:
    """Archive the satker's uploaded files into `folder`: the manifest entry {file, count, digest},
    or None if it has no files."""
    source = files_folder(schema_name)
    if not source.is_dir():
        return None
    target = folder / f"{schema_name}-files.tar.gz"
    paths = sorted(path for path in source.rglob("*") if path.is_file())
    with tarfile.open(target, "w:gz") as archive:
        for path in paths:
            archive.add(path, arcname=path.relative_to(source).as_posix(), recursive=False)
    count, digest = _file_lines((path.relative_to(source).as_posix(), path.read_bytes) for path in paths)
    return {"file": target.name, "count": count, "digest": digest}


def archive_digest(path: Path) -> tuple[int, str]:
    """(count, digest) of the files in an archive, as backup_files wrote them in the manifest."""
    with tarfile.open(path, "r:gz") as archive:
        members = [member for member in archive.getmembers() if member.isfile()]
        return _file_lines((member.name, archive.extractfile(member).read) for member in members)


def restore_files(path: Path, into: Path) -> None:
    """Unpack a files archive into the new folder `into` (nothing outside it: tarfile's data filter)."""
    into.mkdir(parents=True)
    with tarfile.open(path, "r:gz") as archive:
        archive.extractall(into, filter="data")


def files_backup_of(path: Path) -> Path | None:
    """The files archive taken with the schema backup at `path` (None: none, or not from a set)."""
    manifest = path.parent / MANIFEST
    if not manifest.is_file():
        return None
    for entry in json.loads(manifest.read_text())["schemas"].values():
        if entry["file"] == path.name and entry.get("files"):
            return path.parent / entry["files"]["file"]
    return None


def restore_schema(path: Path, into: str) -> None:
    """Create schema `into` from the backup at `path`, whole or not at all."""
    original, sql = dumped_schema(path)
    if not _SCHEMA.fullmatch(into):
        raise ValueError(f"not a schema name: {into!r}")
    parking = f"{original[:40]}_live_{timezone.now():%H%M%S%f}"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [into])
        if cursor.fetchone():
            raise ValueError(f"schema {into} already exists: restore into a fresh name")
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [original])
        live = cursor.fetchone() is not None
        if live:
            cursor.execute(f'ALTER SCHEMA "{original}" RENAME TO "{parking}"')
        cursor.execute(sql)
        if into != original:
            cursor.execute(f'ALTER SCHEMA "{original}" RENAME TO "{into}"')
        if live:
            cursor.execute(f'ALTER SCHEMA "{parking}" RENAME TO "{original}"')


def replace_schema(path: Path) -> str:
    """Put the backup at `path` in place of its live schema, and the files archived with it in
    place of its live files; the live schema and files are kept, renamed, for the operator to
    compare or drop. Returns the kept schema's name (the files are kept under the same name)."""
    original, _sql = dumped_schema(path)
    stamp = f"{timezone.now():%Y%m%d%H%M%S}"
    restored, kept = f"{original[:40]}_restored_{stamp}", f"{original[:40]}_before_{stamp}"
    files, live_files = files_backup_of(path), files_folder(original)
    staged = live_files.with_name(restored)
    if files is not None:
        restore_files(files, staged)
    try:
        restore_schema(path, restored)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'ALTER SCHEMA "{original}" RENAME TO "{kept}"')
            cursor.execute(f'ALTER SCHEMA "{restored}" RENAME TO "{original}"')
            record(None, "satker.restore", original, backup=path.name, kept_as=kept, files=files is not None)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    if files is not None:  # after the commit: the rows now name the restored files
        if live_files.exists():
            live_files.rename(live_files.with_name(kept))
        staged.rename(live_files)
    return kept


def _connect(dbname: str | None = None, **options) -> psycopg.Connection:
    """A connection of its own (a snapshot must outlive the dumps; the drill uses another database)."""
    db = connection.settings_dict
    params = {
        "host": db.get("HOST"),
        "port": db.get("PORT"),
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
        "dbname": dbname or db["NAME"],
    }
    return psycopg.connect(**{key: value for key, value in params.items() if value}, **options)


def _digests(cursor, schema_name: str) -> dict[str, list]:
    """Each table of the schema: [row count, digest of its rows]."""
    cursor.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'",
        [schema_name],
    )
    digests = {}
    for (table,) in sorted(cursor.fetchall()):
        cursor.execute(_TABLE_DIGEST.format(table=f'"{schema_name}"."{table}"'))
        digests[table] = list(cursor.fetchone())
    return digests


def backup_platform(root: Path, keep: int) -> Path:
    """Back up the public schema and every satker's from one snapshot into a new set under `root`,
    with its manifest; then drop all but the newest `keep` sets. Returns the new set's folder."""
    from tenants.models import PUBLIC_SCHEMA, Satker

    schemas = [PUBLIC_SCHEMA] + list(
        Satker.objects.exclude(schema_name=PUBLIC_SCHEMA).order_by("schema_name").values_list("schema_name", flat=True)
    )
    taken_at = timezone.now().astimezone(datetime.UTC)
    folder = root / taken_at.strftime(SET_NAME)
    partial = folder.with_name(folder.name + ".partial")
    with _connect(autocommit=True) as conn, conn.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        manifest = {"taken_at": taken_at.isoformat(), "schemas": {}}
        for schema_name in schemas:
            path = backup_schema(schema_name, partial, snapshot=snapshot)
            manifest["schemas"][schema_name] = {
                "file": path.name,
                "tables": _digests(cursor, schema_name),
                "files": backup_files(schema_name, partial),
            }
        cursor.execute("COMMIT")
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=1))
    partial.rename(folder)  # a set is there whole, or not at all
    for old in backup_sets(root)[:-keep] if keep > 0 else []:
        shutil.rmtree(old)
    return folder


def backup_sets(root: Path) -> list[Path]:
    """The complete sets under `root`, oldest first."""
    return sorted(path.parent for path in root.glob(f"*/{MANIFEST}") if not path.parent.name.endswith(".partial"))


def backup_taken_at(folder: Path) -> datetime.datetime:
    return datetime.datetime.strptime(folder.name, SET_NAME).replace(tzinfo=datetime.UTC)


def backup_of(root: Path, schema_name: str, at: datetime.datetime) -> Path:
    """The backup of `schema_name` in the newest set taken at or before `at`."""
    for folder in reversed(backup_sets(root)):
        if backup_taken_at(folder) <= at:
            entry = json.loads((folder / MANIFEST).read_text())["schemas"].get(schema_name)
            if entry is None:
                raise ValueError(f"the backup of {folder.name} has no schema {schema_name}")
            return folder / entry["file"]
    raise ValueError(f"no backup taken at or before {at:%Y-%m-%d %H:%M} UTC")


@dataclass
class DrillReport:
    folder: Path
    schemas: int
    tables: int
    rows: int
    files: int
    differences: list[str]


def restore_drill(root: Path) -> DrillReport:
    """Replay the newest set into a scratch database and compare every table, and unpack every
    files archive, against its manifest (no differences: it restores)."""
    sets = backup_sets(root)
    if not sets:
        raise ValueError(f"no backup set under {root}")
    folder = sets[-1]
    manifest = json.loads((folder / MANIFEST).read_text())
    scratch = f"{connection.settings_dict['NAME']}_drill"[:63]
    with _connect("postgres", autocommit=True) as admin, admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{scratch}"')
        with connection.cursor() as live:  # the extensions the schemas' columns and indexes use
            live.execute("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'")
            extensions = [name for (name,) in live.fetchall()]
    differences, tables, rows, files = [], 0, 0, 0
    try:
        with _connect(scratch, autocommit=True) as conn, conn.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
            for name in extensions:
                cursor.execute(f'CREATE EXTENSION IF NOT EXISTS "{name}" WITH SCHEMA public')
            for schema_name, entry in manifest["schemas"].items():
                _name, sql = dumped_schema(folder / entry["file"])
                if schema_name == "public":  # the scratch database has its own public schema
                    sql = sql.replace("CREATE SCHEMA public;", "", 1)
                with conn.transaction():
                    cursor.execute(sql)
                restored = _digests(cursor, schema_name)
                tables += len(restored)
                rows += sum(count for count, _digest in restored.values())
                for table in sorted(set(entry["tables"]) | set(restored)):
                    if entry["tables"].get(table) != restored.get(table):
                        differences.append(
                            f"{schema_name}.{table}: backed up {entry['tables'].get(table)}, restored {restored.get(table)}"
                        )
                if entry.get("files"):
                    backed_up = [entry["files"]["count"], entry["files"]["digest"]]
                    try:
                        unpacked = list(archive_digest(folder / entry["files"]["file"]))
                    except (OSError, tarfile.TarError, EOFError) as error:
                        unpacked = [repr(error)]
                    files += unpacked[0] if len(unpacked) == 2 else 0
                    if unpacked != backed_up:
                        differences.append(f"{schema_name} files: backed up {backed_up}, unpacked {unpacked}")
    finally:
        with _connect("postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    return DrillReport(folder, len(manifest["schemas"]), tables, rows, files, differences)
