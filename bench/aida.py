"""AIDA latency benchmark: with 10,000 knowledge entries and a zero-latency fake Gemini, how long
AIDA takes before Gemini is asked (retrieval, storage, quota), and how long a token takes from
Gemini to the user's browser (server-sent events through a real uvicorn, as deployed).

`make bench` runs it; or with DATABASE_URL / REDIS_URL set: python bench/aida.py
"""

import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    cpu_report,
    cpu_snapshot,
    free_port,
    fresh_django,
    measured_commit,
    onboard_sidoarjo,
    percentile,
    start_server,
)

ENTRIES = int(os.environ.get("BENCH_ENTRIES", "10000"))
QUESTIONS = int(os.environ.get("BENCH_QUESTIONS", "100"))
# AIDA's streams are served by uvicorn as deployed (deploy/compose.yaml); "daphne" for `make dev`'s server.
SERVER = os.environ.get("BENCH_SERVER", "uvicorn")
WORDS = (
    "inflasi harga konsumen kemiskinan garis penduduk miskin pengangguran angkatan kerja pendidikan sekolah "
    "kesehatan rumah tangga pertanian padi produksi industri ekspor impor hotel wisata transportasi desa "
    "ekonomi pertumbuhan pdrb upah petani nilai tukar indeks pembangunan manusia gizi air minum sanitasi"
).split()


def main():
    print(f"commit {measured_commit()}", flush=True)
    from tests.fakes.gemini import API_KEY, FakeGemini

    fake = FakeGemini(answer=lambda body: " ".join(random.choice(WORDS) for _ in range(60)), chunk_words=2).start()
    fresh_django(
        "bench_aida",
        HALOPST_GEMINI_API_KEY=API_KEY,
        HALOPST_GEMINI_BASE_URL=fake.url,
        HALOPST_AIDA_QUESTIONS_PER_HOUR="100000",
        HALOPST_AIDA_QUESTIONS_PER_ADDRESS_HOUR="1000000",
    )
    from django.db import connection
    from django_tenants.utils import schema_context

    from aida import embeddings
    from aida.models import KnowledgeEntry
    from billing_quota.services import set_limits
    from shared_knowledge.models import SEARCH_VECTOR

    satker = onboard_sidoarjo()
    set_limits(satker, plan="province", monthly_token_limit=10**9, monthly_request_limit=10**6)
    random.seed(3)
    with schema_context(satker.schema_name):
        KnowledgeEntry.objects.bulk_create(
            [
                KnowledgeEntry(
                    slug=f"sintetis-{n}",
                    title=" ".join(random.sample(WORDS, 5)).capitalize(),
                    body=" ".join(random.choice(WORDS) for _ in range(120)),
                    tags=", ".join(random.sample(WORDS, 3)),
                )
                for n in range(ENTRIES)
            ],
            batch_size=2000,
        )
        KnowledgeEntry.objects.filter(search_vector__isnull=True).update(search_vector=SEARCH_VECTOR)
        by_meaning = embeddings.enabled()
        if by_meaning:  # pgvector here: each entry's vector, from the fake's stand-in model
            embeddings.embed_pending(KnowledgeEntry)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE aida_knowledgeentry")
        total = KnowledgeEntry.objects.count()
    connection.close()
    ranking = "words and meaning (pgvector; each question embedded by the fake)" if by_meaning else "words only"
    print(f"knowledge entries: {total}, ranked by {ranking}")

    port = free_port()
    # As deployed (deploy/compose.yaml, make run): the ASGI process shares a connection pool. Without
    # it every request opens a PostgreSQL connection, because Django runs each ASGI request's
    # synchronous code on a thread of its own (8-14 ms here per question, more with password auth).
    server = start_server(SERVER, port, env=dict(os.environ, HALOPST_DB_POOL_MAX_SIZE="16"))
    import httpx

    try:
        host = f"sidoarjokab.localhost:{port}"
        before_gemini, first_token, relay = [], [], []
        cpu_before = cpu_snapshot([server])
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Host": host}, timeout=30) as client:
            token = client.get("/aida/").cookies["csrftoken"]
            for number in range(QUESTIONS + 5):
                question = f"berapa {random.choice(WORDS)} {random.choice(WORDS)} di sidoarjo tahun 2023?"
                received_before, events_before = len(fake.received_times), len(fake.event_times)
                sent = time.monotonic()
                arrivals = []
                with client.stream(
                    "POST",
                    "/aida/tanya/",
                    data={"question": question},
                    headers={"X-CSRFToken": token, "Referer": f"http://{host}/aida/"},
                ) as response:
                    for line in response.iter_lines():
                        if line.startswith("data: ") and json.loads(line[6:])["type"] == "token":
                            arrivals.append(time.monotonic())
                asked = [
                    index
                    for index in range(received_before, len(fake.requests))
                    if ":streamGenerateContent" in fake.requests[index][0]
                ]
                if number < 5 or not asked:
                    continue  # warm-up, or answered without Gemini
                gemini_received = fake.received_times[asked[0]]
                gemini_sent = fake.event_times[events_before : events_before + len(arrivals)]
                before_gemini.append(gemini_received - sent)
                gemini_first = gemini_sent[0] - gemini_received
                first_token.append(arrivals[0] - sent - gemini_first)
                relay.extend(arrived - emitted for arrived, emitted in zip(arrivals, gemini_sent))
        print(f"{len(before_gemini)} questions over HTTP ({SERVER}), zero-latency fake Gemini:")
        print(
            f"  AIDA work before Gemini is called (session, question stored, retrieval over {total} entries "
            f"by {'words and meaning' if by_meaning else 'words'}, "
            f"quota reserved): p50={statistics.median(before_gemini) * 1000:.1f}ms p95={percentile(before_gemini, 0.95) * 1000:.1f}ms"
        )
        print(
            f"  time AIDA adds before the first token reaches the user: p50={statistics.median(first_token) * 1000:.1f}ms "
            f"p95={percentile(first_token, 0.95) * 1000:.1f}ms (target p95 < 50 ms)"
        )
        print(
            f"  token relay, Gemini → user: p50={statistics.median(relay) * 1000:.2f}ms p95={percentile(relay, 0.95) * 1000:.2f}ms "
            f"over {len(relay)} tokens"
        )
        print(f"  {cpu_report(cpu_before, [server])} (the harness runs the fake Gemini)")
    finally:
        server.terminate()
        server.wait(10)
        fake.stop()


if __name__ == "__main__":
    main()
