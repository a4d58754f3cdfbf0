"""EMS labels (面单) for the package of a case: 100×150 mm and 76×130 mm thermal, A4 fallback.

The tracking number is checked (UPU S10 check digit, or the 13-digit domestic
form) before anything is drawn or written. Its Code 128 uses bars a whole
number of 203 dpi dots wide, starting on a dot boundary, with 10-module quiet
zones, so a thermal head prints every bar exactly; the case QR code is
dot-aligned the same way. Sizes are points unless named ``*_mm``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from exports import fonts
from exports.barcodes import QUIET_MODULES, code128_width, dots, draw_code128, draw_qr, qr_side
from exports.docmodel import CaseDoc
from exports.layout import CREATOR, atomic_output, cn_date, wrap_lines
from forms import identifiers
from forms.errors import ExportError, InvalidIdentifier

THERMAL_DPI = 203
MIN_FONT_PT = 7.0       # smallest text a courier can still read off a thermal label


@dataclass(frozen=True)
class LabelSpec:
    width_mm: float
    height_mm: float
    margin_mm: float
    font_scale: float
    # section heights, mm from the top, in order: header, barcode, recipient, sender, contents
    sections_mm: tuple[float, float, float, float, float]
    bar_height_mm: float
    qr_dots: int            # QR module size in 203 dpi dots


LABELS = {
    "100x150": LabelSpec(100, 150, 3, 1.0, (12, 25, 38, 26, 22), 15, 5),
    "76x130": LabelSpec(76, 130, 2.5, 0.82, (10, 22, 34, 24, 20), 13, 4),
}
LABEL_CHOICES = ("100x150", "76x130", "a4")


def check_tracking_number(value: str) -> str:
    """Return the normalized tracking number, or raise InvalidIdentifier (Chinese) if it is wrong."""
    if not (value or "").strip():
        raise InvalidIdentifier("尚未填写 EMS 邮件号，请先录入邮件号再打印面单")
    result = identifiers.check(value, "tracking")
    if not result.valid:
        raise InvalidIdentifier(f"邮件号“{value}”有误：{result.error}，请核对后重新输入")
    return result.normalized


def package_contents(doc: CaseDoc) -> tuple[int, int]:
    """Return (copies of materials, originals enclosed) of what goes in the package."""
    shipped = [m for m in doc.materials if m.provided]
    return sum(m.copies for m in shipped), sum(1 for m in shipped if m.original_enclosed)


def contents_text(doc: CaseDoc) -> str:
    """Return the 内件 line, e.g. "跨域通办申请材料 5 份（其中原件 3 份）"."""
    copies, originals = package_contents(doc)
    return f"跨域通办申请材料 {copies} 份（其中原件 {originals} 份）"


def bar_dots_for(tracking: str, spec: LabelSpec) -> int:
    """Return the Code 128 module width in 203 dpi dots: the widest of 4, 3, 2 that fits the label."""
    avail = (spec.width_mm - 2 * spec.margin_mm) * mm
    for n in (4, 3, 2):
        if code128_width(tracking, dots(n, THERMAL_DPI)) <= avail:
            return n
    raise ExportError(f"邮件号 {tracking} 太长，{spec.width_mm:g} mm 宽的标签放不下可扫描的条码")


def _snap(value: float) -> float:
    """Round a coordinate up to the next 203 dpi dot boundary."""
    dot = dots(1, THERMAL_DPI)
    return math.ceil(value / dot - 1e-9) * dot


class _LabelPainter:
    """Draws one label with its lower-left corner at the canvas origin."""

    def __init__(self, canvas, spec: LabelSpec, doc: CaseDoc, tracking: str, weight_g: int,
                 contents: str, shipped_on: date):
        self.c, self.spec, self.doc = canvas, spec, doc
        self.tracking, self.weight_g, self.shipped_on = tracking, weight_g, shipped_on
        self.contents_line = contents
        self.w, self.h = spec.width_mm * mm, spec.height_mm * mm
        self.m = spec.margin_mm * mm

    def size(self, pt: float) -> float:
        return max(pt * self.spec.font_scale, MIN_FONT_PT)

    def text(self, x, y, text, pt, bold=False):
        self.c.saveState()
        if bold:
            self.c.setLineWidth(self.size(pt) * 0.04)
        width = fonts.draw_string(self.c, x, y, text, self.size(pt), render_mode=2 if bold else 0)
        self.c.restoreState()
        return width

    def rule(self, top):
        self.c.setLineWidth(0.8)
        self.c.line(0, self.h - top, self.w, self.h - top)

    def paint(self):
        c, spec = self.c, self.spec
        c.setLineWidth(1.0)
        c.rect(0.5, 0.5, self.w - 1, self.h - 1, stroke=1, fill=0)
        top = 0.0
        for height_mm, draw in zip(spec.sections_mm, (self.header, self.barcode, self.recipient,
                                                      self.sender, self.contents)):
            draw(top, height_mm * mm)
            top += height_mm * mm
            self.rule(top)
        self.footer(top, self.h - top)

    def header(self, top, height):
        base = self.h - top - height / 2 - self.size(6)
        ems_width = self.text(self.m, base, "EMS", 20, bold=True)
        self.text(self.m + ems_width + 2 * mm, base + self.size(7), "中国邮政速递物流", 7)
        self.text(self.m + ems_width + 2 * mm, base, "政务专递", 7)
        tag = "跨域通办"
        tag_w = fonts.string_width(tag, self.size(10)) + 3 * mm
        x = self.w - self.m - tag_w
        self.c.rect(x, base - 1.5 * mm, tag_w, self.size(10) + 3 * mm, stroke=1, fill=0)
        self.text(x + 1.5 * mm, base + 0.2 * mm, tag, 10, bold=True)

    def barcode(self, top, height):
        module = dots(bar_dots_for(self.tracking, self.spec), THERMAL_DPI)
        total = code128_width(self.tracking, module)
        x = _snap((self.w - total) / 2)
        bar_h = self.spec.bar_height_mm * mm
        y = self.h - top - 2 * mm - bar_h
        draw_code128(self.c, x, y, self.tracking, module, bar_h, QUIET_MODULES)
        size = self.size(12)
        tw = fonts.string_width(self.tracking, size)
        fonts.draw_string(self.c, (self.w - tw) / 2, y - size - 1 * mm, self.tracking, size)

    def _side_label(self, top, height, label):
        col = 6 * mm
        self.c.line(col, self.h - top, col, self.h - top - height)
        step = self.size(10) * 1.25
        y = self.h - top - (height - step * len(label)) / 2 - self.size(10)
        for ch in label:
            self.text((col - self.size(10)) / 2, y, ch, 10, bold=True)
            y -= step
        return col + 1.5 * mm

    def _block(self, top, height, label, lines):
        x = self._side_label(top, height, label)
        width = self.w - x - self.m
        y = self.h - top - 1.5 * mm
        for text, pt, bold, max_lines in lines:
            for line in wrap_lines(text, self.size(pt), width, max_lines):
                y -= self.size(pt) * 1.25
                self.text(x, y, line, pt, bold)

    def recipient(self, top, height):
        h = self.doc.home
        self._block(top, height, "收件", [
            (h.receiving_window or h.name, 11, True, 2),
            (f"{h.contact}　{h.phone}", 10, False, 1),
            (h.department, 9, False, 1),
            (h.address, 9.5, False, 3),
            (f"邮编 {h.postcode}", 10, True, 1),
        ])

    def sender(self, top, height):
        w = self.doc.window
        self._block(top, height, "寄件", [
            (w.name, 9, False, 2),
            (f"{self.doc.clerk_name}　{w.phone}", 9, False, 1),
            (w.address, 8.5, False, 2),
            (f"邮编 {w.postcode}", 8.5, False, 1),
        ])

    def contents(self, top, height):
        _, originals = package_contents(self.doc)
        weight = f"{self.weight_g} g" if self.weight_g else "______ g"
        lines = [(f"内件：{self.contents_line}", 9), (f"重量：{weight}", 9),
                 (f"寄件日期：{cn_date(self.shipped_on)}", 9)]
        if originals:
            lines.append(("内有证件原件，请妥善保管、当面签收", 9))
        y = self.h - top - 1 * mm
        for text, pt in lines:
            for line in wrap_lines(text, self.size(pt), self.w - 2 * self.m, 2):
                y -= self.size(pt) * 1.3
                self.text(self.m, y, line, pt)

    def footer(self, top, height):
        module = dots(self.spec.qr_dots, THERMAL_DPI)
        side = qr_side(self.doc.case_no, module)
        x = _snap(self.w - self.m - side)
        y = (height - side) / 2
        draw_qr(self.c, x, y, self.doc.case_no, module)
        ty = height - 1 * mm
        for text, pt, gap in (("办件编号", 8, 1.3), (self.doc.case_no, 8, 1.3),
                              ("签收人：", 9, 2.0), ("签收时间：", 9, 1.6)):
            ty -= self.size(pt) * gap
            self.text(self.m, ty, text, pt)


def build_waybill(doc: CaseDoc, tracking_number: str, out_path, label: str = "100x150",
                  weight_g: int = 0, shipped_on: date | None = None,
                  contents: str | None = None) -> Path:
    """Write the EMS label PDF for ``doc``'s package; label is "100x150", "76x130" or "a4".

    The tracking number is validated first: a wrong S10 check digit raises
    InvalidIdentifier and no file is created. ``contents`` replaces the
    computed 内件 text; ``shipped_on`` defaults to today.
    """
    tracking = check_tracking_number(tracking_number)
    if label not in LABEL_CHOICES:
        raise ExportError(f"不支持的面单规格：{label}（可选 100x150、76x130、a4）")
    home = doc.home
    if not (home.address and home.postcode):
        raise ExportError(f"属地 {home.name} 的收件地址或邮编为空，请先在合作方资料中补全")
    spec = LABELS["100x150" if label == "a4" else label]
    shipped_on = shipped_on or date.today()
    pagesize = A4 if label == "a4" else (spec.width_mm * mm, spec.height_mm * mm)
    with atomic_output(out_path, "EMS面单") as tmp:
        c = fonts.make_canvas(tmp, pagesize)
        c.setTitle(f"EMS面单 {tracking}")
        c.setAuthor(CREATOR)
        c.setCreator(CREATOR)
        painter = _LabelPainter(c, spec, doc, tracking, weight_g,
                                contents or contents_text(doc), shipped_on)
        if label == "a4":
            _place_on_a4(c, painter)
        else:
            painter.paint()
        c.showPage()
        c.save()
    return Path(out_path)


def _place_on_a4(c, painter: _LabelPainter) -> None:
    """Centre the 100×150 label on A4 inside a dashed cutting line, with a note above it."""
    x0 = (A4[0] - painter.w) / 2
    y0 = A4[1] - 25 * mm - painter.h
    fonts.draw_string(c, x0, y0 + painter.h + 8 * mm,
                      "EMS 面单（A4 备用打印：请沿虚线剪下，贴于邮件正面）", 11)
    c.saveState()
    c.setDash(4, 3)
    c.setLineWidth(0.5)
    c.rect(x0 - 4 * mm, y0 - 4 * mm, painter.w + 8 * mm, painter.h + 8 * mm, stroke=1, fill=0)
    c.restoreState()
    c.saveState()
    c.translate(x0, y0)
    painter.paint()
    c.restoreState()
