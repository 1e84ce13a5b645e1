"""Celery against real Redis: a task runs in the schema it was sent from; beat fans out to
every active satker."""

import re
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from core.models import Invitation, Role
from core.services import invite_user
from halopst.beat import ActiveSatkerScheduler
from halopst.celery import app
from tenants.services import set_satker_status

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def worker(committed_db):
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield


def wait_for(condition, seconds=20):
    deadline = timezone.now() + timedelta(seconds=seconds)
    while timezone.now() < deadline:
        if condition():
            return True
        import time

        time.sleep(0.1)
    return False


def test_task_sent_from_a_satker_runs_in_that_satker(make_satker, worker):
    a, b = make_satker(), make_satker()
    # Both invitations get id 1 in their own schema: only the schema tells them apart.
    with schema_context(a.schema_name):
        invite_user(email="kepala@a.example", role=Role.SATKER_ADMIN)
    with schema_context(b.schema_name):
        invite_user(email="kepala@b.example", role=Role.SATKER_ADMIN)

    assert wait_for(lambda: len(mail.outbox) == 2)
    links = {message.to[0]: re.search(r"http://\S+", message.body).group(0) for message in mail.outbox}
    assert links["kepala@a.example"].startswith(f"http://{a.subdomain}.localhost/akun/undangan/")
    assert links["kepala@b.example"].startswith(f"http://{b.subdomain}.localhost/akun/undangan/")
    assert f"BPS {a.name}" in next(m.subject for m in mail.outbox if m.to == ["kepala@a.example"])


def test_beat_runs_a_task_in_every_active_satker_only(make_satker, worker):
    active_a, active_b, suspended = make_satker(), make_satker(), make_satker()
    long_ago = timezone.now() - timedelta(days=30)
    for satker in (active_a, active_b, suspended):
        with schema_context(satker.schema_name):
            Invitation.objects.create(
                email="late@example.com", role=Role.OFFICER, token_sha256=satker.schema_name, expires_at=long_ago
            )
            Invitation.objects.create(
                email="fresh@example.com",
                role=Role.OFFICER,
                token_sha256=f"{satker.schema_name}-2",
                expires_at=timezone.now() + timedelta(days=3),
            )
    set_satker_status(suspended, "suspended")

    scheduler = ActiveSatkerScheduler(app=app, lazy=True)
    scheduler.merge_inplace(app.conf.beat_schedule)
    entry = next(entry for name, entry in scheduler.schedule.items() if name.startswith("purge-expired-invitations"))
    scheduler.apply_entry(entry)

    def remaining(satker):
        with schema_context(satker.schema_name):
            return sorted(Invitation.objects.values_list("email", flat=True))

    assert wait_for(lambda: remaining(active_a) == remaining(active_b) == ["fresh@example.com"])
    assert remaining(suspended) == ["fresh@example.com", "late@example.com"]
