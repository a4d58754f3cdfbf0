"""Page edits that touch the image: rotate a stored page, read it again (worker thread)."""
from __future__ import annotations

import os
import shutil
import tempfile

from PIL import Image

from forms import workflow
from forms.casework import absolute, sha256_file
from forms.errors import Cancelled, InvalidInput
from forms.models import Clerk, Page, db_proxy
from forms.pages import check_open

from .pipeline import new_job_dir, process_pages, shared_pool


def rotate_page(page: Page, degrees_clockwise: int, clerk: Clerk) -> Page:
    """Turn the stored image by a multiple of 90°; the old OCR is dropped (re-read it after)."""
    if degrees_clockwise % 90:
        raise InvalidInput("只能按 90 度旋转")
    page = Page.get_by_id(page.id)
    case = page.case
    check_open(case)
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


def reocr_page(page: Page, langs: str, cancel=None) -> Page:
    """Read a stored page again (after a rotation); worker thread, seconds."""
    page = Page.get_by_id(page.id)
    job_dir = new_job_dir()
    try:
        # In the long-lived pool, not here: a crash in Tesseract must not take the window with it.
        results = list(process_pages([absolute(page.file_path)], cancel=cancel, langs=langs,
                                     job_dir=job_dir, pool=shared_pool(), crop=False, deskew=False,
                                     orientation="never"))
        if not results:
            raise Cancelled()
        result = results[0]
    finally:
        shutil.rmtree(job_dir, ignore_errors=True)
    result.image_path = page.file_path
    page.ocr = result.to_dict()
    page.blank = result.blank
    page.save()
    return page
