"""HaloPST as an app on a phone: the service worker installs, a page opened without a network
shows the offline page instead of the browser's error, and the notifications page offers
phone notifications when Web Push is configured."""

import pytest
from playwright.sync_api import expect

from realtime.providers import generate_vapid_keys
from tests.browser.test_live_badge import log_in
from tests.conftest import create_user

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


@pytest.fixture
def site(monkeypatch, make_satker, request):
    private, public = generate_vapid_keys()
    monkeypatch.setenv("HALOPST_VAPID_PRIVATE_KEY", private)
    monkeypatch.setenv("HALOPST_VAPID_PUBLIC_KEY", public)
    satker = make_satker()
    create_user(satker, "siti@example.com", full_name="Siti Aminah")
    return request.getfixturevalue("web_server").format(satker.subdomain), public  # started with the keys


def test_offline_page_and_the_phone_notification_switch(site, phone):
    base, public_key = site
    page = phone()
    log_in(page, base, "siti@example.com")
    page.goto(base + "/notifikasi/")
    panel = page.locator("#push-panel")
    expect(panel).to_be_visible()
    assert panel.get_attribute("data-push-key") == public_key
    expect(panel.get_by_role("button")).to_have_text("Kirim notifikasi ke perangkat ini")
    assert page.evaluate("navigator.serviceWorker.ready.then(registration => registration.active.scriptURL)").endswith(
        "/sw.js"
    )

    page.reload()  # now under the service worker's control
    page.context.set_offline(True)
    page.goto(base + "/konsultasi/")
    expect(page.get_by_role("heading", name="Anda sedang luring")).to_be_visible()
    assert "Siti" not in page.content()
    page.context.set_offline(False)
    page.get_by_role("link", name="Coba lagi").click()
    expect(page.get_by_role("heading", name="Anda sedang luring")).to_have_count(0)
