"""Files (or any page source) to stored, cleaned, OCR'd pages of a case's material.

The GUI's import button and ``main.py intake`` both call ``attach_files``.
Call from a worker thread: it takes seconds per page.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from datetime import date

from forms import casework
from forms.errors import ImageError
from forms.models import Case, Clerk, Page

from .fields import cross_check
from .ocr import DEFAULT_LANGS
from .ocr_pool import page_label
from .pipeline import new_job_dir, process_pages, shared_pool
from .sources.files import FileSource

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


def attach_pages(case: Case, clerk: Clerk, material_name: str, page_iterator, progress=None, cancel=None,
                 langs: str = DEFAULT_LANGS, pool=None) -> tuple[list[Page], list[ImageError]]:
    """Clean, OCR and store each page as it arrives; pages already stored stay on cancel.

    The pages are read by ``pool``, by default this process's long-lived one (its
    workers keep Tesseract loaded from one material to the next).
    """
    typed = typed_values(case, material_name)
    stored, errors = [], []
    job_dir = new_job_dir()
    try:
        for ocr_page in process_pages(page_iterator, progress=progress, cancel=cancel, langs=langs,
                                      job_dir=job_dir, pool=pool or shared_pool()):
            error = getattr(ocr_page, "error", None)
            kept = bool(ocr_page.image_path) and Path(ocr_page.image_path).is_file()
            if error and not kept:
                errors.append(ImageError(file=ocr_page.image_path or material_name, reason=error))
                continue
            if error:
                # Cleaned (or at least scanned) but not read: the page is the clerk's, keep it.
                ocr_page.warnings.append(f"{error}；页面已保留，但未识别文字，请对照原件核对")
            label = page_label(len(stored) + 1)
            if typed:
                ocr_page.warnings.extend(cross_check(ocr_page.fields, typed, f"“{material_name}”{label}"))
            page = casework.add_page(case, clerk, ocr_page.image_path, material_name, ocr=None,
                                     width=ocr_page.width, height=ocr_page.height, dpi=ocr_page.dpi,
                                     blank=ocr_page.blank, source=material_name)
            ocr_page.image_path = page.file_path          # relative to the data folder from now on
            page.ocr = ocr_page.to_dict()
            page.save()
            stored.append(page)
    finally:
        shutil.rmtree(job_dir, ignore_errors=True)
    return stored, errors


def attach_files(case: Case, clerk: Clerk, material_name: str, files, progress=None, cancel=None,
                 langs: str = DEFAULT_LANGS, pool=None) -> tuple[list[Page], list[ImageError]]:
    """Import image/PDF files as pages of ``material_name``; unreadable files are reported, not fatal."""
    source = FileSource(files)
    pages, errors = attach_pages(case, clerk, material_name, source.pages(cancel=cancel),
                                 progress=progress, cancel=cancel, langs=langs, pool=pool)
    return pages, list(source.errors) + errors
