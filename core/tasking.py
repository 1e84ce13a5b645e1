"""Sending Celery tasks from services."""

from django.db import connection, transaction

from core.request_id import current_request_id


def enqueue_after_commit(task, *args, **kwargs) -> None:
    """Send `task` once the current transaction commits, to run in the schema of *now*.

    The schema is captured here, not at send time: by the time the transaction commits,
    the caller may have left the satker's schema (onboarding invites a satker's first admin
    from inside the public schema's transaction).
    """
    schema_name = connection.schema_name
    # robust: if the broker is unreachable, the change stands and the caller is not told it
    # failed; what the task would do is picked up by a sweeper (deliveries, quota reservations)
    # or the next periodic run (rollups). The error is logged.
    transaction.on_commit(lambda: send_in_schema(task, schema_name, *args, **kwargs), robust=True)


def send_in_schema(task, schema_name: str, *args, countdown: float | None = None, **kwargs) -> None:
    """Send `task` now, to run in `schema_name` (the header tenant-schemas-celery reads), with
    the id of the request that sent it, for its log lines."""
    headers = {"_schema_name": schema_name, "request_id": current_request_id.get()}
    task.apply_async(args, kwargs, countdown=countdown, headers=headers)
