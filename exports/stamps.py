"""The 原件核验 mark drawn on a verified copy in the case package.

A red double-bordered box: the heading "原件核验", then "此件经与原件核对无误，
仅供办理{item}使用", the clerk's name and the date. It goes in the page corner (or
edge middle) with the least ink under it, measured on the page image, so it
covers no text (nor comes within 2 % of the page width of it) when the page
has a free corner; bottom-right wins ties, where a clerk would put a stamp. The box has no fill, so anything under it
stays visible. Its text is real (searchable) text in the embedded CJK fonts.

Any thread; one canvas per thread.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from PIL import Image

from exports import fonts

RED = (0.80, 0.08, 0.10)
FONT_PT = 9.0
MIN_FONT_PT = 4.0
MAX_WIDTH_SHARE = 0.45        # of the page width
PREFERRED_WIDTH_PT = 170.0    # 60 mm
MARGIN_SHARE = 0.03           # of the shorter page side
INK_LEVEL = 160               # grey value below which a pixel is ink
CLEARANCE_SHARE = 0.02        # ink this close (share of the page width) counts as covered
HEADING = "原件核验"
HEADING_SCALE = 1.35


@dataclass
class VerifiedMark:
    item_name: str             # fills "仅供办理……使用"
    clerk_name: str
    verified_on: dt.date

    def statement(self) -> str:
        """The sentence printed in the mark."""
        return f"此件经与原件核对无误，仅供办理{self.item_name}使用"

    def footer(self) -> str:
        """Clerk and date line, e.g. '核验人：李四  2024年5月6日'."""
        d = self.verified_on
        return f"核验人：{self.clerk_name}  {d.year}年{d.month}月{d.day}日"


def ink_mask(image_path, max_side: int = 300) -> np.ndarray:
    """A small boolean array (rows top-down) that is True where the page image has ink."""
    with Image.open(image_path) as im:
        im.draft("L", (max_side, max_side))
        grey = im.convert("L")
        grey.thumbnail((max_side, max_side))
        return np.asarray(grey) < INK_LEVEL


def _wrap(text: str, size: float, width: float) -> list[str]:
    lines, cur = [], ""
    for ch in text:
        if cur and fonts.string_width(cur + ch, size) > width:
            # Keep closing punctuation with the text before it.
            if ch in "，。、；：）》」":
                cur += ch
                continue
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        lines.append(cur)
    return lines


def layout(mark: VerifiedMark, page_w: float) -> tuple[float, float, float, list[str]]:
    """Return (box width, box height, font size, lines) in points for a page width.

    The first line is the heading "原件核验"; the statement breaks after its
    comma so "仅供办理……使用" stays together when it fits.
    """
    max_w = min(PREFERRED_WIDTH_PT, page_w * MAX_WIDTH_SHARE)
    size = max(MIN_FONT_PT, FONT_PT * max_w / PREFERRED_WIDTH_PT)
    pad = size * 1.2
    inner = max_w - 2 * pad
    head, _, tail = mark.statement().partition("，")
    lines = [HEADING] + _wrap(head + "，", size, inner) + _wrap(tail, size, inner)
    lines += _wrap(mark.footer(), size, inner)
    widest = max(fonts.string_width(ln, size * (HEADING_SCALE if i == 0 else 1))
                 for i, ln in enumerate(lines))
    width = min(max_w, widest + 2 * pad)
    height = 2 * pad + size * HEADING_SCALE * 1.5 + (len(lines) - 1) * size * 1.45
    return width, height, size, lines


def candidate_positions(page_w: float, page_h: float, w: float, h: float):
    """(x, y) lower-left corners to try, best first: bottom corners, top corners, edge middles."""
    m = MARGIN_SHARE * min(page_w, page_h)
    right, left, top, bottom = page_w - m - w, m, page_h - m - h, m
    mid = (page_w - w) / 2
    return [(right, bottom), (left, bottom), (right, top), (left, top), (mid, bottom), (mid, top)]


def choose_position(mask: np.ndarray | None, page_w: float, page_h: float,
                    w: float, h: float) -> tuple[float, float]:
    """The candidate position whose rectangle covers the fewest ink pixels of the mask."""
    candidates = candidate_positions(page_w, page_h, w, h)
    if mask is None or mask.size == 0:
        return candidates[0]
    rows, cols = mask.shape
    best, best_ink = candidates[0], None
    gap = CLEARANCE_SHARE * page_w
    for x, y in candidates:
        c0 = int(max(0, (x - gap) / page_w * cols))
        c1 = int(min(cols, np.ceil((x + w + gap) / page_w * cols)))
        r0 = int(max(0, (page_h - y - h - gap) / page_h * rows))
        r1 = int(min(rows, np.ceil((page_h - y + gap) / page_h * rows)))
        ink = int(mask[r0:r1, c0:c1].sum())
        if best_ink is None or ink < best_ink:
            best, best_ink = (x, y), ink
    return best


def draw_verified_mark(canvas, mark: VerifiedMark, page_w: float, page_h: float,
                       mask: np.ndarray | None = None) -> tuple[float, float, float, float]:
    """Draw the mark on the current page; return its box (x, y, width, height) in points."""
    w, h, size, lines = layout(mark, page_w)
    x, y = choose_position(mask, page_w, page_h, w, h)
    canvas.saveState()
    try:
        canvas.setStrokeColorRGB(*RED)
        canvas.setFillColorRGB(*RED)
        canvas.setLineWidth(max(0.8, size * 0.16))
        canvas.rect(x, y, w, h, stroke=1, fill=0)
        inset = size * 0.25
        canvas.setLineWidth(max(0.3, size * 0.06))
        canvas.rect(x + inset, y + inset, w - 2 * inset, h - 2 * inset, stroke=1, fill=0)
        pad = size * 1.2
        head_size = size * HEADING_SCALE
        head_w = fonts.string_width(lines[0], head_size)
        baseline = y + h - pad - head_size * 0.9
        # Faux bold: fill and stroke the glyphs (render mode 2). Its own q/Q,
        # because the render mode outlives the text object and reportlab does
        # not reset it to 0 for the next one.
        canvas.saveState()
        canvas.setLineWidth(head_size * 0.03)
        fonts.draw_string(canvas, x + (w - head_w) / 2, baseline, lines[0], head_size,
                          render_mode=2)
        canvas.restoreState()
        baseline -= head_size * 0.6 + size * 1.25
        for line in lines[1:]:
            fonts.draw_string(canvas, x + pad, baseline, line, size)
            baseline -= size * 1.45
    finally:
        canvas.restoreState()
    return x, y, w, h
