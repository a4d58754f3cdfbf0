"""Numbered schema migrations, applied in order at start.

Each module ``mNNNN_*.py`` defines ``VERSION`` and ``apply(database, migrator)``.
Applied versions are recorded in ``schema_migrations``; each runs in its own
transaction, so a crash leaves the schema at the last whole migration.
"""
from __future__ import annotations

import importlib
import logging
import pkgutil

from peewee import IntegerField, Model, DateTimeField
from playhouse.migrate import SchemaMigrator

from forms import clock

log = logging.getLogger(__name__)


def _migration_modules():
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("m"))
    return [importlib.import_module(f"{__name__}.{n}") for n in names]


def _history_model(database):
    class SchemaMigration(Model):
        version = IntegerField(primary_key=True)
        applied_at = DateTimeField(default=clock.now)

        class Meta:
            table_name = "schema_migrations"

    SchemaMigration.bind(database)
    return SchemaMigration


def applied_versions(database) -> set[int]:
    history = _history_model(database)
    if not database.table_exists("schema_migrations"):
        return set()
    return {row.version for row in history.select()}


def migrate(database) -> list[int]:
    """Apply pending migrations; returns the versions applied now."""
    history = _history_model(database)
    database.create_tables([history], safe=True)
    done = {row.version for row in history.select()}
    migrator = SchemaMigrator.from_database(database)
    applied = []
    for module in _migration_modules():
        if module.VERSION in done:
            continue
        with database.atomic():
            module.apply(database, migrator)
            history.create(version=module.VERSION)
        log.info("applied migration %04d", module.VERSION)
        applied.append(module.VERSION)
    return applied

