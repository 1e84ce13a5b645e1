"""Command-centre benchmark: 552 satkers with a year of daily rollups each; the command-centre
page and its API for a province admin (Jawa Timur, 39 satkers) and the national admin (all
552), over 30 and 365 days; p50 / p95 of the full HTTP round trip on a uvicorn server.

`make bench` runs it; or with DATABASE_URL / REDIS_URL set: python bench/command_centre.py
Works in its own database, `<name>_bench_cc`, created afresh. Target: p95 < 300 ms.
"""

import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (
    cpu_report,
    cpu_snapshot,
    free_port,
    fresh_django,
    measured_commit,
    percentile,
    start_server,
    synthetic_fleet,
)  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "40"))
DAYS = 365


def build_fleet():
    from tenants.services import onboard_satker, read_satker_csv

    jatim = [spec for _, spec in read_satker_csv(ROOT / "tenants" / "data" / "satker_jatim.csv")]
    jatim.sort(key=lambda spec: spec.kind != "province")
    started = time.perf_counter()
    for spec in jatim + synthetic_fleet(552 - len(jatim)):
        onboard_satker(spec)
    print(f"552 satkers onboarded in {time.perf_counter() - started:.1f}s")


def fill_rollups():
    """A year of plausible days for every satker, plus live pulses, this month's AIDA ledger and
    officer months: the tables the command centre reads."""
    from django.db.models import Sum
    from django.db.models.functions import TruncMonth
    from django.utils import timezone

    from billing_quota.models import UsageLedger
    from billing_quota.selectors import month_of
    from booking.models import SURVEY_ELEMENTS
    from insights.models import OfficerMonth, SatkerDay, SatkerMonth, SatkerPulse
    from insights.rollups import COUNTS, officer_score
    from tenants.models import Satker

    rng = random.Random(552)
    today = timezone.localdate()
    satkers = list(Satker.objects.exclude(schema_name="public"))
    started = time.perf_counter()
    for satker in satkers:
        days = []
        for offset in range(DAYS):
            requests = rng.randint(0, 12)
            decided = rng.randint(0, requests)
            ratings = rng.randint(0, 4)
            days.append(
                SatkerDay(
                    satker=satker,
                    day=today - timedelta(days=offset),
                    requests=requests,
                    new_consumers=requests // 2,
                    returning_consumers=requests - requests // 2,
                    purposes={"study": requests},
                    categories={"student": requests},
                    approved=decided,
                    completed=rng.randint(0, decided),
                    no_shows=rng.randint(0, 1),
                    decision_minutes=[rng.randint(5, 3000) for _ in range(decided)],
                    decided_within_standard=decided,
                    ratings=ratings,
                    rating_sum=ratings * rng.randint(3, 5),
                    survey_sums={name: ratings * 3 for name, _label in SURVEY_ELEMENTS},
                    survey_total=ratings * 3 * len(SURVEY_ELEMENTS),
                    aida_questions=rng.randint(0, 80),
                    aida_rated=10,
                    aida_helpful=rng.randint(0, 10),
                    aida_tokens=rng.randint(0, 90000),
                )
            )
        SatkerDay.objects.bulk_create(days, batch_size=2000)
        months = []
        for month_index in range(12):
            month = (today.replace(day=1) - timedelta(days=31 * month_index)).replace(day=1)
            for officer in range(1, 6):
                counts = {
                    "completed": rng.randint(0, 20),
                    "ratings": 5,
                    "rating_sum": rng.randint(10, 25),
                    "decided_within_standard": rng.randint(0, 20),
                    "reviews": rng.randint(0, 10),
                    "no_shows": 0,
                    "conversations_replied_within_standard": rng.randint(0, 10),
                }
                months.append(
                    OfficerMonth(
                        satker=satker,
                        month=month,
                        officer_id=officer,
                        officer_name=f"Petugas {officer}",
                        decisions=counts["decided_within_standard"],
                        median_response_minutes=90,
                        score=officer_score(**counts),
                        **counts,
                    )
                )
        OfficerMonth.objects.bulk_create(months)
    months = (
        SatkerDay.objects.annotate(first_day=TruncMonth("day"))
        .values("satker_id", "first_day")
        .annotate(**{name: Sum(name) for name in COUNTS})
    )
    SatkerMonth.objects.bulk_create(
        [SatkerMonth(satker_id=row.pop("satker_id"), month=row.pop("first_day"), **row) for row in months]
    )
    now = timezone.now()
    SatkerPulse.objects.bulk_create(
        [
            SatkerPulse(
                satker=satker,
                pending_since=[now - timedelta(hours=rng.randint(0, 72)) for _ in range(rng.randint(0, 8))],
                local_day=today,
                consultations_today=rng.randint(0, 6),
                aida_questions_today=rng.randint(0, 40),
                refreshed_at=now,
            )
            for satker in satkers
        ]
    )
    UsageLedger.objects.bulk_create(
        [
            UsageLedger(
                satker=satker,
                month=month_of(),
                token_limit=1_000_000,
                request_limit=2000,
                tokens_used=rng.randint(0, 1_000_000),
            )
            for satker in satkers
        ]
    )
    print(
        f"{SatkerDay.objects.count()} satker-days, {OfficerMonth.objects.count()} officer-months written in "
        f"{time.perf_counter() - started:.1f}s"
    )


def admin_session(email, role, province=None) -> str:
    """A signed-in session with the two-factor step done, as after the login and code pages."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from core.models import User

    user = User.objects.create_user(email, "bench-password-123", full_name=email, role=role, managed_province=province)
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    session = SessionStore()
    session.update(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            DEVICE_ID_SESSION_KEY: device.persistent_id,
        }
    )
    session.create()
    return session.session_key


def measure(base, session_key, path) -> tuple[float, float, int]:
    import httpx

    with httpx.Client(base_url=base, headers={"Host": "localhost"}, cookies={"sessionid": session_key}) as client:
        for _ in range(3):  # warm-up: connections, caches, the first query plans
            client.get(path).raise_for_status()
        timings, size = [], 0
        for _ in range(REQUESTS):
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            size = len(response.content)
    return percentile(timings, 0.5), percentile(timings, 0.95), size


def main() -> None:
    print(f"commit {measured_commit()}", flush=True)
    fresh_django(
        "bench_cc",
        HALOPST_DEBUG="false",
        HALOPST_SECRET_KEY="bench-" + "k" * 60,
        HALOPST_SSL_REDIRECT="false",
        HALOPST_DB_CONN_MAX_AGE="60",
    )
    from core.models import Role
    from tenants.models import Satker

    build_fleet()
    fill_rollups()
    jatim = admin_session("jatim@bench.example", Role.PROVINCE_ADMIN, Satker.objects.get(code="3500"))
    national = admin_session("pusat@bench.example", Role.NATIONAL_ADMIN)
    port = free_port()
    server = start_server("uvicorn", port)
    worst = 0.0
    cpu_before = cpu_snapshot([server])
    try:
        base = f"http://127.0.0.1:{port}"
        print(f"{'who':<22}{'request':<48}{'p50 ms':>8}{'p95 ms':>8}{'bytes':>9}")
        for who, key in (("province (39)", jatim), ("national (552)", national)):
            for path in (
                "/konsol/pusat-komando/",
                "/konsol/pusat-komando/?periode=365",
                "/api/v1/command-centre/",
                "/api/v1/command-centre/?days=365",
            ):
                p50, p95, size = measure(base, key, path)
                worst = max(worst, p95)
                print(f"{who:<22}{path:<48}{p50:>8.1f}{p95:>8.1f}{size:>9}")
        print(cpu_report(cpu_before, [server]))
    finally:
        server.terminate()
        server.wait(10)
    print(f"worst p95: {worst:.1f} ms (target < 300 ms) {'OK' if worst < 300 else 'MISSED'}")


if __name__ == "__main__":
    main()
