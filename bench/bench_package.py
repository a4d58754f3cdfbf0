"""Bytes per page of the case package against two simpler ways to put scans in a PDF.

    .venv/bin/python bench/bench_package.py [--text-pages 6] [--out DIR]

Makes a realistic set of 300 dpi page images (greyscale text pages as a
scanner delivers them, a colour page with a red seal, an ID-card copy with a
photo, a document-camera JPEG) and builds the same pages three ways:

* package:   exports.package.build_package (per-page G4 / JPEG q75, direct embedding)
* lossless:  img2pdf-style direct embedding without re-encoding (PNG sources as
             8-bit Flate, JPEG sources as-is) — what img2pdf would produce
* reportlab: canvas.drawImage of each source file (reportlab re-encodes)

and prints bytes per page for each. Writes only under --out (a temp folder by default).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pikepdf  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter, ImageFont  # noqa: E402

from exports import fonts  # noqa: E402
from exports.package import (PackageInfo, PackageMaterial, PackagePage,  # noqa: E402
                             build_package)
from exports.signing import load_or_create_window_key  # noqa: E402

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
A4_300 = (2480, 3508)
PARAGRAPH = ("申请人因户口迁移需要，向属地公安机关提交相关材料。本人承诺所提供的材料真实有效，"
             "如有虚假愿承担相应法律责任。经办窗口已对原件进行核验，复印件与原件一致。")


def scanner_noise(img: Image.Image, seed: int) -> Image.Image:
    """Blur and grain like a real 300 dpi greyscale scan (paper is never 255)."""
    rng = np.random.default_rng(seed)
    a = np.asarray(img.filter(ImageFilter.GaussianBlur(0.8)), dtype=np.float32)
    a = a * 0.92 + 8 + rng.normal(0, 4, a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), img.mode)


def text_page(path: Path, seed: int) -> None:
    img = Image.new("L", A4_300, 255)
    d = ImageDraw.Draw(img)
    d.text((250, 220), "材料第 %d 页" % (seed + 1), font=ImageFont.truetype(FONT, 80), fill=0)
    f = ImageFont.truetype(FONT, 50)
    y = 400
    for _ in range(6):
        line = ""
        for ch in PARAGRAPH * 2:
            if d.textlength(line + ch, font=f) > 1980:
                d.text((250, y), line, font=f, fill=0)
                y += 80
                line = ""
            line += ch
        y += 60
    scanner_noise(img, seed).save(path, dpi=(300, 300))


def seal_page(path: Path) -> None:
    text_page(path, 99)
    img = Image.open(path).convert("RGB")
    d = ImageDraw.Draw(img)
    d.ellipse((1650, 2750, 2150, 3250), outline=(215, 30, 30), width=18)
    d.text((1750, 2960), "专用章", font=ImageFont.truetype(FONT, 80), fill=(215, 30, 30))
    img.save(path, dpi=(300, 300))


def id_copy_page(path: Path) -> None:
    img = Image.new("L", A4_300, 250)
    rng = np.random.default_rng(7)
    card = (rng.normal(150, 40, (640, 1010)).clip(0, 255)).astype(np.uint8)
    card_img = Image.fromarray(card).filter(ImageFilter.GaussianBlur(3))
    img.paste(card_img, (735, 500))
    d = ImageDraw.Draw(img)
    d.text((800, 560), "姓名 张三  公民身份号码 110101199003074514",
           font=ImageFont.truetype(FONT, 36), fill=20)
    scanner_noise(img, 5).save(path, dpi=(300, 300))


def camera_jpeg(path: Path) -> None:
    seal_page(path.with_suffix(".png"))
    Image.open(path.with_suffix(".png")).save(path, quality=92, dpi=(300, 300))


def lossless_pdf(sources: list[Path], out: Path) -> None:
    """img2pdf-style: every image embedded without re-encoding."""
    pdf = pikepdf.new()
    for src in sources:
        im = Image.open(src)
        dpi = im.info.get("dpi", (300, 300))[0]
        w, h = im.width * 72 / dpi, im.height * 72 / dpi
        pdf.add_blank_page(page_size=(w, h))
        page = pdf.pages[-1]
        if im.format == "JPEG":
            stream = pikepdf.Stream(pdf, src.read_bytes(), Filter=pikepdf.Name.DCTDecode)
        else:
            stream = pikepdf.Stream(pdf, zlib.compress(im.tobytes(), 6),
                                    Filter=pikepdf.Name.FlateDecode)
        stream.Type, stream.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        stream.Width, stream.Height, stream.BitsPerComponent = im.width, im.height, 8
        stream.ColorSpace = pikepdf.Name.DeviceRGB if im.mode == "RGB" else pikepdf.Name.DeviceGray
        name = page.add_resource(stream, pikepdf.Name.XObject)
        page.contents_add(pdf.make_stream(f"q {w} 0 0 {h} 0 0 cm {name} Do Q".encode()))
    pdf.save(out)


def reportlab_pdf(sources: list[Path], out: Path) -> None:
    c = fonts.make_canvas(str(out), (595.2, 841.92))
    for src in sources:
        c.setPageSize((595.2, 841.92))
        c.drawImage(str(src), 0, 0, 595.2, 841.92)
        c.showPage()
    c.save()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--text-pages", type=int, default=6)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-package-"))
    out.mkdir(parents=True, exist_ok=True)
    sources = []
    for i in range(args.text_pages):
        text_page(out / f"text{i}.png", i)
        sources.append(out / f"text{i}.png")
    seal_page(out / "seal.png")
    id_copy_page(out / "idcopy.png")
    camera_jpeg(out / "camera.jpg")
    sources += [out / "seal.png", out / "idcopy.png", out / "camera.jpg"]
    src_bytes = sum(p.stat().st_size for p in sources)

    c = fonts.make_canvas(str(out / "transmittal.pdf"), (595.27, 841.89))
    fonts.draw_string(c, 72, 760, "跨域通办材料流转单", 18)
    c.showPage()
    c.save()
    transmittal_bytes = (out / "transmittal.pdf").stat().st_size
    key = load_or_create_window_key(out / "keys")
    info = PackageInfo("BENCH-0001", "户口迁移", "本窗口", "属地", "bench")
    rows = []
    t = time.perf_counter()
    res = build_package(info, out / "transmittal.pdf",
                        [PackageMaterial("材料", [PackagePage(p) for p in sources])], out / "pkg", key)
    rows.append(("package (G4/JPEG q75)", res.bytes - transmittal_bytes, time.perf_counter() - t))
    t = time.perf_counter()
    lossless_pdf(sources, out / "lossless.pdf")
    rows.append(("lossless direct (img2pdf-style)", (out / "lossless.pdf").stat().st_size,
                 time.perf_counter() - t))
    t = time.perf_counter()
    reportlab_pdf(sources, out / "reportlab.pdf")
    rows.append(("reportlab drawImage", (out / "reportlab.pdf").stat().st_size,
                 time.perf_counter() - t))

    n = len(sources)
    print(f"{n} pages ({args.text_pages} grey text, seal colour, ID copy, camera JPEG), "
          f"source files {src_bytes / n / 1024:.0f} KiB/page; output in {out}")
    print(f"{'method':34} {'KiB/page':>9} {'total KiB':>10} {'seconds':>8}")
    for name, size, secs in rows:
        print(f"{name:34} {size / n / 1024:9.1f} {size / 1024:10.0f} {secs:8.2f}")
    with pikepdf.open(res.pdf_path) as pdf:
        print("package pages:")
        for page, src in zip(pdf.pages[1:], sources):
            for img in page.get_images().values():
                print(f"  {src.name:12} {str(img.Filter)[1:]:15} {int(img.BitsPerComponent)} bit "
                      f"{len(img.read_raw_bytes()) / 1024:7.1f} KiB  (source {src.stat().st_size / 1024:.0f} KiB)")
    print(f"package zip (PDF + page files + manifest): {res.zip_bytes / n / 1024:.1f} KiB/page")
    legibility(res.pdf_path, sources, out)
    return 0


def legibility(pdf_path: Path, sources: list[Path], out: Path) -> None:
    """Tesseract on a package page rendered at 300 dpi vs on its source image (CER)."""
    import subprocess

    import pytesseract

    def squash(s: str) -> str:
        return "".join(s.split())

    from scanner.ocr import character_error_rate

    def cer(got: str, want: str) -> float:
        return character_error_rate(want, got)

    for index in (0, len(sources) - 3):           # a text page and the seal page
        page = index + 2                           # after the transmittal
        subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", "-singlefile", "-f", str(page),
                        "-l", str(page), str(pdf_path), str(out / "legible")], check=True)
        want = squash(pytesseract.image_to_string(Image.open(sources[index]).convert("L"),
                                                  lang="chi_sim"))
        got = squash(pytesseract.image_to_string(Image.open(out / "legible.png"), lang="chi_sim"))
        print(f"legibility {sources[index].name}: Tesseract CER package vs source "
              f"{cer(got, want):.4f} ({len(want)} chars)")


if __name__ == "__main__":
    sys.exit(main())
