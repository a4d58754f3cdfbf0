"""Rare name characters print, embed and copy back exactly (exports.fonts)."""
import re

import pikepdf
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate

from exports import fonts
from forms.errors import ExportError
from tests import pdfcheck

# Ext A: 㛃 U+36C3; Ext B: 𪚥 U+2A6A5, 𠈌 U+2020C; 𠀁 U+20001 is only in HanaMinB.
RARE_NAMES = ["张𪚥", "王㛃", "李𠈌", "陈\U00020001"]
PLAIN_NAMES = ["赵晓明", "欧阳娜娜", "Zhang San"]


def _render_lines(path, lines):
    c = fonts.make_canvas(str(path), A4)
    y = 780
    for line in lines:
        fonts.draw_string(c, 60, y, line, 14)
        y -= 24
    c.showPage()
    c.save()
    return path


def test_font_for_char_picks_first_font_with_glyph():
    assert fonts.font_for_char("张") == "CJK"
    assert fonts.font_for_char("A") == "CJK"
    assert fonts.font_for_char("㛃") == "CJK-ExtA"
    assert fonts.font_for_char("𪚥") == "CJK-ExtA"      # HanaMinA covers common SIP chars
    assert fonts.font_for_char("\U00020001") == "CJK-ExtB"
    assert fonts.text_runs("王㛃明") == [("CJK", "王"), ("CJK-ExtA", "㛃"), ("CJK", "明")]
    assert fonts.text_runs("") == []


def test_rare_names_come_back_exactly_and_every_font_is_embedded(tmp_path):
    pdf = _render_lines(tmp_path / "names.pdf", RARE_NAMES + PLAIN_NAMES)
    lines = [line.strip() for line in pdfcheck.pdftotext(pdf).splitlines() if line.strip()]
    assert lines == RARE_NAMES + PLAIN_NAMES
    rows = pdfcheck.pdffonts(pdf)
    assert rows and all(r.emb for r in rows), rows
    names = " ".join(r.name for r in rows)
    assert "HanaMinA" in names and "HanaMinB" in names and "WenQuanYi" in names
    assert "Helvetica" not in names
    ok, out = pdfcheck.qpdf_check(pdf)
    assert ok, out


def test_without_patch_reportlab_garbles_ext_b(tmp_path, monkeypatch):
    """Documents the reportlab 5.1 bug the patch mends; fails once reportlab fixes it."""
    fonts.register_fonts()
    monkeypatch.setattr(fonts.ttfonts, "makeToUnicodeCMap", fonts._ORIGINAL_TOUNICODE)
    pdf = _render_lines(tmp_path / "unpatched.pdf", ["张𪚥"])
    text = pdfcheck.squash(pdfcheck.pdftotext(pdf))
    assert text != "张𪚥"
    assert text.startswith("张⩪")


def _tounicode_cmaps(pdf):
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            for _, font in page.Resources.Font.items():
                if "/ToUnicode" in font:
                    yield str(font.BaseFont), font.ToUnicode.read_bytes().decode("ascii")


def test_tounicode_cmap_uses_surrogate_pairs(tmp_path):
    pdf = _render_lines(tmp_path / "cmap.pdf", RARE_NAMES)
    cmaps = dict(_tounicode_cmaps(pdf))
    joined = "\n".join(cmaps.values())
    assert "<D869DEA5>" in joined          # 𪚥 U+2A6A5
    assert "<D840DE0C>" in joined          # 𠈌 U+2020C
    assert "<D840DC01>" in joined          # 𠀁 U+20001
    assert "<2A6A5>" not in joined
    for name, cmap in cmaps.items():
        assert "bfrange" not in cmap, name   # no range can straddle the BMP boundary
        counts = [int(n) for n in re.findall(r"(\d+) beginbfchar", cmap)]
        assert counts and max(counts) <= 100, name
        blocks = re.findall(r"beginbfchar\n(.*?)\nendbfchar", cmap, re.S)
        for dst in re.findall(r"<[0-9A-F]+> <([0-9A-F]+)>", "\n".join(blocks)):
            assert len(dst) % 4 == 0, (name, dst)
            units = [int(dst[i:i + 4], 16) for i in range(0, len(dst), 4)]
            if len(units) == 2:
                assert 0xD800 <= units[0] <= 0xDBFF and 0xDC00 <= units[1] <= 0xDFFF


def test_patch_splits_large_subsets_into_blocks_of_100():
    cmap = fonts._to_unicode_cmap("X", [0] + list(range(0x4E00, 0x4E00 + 255)))
    assert re.findall(r"(\d+) beginbfchar", cmap) == ["100", "100", "56"]
    assert "<FF> <4EFE>" in cmap


def test_paragraph_markup_escapes_and_wraps_rare_chars(tmp_path):
    markup = fonts.paragraph_markup("张𪚥 <A&B>\n陈\U00020001")
    assert markup == ('张<font name="CJK-ExtA">𪚥</font> &lt;A&amp;B&gt;<br/>'
                      '陈<font name="CJK-ExtB">\U00020001</font>')
    fonts.register_fonts()
    pdf = tmp_path / "para.pdf"
    style = ParagraphStyle("p", fontName="CJK", fontSize=12, leading=16)
    SimpleDocTemplate(str(pdf), pagesize=A4, initialFontName="CJK").build(
        [Paragraph(markup, style)])
    assert pdfcheck.squash(pdfcheck.pdftotext(pdf)) == "张𪚥<A&B>陈\U00020001"
    assert all(r.emb for r in pdfcheck.pdffonts(pdf))


def test_canvas_default_font_is_embedded_cjk(tmp_path):
    pdf = tmp_path / "plain.pdf"
    c = fonts.make_canvas(str(pdf), A4)
    c.drawString(72, 700, "plain drawString 默认字体")
    c.save()
    rows = pdfcheck.pdffonts(pdf)
    assert [r.emb for r in rows] == [True]
    assert "WenQuanYi" in rows[0].name
    assert pdfcheck.squash(pdfcheck.pdftotext(pdf)) == "plaindrawString默认字体"


def test_string_width_sums_runs():
    w = fonts.string_width("张𪚥", 10)
    assert w == pytest.approx(20.0, abs=0.5)     # two full-width ideographs at 10 pt


def test_missing_font_file_names_the_debian_package(monkeypatch):
    monkeypatch.setattr(fonts, "_registered", False)
    monkeypatch.setattr(fonts, "_FONT_SOURCES", (
        ("CJK-Test", [("/nonexistent/wqy-microhei.ttc", 0)], "fonts-wqy-microhei"),))
    with pytest.raises(ExportError) as err:
        fonts.register_fonts()
    assert "fonts-wqy-microhei" in str(err.value)
    assert "/nonexistent/wqy-microhei.ttc" in str(err.value)
