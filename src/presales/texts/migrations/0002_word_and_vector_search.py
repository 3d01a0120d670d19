"""Word search and, where pgvector is installed, vector search inside the database.

SQLite: an FTS5 table over ``texts_text.body`` (porter stemming) kept in step by triggers. A
later migration that makes SQLite rebuild ``texts_text`` drops the triggers: recreate them there
and run ``INSERT INTO texts_text_fts(texts_text_fts) VALUES('rebuild')``.

PostgreSQL: a stored English ``tsvector`` of the body (``body_tsv``) with a GIN index; and when the ``vector``
extension is installed (or may be created by this role), the ``texts_pgvector`` table that
``presales.texts.vectors`` orders by cosine distance. Without it, vectors are searched in memory.
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE texts_text_fts USING fts5("
    "body, content='texts_text', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER texts_text_fts_ai AFTER INSERT ON texts_text BEGIN "
    "INSERT INTO texts_text_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER texts_text_fts_ad AFTER DELETE ON texts_text BEGIN "
    "INSERT INTO texts_text_fts(texts_text_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "END",
    "CREATE TRIGGER texts_text_fts_au AFTER UPDATE OF body ON texts_text BEGIN "
    "INSERT INTO texts_text_fts(texts_text_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO texts_text_fts(rowid, body) VALUES (new.id, new.body); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS texts_text_fts_au",
    "DROP TRIGGER IF EXISTS texts_text_fts_ad",
    "DROP TRIGGER IF EXISTS texts_text_fts_ai",
    "DROP TABLE IF EXISTS texts_text_fts",
]
# A stored tsvector, so ranking reads it instead of parsing every matching body again. Django
# does not know the column; PostgreSQL fills it on every insert and update.
POSTGRES_UP = [
    "ALTER TABLE texts_text ADD COLUMN body_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', body)) STORED",
    "CREATE INDEX texts_text_body_fts ON texts_text USING gin (body_tsv)",
]
PGVECTOR_UP = (
    "CREATE TABLE texts_pgvector ("
    "text_id bigint PRIMARY KEY REFERENCES texts_text(id) ON DELETE CASCADE DEFERRABLE "
    "INITIALLY DEFERRED, embedding vector NOT NULL)"
)


def _pgvector_ready(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'")
    if cursor.fetchone():
        return True
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
    if not cursor.fetchone():
        return False
    cursor.execute("SAVEPOINT presales_pgvector")
    try:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except Exception:  # not allowed to create it: stay on the in-memory path
        cursor.execute("ROLLBACK TO SAVEPOINT presales_pgvector")
        return False
    cursor.execute("RELEASE SAVEPOINT presales_pgvector")
    return True


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in SQLITE_UP:
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            for sql in POSTGRES_UP:
                cursor.execute(sql)
            if _pgvector_ready(cursor):
                cursor.execute(PGVECTOR_UP)


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in SQLITE_DOWN:
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            cursor.execute("DROP TABLE IF EXISTS texts_pgvector")
            cursor.execute("DROP INDEX IF EXISTS texts_text_body_fts")
            cursor.execute("ALTER TABLE texts_text DROP COLUMN IF EXISTS body_tsv")


class Migration(migrations.Migration):
    dependencies = [("texts", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
