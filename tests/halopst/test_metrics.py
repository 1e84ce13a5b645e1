"""Prometheus metrics and request ids, through uvicorn as deployed: a scrape by IP carries the
named series (request latency by route, sockets, Celery queues and task outcomes, the outbox's
backlog, AIDA's first token and quota use, WhatsApp's webhook lag), and a request's id is on its
response, in its JSON log lines and in the tasks it sends."""

import asyncio
import json
import re

import httpx
import pytest
import websockets
from celery import shared_task
from django_tenants.utils import schema_context

from billing_quota.services import ledger_for, reserve
from core.request_id import current_request_id
from core.tasking import send_in_schema
from realtime.tasks import sweep_deliveries
from tests.conftest import client_for, create_user, free_port, server_process

pytestmark = pytest.mark.timeout(120)
SEEN_BY_TASK = []


@shared_task
def remember_request_id():
    SEEN_BY_TASK.append(current_request_id.get())


def value(scrape: str, series: str) -> float:
    """The sample of `series` (name and labels exactly as Prometheus prints them)."""
    match = re.search(rf"^{re.escape(series)} (\S+)$", scrape, re.MULTILINE)
    assert match, f"{series} not in the scrape"
    return float(match.group(1))


def test_a_scrape_carries_the_named_series_and_a_request_id_follows_the_request(make_satker, eager_celery):
    satker_a = make_satker()  # committed: the server process sees the consumer and their session
    consumer = create_user(satker_a, "andi@example.com")
    cookie = client_for(satker_a, consumer).cookies["sessionid"].value
    with schema_context(satker_a.schema_name):
        sweep_deliveries.delay()  # counts the outbox for the scrape, and is counted as a task outcome
    ledger_for(satker_a)
    reserve(satker_a, 1000)
    port = free_port()
    command = ["uvicorn", "halopst.asgi:application", "--port", str(port), "--lifespan", "off"]
    with server_process(command, port, HALOPST_LOG_FORMAT="json") as server:
        base, host = f"http://127.0.0.1:{port}", f"{satker_a.subdomain}.localhost:{port}"
        for _ in range(2):
            assert httpx.get(base + "/", headers={"Host": host}, timeout=30).status_code == 200
        missing = httpx.get(
            base + "/tidak-ada/", headers={"Host": host, "X-Request-ID": "uji-permintaan-42"}, timeout=30
        )
        assert missing.status_code == 404 and missing.headers["X-Request-ID"] == "uji-permintaan-42"
        assert len(httpx.get(base + "/", headers={"Host": host}, timeout=30).headers["X-Request-ID"]) == 32

        async def with_a_socket_open() -> str:
            async with websockets.connect(
                f"ws://{host}/ws/notifications/",
                host="127.0.0.1",
                port=port,
                additional_headers={"Origin": f"http://{host}", "Cookie": f"sessionid={cookie}"},
            ) as socket:
                assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "hello"
                async with httpx.AsyncClient() as client:
                    return (await client.get(base + "/metrics", headers={"Host": "10.0.0.9"}, timeout=30)).text

        scrape = asyncio.run(with_a_socket_open())
        server.log.seek(0)
        lines = [json.loads(line) for line in server.log.read().decode().splitlines() if line.startswith("{")]

    assert value(scrape, 'halopst_http_request_duration_seconds_count{method="GET",route="/",status="200"}') >= 2
    assert value(scrape, 'halopst_http_request_duration_seconds_count{method="GET",route="-",status="404"}') >= 1
    assert value(scrape, 'halopst_websocket_connections{consumer="NotificationConsumer"}') == 1
    assert value(scrape, 'halopst_celery_queue_depth{queue="celery"}') >= 0
    assert value(scrape, 'halopst_celery_queue_depth{queue="whatsapp"}') >= 0
    assert value(scrape, 'halopst_celery_tasks_total{outcome="success",task="realtime.tasks.sweep_deliveries"}') >= 1
    assert value(scrape, 'halopst_outbox_backlog{channel="email"}') >= 0
    assert value(scrape, f'halopst_aida_quota_used_ratio{{satker="{satker_a.code}"}}') > 0
    assert value(scrape, "halopst_aida_first_token_seconds_count") >= 0
    assert value(scrape, "halopst_whatsapp_webhook_lag_seconds_count") >= 0

    # JSON log lines, the 404's with the id the proxy gave.
    assert any(line.get("request_id") == "uji-permintaan-42" and line["level"] == "WARNING" for line in lines), lines


def test_a_task_sent_during_a_request_logs_under_the_requests_id(satker_a, eager_celery):
    before = current_request_id.get()
    token = current_request_id.set("permintaan-asal-7")
    try:
        send_in_schema(remember_request_id, satker_a.schema_name)
    finally:
        current_request_id.reset(token)
    assert SEEN_BY_TASK[-1] == "permintaan-asal-7"
    assert current_request_id.get() == before


def test_gunicorns_workers_are_summed_in_one_scrape(committed_db, tmp_path):
    """Two workers: whichever answers the scrape counts the requests both served (multiprocess mode)."""
    port = free_port()
    command = ["gunicorn", "halopst.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    command += ["--config", "python:halopst.gunicorn_conf"]
    with server_process(command, port, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics")):
        base = f"http://127.0.0.1:{port}"
        for _ in range(12):  # new connections: the kernel hands them to either worker
            assert httpx.get(base + "/healthz", headers={"Host": "10.0.0.9"}, timeout=30).status_code == 200
        scrape = httpx.get(base + "/metrics", headers={"Host": "10.0.0.9"}, timeout=30).text
    assert value(scrape, 'halopst_http_request_duration_seconds_count{method="GET",route="-",status="200"}') == 12
