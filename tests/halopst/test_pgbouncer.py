"""Tenancy behind PgBouncer in transaction pooling mode, with Debian's PgBouncer on 127.0.0.1
and two server connections for every client: gunicorn's threads serve pages and sign-ups of
several satkers at once through it. With the plain django-tenants backend a satker's page shows
another satker's officers (its session-level SET search_path stays on a server connection that
others then use); with halopst.transaction_pooling not one row crosses."""

import random
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django_tenants.utils import schema_context

from core.models import User
from tests.booking.conftest import make_officer
from tests.conftest import free_port, server_process

pytestmark = pytest.mark.timeout(300)

MARK = "SATKERMARK{}"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def satkers(make_satker):
    made = [make_satker() for _ in range(3)]
    for number, satker in enumerate(made):
        make_officer(satker, f"petugas{number}@example.com", full_name=f"Petugas {MARK.format(number)}")
    return made


def crowd(base_url: str, satkers: list, rounds: int = 20) -> tuple[list[str], dict]:
    """12 people at once, each round a page of a random satker, and a sign-up there now and
    then. Returns what crossed (a page showing another satker's officer) and the sign-ups made
    per satker."""
    crossed, signed_up, lock = [], {satker.schema_name: [] for satker in satkers}, threading.Lock()

    def person(number: int) -> None:
        rng = random.Random(number)
        with httpx.Client(base_url=base_url, timeout=60) as http:
            for step in range(rounds):
                index = rng.randrange(len(satkers))
                satker = satkers[index]
                host = {"Host": f"{satker.subdomain}.localhost"}
                page = http.get("/petugas/", headers=host).text
                others = [MARK.format(other) for other in range(len(satkers)) if other != index]
                if MARK.format(index) not in page or any(mark in page for mark in others):
                    with lock:
                        crossed.append(f"{satker.subdomain}: {[m for m in others if m in page]}")
                if step % 5 == 0:
                    http.cookies.clear()
                    form = http.get("/akun/daftar/", headers=host)
                    email = f"warga{number}-{step}@{satker.subdomain}.example"
                    answer = http.post(
                        "/akun/daftar/",
                        headers=host,
                        data={
                            "csrfmiddlewaretoken": CSRF.search(form.text).group(1),
                            "full_name": f"Warga {number}",
                            "email": email,
                            "whatsapp": "081234567890",
                            "password": "kata-sandi-panjang-1",
                            "consent": "on",
                        },
                    )
                    if answer.status_code == 302:
                        with lock:
                            signed_up[satker.schema_name].append(email)
                    http.cookies.clear()

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(person, range(12)))
    return crossed, signed_up


def run_crowd(pgbouncer_url: str, satkers: list, **env) -> tuple[list[str], dict]:
    port = free_port()
    command = ["gunicorn", "halopst.wsgi", "--bind", f"127.0.0.1:{port}", "--threads", "8"]
    with server_process(command, port, DATABASE_URL=pgbouncer_url, HALOPST_DB_CONN_MAX_AGE="60", **env):
        return crowd(f"http://127.0.0.1:{port}", satkers)


def rows_where_they_belong(satkers: list, signed_up: dict) -> list[str]:
    misplaced = []
    for satker in satkers:
        with schema_context(satker.schema_name):
            here = set(User.objects.filter(email__startswith="warga").values_list("email", flat=True))
        if here != set(signed_up[satker.schema_name]):
            misplaced.append(f"{satker.subdomain}: {sorted(here ^ set(signed_up[satker.schema_name]))[:3]}")
    return misplaced


def test_no_row_crosses_satkers_behind_transaction_pooling(pgbouncer, satkers):
    crossed, signed_up = run_crowd(pgbouncer, satkers, HALOPST_DB_TRANSACTION_POOLING="true")
    assert crossed == []
    assert sum(len(emails) for emails in signed_up.values()) >= 24  # the sign-ups really happened
    assert rows_where_they_belong(satkers, signed_up) == []


def test_the_plain_backend_mixes_satkers_behind_transaction_pooling(pgbouncer, satkers):
    """Why the backend exists: this test's check does catch the leak it guards against."""
    crossed, _signed_up = run_crowd(pgbouncer, satkers, HALOPST_DB_TRANSACTION_POOLING="false")
    assert crossed, "the plain backend was expected to show one satker's rows on another"
