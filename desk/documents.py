"""Documents for a case, written into the data folder and recorded for reprinting.

exports/ makes each document from plain data; this module fills that data from the
case, writes the file (atomically, 0600) and records it as a CaseDocument — inside
the caller's transaction when a desk action issues it, so a notice exists exactly
when the state change that needs it was saved. Any thread.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from exports import casedoc
from forms import __version__, config
from forms.storage import absolute, case_folder, pages_of, relative, sha256_file
from forms.errors import ExportError
from forms.models import Case, CaseDocument, CaseMaterial, Clerk, Shipment, Window
from forms.ocrdata import OcrPage

WAYBILL_SIZES = ("100x150", "76x130", "a4")


def record_document(case: Case, kind: str, path) -> CaseDocument:
    """Remember a generated document so it can be reprinted from the case."""
    path = Path(path)
    rel = relative(path) if str(path.resolve()).startswith(str(config.data_dir().resolve())) else str(path)
    return CaseDocument.create(case=case, kind=kind, file_path=rel, sha256=sha256_file(path))


def _out(case: Case, name: str) -> Path:
    return case_folder(case, "documents") / name


def _made(case: Case, kind: str, path: Path) -> Path:
    record_document(case, kind, path)
    return path


def correction_notice(case: Case, clerk: Clerk) -> Path:
    """一次性告知书 listing every missing or deficient material."""
    from exports.notices import build_correction_notice
    doc = casedoc.case_doc(case, clerk)
    return _made(case, "notification", build_correction_notice(doc, _out(case, f"{case.case_no}-一次性告知书.pdf")))


def acceptance_receipt(case: Case, clerk: Clerk) -> Path:
    """受理回执 for the applicant: case number, committed date, how the result comes."""
    from exports.notices import build_acceptance_receipt
    doc = casedoc.case_doc(case, clerk)
    return _made(case, "receipt", build_acceptance_receipt(doc, _out(case, f"{case.case_no}-受理回执.pdf")))


def acceptance_notice(case: Case, clerk: Clerk) -> Path:
    from exports.notices import build_acceptance_notice
    doc = casedoc.case_doc(case, clerk)
    return _made(case, "acceptance", build_acceptance_notice(doc, _out(case, f"{case.case_no}-受理通知书.pdf")))


def refusal_notice(case: Case, clerk: Clerk) -> Path:
    from exports.notices import build_refusal_notice
    doc = casedoc.case_doc(case, clerk)
    return _made(case, "refusal", build_refusal_notice(doc, _out(case, f"{case.case_no}-不予受理通知书.pdf")))


def transmittal(case: Case, clerk: Clerk, tracking_number: str = "", sent_on: date | None = None) -> Path:
    """流转单; with the EMS number and the date sent once 寄出 is registered (a file of its own,
    so the copy bound into the package keeps its recorded checksum)."""
    from exports.transmittal import build_transmittal
    doc = casedoc.case_doc(case, clerk, tracking_number=tracking_number)
    doc.issued_on = sent_on
    name = f"{case.case_no}-流转单-{tracking_number}.pdf" if tracking_number else f"{case.case_no}-流转单.pdf"
    return _made(case, "transmittal", build_transmittal(doc, _out(case, name)))


def package_materials(case: Case):
    """The case's pages grouped by material in catalog order, with 原件核验 marks."""
    from exports.package import PackageMaterial, PackagePage
    from exports.stamps import VerifiedMark
    out = []
    for m in case.materials.order_by(CaseMaterial.seq):
        pages = pages_of(m)
        if not pages:
            continue
        mark = None
        if m.original_verified_by_id and (m.requirement is None or m.requirement.form != "原件"):
            mark = VerifiedMark(item_name=case.item.name, clerk_name=m.original_verified_by.name,
                                verified_on=m.original_verified_at.date())
        out.append(PackageMaterial(name=m.name, pages=[
            PackagePage(image_path=absolute(p.file_path), ocr=OcrPage.from_dict(p.ocr) if p.ocr else None,
                        verified_mark=mark) for p in pages]))
    return out


def package_files(case: Case, clerk: Clerk, progress=None, cancel=None):
    """Searchable PDF (流转单 first), signed manifest and transfer zip, written but not yet recorded;
    returns exports.package.PackageResult with ``transmittal_pdf`` set (worker thread, seconds)."""
    from exports.package import PackageInfo, build_package
    from exports.signing import load_or_create_window_key
    from exports.transmittal import build_transmittal
    materials = package_materials(case)
    if not materials:
        raise ExportError("办件还没有任何扫描页，不能打包")
    sheet = build_transmittal(casedoc.case_doc(case, clerk), _out(case, f"{case.case_no}-流转单.pdf"))
    key = load_or_create_window_key(config.sub_dir("keys"))
    info = PackageInfo(case_no=case.case_no, item_name=case.item.name, window_name=case.window.name,
                       home_name=case.home.name, software_version=__version__)
    result = build_package(info, sheet, materials, case_folder(case, "packages"), key,
                           progress=progress, cancel=cancel)
    result.transmittal_pdf = sheet     # the 流转单 printed on its own as well
    return result


def record_package(case: Case, result) -> None:
    """Record what package_files wrote (inside the packaging action's transaction)."""
    record_document(case, "transmittal", result.transmittal_pdf)
    record_document(case, "package_pdf", result.pdf_path)
    record_document(case, "package_zip", result.zip_path)


BUILDERS = {
    "notification": correction_notice, "receipt": acceptance_receipt, "acceptance": acceptance_notice,
    "refusal": refusal_notice, "transmittal": transmittal,
}


def issue(clerk: Clerk, case_no: str, kind: str) -> Path:
    """Make (again) one of the case's documents and record it: the window's 预览 / 重新生成."""
    from desk import tx
    from desk.reception import case_by_no
    if kind not in BUILDERS:
        raise ExportError(f"未知文书类型“{kind}”")
    case = case_by_no(case_no)
    with tx.action():
        return BUILDERS[kind](tx.locked_case(case.id), clerk)


def waybill(case: Case, clerk: Clerk, size: str = "100x150", tracking_number: str = "",
            weight_g: int | None = None) -> Path:
    """EMS label for the parcel to the home window; the tracking number is checked first."""
    from exports.waybill import build_waybill
    if size not in WAYBILL_SIZES:
        raise ExportError(f"面单尺寸应为 {'、'.join(WAYBILL_SIZES)} 之一")
    out = case.shipments.where(Shipment.direction == "out").order_by(Shipment.id.desc()).first()
    number = tracking_number or (out.tracking_number if out else "")
    if not number:
        raise ExportError("请先录入或扫描 EMS 邮件号")
    weight = weight_g if weight_g is not None else (out.weight_g if out else 0)
    doc = casedoc.case_doc(case, clerk, tracking_number=number)
    path = build_waybill(doc, number, _out(case, f"{case.case_no}-面单-{size}.pdf"), label=size,
                         weight_g=weight, shipped_on=out.shipped_at.date() if out else None)
    return _made(case, "waybill", path)


def dispatch_list(window: Window, day: date, clerk_name: str = "") -> Path:
    """交寄清单 of every package this window shipped on ``day``."""
    from exports.dispatch import build_dispatch_list
    rows = casedoc.dispatch_rows(window, day)
    folder = config.sub_dir("dispatch")
    return build_dispatch_list(casedoc.window_info(window), day, rows, folder / f"交寄清单-{day:%Y%m%d}.pdf",
                               clerk_name=clerk_name)
