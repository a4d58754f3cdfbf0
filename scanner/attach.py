"""Pages of a case's material, cleaned and OCR'd, checked against what the clerk typed.

desk.pages stores what ``read_pages`` yields; the GUI's import button and
``main.py intake`` both go through it. Call from a worker thread: seconds per page.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from forms.errors import ImageError
from forms.models import Case

from .fields import cross_check
from .ocr import DEFAULT_LANGS
from .ocr_pool import page_label
from .pipeline import process_pages, shared_pool

# Materials that show the applicant's (or agent's) own identity: their fields are compared.
_IDENTITY_MATERIALS = ("身份证", "营业执照")


def typed_values(case: Case, material_name: str) -> dict:
    """What the clerk typed that this material should show (empty for other materials)."""
    if not any(w in material_name for w in _IDENTITY_MATERIALS):
        return {}
    party = case.agent if ("代办" in material_name or "代理" in material_name) and case.agent else case.applicant
    typed = {"name": party.name}
    if party.id_type == "resident_id" and len(party.id_number) == 18:
        typed["id_number"] = party.id_number
        n = party.id_number
        try:
            typed["birth_date"] = date(int(n[6:10]), int(n[10:12]), int(n[12:14])).isoformat()
        except ValueError:
            pass
    elif party.id_type == "uscc":
        typed["uscc"] = party.id_number
    return typed


def read_pages(case: Case, material_name: str, page_iterator, progress=None, cancel=None,
               langs: str = DEFAULT_LANGS, pool=None, job_dir=None):
    """Clean and OCR each page as it arrives; yields an OcrPage ready to store, or an ImageError.

    Fields read from identity materials are compared with what the clerk typed and the
    differences added to the page's warnings. Storing is the desk's (desk.pages). The pages
    are read by ``pool``, by default this process's long-lived one.
    """
    typed = typed_values(case, material_name)
    n = 0
    for ocr_page in process_pages(page_iterator, progress=progress, cancel=cancel, langs=langs,
                                  job_dir=job_dir, pool=pool or shared_pool()):
        error = getattr(ocr_page, "error", None)
        kept = bool(ocr_page.image_path) and Path(ocr_page.image_path).is_file()
        if error and not kept:
            yield ImageError(file=ocr_page.image_path or material_name, reason=error)
            continue
        if error:
            # Cleaned (or at least scanned) but not read: the page is the clerk's, keep it.
            ocr_page.warnings.append(f"{error}；页面已保留，但未识别文字，请对照原件核对")
        n += 1
        if typed:
            ocr_page.warnings.extend(cross_check(ocr_page.fields, typed, f"“{material_name}”{page_label(n)}"))
        yield ocr_page
