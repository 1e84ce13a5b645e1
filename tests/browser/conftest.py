"""A real ASGI server (Daphne, in a subprocess, on the test database) and Debian's Chromium."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


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


@pytest.fixture
def web_server(committed_db):
    """Base URL template of a Daphne serving the test database: format it with a subdomain."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url(), HALOPST_PUBLIC_PORT=str(port), HALOPST_DB_CONN_MAX_AGE="0")
    process = subprocess.Popen([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "core.asgi:application"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(process.stderr.read().decode()[-2000:])
            time.sleep(0.2)
    yield "http://{}.localhost:" + str(port)
    process.terminate()
    process.wait(10)


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API keeps an event loop running in this thread; the test's own ORM
    # calls (setting up data, checking results) are synchronous and safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's Chromium is missing: apt-get install -y chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield launched
        launched.close()


@pytest.fixture
def phone(browser):
    """A new browser context sized like a phone; call it again for a second person."""
    contexts = []

    def open_context():
        context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                      has_touch=True, locale="id-ID")
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield open_context
    for context in contexts:
        context.close()
