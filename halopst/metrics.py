"""The platform's metrics, the same from whichever server Prometheus scrapes: Celery's queues and
task outcomes, the notification outbox, AIDA's quota use. Read at scrape time from Redis (where
workers and sweepers report, core.metrics) and from the public schema's ledgers."""

import redis
from django.conf import settings
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from billing_quota.selectors import ledgers_of, month_of
from core import metrics
from tenants.models import PUBLIC_SCHEMA, Satker


class PlatformCollector:
    def collect(self):
        yield self._queue_depth()
        yield self._task_outcomes()
        yield self._outbox_backlog()
        yield self._quota_use()

    @staticmethod
    def _queue_depth():
        depth = GaugeMetricFamily("halopst_celery_queue_depth", "Tasks waiting in each Celery queue.", labels=["queue"])
        with redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2) as broker:
            for queue in ("celery", settings.WHATSAPP_QUEUE):
                depth.add_metric([queue], broker.llen(queue))
        return depth

    @staticmethod
    def _task_outcomes():
        outcomes = CounterMetricFamily(
            "halopst_celery_tasks", "Tasks finished by the workers, by task and outcome.", labels=["task", "outcome"]
        )
        for field, value in sorted(metrics.read("tasks").items()):
            task, _bar, outcome = field.rpartition("|")
            outcomes.add_metric([task, outcome], value)
        return outcomes

    @staticmethod
    def _outbox_backlog():
        by_channel: dict[str, float] = {}
        for field, value in metrics.read("outbox_backlog").items():
            _schema, _bar, channel = field.rpartition("|")
            by_channel[channel] = by_channel.get(channel, 0) + value
        backlog = GaugeMetricFamily(
            "halopst_outbox_backlog",
            "Notifications not yet delivered, by channel, as the sweepers last counted them (each minute).",
            labels=["channel"],
        )
        for channel, waiting in sorted(by_channel.items()):
            backlog.add_metric([channel], waiting)
        return backlog

    @staticmethod
    def _quota_use():
        used = GaugeMetricFamily(
            "halopst_aida_quota_used_ratio",
            "Share of this month's AIDA token budget each satker has used.",
            labels=["satker"],
        )
        satkers = {satker.pk: satker.code for satker in Satker.objects.exclude(schema_name=PUBLIC_SCHEMA)}
        for satker_id, ledger in ledgers_of(list(satkers), month_of()).items():
            spent = ledger.tokens_used + ledger.tokens_reserved
            used.add_metric([satkers[satker_id]], spent / ledger.token_limit if ledger.token_limit else 1.0)
        return used
