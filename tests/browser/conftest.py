"""Debian's Chromium, driven by Playwright."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API keeps an event loop running in this thread; the test's own ORM
    # calls (setting up data, checking results) are synchronous and safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not Path(CHROMIUM).exists():
        # CI installs Chromium (.ci/run) and must run these; a newcomer's `make test` says what to do.
        message = "Debian's Chromium is missing: apt-get install -y chromium (.ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


def broken(page, message) -> bool:
    """A console error, except the browser's note that the page itself came with a 4xx (a
    refused form is shown again with status 400 on purpose; its own request is still checked
    for 5xx) and requests failing while a test has cut the network."""
    if message.type != "error" or "net::ERR_INTERNET_DISCONNECTED" in message.text:
        return False
    refused_page = message.text.startswith("Failed to load resource: the server responded with a status of 4")
    return not (refused_page and message.location.get("url") == page.url)


@pytest.fixture
def phone(browser):
    """A new browser context sized like a phone; call it again for a second person. A journey
    fails on anything the person would meet broken: a script error, a console error, a
    Content-Security-Policy violation, or a server error on any request the page made."""
    contexts, violations = [], []

    def open_context():
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="id-ID",
        )
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        # A page that needs something the Content-Security-Policy forbids is a broken page.
        page.on("console", lambda message: broken(page, message) and violations.append(message.text))
        page.on("pageerror", lambda error: violations.append(f"script error: {error}"))
        page.on(
            "response",
            lambda response: response.status >= 500 and violations.append(f"{response.status} {response.url}"),
        )
        return page

    yield open_context
    for context in contexts:
        context.close()
    assert violations == []
