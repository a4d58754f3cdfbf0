"""Figures for the statistics screen, as plain lists (no Tk)."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from forms import clock, queries
from forms.models import Case, CaseEvent
from forms.workflow import Status

PERIODS = {"近 7 天": 7, "近 30 天": 30, "近 365 天": 365, "全部": None}
DONE = (Status.DECIDED, Status.RESULT_RETURNED, Status.DELIVERED, Status.ARCHIVED)


def cases_in(window, days: int | None) -> list[Case]:
    """Cases received at the window in the last ``days`` days (None: all)."""
    q = queries.listed(Case.select()).where(Case.window == window)
    if days is not None:
        since = datetime.combine(clock.today() - timedelta(days=days - 1), time.min)
        q = q.where(Case.received_at >= since)
    return list(q)


def by_status(cases: list[Case]) -> list[tuple[str, int]]:
    counts = Counter(c.status for c in cases)
    return [(s.label, counts[s.value]) for s in Status if counts.get(s.value)]


def by_item(cases: list[Case], top: int = 8) -> list[tuple[str, int]]:
    counts = Counter(c.item.name for c in cases)
    return counts.most_common(top)


def by_partner(cases: list[Case], top: int = 8) -> list[tuple[str, int]]:
    return Counter(c.home.name for c in cases).most_common(top)


def per_day(cases: list[Case], days: int) -> list[tuple[str, int]]:
    """Cases received per day over the last ``days`` days, oldest first (labels MM-DD)."""
    today = clock.today()
    counts = Counter(c.received_at.date() for c in cases)
    return [((today - timedelta(days=i)).strftime("%m-%d"), counts.get(today - timedelta(days=i), 0))
            for i in range(days - 1, -1, -1)]


def deadlines(cases: list[Case]) -> list[tuple[str, int]]:
    """Accepted cases: decided on time, decided late, open and on time, open and overdue."""
    out = Counter()
    decided = _decided_at([c.id for c in cases if c.due_date and Status(c.status) in DONE])
    calendar = None
    for c in cases:
        if not c.due_date:
            continue
        if Status(c.status) in DONE:
            at = decided.get(c.id)
            day: date = at.date() if at else c.updated_at.date()
            out["按期办结" if day <= c.due_date else "超期办结"] += 1
        else:
            calendar = calendar or _calendar()
            left = queries.days_left(c, calendar)
            out["办理中·超期" if left is not None and left < 0 else "办理中·未超期"] += 1
    order = ("按期办结", "超期办结", "办理中·未超期", "办理中·超期")
    return [(k, out[k]) for k in order if out.get(k)]


def _calendar():
    from forms import deadlines as calendars
    return calendars.work_calendar()


def _decided_at(case_ids: list[int]) -> dict[int, datetime]:
    """When each case was last decided (办结), in a few queries instead of one per case."""
    out: dict[int, tuple[int, datetime]] = {}
    for i in range(0, len(case_ids), 500):
        q = (CaseEvent.select(CaseEvent.case, CaseEvent.seq, CaseEvent.at)
             .where(CaseEvent.case.in_(case_ids[i:i + 500]), CaseEvent.action == "decide"))
        for case_id, seq, at in q.tuples():
            if case_id not in out or seq > out[case_id][0]:
                out[case_id] = (seq, at)
    return {k: at for k, (_, at) in out.items()}
