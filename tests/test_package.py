"""The case package PDF: order, bookmarks, OCR text layer, 原件核验 mark, compression.

A real A4 page with Chinese text is rendered with Pillow at 300 dpi and read
by real Tesseract (chi_sim+eng); the package is checked with poppler and qpdf.
"""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import threading

import numpy as np
import pikepdf
import pytest
import pytesseract
from PIL import Image, ImageDraw, ImageFont

from exports import fonts, pageimages, stamps, textlayer
from exports.package import (PackageInfo, PackageMaterial, PackagePage, VerifiedMark,
                             build_package)
from exports.signing import load_or_create_window_key
from forms.errors import Cancelled, ExportError, ImageError
from forms.ocrdata import OcrPage, OcrWord
from tests import pdfcheck

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
TRUTH = [
    "居民身份证申领登记表",
    "姓名：张三    性别：男    民族：汉",
    "公民身份号码：110101199003074514",
    "住址：山东省济南市历下区泉城路123号",
    "申请事由：有效期满换领",
    "本人承诺所提供的材料真实有效，如有虚假",
    "愿承担相应法律责任。",
    "Application No. TB-2024-000123 received",
]
INFO = PackageInfo("TB-2024-000123", "居民身份证换领", "济南市历下区通办专窗", "天津市和平区",
                   "0.1.0")
MARK = VerifiedMark("居民身份证换领", "李四", dt.date(2024, 5, 6))


def cer(got: str, want: str) -> float:
    """Character error rate: Levenshtein distance / len(want)."""
    prev = list(range(len(want) + 1))
    for i, a in enumerate(got, 1):
        cur = [i]
        for j, b in enumerate(want, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a != b)))
        prev = cur
    return prev[-1] / max(1, len(want))


def lines_of(text: str) -> str:
    """Non-blank lines, stripped, joined by newlines (pdftotext adds blank lines and a form feed)."""
    return "\n".join(ln.strip() for ln in text.replace("\f", "").splitlines() if ln.strip())


def render_text_page(path, colour_seal: bool = False) -> None:
    img = Image.new("RGB" if colour_seal else "L", (2480, 3508), "white")
    d = ImageDraw.Draw(img)
    y = 250
    for i, text in enumerate(TRUTH):
        f = ImageFont.truetype(FONT, 83 if i == 0 else 55)
        x = (2480 - d.textlength(text, font=f)) / 2 if i == 0 else 250
        d.text((x, y), text, font=f, fill="black")
        y += 158 if i == 0 else 105
    if colour_seal:
        d.ellipse((1700, 2800, 2200, 3300), outline=(220, 20, 20), width=20)
    img.save(path, dpi=(300, 300))


def ocr(path) -> OcrPage:
    """Real Tesseract on an image, as the OCR step would build an OcrPage."""
    img = Image.open(path)
    data = pytesseract.image_to_data(img, lang="chi_sim+eng",
                                     output_type=pytesseract.Output.DICT)
    words = [OcrWord(data["text"][i], data["left"][i], data["top"][i], data["width"][i],
                     data["height"][i], float(data["conf"][i]), data["block_num"][i],
                     data["par_num"][i], data["line_num"][i])
             for i in range(len(data["text"])) if data["text"][i].strip()]
    return OcrPage(str(path), img.width, img.height, 300, words, textlayer.page_text(words))


def make_transmittal(path) -> None:
    c = fonts.make_canvas(str(path), (595.27, 841.89))
    fonts.draw_string(c, 72, 760, "跨域通办材料流转单", 18)
    c.showPage()
    c.save()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One package: 居民身份证 (verified text page + verified colour page), 户口簿 (text page)."""
    root = tmp_path_factory.mktemp("package")
    text_png, colour_png = root / "text.png", root / "colour.png"
    render_text_page(text_png)
    render_text_page(colour_png, colour_seal=True)
    page_ocr = ocr(text_png)
    transmittal = root / "transmittal.pdf"
    make_transmittal(transmittal)
    key = load_or_create_window_key(root / "keys")
    materials = [
        PackageMaterial("居民身份证", [PackagePage(text_png, page_ocr, MARK),
                                       PackagePage(colour_png, None, MARK)]),
        PackageMaterial("户口簿", [PackagePage(text_png, page_ocr, None)]),
    ]
    calls = []
    result = build_package(INFO, transmittal, materials, root / "out", key,
                           progress=lambda d, t, w: calls.append((d, t, w)))
    return {"root": root, "result": result, "ocr": page_ocr, "key": key, "calls": calls,
            "text_png": text_png, "transmittal": transmittal}


def test_pdf_has_transmittal_first_then_materials_with_chinese_bookmarks(built):
    pdf_path = built["result"].pdf_path
    assert pdf_path.name == "TB-2024-000123.pdf"
    assert pdfcheck.page_count(pdf_path) == 4 == built["result"].pages
    assert "跨域通办材料流转单" in pdfcheck.pdftotext(pdf_path, first=1, last=1)
    with pikepdf.open(pdf_path) as pdf, pdf.open_outline() as outline:
        index = {p.objgen: i for i, p in enumerate(pdf.pages)}
        marks = [(item.title, index[item.destination[0].objgen]) for item in outline.root]
        assert pdf.Root.PageMode == "/UseOutlines"
    assert marks == [("流转单", 0), ("1. 居民身份证（2 页）", 1), ("2. 户口簿（1 页）", 3)]
    ok, out = pdfcheck.qpdf_check(pdf_path)
    assert ok, out
    assert all(f.emb for f in pdfcheck.pdffonts(pdf_path))


def test_progress_reports_every_step_and_finishes_at_total(built):
    calls = built["calls"]
    assert [d for d, _, _ in calls] == list(range(7))
    assert {t for _, t, _ in calls} == {6}
    assert calls[0][2] == "压缩第 1/3 页（居民身份证）"
    assert calls[-1] == (6, 6, "材料包已生成")


def test_pdftotext_gives_back_what_tesseract_read(built):
    pdf_path, page_ocr = built["result"].pdf_path, built["ocr"]
    want = lines_of(page_ocr.text)
    tesseract_cer = cer(pdfcheck.squash(page_ocr.text), pdfcheck.squash("".join(TRUTH)))
    for layout in (False, True):
        got = lines_of(pdfcheck.pdftotext(pdf_path, layout=layout, first=4, last=4))
        assert got == want                          # CER 0 against Tesseract's text
        package_cer = cer(pdfcheck.squash(got), pdfcheck.squash("".join(TRUTH)))
        assert package_cer <= 1.1 * tesseract_cer + 1e-9
    # Tesseract itself reads the page well, so the comparison above means something.
    assert tesseract_cer < 0.1
    got = pdfcheck.pdftotext(pdf_path, first=4, last=4)
    assert "110101199003074514" in got
    assert "Application No. TB-2024-000123 received" in got
    assert not re.search(r"[\u4e00-\u9fff] +[\u4e00-\u9fff]", got)


def test_each_word_stands_where_tesseract_saw_it(built):
    out = subprocess.run(["pdftotext", "-bbox", "-f", "4", "-l", "4",
                          str(built["result"].pdf_path), "-"],
                         capture_output=True, text=True, check=True).stdout
    boxes = {m.group(5): tuple(float(m.group(i)) for i in range(1, 5)) for m in re.finditer(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)<', out)}
    scale = 72 / 300
    for w in built["ocr"].words:
        if w.text in ("110101199003074514", "Application", "received"):
            x0, y0, x1, y1 = boxes[w.text]
            assert x0 == pytest.approx(w.left * scale, abs=0.05)
            if w.text == "received":      # last word of its line: its own right edge
                assert x1 == pytest.approx((w.left + w.width) * scale, abs=0.05)
            centre = (w.top + w.height / 2) * scale
            assert y0 < centre < y1


def test_rare_character_in_ocr_layer_comes_back_exactly(tmp_path):
    blank = tmp_path / "blank.png"
    Image.new("L", (1240, 1754), "white").save(blank, dpi=(150, 150))
    words = [OcrWord("申请人", 100, 100, 180, 60, 95, 1, 1, 1),
             OcrWord("李𪚥", 300, 100, 120, 60, 90, 1, 1, 1),
             OcrWord("Li", 100, 200, 50, 50, 96, 1, 1, 2),
             OcrWord("Xuan", 170, 200, 110, 50, 96, 1, 1, 2)]
    page = OcrPage(str(blank), 1240, 1754, 150, words, "申请人李𪚥\nLi Xuan")
    transmittal = tmp_path / "t.pdf"
    make_transmittal(transmittal)
    result = build_package(INFO, transmittal, [PackageMaterial("申请表", [PackagePage(blank, page)])],
                           tmp_path / "out", load_or_create_window_key(tmp_path / "k"))
    got = lines_of(pdfcheck.pdftotext(result.pdf_path, first=2, last=2))
    assert got == "申请人李𪚥\nLi Xuan"


def test_text_layer_keeps_the_spacing_of_ocr_text_when_lines_match():
    words = [OcrWord("姓名", 0, 0, 100, 40, 90, 1, 1, 1), OcrWord("张三", 300, 0, 100, 40, 90, 1, 1, 1),
             OcrWord("No.", 0, 60, 50, 40, 90, 1, 1, 2), OcrWord("12", 60, 60, 40, 40, 90, 1, 1, 2)]
    assert textlayer.page_text(words) == "姓名张三\nNo. 12"
    given = OcrPage("x.png", 500, 200, 300, words, "姓名 张三\nNo.12")
    assert [ln.text for ln in textlayer.ocr_lines(given)] == ["姓名 张三", "No.12"]
    mismatched = OcrPage("x.png", 500, 200, 300, words, "别的文字")
    assert [ln.text for ln in textlayer.ocr_lines(mismatched)] == ["姓名张三", "No. 12"]


def _red_box(png) -> tuple[int, int, int, int] | None:
    a = np.asarray(Image.open(png).convert("RGB"), dtype=np.int16)
    red = (a[..., 0] > 150) & (a[..., 1] < 110) & (a[..., 2] < 110)
    if not red.any():
        return None
    rows, cols = np.where(red)
    return cols.min(), rows.min(), cols.max(), rows.max()


def test_verified_copy_carries_the_mark_in_a_free_corner(built, tmp_path):
    pdf_path = built["result"].pdf_path
    text = pdfcheck.squash(pdfcheck.pdftotext(pdf_path, first=2, last=2))
    assert "原件核验此件经与原件核对无误，仅供办理居民身份证换领使用" in text
    assert "核验人：李四2024年5月6日" in text
    assert "原件核验" not in pdfcheck.pdftotext(pdf_path, first=4, last=4)
    png = pdfcheck.render_png(pdf_path, tmp_path, dpi=100, first=2, last=2, gray=False)[0]
    x0, y0, x1, y1 = _red_box(png)
    w, h = Image.open(png).size
    assert x0 > w / 2 and y0 > h * 0.8                   # bottom-right corner
    ink = np.asarray(Image.open(built["text_png"]).convert("L").resize((w, h))) < 160
    assert not ink[y0:y1 + 1, x0:x1 + 1].any()          # covers none of the page's text


def test_mark_moves_away_from_text_in_the_bottom_right_corner(tmp_path):
    page = tmp_path / "corner.png"
    img = Image.new("L", (1240, 1754), "white")
    d = ImageDraw.Draw(img)
    d.text((700, 1550), "页码：第 1 页 共 1 页", font=ImageFont.truetype(FONT, 40), fill="black")
    img.save(page, dpi=(150, 150))
    out = tmp_path / "mark.pdf"
    c = fonts.make_canvas(str(out), (595.2, 841.92))
    c.drawImage(str(page), 0, 0, 595.2, 841.92)
    x, y, w, h = stamps.draw_verified_mark(c, MARK, 595.2, 841.92, stamps.ink_mask(page))
    c.showPage()
    c.save()
    assert x < 100 and y < 100                           # bottom-left instead
    png = pdfcheck.render_png(out, tmp_path, dpi=100, gray=False)[0]
    x0, y0, x1, y1 = _red_box(png)
    ink = np.asarray(img.resize(Image.open(png).size)) < 160
    assert not ink[y0:y1 + 1, x0:x1 + 1].any()


def test_pages_are_compressed_per_kind_and_stay_legible(built, tmp_path):
    pdf_path = built["result"].pdf_path
    listing = subprocess.run(["pdfimages", "-list", str(pdf_path)], capture_output=True,
                             text=True, check=True).stdout.splitlines()[2:]
    rows = [ln.split() for ln in listing]
    # page num type width height color comp bpc enc interp object ID x-ppi ...
    assert [(r[0], r[3], r[4], r[5], r[7], r[8]) for r in rows] == [
        ("2", "2480", "3508", "gray", "1", "ccitt"), ("3", "1653", "2339", "rgb", "8", "jpeg"),
        ("4", "2480", "3508", "gray", "1", "ccitt")]
    assert [r[12] for r in rows] == ["300", "200", "300"]   # x-ppi; page stays A4
    assert pdfcheck.page_sizes_mm(pdf_path)[1:] == [(210.0, 297.0)] * 3
    assert built["result"].bytes < 200_000                  # the colour page is most of it
    # Legible: Tesseract reads the rendered 1-bit page as well as the original.
    png = pdfcheck.render_png(pdf_path, tmp_path, dpi=300, first=4, last=4)[0]
    again = pytesseract.image_to_string(Image.open(png), lang="chi_sim+eng")
    truth = pdfcheck.squash("".join(TRUTH))
    original = cer(pdfcheck.squash(built["ocr"].text), truth)
    assert cer(pdfcheck.squash(again), truth) <= original + 0.02


def test_bilevel_g4_page_is_pixel_exact(tmp_path):
    src = tmp_path / "bw.png"
    img = Image.new("1", (850, 1100), 1)
    d = ImageDraw.Draw(img)
    d.text((80, 80), "材料 ABC 123", font=ImageFont.truetype(FONT, 48), fill=0)
    d.rectangle((80, 300, 400, 500), fill=0)
    img.save(src, dpi=(100, 100))
    enc = pageimages.encode_page(src)
    assert enc.kind == "bilevel-g4" and enc.pdf_filter == "/CCITTFaxDecode"
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=enc.size_pt)
    page = pdf.pages[0]
    name = page.add_resource(enc.pdf_image(pdf), pikepdf.Name.XObject)
    w, h = enc.size_pt
    page.contents_add(pdf.make_stream(f"q {w} 0 0 {h} 0 0 cm {name} Do Q".encode()))
    pdf.save(tmp_path / "bw.pdf")
    # poppler decodes the embedded CCITT stream back to the very same pixels.
    subprocess.run(["pdfimages", "-png", str(tmp_path / "bw.pdf"), str(tmp_path / "x")],
                   check=True)
    rendered = np.asarray(Image.open(tmp_path / "x-000.png").convert("L")) >= 128
    assert np.array_equal(rendered, np.asarray(img))


def test_classify_picks_colour_for_a_seal_and_grey_for_a_photo(tmp_path):
    seal = Image.new("RGB", (800, 1100), "white")
    ImageDraw.Draw(seal).ellipse((500, 800, 700, 1000), outline=(220, 20, 20), width=8)
    assert pageimages.classify(seal) == "rgb"
    photo = Image.linear_gradient("L").resize((800, 1100))
    assert pageimages.classify(photo) == "gray"
    assert pageimages.classify(photo.convert("RGB")) == "gray"
    text = Image.new("L", (800, 1100), "white")
    ImageDraw.Draw(text).text((50, 50), "居民身份证", font=ImageFont.truetype(FONT, 40), fill=0)
    assert pageimages.classify(text) == "bilevel"


def test_jpeg_source_is_kept_when_reencoding_saves_little_and_shrunk_otherwise(tmp_path):
    photo = Image.blend(Image.linear_gradient("L").resize((600, 800)),
                        Image.effect_noise((600, 800), 60), 0.3)
    lean, fat = tmp_path / "lean.jpg", tmp_path / "fat.jpg"
    photo.save(lean, quality=75, optimize=True, dpi=(200, 200))
    photo.save(fat, quality=98, dpi=(200, 200))
    enc = pageimages.encode_page(lean)
    assert enc.kind == "gray-jpeg" and enc.dpi == 200
    assert enc.passthrough and enc.stream == lean.read_bytes()
    enc = pageimages.encode_page(fat)
    assert not enc.passthrough and len(enc.stream) < 0.6 * fat.stat().st_size


def test_unreadable_page_image_names_the_file_and_leaves_no_output(built, tmp_path):
    broken = tmp_path / "坏图.png"
    broken.write_bytes(b"not an image")
    out = tmp_path / "out"
    with pytest.raises(ImageError) as info:
        build_package(INFO, built["transmittal"], [PackageMaterial("户口簿", [PackagePage(broken)])],
                      out, built["key"])
    assert "坏图.png" in str(info.value)
    assert not out.exists() or list(out.iterdir()) == []


def test_cancel_stops_the_build_and_keeps_the_previous_package(built, tmp_path):
    out = tmp_path / "out"
    good = [PackageMaterial("户口簿", [PackagePage(built["text_png"], built["ocr"])])]
    first = build_package(INFO, built["transmittal"], good, out, built["key"])
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    stop = threading.Event()
    with pytest.raises(Cancelled):
        build_package(INFO, built["transmittal"], good, out, built["key"],
                      progress=lambda d, t, w: stop.set() if d == 1 else None, cancel=stop)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(before) == sorted([first.pdf_path.name, first.zip_path.name,
                                     first.manifest_path.name])


def test_missing_transmittal_or_empty_material_is_refused(built, tmp_path):
    with pytest.raises(ExportError, match="找不到流转单"):
        build_package(INFO, tmp_path / "none.pdf",
                      [PackageMaterial("户口簿", [PackagePage(built["text_png"])])],
                      tmp_path, built["key"])
    with pytest.raises(ExportError, match="以下材料没有页面：户口簿"):
        build_package(INFO, built["transmittal"], [PackageMaterial("户口簿", [])],
                      tmp_path, built["key"])
