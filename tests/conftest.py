"""Shared fixtures: real PostgreSQL and Redis, satkers made by cloning the template schema.

Two satkers (`satker_a` Sidoarjo, `satker_b` Surabaya, both under province Jawa Timur)
are onboarded once per test session. Tests on the ordinary `db` fixture run inside a
transaction that is rolled back. Tests whose code runs on other threads or processes
(Celery workers, WebSocket consumers, concurrency) need committed data: they use
`committed_db` and make their own satkers with `make_satker`, whose schemas are dropped
afterwards, so they never leave anything in the shared ones.
"""

import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import hotp, totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from core.models import Role, User
from halopst.celery import app as celery_app
from statdata.demo import import_jatim_demo
from tenants.models import Domain, Satker
from tenants.schema_template import ensure_template
from tenants.services import SatkerSpec, onboard_satker
from tests.fakes import gemini as fake_gemini

PASSWORD = "kopi-tubruk-Sidoarjo-2026"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_modify_db_settings, django_db_blocker):
    """The test database, always: pytest-django creates it only for tests marked django_db,
    and tests on `committed_db` must not be (the mark would wrap them in a transaction).
    `django_db_modify_db_settings` gives each parallel worker its own (…_gw0, …_gw1)."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set())
        ensure_template()
        onboard_satker(SatkerSpec("3500", "province", "Provinsi Jawa Timur", "jatim", "Asia/Jakarta"))
        onboard_satker(SatkerSpec("3515", "regency", "Kabupaten Sidoarjo", "sidoarjokab", "Asia/Jakarta"))
        onboard_satker(SatkerSpec("3578", "city", "Kota Surabaya", "surabayakota", "Asia/Jakarta"))
        import_jatim_demo()  # the figures `make run` seeds, public data every satker reads
    yield
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            # Connections left open by worker threads (Channels, Celery) would block DROP DATABASE.
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        teardown_databases(config, verbosity=0)


@pytest.fixture(autouse=True)
def _forget_cached_state():
    """Cache entries a test made (host lookups of rolled-back satkers, rate-limit counters)
    must not outlive it."""
    yield
    forget_cache("tenancy:*", "ratelimit:*", "rollup:*", "bpswebapi:*")


def forget_cache(*patterns: str) -> None:
    client = redis.Redis.from_url(settings.REDIS_URL)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    for pattern in patterns:
        keys = list(client.scan_iter(match=f"*{prefix}*{pattern}"))
        if keys:
            client.delete(*keys)


@pytest.fixture(autouse=True)
def _public_schema_after_test():
    yield
    connection.set_schema_to_public()


def host_of(satker: Satker) -> str:
    return f"{satker.subdomain}.{settings.HALOPST_BASE_DOMAIN}"


@pytest.fixture
def satker_a(db):
    return Satker.objects.get(subdomain="sidoarjokab")


@pytest.fixture
def satker_b(db):
    return Satker.objects.get(subdomain="surabayakota")


@pytest.fixture
def province_jatim(db):
    return Satker.objects.get(subdomain="jatim")


def create_user(satker, email, role=Role.CONSUMER, **fields):
    """A user with PASSWORD in `satker`'s schema (the public schema for the national satker)."""
    with schema_context(satker.schema_name):
        return User.objects.create_user(
            email, PASSWORD, full_name=fields.pop("full_name", email.split("@")[0]), role=role, **fields
        )


def client_for(satker, user=None) -> Client:
    """A test client that talks to `satker`'s host, signed in as `user` (an admin with a
    confirmed authenticator that verified this session).

    The session is made directly: signing in through the pages is tested where it is the
    subject (tests/core/test_accounts.py, test_two_factor.py, test_lockout.py,
    test_rate_limits.py and the browser and real-server tests)."""
    client = Client(HTTP_HOST=host_of(satker) if not satker.is_public else settings.HALOPST_BASE_DOMAIN)
    if user is not None:
        with schema_context(satker.schema_name):
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            if user.role in (Role.SATKER_ADMIN, Role.PROVINCE_ADMIN, Role.NATIONAL_ADMIN):
                device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
                    user=user, name="authenticator", confirmed=True
                )
                session = client.session
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session.save()
    return client


def authenticator_code(satker, user, *, fresh: bool = True) -> str:
    """The code `user`'s authenticator app shows now. `fresh` forgets the last accepted step: a
    code is good once, and a person signing in again would wait for the next one."""
    with schema_context(satker.schema_name):
        device = TOTPDevice.objects.get(user_id=user.pk)
        if fresh:
            TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return f"{totp(device.bin_key):06d}"


def code_of_step(satker, user, step: int) -> str:
    """The code `user`'s authenticator shows during 30-second time step `step` (TOTP is HOTP of
    the step number). Tests about the steps beside one the device accepted use it: codes taken
    from "now" change meaning when a step boundary falls between two lines of a busy test."""
    with schema_context(satker.schema_name):
        device = TOTPDevice.objects.get(user_id=user.pk)
    return f"{hotp(device.bin_key, step):06d}"


def last_accepted_step(satker, user) -> int:
    with schema_context(satker.schema_name):
        return TOTPDevice.objects.get(user_id=user.pk).last_t


def delete_public_users(*users) -> None:
    """Remove public-schema users a committed test made. The ORM's cascade would look for their
    rows in tenant-only tables (officer profiles, notifications), which public does not have."""
    ids = [user.pk for user in users]
    with schema_context("public"):
        StaticToken.objects.filter(device__user_id__in=ids)._raw_delete("default")
        StaticDevice.objects.filter(user_id__in=ids)._raw_delete("default")
        TOTPDevice.objects.filter(user_id__in=ids)._raw_delete("default")
        User.groups.through.objects.filter(user_id__in=ids)._raw_delete("default")
        User.user_permissions.through.objects.filter(user_id__in=ids)._raw_delete("default")
        User.objects.filter(pk__in=ids)._raw_delete("default")


@pytest.fixture
def eager_celery():
    """Tasks run in the calling thread (schema switching included) instead of a worker."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """Database access without a wrapping transaction: what the test writes is committed."""
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


_codes = itertools.count(1)


@pytest.fixture
def make_satker(committed_db):
    """Onboard throwaway regencies of Jawa Timur (codes 3560-3569 are unused by BPS); drop them after."""
    made = []

    def make(timezone="Asia/Jakarta", **overrides):
        number = next(_codes)
        spec = SatkerSpec(
            code=f"35{60 + number % 10}",
            kind="regency",
            name=f"Kabupaten Uji {number}",
            subdomain=f"uji{number}kab",
            timezone=timezone,
        )
        spec = SatkerSpec(**{**spec.__dict__, **overrides})
        satker = onboard_satker(spec)
        made.append(satker)
        return satker

    yield make
    connection.set_schema_to_public()
    for satker in made:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{satker.schema_name}" CASCADE')
        Domain.objects.filter(tenant_id=satker.pk).delete()
        delete_public_users(*User.objects.filter(managed_province_id=satker.pk))
        Satker.objects.filter(pk=satker.pk).delete()


def race(count: int, attempt, refused: type[Exception] = Exception) -> list[tuple[str, object]]:
    """Run `attempt(i)` in `count` threads released at the same moment, each on its own
    database connection; ("ok", result) or ("refused", message) for a `refused` error, each."""
    barrier = threading.Barrier(count)

    def run(i):
        try:
            barrier.wait()
            return "ok", attempt(i)
        except refused as error:
            return "refused", str(error)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    from urllib.parse import quote

    host = quote(db["HOST"] or "", safe="")
    credentials = db["USER"] + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{credentials}@{host}{port}/{db['NAME']}"


def wait_for_port(port: int, process: subprocess.Popen, log, seconds: float = 30) -> None:
    """Until `process` accepts connections on `port`; if it dies or never does, it is killed
    and the end of its `log` (a file it writes to) is raised."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                log.seek(0)
                raise RuntimeError(log.read().decode(errors="replace")[-2000:]) from None
            time.sleep(0.2)


@contextmanager
def server_process(command: list[str], port: int, **env):
    """Run a server command (python -m …) on the test database, sharing Redis, until the
    block ends; waits until `port` accepts connections. The process's `log` is its output."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "HALOPST_PUBLIC_PORT": str(port),
        "HALOPST_DB_CONN_MAX_AGE": "0",
        **env,
    }
    # Its log goes to a file: a pipe nobody reads fills up and blocks the server mid-request.
    log = tempfile.TemporaryFile()
    process = subprocess.Popen([sys.executable, "-m", *command], cwd=ROOT, env=env, stdout=log, stderr=log)
    process.log = log  # what it wrote, for tests of its log lines
    wait_for_port(port, process, log)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(10)
        log.close()


@pytest.fixture
def web_server(committed_db):
    """A second web process on the test database, sharing Redis: Daphne, or uvicorn (the
    production server) when HALOPST_TEST_SERVER=uvicorn. Yields a base URL template: format it
    with a subdomain."""
    port = free_port()
    if os.environ.get("HALOPST_TEST_SERVER") == "uvicorn":
        command = [
            "uvicorn",
            "halopst.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--ws",
            "websockets",
            "--log-level",
            "warning",
        ]
    else:
        command = ["daphne", "-b", "127.0.0.1", "-p", str(port), "halopst.asgi:application"]
    with server_process(command, port):
        yield "http://{}.localhost:" + str(port)


@pytest.fixture
def gemini(settings):
    """A fake Gemini on 127.0.0.1 with the real google-genai client pointed at it."""
    server = fake_gemini.FakeGemini().start()
    server.slow_seconds = 2.0
    settings.HALOPST_GEMINI_API_KEY = fake_gemini.API_KEY
    settings.HALOPST_GEMINI_BASE_URL = server.url
    settings.HALOPST_GEMINI_TIMEOUT = 1.0
    settings.HALOPST_GEMINI_MAX_RETRY_WAIT = 0.2
    settings.HALOPST_GEMINI_RETRIES = 2
    # The stand-in embedding's own calibration: its unrelated texts reach 0.65 against the
    # starter entries (tests/aida/test_search_by_meaning.py).
    settings.HALOPST_AIDA_MIN_SIMILARITY = 0.66
    yield server
    server.stop()


def stream_aida_answer(client, gemini, headers: dict) -> tuple[list[dict], int | None]:
    """Ask AIDA through `client` (httpx, to a real server) and read its server-sent events.
    The fake Gemini holds its last chunk until the first token has arrived here: returns the
    events and how many tokens had arrived by then (all of them behind a buffering proxy)."""
    gemini.hold_last_event = threading.Event()
    token = client.get("/aida/", headers=headers).cookies["csrftoken"]
    events, tokens_before_the_end = [], None
    with client.stream(
        "POST",
        "/aida/tanya/",
        data={"question": "bagaimana cara menghitung garis kemiskinan", "csrfmiddlewaretoken": token},
        headers={**headers, "X-CSRFToken": token},
    ) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
                if events[-1]["type"] == "token" and tokens_before_the_end is None:
                    tokens_before_the_end = sum(event["type"] == "token" for event in events)
                    gemini.hold_last_event.set()
    return events, tokens_before_the_end


@pytest.fixture
def gemini_env(gemini, monkeypatch):
    """The fake Gemini's address for server subprocesses too."""
    monkeypatch.setenv("HALOPST_GEMINI_API_KEY", "fake-gemini-key")
    monkeypatch.setenv("HALOPST_GEMINI_BASE_URL", gemini.url)
    return gemini
