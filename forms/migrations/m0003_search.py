"""Migration 0003: indexes for the search box, the home board and full-text search of OCR text.

Raw SQL only (no model is created or changed).

* ``case (window_id, received_at)``: a window's cases of one day or period (home board,
  statistics); ``case (received_at)``: the newest cases first (the empty search);
  ``case (status, window_id)``: a window's open cases of some states.
* Substrings of three characters or more, found by trigrams, which need no word
  boundaries (Chinese has none):
  - SQLite (3.34+): FTS5 tables with the built-in ``trigram`` tokenizer, kept by triggers:
    ``party_name_fts`` and ``case_no_fts`` (external content: the text stays in
    ``party.name`` / ``case.case_no``) and ``page_text_fts`` (contentless: indexes
    ``json_extract(page.ocr, '$.text')``, which is stored only in ``page.ocr``).
    An SQLite without FTS5 or the trigram tokenizer migrates without them, and
    forms.queries then searches by scanning.
  - PostgreSQL: ``pg_trgm`` GIN indexes on ``party.name``, ``case.case_no`` and the
    page text expression. A server where the extension cannot be created (not
    installed, or no right to create it) migrates without them, and ILIKE scans.
"""
from __future__ import annotations

import logging

from peewee import OperationalError, SqliteDatabase

VERSION = 3
log = logging.getLogger(__name__)

INDEXES = (
    'CREATE INDEX IF NOT EXISTS case_window_received ON "case" (window_id, received_at)',
    'CREATE INDEX IF NOT EXISTS case_received_at ON "case" (received_at)',
    'CREATE INDEX IF NOT EXISTS case_status_window ON "case" (status, window_id)',
)

# The page text as the FTS table sees it: NULL for a page without OCR (nothing indexed).
_TEXT = "CASE WHEN json_valid({0}.ocr) THEN json_extract({0}.ocr, '$.text') END"

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE party_name_fts USING fts5(name, content='party', content_rowid='id', "
    "tokenize='trigram')",
    "CREATE TRIGGER party_name_fts_ai AFTER INSERT ON party BEGIN "
    "INSERT INTO party_name_fts(rowid, name) VALUES (new.id, new.name); END",
    "CREATE TRIGGER party_name_fts_ad AFTER DELETE ON party BEGIN "
    "INSERT INTO party_name_fts(party_name_fts, rowid, name) VALUES ('delete', old.id, old.name); END",
    "CREATE TRIGGER party_name_fts_au AFTER UPDATE OF name ON party BEGIN "
    "INSERT INTO party_name_fts(party_name_fts, rowid, name) VALUES ('delete', old.id, old.name); "
    "INSERT INTO party_name_fts(rowid, name) VALUES (new.id, new.name); END",
    "INSERT INTO party_name_fts(party_name_fts) VALUES ('rebuild')",

    "CREATE VIRTUAL TABLE case_no_fts USING fts5(case_no, content='case', content_rowid='id', "
    "tokenize='trigram')",
    'CREATE TRIGGER case_no_fts_ai AFTER INSERT ON "case" BEGIN '
    "INSERT INTO case_no_fts(rowid, case_no) VALUES (new.id, new.case_no); END",
    'CREATE TRIGGER case_no_fts_ad AFTER DELETE ON "case" BEGIN '
    "INSERT INTO case_no_fts(case_no_fts, rowid, case_no) VALUES ('delete', old.id, old.case_no); END",
    'CREATE TRIGGER case_no_fts_au AFTER UPDATE OF case_no ON "case" BEGIN '
    "INSERT INTO case_no_fts(case_no_fts, rowid, case_no) VALUES ('delete', old.id, old.case_no); "
    "INSERT INTO case_no_fts(rowid, case_no) VALUES (new.id, new.case_no); END",
    "INSERT INTO case_no_fts(case_no_fts) VALUES ('rebuild')",

    # Contentless: a page's words and boxes stay in page.ocr only. Deleting from such a
    # table needs the text that was indexed, which the triggers read from old.ocr.
    "CREATE VIRTUAL TABLE page_text_fts USING fts5(text, content='', tokenize='trigram')",
    "CREATE TRIGGER page_text_fts_ai AFTER INSERT ON page WHEN ({new}) IS NOT NULL BEGIN "
    "INSERT INTO page_text_fts(rowid, text) VALUES (new.id, {new}); END",
    "CREATE TRIGGER page_text_fts_ad AFTER DELETE ON page WHEN ({old}) IS NOT NULL BEGIN "
    "INSERT INTO page_text_fts(page_text_fts, rowid, text) VALUES ('delete', old.id, {old}); END",
    "CREATE TRIGGER page_text_fts_au AFTER UPDATE OF ocr ON page BEGIN "
    "INSERT INTO page_text_fts(page_text_fts, rowid, text) SELECT 'delete', old.id, {old} "
    "WHERE ({old}) IS NOT NULL; "
    "INSERT INTO page_text_fts(rowid, text) SELECT new.id, {new} WHERE ({new}) IS NOT NULL; END",
    "INSERT INTO page_text_fts(rowid, text) SELECT id, {page} FROM page WHERE ({page}) IS NOT NULL",
)

POSTGRES_TRGM = """
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    -- No percent sign anywhere in this text: psycopg2 would read it as a parameter.
    RAISE NOTICE USING MESSAGE = 'pg_trgm not available, search scans instead: ' || SQLERRM;
END
$$;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX IF NOT EXISTS party_name_trgm ON party USING gin (name gin_trgm_ops);
        CREATE INDEX IF NOT EXISTS case_case_no_trgm ON "case" USING gin (case_no gin_trgm_ops);
        CREATE INDEX IF NOT EXISTS page_text_trgm ON page
            USING gin (((ocr::jsonb) ->> 'text') gin_trgm_ops);
    END IF;
END
$$;
"""


def _sqlite_fts(database) -> None:
    statements = [s.format(new=_TEXT.format("new"), old=_TEXT.format("old"), page=_TEXT.format("page"))
                  for s in SQLITE_FTS]
    try:
        # One savepoint: all three tables and their triggers, or none of them.
        with database.atomic():
            for sql in statements:
                database.execute_sql(sql)
    except OperationalError as e:
        log.warning("SQLite has no FTS5 trigram tokenizer (%s): text search will scan", e)


def apply(database, migrator) -> None:
    for sql in INDEXES:
        database.execute_sql(sql)
    if isinstance(database, SqliteDatabase):
        _sqlite_fts(database)
    else:
        database.execute_sql(POSTGRES_TRGM)
