"""The load balancer's probes, through the servers as deployed (production settings): asked by
IP over plain HTTP, they answer before host checks, HTTPS redirects and tenancy."""

import contextlib
import os
import socket
import threading
import time
from urllib.parse import urlsplit

import httpx
import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import database_url, free_port, server_process

PRODUCTION = {"HALOPST_DEBUG": "false", "HALOPST_SECRET_KEY": "probe-" + "k" * 60}  # HTTPS redirect on
SERVERS = {
    "gunicorn": lambda port: ["gunicorn", "halopst.wsgi", "--bind", f"127.0.0.1:{port}"],
    "uvicorn": lambda port: ["uvicorn", "halopst.asgi:application", "--port", str(port), "--lifespan", "off"],
}


@pytest.mark.parametrize("server", SERVERS)
def test_probes_answer_by_ip_over_http(committed_db, server):
    port = free_port()
    with server_process(SERVERS[server](port), port, **PRODUCTION):
        base = f"http://127.0.0.1:{port}"
        alive = httpx.get(base + "/healthz", headers={"Host": "10.0.0.5"}, timeout=30)
        assert alive.status_code == 200 and alive.json() == {"status": "ok"}
        ready = httpx.get(base + "/readyz", headers={"Host": "10.0.0.5"}, timeout=30)
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "redis": "ok"}}
        # Everything else still meets the HTTPS redirect and the host check.
        assert httpx.get(base + "/", headers={"Host": "10.0.0.5"}, timeout=30).status_code in (301, 400)


def test_readiness_fails_and_names_what_is_down(committed_db):
    port, closed = free_port(), free_port()
    with server_process(SERVERS["gunicorn"](port), port, REDIS_URL=f"redis://127.0.0.1:{closed}/0", **PRODUCTION):
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(base + "/healthz", timeout=30).status_code == 200  # the process itself is up
        ready = httpx.get(base + "/readyz", timeout=30)
        assert ready.status_code == 503
        assert ready.json()["checks"]["redis"].startswith("failing") and ready.json()["checks"]["database"] == "ok"


class Outage:
    """A TCP relay in front of a real server (PostgreSQL, Redis) that the test can cut and
    restore, as a network partition or a restart would: while cut, open connections are reset
    and new ones refused."""

    def __init__(self, connect):
        self.connect, self.port = connect, free_port()
        self.open, self.links = True, []
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            server = self.connect()
            self.links.append((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self):
        self.open = False
        for pair in self.links:
            for end in pair:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
        self.links.clear()

    def restore(self):
        self.open = True


def ready_state(base, wanted, timeout=60):
    """Polls /readyz until it reports `wanted` (a condition, not a timing: it fails only if the
    state never comes)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = httpx.get(base + "/readyz", timeout=30)
        if answer.json()["status"] == wanted or time.monotonic() > deadline:
            return answer
        time.sleep(0.5)


def postgresql_connector():
    """How to reach the test database's server: by TCP, or by its Unix socket (the embedded
    PostgreSQL of a newcomer's `make test`)."""
    database = connection.settings_dict
    host, port = database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432)
    if host.startswith("/"):
        path = os.path.join(host, f".s.PGSQL.{port}")

        def by_socket():
            unix = socket.socket(socket.AF_UNIX)
            unix.connect(path)
            return unix

        return by_socket
    return lambda: socket.create_connection((host, port))


def test_readiness_follows_postgresql_and_redis_going_down_and_coming_back(committed_db):
    redis_url = urlsplit(settings.REDIS_URL)
    postgres = Outage(postgresql_connector())
    valkey = Outage(lambda: socket.create_connection((redis_url.hostname, redis_url.port or 6379)))
    database = urlsplit(database_url())
    port = free_port()
    environment = {
        "DATABASE_URL": database._replace(netloc=f"{database.username}@127.0.0.1:{postgres.port}").geturl(),
        "REDIS_URL": f"redis://127.0.0.1:{valkey.port}{redis_url.path}",
        **PRODUCTION,
    }
    with server_process(SERVERS["gunicorn"](port), port, **environment):
        base = f"http://127.0.0.1:{port}"
        assert ready_state(base, "ready").status_code == 200
        for outage, check in ((postgres, "database"), (valkey, "redis")):
            outage.cut()
            down = ready_state(base, "not ready")
            assert down.status_code == 503 and down.json()["checks"][check].startswith("failing"), down.json()
            outage.restore()
            back = ready_state(base, "ready")
            assert back.status_code == 200, back.json()
