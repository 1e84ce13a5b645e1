"""Backups: one satker's schema, or the whole platform each night; restoring a satker; the drill.

A backup is pg_dump's plain SQL of the schema, data included, gzip-compressed. The nightly backup
(`backup_satker --all`, the beat task) writes a set: one folder named by its UTC time, holding the
public schema and every satker's, all dumped from one snapshot, and a manifest with each table's
row count and a digest of its rows taken in that same snapshot; the oldest sets beyond the
retention go. A satker is restored to a point in time from the newest set taken at or before it.
The restore drill replays the newest set into a scratch database and compares every table with
the manifest, so a backup is known to restore before the day it is needed.

Restoring never
rewrites the SQL text (a schema name can appear inside the data too, in links and domains): the
dump is replayed under its own schema name inside one transaction while a live schema of that name
is renamed out of the way, then the restored schema takes the new name and the live one its old
name back. Other sessions never see the intermediate names: the catalog changes commit at once.
"""

import datetime
import gzip
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg
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
    """Put the backup at `path` in place of its live schema; the live one is kept, renamed, for
    the operator to compare or drop. Returns the kept schema's name."""
    original, _sql = dumped_schema(path)
    stamp = f"{timezone.now():%Y%m%d%H%M%S}"
    restored, kept = f"{original[:40]}_restored_{stamp}", f"{original[:40]}_before_{stamp}"
    restore_schema(path, restored)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'ALTER SCHEMA "{original}" RENAME TO "{kept}"')
        cursor.execute(f'ALTER SCHEMA "{restored}" RENAME TO "{original}"')
        record(None, "satker.restore", original, backup=path.name, kept_as=kept)
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
            manifest["schemas"][schema_name] = {"file": path.name, "tables": _digests(cursor, schema_name)}
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
    differences: list[str]


def restore_drill(root: Path) -> DrillReport:
    """Replay the newest set into a scratch database and compare every table with its manifest
    (no differences: it restores)."""
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
    differences, tables, rows = [], 0, 0
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
    finally:
        with _connect("postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    return DrillReport(folder, len(manifest["schemas"]), tables, rows, differences)
