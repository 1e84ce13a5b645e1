"""Backing up one satker (its schema) and restoring it into a fresh schema.

A backup is pg_dump's plain SQL of the schema, data included, gzip-compressed. Restoring never
rewrites the SQL text (a schema name can appear inside the data too, in links and domains): the
dump is replayed under its own schema name inside one transaction while a live schema of that name
is renamed out of the way, then the restored schema takes the new name and the live one its old
name back. Other sessions never see the intermediate names: the catalog changes commit at once.
"""

import gzip
import re
import subprocess
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from tenants.schema_template import libpq_environment, pg_dump_binary, replayable_sql

_SCHEMA = re.compile(r"[a-z][a-z0-9_]{1,62}")


def backup_schema(schema_name: str, folder: Path) -> Path:
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
