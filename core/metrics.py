"""Prometheus metrics (prometheus_client), scraped at `/metrics` by IP like the probes.

Two kinds. A process's own: request latency by route, open sockets, AIDA's first token, WhatsApp
webhook lag; with several workers per server (gunicorn) they are kept in files under
PROMETHEUS_MULTIPROC_DIR and summed at scrape. And the platform's, the same from every process:
Celery queue depth and task outcomes, the notification outbox's backlog by channel, AIDA's quota
use. Workers and sweepers write those to Redis (`report`, `count`); a scrape reads them there
through the collectors apps register (`register_platform_collector`)."""

import os
import time

import redis
from django.conf import settings
from django.http import HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
REQUEST_SECONDS = Histogram(
    "halopst_http_request_duration_seconds",
    "Time to answer a request, by route pattern (not by path: ids would make a series each).",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
WEBSOCKETS = Gauge(
    "halopst_websocket_connections", "Sockets open now, by consumer.", ["consumer"], multiprocess_mode="livesum"
)
AIDA_FIRST_TOKEN_SECONDS = Histogram(
    "halopst_aida_first_token_seconds",
    "From a question's arrival to AIDA's first word sent to the user (the model's time included).",
    buckets=LATENCY_BUCKETS,
)
WHATSAPP_WEBHOOK_LAG_SECONDS = Histogram(
    "halopst_whatsapp_webhook_lag_seconds",
    "From a WhatsApp message's own timestamp to its webhook reaching us.",
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600),
)

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
REDIS_PREFIX = "halopst:metrics:"
_platform_collectors = []
_client = None


def _redis() -> redis.Redis:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(
            settings.CACHES["default"]["LOCATION"], socket_timeout=2, socket_connect_timeout=2
        )
    return _client


def report(name: str, field: str, value: float) -> None:
    """Set one field of a platform-wide gauge (e.g. the outbox backlog of one satker's channel)."""
    _redis().hset(REDIS_PREFIX + name, field, value)


def count(name: str, field: str, amount: int = 1) -> None:
    """Add to one field of a platform-wide counter (e.g. one task's outcomes)."""
    _redis().hincrby(REDIS_PREFIX + name, field, amount)


def read(name: str) -> dict[str, float]:
    return {field.decode(): float(value) for field, value in _redis().hgetall(REDIS_PREFIX + name).items()}


def register_platform_collector(collector) -> None:
    """A collector (prometheus_client's `collect()` protocol) read at every scrape."""
    _platform_collectors.append(collector)


def exposition() -> HttpResponse:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(_Merged(registry))
    return HttpResponse(generate_latest(scrape), content_type=CONTENT_TYPE_LATEST)


class _Merged:
    """This process's (or this server's) metrics and the platform's, in one scrape. A platform
    collector that fails (Redis down) leaves its series out; the scrape itself still answers."""

    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        yield from self.registry.collect()
        for collector in _platform_collectors:
            try:
                yield from collector.collect()
            except (redis.RedisError, OSError):
                continue


class RequestMetricsMiddleware:
    """Times every request, labelled by the URL pattern that answered it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None else "-"
        method = request.method if request.method in METHODS else "other"  # a label takes no client's invention
        REQUEST_SECONDS.labels(route or "/", method, str(response.status_code)).observe(time.perf_counter() - started)
        return response
