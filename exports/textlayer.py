"""Invisible OCR text layer that ``pdftotext`` reads back as Tesseract's text.

For each OCR line (Tesseract's block/par/line numbers) the line's text is drawn
with text render mode 3 (invisible) on one baseline at a font size equal to the
line's height. Each word starts exactly where it stands in the image and is
stretched horizontally (Tz) to reach the next word's left edge, so the line's
glyphs are contiguous: a text extractor sees no gap between Chinese
characters (and adds no space), while Latin words keep the single space that
is drawn between them. Lines are drawn in Tesseract's reading order.

The line strings come from ``OcrPage.text`` when its non-blank lines match the
word lines (so the layer gives back exactly that text); otherwise from
``join_words``. ``page_text(words)`` builds such a text from words and is the
rule the OCR step should use for ``OcrPage.text``.

Pure functions over a reportlab canvas; any thread (one canvas per thread).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from exports import fonts
from forms.ocrdata import OcrPage, OcrWord

# Share of the font size that CJK glyphs reach below the baseline; used to put
# the baseline inside the word box rather than at its bottom edge.
DESCENT = 0.12
MIN_FONT_PT = 2.0


@dataclass
class OcrLine:
    words: list[OcrWord]
    text: str                  # the line as it should be extracted
    key: tuple[int, int, int]  # Tesseract (block, par, line)

    @property
    def box(self) -> tuple[int, int, int, int]:
        """Union of the word boxes as (left, top, right, bottom) pixels."""
        return (min(w.left for w in self.words), min(w.top for w in self.words),
                max(w.left + w.width for w in self.words),
                max(w.top + w.height for w in self.words))


def is_wide(ch: str) -> bool:
    """True for characters written without spaces around them (Han, kana, full-width punctuation)."""
    # Chinese quotes, dashes and ellipses are "ambiguous" width but take no spaces either.
    return ch in "“”‘’—…·" or unicodedata.east_asian_width(ch) in ("W", "F")


def join_words(texts: list[str]) -> str:
    """Join OCR words: a single space between two Latin/digit words, none next to Chinese."""
    out = ""
    for t in texts:
        t = t.strip()
        if not t:
            continue
        if out and not is_wide(out[-1]) and not is_wide(t[0]):
            out += " "
        out += t
    return out


def group_lines(words: list[OcrWord]) -> list[list[OcrWord]]:
    """Group words into lines by (block, par, line), in the order the lines first appear."""
    lines: dict[tuple[int, int, int], list[OcrWord]] = {}
    for w in words:
        if w.text.strip():
            lines.setdefault((w.block, w.par, w.line), []).append(w)
    return list(lines.values())


def page_text(words: list[OcrWord]) -> str:
    """Reading-order text of OCR words: lines joined by newlines, a blank line between paragraphs."""
    parts: list[str] = []
    prev = None
    for line in group_lines(words):
        key = (line[0].block, line[0].par)
        if prev is not None:
            parts.append("\n\n" if key != prev else "\n")
        parts.append(join_words([w.text for w in line]))
        prev = key
    return "".join(parts)


def ocr_lines(page: OcrPage) -> list[OcrLine]:
    """The page's lines with the text each should extract to."""
    groups = group_lines(page.words)
    given = [ln for ln in page.text.splitlines() if ln.strip()]

    def squeeze(s: str) -> str:
        return "".join(s.split())

    use_given = len(given) == len(groups) and all(
        squeeze(g) == squeeze("".join(w.text for w in ws)) for g, ws in zip(given, groups))
    lines = []
    for i, ws in enumerate(groups):
        text = given[i].strip() if use_given else join_words([w.text for w in ws])
        lines.append(OcrLine(ws, text, (ws[0].block, ws[0].par, ws[0].line)))
    return lines


def _segments(line: OcrLine) -> list[tuple[OcrWord, str]]:
    """Split the line text into one piece per word; spaces stay with the word before them."""
    pieces: list[tuple[OcrWord, str]] = []
    pos = 0
    text = line.text
    for i, w in enumerate(line.words):
        need = len("".join(w.text.split()))
        start = pos
        seen = 0
        while pos < len(text) and seen < need:
            if not text[pos].isspace():
                seen += 1
            pos += 1
        if i == len(line.words) - 1:
            pos = len(text)
        else:
            while pos < len(text) and text[pos].isspace():
                pos += 1
        pieces.append((w, text[start:pos]))
    return [(w, s) for w, s in pieces if s]


def draw_text_layer(canvas, page: OcrPage, page_width_pt: float, page_height_pt: float) -> int:
    """Draw the page's OCR words invisibly on the current canvas page; return the line count."""
    if not page.words or page.width <= 0 or page.height <= 0:
        return 0
    sx = page_width_pt / page.width
    sy = page_height_pt / page.height
    lines = ocr_lines(page)
    canvas.saveState()
    try:
        for line in lines:
            _draw_line(canvas, line, sx, sy, page_height_pt)
    finally:
        canvas.restoreState()
    return len(lines)


def _draw_line(canvas, line: OcrLine, sx: float, sy: float, page_h: float) -> None:
    left, top, right, bottom = line.box
    size = max(MIN_FONT_PT, (bottom - top) * sy)
    baseline = page_h - bottom * sy + DESCENT * size
    pieces = _segments(line)
    for i, (word, piece) in enumerate(pieces):
        x0 = word.left * sx
        if i + 1 < len(pieces) and pieces[i + 1][0].left > word.left:
            x1 = pieces[i + 1][0].left * sx
        else:
            x1 = (word.left + word.width) * sx
        natural = fonts.string_width(piece, size)
        if natural <= 0:
            continue
        scale = max(1.0, (x1 - x0) / natural * 100.0)
        fonts.draw_string(canvas, x0, baseline, piece, size, render_mode=3, horiz_scale=scale)
