"""Embedded CJK fonts with per-character fallback for rare name characters.

Three TrueType fonts are registered with reportlab:

* ``CJK``      WenQuanYi Micro Hei (falls back to Zen Hei): ASCII and common Han;
* ``CJK-ExtA`` HanaMinA: CJK Extension A (e.g. 㛃 U+36C3) and much of the SIP;
* ``CJK-ExtB`` HanaMinB: CJK Extensions B-F (e.g. 𪚥 U+2A6A5, 𠈌 U+2020C).

Each character is drawn in the first of these whose cmap has its glyph, so a
name such as 张𪚥 prints with no missing box. Every font is embedded, and the
canvas's initial font is ``CJK`` so no unembedded Helvetica ever appears.

register_fonts() also mends reportlab 5.1's ToUnicode CMap writer (see
_to_unicode_cmap): without it a copy-paste or ``pdftotext`` of 𪚥 gives ⩪.
"""
from __future__ import annotations

import functools
import os
import threading
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from forms.errors import ExportError

BASE_FONT = "CJK"
EXT_A_FONT = "CJK-ExtA"
EXT_B_FONT = "CJK-ExtB"

# (name, [(path, subfontIndex), ...] tried in order, Debian package)
_FONT_SOURCES = (
    (BASE_FONT, [("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
                 ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0)],
     "fonts-wqy-microhei"),
    (EXT_A_FONT, [("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf", 0)], "fonts-hanazono"),
    (EXT_B_FONT, [("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf", 0)], "fonts-hanazono"),
)
FALLBACK_ORDER = (BASE_FONT, EXT_A_FONT, EXT_B_FONT)

_lock = threading.Lock()
_registered = False
_ORIGINAL_TOUNICODE = ttfonts.makeToUnicodeCMap
_BFCHAR_BLOCK = 100     # PDF 32000-1 §9.10.3: at most 100 entries per beginbfchar


def _utf16_hex(code: int) -> str:
    """Return a code point as the hex of its UTF-16BE units (a surrogate pair beyond U+FFFF)."""
    if code > 0xFFFF:
        code -= 0x10000
        return "%04X%04X" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF))
    return "%04X" % code


def _to_unicode_cmap(fontname, subset):
    """Replacement for reportlab.pdfbase.ttfonts.makeToUnicodeCMap (reportlab 5.1.0).

    The original writes each destination as ``<%04X>``, so U+2A6A5 becomes the
    five-digit ``<2A6A5>`` which readers take as U+2A6A plus a stray nibble
    (pdftotext prints ⩪). A ToUnicode destination must be UTF-16BE, so a code
    point beyond the BMP is written as its surrogate pair ``<D869DEA5>``. The
    original writes only bfchar entries (no bfrange), so no range can straddle
    the BMP boundary; we keep it that way and also split the entries into
    blocks of 100 as the PDF spec asks. Everything else is byte-for-byte the
    original layout.
    """
    entries = ["<%02X> <%s>" % (i, _utf16_hex(v)) for i, v in enumerate(subset)]
    body = []
    for start in range(0, len(entries), _BFCHAR_BLOCK):
        block = entries[start:start + _BFCHAR_BLOCK]
        body += ["%d beginbfchar" % len(block)] + block + ["endbfchar"]
    cmap = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        "<< /Registry (%s)" % fontname,
        "/Ordering (%s)" % fontname,
        "/Supplement 0",
        ">> def",
        "/CMapName /%s def" % fontname,
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<00> <%02X>" % (len(subset) - 1),
        "endcodespacerange",
    ] + body + [
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(cmap)


def _install_tounicode_patch(enabled: bool = True) -> None:
    """Swap reportlab's ToUnicode writer for ours (or back, for the regression test)."""
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap if enabled else _ORIGINAL_TOUNICODE


def register_fonts() -> None:
    """Register the CJK fonts and the ToUnicode patch once; any thread; idempotent."""
    global _registered
    with _lock:
        if _registered:
            return
        _install_tounicode_patch(True)
        for name, candidates, package in _FONT_SOURCES:
            path, index = next(((p, i) for p, i in candidates if os.path.exists(p)),
                               candidates[0])
            if not os.path.exists(path):
                raise ExportError(f"缺少字体文件 {path}，请安装 Debian 软件包 {package}")
            try:
                pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
            except Exception as e:  # reportlab raises TTFError, struct.error, OSError...
                raise ExportError(f"无法加载字体文件 {path}（{e}）") from e
            # No real bold/italic faces: map them to the same face so <b> never
            # falls back to Helvetica; callers fake bold with render_mode=2.
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(name, bold, italic, name)
        _registered = True


def make_canvas(target, pagesize, **kw) -> Canvas:
    """Return a Canvas (A4/label size in points) whose initial font is the embedded CJK font."""
    register_fonts()
    kw.setdefault("initialFontName", BASE_FONT)
    kw.setdefault("initialFontSize", 10)
    return Canvas(target, pagesize=pagesize, **kw)


@functools.lru_cache(maxsize=8192)
def font_for_char(ch: str) -> str:
    """Return the first registered font whose cmap has a glyph for ``ch`` (else CJK)."""
    register_fonts()
    code = ord(ch)
    if code == 0xA0:
        code = 0x20
    for name in FALLBACK_ORDER:
        if code in pdfmetrics.getFont(name).face.charToGlyph:
            return name
    return BASE_FONT


def text_runs(text: str) -> list[tuple[str, str]]:
    """Split ``text`` into [(font_name, run_text), ...] runs of one font each."""
    runs: list[tuple[str, str]] = []
    for ch in text:
        name = font_for_char(ch)
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1] + ch)
        else:
            runs.append((name, ch))
    return runs


def string_width(text: str, size: float) -> float:
    """Return the width in points of ``text`` at ``size`` points with per-char fallback."""
    return sum(pdfmetrics.stringWidth(run, name, size) for name, run in text_runs(text))


def draw_string(canvas, x, y, text, size, render_mode=0, horiz_scale=100) -> float:
    """Draw ``text`` at (x, y) points with per-char font fallback; return its width in points.

    render_mode is the PDF text rendering mode (0 fill, 2 fill+stroke for a
    faux bold, 3 invisible for an OCR layer); horiz_scale is in percent.
    """
    if not text:
        return 0.0
    # The text render mode and Tz persist in the PDF graphics state across text
    # objects, and reportlab omits "0 Tr" when it believes mode 0 is current:
    # save/restore so an invisible OCR run never leaks into later visible text.
    canvas.saveState()
    tobj = canvas.beginText(x, y)
    tobj.setTextRenderMode(render_mode)
    tobj.setHorizScale(horiz_scale)
    for name, run in text_runs(text):
        tobj.setFont(name, size)
        tobj.textOut(run)
    canvas.drawText(tobj)
    canvas.restoreState()
    return string_width(text, size) * horiz_scale / 100.0


def paragraph_markup(text: str) -> str:
    """Escape ``text`` for a platypus Paragraph and wrap rare characters in <font name=...>.

    Newlines become <br/>. The Paragraph's style must use fontName "CJK".
    """
    parts = []
    for line_no, line in enumerate(text.split("\n")):
        if line_no:
            parts.append("<br/>")
        for name, run in text_runs(line):
            if name == BASE_FONT:
                parts.append(escape(run))
            else:
                parts.append('<font name="%s">%s</font>' % (name, escape(run)))
    return "".join(parts)
