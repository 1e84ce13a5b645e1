"""Apply the tenant migrations to every satker schema (and the template new satkers are cloned
from), several schemas at once.

`migrate_schemas` migrates one schema after another and runs Django's whole migrate in each,
even where nothing is pending: 333 ms a schema, 184 s for one new migration across 552 (its
parallel executor, a new connection and the whole migrate per schema: 161 s on two cores). Here the
schemas already at the target are found first, from their own `django_migrations` (one query
each) and left alone; the others are migrated in a pool of processes, each with its own
connection kept from schema to schema, by the steps of Django's migrate (its pre- and
post-migrate signals included), with the migration graph and project state built once per
process rather than once per schema, and the migrations table found by one lookup rather than a
list of every table in a 552-schema catalog. A schema that fails is reported and does not stop the others; the command exits with
an error naming them.
"""

import multiprocessing
import os
import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.core.management.sql import emit_pre_migrate_signal
from django.db import connection, connections
from django.db.migrations.exceptions import InconsistentMigrationHistory
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import signals

from tenants.models import PUBLIC_SCHEMA, Satker
from tenants.schema_template import TEMPLATE_SCHEMA


def _pending(schema: str, wanted: set[tuple[str, str]]) -> bool:
    """Whether the schema lacks any migration of the target (a schema without the table lacks all)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f'"{schema}".django_migrations'])
        if cursor.fetchone()[0] is None:
            return True
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations')
        return not wanted <= set(cursor.fetchall())


class _SchemaRecorder(MigrationRecorder):
    def has_table(self):
        """One catalog lookup of this schema's table. Django lists every visible table to answer,
        and each of its recorders asks again: 38 ms a time with 552 schemas in the catalog."""
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [f'"{self.connection.schema_name}".django_migrations'])
            return cursor.fetchone()[0] is not None


class _SchemaExecutor(MigrationExecutor):
    """Django's executor on a migration graph loaded once per process (the code's migrations do
    not change between schemas), with the schema's applied migrations read by a _SchemaRecorder."""

    def __init__(self, loader: MigrationLoader):
        self.connection = connection
        self.loader = loader
        self.recorder = _SchemaRecorder(connection)
        self.progress_callback = None
        self.recorder.ensure_schema()
        loader.applied_migrations = self.recorder.applied_migrations()
        for key in loader.applied_migrations:  # as MigrationLoader.check_consistent_history
            for parent in loader.graph.node_map[key].parents if key in loader.graph.nodes else ():
                if parent.key not in loader.applied_migrations:
                    raise InconsistentMigrationHistory(f"{key} is applied before its dependency {parent.key}")


# Per pool process: the migration graph, and the project state (models rendered) after each set of
# applied migrations met: schemas behind by the same migrations start from the same state, built
# once, not rendered twice per schema as migrate does.
_process = {"loader": None, "states": {}}


def _migrate(schema: str) -> tuple[str, str]:
    """In a pool process: migrate one schema as Django's migrate does, its signals included
    (post-migrate, which makes new models' content types and permissions, for the apps migrated);
    ("", schema) when done, (error, schema) when not."""
    try:
        if _process["loader"] is None:
            _process["loader"] = MigrationLoader(None)
        # The schema's own django_migrations, never public's (django-tenants does the same).
        connection.set_schema(schema, include_public=False)
        executor = _SchemaExecutor(_process["loader"])
        connection.set_schema(schema)
        targets = executor.loader.graph.leaf_nodes()
        plan = executor.migration_plan(targets)
        applied = frozenset(executor.loader.applied_migrations)
        if applied not in _process["states"]:
            _process["states"][applied] = executor._create_project_state(with_applied_migrations=True)
        pre_migrate = _process["states"][applied]
        emit_pre_migrate_signal(0, False, connection.alias, apps=pre_migrate.apps, plan=plan)
        post_migrate = executor.migrate(targets, plan=plan, state=pre_migrate.clone(), fake=False, fake_initial=False)
        post_migrate.clear_delayed_apps_cache()
        migrated_apps = {migration.app_label for migration, _backwards in plan}
        for app_config in apps.get_app_configs():
            if app_config.models_module is not None and app_config.label in migrated_apps:
                signals.post_migrate.send(
                    sender=app_config,
                    app_config=app_config,
                    verbosity=0,
                    interactive=False,
                    using=connection.alias,
                    apps=post_migrate.apps,
                    plan=plan,
                )
        return "", schema
    except Exception as failure:  # one satker's failure is reported, never the others' end
        connection.close()  # a failed transaction must not follow into the next schema
        return f"{type(failure).__name__}: {failure}", schema
    finally:
        connection.set_schema_to_public()


def _fresh_connections() -> None:
    # A forked process must not share its parent's socket to PostgreSQL.
    for alias in connections:
        connections[alias].inc_thread_sharing()
        connections[alias].close()
        connections[alias].dec_thread_sharing()


class Command(BaseCommand):
    help = "Migrate every satker schema (and the template) in parallel, skipping those already migrated."

    def add_arguments(self, parser):
        parser.add_argument("--processes", type=int, default=os.cpu_count() or 2)

    def handle(self, *args, processes: int = 2, **options):
        started = time.perf_counter()
        wanted = set(MigrationLoader(None).disk_migrations)
        schemas = [TEMPLATE_SCHEMA] + list(
            Satker.objects.exclude(schema_name=PUBLIC_SCHEMA)
            .order_by("schema_name")
            .values_list("schema_name", flat=True)
        )
        pending = [schema for schema in schemas if _pending(schema, wanted)]
        self.stdout.write(f"{len(schemas)} schemas, {len(pending)} to migrate, {processes} processes")
        failures = []
        if pending:
            connections.close_all()
            with multiprocessing.get_context("fork").Pool(processes, initializer=_fresh_connections) as pool:
                for error, schema in pool.imap_unordered(_migrate, pending):
                    if error:
                        failures.append((schema, error))
                        self.stderr.write(f"{schema}: {error}")
        self.stdout.write(
            f"migrated {len(pending) - len(failures)}, failed {len(failures)}, in {time.perf_counter() - started:.1f}s"
        )
        if failures:
            raise CommandError("not migrated: " + ", ".join(schema for schema, _error in failures))
