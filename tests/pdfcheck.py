"""Check PDFs the way a person would, with the real poppler, zbar and qpdf tools.

Every function runs one command-line tool and returns parsed results; none of
them asserts, so tests state what they expect. Files are written only where
the caller says (a pytest tmp_path).
"""
from __future__ import annotations

import base64
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

PT_PER_MM = 72 / 25.4


def _run(args: list[str], check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=120)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{args[0]} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc


def render_png(pdf, out_dir, dpi: int = 300, first: int | None = None,
               last: int | None = None, gray: bool = True, prefix: str = "page") -> list[Path]:
    """Render pages with pdftoppm at ``dpi``; return the PNG paths in page order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    root = out_dir / f"{prefix}-{dpi}"
    args = ["pdftoppm", "-r", dpi, "-png"]
    if gray:
        args.append("-gray")
    if first:
        args += ["-f", first]
    if last:
        args += ["-l", last]
    _run(args + [pdf, root])
    pages = sorted(out_dir.glob(f"{root.name}-*.png"),
                   key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return pages


def render_mono(pdf, out_dir, dpi: int = 203, first: int | None = None,
                last: int | None = None, prefix: str = "mono") -> list[Path]:
    """Render as 1-bit black/white at ``dpi`` (what a thermal printer does), PNG paths in order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    root = out_dir / f"{prefix}-{dpi}"
    args = ["pdftoppm", "-r", dpi, "-mono", "-aa", "no", "-aaVector", "no"]
    if first:
        args += ["-f", first]
    if last:
        args += ["-l", last]
    _run(args + [pdf, root])
    pbms = sorted(out_dir.glob(f"{root.name}-*.pbm"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    pngs = []
    for pbm in pbms:
        # zbarimg reads PBM through ImageMagick; convert to PNG with Pillow to be independent.
        from PIL import Image
        png = pbm.with_suffix(".png")
        Image.open(pbm).save(png)
        pngs.append(png)
    return pngs


@dataclass
class Symbol:
    kind: str        # zbar's name: "CODE-128", "QR-Code", ...
    data: str


def zbar(png) -> list[Symbol]:
    """Decode every barcode in one image with ``zbarimg --xml``; [] if none found."""
    proc = _run(["zbarimg", "--xml", "-q", png], check=False)
    if proc.returncode not in (0, 4):     # 4 = no symbol found
        raise RuntimeError(f"zbarimg failed ({proc.returncode}): {proc.stderr.strip()}")
    if not proc.stdout.strip():
        return []
    root = ET.fromstring(proc.stdout)
    symbols = []
    for sym in root.iter("{http://zbar.sourceforge.net/2008/barcode}symbol"):
        data_el = sym.find("{http://zbar.sourceforge.net/2008/barcode}data")
        text = (data_el.text or "").strip("\n")
        if data_el.get("format") == "base64":
            text = base64.b64decode(text).decode("utf-8", errors="replace")
        symbols.append(Symbol(sym.get("type"), text))
    return symbols


def zbar_raw(png) -> list[str]:
    """Decode with ``zbarimg --raw``: one line per symbol (UTF-8 payloads come out right)."""
    proc = _run(["zbarimg", "--raw", "-q", png], check=False)
    if proc.returncode not in (0, 4):
        raise RuntimeError(f"zbarimg failed ({proc.returncode}): {proc.stderr.strip()}")
    return [line for line in proc.stdout.split("\n") if line]


def zbar_values(png, kind: str) -> list[str]:
    """Return the decoded values of one symbology ("CODE-128", "QR-Code") in an image."""
    return [s.data for s in zbar(png) if s.kind == kind]


def pdftotext(pdf, layout: bool = False, first: int | None = None,
              last: int | None = None) -> str:
    """Return the PDF's text as poppler's pdftotext extracts it (UTF-8)."""
    args = ["pdftotext", "-enc", "UTF-8"]
    if layout:
        args.append("-layout")
    if first:
        args += ["-f", first]
    if last:
        args += ["-l", last]
    return _run(args + [pdf, "-"]).stdout


def squash(text: str) -> str:
    """Remove all whitespace, so text split across runs or lines can be compared."""
    return re.sub(r"\s+", "", text)


@dataclass
class FontRow:
    name: str
    type: str
    encoding: str
    emb: bool
    sub: bool
    uni: bool


def pdffonts(pdf) -> list[FontRow]:
    """Return one row per font listed by ``pdffonts``."""
    out = _run(["pdffonts", pdf]).stdout.splitlines()
    rows = []
    # Columns are fixed width; the header's dashes give their extents.
    dashes = out[1]
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", dashes)]
    for line in out[2:]:
        if not line.strip():
            continue
        cols = [line[a:b + 1].strip() for a, b in spans]
        rows.append(FontRow(cols[0], cols[1], cols[2], cols[3] == "yes",
                            cols[4] == "yes", cols[5] == "yes"))
    return rows


def qpdf_check(pdf) -> tuple[bool, str]:
    """Run ``qpdf --check``; return (passed without warnings, output)."""
    proc = _run(["qpdf", "--check", pdf], check=False)
    out = proc.stdout + proc.stderr
    return proc.returncode == 0 and "WARNING" not in out.upper(), out


def pdfinfo(pdf) -> dict[str, str]:
    """Return ``pdfinfo``'s key/value lines as a dict."""
    out = _run(["pdfinfo", pdf]).stdout
    info = {}
    for line in out.splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def page_count(pdf) -> int:
    """Return the number of pages."""
    return int(pdfinfo(pdf)["Pages"])


def page_sizes_mm(pdf) -> list[tuple[float, float]]:
    """Return (width, height) in mm of every page, rounded to 0.1 mm."""
    n = page_count(pdf)
    out = _run(["pdfinfo", "-f", 1, "-l", n, pdf]).stdout
    sizes = []
    for m in re.finditer(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out):
        sizes.append((round(float(m.group(1)) / PT_PER_MM, 1),
                      round(float(m.group(2)) / PT_PER_MM, 1)))
    return sizes


@dataclass
class Word:
    page: int        # 1-based
    text: str
    x0: float        # points, origin top-left as pdftotext reports
    y0: float
    x1: float
    y1: float


@dataclass
class PageWords:
    width: float
    height: float
    words: list[Word]


def words(pdf) -> list[PageWords]:
    """Return every word with its box, page by page, from ``pdftotext -bbox``."""
    out = _run(["pdftotext", "-bbox", "-enc", "UTF-8", pdf, "-"]).stdout
    ns = "{http://www.w3.org/1999/xhtml}"
    root = ET.fromstring(out)
    pages = []
    for number, page in enumerate(root.iter(f"{ns}page"), start=1):
        found = [Word(number, w.text or "", float(w.get("xMin")), float(w.get("yMin")),
                      float(w.get("xMax")), float(w.get("yMax")))
                 for w in page.iter(f"{ns}word")]
        pages.append(PageWords(float(page.get("width")), float(page.get("height")), found))
    return pages


def words_outside(pdf, margin_pt: float = 0.0) -> list[Word]:
    """Return words whose box leaves the page (less ``margin_pt`` on every side)."""
    bad = []
    for page in words(pdf):
        for w in page.words:
            if (w.x0 < margin_pt - 0.5 or w.y0 < margin_pt - 0.5
                    or w.x1 > page.width - margin_pt + 0.5 or w.y1 > page.height - margin_pt + 0.5):
                bad.append(w)
    return bad


def overlapping_words(pdf, tolerance: float = 0.15) -> list[tuple[Word, Word]]:
    """Return pairs of words on a page whose boxes overlap by more than ``tolerance`` of the smaller."""
    pairs = []
    for page in words(pdf):
        ws = sorted(page.words, key=lambda w: w.y0)
        for i, a in enumerate(ws):
            for b in ws[i + 1:]:
                if b.y0 >= a.y1:
                    break
                dx = min(a.x1, b.x1) - max(a.x0, b.x0)
                dy = min(a.y1, b.y1) - max(a.y0, b.y0)
                if dx <= 0 or dy <= 0:
                    continue
                smaller = min((a.x1 - a.x0) * (a.y1 - a.y0), (b.x1 - b.x0) * (b.y1 - b.y0))
                if smaller > 0 and dx * dy > tolerance * smaller:
                    pairs.append((a, b))
    return pairs


def barcode_row_runs(png, top_fraction: float = 0.0, bottom_fraction: float = 1.0) -> list[tuple[int, int]]:
    """Return [(value, length), ...] pixel runs of the image row with most black/white changes.

    Only rows between the given fractions of the height are searched; values are
    0 (black) or 255 (white) after thresholding at mid-grey.
    """
    import numpy as np
    from PIL import Image
    img = np.asarray(Image.open(png).convert("L")) < 128
    h = img.shape[0]
    rows = range(int(h * top_fraction), int(h * bottom_fraction))
    best = max(rows, key=lambda r: int(np.count_nonzero(img[r, 1:] != img[r, :-1])))
    row = img[best]
    runs = []
    start = 0
    for x in range(1, len(row) + 1):
        if x == len(row) or row[x] != row[start]:
            runs.append((0 if row[start] else 255, x - start))
            start = x
    return runs
