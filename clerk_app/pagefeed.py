"""Worker side of the pages step: acquire → clean/OCR/store (desk.pages) → thumbnail cards.

Runs on a worker thread; hands the Tk thread plain dicts with a small PIL
thumbnail (``card``) through ``ctx.emit``. A card appears as soon as the page
arrives ("识别中…") and is replaced by the stored page once it has been read.
"""
from __future__ import annotations

from PIL import Image, ImageOps

from forms.storage import absolute
from forms.models import Case, Page

THUMB = (120, 160)


def thumbnail(image: Image.Image) -> Image.Image:
    """A small copy for the page grid; the original is left untouched (worker thread)."""
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    return ImageOps.contain(image, THUMB, method=Image.Resampling.BILINEAR)


def title(page: Page) -> str:
    """Two lines: page number, material (cut to fit a thumbnail's width)."""
    name = page.material.name if page.material_id else "未归类"
    return f"第 {page.seq} 页\n{name if len(name) <= 8 else name[:7] + '…'}"


def card_for(page: Page, status: str | None = None, level: str | None = None, with_thumb: bool = True) -> dict:
    """The grid card of a stored page: title, OCR state, warnings and (optionally) a thumbnail."""
    ocr = page.ocr or {}
    warnings = list(ocr.get("warnings") or [])
    if status is None:
        if page.blank:
            status, level = "⚠ 疑似空白页", "warn"
        elif not ocr:
            status, level = "未识别文字", "warn"
        elif warnings:
            status, level = f"⚠ {len(warnings)} 条提示", "warn"
        elif not (ocr.get("text") or "").strip():
            status, level = "✔ 已识别：无文字", "ok"      # a photo, a seal: nothing to read
        else:
            status, level = f"✔ 已识别（{ocr.get('confidence', 0):.0f}%）", "ok"
    card = {"key": f"p{page.id}", "id": page.id, "seq": page.seq, "title": title(page),
            "status": status, "level": level or "ok", "warnings": warnings, "blank": page.blank}
    if with_thumb:
        with Image.open(absolute(page.file_path)) as im:
            im.draft(im.mode, (THUMB[0] * 2, THUMB[1] * 2))
            card["thumb"] = thumbnail(im)
    return card


def existing_cards(case_id: int, ctx) -> int:
    """Emit a card for each stored page of the case, in order; returns how many."""
    n = 0
    for page in Page.select().where(Page.case == case_id).order_by(Page.seq):
        if ctx.cancel.is_set():
            break
        ctx.emit(card_for(page))
        n += 1
    return n


def acquire(case: Case, clerk, material: str, source, langs: str, ctx):
    """Pages from ``source`` into ``material`` of ``case``; returns (pages, errors) like desk.pages.attach."""
    from desk import pages as deskpages
    waiting: list[str] = []          # placeholder keys, oldest first
    known = {p.id for p in Page.select(Page.id).where(Page.case == case)}

    def arriving():
        for acquired in source.pages(cancel=ctx.cancel):
            key = f"n{acquired.index}"
            waiting.append(key)
            ctx.emit({"key": key, "id": None, "seq": None, "title": f"新页面 {acquired.index}",
                      "status": "识别中…", "level": "busy", "warnings": list(acquired.warnings),
                      "thumb": thumbnail(acquired.image)})
            yield acquired

    def flush():
        for page in Page.select().where(Page.case == case, Page.id.not_in(known)).order_by(Page.seq):
            known.add(page.id)
            card = card_for(page)
            card["replaces"] = [waiting.pop(0)] if waiting else []
            ctx.emit(card)

    def progress(done, total, what):
        flush()
        ctx.progress(done, total, f"{what}（{done}/{total or '?'}）")

    pages, errors = deskpages.attach(clerk, case.case_no, material, arriving(), progress=progress,
                                     cancel=ctx.cancel, langs=langs)
    flush()
    if waiting:
        ctx.emit({"remove": True, "replaces": list(waiting)})
    return pages, errors
