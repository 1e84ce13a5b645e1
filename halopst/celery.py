"""The Celery app. Every task carries the schema it was sent from and runs in it
(tenant-schemas-celery); beat entries without a schema run once for every active satker."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halopst.settings")

from celery.schedules import crontab  # noqa: E402
from celery.signals import task_failure, task_postrun, task_prerun, task_retry, task_success  # noqa: E402
from tenant_schemas_celery.app import CeleryApp  # noqa: E402

app = CeleryApp("halopst")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Each task's log lines carry the id of the request that sent it (core.request_id), and its
# outcome is counted for the platform's metrics (core.metrics, read by halopst.metrics).
@task_prerun.connect
def _take_request_id(task=None, **kwargs):
    from core.request_id import current_request_id

    headers = task.request.headers or {}
    task.request.request_id_token = current_request_id.set(
        headers.get("request_id") or task.request.get("request_id") or ""
    )


@task_postrun.connect
def _drop_request_id(task=None, **kwargs):
    from core.request_id import current_request_id

    token = getattr(task.request, "request_id_token", None)
    if token is not None:
        current_request_id.reset(token)


def _count_outcome(task_name: str, outcome: str) -> None:
    from redis.exceptions import RedisError

    from core import metrics

    try:
        metrics.count("tasks", f"{task_name}|{outcome}")
    except RedisError:
        pass  # a statistic never fails a task


@task_success.connect
def _succeeded(sender=None, **kwargs):
    _count_outcome(sender.name, "success")


@task_failure.connect
def _failed(sender=None, **kwargs):
    _count_outcome(sender.name, "failure")


@task_retry.connect
def _retried(sender=None, **kwargs):
    _count_outcome(sender.name, "retry")


app.conf.beat_schedule = {
    "purge-expired-invitations": {
        "task": "core.tasks.purge_expired_invitations",
        "schedule": crontab(minute=17, hour=2),
    },
    "sweep-notification-deliveries": {
        "task": "realtime.tasks.sweep_deliveries",
        "schedule": 60.0,
    },
    # The portal's invitations (province and national admins) live in public: "every satker"
    # leaves public out, so these two run there too.
    "purge-expired-portal-invitations": {
        "task": "core.tasks.purge_expired_invitations",
        "schedule": crontab(minute=17, hour=2),
        "tenant_schemas": ["public"],
    },
    "sweep-portal-notification-deliveries": {
        "task": "realtime.tasks.sweep_deliveries",
        "schedule": 60.0,
        "tenant_schemas": ["public"],
    },
    "forget-old-whatsapp-contacts": {
        "task": "conversations.tasks.forget_old_contacts",
        "schedule": crontab(minute=47, hour=3),
    },
    "pass-on-unanswered-conversations": {
        "task": "conversations.tasks.pass_on_unanswered",
        "schedule": crontab(minute="*/5"),
    },
    "route-waiting-conversations": {
        "task": "conversations.tasks.route_waiting",
        "schedule": crontab(minute="*/5"),
    },
    "send-reminders": {
        "task": "booking.tasks.send_reminders",
        "schedule": crontab(minute="*/5"),
    },
    "refresh-followed-bps-tables": {
        "task": "statdata.tasks.refresh_followed_tables",
        "schedule": crontab(minute=23, hour=1),
        # Figures are public: once for the platform.
        "tenant_schemas": ["public"],
    },
    "back-up-the-platform": {
        "task": "tenants.tasks.back_up_platform",
        "schedule": crontab(minute=7, hour=2),
        # One set for the whole platform (every schema from one snapshot).
        "tenant_schemas": ["public"],
    },
    "sweep-stale-quota-reservations": {
        "task": "billing_quota.tasks.sweep_stale_reservations",
        "schedule": 300.0,
        # Public-schema work, once for the whole platform.
        "tenant_schemas": ["public"],
    },
    "anonymise-old-aida-conversations": {
        "task": "aida.tasks.anonymise_old_conversations",
        "schedule": crontab(minute=41, hour=3),
    },
    "embed-knowledge": {
        "task": "aida.tasks.embed_knowledge",
        "schedule": crontab(minute=29),
    },
    # The national and province entries, edited in public: their vectors follow within minutes.
    "embed-shared-knowledge": {
        "task": "aida.tasks.embed_knowledge",
        "schedule": crontab(minute="*/10"),
        "tenant_schemas": ["public"],
    },
    "refresh-rollups": {
        "task": "insights.tasks.refresh_rollups",
        "schedule": crontab(minute="*/5"),
    },
    "expire-stale-consultation-requests": {
        "task": "booking.tasks.expire_stale_requests",
        "schedule": crontab(minute="*/5"),
    },
}
