"""What the home board lists, as plain rows (no Tk): the same queries for the GUI and any report.

Each list is one indexed query with the names joined (queries.listed), so the board
costs the same on a hall's million cases as on a new database: HomeView.refresh runs
these on the Tk thread.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from peewee import fn

from forms import clock, deadlines, queries
from forms.models import Case
from forms.workflow import Status

ACTIVE_BEFORE_DECISION = (Status.ACCEPTED, Status.VERIFIED, Status.SCANNED, Status.PACKAGED,
                          Status.SHIPPED, Status.HOME_RECEIVED)
WAITING_HANDOVER = (Status.DECIDED, Status.RESULT_RETURNED)
DUE_SOON_DAYS = 2


def _values(states) -> list[str]:
    return [s.value for s in states]


def today_by_status(window, day: date | None = None) -> list[tuple[Status, int]]:
    """Cases received at ``window`` on ``day`` (default today), counted by their current state."""
    day = day or clock.today()
    start, end = datetime.combine(day, time.min), datetime.combine(day, time.max)
    q = (Case.select(Case.status, fn.COUNT(Case.id))
         .where(Case.window == window, Case.received_at.between(start, end)).group_by(Case.status))
    counts = dict(q.tuples())
    return [(s, counts.get(s.value, 0)) for s in Status if counts.get(s.value)]


def _row(case: Case, extra: str = "") -> dict:
    row = queries.case_row(case)
    row["note"] = extra
    return row


def _last_due_soon_day(calendar, today: date) -> date:
    """The last day D with at most DUE_SOON_DAYS working days in (today, D]."""
    day, count = today, 0
    while True:
        following = day + timedelta(days=1)
        count += calendar.is_working_day(following)
        if count > DUE_SOON_DAYS:
            return day
        day = following


def deadline_watch(window) -> list[dict]:
    """Accepted cases overdue or due within DUE_SOON_DAYS working days, most urgent first."""
    calendar = deadlines.work_calendar()
    today = clock.today()
    last = _last_due_soon_day(calendar, today)
    q = Case.select().where(Case.window == window, Case.status.in_(_values(ACTIVE_BEFORE_DECISION)),
                            Case.due_date.is_null(False), Case.due_date <= last)
    rows = []
    for row in queries.case_rows(q):
        left = calendar.working_days_between(today, date.fromisoformat(row["due_date"]))
        if left > DUE_SOON_DAYS:
            continue
        row["note"] = f"已超期 {-left} 个工作日" if left < 0 else ("今天到期" if left == 0 else f"还剩 {left} 个工作日")
        row["days_left"] = left
        rows.append(row)
    return sorted(rows, key=lambda r: r["days_left"])


def listed_where(*conditions):
    """Cases meeting ``conditions``, with the names case_row shows joined in."""
    return queries.listed(Case.select()).where(*conditions)


def _noted(rows: list[dict], note) -> list[dict]:
    for row in rows:
        row["note"] = note(row)
    return rows


def to_ship(window) -> list[dict]:
    """Packed cases waiting for their waybill (to be mailed today)."""
    q = Case.select().where(Case.window == window, Case.status == Status.PACKAGED.value)
    return _noted(queries.case_rows(q.order_by(Case.updated_at)), lambda r: "已打包，待寄出")


def in_progress_here(window) -> list[dict]:
    """Accepted but not yet packed: still needs verification, scanning or packing at the window."""
    states = (Status.RECEIVED, Status.ACCEPTED, Status.VERIFIED, Status.SCANNED)
    q = Case.select().where(Case.window == window, Case.status.in_(_values(states)))
    return _noted(queries.case_rows(q.order_by(Case.received_at)),
                  lambda r: f"待{_next_step(Status(r['status']))}")


def _next_step(s: Status) -> str:
    return {Status.RECEIVED: "受理", Status.ACCEPTED: "原件核验", Status.VERIFIED: "扫描",
            Status.SCANNED: "打包"}.get(s, "处理")


def results_waiting(window) -> list[dict]:
    """Results back from the home side, to be handed over or mailed to the applicant."""
    q = Case.select().where(Case.window == window, Case.status.in_(_values(WAITING_HANDOVER)))
    return _noted(queries.case_rows(q.order_by(Case.updated_at)),
                  lambda r: "待送达" if r["status"] == Status.DECIDED.value else "结果已寄回，待送达")


def in_correction(window) -> list[dict]:
    """Cases waiting for the applicant to bring what was missing (补正)."""
    q = listed_where(Case.window == window, Case.status == Status.CORRECTION.value)
    rows = []
    for c in q.order_by(Case.correction_due):
        note = f"补正期限 {c.correction_due.isoformat()}" if c.correction_due else "补正中"
        rows.append(_row(c, note))
    return rows
