"""Finding the knowledge entries that answer a question: PostgreSQL full-text search.

The question's words are stemmed with the `indonesian` configuration and OR-ed (consumers write
long questions; requiring every word would find nothing), matched also as written (`simple`,
for codes and names), and ranked with ts_rank over title (A) > tags (B) > body (C). (ts_rank_cd ranked no better on
the evaluation and cost 3× as much over 10,000 entries: 56 ms against 18 ms.)
Embeddings (pgvector) are not used yet: see the issue notes.
"""

import re
from dataclasses import dataclass

from aida.models import EntryStatus, KnowledgeEntry

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
    entry: KnowledgeEntry
    score: float


def query_terms(question: str) -> list[str]:
    words = re.findall(r"[0-9a-zA-Z\u00C0-\u024F]+", question.lower())
    return [word for word in words if word not in STOPWORDS and len(word) > 1][:24]


def search(question: str, limit: int = 5, include_drafts: bool = False) -> list[Hit]:
    terms = query_terms(question)
    if not terms:
        return []
    expression = " | ".join(terms)
    statuses = [EntryStatus.PUBLISHED, EntryStatus.DRAFT] if include_drafts else [EntryStatus.PUBLISHED]
    # One query: the entries with their rank (a second query for the rows cost a round trip per question).
    ranked = KnowledgeEntry.objects.raw(
        f"""
        SELECT entry.*, ts_rank(entry.search_vector, query, 1) AS score
        FROM {KnowledgeEntry._meta.db_table} AS entry,
             (SELECT to_tsquery('indonesian', %s) || to_tsquery('simple', %s) AS query) AS question
        WHERE entry.search_vector @@ query AND entry.status = ANY(%s)
        ORDER BY score DESC, entry.id
        LIMIT %s
        """,
        [expression, expression, statuses, limit],
    )
    return [Hit(entry, float(entry.score)) for entry in ranked if entry.score >= MIN_SCORE]
