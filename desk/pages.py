"""Step 4: pages of a case — store what the scanner read, move, reorder, turn, delete, 扫描 done.

Reading a page (cleanup + OCR) takes seconds and runs before any transaction; storing it
is one short transaction per page (image copied atomically, row and event together), so
pages already read stay when the clerk presses Esc. Call from a worker thread.
"""
from __future__ import annotations

from pathlib import Path

from forms import config, files, workflow
from forms.errors import ImageError, InvalidInput, NotFound
from forms.models import Case, CaseMaterial, Clerk, Page
from forms.storage import absolute, case_folder, relative, sha256_file
from forms.workflow import Right, Status

from desk import tx
from desk.reception import case_by_no
from desk.results import CaseResult, PageResult, case_result

OPEN = (Status.RECEIVED, Status.CORRECTION, Status.ACCEPTED, Status.VERIFIED, Status.SCANNED)


def check_open(case: Case) -> None:
    """Pages may change only until the case is packaged."""
    if Status(case.status) not in OPEN:
        raise InvalidInput(f"办件已{Status(case.status).label}，页面不能再修改")


def _material(case: Case, name: str | None) -> CaseMaterial | None:
    if not name:
        return None
    m = CaseMaterial.get_or_none(CaseMaterial.case == case, CaseMaterial.name == name)
    if m is None:
        raise NotFound(f"材料“{name[:60]}”")
    return m


def _page(page_id: int) -> Page:
    page = Page.get_or_none(Page.id == page_id)
    if page is None:
        raise NotFound(f"页面 {page_id}")
    return page


def store_page(clerk: Clerk, case_no: str, material_name: str | None, ocr_page) -> PageResult:
    """Keep one cleaned, read page (scanner.ocr.OcrPage) as the next page of the case."""
    case = case_by_no(case_no)
    workflow.require_right(clerk, Right.RECEIVE, case.home, "添加页面")
    src = Path(ocr_page.image_path)
    with tx.action():
        case = tx.locked_case(case.id)
        check_open(case)
        material = _material(case, material_name)
        last = Page.select(Page.seq).where(Page.case == case).order_by(Page.seq.desc()).first()
        seq = (last.seq + 1) if last else 1
        dest = case_folder(case, "pages") / f"page-{seq:04d}{src.suffix.lower() or '.png'}"
        files.copy_file(src, dest)
        ocr_page.image_path = relative(dest)           # relative to the data folder from now on
        page = Page.create(case=case, material=material, seq=seq, file_path=relative(dest),
                           sha256=sha256_file(dest), width=ocr_page.width, height=ocr_page.height,
                           dpi=ocr_page.dpi, ocr=ocr_page.to_dict(), blank=ocr_page.blank,
                           source=material_name or "")
        workflow.record_event(case, clerk, "page", case.status, case.status,
                              {"page": seq, "material": material_name or "", "source": page.source})
    return PageResult(case_no=case.case_no, page_id=page.id, seq=seq, material=material_name or "",
                      warnings=tuple(ocr_page.warnings))


def attach(clerk: Clerk, case_no: str, material_name: str, page_iterator, progress=None, cancel=None,
           langs: str | None = None, pool=None) -> tuple[list[PageResult], list[ImageError]]:
    """Clean, OCR and store the pages of one material as they arrive (worker thread).

    Unreadable files are reported, not fatal; pages stored before Esc stay stored."""
    from scanner.attach import read_pages
    from scanner.ocr import DEFAULT_LANGS
    case = case_by_no(case_no)
    workflow.require_right(clerk, Right.RECEIVE, case.home, "添加页面")
    check_open(case)
    _material(case, material_name)
    stored, errors = [], []
    with config.work_folder("ocr") as job_dir:
        for item in read_pages(case, material_name, page_iterator, progress=progress, cancel=cancel,
                               langs=langs or DEFAULT_LANGS, pool=pool, job_dir=job_dir):
            if isinstance(item, ImageError):
                errors.append(item)
            else:
                stored.append(store_page(clerk, case_no, material_name, item))
    return stored, errors


def attach_files(clerk: Clerk, case_no: str, material_name: str, paths, progress=None, cancel=None,
                 langs: str | None = None, pool=None) -> tuple[list[PageResult], list[ImageError]]:
    """Import image / PDF files as pages of ``material_name``."""
    from scanner.sources.files import FileSource
    source = FileSource(paths)
    pages, errors = attach(clerk, case_no, material_name, source.pages(cancel=cancel), progress=progress,
                           cancel=cancel, langs=langs, pool=pool)
    return pages, list(source.errors) + errors


def move_page(clerk: Clerk, page_id: int, material_name: str | None) -> PageResult:
    """Put a page on another material of the same case (None: unassigned)."""
    with tx.action():
        page = _page(page_id)
        case = tx.locked_case(page.case_id)
        check_open(case)
        workflow.require_right(clerk, Right.RECEIVE, case.home, "整理页面")
        material = _material(case, material_name)
        old = page.material.name if page.material_id else ""
        page.material = material
        page.save()
        workflow.record_event(case, clerk, "page_move", case.status, case.status,
                              {"page": page.seq, "from": old, "to": material_name or ""})
    return PageResult(case.case_no, page.id, page.seq, material_name or "")


def delete_page(clerk: Clerk, page_id: int) -> None:
    """Remove a page (a wrong or blank one); its image goes once the removal is saved."""
    with tx.action():
        page = _page(page_id)
        case = tx.locked_case(page.case_id)
        check_open(case)
        workflow.require_right(clerk, Right.RECEIVE, case.home, "整理页面")
        path = absolute(page.file_path)
        workflow.record_event(case, clerk, "page_delete", case.status, case.status,
                              {"page": page.seq, "material": page.material.name if page.material_id else ""})
        page.delete_instance()
    Path(path).unlink(missing_ok=True)


def move_within(clerk: Clerk, page_id: int, step: int) -> PageResult:
    """Swap the page with its neighbour in the case's order (step −1 earlier, +1 later)."""
    with tx.action():
        page = _page(page_id)
        case = tx.locked_case(page.case_id)
        check_open(case)
        order = list(Page.select().where(Page.case == case).order_by(Page.seq))
        i = next(k for k, p in enumerate(order) if p.id == page.id)
        j = i + (1 if step > 0 else -1)
        if 0 <= j < len(order):
            other = order[j]
            # Through a free number: (case, seq) is unique at every moment.
            a, b = page.seq, other.seq
            Page.update(seq=-a).where(Page.id == page.id).execute()
            Page.update(seq=a).where(Page.id == other.id).execute()
            Page.update(seq=b).where(Page.id == page.id).execute()
            workflow.record_event(case, clerk, "page_order", case.status, case.status, {"page": a, "now": b})
    page = Page.get_by_id(page_id)
    return PageResult(case.case_no, page.id, page.seq, page.material.name if page.material_id else "")


def rotate_page(clerk: Clerk, page_id: int, degrees_clockwise: int) -> PageResult:
    """Turn a stored page by a multiple of 90°; its old text is dropped (read it again after).

    The turned image gets a new file name, saved before the row points at it, so a crash
    leaves the page as it was or as it is now, never a row naming a half-written image."""
    from scanner.pageedit import turned_copy
    if degrees_clockwise % 90:
        raise InvalidInput("只能按 90 度旋转")
    page = _page(page_id)
    check_open(page.case)
    if degrees_clockwise % 360 == 0:
        return PageResult(page.case.case_no, page.id, page.seq, page.material.name if page.material_id else "")
    old = absolute(page.file_path)
    new, size = turned_copy(old, degrees_clockwise % 360)
    try:
        with tx.action():
            case = tx.locked_case(page.case_id)
            check_open(case)
            page = _page(page_id)
            page.file_path, page.sha256 = relative(new), sha256_file(new)
            page.width, page.height = size
            page.ocr = None
            page.save()
            workflow.record_event(case, clerk, "page_rotate", case.status, case.status,
                                  {"page": page.seq, "degrees": degrees_clockwise % 360})
    except BaseException:
        Path(new).unlink(missing_ok=True)
        raise
    if old != new:
        Path(old).unlink(missing_ok=True)
    return PageResult(case.case_no, page.id, page.seq, page.material.name if page.material_id else "")


def reread_page(clerk: Clerk, page_id: int, langs: str, cancel=None) -> PageResult:
    """Read a stored page again (after a rotation); seconds, in the long-lived OCR pool."""
    from scanner.pageedit import read_again
    page = _page(page_id)
    result = read_again(absolute(page.file_path), langs, cancel)
    with tx.action():
        page = _page(page_id)
        check_open(tx.locked_case(page.case_id))
        result.image_path = page.file_path
        page.ocr, page.blank = result.to_dict(), result.blank
        page.save()
    return PageResult(page.case.case_no, page.id, page.seq, page.material.name if page.material_id else "",
                      tuple(result.warnings))


def finish_scanning(clerk: Clerk, case_no: str) -> CaseResult:
    """扫描 done: every provided paper material has at least one page."""
    case = case_by_no(case_no)
    with tx.action():
        case = tx.locked_case(case.id)
        workflow.perform(case, "scan", clerk, {"pages": Page.select().where(Page.case == case).count()})
    return case_result(case, "scanned")
