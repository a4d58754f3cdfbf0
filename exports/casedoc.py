"""Fill the documents' plain data (exports.docmodel) from a case in the database."""
from __future__ import annotations

from datetime import date

from exports.docmodel import CaseDoc, DispatchRow, MaterialLine, PartnerInfo, PartyInfo, WindowInfo
from forms import materials as mat
from forms.storage import pages_of
from forms.models import Case, CaseMaterial, Clerk, Partner, Party, Shipment, Window

LEGAL_BASIS_CORRECTION = "《中华人民共和国行政许可法》第三十二条"


def window_info(w: Window) -> WindowInfo:
    return WindowInfo(name=w.name, address=w.address, postcode=w.postcode, phone=w.phone,
                      region=w.region_code)


def partner_info(p: Partner) -> PartnerInfo:
    return PartnerInfo(name=p.name, receiving_window=p.receiving_window, department=p.department,
                       address=p.address, postcode=p.postcode, contact=p.contact, phone=p.phone)


def party_info(p: Party | None) -> PartyInfo | None:
    if p is None:
        return None
    return PartyInfo(name=p.name, kind=p.kind, id_type=p.id_type, id_number=p.id_number,
                     phone=p.phone, address=p.address, legal_rep=p.legal_rep)


def requirement_text(req) -> str:
    """The catalog's requirement for one material (审查要点), as the 告知书 prints it."""
    if req is None:
        return ""
    parts = [f"{req.form}{req.copies}份"]
    if req.verify_original and req.form != "原件":
        parts.append("须交验原件")
    if req.forward_original:
        parts.append("原件随件寄递")
    if req.e_license_ok:
        parts.append("可用电子证照代替")
    if req.condition:
        parts.append(f"适用情形：{req.condition}")
    if (req.note or "").strip():
        parts.append(req.note.strip().rstrip("。；;"))
    return "；".join(parts)


def material_line(m: CaseMaterial, item_basis: str = "") -> MaterialLine:
    req = m.requirement
    provided = m.state in ("provided", "e_license")
    reason = ""
    if m.state == "missing":
        reason = ""          # the requirement is printed from the catalog; a clerk's note follows it
    elif m.state == "deficient":
        reason = m.reason or "不符合要求"
    elif m.state == "rongque":
        reason = m.reason or "容缺受理，须在材料寄出前补齐"
    return MaterialLine(
        name=m.name, form=req.form if req else "复印件", copies=m.copies, pages=len(pages_of(m)),
        provided=provided, missing_reason=reason or (m.reason if m.state == "missing" else ""), legal_basis="",
        verified_by=m.original_verified_by.name if m.original_verified_by_id else "",
        verified_at=m.original_verified_at, original_enclosed=mat.original_enclosed(m),
        required=(m.state != "not_needed") and bool(req is None or req.required or m.state == "missing"),
        condition=(req.condition or "") if req else "", requirement=requirement_text(req),
        deficient=m.state == "deficient")


def case_doc(case: Case, clerk: Clerk | None = None, tracking_number: str = "") -> CaseDoc:
    """Everything the notices, receipt, transmittal and waybill print for ``case``."""
    item = case.item
    materials = [material_line(m) for m in case.materials.order_by(CaseMaterial.seq)
                 if m.state != "not_needed"]
    if not tracking_number:
        out = case.shipments.where(Shipment.direction == "out").order_by(Shipment.id.desc()).first()
        tracking_number = out.tracking_number if out else ""
    return CaseDoc(
        case_no=case.case_no, item_code=item.code, item_name=item.name, case_type=case.case_type,
        department=case.home.department or item.department, applicant=party_info(case.applicant),
        window=window_info(case.window), home=partner_info(case.home),
        clerk_name=(clerk or case.created_by).name, received_at=case.received_at,
        agent=party_info(case.agent), agent_authorization=case.agent_authorization, materials=materials,
        scope=item.scope, item_basis=item.basis, promised_days=item.promised_days, legal_days=item.legal_days,
        due_date=case.due_date, legal_due_date=case.legal_due_date, delivery_method=case.delivery_method,
        delivery_address=case.delivery_address, correction_deadline=case.correction_due,
        refusal_reason=case.refusal_reason, refusal_clause=case.refusal_clause or "",
        refusal_authority=case.refusal_authority or "", tracking_number=tracking_number)


def contents_text(case: Case) -> str:
    ms = [m for m in case.materials if m.state in ("provided",)]
    originals = sum(1 for m in ms if mat.original_enclosed(m))
    return f"材料 {len(ms)} 份，原件 {originals} 份"


def dispatch_rows(window: Window, day: date) -> list[DispatchRow]:
    """Every package this window shipped on ``day``, in shipping order."""
    rows = []
    q = (Shipment.select().join(Case).where(Case.window == window, Shipment.direction == "out")
         .order_by(Shipment.shipped_at, Shipment.id))
    for s in q:
        if s.shipped_at.date() != day:
            continue
        c = s.case
        rows.append(DispatchRow(case_no=c.case_no, tracking_number=s.tracking_number,
                                recipient=c.home.receiving_window or c.home.name, contents=contents_text(c),
                                weight_g=s.weight_g, recipient_region=c.home.name))
    return rows
