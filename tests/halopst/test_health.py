"""The load balancer's probes, through the servers as deployed (production settings): asked by
IP over plain HTTP, they answer before host checks, HTTPS redirects and tenancy."""

import httpx
import pytest

from tests.conftest import free_port, server_process

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
