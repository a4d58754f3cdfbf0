"""Printing through a real CUPS scheduler to the cups-pdf virtual printer."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from reportlab.lib.units import mm

from exports import fonts, printing
from forms.errors import PrintError
from tests import pdfcheck


def make_pdf(path, width_mm, height_mm, pages, text="测试页"):
    c = fonts.make_canvas(str(path), (width_mm * mm, height_mm * mm))
    for i in range(pages):
        fonts.draw_string(c, 8 * mm, (height_mm - 15) * mm, f"{text} {i + 1} 张𪚥", 12)
        c.rect(4 * mm, 4 * mm, (width_mm - 8) * mm, (height_mm - 8) * mm)
        c.showPage()
    c.save()
    return path


def border_inset_mm(pdf, tmp_path) -> tuple[float, float]:
    """Distance in mm from the left and top page edges to the first ink on page 2 (or 1)."""
    pages = pdfcheck.render_png(pdf, tmp_path / "render", dpi=200)
    grey = np.asarray(Image.open(pages[min(1, len(pages) - 1)]).convert("L")) < 128
    rows, cols = np.where(grey)
    return cols.min() * 25.4 / 200, rows.min() * 25.4 / 200


def print_and_collect(cups_pdf_printer, pdf, **kw):
    before = cups_pdf_printer.pdfs()
    job = printing.print_file(pdf, cups_pdf_printer.name, **kw)
    assert job.startswith(cups_pdf_printer.name + "-")
    printing.wait_for_job(job, timeout_s=60)
    return cups_pdf_printer.wait_for_output(before)


def test_list_printers_shows_the_queue_as_default(cups_pdf_printer):
    printers = {p.name: p for p in printing.list_printers()}
    assert printers[cups_pdf_printer.name].is_default
    assert printers[cups_pdf_printer.name].enabled
    assert printing.default_printer() == cups_pdf_printer.name


def test_a4_document_comes_out_with_all_pages_at_a4(cups_pdf_printer, tmp_path):
    out = print_and_collect(cups_pdf_printer, make_pdf(tmp_path / "notice.pdf", 210, 297, 3),
                            media=printing.MEDIA_A4)
    assert pdfcheck.page_count(out) == 3
    assert pdfcheck.page_sizes_mm(out) == [(209.9, 297.0)] * 3   # 595 x 842 pt
    # cups-pdf re-distills through PostScript, which drops the text's ToUnicode,
    # so check the drawing instead: the 4 mm border is where it was, not scaled.
    assert border_inset_mm(out, tmp_path) == pytest.approx((4.0, 4.0), abs=0.6)


@pytest.mark.parametrize("size, media, pts", [
    ((100, 150), printing.MEDIA_LABEL_100x150, "283 x 425"),
    ((76, 130), printing.MEDIA_LABEL_76x130, "215 x 368"),
])
def test_label_prints_at_label_size(cups_pdf_printer, tmp_path, size, media, pts):
    assert printing.media_for_size(*size) == media
    pdf = make_pdf(tmp_path / "label.pdf", *size, pages=2, text="面单")
    out = print_and_collect(cups_pdf_printer, pdf, media=media)
    assert pdfcheck.page_count(out) == 2
    assert pdfcheck.pdfinfo(out)["Page size"] == f"{pts} pts"
    assert border_inset_mm(out, tmp_path) == pytest.approx((4.0, 4.0), abs=0.6)


def test_label_without_media_would_come_out_a4(cups_pdf_printer, tmp_path):
    # Why the media option matters: the queue's default paper is used otherwise.
    pdf = make_pdf(tmp_path / "label.pdf", 100, 150, pages=1)
    out = print_and_collect(cups_pdf_printer, pdf)
    assert pdfcheck.pdfinfo(out)["Page size"].startswith("595 x 842")


def test_unknown_printer_and_missing_file_raise_chinese_print_errors(cups_pdf_printer, tmp_path):
    pdf = make_pdf(tmp_path / "a.pdf", 210, 297, 1)
    with pytest.raises(PrintError, match="找不到打印机“没有这台”"):
        printing.print_file(pdf, "没有这台")
    with pytest.raises(PrintError, match="要打印的文件不存在：none.pdf"):
        printing.print_file(tmp_path / "none.pdf", cups_pdf_printer.name)


def test_scheduler_not_running_is_a_clear_print_error(tmp_path, monkeypatch):
    # lpstat/lp talk to whatever CUPS_SERVER names; a socket nobody listens on
    # is exactly what a stopped cupsd looks like to them.
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "no-cupsd.sock"))
    monkeypatch.setattr(printing, "_C_ENV", {**printing._C_ENV,
                                             "CUPS_SERVER": str(tmp_path / "no-cupsd.sock")})
    with pytest.raises(PrintError, match="打印服务（CUPS）未运行"):
        printing.list_printers()
    with pytest.raises(PrintError, match="打印服务（CUPS）未运行"):
        printing.print_file(make_pdf(tmp_path / "a.pdf", 210, 297, 1))
