"""Documents for a case, written into the data folder and recorded for reprinting.

The GUI and ``main.py intake`` both call these: one way to make each document.
Builders run on whichever thread calls them (the GUI uses a worker thread).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from exports import casedoc
from forms import __version__, config
from forms.casework import absolute, case_folder, pages_of, record_document
from forms.errors import ExportError
from forms.models import Case, CaseMaterial, Clerk, Shipment, Window
from forms.ocrdata import OcrPage

WAYBILL_SIZES = ("100x150", "76x130", "a4")


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


def transmittal(case: Case, clerk: Clerk, tracking_number: str = "") -> Path:
    from exports.transmittal import build_transmittal
    doc = casedoc.case_doc(case, clerk, tracking_number=tracking_number)
    return _made(case, "transmittal", build_transmittal(doc, _out(case, f"{case.case_no}-流转单.pdf")))


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


def build_case_package(case: Case, clerk: Clerk, progress=None, cancel=None):
    """Searchable PDF (流转单 first), signed manifest and transfer zip; returns PackageResult."""
    from exports.package import PackageInfo, build_package
    from exports.signing import load_or_create_window_key
    materials = package_materials(case)
    if not materials:
        raise ExportError("办件还没有任何扫描页，不能打包")
    sheet = transmittal(case, clerk)
    key = load_or_create_window_key(config.sub_dir("keys"))
    info = PackageInfo(case_no=case.case_no, item_name=case.item.name, window_name=case.window.name,
                       home_name=case.home.name, software_version=__version__)
    result = build_package(info, sheet, materials, case_folder(case, "packages"), key,
                           progress=progress, cancel=cancel)
    result.transmittal_pdf = sheet     # the 流转单 printed on its own as well
    record_document(case, "package_pdf", result.pdf_path)
    record_document(case, "package_zip", result.zip_path)
    return result


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
