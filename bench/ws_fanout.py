"""WebSocket fan-out benchmark: 1,000 signed-in sockets spread over two web processes; the
time from a committed notification to its arrival on the socket, p50 / p99, and how many
were lost. Run once with Daphne and once with uvicorn serving the same ASGI application.

`make bench` runs it; or with DATABASE_URL / REDIS_URL set: python bench/ws_fanout.py
Works in its own database, `<name>_bench_ws`, created afresh.
"""

import asyncio
import os
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.onboarding import bench_database_url, manage  # noqa: E402

SOCKETS = int(os.environ.get("BENCH_SOCKETS", "1000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
HOST = "sidoarjokab.localhost"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_command(kind, port):
    if kind == "daphne":
        return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "core.asgi:application"]
    return [sys.executable, "-m", "uvicorn", "core.asgi:application", "--host", "127.0.0.1", "--port", str(port),
            "--lifespan", "off", "--ws", "websockets", "--log-level", "warning", "--no-access-log"]


def wait_port(port, process):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("server exited")
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def setup():
    from core.devstack import ensure_database

    os.environ["DATABASE_URL"] = bench_database_url().replace("_bench", "_bench_ws")
    os.environ["HALOPST_CACHE_PREFIX"] = "halopst-bench"
    ensure_database(os.environ["DATABASE_URL"], fresh=True)
    manage("migrate_schemas", "--shared", "-v", "0")
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_tenants.utils import schema_context

    from core.models import User
    from tenants.services import SatkerSpec, onboard_satker

    onboard_satker(SatkerSpec("3500", "province", "Provinsi Jawa Timur", "jatim", "Asia/Jakarta"))
    satker = onboard_satker(SatkerSpec("3515", "regency", "Kabupaten Sidoarjo", "sidoarjokab", "Asia/Jakarta"))
    sessions = []
    with schema_context(satker.schema_name):
        password = User(email="x@example.com")
        password.set_password("bench-password-123")
        User.objects.bulk_create([User(email=f"warga{i}@bench.example", full_name=f"Warga {i}", password=password.password,
                                       notify_by_email=False, notify_by_whatsapp=False) for i in range(SOCKETS)])
        for user in User.objects.order_by("pk"):
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            sessions.append((user, session.session_key))
    return satker, sessions


async def open_sockets(ports, sessions, arrivals, ready):
    import websockets

    async def one(index, user, key):
        port = ports[index % len(ports)]
        async with websockets.connect(f"ws://{HOST}:{port}/ws/notifications/", host="127.0.0.1", port=port,
                                      additional_headers={"Origin": f"http://{HOST}:{port}", "Cookie": f"sessionid={key}"},
                                      open_timeout=60, max_queue=None) as socket_:
            await socket_.recv()  # hello with the unread count
            ready.append(index)
            async for message in socket_:
                arrivals.append((time.perf_counter(), message))

    tasks = []
    for index, (user, key) in enumerate(sessions):
        tasks.append(asyncio.create_task(one(index, user, key)))
        if index % 20 == 19:  # open them at ~200/s: the handshakes are not what is measured
            await asyncio.sleep(0.1)
    return tasks


def run(kind, satker, sessions):
    import json

    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    from realtime.models import Notification
    from realtime.services import notify

    ports = [free_port(), free_port()]
    env = dict(os.environ, HALOPST_DB_CONN_MAX_AGE="60", HALOPST_DEBUG="true")
    logs = [open(Path(os.environ.get("TMPDIR", "/tmp")) / f"halopst-bench-{kind}-{i}.log", "w") for i in range(2)]
    servers = [subprocess.Popen(server_command(kind, port), cwd=ROOT, env=env, stdout=log, stderr=log)
               for port, log in zip(ports, logs)]
    try:
        for port, server in zip(ports, servers):
            wait_port(port, server)
        arrivals, ready = [], []
        loop = asyncio.new_event_loop()
        tasks = []

        def client_thread():
            asyncio.set_event_loop(loop)
            tasks.extend(loop.run_until_complete(open_sockets(ports, sessions, arrivals, ready)))
            loop.run_forever()

        thread = threading.Thread(target=client_thread, daemon=True)
        thread.start()
        deadline = time.monotonic() + 120
        while len(ready) < len(sessions):
            failed = [task.exception() for task in tasks if task.done() and task.exception()]
            if failed or time.monotonic() > deadline:
                raise RuntimeError(f"only {len(ready)} sockets connected; {len(failed)} failed: {failed[:3]!r}")
            time.sleep(0.1)
        print(f"[{kind}] {len(ready)} sockets open over {len(ports)} processes")

        sent_at = {}
        per_round = len(sessions) // ROUNDS
        for round_number in range(ROUNDS):
            batch = sessions[round_number * per_round:(round_number + 1) * per_round]
            with schema_context(satker.schema_name):
                with transaction.atomic():
                    made = [notify(user, "requests_waiting", {"count": round_number + 1}) for user, _key in batch]
                    committed = time.perf_counter()  # the callbacks below run at commit
                for notification in made:
                    sent_at[notification.pk] = committed
            time.sleep(0.3)
        time.sleep(2)
        latencies = {}
        for arrived, message in list(arrivals):
            payload = json.loads(message)
            if payload.get("type") == "notification":
                latencies.setdefault(payload["notification"]["id"], arrived - sent_at[payload["notification"]["id"]])
        lost = len(sent_at) - len(latencies)
        values = sorted(latencies.values())
        p50 = statistics.median(values) * 1000
        p99 = values[int(0.99 * (len(values) - 1))] * 1000
        print(f"[{kind}] {len(sent_at)} notifications committed in {ROUNDS} rounds of {per_round}: "
              f"p50={p50:.1f}ms p99={p99:.1f}ms max={values[-1] * 1000:.1f}ms lost={lost}")
        loop.call_soon_threadsafe(loop.stop)
        with schema_context(satker.schema_name):
            Notification.objects.all().delete()
        connection.close()
        return p50, p99, lost
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(10)


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    satker, sessions = setup()
    results = {kind: run(kind, satker, sessions) for kind in ("daphne", "uvicorn")}
    faster = min(results, key=lambda kind: results[kind][1])
    print(f"faster at p99: {faster}")


if __name__ == "__main__":
    main()
