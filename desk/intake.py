"""One case through the window from an intake description, start to waybill (``main.py intake``).

Composed of the same desk actions the window calls, after every check that can be made
before anything is saved: the case's inputs, the tracking number (format and unused),
and each page file (exists, readable, an image or PDF, sane size, decodes). A refused
intake leaves no case behind. An intake that stops later (a page that cannot be read)
keeps its case, and running the same intake again continues that case instead of making
a second one: the case remembers the intake's key (a hash of its description).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from forms import clock, materials as mat
from forms.errors import ImageError, InvalidInput
from forms.models import Case, Clerk, Page
from forms.workflow import Status

from desk import pages, reception, shipping
from desk.inputs import NewCase, check_new_case, check_weight
from desk.results import case_result

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_PDF_PAGES = 500


@dataclass(frozen=True)
class IntakeRequest:
    case: NewCase
    files: dict[str, tuple[Path, ...]] = field(default_factory=dict)   # material name -> page files
    tracking_number: str = ""
    weight_g: int = 0
    refuse_reason: str = ""
    waybill_size: str = "100x150"


@dataclass(frozen=True)
class IntakeResult:
    case_no: str
    status: str
    status_label: str
    due_date: str | None
    missing: tuple[str, ...]
    documents: dict[str, Path]
    warnings: tuple[str, ...]
    resumed: bool = False


def intake_key(description: dict) -> str:
    """Identifies one intake: the same description gives the same key."""
    canonical = json.dumps(description, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:64]


def check_file(path: Path, material: str) -> None:
    """The file can become pages: exists, readable, an image or PDF of sane size that decodes."""
    from scanner import imageio
    try:
        if path.is_file():
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise ImageError(file=path.name, reason=f"文件过大（{size // (1024 * 1024)} MB，上限 "
                                                        f"{MAX_FILE_BYTES // (1024 * 1024)} MB）")
            with open(path, "rb") as f:
                if b"%PDF-" in f.read(1024):
                    return _check_pdf(path)
        for _ in imageio.load_pages(path):     # names the reason: missing, folder, type, empty, broken
            pass
    except ImageError as e:
        raise InvalidInput(f"材料“{material}”的文件无法使用：{e}（未建件，请更换文件后重新办理）") from e
    except OSError as e:
        raise InvalidInput(f"材料“{material}”的文件 {path.name} 无法读取（{e.strerror or e}），未建件") from e


def _check_pdf(path: Path) -> None:
    from scanner import imageio
    import pypdfium2
    if not imageio.looks_complete(path):
        raise ImageError(file=path.name, reason=imageio.INCOMPLETE)
    try:
        doc = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as e:
        raise ImageError(file=path.name, reason="PDF 文件无法打开（已损坏或已加密）") from e
    try:
        n = len(doc)
    finally:
        doc.close()
    if n == 0:
        raise ImageError(file=path.name, reason="PDF 中没有任何页面")
    if n > MAX_PDF_PAGES:
        raise ImageError(file=path.name, reason=f"PDF 有 {n} 页，超过一个材料 {MAX_PDF_PAGES} 页的上限")


def check_request(req: IntakeRequest) -> None:
    """Everything that can be checked before the case is saved (writes nothing)."""
    checked = check_new_case(req.case)
    if req.tracking_number:
        shipping.check_unused(shipping.check_tracking(req.tracking_number))
    check_weight(req.weight_g)
    for name, paths in req.files.items():
        if not paths:
            continue
        state = checked.states.get(name)
        if state is None:
            raise InvalidInput(f"“{checked.item.name}”的材料清单中没有：{name[:60]}")
        if state not in mat.HAS_PAPER:
            raise InvalidInput(f"材料“{name}”标为{mat.MATERIAL_STATES[state]}，却附有文件；"
                               "请标为已提供或去掉文件")
        for p in paths:
            check_file(Path(p), name)


def run_intake(clerk: Clerk, req: IntakeRequest, progress=None, cancel=None) -> IntakeResult:
    """Receive one case and take it as far as its materials allow (worker thread; OCR takes seconds)."""
    existing = reception.existing_intake(req.case.intake_key)
    if existing is None:
        check_request(req)
        received = reception.receive(clerk, req.case)
        case_no, warnings = received.case_no, list(received.warnings)
    else:
        case_no = existing.case_no
        warnings = [f"这份收件已于 {existing.received_at:%Y-%m-%d %H:%M} 建件（办件 {case_no}），"
                    "本次接着办理，未重复建件"]
    docs: dict[str, Path] = {}
    case = reception.case_by_no(case_no)
    missing = [m.name for m in mat.missing_materials(case)]
    status = Status(case.status)
    if req.refuse_reason and status in (Status.RECEIVED, Status.CORRECTION):
        docs.update(reception.refuse(clerk, case_no, req.refuse_reason).documents)
        return _result(case_no, missing, docs, warnings, existing)
    if status == Status.RECEIVED and missing:
        docs.update(reception.notify(clerk, case_no).documents)
        return _result(case_no, missing, docs, warnings, existing)
    if status == Status.RECEIVED:
        docs.update(reception.accept(clerk, case_no).documents)
        status = Status.ACCEPTED
    if status == Status.ACCEPTED:
        reception.complete_verification(clerk, case_no)
        status = Status.VERIFIED
    if status == Status.VERIFIED:
        warnings += _attach_all(clerk, case_no, req, progress, cancel)
        pages.finish_scanning(clerk, case_no)
        status = Status.SCANNED
    if status == Status.SCANNED:
        docs.update(shipping.build_package(clerk, case_no, progress=progress, cancel=cancel).documents)
        status = Status.PACKAGED
    if status == Status.PACKAGED and req.tracking_number:
        shipped = shipping.register_parcel(clerk, case_no, req.tracking_number, req.weight_g, req.waybill_size)
        docs["waybill"] = shipped.waybill
        docs["transmittal"] = shipped.transmittal
        docs["dispatch_list"] = shipping.dispatch_list(clerk, day=clock.today())
    return _result(case_no, missing, docs, warnings, existing)


def _attach_all(clerk: Clerk, case_no: str, req: IntakeRequest, progress, cancel) -> list[str]:
    """Pages for each provided material that has none yet (so a second run does not add them twice)."""
    warnings, unreadable = [], {}
    case = reception.case_by_no(case_no)
    for m in mat.checklist(case):
        paths = req.files.get(m.name) or ()
        if m.state not in mat.HAS_PAPER or not paths or Page.select().where(Page.material == m).exists():
            continue
        stored, errors = pages.attach_files(clerk, case_no, m.name, paths, progress=progress, cancel=cancel)
        warnings += [str(e) for e in errors]
        for p in stored:
            warnings += list(p.warnings)
        if not stored and errors:
            unreadable[m.name] = [str(e) for e in errors]
    if unreadable:
        # Say why a material has no page: the file, not just "no pages".
        raise InvalidInput("以下材料的文件无法读取，请重新扫描或更换文件后再次运行同一收件（办件 "
                           f"{case_no} 已受理并保存，不会重复建件）：" + "；".join(
                               f"{name}：{'；'.join(errs)}" for name, errs in unreadable.items()))
    return warnings


def _result(case_no: str, missing, docs, warnings, existing) -> IntakeResult:
    r = case_result(Case.get(Case.case_no == case_no))
    return IntakeResult(case_no=r.case_no, status=r.status, status_label=r.status_label,
                        due_date=r.due_date.isoformat() if r.due_date else None, missing=tuple(missing),
                        documents=docs, warnings=tuple(dict.fromkeys(warnings)), resumed=existing is not None)

