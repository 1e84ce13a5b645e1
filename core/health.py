"""Probes for load balancers and compose: `/healthz` (the process answers) and `/readyz` (it can
serve: the database, Redis — cache, channel layer, Celery broker — and applied migrations), and
Prometheus's `/metrics` (core.metrics).

Answered by the outermost middleware, before host checks, HTTPS redirects and tenancy: a probe
comes by IP over plain HTTP, not by a satker's name.
"""

import redis
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse

from core.metrics import exposition

_migrations_applied = False  # once applied, they stay applied for this process's life


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _migrations() -> None:
    global _migrations_applied
    if _migrations_applied:
        return
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise RuntimeError("migrations are not applied")
    _migrations_applied = True


def _redis() -> None:
    urls = {settings.CACHES["default"]["LOCATION"], settings.CELERY_BROKER_URL}
    urls |= {host["address"] for host in settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]}
    for url in urls:
        with redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) as client:
            client.ping()


CHECKS = {"database": _database, "migrations": _migrations, "redis": _redis}


def readiness() -> JsonResponse:
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as failure:  # a probe reports every failure; it never raises one
            results[name] = f"failing: {type(failure).__name__}"
    ready = all(result == "ok" for result in results.values())
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": results}, status=200 if ready else 503)


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            return readiness()
        if request.path == "/metrics":
            # Prometheus scrapes each server by IP; nginx answers /metrics from outside with 404.
            return exposition()
        return self.get_response(request)
