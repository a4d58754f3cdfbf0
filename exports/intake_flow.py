"""One case through the window, start to waybill: the sequence both the CLI and tests run.

Page acquisition is passed in (``attach``), so exports/ stays independent of scanner/.
Each step is a service call that commits on its own: if a step fails, the case
stays in the last state reached, with every earlier document kept.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from exports import casefiles
from forms import cases, casework, clock
from forms.cases import MaterialInput
from forms.errors import InvalidInput
from forms.models import Case, Clerk
from forms.workflow import Status


@dataclass
class IntakeRequest:
    item: str
    case_type: str
    home: str
    applicant: dict
    agent: dict | None = None
    agent_authorization: str = ""
    materials: list[MaterialInput] = field(default_factory=list)
    files: dict[str, list[Path]] = field(default_factory=dict)   # material name -> page files
    delivery_method: str = "ems"
    delivery_address: str = ""
    tracking_number: str = ""
    weight_g: int = 0
    refuse_reason: str = ""
    waybill_size: str = "100x150"


@dataclass
class IntakeResult:
    case_no: str
    status: str
    status_label: str
    due_date: str | None
    missing: list[str]
    documents: dict[str, Path]
    warnings: list[str]


Attach = Callable[..., tuple[list, list]]


def run_intake(req: IntakeRequest, clerk: Clerk, attach: Attach, progress=None, cancel=None) -> IntakeResult:
    """Receive one case and take it as far as its materials allow."""
    if req.tracking_number:
        casework.check_tracking(req.tracking_number)   # a mistyped number stops us before anything is written
    for name, paths in req.files.items():
        for p in paths:
            if not Path(p).exists():
                raise InvalidInput(f"材料“{name}”的文件不存在：{p}")
    case, warnings = cases.receive_case(
        clerk, req.item, req.case_type, req.home, req.applicant, agent=req.agent,
        agent_authorization=req.agent_authorization, materials=req.materials,
        delivery_method=req.delivery_method, delivery_address=req.delivery_address)
    docs: dict[str, Path] = {}
    missing = [m.name for m in cases.missing_materials(case)]
    if req.refuse_reason:
        case = cases.refuse(case, clerk, req.refuse_reason)
        docs["refusal"] = casefiles.refusal_notice(case, clerk)
        return _result(case, missing, docs, warnings)
    if missing:
        case = cases.notify_missing(case, clerk)
        docs["notification"] = casefiles.correction_notice(case, clerk)
        return _result(case, missing, docs, warnings)
    case = cases.accept(case, clerk)
    docs["receipt"] = casefiles.acceptance_receipt(case, clerk)
    case = cases.complete_verification(case, clerk)
    unreadable: dict[str, list[str]] = {}
    for m in cases.checklist(case):
        paths = req.files.get(m.name) or []
        if m.state == "provided" and paths:
            pages, errors = attach(case, clerk, m.name, paths, progress=progress, cancel=cancel)
            warnings += [str(e) for e in errors]
            if not pages and errors:
                unreadable[m.name] = [str(e) for e in errors]
    if unreadable:
        # Say why a material has no page: the file, not just "no pages".
        raise InvalidInput("以下材料的文件无法读取，请重新扫描或更换文件后继续办理（办件 "
                           f"{case.case_no} 已受理并保存）：" + "；".join(
                               f"{name}：{'；'.join(errs)}" for name, errs in unreadable.items()))
    for page in case.pages:
        if page.ocr:
            warnings += page.ocr.get("warnings", [])
    case = casework.mark_scanned(case, clerk)
    result = casefiles.build_case_package(case, clerk, progress=progress, cancel=cancel)
    docs["transmittal"] = result.transmittal_pdf
    docs["package_pdf"], docs["package_zip"] = result.pdf_path, result.zip_path
    case = casework.mark_packaged(case, clerk, {"pages": result.pages, "bytes": result.bytes})
    if req.tracking_number:
        casework.ship(case, clerk, req.tracking_number, req.weight_g)
        case = Case.get_by_id(case.id)
        docs["waybill"] = casefiles.waybill(case, clerk, req.waybill_size)
        docs["dispatch_list"] = casefiles.dispatch_list(case.window, clock.today(), clerk.name)
    return _result(case, missing, docs, warnings)


def _result(case: Case, missing, docs, warnings) -> IntakeResult:
    case = Case.get_by_id(case.id)
    return IntakeResult(case_no=case.case_no, status=case.status, status_label=Status(case.status).label,
                        due_date=case.due_date.isoformat() if case.due_date else None, missing=missing,
                        documents=docs, warnings=list(dict.fromkeys(warnings)))
