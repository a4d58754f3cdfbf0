"""Steps 5–6: build the package, register the parcel (寄出) with its waybill, the day's 交寄清单.

The package takes seconds to build, so its files are written first and recorded in one
short transaction that also checks nothing changed meanwhile. Worker thread.
"""
from __future__ import annotations

from datetime import date

from peewee import IntegrityError

from forms import clock, identifiers, materials as mat, workflow
from forms.errors import InvalidIdentifier, InvalidInput
from forms.models import CaseMaterial, Clerk, Page, Shipment, Window
from forms.workflow import Right

from desk import documents, tx
from desk.inputs import check_weight
from desk.reception import case_by_no
from desk.results import PackagedResult, ShipmentResult


def _pages_snapshot(case) -> list[tuple]:
    return [(p.id, p.sha256, p.material_id, p.seq) for p in Page.select().where(Page.case == case).order_by(Page.id)]


def build_package(clerk: Clerk, case_no: str, progress=None, cancel=None) -> PackagedResult:
    """打包: 流转单 + searchable PDF + signed manifest and zip; the case moves to 打包."""
    case = case_by_no(case_no)
    workflow.require_right(clerk, Right.RECEIVE, case.home, "打包")
    workflow.precheck(case, "package", clerk)
    before = _pages_snapshot(case)
    result = documents.package_files(case, clerk, progress=progress, cancel=cancel)
    with tx.action():
        case = tx.locked_case(case.id)
        if _pages_snapshot(case) != before:
            raise InvalidInput("打包期间页面有改动，请重新打包")
        workflow.perform(case, "package", clerk, {"pages": result.pages, "bytes": result.bytes})
        documents.record_package(case, result)
    return PackagedResult(case_no=case.case_no, pdf_path=result.pdf_path, zip_path=result.zip_path,
                          transmittal_pdf=result.transmittal_pdf, pages=result.pages, bytes=result.bytes,
                          fingerprint=result.fingerprint)


def check_tracking(number: str) -> str:
    """The normalised S10 number, or InvalidIdentifier with the reason."""
    result = identifiers.check((number or "")[:64], "tracking")
    if not result.valid:
        raise InvalidIdentifier(f"邮件号 {(number or '')[:32]}：{result.error}")
    return result.normalized


def check_unused(number: str) -> None:
    """A tracking number belongs to one parcel."""
    used = Shipment.get_or_none(Shipment.tracking_number == number)
    if used is not None:
        raise InvalidInput(f"邮件号 {number} 已用于办件 {used.case.case_no}，一个邮件号只能对应一个邮件；"
                           "请核对面单后重新扫描")


def register_parcel(clerk: Clerk, case_no: str, tracking_number: str, weight_g: int = 0,
                    waybill_size: str = "100x150") -> ShipmentResult:
    """寄出 to the home window: number checked (format, check digit, country, unused) before
    anything is written; the shipment, the event and the waybill are saved together."""
    number = check_tracking(tracking_number)
    weight = check_weight(weight_g)
    if waybill_size not in documents.WAYBILL_SIZES:
        raise InvalidInput(f"面单尺寸应为 {'、'.join(documents.WAYBILL_SIZES)} 之一")
    case = case_by_no(case_no)
    workflow.precheck(case, "ship", clerk)
    check_unused(number)
    holder = {}

    def apply(c):
        originals = sum(1 for m in CaseMaterial.select().where(CaseMaterial.case == c) if mat.original_enclosed(m))
        holder["shipment"] = Shipment.create(case=c, direction="out", tracking_number=number, weight_g=weight,
                                             originals=originals, shipped_at=clock.now())
    try:
        with tx.action():
            check_unused(number)
            c = workflow.perform(tx.locked_case(case.id), "ship", clerk,
                                 {"tracking_number": number, "weight_g": weight}, apply=apply)
            label = documents.waybill(c, clerk, size=waybill_size, tracking_number=number, weight_g=weight)
            # The package's 流转单 was made before the number existed; the one that goes on top
            # of the parcel is made now and prints the number and the date sent.
            sheet = documents.transmittal(c, clerk, tracking_number=number, sent_on=clock.today())
    except IntegrityError as e:           # another window took the number a moment ago
        raise InvalidInput(f"邮件号 {number} 刚被另一个窗口使用，一个邮件号只能对应一个邮件") from e
    return ShipmentResult(case_no=case.case_no, tracking_number=number, weight_g=weight, waybill=label,
                          transmittal=sheet)


def reprint_waybill(clerk: Clerk, case_no: str, size: str = "100x150") -> ShipmentResult:
    """The label again (another size, a jammed printer): same number, recorded again."""
    case = case_by_no(case_no)
    out = case.shipments.where(Shipment.direction == "out").order_by(Shipment.id.desc()).first()
    if out is None:
        raise InvalidInput("请先录入或扫描 EMS 邮件号")
    with tx.action():
        label = documents.waybill(tx.locked_case(case.id), clerk, size=size)
    return ShipmentResult(case_no=case.case_no, tracking_number=out.tracking_number, weight_g=out.weight_g,
                          waybill=label)


def dispatch_list(clerk: Clerk, window: Window | None = None, day: date | None = None):
    """交寄清单 of every parcel this window shipped on ``day`` (default today); returns its path."""
    return documents.dispatch_list(window or clerk.window, day or clock.today(), clerk.name)
