"""Open the database from a URL, migrate it, and seed a fresh one.

SQLite is the embedded default; any peewee URL works (PostgreSQL for a hall).
peewee connections are per thread: workers wrap their work in
``with database().connection_context():``.
"""
from __future__ import annotations

import logging

from peewee import Database, OperationalError, PeeweeException, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import connect

from forms import config, migrations
from forms.errors import DatabaseError
from forms.models import db_proxy

log = logging.getLogger(__name__)

_SQLITE_PRAGMAS = {
    "journal_mode": "wal",        # readers never block the writer; survives SIGKILL
    "foreign_keys": 1,
    "synchronous": "full",        # a committed case is on disk before we say so
    "busy_timeout": 10000,
}


def open_database(url: str, migrate: bool = True, seed: bool = True) -> Database:
    """Connect to ``url``, bind the models, apply migrations, seed if empty."""
    if url.startswith("sqlite:///"):
        from pathlib import Path
        Path(url[len("sqlite:///"):]).expanduser().parent.mkdir(parents=True, exist_ok=True)
    try:
        if url.startswith("sqlite"):
            database = connect(url, pragmas=_SQLITE_PRAGMAS, autoconnect=True)
        else:
            database = connect(url, autoconnect=True)
        database.connect(reuse_if_open=True)
    except (PeeweeException, OperationalError, RuntimeError, ValueError) as e:
        raise DatabaseError(f"无法连接数据库（{_safe_url(url)}）：{e}") from e
    except ImportError as e:
        raise DatabaseError(f"缺少数据库驱动：{e.name}") from e
    db_proxy.initialize(database)
    if migrate or seed:
        try:
            with _schema_lock(database):
                if migrate:
                    migrations.migrate(database)
                if seed:
                    from forms import seed as seeding
                    seeding.seed_if_empty()
        except PeeweeException as e:
            raise DatabaseError(f"数据库升级失败：{e}") from e
    return database


_MIGRATION_LOCK = 727_001        # pg_advisory_xact_lock key: "tongban clerk schema"


def _schema_lock(database):
    """Migrations and the first seeding run once, however many windows start at the same moment:
    SQLite takes its write lock first (BEGIN IMMEDIATE), PostgreSQL a transaction-scoped
    advisory lock; whoever comes second finds the work done."""
    if isinstance(database, SqliteDatabase):
        return database.atomic("IMMEDIATE")
    tx = database.atomic()

    class _Locked:
        def __enter__(self):
            tx.__enter__()
            if isinstance(database, PostgresqlDatabase):
                database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            return self

        def __exit__(self, *exc):
            return tx.__exit__(*exc)
    return _Locked()


def open_default() -> Database:
    """Open the database named by the configuration (CLERK_DATABASE_URL or SQLite)."""
    return open_database(config.database_url())


def database() -> Database:
    return db_proxy.obj


def close() -> None:
    if db_proxy.obj is not None and not db_proxy.obj.is_closed():
        db_proxy.obj.close()


def _safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url
