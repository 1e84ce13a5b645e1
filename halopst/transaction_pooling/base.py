"""django-tenants' PostgreSQL backend made safe behind PgBouncer in transaction pooling mode.

django-tenants selects a satker with a session-level `SET search_path` on the connection. Behind
PgBouncer's transaction pooling every transaction may run on another server connection, so that
SET stays on whichever server connection ran it and a later transaction of another satker can
run under it: satker A's query would read satker B's tables (tests/halopst/test_pgbouncer.py
shows it happening with the plain backend).

Here the schema travels with every transaction instead: `SET LOCAL search_path` as the first
statement of each transaction (again after the schema changes or a savepoint is rolled back,
which undoes it), and a statement run outside any transaction (Django's autocommit) gets a
transaction of its own around it: BEGIN, SET LOCAL, the statement, COMMIT — three more round
trips for those statements, none for statements inside `transaction.atomic`. The side
statements run on a cursor of their own, so they are neither logged as queries nor mixed into
the statement's results.

Enabled by HALOPST_DB_TRANSACTION_POOLING (halopst/settings.py), which also turns off what
transaction pooling breaks: server-side cursors and server-side prepared statements.
"""

import re

from django_tenants.postgresql_backend import base
from django_tenants.utils import get_public_schema_name, quote_schema_name

# Statements that pass as they are: savepoints (they belong to the transaction they are in, which
# may have failed: no SET can run before its ROLLBACK TO) and what PostgreSQL refuses inside a
# transaction block. None reads a satker's tables.
AS_THEY_ARE = re.compile(
    r"^\s*(SAVEPOINT|RELEASE|ROLLBACK|CREATE\s+DATABASE|DROP\s+DATABASE|VACUUM|REINDEX|ALTER\s+SYSTEM"
    r"|(CREATE|DROP)\s+INDEX\s+CONCURRENTLY)",
    re.IGNORECASE,
)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._bound_search_path = None  # what SET LOCAL set in the open transaction, if anything
        self.execute_wrappers.append(self._in_schema)

    def _handle_search_path(self, cursor=None):
        """Never a session-level SET: see the module docstring."""

    def _search_path_statement(self) -> str:
        paths = self._get_cursor_search_paths() if self.schema_name else [get_public_schema_name()]
        return "SET LOCAL search_path = " + ",".join(quote_schema_name(path) for path in paths)

    def _in_schema(self, execute, sql, params, many, context):
        statement = self._search_path_statement()
        if isinstance(sql, str) and AS_THEY_ARE.match(sql):
            return execute(sql, params, many, context)
        if self.get_autocommit() and not self.in_atomic_block:
            # A statement of its own: its own transaction, with the schema inside it.
            with self.connection.transaction(), self.connection.cursor() as side:
                side.execute(statement)
                return execute(sql, params, many, context)
        if self._bound_search_path != statement:
            with self.connection.cursor() as side:
                side.execute(statement)
            self._bound_search_path = statement
        return execute(sql, params, many, context)

    # Whatever ends a transaction (or undoes part of it) ends what SET LOCAL did.

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._bound_search_path = None

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._bound_search_path = None

    def _savepoint_rollback(self, sid):
        try:
            return super()._savepoint_rollback(sid)
        finally:
            self._bound_search_path = None

    def _close(self):
        try:
            return super()._close()
        finally:
            self._bound_search_path = None
