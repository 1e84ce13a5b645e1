"""Finding the knowledge entries that answer a question: PostgreSQL full-text search over the
satker's own entries and those it inherits (shared_knowledge: its province's and the nation's),
in one ranked list. The most local entry of a slug is the only one searched: a satker's own
replaces its province's, which replaces the nation's.

The question's words are stemmed with the `indonesian` configuration and OR-ed (consumers write
long questions; requiring every word would find nothing), matched also as written (`simple`,
for codes and names), and ranked with ts_rank over title (A) > tags (B) > body (C). (ts_rank_cd ranked no better on
the evaluation and cost 3× as much over 10,000 entries: 56 ms against 18 ms.)
"""

import re
from dataclasses import dataclass

from django.db import connection

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
_SELECT = ", ".join(f"entry.{column}" for column in COLUMNS)
# One query (a second for the rows cost a round trip per question): the satker's entries, then
# the inherited ones no more local entry of the same slug replaces.
SEARCH_SQL = f"""
    WITH question AS (SELECT to_tsquery('indonesian', %(terms)s) || to_tsquery('simple', %(terms)s) AS query)
    SELECT false AS inherited, {_SELECT}, ts_rank(entry.search_vector, question.query, 1) AS score
    FROM {KnowledgeEntry._meta.db_table} AS entry, question
    WHERE entry.search_vector @@ question.query AND entry.status = ANY(%(statuses)s)
    UNION ALL
    SELECT true, {_SELECT}, ts_rank(entry.search_vector, question.query, 1)
    FROM {SharedEntry._meta.db_table} AS entry, question
    WHERE %(inherit)s AND entry.search_vector @@ question.query AND entry.status = %(published)s
      AND entry.scope IN (%(national)s, %(province)s)
      AND NOT EXISTS (SELECT 1 FROM {KnowledgeEntry._meta.db_table} AS own
                      WHERE own.slug = entry.slug AND own.status = ANY(%(statuses)s))
      AND NOT (entry.scope = %(national)s AND EXISTS (
               SELECT 1 FROM {SharedEntry._meta.db_table} AS province
               WHERE province.slug = entry.slug AND province.scope = %(province)s AND province.status = %(published)s))
    ORDER BY score DESC, inherited, id
    LIMIT %(limit)s
"""


def search(question: str, limit: int = 5, include_drafts: bool = False, inherited: bool = True) -> list[Hit]:
    """The entries that best answer `question`, best first. `inherited=False`: the satker's own only
    (its admin's list)."""
    terms = query_terms(question)
    if not terms:
        return []
    statuses = [EntryStatus.PUBLISHED, EntryStatus.DRAFT] if include_drafts else [EntryStatus.PUBLISHED]
    # Before the cursor: finding the satker may switch the connection's schema and back, and a
    # cursor opened earlier would keep the other schema's search path.
    province = current_satker().code[:2]
    with connection.cursor() as cursor:
        cursor.execute(
            SEARCH_SQL,
            {
                "terms": " | ".join(terms),
                "statuses": statuses,
                "inherit": inherited,
                "published": SharedStatus.PUBLISHED,
                "national": NATIONAL,
                "province": province,
                "limit": limit,
            },
        )
        rows = cursor.fetchall()
    hits = []
    for is_inherited, *values, score in rows:
        if score < MIN_SCORE:
            continue
        model = SharedEntry if is_inherited else KnowledgeEntry
        hits.append(Hit(model(**dict(zip(COLUMNS, values))), float(score)))
    return hits
