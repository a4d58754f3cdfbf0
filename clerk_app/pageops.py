"""Page edits the pages step needs: move to a material, rotate, delete, reorder (no Tk).

forms.casework has ``add_page`` only; these follow its rules (the case must still
accept pages, every change is an event on the timeline). They belong in
forms.casework and can move there unchanged.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PIL import Image

from forms import workflow
from forms.casework import absolute, sha256_file
from forms.errors import InvalidInput, NotFound
from forms.models import Case, CaseMaterial, Clerk, Page, db_proxy
from forms.workflow import Status

_PAGE_STATES = (Status.RECEIVED, Status.CORRECTION, Status.ACCEPTED, Status.VERIFIED, Status.SCANNED)


def _check_open(case: Case) -> None:
    if Status(case.status) not in _PAGE_STATES:
        raise InvalidInput(f"办件已{Status(case.status).label}，页面不能再修改")


def move_page(page: Page, material_name: str | None, clerk: Clerk) -> Page:
    """Attach a page to another material of the same case (None: unassigned)."""
    page = Page.get_by_id(page.id)
    case = page.case
    _check_open(case)
    material = None
    if material_name:
        material = CaseMaterial.get_or_none(CaseMaterial.case == case, CaseMaterial.name == material_name)
        if material is None:
            raise NotFound(f"材料“{material_name}”")
    old = page.material.name if page.material_id else ""
    with db_proxy.obj.atomic():
        page.material = material
        page.save()
        workflow.record_event(case, clerk, "page_move", case.status, case.status,
                              {"page": page.seq, "from": old, "to": material_name or ""})
    return page


def rotate_page(page: Page, degrees_clockwise: int, clerk: Clerk) -> Page:
    """Turn the stored image by a multiple of 90°; the old OCR is dropped (re-read it after)."""
    if degrees_clockwise % 90:
        raise InvalidInput("只能按 90 度旋转")
    page = Page.get_by_id(page.id)
    case = page.case
    _check_open(case)
    path = absolute(page.file_path)
    turn = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
            270: Image.Transpose.ROTATE_90}.get(degrees_clockwise % 360)
    if turn is None:
        return page
    with Image.open(path) as im:
        im.load()
        info = {k: v for k, v in im.info.items() if k == "dpi"}
        turned = im.transpose(turn)
    fd, tmp = tempfile.mkstemp(suffix=path.suffix, dir=path.parent)
    os.close(fd)
    turned.save(tmp, **info)
    os.replace(tmp, path)
    with db_proxy.obj.atomic():
        page.width, page.height = turned.size
        page.sha256 = sha256_file(path)
        page.ocr = None
        page.save()
        workflow.record_event(case, clerk, "page_rotate", case.status, case.status,
                              {"page": page.seq, "degrees": degrees_clockwise % 360})
    return page


def delete_page(page: Page, clerk: Clerk) -> None:
    """Remove a page and its image (a wrong or blank page)."""
    page = Page.get_by_id(page.id)
    case = page.case
    _check_open(case)
    path = absolute(page.file_path)
    with db_proxy.obj.atomic():
        workflow.record_event(case, clerk, "page_delete", case.status, case.status,
                              {"page": page.seq, "material": page.material.name if page.material_id else ""})
        page.delete_instance()
    Path(path).unlink(missing_ok=True)


def move_within(page: Page, step: int, clerk: Clerk) -> Page:
    """Swap the page with its neighbour in the case's order (step −1 earlier, +1 later)."""
    page = Page.get_by_id(page.id)
    case = page.case
    _check_open(case)
    order = list(Page.select().where(Page.case == case).order_by(Page.seq))
    i = next(k for k, p in enumerate(order) if p.id == page.id)
    j = i + (1 if step > 0 else -1)
    if not 0 <= j < len(order):
        return page
    other = order[j]
    with db_proxy.obj.atomic():
        page.seq, other.seq = other.seq, page.seq
        page.save()
        other.save()
        workflow.record_event(case, clerk, "page_order", case.status, case.status,
                              {"page": other.seq, "now": page.seq})
    return page


def reocr_page(page: Page, langs: str, cancel=None) -> Page:
    """Read a stored page again (after a rotation); worker thread, seconds."""
    from scanner.ocr_pool import OcrSettings, PageJob, process_page
    from scanner.pipeline import new_job_dir
    import shutil
    page = Page.get_by_id(page.id)
    job_dir = new_job_dir()
    try:
        settings = OcrSettings(workdir=job_dir, langs=langs, crop=False, deskew=False, orientation="never")
        result = process_page(PageJob(page_no=page.seq, path=str(absolute(page.file_path)), dpi=page.dpi),
                              settings, cancel)
    finally:
        shutil.rmtree(job_dir, ignore_errors=True)
    result.image_path = page.file_path
    page.ocr = result.to_dict()
    page.blank = result.blank
    page.save()
    return page
