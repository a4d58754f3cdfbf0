"""Finding cases and describing them (CLI ``cases list`` / ``case show``, GUI search)."""
from __future__ import annotations

import re

from forms import clock, deadlines
from forms.models import Case, CaseEvent, CaseMaterial, Party, Shipment, CaseDocument
from forms.workflow import STATUS_LABELS, Status


def search_cases(text: str, limit: int = 200) -> list[Case]:
    """One box: case number, name, ID number, phone or tracking number (scanned or typed)."""
    key = re.sub(r"\s+", "", text or "").upper()
    if not key:
        return list(Case.select().order_by(Case.received_at.desc()).limit(limit))
    parties = Party.select(Party.id).where(
        (Party.name.contains(key)) | (Party.id_number == key) | (Party.phone == key))
    shipped = Shipment.select(Shipment.case).where(Shipment.tracking_number == key)
    q = Case.select().where(
        (Case.case_no == key) | (Case.case_no.contains(key)) | Case.applicant.in_(parties)
        | Case.agent.in_(parties) | Case.id.in_(shipped))
    return list(q.order_by(Case.received_at.desc()).limit(limit))


def case_row(case: Case) -> dict:
    return {
        "case_no": case.case_no, "status": case.status, "status_label": Status(case.status).label,
        "item": case.item.name, "item_code": case.item.code, "case_type": case.case_type,
        "applicant": case.applicant.name, "home": case.home.name,
        "received_at": case.received_at.isoformat(sep=" "),
        "due_date": case.due_date.isoformat() if case.due_date else None,
    }


def days_left(case: Case) -> int | None:
    """Working days from today to the committed deadline (negative: overdue)."""
    if not case.due_date:
        return None
    return deadlines.work_calendar().working_days_between(clock.today(), case.due_date)


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
