"""Working-day deadlines with the window's own holiday table over chinese_calendar."""
from __future__ import annotations

from datetime import date

from forms.models import HolidayOverride, db_proxy
from forms.workdays import DayOverride, Deadline, WorkCalendar, load_overrides_file


def work_calendar() -> WorkCalendar:
    """The calendar in force: built-in data, the library, then the editable table on top."""
    overrides = []
    if db_proxy.obj is not None and db_proxy.obj.table_exists("holiday_override"):
        overrides = [DayOverride(day=o.day, kind=o.kind, name=o.name) for o in HolidayOverride.select()]
    return WorkCalendar(overrides=overrides)


def due_after(start: date, days: int) -> Deadline:
    """``days`` working days after ``start`` (start day not counted)."""
    return work_calendar().add_working_days(start, days)


def import_overrides(path, source: str = "") -> int:
    """Load a small holiday/workday file into the table (all-or-nothing); returns rows written."""
    rows = load_overrides_file(path)
    with db_proxy.obj.atomic():
        for o in rows:
            HolidayOverride.insert(day=o.day, kind=o.kind, name=o.name, source=source or str(path)) \
                .on_conflict(conflict_target=[HolidayOverride.day],
                             update={HolidayOverride.kind: o.kind, HolidayOverride.name: o.name}) \
                .execute()
    return len(rows)
