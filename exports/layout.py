"""Shared drawing helpers for the A4 documents: styles, tables, signature lines, atomic output.

All text goes through exports.fonts so rare name characters keep their glyphs
and every font is embedded. Sizes are points; A4 margins are 20 mm.
"""
from __future__ import annotations

import contextlib
from datetime import date, datetime
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.lib import textsplit as _textsplit
from reportlab.platypus import paragraph as _paragraph
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from exports import fonts
from forms import files
from forms.errors import ClerkError, ExportError

# reportlab's CJK wrapping keeps only some closing punctuation off the start of a
# line; add the full-width marks Chinese text uses (避头点) so "，" never opens a line.
# Both modules hold their own copy: textsplit for one-font paragraphs, paragraph for mixed.
for _module in (_paragraph, _textsplit):
    _module.ALL_CANNOT_START += "".join(
        c for c in "，；：？！》”’…％" if c not in _module.ALL_CANNOT_START)

MARGIN = 20 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN
CREATOR = "通办收件台 Tongban Clerk"
SHADE = colors.HexColor("#E8E8E8")


def _style(name, size, leading, **kw) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=fonts.BASE_FONT, fontSize=size, leading=leading,
                          wordWrap="CJK", **kw)


STYLES = {
    "body": _style("body", 12, 19, firstLineIndent=24, spaceAfter=3),
    "plain": _style("plain", 12, 20, spaceAfter=2),
    "cell": _style("cell", 10, 14),
    "cell_center": _style("cell_center", 10, 14, alignment=TA_CENTER),
    "cell_small": _style("cell_small", 9, 12),
    "head": _style("head", 10, 14, alignment=TA_CENTER),
    "small": _style("small", 9, 12, textColor=colors.HexColor("#333333")),
    "right": _style("right", 12, 18, alignment=TA_RIGHT),
    "center": _style("center", 11, 16, alignment=TA_CENTER),
    "number": _style("number", 11, 16, alignment=TA_CENTER),
    "heading": _style("heading", 13, 17, spaceBefore=5, spaceAfter=3, alignment=TA_LEFT),
}


BLANK_DATE = "        年      月      日"   # for canvas text; Paragraphs collapse spaces


def cn_date(d: date | datetime | None) -> str:
    """Return "2025年3月4日", or a blank to fill in by hand when ``d`` is None."""
    if d is None:
        return BLANK_DATE
    return f"{d.year}年{d.month}月{d.day}日"


def cn_datetime(dt: datetime | None) -> str:
    """Return "2025年3月4日 14:05", or "" when ``dt`` is None."""
    return "" if dt is None else f"{cn_date(dt)} {dt:%H:%M}"


def para(text: str, style: str = "plain") -> Paragraph:
    """Return a Paragraph of plain ``text`` (escaped, rare characters mapped to fallback fonts)."""
    return Paragraph(fonts.paragraph_markup(str(text)), STYLES[style])


def para_markup(markup: str, style: str = "plain") -> Paragraph:
    """Return a Paragraph of markup the caller already built with fonts.paragraph_markup."""
    return Paragraph(markup, STYLES[style])


def table(data, col_widths, commands=(), **kw) -> Table:
    """Return a Table whose plain-string cells (even empty ones) use the embedded CJK font.

    reportlab's default cell font is Helvetica, which would appear unembedded in
    the PDF as soon as any cell holds a string rather than a Paragraph.
    """
    kw.setdefault("hAlign", "LEFT")
    t = Table(data, colWidths=col_widths, **kw)
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.BASE_FONT)] + list(commands)))
    return t


class BoldLine(Flowable):
    """One line of faux-bold text (fill+stroke), centred or left; used for titles."""

    def __init__(self, text: str, size: float = 20, align: str = "center",
                 space_after: float = 8):
        super().__init__()
        self.text, self.size, self.align = text, size, align
        self.space_after = space_after

    def wrap(self, avail_width, avail_height):
        self.avail = avail_width
        return avail_width, self.size * 1.3 + self.space_after

    def draw(self):
        width = fonts.string_width(self.text, self.size)
        x = (self.avail - width) / 2 if self.align == "center" else 0
        self.canv.saveState()
        self.canv.setLineWidth(self.size * 0.035)
        fonts.draw_string(self.canv, x, self.space_after + self.size * 0.25, self.text,
                          self.size, render_mode=2)
        self.canv.restoreState()


def _cell(value, style):
    if isinstance(value, Flowable):
        return value
    return para("" if value is None else str(value), style)


def grid_table(rows, col_widths, header_rows: int = 1, style: str = "cell") -> Table:
    """Return a ruled table; the first ``header_rows`` rows are shaded and repeat on each page."""
    data = [[_cell(v, "head" if i < header_rows else style) for v in row]
            for i, row in enumerate(rows)]
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), SHADE))
    return table(data, col_widths, commands, repeatRows=header_rows)


def kv_table(pairs, col_widths=None, columns: int = 1) -> Table:
    """Return a label/value grid; ``columns`` label/value pairs per row, labels shaded."""
    if col_widths is None:
        label = 28 * mm
        value = FRAME_WIDTH / columns - label
        col_widths = [label, value] * columns
    rows = []
    for start in range(0, len(pairs), columns):
        row = []
        for label, value in pairs[start:start + columns]:
            row += [_cell(label, "cell"), _cell(value, "cell")]
        row += [""] * (2 * columns - len(row))
        rows.append(row)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for c in range(0, 2 * columns, 2):
        commands.append(("BACKGROUND", (c, 0), (c, -1), SHADE))
    return table(rows, col_widths, commands)


def signature_table(labels, with_date: bool = True, width: float = FRAME_WIDTH) -> Table:
    """Return sign-off lines: "<label>（签字）：______  日期：    年  月  日" per label."""
    texts = [f"{label}（签字）：" for label in labels]
    label_w = max(fonts.string_width(t, 12) for t in texts) + 8
    date_w = BlankDate().wrap(0, 0)[0] if with_date else 0
    line_w = width - label_w - date_w - 10
    rows = []
    for text in texts:
        row = [para(text, "plain"), "", ""]
        if with_date:
            row.append(BlankDate())
        rows.append(row)
    widths = [label_w, line_w, 10] + ([date_w] if with_date else [])
    return table(rows, widths, [
        ("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ], rowHeights=[23] * len(rows))


class BlankDate(Flowable):
    """"日期：    年    月    日" with room to write the date by hand."""

    def __init__(self, label: str = "日期：", size: float = 12):
        super().__init__()
        self.label, self.size = label, size

    def wrap(self, avail_width, avail_height):
        # Same box as a one-line "plain" Paragraph, so the baselines line up in a row.
        self.height = STYLES["plain"].leading
        return fonts.string_width(self.label + BLANK_DATE, self.size), self.height

    def draw(self):
        fonts.draw_string(self.canv, 0, self.height - self.size, self.label + BLANK_DATE,
                          self.size)


class _NumberedCanvas(Canvas):
    """Canvas that writes "第 n 页 共 m 页" and a footer line once the page count is known."""

    footer = ""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self._saved_pages = []

    def showPage(self):
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved_pages)
        for number, state in enumerate(self._saved_pages, start=1):
            self.__dict__.update(state)
            page_width = self._pagesize[0]
            text = f"第 {number} 页 共 {total} 页"
            fonts.draw_string(self, page_width - MARGIN - fonts.string_width(text, 9),
                              12 * mm, text, 9)
            if self.footer:
                fonts.draw_string(self, MARGIN, 12 * mm, self.footer, 9)
            super().showPage()
        super().save()


@contextlib.contextmanager
def atomic_output(out_path, what: str = "文书"):
    """forms.files.atomic_path for a document: yields the temp path as a str (for reportlab);
    anything the drawing code raises that is not a ClerkError becomes an ExportError naming it."""
    out = Path(out_path)
    try:
        with files.atomic_path(out, what=what) as tmp:
            yield str(tmp)
    except ClerkError:
        raise
    except Exception as e:
        raise ExportError(f"{what} {out.name} 生成失败（{type(e).__name__}: {e}）") from e


def build_document(out_path, story, title: str, footer: str = "", subject: str = "") -> Path:
    """Build an A4 PDF from a platypus ``story`` atomically; return its path."""
    fonts.register_fonts()
    canvas_class = type("FooterCanvas", (_NumberedCanvas,), {"footer": footer})
    with atomic_output(out_path, title) as tmp:
        doc = SimpleDocTemplate(
            tmp, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
            topMargin=14 * mm, bottomMargin=20 * mm, title=title, subject=subject,
            author=CREATOR, creator=CREATOR, initialFontName=fonts.BASE_FONT, invariant=0)
        doc.build(list(story), canvasmaker=canvas_class)
    return Path(out_path)


def doc_number(word: str, case_no: str, day: date) -> str:
    """Return a 文号-like line, e.g. "补正告字〔2025〕第 W01-20250304-0001 号"."""
    return f"{word}〔{day.year}〕第 {case_no} 号"


def case_barcode(case_no: str, module: float = 0.9, height: float = 30) -> Table:
    """Return the case number as Code 128 with the number printed under it."""
    from exports.barcodes import Code128Flowable
    symbol = Code128Flowable(case_no, module=module, height=height)
    return table([[symbol], [para(case_no, "number")]], [symbol.width], [
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
    ], hAlign="RIGHT")


def letterhead(issuer: str, right: Flowable | None) -> Table:
    """Return the top band: issuing body on the left, a barcode block on the right."""
    right_width = right.wrap(FRAME_WIDTH, 200)[0] if right is not None else 0
    return table([[para(issuer, "plain"), right or ""]],
                 [FRAME_WIDTH - right_width, right_width], [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ])


def wrap_lines(text: str, size: float, width: float, max_lines: int = 0) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` points at ``size`` (canvas drawing)."""
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line, used = "", 0.0
        for ch in paragraph:
            w = fonts.string_width(ch, size)
            # A closing mark may hang past the edge rather than open the next line.
            if line and used + w > width and ch not in _paragraph.ALL_CANNOT_START:
                lines.append(line)
                line, used = "", 0.0
            line += ch
            used += w
        lines.append(line)
    if max_lines and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return lines
