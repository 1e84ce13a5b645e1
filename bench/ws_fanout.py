"""WebSocket fan-out benchmark: signed-in sockets (1,000, then 5,000) spread over two uvicorn
processes as deployed (each with its connection pool); the time from a committed notification
to its arrival on the socket, p50 / p99, and how many were lost: steady single-recipient events,
then bursts of one commit notifying 100 users (issue #16: p99 < 100 ms at 1,000 sockets).

`make bench` runs it; or with DATABASE_URL / REDIS_URL set: python bench/ws_fanout.py
(BENCH_SOCKETS=1000,5000 to choose the sizes). Works in its own database, `<name>_bench_ws`,
created afresh. Prints the commit it measured and the CPU seconds of the servers and of the
harness (this process and its socket client), which share the machine. If the sockets cannot
all open, it stops at once with the client's error.
"""

import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    cpu_report,
    cpu_snapshot,
    free_port,
    fresh_django,
    measured_commit,
    onboard_sidoarjo,
    percentile,
    start_server,
)

SOCKET_COUNTS = [int(count) for count in os.environ.get("BENCH_SOCKETS", "1000,5000").split(",")]
BURST = 100
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
STEADY_EVENTS = int(os.environ.get("BENCH_STEADY_EVENTS", "500"))
STEADY_RATE = int(os.environ.get("BENCH_STEADY_RATE", "50"))
HOST = "sidoarjokab.localhost"


def setup():
    fresh_django("bench_ws", HALOPST_DB_CONN_MAX_AGE="60")
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_tenants.utils import schema_context

    from core.models import User

    satker = onboard_sidoarjo()
    sessions = []
    with schema_context(satker.schema_name):
        password = User(email="x@example.com")
        password.set_password("bench-password-123")
        User.objects.bulk_create(
            [
                User(
                    email=f"warga{i}@bench.example",
                    full_name=f"Warga {i}",
                    password=password.password,
                    notify_by_email=False,
                    notify_by_whatsapp=False,
                )
                for i in range(max(SOCKET_COUNTS))
            ]
        )
        for user in User.objects.order_by("pk"):
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            sessions.append((user, session.session_key))
    return satker, sessions


async def client_main(ports, keys):
    """In a separate process, so the harness does not share the GIL with the sender: open one
    socket per session key, print READY when all are open, then print each arrival."""
    import websockets

    opened = 0

    async def one(index, key):
        nonlocal opened
        port = ports[index % len(ports)]
        async with websockets.connect(
            f"ws://{HOST}:{port}/ws/notifications/",
            host="127.0.0.1",
            port=port,
            additional_headers={"Origin": f"http://{HOST}:{port}", "Cookie": f"sessionid={key}"},
            open_timeout=60,
            max_queue=None,
        ) as socket_:
            await socket_.recv()  # hello with the unread count
            opened += 1
            if opened == len(keys):
                print("READY", flush=True)
            async for message in socket_:
                payload = json.loads(message)
                if payload.get("type") == "notification":
                    print(f"{time.monotonic()} {payload['notification']['id']}", flush=True)
            raise RuntimeError(f"socket {index} closed by the server (code {socket_.close_code})")

    tasks = []
    for index, key in enumerate(keys):
        tasks.append(asyncio.create_task(one(index, key)))
        if index % 20 == 19:  # open them at ~200/s: the handshakes are not what is measured
            await asyncio.sleep(0.1)
    await asyncio.gather(*tasks)


def run(satker, sessions):
    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    from realtime.models import Notification
    from realtime.services import notify

    ports = [free_port(), free_port()]
    logs = [open(Path(tempfile.gettempdir()) / f"halopst-bench-ws-{i}.log", "w") for i in range(2)]
    # As deployed (deploy/compose.yaml's asgi service): the pool bounds each process's connections.
    environment = dict(os.environ, HALOPST_DB_POOL_MAX_SIZE="16")
    servers = [start_server("uvicorn", port, log, env=environment) for port, log in zip(ports, logs)]
    label = f"{len(sessions)} sockets"
    try:
        client_errors = tempfile.TemporaryFile("w+")
        keys = tempfile.NamedTemporaryFile("w", prefix="halopst-bench-ws-keys-", delete=False)  # too many for argv
        keys.write("\n".join(key for _user, key in sessions))
        keys.close()
        client = subprocess.Popen(
            [sys.executable, __file__, "client", ",".join(map(str, ports)), keys.name],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=client_errors,
            text=True,
            start_new_session=True,  # its CPU is counted to the harness
        )
        arrivals = []
        ready, client_gone = threading.Event(), threading.Event()

        def read_client():
            for line in client.stdout:
                if line.startswith("READY"):
                    ready.set()
                else:
                    arrived, notification_id = line.split()
                    arrivals.append((float(arrived), int(notification_id)))
            client_gone.set()

        threading.Thread(target=read_client, daemon=True).start()
        deadline = time.monotonic() + 60 + len(sessions) / 50
        while not ready.wait(0.5):
            if client_gone.is_set() or time.monotonic() > deadline:
                client.kill()
                client_errors.seek(0)
                error = client_errors.read().strip().splitlines()[-1:] or ["no error printed"]
                raise SystemExit(f"[{label}] the sockets did not all open: {error[0]} (server logs: {logs[0].name})")
        print(f"[{label}] open over {len(ports)} uvicorn processes")
        cpu_before = cpu_snapshot(servers, harness=[client])

        def commit(batch):
            """Notify every user of `batch` in one transaction; remember when it committed."""
            with schema_context(satker.schema_name):
                with transaction.atomic():
                    made = [notify(user, "requests_waiting", {"count": 1}) for user, _key in batch]
                    committed = time.monotonic()  # the on-commit pushes run right after this line
            for notification in made:
                sent_at[notification.pk] = committed

        def report(kind, ids):
            time.sleep(2)
            got = {nid: arrived - sent_at[nid] for arrived, nid in list(arrivals) if nid in ids}
            values = sorted(got.values())
            p50, p99 = statistics.median(values) * 1000, percentile(values, 0.99) * 1000
            print(
                f"[{label}] {kind}: {len(ids)} notifications, p50={p50:.1f}ms p99={p99:.1f}ms "
                f"max={values[-1] * 1000:.1f}ms lost={len(ids) - len(got)}"
            )
            return p50, p99, len(ids) - len(got)

        sent_at = {}
        # Steady traffic: one event at a time (an approval notifies one consumer), 50 per second,
        # each to a different one of the open sockets.
        for index in range(STEADY_EVENTS):
            commit([sessions[(index * 7) % len(sessions)]])
            time.sleep(1 / STEADY_RATE)
        steady = report(f"steady, {STEADY_RATE}/s single-recipient events", set(sent_at))
        # Bursts: one commit notifying 100 users at once, each round other users.
        before = set(sent_at)
        for round_number in range(ROUNDS):
            first = (round_number * BURST) % len(sessions)
            commit(sessions[first : first + BURST])
            time.sleep(0.3)
        burst = report(f"bursts, {ROUNDS} commits of {BURST} recipients", set(sent_at) - before)
        print(f"[{label}] {cpu_report(cpu_before, servers, harness=[client])}")
        client.terminate()
        client.wait(10)
        os.unlink(keys.name)
        with schema_context(satker.schema_name):
            Notification.objects.all().delete()
        connection.close()
        return steady, burst
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(10)


def main():
    if sys.argv[1:2] == ["client"]:
        asyncio.run(client_main([int(port) for port in sys.argv[2].split(",")], Path(sys.argv[3]).read_text().split()))
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    print(f"commit {measured_commit()}")
    satker, sessions = setup()
    for count in SOCKET_COUNTS:
        run(satker, sessions[:count])


if __name__ == "__main__":
    main()
