"""Finding the knowledge entries that answer a question, in one ranked list over the satker's
own entries and those it inherits (shared_knowledge: its province's and the nation's). The most
local entry of a slug is the only one searched: a satker's own replaces its province's, which
replaces the nation's.

By words: the question's words are stemmed with the `indonesian` configuration and OR-ed
(consumers write long questions; requiring every word would find nothing), matched also as
written (`simple`, for codes and names), and ranked with ts_rank over title (A) > tags (B) >
body (C). (ts_rank_cd ranked no better on the evaluation and cost 3× as much over 10,000
entries: 56 ms against 18 ms.)

By meaning, where PostgreSQL has pgvector (aida.embeddings): the question's vector against the
entries', for what words miss (a typo, another word for the same thing, English against an
Indonesian entry); the two rankings are fused. Without pgvector, by words alone."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from aida import embeddings
from aida.models import EntryStatus, KnowledgeEntry
from core.tenancy import current_satker
from shared_knowledge.models import NATIONAL, SharedEntry, SharedStatus

# Words too common in questions to help ranking ("berapa data ... di ... tahun").
STOPWORDS = {
    "apa",
    "apakah",
    "berapa",
    "bagaimana",
    "gimana",
    "mengapa",
    "kenapa",
    "kapan",
    "dimana",
    "di",
    "ke",
    "dari",
    "yang",
    "dan",
    "atau",
    "untuk",
    "dengan",
    "pada",
    "ini",
    "itu",
    "saya",
    "aku",
    "kami",
    "kita",
    "mau",
    "ingin",
    "tolong",
    "mohon",
    "minta",
    "bisa",
    "dapat",
    "ada",
    "adalah",
    "data",
    "tahun",
    "bps",
    "cara",
    "tentang",
    "the",
    "what",
    "how",
    "is",
    "of",
    "in",
    "and",
    "a",
    "an",
    "to",
    "for",
    "kak",
    "min",
    "gan",
    "dong",
    "ya",
    "sih",
}
MIN_SCORE = 0.01  # below this a hit shares only a stray word with the question


@dataclass(frozen=True)
class Hit:
    entry: KnowledgeEntry | SharedEntry
    score: float

    @property
    def inherited(self) -> bool:
        return isinstance(self.entry, SharedEntry)


def query_terms(question: str) -> list[str]:
    words = re.findall(r"[0-9a-zA-Z\u00C0-\u024F]+", question.lower())
    return [word for word in words if word not in STOPWORDS and len(word) > 1][:24]


COLUMNS = ["id", "slug", "title", "body", "source_url", "tags", "language"]
_OWN, _SHARED = KnowledgeEntry._meta.db_table, SharedEntry._meta.db_table
# Which entries a satker's question may find: its own, and the inherited ones that no more local
# entry of the same slug replaces.
_OWN_VISIBLE = "entry.status = ANY(%(statuses)s)"
_SHARED_VISIBLE = f"""
    %(inherit)s AND entry.status = %(published)s AND entry.scope IN (%(national)s, %(province)s)
    AND NOT EXISTS (SELECT 1 FROM {_OWN} AS own WHERE own.slug = entry.slug AND own.status = ANY(%(statuses)s))
    AND NOT (entry.scope = %(national)s AND EXISTS (
             SELECT 1 FROM {_SHARED} AS province
             WHERE province.slug = entry.slug AND province.scope = %(province)s AND province.status = %(published)s))
"""
_SELECT = ", ".join(f"entry.{column}" for column in [*COLUMNS, "search_vector"])
# Inlined into each use (NOT MATERIALIZED): PostgreSQL pushes the use's condition into both
# branches, and the word search keeps its GIN indexes.
_VISIBLE = f"""visible AS NOT MATERIALIZED (
    SELECT false AS inherited, {_SELECT} FROM {_OWN} AS entry WHERE {_OWN_VISIBLE}
    UNION ALL
    SELECT true, {_SELECT} FROM {_SHARED} AS entry WHERE {_SHARED_VISIBLE}
)"""
_QUESTION = "question AS (SELECT to_tsquery('indonesian', %(terms)s) || to_tsquery('simple', %(terms)s) AS query)"
_RANK = "ts_rank(visible.search_vector, question.query, 1)"

# One query (a second for the rows cost a round trip per question). Weak hits (MIN_SCORE) are
# dropped from the few rows it returns: a condition on the rank here would compute it twice for
# every matching entry (31 ms instead of 20 over 10,000 entries).
BY_WORDS_SQL = f"""
    WITH {_QUESTION}, {_VISIBLE}
    SELECT visible.inherited, {", ".join(f"visible.{column}" for column in COLUMNS)}, {_RANK} AS score
    FROM visible, question
    WHERE visible.search_vector @@ question.query
    ORDER BY score DESC, inherited, id
    LIMIT %(limit)s
"""
# Words and meaning, each ranking its best `depth` entries, fused by reciprocal rank (RRF, k=60):
# an entry both find rises above one only either finds, whatever the two scores' scales. The
# nearest by meaning come from each table's HNSW index (shared_knowledge.vectors), and the rows
# by primary key once the few best are known.
_DISTANCE = "entry.embedding <=> %(vector)s::vector"
_ROW = ", ".join(f"entry.{column}" for column in COLUMNS)
HYBRID_SQL = f"""
    WITH {_QUESTION}, {_VISIBLE},
    by_words AS (
        SELECT inherited, id, row_number() OVER (ORDER BY score DESC, inherited, id) AS rank
        FROM (
            SELECT visible.inherited, visible.id, {_RANK} AS score
            FROM visible, question
            WHERE visible.search_vector @@ question.query
            OFFSET 0  -- ranks each entry once: without it the condition below would rank it again
        ) AS scored
        WHERE score >= %(min_score)s
        ORDER BY rank LIMIT %(depth)s
    ),
    by_meaning AS (
        SELECT inherited, id, row_number() OVER (ORDER BY distance, inherited, id) AS rank
        FROM (
            (SELECT false AS inherited, entry.id, {_DISTANCE} AS distance FROM {_OWN} AS entry
             WHERE {_OWN_VISIBLE} ORDER BY {_DISTANCE} LIMIT %(depth)s)
            UNION ALL
            (SELECT true, entry.id, {_DISTANCE} FROM {_SHARED} AS entry
             WHERE {_SHARED_VISIBLE} ORDER BY {_DISTANCE} LIMIT %(depth)s)
        ) AS nearest
        WHERE distance <= %(max_distance)s
        ORDER BY rank LIMIT %(depth)s
    ),
    fused AS (
        SELECT inherited, id, sum(1.0 / (60 + rank)) AS score
        FROM (SELECT * FROM by_words UNION ALL SELECT * FROM by_meaning) AS ranks
        GROUP BY inherited, id
        ORDER BY score DESC, inherited, id
        LIMIT %(limit)s
    )
    SELECT * FROM (
        SELECT false AS inherited, {_ROW}, fused.score FROM fused JOIN {_OWN} AS entry ON entry.id = fused.id
        WHERE NOT fused.inherited
        UNION ALL
        SELECT true, {_ROW}, fused.score FROM fused JOIN {_SHARED} AS entry ON entry.id = fused.id
        WHERE fused.inherited
    ) AS found
    ORDER BY score DESC, inherited, id
"""
DEPTH = 20  # how far down each ranking the fusion looks


def search(
    question: str, limit: int = 5, include_drafts: bool = False, inherited: bool = True, by_meaning: bool = True
) -> list[Hit]:
    """The entries that best answer `question`, best first. `inherited=False`: the satker's own only
    (its admin's list). `by_meaning=False`: by words alone (a filter box, where a word is meant).

    By meaning too where aida.embeddings is enabled: this waits on Gemini for the question's
    vector, so call it outside a transaction."""
    terms = query_terms(question)
    if not terms:
        return []
    vector = embeddings.embed_question(question) if by_meaning and embeddings.enabled() else None
    statuses = [EntryStatus.PUBLISHED, EntryStatus.DRAFT] if include_drafts else [EntryStatus.PUBLISHED]
    # Before the cursor: finding the satker may switch the connection's schema and back, and a
    # cursor opened earlier would keep the other schema's search path.
    province = current_satker().code[:2]
    parameters = {
        "terms": " | ".join(terms),
        "statuses": statuses,
        "inherit": inherited,
        "published": SharedStatus.PUBLISHED,
        "national": NATIONAL,
        "province": province,
        "min_score": MIN_SCORE,
        "limit": limit,
    }
    if vector is not None:
        parameters.update(
            vector=embeddings.literal(vector), max_distance=1 - settings.HALOPST_AIDA_MIN_SIMILARITY, depth=DEPTH
        )
    with connection.cursor() as cursor:
        cursor.execute(BY_WORDS_SQL if vector is None else HYBRID_SQL, parameters)
        rows = cursor.fetchall()
    return [
        Hit((SharedEntry if is_inherited else KnowledgeEntry)(**dict(zip(COLUMNS, values))), float(score))
        for is_inherited, *values, score in rows
        if vector is not None or score >= MIN_SCORE  # fused scores are ranks, filtered in the query
    ]
