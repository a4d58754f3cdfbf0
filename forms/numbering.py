"""Case numbers: window code + date + sequence, unique across windows, never reused."""
from __future__ import annotations

from datetime import date

from peewee import IntegrityError

from forms.models import CaseNumberCounter, Window, db_proxy


def format_case_no(window_code: str, day: date, seq: int) -> str:
    return f"{window_code}-{day:%Y%m%d}-{seq:04d}"


def next_case_no(window: Window, day: date) -> str:
    """Reserve the next number for ``window`` on ``day``; call inside the case's transaction."""
    for _ in range(5):
        with db_proxy.obj.atomic():
            # The UPDATE takes the row (PostgreSQL) or database (SQLite) write lock,
            # so two clerks never read the same last_seq.
            n = (CaseNumberCounter.update(last_seq=CaseNumberCounter.last_seq + 1)
                 .where(CaseNumberCounter.window_code == window.code, CaseNumberCounter.day == day)
                 .execute())
            if n == 0:
                try:
                    with db_proxy.obj.atomic():
                        CaseNumberCounter.create(window_code=window.code, day=day, last_seq=1)
                except IntegrityError:
                    continue
            row = CaseNumberCounter.get(CaseNumberCounter.window_code == window.code,
                                        CaseNumberCounter.day == day)
            return format_case_no(window.code, day, row.last_seq)
    raise RuntimeError("could not reserve a case number")
