"""Migrations: an empty database migrated gives the same schema as the models."""
from __future__ import annotations

from peewee import SqliteDatabase

from forms import db as dbmod, migrations
from forms.models import ALL_MODELS, db_proxy


def search_tables(database) -> set[str]:
    """Full-text tables (migration 0003: FTS5 and its shadow tables), which models cannot describe."""
    virtual = [r[0] for r in database.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")]
    return {t for t in database.get_tables() if any(t == v or t.startswith(v + "_") for v in virtual)}


def describe(database) -> dict:
    out = {}
    skip = search_tables(database) | {"schema_migrations"}
    for table in sorted(t for t in database.get_tables() if t not in skip):
        out[table] = {
            "columns": sorted((c.name, c.data_type.upper(), c.null, c.primary_key, str(c.default))
                              for c in database.get_columns(table)),
            "indexes": sorted((tuple(i.columns), i.unique) for i in database.get_indexes(table)),
            "fks": sorted((f.column, f.dest_table, f.dest_column) for f in database.get_foreign_keys(table)),
        }
    return out


def test_migrating_empty_database_equals_creating_tables(tmp_path):
    migrated = dbmod.open_database(f"sqlite:///{tmp_path / 'a.db'}", seed=False)
    a = describe(migrated)
    migrated.close()
    created = SqliteDatabase(str(tmp_path / "b.db"))
    db_proxy.initialize(created)
    created.create_tables(ALL_MODELS)
    b = describe(created)
    assert set(a) == {m._meta.table_name for m in ALL_MODELS}
    assert a == b
    assert {"case_no_fts", "party_name_fts", "page_text_fts"} <= search_tables(migrated.__class__(
        str(tmp_path / "a.db")))


def test_migrations_are_recorded_and_not_applied_twice(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    database = dbmod.open_database(url, seed=False)
    every = {m.VERSION for m in migrations._migration_modules()}
    assert {1, 2} <= every
    assert migrations.applied_versions(database) == every
    assert migrations.migrate(database) == []
    database.close()


def test_default_database_lives_in_the_data_folder_and_is_seeded(private_data_dir):
    from forms import config
    from forms.models import Clerk, Partner, ServiceItem
    assert config.database_url() == f"sqlite:///{private_data_dir / 'clerk.db'}"
    database = dbmod.open_default()
    assert (private_data_dir / "clerk.db").exists()
    assert ServiceItem.select().count() >= 30
    assert Partner.select().count() >= 5
    assert Clerk.get(Clerk.username == "admin").is_admin
    database.close()


def test_unreachable_database_gives_a_chinese_message(monkeypatch):
    import pytest
    from forms.errors import DatabaseError
    monkeypatch.setenv("CLERK_DATABASE_URL", "postgresql://clerk:secret@127.0.0.1:1/none")
    with pytest.raises(DatabaseError) as err:
        dbmod.open_default()
    assert "无法连接数据库" in str(err.value)
    assert "secret" not in str(err.value)


def test_an_old_database_with_a_repeated_tracking_number_still_migrates(tmp_path):
    """Version 1 allowed one tracking number on two parcels; 0002 keeps such data and logs it."""
    from forms.migrations import m0001_initial
    path = tmp_path / "old.db"
    old = SqliteDatabase(str(path))
    m0001_initial.apply(old, None)
    old.execute_sql("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at DATETIME)")
    old.execute_sql("INSERT INTO schema_migrations VALUES (1, '2026-01-01')")
    for table, cols in (("window", "code, name, region_code, level, address, postcode, phone, created_at"),):
        old.execute_sql(f"INSERT INTO {table} ({cols}) VALUES ('W1','窗口','110101','county','','','','2026-01-01')")
    old.execute_sql("INSERT INTO shipment (case_id, direction, carrier, tracking_number, weight_g, originals, "
                    "shipped_at) VALUES (1,'out','EMS','EA123456785CN',0,0,'2026-01-01'),"
                    "(2,'out','EMS','EA123456785CN',0,0,'2026-01-02')")
    old.close()
    database = dbmod.open_database(f"sqlite:///{path}", seed=False)
    assert 2 in migrations.applied_versions(database)
    assert "intake_key" in {c.name for c in database.get_columns("case")}
    rows = database.execute_sql("SELECT COUNT(*) FROM shipment").fetchone()[0]
    assert rows == 2
    database.close()
