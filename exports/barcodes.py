"""Code 128 and QR codes drawn straight onto a canvas as filled rectangles.

We draw the modules ourselves (reportlab supplies the encoding) for two
reasons: every module edge can sit on a printer-dot boundary, so a 203 dpi
thermal head prints bars of exact width; and reportlab's renderPDF path for
widgets sets Helvetica, which would put an unembedded font in the PDF.
Sizes are in PDF points (1/72 inch).
"""
from __future__ import annotations

import itertools

from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.code128 import Code128
from reportlab.platypus.flowables import Flowable

from forms.errors import ExportError

QUIET_MODULES = 10      # ISO/IEC 15417 asks for a quiet zone of at least 10 modules


def dots(n: int, dpi: int = 203) -> float:
    """Return ``n`` printer dots at ``dpi`` in points."""
    return n * 72.0 / dpi


def code128_runs(value: str) -> list[tuple[bool, int]]:
    """Return Code 128 as [(is_bar, width_in_modules), ...], start to stop."""
    if not value or any(not (32 <= ord(c) < 127) for c in value):
        raise ExportError(f"条码内容“{value}”含有不可编码的字符")
    symbol = Code128(value)
    symbol.validate()
    symbol.encode()
    runs = []
    for ch in symbol.decompose():
        # reportlab writes bars as A-D and spaces as a-d, the letter being the width.
        runs.append((ch.isupper(), ord(ch.lower()) - ord("a") + 1))
    return runs


def code128_modules(value: str) -> int:
    """Return the symbol width in modules, without quiet zones."""
    return sum(w for _, w in code128_runs(value))


def draw_code128(canvas, x: float, y: float, value: str, module: float, height: float,
                 quiet: int = QUIET_MODULES) -> float:
    """Draw Code 128 with its lower-left (quiet zone included) at (x, y); return total width."""
    left = x + quiet * module
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    for is_bar, width in code128_runs(value):
        if is_bar:
            canvas.rect(left, y, width * module, height, stroke=0, fill=1)
        left += width * module
    canvas.restoreState()
    return left + quiet * module - x


def code128_width(value: str, module: float, quiet: int = QUIET_MODULES) -> float:
    """Return the width in points of the symbol plus both quiet zones."""
    return (code128_modules(value) + 2 * quiet) * module


def qr_matrix(value: str, level: str = "M") -> list[list[bool]]:
    """Return the QR modules, row by row from the top, True for dark."""
    qr = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    qr.addData(value)
    qr.make()
    return [[bool(m) for m in row] for row in qr.modules]


def qr_side(value: str, module: float, border: int = 4, level: str = "M") -> float:
    """Return the side in points of the QR code including its border."""
    return (len(qr_matrix(value, level)) + 2 * border) * module


def draw_qr(canvas, x: float, y: float, value: str, module: float, border: int = 4,
            level: str = "M") -> float:
    """Draw a QR code with its lower-left (border included) at (x, y); return its side."""
    matrix = qr_matrix(value, level)
    n = len(matrix)
    side = (n + 2 * border) * module
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        top = y + side - (border + r) * module
        c = 0
        for dark, group in itertools.groupby(row):
            count = len(list(group))
            if dark:
                canvas.rect(x + (border + c) * module, top - module, count * module, module,
                            stroke=0, fill=1)
            c += count
    canvas.restoreState()
    return side


class Code128Flowable(Flowable):
    """A Code 128 symbol in a platypus story, human-readable text drawn by the caller."""

    def __init__(self, value: str, module: float = 0.9, height: float = 36,
                 quiet: int = QUIET_MODULES):
        super().__init__()
        self.value, self.module, self.bar_height, self.quiet = value, module, height, quiet
        self.width = code128_width(value, module, quiet)
        self.height = height

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def draw(self):
        draw_code128(self.canv, 0, 0, self.value, self.module, self.bar_height, self.quiet)


class QRFlowable(Flowable):
    """A QR code of a given side (points, border included) in a platypus story."""

    def __init__(self, value: str, side: float = 72, border: int = 4, level: str = "M"):
        super().__init__()
        self.value, self.border, self.level = value, border, level
        count = len(qr_matrix(value, level)) + 2 * border
        self.module = side / count
        self.width = self.height = side

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def draw(self):
        draw_qr(self.canv, 0, 0, self.value, self.module, self.border, self.level)
