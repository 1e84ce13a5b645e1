"""Knowledge ranked by meaning beside words (aida.embeddings, aida.retrieval), where PostgreSQL has
pgvector: the embedded server of `make test` has it, Debian's PostgreSQL 15 of CI does not (CI
runs these on the embedded server too, `.ci/run`). Vectors come from Gemini's embedding API, here
the fake's stand-in model (tests/fakes/gemini.py), which knows words and pieces of words but no
synonyms or translations: what it shows is the plumbing and the fusion, not Gemini's quality.
"""

import logging
import time

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from aida import embeddings, retrieval
from aida.models import KnowledgeEntry
from aida.tasks import embed_knowledge
from core.models import Role
from shared_knowledge.models import SharedEntry
from shared_knowledge.vectors import DIMENSIONS
from tests.aida.test_retrieval_eval import CASES, TYPOS
from tests.conftest import client_for, create_user
from tests.fakes.gemini import stand_in_embedding


def vector_of(model, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT embedding::text FROM {model._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def vectors(db, gemini):
    if not embeddings.enabled():
        pytest.skip("this PostgreSQL has no pgvector (`make test` on the embedded server runs these)")
    with schema_context("public"):
        embed_knowledge()
    return gemini


def slugs(question: str, **options) -> list[str]:
    return [hit.entry.slug for hit in retrieval.search(question, limit=3, **options)]


@pytest.mark.pgvector
def test_entries_are_embedded_as_gemini_is_asked_and_an_edit_clears_the_old_meaning(
    satker_a, vectors, eager_celery, django_capture_on_commit_callbacks
):
    batches = [body["requests"] for method, body in vectors.calls if method == "batchEmbedContents"]
    assert batches and all(len(batch) <= 100 for batch in batches)
    request = batches[0][0]
    assert request["model"] == "models/gemini-embedding-001"
    assert request["taskType"] == "RETRIEVAL_DOCUMENT"
    assert request["outputDimensionality"] == DIMENSIONS
    national = SharedEntry.objects.get(scope="", slug="rasio-gini")
    assert vector_of(SharedEntry, national.pk) is not None

    # An admin's new entry gets its vector from the task its save queues.
    admin = create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN)
    page = client_for(satker_a, admin)
    form = {
        "title": "Indeks Pembangunan Gender",
        "body": "IPG membandingkan IPM perempuan dan laki-laki.",
        "tags": "ipg",
        "source_url": "",
        "language": "id",
        "status": "published",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert page.post("/pengaturan/pengetahuan/baru/", form).status_code == 302
    with schema_context(satker_a.schema_name):
        entry = KnowledgeEntry.objects.get(title="Indeks Pembangunan Gender")
        assert vector_of(KnowledgeEntry, entry.pk) is not None
        queries_before = len(vectors.calls)
        assert slugs("indeks pembangunan gendr")[0] == "indeks-pembangunan-gender"
        (method, body) = vectors.calls[queries_before]
        assert method == "batchEmbedContents" and body["requests"][0]["taskType"] == "RETRIEVAL_QUERY"

        # Whatever writes the text, its old vector goes in the same statement (a trigger).
        KnowledgeEntry.objects.filter(pk=entry.pk).update(body="Teks baru tentang kesetaraan gender.")
        assert vector_of(KnowledgeEntry, entry.pk) is None
        KnowledgeEntry.objects.filter(pk=entry.pk).update(status="draft")
        assert embed_knowledge() == 1
        KnowledgeEntry.objects.filter(pk=entry.pk).update(status="published")
        assert vector_of(KnowledgeEntry, entry.pk) is not None  # a status is not the text
    SharedEntry.objects.filter(pk=national.pk).update(title="Rasio Gini (ketimpangan)")
    assert vector_of(SharedEntry, national.pk) is None


@pytest.mark.pgvector
def test_meaning_finds_what_words_miss_and_words_still_count(satker_a, vectors, capsys):
    with schema_context(satker_a.schema_name):
        by_words = [
            (question, expected)
            for question, expected in CASES + TYPOS
            if expected in slugs(question, by_meaning=False)
        ]
        hybrid = [(question, expected) for question, expected in CASES + TYPOS if expected in slugs(question)]
        missed = [
            (question, slugs(question)) for question, expected in CASES + TYPOS if (question, expected) not in hybrid
        ]
        for question, expected in TYPOS:
            assert expected in slugs(question), question
        # Not one word of it is spelt right: words find nothing, meaning finds it first.
        assert slugs("pertumbuhn ekonmi", by_meaning=False) == []
        assert slugs("pertumbuhn ekonmi")[0] == "pertumbuhan-ekonomi"
    total = len(CASES + TYPOS)
    with capsys.disabled():
        print(
            f"\nhit@3 over {total} questions ({len(TYPOS)} misspelt): words {len(by_words) / total:.3f}, "
            f"words + meaning (stand-in model) {len(hybrid) / total:.3f}; missed: {missed}"
        )
    assert len(hybrid) / total >= 0.9


@pytest.mark.pgvector
def test_a_question_about_nothing_held_still_finds_nothing(satker_a, vectors):
    with schema_context(satker_a.schema_name):
        assert slugs("resep rendang padang") == []
        assert slugs("???") == []


@pytest.mark.pgvector
def test_another_satkers_entries_are_never_found_by_meaning(satker_a, satker_b, vectors):
    with schema_context(satker_b.schema_name):
        KnowledgeEntry.objects.create(
            slug="lapangan-kerja-surabaya",
            title="Lowongan kerja Surabaya menurut Disnaker",
            body="Daftar lowongan kerja di Surabaya yang dihimpun BPS Kota Surabaya bersama Disnaker.",
        )
        assert embed_knowledge() == 1
        assert "lapangan-kerja-surabaya" in slugs("lowongan kerja surabaya")
    with schema_context(satker_a.schema_name):
        assert "lapangan-kerja-surabaya" not in slugs("lowongan kerja surabaya")
    answer = client_for(satker_a).get("/api/v1/knowledge/search/", {"q": "lowongan kerja surabaya"})
    assert "lapangan-kerja-surabaya" not in answer.content.decode()


@pytest.mark.pgvector
def test_without_the_questions_vector_the_search_is_by_words(satker_a, vectors, caplog):
    vectors.embed_plan.extend(["503"])
    with schema_context(satker_a.schema_name), caplog.at_level(logging.WARNING, logger="aida.embeddings"):
        assert slugs("berapa angka pengangguran terbuka di kota surabaya")[0] == "tingkat-pengangguran-terbuka"
    assert "question not embedded" in caplog.text


def test_without_pgvector_the_search_is_by_words_and_the_log_says_so_once(satker_a, gemini, caplog):
    embeddings._installed.cache_clear()  # as in a new process
    with schema_context(satker_a.schema_name), caplog.at_level(logging.WARNING, logger="aida.embeddings"):
        if embeddings.enabled():
            pytest.skip("this PostgreSQL has pgvector (CI's machine PostgreSQL runs this)")
        for _ in range(2):
            assert slugs("berapa angka pengangguran terbuka di kota surabaya")[0] == "tingkat-pengangguran-terbuka"
    assert caplog.text.count("pgvector is not installed") == 1
    assert [method for method, _body in gemini.calls if method == "batchEmbedContents"] == []


@pytest.mark.pgvector
def test_switched_off_the_search_is_by_words_alone(satker_a, vectors, settings):
    settings.HALOPST_AIDA_SEARCH_BY_MEANING = False
    calls = len(vectors.calls)
    with schema_context(satker_a.schema_name):
        assert slugs("pertumbuhn ekonmi") == []
        assert slugs("pertumbuhan ekonomi")[0] == "pertumbuhan-ekonomi"
    assert len(vectors.calls) == calls


@pytest.mark.pgvector
def test_an_entry_edited_while_gemini_embeds_it_keeps_no_stale_vector(make_satker, gemini):
    """The edit commits between the read and the write of its vector: that vector is dropped,
    and the next run embeds the new text."""
    from django.db import connection as this_threads_connection

    satker = make_satker()
    if not embeddings.enabled():
        pytest.skip("this PostgreSQL has no pgvector (`make test` on the embedded server runs these)")
    with schema_context(satker.schema_name):
        entry = KnowledgeEntry.objects.create(slug="versi", title="Versi lama", body="Teks lama tentang IPG.")
    table = f'"{satker.schema_name}".{KnowledgeEntry._meta.db_table}'

    def edit_while_embedding(text, dimensions):
        if "Teks lama" in text:  # in the fake's thread, on a connection of its own (committed at once)
            with this_threads_connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET body = 'Teks baru tentang IPG.' WHERE id = %s", [entry.pk])
            this_threads_connection.close()
        return stand_in_embedding(text, dimensions)

    gemini.embed = edit_while_embedding
    with schema_context(satker.schema_name):
        assert embed_knowledge() == 0
        assert vector_of(KnowledgeEntry, entry.pk) is None
        assert embed_knowledge() == 1
    texts = [
        request["content"]["parts"][0]["text"] for _m, body in gemini.calls for request in body.get("requests", [])
    ]
    assert [text.split("\n")[-1] for text in texts] == ["Teks lama tentang IPG.", "Teks baru tentang IPG."]


@pytest.mark.pgvector
def test_runs_queued_together_pay_gemini_once_per_entry(make_satker, gemini, settings):
    """An import queues a run per entry: parallel workers must not embed the same entries again."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection as this_threads_connection

    satker = make_satker()
    if not embeddings.enabled():
        pytest.skip("this PostgreSQL has no pgvector (`make test` on the embedded server runs these)")
    with schema_context(satker.schema_name):
        KnowledgeEntry.objects.bulk_create(
            KnowledgeEntry(slug=f"impor-{n}", title=f"Entri impor {n}", body=f"Isi entri {n}.") for n in range(30)
        )
    everyone_started = threading.Barrier(4)

    def slow_embedding(text, dimensions):
        time.sleep(0.05)  # the first run still embeds while the others start
        return stand_in_embedding(text, dimensions)

    def run(_n):
        everyone_started.wait(10)
        try:
            with schema_context(satker.schema_name):
                return embed_knowledge()
        finally:
            this_threads_connection.close()

    gemini.embed = slow_embedding
    settings.HALOPST_GEMINI_TIMEOUT = 30.0  # a batch of 30 slow texts
    with ThreadPoolExecutor(4) as pool:
        stored = list(pool.map(run, range(4)))
    embedded = [request for _m, body in gemini.calls for request in body.get("requests", [])]
    assert sum(stored) == 30 and len(embedded) == 30
    with schema_context(satker.schema_name):
        assert not KnowledgeEntry.objects.filter(slug__startswith="impor-").extra(where=["embedding IS NULL"]).exists()
