"""Finding cases and describing them (CLI ``cases list`` / ``case show``, GUI search).

Every search goes through an index, on a hall's million cases as on a test's ten: exact
keys (case number, ID number, phone, tracking number) through their B-tree indexes,
the start of a name or case number through a range of the same indexes, and a
substring of three characters or more through the trigram indexes of migration 0003
(SQLite FTS5 ``trigram`` tables, PostgreSQL ``pg_trgm``). A shorter piece inside a
name is not looked for: every row would have to be read. Any thread with a
connection may call these.
"""
from __future__ import annotations

import re

from peewee import OP, SQL, Expression, NodeList, SqliteDatabase, fn

from forms import clock, deadlines
from forms.models import (Case, CaseDocument, CaseEvent, CaseMaterial, Page, Partner, Party,
                          ServiceItem, Shipment, db_proxy)
from forms.workflow import STATUS_LABELS, Status

TRIGRAM = 3                  # trigram indexes find substrings of at least this many characters
_PER_SOURCE = 2000           # candidates taken from any one index, newest first
_TOP = "\U0010ffff"          # sorts after every character: "key" <= name < "key" + _TOP is a prefix
_CHUNK = 500                 # ids per IN (...) list


def listed(query):
    """``query`` (over Case) with its item, home and applicant joined: case_row needs no more queries."""
    applicant = Party.alias()
    return (query.select_extend(ServiceItem, Partner, applicant)
            .join_from(Case, ServiceItem, on=(Case.item == ServiceItem.id))
            .join_from(Case, Partner, on=(Case.home == Partner.id))
            .join_from(Case, applicant, on=(Case.applicant == applicant.id)))


def search_cases(text: str, limit: int = 200) -> list[Case]:
    """One box: case number, name, ID number, phone or tracking number (scanned or typed); newest first."""
    raw = re.sub(r"\s+", "", text or "")
    if not raw:
        return list(listed(Case.select()).order_by(Case.received_at.desc()).limit(limit))
    ids = _case_ids(raw, raw.upper(), limit)
    return _newest(ids, limit)


def search_text(text: str, limit: int = 50) -> list[Case]:
    """Cases with an OCR'd page holding every word of ``text`` (Chinese needs no spaces); newest first."""
    words = [w for w in (text or "").split() if w]
    if not words:
        return []
    if _sqlite() and "page_text_fts" in _fts_tables() and all(len(w) >= TRIGRAM for w in words):
        pages = _rows("SELECT rowid FROM page_text_fts WHERE page_text_fts MATCH ? "
                      "ORDER BY rowid DESC LIMIT ?", (" ".join(map(_phrase, words)), 4 * limit))
        case_ids = _ids(Page.select(Page.case).where(Page.id.in_(pages))) if pages else []
    else:
        q = Page.select(Page.case).where(Page.ocr.is_null(False))
        for w in words:
            q = q.where(_page_text_holds(w))
        case_ids = _ids(q.order_by(Page.id.desc()).limit(4 * limit))
    return _newest(set(case_ids), limit)


def _sqlite() -> bool:
    return isinstance(db_proxy.obj, SqliteDatabase)


def _fts_tables() -> set[str]:
    """The trigram tables migration 0003 could make on this SQLite (none on an SQLite without FTS5)."""
    rows = db_proxy.obj.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN "
        "('party_name_fts', 'case_no_fts', 'page_text_fts')").fetchall()
    return {r[0] for r in rows}


def _rows(sql: str, params) -> list:
    return [r[0] for r in db_proxy.obj.execute_sql(sql, params).fetchall()]


def _ids(query) -> list:
    return [r[0] for r in query.tuples()]


def _phrase(word: str) -> str:
    """An FTS5 phrase: with the trigram tokenizer, the word as a substring."""
    return '"' + word.replace('"', '""') + '"'


def _page_text_holds(word: str):
    if _sqlite():
        return fn.instr(fn.json_extract(Page.ocr, "$.text"), word) > 0
    # The expression of migration 0003's pg_trgm index, so that the index serves it.
    return _holds(NodeList((Page.ocr.cast("jsonb"), SQL("->> 'text'")), parens=True), word)


def _holds(expr, word: str):
    """``expr ILIKE '%word%'`` with the word's own % and _ taken literally (PostgreSQL)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Expression(expr, OP.ILIKE, f"%{escaped}%")


def _starts_with(field, key: str):
    if _sqlite():
        return (field >= key) & (field < key + _TOP)
    return field.startswith(key)


def _infix(table: str, field, key: str) -> list[int]:
    """Row ids whose ``column`` holds ``key`` (at least TRIGRAM characters), newest first."""
    if _sqlite():
        fts = f"{table}_fts"
        if fts not in _fts_tables():
            return []
        return _rows(f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY rowid DESC LIMIT ?",
                     (_phrase(key), _PER_SOURCE))
    model = field.model
    return _ids(model.select(model.id).where(_holds(field, key)).order_by(model.id.desc())
                .limit(_PER_SOURCE))


def _party_ids(raw: str, key: str) -> set[int]:
    found = set(_ids(Party.select(Party.id).where((Party.id_number == key) | (Party.phone == key))))
    if raw != key:
        found.update(_ids(Party.select(Party.id).where(Party.id_number == raw)))
    found.update(_ids(Party.select(Party.id).where(_starts_with(Party.name, raw)).limit(_PER_SOURCE)))
    if len(raw) >= TRIGRAM:
        found.update(_infix("party_name", Party.name, raw))
    return found


def _case_ids(raw: str, key: str, limit: int) -> set[int]:
    found = set(_ids(Case.select(Case.id).where(_starts_with(Case.case_no, key))
                     .order_by(Case.case_no.desc()).limit(limit)))
    if len(key) >= TRIGRAM:
        found.update(_infix("case_no", Case.case_no, key))
    found.update(_ids(Shipment.select(Shipment.case).where(Shipment.tracking_number == key)))
    parties = sorted(_party_ids(raw, key))
    for i in range(0, len(parties), _CHUNK):
        chunk = parties[i:i + _CHUNK]
        # Two statements: each is one index, where an OR of both could make SQLite read the table.
        found.update(_ids(Case.select(Case.id).where(Case.applicant.in_(chunk))))
        found.update(_ids(Case.select(Case.id).where(Case.agent.in_(chunk))))
    return found


def _newest(ids, limit: int) -> list[Case]:
    """The cases with these ids, newest received first, at most ``limit``."""
    ids = sorted(ids)
    if not ids:
        return []
    if len(ids) > limit:
        dated = []
        for i in range(0, len(ids), _CHUNK):
            dated.extend(Case.select(Case.id, Case.received_at).where(Case.id.in_(ids[i:i + _CHUNK])).tuples())
        ids = sorted(i for i, _ in sorted(dated, key=lambda r: (r[1], r[0]), reverse=True)[:limit])
    return list(listed(Case.select().where(Case.id.in_(ids))).order_by(Case.received_at.desc(),
                                                                         Case.id.desc()))


def case_row(case: Case) -> dict:
    return _row(case.case_no, case.status, case.item.name, case.item.code, case.case_type,
                case.applicant.name, case.home.name, case.received_at, case.due_date)


def case_rows(query) -> list[dict]:
    """case_row of every case ``query`` (over Case) finds, read as plain tuples (lists of hundreds)."""
    applicant = Party.alias()
    q = (query.select(Case.case_no, Case.status, ServiceItem.name, ServiceItem.code, Case.case_type,
                      applicant.name, Partner.name, Case.received_at, Case.due_date)
         .join_from(Case, ServiceItem, on=(Case.item == ServiceItem.id))
         .join_from(Case, Partner, on=(Case.home == Partner.id))
         .join_from(Case, applicant, on=(Case.applicant == applicant.id)))
    return [_row(*values) for values in q.tuples()]


def _row(case_no, status, item, item_code, case_type, applicant, home, received_at, due_date) -> dict:
    return {
        "case_no": case_no, "status": status, "status_label": Status(status).label,
        "item": item, "item_code": item_code, "case_type": case_type,
        "applicant": applicant, "home": home,
        "received_at": received_at.isoformat(sep=" "),
        "due_date": due_date.isoformat() if due_date else None,
    }


def days_left(case: Case, calendar=None) -> int | None:
    """Working days from today to the committed deadline (negative: overdue).

    ``calendar`` (deadlines.work_calendar()) saves reading the holiday table again when
    many cases are counted at once.
    """
    if not case.due_date:
        return None
    calendar = calendar or deadlines.work_calendar()
    return calendar.working_days_between(clock.today(), case.due_date)


def case_detail(case: Case) -> dict:
    from forms.identifiers import mask_id
    row = case_row(case)

    def party(p):
        if p is None:
            return None
        return {"kind": p.kind, "name": p.name, "id_type": p.id_type, "id_number": mask_id(p.id_number),
                "phone": p.phone, "address": p.address}
    row.update({
        "item_version": case.item.version, "applicant": party(case.applicant), "agent": party(case.agent),
        "agent_authorization": case.agent_authorization, "outcome": case.outcome,
        "delivery_method": case.delivery_method,
        "legal_due_date": case.legal_due_date.isoformat() if case.legal_due_date else None,
        "correction_due": case.correction_due.isoformat() if case.correction_due else None,
        "deadline_warning": case.deadline_warning, "days_left": days_left(case),
        "materials": [{
            "name": m.name, "state": m.state, "reason": m.reason, "copies": m.copies,
            "original_verified_by": m.original_verified_by.name if m.original_verified_by_id else None,
            "original_verified_at": m.original_verified_at.isoformat(sep=" ") if m.original_verified_at else None,
            "original_enclosed": m.original_enclosed, "pages": m.pages.count(),
        } for m in case.materials.order_by(CaseMaterial.seq)],
        "shipments": [{"direction": s.direction, "tracking_number": s.tracking_number,
                       "shipped_at": s.shipped_at.isoformat(sep=" ")} for s in case.shipments],
        "documents": [{"kind": d.kind, "file": d.file_path} for d in case.documents.order_by(CaseDocument.id)],
        "events": [{"seq": e.seq, "at": e.at.isoformat(sep=" "), "clerk": e.clerk.name if e.clerk_id else "",
                    "action": e.action, "from": e.from_status, "to": e.to_status, "details": e.details}
                   for e in case.events.order_by(CaseEvent.seq)],
    })
    return row


def status_label(code: str) -> str:
    try:
        return STATUS_LABELS[Status(code)]
    except ValueError:
        return code
