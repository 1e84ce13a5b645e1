"""Nothing lost, nothing twice: real Celery workers (subprocesses) deliver through the real SDKs
to failing fakes, and one worker is killed with SIGKILL in the middle of the batch."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django_tenants.utils import schema_context

from halopst.celery import app
from realtime import services
from realtime.models import Delivery, DeliveryStatus
from tests.conftest import create_user, database_url

pytestmark = pytest.mark.timeout(240)
ROOT = Path(__file__).resolve().parents[2]
BATCH = 40


def start_worker(fakes):
    env = dict(
        os.environ,
        DATABASE_URL=database_url(),
        HALOPST_DB_CONN_MAX_AGE="0",
        **{name: str(value) for name, value in fakes.settings.items()},
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "halopst",
            "worker",
            "--pool",
            "threads",
            "--concurrency",
            "4",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def statuses(satker):
    with schema_context(satker.schema_name):
        return dict(Delivery.objects.values_list("pk", "status"))


def relay_provider_events(fakes):
    """What the providers post back to the portal's webhooks for each message they took."""
    portal = Client(HTTP_HOST=settings.HALOPST_BASE_DOMAIN)
    for raw, headers in fakes.whatsapp.status_webhooks():
        assert portal.post("/webhooks/whatsapp/", raw, content_type="application/json", **headers).status_code == 200
    for raw, headers in fakes.sendgrid.processed_events(fakes.signer):
        assert portal.post("/webhooks/sendgrid/", raw, content_type="application/json", **headers).status_code == 200


def test_every_notification_is_delivered_once_despite_failures_and_a_killed_worker(make_satker, fakes):
    satker = make_satker()
    people = [create_user(satker, f"warga{i}@example.com", whatsapp=f"08123456{i:04d}") for i in range(BATCH)]
    fakes.sendgrid.plan.extend(["500", "429", "timeout", "503", "500"] + ["ok"] * 10 + ["500"] * 3)
    fakes.whatsapp.plan.extend(["500", "130429", "timeout", "500"] + ["ok"] * 10 + ["503"] * 3)
    app.control.purge()

    with schema_context(satker.schema_name), transaction.atomic():
        for person in people:
            services.notify(person, "requests_waiting", {"count": 1})
    first = start_worker(fakes)
    try:
        deadline = time.monotonic() + 60
        while len(fakes.sendgrid.accepted) + len(fakes.whatsapp.accepted) < 15:
            assert time.monotonic() < deadline, "the first worker delivered nothing"
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    # What the killed worker had claimed but not recorded: the only deliveries that may go twice.
    in_flight = {str(pk) for pk, status in statuses(satker).items() if status == DeliveryStatus.SENDING}

    second = start_worker(fakes)
    try:
        deadline = time.monotonic() + 150
        while True:
            current = statuses(satker)
            if all(status == DeliveryStatus.SENT for status in current.values()):
                break
            assert time.monotonic() < deadline, f"undelivered: {[s for s in current.values() if s != 'sent']}"
            relay_provider_events(fakes)
            with schema_context(satker.schema_name):
                services.sweep()  # what beat does every minute
            time.sleep(1)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)

    assert len(current) == 2 * BATCH
    counts = fakes.sendgrid.references() + fakes.whatsapp.references()
    assert set(counts) == {str(pk) for pk in current}  # every delivery reached its provider
    duplicates = {ref for ref, n in counts.items() if n > 1}
    print(f"\n{len(current)} deliveries; in flight at the kill: {len(in_flight)}; sent twice: {len(duplicates)}")
    assert duplicates <= in_flight, f"sent twice outside the crash window: {duplicates - in_flight}"
    with schema_context(satker.schema_name):
        retried = Delivery.objects.filter(attempt_log__outcome="temporary").distinct().count()
    assert retried >= 5  # the scripted 500/429/503/timeouts really happened and were retried
