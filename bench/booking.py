"""Booking benchmark: free-slot computation over a 60-day window, and booking throughput under
parallel clients (threads with their own connections) against real PostgreSQL.

`make bench`, or with DATABASE_URL / REDIS_URL set: python bench/booking.py
Works in its own database, `<name>_bench_booking`, created afresh.
"""

import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_django, measured_commit, onboard_sidoarjo, percentile  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
ATTEMPTS = int(os.environ.get("BENCH_ATTEMPTS", "400"))


def main():
    print(f"commit {measured_commit()}", flush=True)
    fresh_django("bench_booking")
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from booking import services
    from booking.availability import free_slots
    from booking.models import Consultation
    from core.models import Role, User

    satker = onboard_sidoarjo()
    zone = ZoneInfo(satker.timezone)
    with schema_context(satker.schema_name):
        services.update_booking_settings(
            slot_minutes=30, buffer_minutes=0, min_notice_hours=0, daily_cap=20, booking_window_days=60
        )
        officers = []
        for number in range(8):
            user = User.objects.create_user(
                f"petugas{number}@bench.example", "x", full_name=f"Petugas {number}", role=Role.OFFICER
            )
            profile = services.save_officer_profile(user)
            services.set_weekly_hours(profile, [(day, "08:00", "16:00") for day in range(5)])
            officers.append(profile)
        consumers = [
            User.objects.create_user(f"konsumen{n}@bench.example", "x", full_name=f"K {n}") for n in range(CLIENTS)
        ]
        # Some held time, as a busy officer has: every third slot over the window.
        now = timezone.now()
        slots = free_slots([officers[0]], zone=zone, now=now)[officers[0].pk]
        for index, slot in enumerate(slots[::3]):
            services.request_consultation(
                consumer=consumers[index % CLIENTS],
                officer=officers[0],
                starts_at=slot.starts_at,
                topic="t",
                data_need="d",
                purpose="other",
                consumer_category="other",
            )
        held = Consultation.objects.count()
        timings = []
        for _ in range(50):
            started = time.perf_counter()
            result = free_slots([officers[0]], zone=zone, now=timezone.now())[officers[0].pk]
            timings.append(time.perf_counter() - started)
        print(
            f"free slots, one officer, 60-day window ({held} held, {len(result)} free): "
            f"p50={statistics.median(timings) * 1000:.1f}ms p95={percentile(timings, 0.95) * 1000:.1f}ms"
        )

        open_slots = {
            officer.pk: free_slots([officer], zone=zone, now=timezone.now())[officer.pk] for officer in officers[1:]
        }
    connection.close()

    # Parallel clients: each books random open slots; half the attempts aim at contested slots.
    import random

    targets = [(pk, slot.starts_at) for pk, slots in open_slots.items() for slot in slots]
    random.seed(7)
    plan = [random.choice(targets[: max(1, len(targets) // 4)]) for _ in range(ATTEMPTS)]
    outcomes = {"ok": 0, "taken": 0, "refused": 0}
    latencies = []
    lock = threading.Lock()

    def client(index):
        from django.core.exceptions import ValidationError

        from booking.models import OfficerProfile
        from booking.services import SlotTaken

        with schema_context(satker.schema_name):
            consumer = User.objects.get(email=f"konsumen{index}@bench.example")
            officers_by_id = OfficerProfile.objects.select_related("user").in_bulk()
            for attempt in range(index, ATTEMPTS, CLIENTS):
                officer_id, starts_at = plan[attempt]
                started = time.perf_counter()
                try:
                    services.request_consultation(
                        consumer=consumer,
                        officer=officers_by_id[officer_id],
                        starts_at=starts_at,
                        topic="t",
                        data_need="d",
                        purpose="other",
                        consumer_category="other",
                    )
                    kind = "ok"
                except SlotTaken:
                    kind = "taken"
                except ValidationError:
                    kind = "refused"  # the day's cap was reached meanwhile
                elapsed = time.perf_counter() - started
                with lock:
                    outcomes[kind] += 1
                    latencies.append(elapsed)
        connection.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    wall = time.perf_counter() - started
    with schema_context(satker.schema_name):
        booked = Consultation.objects.count() - held
    print(
        f"booking under {CLIENTS} parallel clients: {ATTEMPTS} attempts in {wall:.1f}s = {ATTEMPTS / wall:.0f} attempts/s; "
        f"{outcomes['ok']} booked ({outcomes['ok'] / wall:.0f}/s), {outcomes['taken']} 'just taken', "
        f"{outcomes['refused']} refused; latency p50={statistics.median(latencies) * 1000:.0f}ms "
        f"p95={percentile(latencies, 0.95) * 1000:.0f}ms; rows created={booked} (must equal booked)"
    )
    assert booked == outcomes["ok"]


if __name__ == "__main__":
    main()
