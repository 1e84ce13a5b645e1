"""Onboarding benchmark: template cloning vs migrating, for Jawa Timur (39) and a national fleet (552).

Run with `make bench` (embedded servers) or with DATABASE_URL / REDIS_URL set. Works in its own
database, `<name>_bench`, created afresh. Prints its figures and, last,
`clone_vs_migrate_ratio=<number>` (migrating time per satker / cloning time per satker, at
national scale, where migrating is cheapest relative to cloning). Then the rollout of a new tenant
migration across the 552 schemas: `migrate_schemas` one schema after another, and
`migrate_satkers` in parallel (and once more with nothing pending).
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_django, manage, measured_commit, synthetic_fleet  # noqa: E402

MIGRATE_SAMPLE = int(os.environ.get("BENCH_MIGRATE_SAMPLE", "20"))
FLEET_SIZE = 552


def fmt(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return (
        f"n={len(seconds)} mean={statistics.mean(seconds) * 1000:.1f}ms "
        f"p50={statistics.median(seconds) * 1000:.1f}ms p95={p95 * 1000:.1f}ms total={sum(seconds):.1f}s"
    )


def main() -> None:
    print(f"commit {measured_commit()}", flush=True)
    fresh_django("bench")
    from django.core.management import call_command
    from django.db import connection

    from tenants.schema_template import ensure_template
    from tenants.services import onboard_satker, read_satker_csv

    started = time.perf_counter()
    ensure_template()
    print(f"template build (migrate once + pg_dump): {time.perf_counter() - started:.2f}s")

    def clone(spec) -> float:
        t0 = time.perf_counter()
        onboard_satker(spec)
        return time.perf_counter() - t0

    def migrate_fresh(schema: str) -> float:
        """The alternative: CREATE SCHEMA and replay every tenant migration into it."""
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema}"')
        call_command("migrate_schemas", schema_name=schema, interactive=False, verbosity=0)
        elapsed = time.perf_counter() - t0
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
        return elapsed

    jatim = [spec for _, spec in read_satker_csv(ROOT / "tenants" / "data" / "satker_jatim.csv")]
    jatim.sort(key=lambda spec: spec.kind != "province")
    jatim_clone = [clone(spec) for spec in jatim]
    jatim_migrate = [migrate_fresh(f"mig_{spec.subdomain}") for spec in jatim]
    print(f"jatim (39) by cloning:   {fmt(jatim_clone)}")
    print(f"jatim (39) by migrating: {fmt(jatim_migrate)}")

    fleet = synthetic_fleet(FLEET_SIZE - len(jatim))
    started = time.perf_counter()
    fleet_clone = [clone(spec) for spec in fleet]
    fleet_wall = time.perf_counter() - started + sum(jatim_clone)
    print(
        f"national fleet: {len(jatim) + len(fleet)} satkers onboarded by cloning in {fleet_wall:.1f}s (target < 300s)"
    )
    print(f"  per satker, the {len(fleet)} after Jawa Timur: {fmt(fleet_clone)}")
    print(f"  last 50 (catalog at ~550 schemas): {fmt(fleet_clone[-50:])}")
    fleet_migrate = [migrate_fresh(f"mig_fleet_{i}") for i in range(MIGRATE_SAMPLE)]
    print(f"  by migrating, {MIGRATE_SAMPLE} more with ~552 schemas present: {fmt(fleet_migrate)}")

    connection.close()
    started = time.perf_counter()
    manage("migrate_schemas", "--tenant", "bench_newapp", "0001", "-v", "0", settings="bench.settings")
    rollout = time.perf_counter() - started
    print(
        f"migrate_schemas (one schema after another) of one new migration across {FLEET_SIZE} schemas: "
        f"{rollout:.1f}s ({rollout / FLEET_SIZE * 1000:.0f}ms per schema)"
    )
    for label in ("of the next new migration", "again, nothing pending"):
        started = time.perf_counter()
        manage("migrate_satkers", settings="bench.settings")
        print(
            f"migrate_satkers (parallel, {os.cpu_count()} processes) {label}: {time.perf_counter() - started:.1f}s (target < 60s)"
        )

    ratios = [
        statistics.mean(jatim_migrate) / statistics.mean(jatim_clone),
        statistics.mean(fleet_migrate) / statistics.mean(fleet_clone[-50:]),
    ]
    print(f"ratio at 39 satkers: {ratios[0]:.1f}x, at 552: {ratios[1]:.1f}x")
    print(f"clone_vs_migrate_ratio={min(ratios):.1f}")


if __name__ == "__main__":
    main()
