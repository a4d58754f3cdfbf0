"""After acceptance: pages, packaging, shipping, the home side, delivery, archive."""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from forms import clock, config, identifiers, workflow
from forms.errors import InvalidIdentifier, InvalidInput, NotFound
from forms.models import Case, CaseDocument, CaseMaterial, Clerk, Page, Shipment, db_proxy
from forms.workflow import Status

OUTCOMES = {"approved": "准予", "rejected": "不予批准"}
_PAGE_STATES = (Status.RECEIVED, Status.CORRECTION, Status.ACCEPTED, Status.VERIFIED, Status.SCANNED)


def sha256_file(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def case_folder(case: Case, kind: str) -> Path:
    """Per-case folder under the data folder: pages/, documents/ ..."""
    path = config.sub_dir(kind) / case.case_no
    path.mkdir(parents=True, exist_ok=True)
    return path


def relative(path: Path) -> str:
    return str(Path(path).resolve().relative_to(config.data_dir().resolve()))


def absolute(rel: str) -> Path:
    return config.data_dir() / rel


def add_page(case: Case, clerk: Clerk, image_path, material_name: str | None, ocr: dict | None = None,
             width: int = 0, height: int = 0, dpi: int = 300, blank: bool = False, source: str = "") -> Page:
    """Copy a cleaned page image into the case's folder and attach it to a material."""
    if Status(case.status) not in _PAGE_STATES:
        raise InvalidInput(f"办件已{Status(case.status).label}，不能再添加页面")
    material = None
    if material_name:
        material = CaseMaterial.get_or_none(CaseMaterial.case == case, CaseMaterial.name == material_name)
        if material is None:
            raise NotFound(f"材料“{material_name}”")
    src = Path(image_path)
    with db_proxy.obj.atomic():
        last = Page.select(Page.seq).where(Page.case == case).order_by(Page.seq.desc()).first()
        seq = (last.seq + 1) if last else 1
        dest = case_folder(case, "pages") / f"page-{seq:04d}{src.suffix.lower() or '.png'}"
        tmp = dest.with_suffix(dest.suffix + ".part")
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
        page = Page.create(case=case, material=material, seq=seq, file_path=relative(dest),
                           sha256=sha256_file(dest), width=width, height=height, dpi=dpi,
                           ocr=ocr, blank=blank, source=source or src.name)
        workflow.record_event(case, clerk, "page", case.status, case.status,
                              {"page": seq, "material": material_name or "", "source": page.source})
    return page


def pages_of(material: CaseMaterial) -> list[Page]:
    return list(Page.select().where(Page.material == material).order_by(Page.seq))


def mark_scanned(case: Case, clerk: Clerk) -> Case:
    return workflow.perform(case, "scan", clerk, {"pages": Page.select().where(Page.case == case).count()})


def record_document(case: Case, kind: str, path) -> CaseDocument:
    """Remember a generated document so it can be reprinted from the case."""
    path = Path(path)
    rel = relative(path) if str(path.resolve()).startswith(str(config.data_dir().resolve())) else str(path)
    return CaseDocument.create(case=case, kind=kind, file_path=rel, sha256=sha256_file(path))


def mark_packaged(case: Case, clerk: Clerk, details: dict | None = None) -> Case:
    return workflow.perform(case, "package", clerk, details or {})


def check_tracking(number: str) -> str:
    result = identifiers.check(number, "tracking")
    if not result.valid:
        raise InvalidIdentifier(f"邮件号 {number}：{result.error}")
    return result.normalized


def ship(case: Case, clerk: Clerk, tracking_number: str, weight_g: int = 0) -> Shipment:
    """寄出 to the home window: the tracking number is checked before anything is recorded."""
    number = check_tracking(tracking_number)
    originals = CaseMaterial.select().where(CaseMaterial.case == case, CaseMaterial.original_enclosed).count()
    holder = {}

    def apply(c):
        holder["shipment"] = Shipment.create(case=c, direction="out", tracking_number=number,
                                             weight_g=weight_g, originals=originals, shipped_at=clock.now())
    workflow.perform(case, "ship", clerk, {"tracking_number": number, "weight_g": weight_g}, apply=apply)
    return holder["shipment"]


def home_receive(case: Case, clerk: Clerk) -> Case:
    def apply(c):
        Shipment.update(received_at=clock.now()).where(
            Shipment.case == c, Shipment.direction == "out", Shipment.received_at.is_null()).execute()
    return workflow.perform(case, "home_receive", clerk, {}, apply=apply)


def decide(case: Case, clerk: Clerk, outcome: str, note: str = "") -> Case:
    if outcome not in OUTCOMES:
        raise InvalidInput("办理结果应为 approved（准予）或 rejected（不予批准）")

    def apply(c):
        c.outcome = outcome
    return workflow.perform(case, "decide", clerk, {"outcome": outcome, "note": note}, apply=apply)


def return_result(case: Case, clerk: Clerk, tracking_number: str) -> Case:
    number = check_tracking(tracking_number)

    def apply(c):
        Shipment.create(case=c, direction="back", tracking_number=number, shipped_at=clock.now())
    return workflow.perform(case, "return_result", clerk, {"tracking_number": number}, apply=apply)


def deliver(case: Case, clerk: Clerk, how: str = "window", tracking_number: str = "") -> Case:
    details = {"how": how}
    if tracking_number:
        details["tracking_number"] = check_tracking(tracking_number)
    return workflow.perform(case, "deliver", clerk, details)


def archive(case: Case, clerk: Clerk) -> Case:
    return workflow.perform(case, "archive", clerk, {})

