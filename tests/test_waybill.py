"""EMS labels: exact paper size, barcodes that scan at 203 dpi thermal, nothing printed for a bad number."""
from datetime import date

import pytest

from exports import waybill
from forms.errors import ExportError, InvalidIdentifier
from tests import pdfcheck
from tests.test_documents import CASE_NO, sample_case

TRACKING = "EA123456785CN"
LABEL_MM = {"100x150": (100.0, 150.0), "76x130": (76.0, 130.0), "a4": (210.0, 297.0)}


@pytest.fixture(scope="module")
def labels(tmp_path_factory):
    out = tmp_path_factory.mktemp("labels")
    return {label: waybill.build_waybill(sample_case(), TRACKING, out / f"{label}.pdf", label=label,
                                         weight_g=350, shipped_on=date(2025, 3, 4))
            for label in LABEL_MM}


@pytest.mark.parametrize("label", list(LABEL_MM))
def test_label_size_fonts_and_text(labels, label):
    pdf = labels[label]
    assert pdfcheck.page_sizes_mm(pdf) == [LABEL_MM[label]]
    rows = pdfcheck.pdffonts(pdf)
    assert rows and all(r.emb for r in rows), rows
    ok, out = pdfcheck.qpdf_check(pdf)
    assert ok, out
    assert pdfcheck.words_outside(pdf, margin_pt=2.8) == []     # 1 mm clear of the label edge
    assert pdfcheck.overlapping_words(pdf) == []
    text = pdfcheck.squash(pdfcheck.pdftotext(pdf))
    assert TRACKING in text
    assert "天津市河西区政务服务中心跨省通办专窗" in text and "邮编300201" in text
    assert "赵晓明022-23456789" in text and "天津市河西区友谊路35号" in text
    assert "济南市历下区政务服务中心跨域通办专窗" in text and "邮编250101" in text
    assert "内件：跨域通办申请材料4份（其中原件3份）" in text
    assert "重量：350g" in text and "寄件日期：2025年3月4日" in text
    assert CASE_NO in text


@pytest.mark.parametrize("label", list(LABEL_MM))
def test_barcodes_scan_at_300_dpi(labels, label, tmp_path):
    png = pdfcheck.render_png(labels[label], tmp_path, 300)[0]
    assert pdfcheck.zbar_values(png, "CODE-128") == [TRACKING]
    assert pdfcheck.zbar_values(png, "QR-Code") == [CASE_NO]


@pytest.mark.parametrize("label", ["100x150", "76x130"])
def test_thermal_203_dpi_bars_are_whole_dots_with_quiet_zones(labels, label, tmp_path):
    png = pdfcheck.render_mono(labels[label], tmp_path, 203)[0]
    assert pdfcheck.zbar_values(png, "CODE-128") == [TRACKING]
    assert pdfcheck.zbar_values(png, "QR-Code") == [CASE_NO]
    n = waybill.bar_dots_for(TRACKING, waybill.LABELS[label])
    assert n >= 2
    # The barcode band lies in the top quarter of the label.
    runs = pdfcheck.barcode_row_runs(png, 0.08, 0.25)
    first_bar = next(i for i, (v, _) in enumerate(runs) if v == 0 and i > 1)
    last_bar = max(i for i, (v, _) in enumerate(runs) if v == 0 and i < len(runs) - 2)
    symbol = runs[first_bar:last_bar + 1]
    assert sum(1 for v, _ in symbol if v == 0) == 3 * 13 + 4     # 13 symbols x 3 bars + stop's 4
    assert all(length % n == 0 for _, length in symbol), symbol
    assert min(length for _, length in symbol) == n
    assert runs[first_bar - 1][1] >= 10 * n and runs[last_bar + 1][1] >= 10 * n


def test_wrong_check_digit_raises_and_writes_nothing(tmp_path):
    out = tmp_path / "label.pdf"
    with pytest.raises(InvalidIdentifier) as err:
        waybill.build_waybill(sample_case(), "EA123456784CN", out)
    assert "EA123456784CN" in str(err.value) and "校验位应为 5" in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_domestic_number_given_contents_and_typed_number(tmp_path):
    pdf = waybill.build_waybill(sample_case(), "1123456789012", tmp_path / "d.pdf", label="76x130",
                                contents="材料 4 份，原件 3 份")
    assert "内件：材料4份，原件3份" in pdfcheck.squash(pdfcheck.pdftotext(pdf))
    png = pdfcheck.render_mono(pdf, tmp_path, 203)[0]
    assert pdfcheck.zbar_values(png, "CODE-128") == ["1123456789012"]
    pdf = waybill.build_waybill(sample_case(), "ea 1234 5678 5cn", tmp_path / "s.pdf")
    png = pdfcheck.render_png(pdf, tmp_path, 300)[0]
    assert pdfcheck.zbar_values(png, "CODE-128") == [TRACKING]


def test_missing_recipient_address_is_refused(tmp_path):
    doc = sample_case()
    doc.home.postcode = ""
    with pytest.raises(ExportError, match="邮编为空"):
        waybill.build_waybill(doc, TRACKING, tmp_path / "x.pdf")
    with pytest.raises(ExportError, match="不支持的面单规格"):
        waybill.build_waybill(sample_case(), TRACKING, tmp_path / "y.pdf", label="A5")
    assert list(tmp_path.iterdir()) == []
