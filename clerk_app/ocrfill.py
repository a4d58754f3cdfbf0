"""Read an ID card or business licence photo and map its fields onto the applicant form (no Tk).

``read_document`` runs on a worker thread (cleanup and Tesseract run in the
pipeline's own processes); ``fields_of`` and ``merge`` are pure.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from forms.errors import OcrError
from forms.ocrdata import OcrPage

# OCR field kind -> applicant form key
FORM_KEY = {"name": "name", "id_number": "id_number", "address": "address", "phone": "phone",
            "company_name": "name", "uscc": "id_number", "legal_representative": "legal_rep"}
LABELS = {"name": "姓名/名称", "id_number": "证件号码", "address": "地址", "phone": "电话",
          "legal_rep": "法定代表人"}


def read_document(path: Path, langs: str, ctx=None) -> OcrPage:
    """Clean and OCR one photo or scan (first page); worker thread only."""
    from scanner import pipeline
    job_dir = pipeline.new_job_dir()
    try:
        pages = pipeline.process_pages([Path(path)], progress=ctx.progress if ctx else None,
                                       cancel=ctx.cancel if ctx else None, langs=langs,
                                       job_dir=job_dir, pool=pipeline.shared_pool())
        page = next(iter(pages), None)
    finally:
        shutil.rmtree(job_dir, ignore_errors=True)
    if page is None:
        raise OcrError("没有读到任何页面")
    if page.error:
        raise OcrError(page.error)
    return page


def fields_of(page: OcrPage) -> dict[str, str]:
    """The first trustworthy value of each field kind on the page."""
    found: dict[str, str] = {}
    for f in page.fields:
        if f.valid is False or not f.value:
            continue
        found.setdefault(f.kind, f.value)
    return found


def typed_by_kind(form: dict) -> dict[str, str]:
    """What the clerk typed, keyed by OCR field kind (for scanner.fields.cross_check)."""
    enterprise = form.get("kind") == "enterprise"
    out = {"address": form.get("address", ""), "phone": form.get("phone", "")}
    if enterprise:
        out.update(company_name=form.get("name", ""), uscc=form.get("id_number", ""),
                   legal_representative=form.get("legal_rep", ""))
    else:
        out.update(name=form.get("name", ""), id_number=form.get("id_number", ""))
    return out


def merge(found: dict[str, str], form: dict) -> tuple[dict[str, str], list[str]]:
    """Values to fill into empty form fields, and Chinese notes where typed and read differ."""
    enterprise = "uscc" in found or "company_name" in found or form.get("kind") == "enterprise"
    wanted = ("company_name", "uscc", "legal_representative", "address", "phone") if enterprise \
        else ("name", "id_number", "address", "phone")
    filled, diffs = {}, []
    for kind in wanted:
        value = found.get(kind)
        if not value:
            continue
        key = FORM_KEY[kind]
        typed = str(form.get(key) or "").strip()
        if not typed:
            filled[key] = value
        elif _norm(typed) != _norm(value):
            diffs.append(f"{LABELS[key]}：照片为“{_show(key, value)}”，已填“{_show(key, typed)}”")
    return filled, diffs


def _norm(text: str) -> str:
    return "".join(str(text).split()).upper().replace("•", "·")


def _show(key: str, value: str) -> str:
    if key == "id_number" and len(value) > 10:
        return f"{value[:6]}…{value[-4:]}"
    return value
