"""Migration 0002: what the desk needs.

* ``case.intake_key`` (unique, nullable): an intake run again after a failure finds the
  case it made instead of making a second one.
* ``shipment.tracking_number`` unique: one tracking number, one parcel. A database that
  already holds a repeated number keeps its plain index (the desk refuses new repeats
  either way) and the repeats are logged so an administrator can correct them.
"""
from __future__ import annotations

import logging

from peewee import CharField
from playhouse.migrate import migrate

VERSION = 2
log = logging.getLogger(__name__)


def apply(database, migrator) -> None:
    columns = {c.name for c in database.get_columns("case")}
    if "intake_key" not in columns:
        migrate(migrator.add_column("case", "intake_key", CharField(max_length=64, null=True)))
        migrate(migrator.add_index("case", ("intake_key",), True))
    repeated = database.execute_sql(
        "SELECT tracking_number, COUNT(*) FROM shipment GROUP BY tracking_number HAVING COUNT(*) > 1"
    ).fetchall()
    if repeated:
        log.warning("shipment.tracking_number kept non-unique: %d number(s) used more than once: %s",
                    len(repeated), ", ".join(r[0] for r in repeated[:20]))
        return
    indexes = {i.name for i in database.get_indexes("shipment")}
    if "shipment_tracking_number" in indexes:
        migrate(migrator.drop_index("shipment", "shipment_tracking_number"))
    migrate(migrator.add_index("shipment", ("tracking_number",), True))
