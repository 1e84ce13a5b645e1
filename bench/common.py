"""What every benchmark does first: its own fresh database, Django, a demo satker, servers."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_database_url(suffix: str) -> str:
    """DATABASE_URL (or the default) with the database renamed `<name>_<suffix>`."""
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/halopst")
    name = dj_database_url.parse(url)["NAME"]
    head, _, query = url.partition("?")
    head = head[: head.rfind("/") + 1] + f"{name}_{suffix}"
    return f"{head}?{query}" if query else head


def manage(*args, settings="halopst.settings"):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE=settings)
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def fresh_django(suffix: str, **environment) -> None:
    """Point this process (and its children) at a new database `<name>_<suffix>`, migrate the
    public schema and set Django up."""
    from halopst.devstack import ensure_database

    os.environ["DATABASE_URL"] = bench_database_url(suffix)
    os.environ["HALOPST_CACHE_PREFIX"] = "halopst-bench"
    os.environ.update(environment)
    ensure_database(os.environ["DATABASE_URL"], fresh=True)
    manage("migrate_schemas", "--shared", "-v", "0")
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halopst.settings")
    django.setup()


def onboard_sidoarjo():
    from tenants.services import SatkerSpec, onboard_satker

    onboard_satker(SatkerSpec("3500", "province", "Provinsi Jawa Timur", "jatim", "Asia/Jakarta"))
    return onboard_satker(SatkerSpec("3515", "regency", "Kabupaten Sidoarjo", "sidoarjokab", "Asia/Jakarta"))


def synthetic_fleet(size: int) -> list:
    """Every province but Jawa Timur, then made-up regencies spread over them, `size` in all:
    with Jawa Timur's 39 from its CSV, the national fleet of 552."""
    from tenants.services import SatkerSpec, read_satker_csv

    provinces = [
        spec for _, spec in read_satker_csv(ROOT / "tenants" / "data" / "provinces.csv") if spec.code != "3500"
    ]
    fleet, number = list(provinces), 0
    while len(fleet) < size:
        province = provinces[number % len(provinces)]
        serial = 1 + number // len(provinces)
        fleet.append(
            SatkerSpec(
                code=f"{province.code[:2]}{serial:02d}",
                kind="regency",
                name=f"Kabupaten Sintetis {province.code[:2]}{serial:02d}",
                subdomain=f"{province.subdomain}{serial:02d}kab",
                timezone=province.timezone,
            )
        )
        number += 1
    return fleet


def percentile(values, q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1)))]


def measured_commit() -> str:
    """The commit a benchmark measures, marked when the checkout has changes on top of it."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True)
    return (head.stdout.strip() or "unknown") + (" (with uncommitted changes)" if changed.stdout.strip() else "")


def cpu_seconds_of_session(session_id: int) -> float:
    """User + system CPU of every live process in a session (a server and its workers)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session_id:  # field 6 of stat, after the name: the session id
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def cpu_snapshot(servers, harness=()) -> tuple[float, float]:
    """(CPU seconds so far of the system's server processes, with everything in their sessions;
    of the harness: this process and the named processes, each a session leader)."""
    system = sum(cpu_seconds_of_session(process.pid) for process in servers)
    return system, time.process_time() + sum(cpu_seconds_of_session(process.pid) for process in harness)


def cpu_report(before: tuple[float, float], servers, harness=()) -> str:
    """The CPU each side used since `before`: on a machine shared with the system, a harness
    that burns a core is part of what it measures."""
    system, own = cpu_snapshot(servers, harness)
    return (
        f"CPU seconds while measuring: system {system - before[0]:.1f}, harness {own - before[1]:.1f} "
        f"({os.cpu_count()} cores)"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(kind: str, port: int, log=subprocess.DEVNULL, env=None) -> subprocess.Popen:
    """Daphne, uvicorn (halopst.asgi) or gunicorn (halopst.wsgi, one worker with 8 threads) on
    127.0.0.1:port, started and reachable, in a process group of its own (gunicorn's worker is
    a child: killing the group kills the server). uvicorn leaves the client address to
    core.ratelimit.client_ip, as deployed (deploy/compose.yaml)."""
    if kind == "daphne":
        command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "halopst.asgi:application"]
    elif kind == "gunicorn":
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "halopst.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "8",
            "--log-level",
            "warning",
        ]
    else:
        command = [
            sys.executable,
            "-m",
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
            "--no-access-log",
            "--no-proxy-headers",
        ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env or dict(os.environ), stdout=log, stderr=log, start_new_session=True
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"{kind} did not start on port {port}") from None
            time.sleep(0.2)
