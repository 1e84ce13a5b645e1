"""The meaning of each knowledge entry as a vector, where the database can hold one.

pgvector is an extension that not every PostgreSQL has (Debian's PostgreSQL 15 here does not;
the embedded server and managed services do). So the column is not a model field: the
migrations add it, with its index and trigger, only where the extension is installed, and
aida.retrieval ranks by it only then (aida.embeddings.enabled).

The trigger keeps one invariant whatever writes the row: a vector belongs to the text it was
computed from. Editing an entry's title, tags or body clears its vector in the same statement,
so an edit is never ranked by its old meaning; aida.embeddings fills it again.
"""

# gemini-embedding-001 reduced to 768 dimensions (it offers 3072, 1536 or 768): a quarter of
# the storage and distance work, for retrieval quality Google reports as nearly the same.
DIMENSIONS = 768


def add_embedding_sql(table: str) -> str:
    """Add `embedding` with its HNSW index (cosine distance), its trigger function (in the schema
    being migrated, so a satker's schema carries its own and dropping it touches no other) and
    the trigger. Running it again changes nothing."""
    return f"""
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') THEN
        ALTER TABLE {table} ADD COLUMN IF NOT EXISTS embedding public.vector({DIMENSIONS});
        CREATE INDEX IF NOT EXISTS {table}_embedding ON {table} USING hnsw (embedding public.vector_cosine_ops);
        CREATE OR REPLACE FUNCTION clear_stale_embedding() RETURNS trigger LANGUAGE plpgsql AS $body$
        BEGIN
            NEW.embedding := NULL;
            RETURN NEW;
        END
        $body$;
        DROP TRIGGER IF EXISTS {table}_text_changed ON {table};
        CREATE TRIGGER {table}_text_changed BEFORE UPDATE OF title, tags, body ON {table} FOR EACH ROW
            WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.tags IS DISTINCT FROM NEW.tags
                  OR OLD.body IS DISTINCT FROM NEW.body)
            EXECUTE FUNCTION clear_stale_embedding();
    END IF;
END
$$;
"""


def drop_embedding_sql(table: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {table}_text_changed ON {table};
DROP INDEX IF EXISTS {table}_embedding;
ALTER TABLE {table} DROP COLUMN IF EXISTS embedding;
"""
