"""Figure lookup at national scale: one million observations (552 areas × 60 variables × 30
years) in the public schema, and how long `statdata.selectors.figures_for` takes to understand a
question and read its figures (target p95 < 30 ms).

`make bench` runs it; or with DATABASE_URL / REDIS_URL set: python bench/figures.py
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_django, measured_commit, percentile  # noqa: E402

AREAS = int(os.environ.get("BENCH_AREAS", "552"))
VARIABLES = int(os.environ.get("BENCH_VARIABLES", "60"))
YEARS = range(1995, 1995 + int(os.environ.get("BENCH_YEARS", "30")))
QUESTIONS = int(os.environ.get("BENCH_QUESTIONS", "300"))
INDICATORS = (
    "tingkat pengangguran terbuka|persentase penduduk miskin|indeks pembangunan manusia|umur harapan hidup|"
    "harapan lama sekolah|rata rata lama sekolah|gini ratio|garis kemiskinan|pdrb per kapita|inflasi tahunan|"
    "jumlah penduduk|laju pertumbuhan penduduk|kepadatan penduduk|rasio jenis kelamin|angka partisipasi kasar|"
    "angka partisipasi murni|produksi padi|luas panen padi|produktivitas padi|produksi jagung|nilai tukar petani|"
    "tingkat penghunian kamar hotel|jumlah wisatawan|pertumbuhan ekonomi|upah minimum|rata rata upah buruh|"
    "tingkat partisipasi angkatan kerja|jumlah angkatan kerja|penduduk bekerja|setengah pengangguran|"
    "akses air minum layak|akses sanitasi layak|rumah tangga listrik|prevalensi balita stunting|angka kematian bayi|"
    "angka melek huruf|jumlah desa|panjang jalan|jumlah kendaraan|konsumsi listrik|indeks harga konsumen|"
    "pengeluaran per kapita|indeks kedalaman kemiskinan|indeks keparahan kemiskinan|jumlah penduduk miskin|"
    "ekspor|impor|neraca perdagangan|investasi|jumlah usaha mikro|jumlah sekolah|jumlah puskesmas|"
    "jumlah tenaga kesehatan|indeks pembangunan gender|indeks pemberdayaan gender|indeks demokrasi|"
    "luas wilayah|curah hujan|jumlah pelanggan air|jumlah koperasi"
).split("|")


def main():
    print(f"commit {measured_commit()}", flush=True)
    fresh_django("bench_figures")
    from django.db import connection

    from statdata.models import Area, Observation, Source, SourceKind, Variable
    from statdata.selectors import figures_for
    from statdata.services import register_areas

    register_areas()
    codes = [area.code for area in Area.objects.exclude(code="0000")]
    province_codes = [code for code in codes if code.endswith("00")]
    extra = (f"{province[:2]}{number:02d}" for province in province_codes for number in range(1, 80))
    new = []
    for code in extra:
        if len(codes) + len(new) >= AREAS:
            break
        if code not in codes:
            new.append(Area(code=code, name=f"Kabupaten Uji {code}", aliases=[f"kabupaten uji {code}", f"uji {code}"]))
    Area.objects.bulk_create(new)
    variables = Variable.objects.bulk_create(
        [
            Variable(slug=f"bench-{n}", title=name.title(), title_en=name, unit="persen", aliases=[name])
            for n, name in enumerate(INDICATORS[:VARIABLES])
        ]
    )
    source = Source.objects.create(kind=SourceKind.TABLE, title="Tabel uji (benchmark)")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO statdata_observation
                (variable_id, area_id, year, subperiod, value, published, status, source_id, recorded_at)
            SELECT variable.id, area.id, year, '', round((random() * 100)::numeric, 2),
                   round((random() * 100)::numeric, 2)::text, 'final', %s, now()
            FROM statdata_variable AS variable, statdata_area AS area, generate_series(%s, %s) AS year
            WHERE variable.slug LIKE 'bench-%%' AND area.code <> '0000'
            """,
            [source.pk, YEARS.start, YEARS.stop - 1],
        )
        cursor.execute("ANALYZE statdata_observation")
    count = Observation.objects.count()
    print(
        f"{count} observations ({Area.objects.count()} areas × {len(variables)} variables × {len(YEARS)} years) "
        f"written in {time.perf_counter() - started:.1f}s"
    )

    random.seed(5)
    areas = list(Area.objects.exclude(code="0000"))
    timings = []
    for number in range(QUESTIONS + 20):
        area = random.choice(areas)
        first = random.choice(YEARS[:-5])
        question = f"berapa {random.choice(INDICATORS[:VARIABLES])} {area.aliases[0]} {first} sampai {first + 4}"
        started = time.perf_counter()
        figures = figures_for(question, "3515")
        elapsed = time.perf_counter() - started
        if number >= 20:  # warm-up: connections, caches, query plans
            timings.append(elapsed)
        assert figures.status == "found" and len(figures.values) == 5, (question, figures.status)
    print(
        f"figure lookup over {count} observations, {QUESTIONS} questions: "
        f"p50={statistics.median(timings) * 1000:.1f}ms p95={percentile(timings, 0.95) * 1000:.1f}ms "
        "(target p95 < 30 ms)"
    )


if __name__ == "__main__":
    main()
