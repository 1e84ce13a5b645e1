"""Knowledge entries and questions as vectors of their meaning (Gemini's gemini-embedding-001),
for aida.retrieval to rank by meaning beside words, where PostgreSQL has pgvector.

Entries are embedded after they change: aida.tasks.embed_knowledge, queued when a satker saves
an entry and run by beat in every satker (hourly) and in public (every ten minutes, for the
national and province entries). Questions are embedded as they are asked. Whatever fails leaves
the word search alone: a question whose vector has not come within
HALOPST_GEMINI_EMBEDDING_TIMEOUT is searched by its words, and an entry without a vector is
found by its words until the next run gives it one.
"""

import logging
from functools import cache

import redis
from django.conf import settings
from django.db import connection
from google.genai import errors, types

from aida import gemini
from shared_knowledge.vectors import DIMENSIONS

logger = logging.getLogger(__name__)

BATCH = 100  # the most texts batchEmbedContents takes in one call
LOCK_SECONDS = 600  # a run holds its table this long at most (a worker that died lets go)
DOCUMENT_CHARACTERS = 6000  # about the model's 2,048-token input limit
FAILURES = (errors.APIError, gemini.GeminiUnavailable, ValueError, *gemini.NETWORK_ERRORS)


@cache
def _installed(database: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector')")
        (installed,) = cursor.fetchone()
    if not installed:
        logger.warning(
            "pgvector is not installed in database %s: AIDA ranks knowledge entries by their words only", database
        )
    return installed


def enabled() -> bool:
    """Whether knowledge is ranked by meaning too: switched on, a Gemini key, and pgvector in
    this database (checked once per process, and said once in the log when missing)."""
    return (
        settings.HALOPST_AIDA_SEARCH_BY_MEANING
        and bool(settings.HALOPST_GEMINI_API_KEY)
        and _installed(connection.settings_dict["NAME"])
    )


def literal(vector: list[float]) -> str:
    """pgvector's text form of a vector, for a `%s::vector` parameter."""
    return "[" + ",".join(format(value, ".7g") for value in vector) + "]"


def _embed(texts: list[str], task_type: str, **http_options) -> list[list[float]]:
    config = types.EmbedContentConfig(task_type=task_type, output_dimensionality=DIMENSIONS)
    if http_options:
        config.http_options = types.HttpOptions(**http_options)
    response = gemini.sync_client().models.embed_content(
        model=settings.HALOPST_GEMINI_EMBEDDING_MODEL, contents=texts, config=config
    )
    vectors = [embedding.values for embedding in response.embeddings or []]
    if len(vectors) != len(texts) or any(vector is None or len(vector) != DIMENSIONS for vector in vectors):
        raise ValueError(f"expected {len(texts)} vectors of {DIMENSIONS} values")
    return vectors


def embed_question(question: str) -> list[float] | None:
    """The question's vector, or None (logged) when Gemini does not give it in time."""
    try:
        (vector,) = _embed([question], "RETRIEVAL_QUERY", timeout=int(settings.HALOPST_GEMINI_EMBEDDING_TIMEOUT * 1000))
    except FAILURES as error:
        logger.warning("question not embedded, searched by its words only: %r", error)
        return None
    return vector


def embed_pending(model) -> int:
    """Give each entry of `model`'s table in the current schema that lacks a vector its vector;
    return how many were stored. A vector is stored only if the entry's text is still the text
    it was computed from (an edit meanwhile cleared it, and the next run embeds the new text).

    One run per table at a time: runs queued together (an import saves many entries) would
    otherwise read the same entries and pay Gemini for each of them again. A run that finds
    another under way leaves the work to it."""
    table, stored, after = model._meta.db_table, 0, 0
    lock = redis.Redis.from_url(settings.REDIS_URL).lock(
        f"halopst:embed:{connection.schema_name}:{table}", timeout=LOCK_SECONDS, blocking=False
    )
    if not lock.acquire():
        return 0
    try:
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id, title, tags, body FROM {table}"
                    " WHERE embedding IS NULL AND id > %s ORDER BY id LIMIT %s",
                    [after, BATCH],
                )
                rows = cursor.fetchall()
            if not rows:
                return stored
            texts = [f"{title}\n{tags}\n{body}"[:DOCUMENT_CHARACTERS] for _id, title, tags, body in rows]
            vectors = _embed(texts, "RETRIEVAL_DOCUMENT")
            with connection.cursor() as cursor:
                cursor.execute(_STORE.format(table=table), [*map(list, zip(*rows)), [literal(v) for v in vectors]])
                stored += cursor.rowcount
            after = rows[-1][0]
    finally:
        lock.release()


# The batch's vectors in one statement, each where its entry still has the text it was made from.
_STORE = """
    UPDATE {table} AS entry SET embedding = new.embedding::vector
    FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[]) AS new(id, title, tags, body, embedding)
    WHERE entry.id = new.id AND entry.embedding IS NULL
      AND entry.title = new.title AND entry.tags = new.tags AND entry.body = new.body
"""
