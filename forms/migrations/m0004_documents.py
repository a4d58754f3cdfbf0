"""Migration 0004: what the documents need.

* ``case.refusal_clause``: which clause of 行政许可法 §32(1) a 不予受理决定书 rests on
  (``not_required`` 不需要取得行政许可, ``not_competent`` 不属于本机关职权范围, or empty
  for any other reason given in words).
* ``case.refusal_authority``: for ``not_competent``, the authority the applicant should
  apply to instead (§32(1)(2) asks the notice to name it).

Both nullable, so old cases keep printing as before.
"""
from __future__ import annotations

from peewee import CharField, TextField
from playhouse.migrate import migrate

VERSION = 4


def apply(database, migrator) -> None:
    columns = {c.name for c in database.get_columns("case")}
    if "refusal_clause" not in columns:
        migrate(migrator.add_column("case", "refusal_clause", CharField(max_length=16, null=True)))
    if "refusal_authority" not in columns:
        migrate(migrator.add_column("case", "refusal_authority", TextField(null=True)))
