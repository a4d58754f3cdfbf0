"""OCR with real Tesseract on real printed Chinese, scored by character error rate.

Samples and their sources: tests/resources/README.md ("OCR samples").
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from forms.errors import Cancelled, OcrError, ScanError
from forms.ocrdata import OcrWord
from scanner.cleanup import CleanupContext, detect_orientation, estimate_skew
from scanner.ocr import (MissingLanguage, build_text, character_error_rate, check_languages,
                         looks_turned, parse_tsv, reread_suspects, run_tesseract_tsv)
from scanner.ocr_pool import OcrSettings, PageJob, process_page
from scanner.pipeline import process_pages
from tests.make_pages import photographed

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def ocr_dir(resources) -> Path:
    return resources / "ocr"


@pytest.fixture
def manual(ocr_dir) -> Image.Image:
    image = Image.open(ocr_dir / "edu_manual_p5.png")
    image.info["dpi"] = (300, 300)
    return image


@pytest.fixture
def manual_text(ocr_dir) -> str:
    return (ocr_dir / "edu_manual_p5.txt").read_text(encoding="utf-8")


def _words(*specs) -> list[OcrWord]:
    """OcrWords from (text, left, line) triples on one block, 40 px high."""
    return [OcrWord(text=t, left=x, top=100 + 60 * line, width=30 * len(t), height=40,
                    confidence=95.0, block=1, par=1, line=line) for t, x, line in specs]


# ---- the metric ----------------------------------------------------------

def test_character_error_rate_counts_edits_and_ignores_whitespace():
    assert character_error_rate("网络 客户端", "网络客户端") == 0.0
    assert character_error_rate("网络客户端", "网络客尸端") == pytest.approx(0.2)
    assert character_error_rate("网络客户端", "网络客户") == pytest.approx(0.2)
    assert character_error_rate("abc", "") == 1.0


# ---- text assembly -------------------------------------------------------

def test_chinese_characters_are_joined_and_latin_words_keep_spaces():
    words = _words(("运", 0, 1), ("行", 40, 1), ("着", 80, 1), ("macOS", 130, 1), ("或", 300, 1),
                   ("Windows", 340, 1), ("的", 560, 1), ("计算机。", 600, 1),
                   ("Kerberos", 0, 2), ("TGT", 260, 2), ("2023", 380, 2), ("年", 520, 2))
    text, owners = build_text(words)
    assert text == "运行着macOS或Windows的计算机。\nKerberos TGT 2023年"
    assert owners[text.index("W")] == 5
    assert owners[text.index("\n")] == -1


def test_blocks_are_separated_by_a_blank_line():
    words = _words(("第一段", 0, 1)) + [OcrWord("第二段", 0, 400, 90, 40, 90.0, block=2, par=1, line=1)]
    assert build_text(words)[0] == "第一段\n\n第二段"


# ---- real Tesseract on real pages ------------------------------------------

def test_manual_page_is_read_with_under_3_percent_cer(manual, manual_text, tmp_path):
    page = process_page(PageJob(1, image=manual), OcrSettings(workdir=tmp_path))
    assert page.error is None
    assert character_error_rate(manual_text, page.text) < 0.03
    assert "可以从中央计算机，大概是服务器来管理所有用Skolelinux安装程序安装的Linux机器。" in page.text
    assert "Kerberos TGT" in page.text
    assert page.confidence > 85
    # The words carry what a PDF text layer needs: text, box and confidence on the cleaned image.
    assert Path(page.image_path).parent == tmp_path
    assert (page.width, page.height) == manual.size
    # Where the PDF this page was rendered from puts the word (pdftotext -bbox, at 300 dpi):
    # x 1648..1802, y 750..791 (its font box, a little taller than the ink).
    kerberos = next(w for w in page.words if w.text == "Kerberos")
    assert abs(kerberos.left - 1648) <= 8 and abs(kerberos.left + kerberos.width - 1802) <= 8
    assert 745 <= kerberos.top <= 765 and 775 <= kerberos.top + kerberos.height <= 795
    assert kerberos.confidence > 80


def test_photographed_page_is_levelled_and_read(manual, manual_text, tmp_path):
    page = process_page(PageJob(1, image=photographed(manual)), OcrSettings(workdir=tmp_path))
    assert character_error_rate(manual_text, page.text) < 0.04
    stored = Image.open(page.image_path)
    assert abs(estimate_skew(stored, CleanupContext(workdir=tmp_path))) < 0.5


def test_calligraphic_sample_reads_with_chinese_model(ocr_dir, tmp_path):
    # LXGW WenKai (楷体) slide: chi_sim+eng reads much of it as Latin even after the
    # Chinese re-read, so this sample is scored with chi_sim alone.
    truth = (ocr_dir / "wenkai_tengwang.txt").read_text(encoding="utf-8")
    page = process_page(PageJob(1, path=str(ocr_dir / "wenkai_tengwang.png")),
                        OcrSettings(workdir=tmp_path, langs="chi_sim"))
    assert character_error_rate(truth, page.text) < 0.30
    assert "秋水共长天一色" in page.text


def test_chinese_misread_as_latin_is_read_again(ocr_dir, tmp_path):
    # On this card chi_sim+eng first returns "Rik iM" for 民族 汉 (see the README).
    cleaned = process_page(PageJob(1, path=str(ocr_dir / "id_card_front.png")),
                           OcrSettings(workdir=tmp_path)).image_path
    first = parse_tsv(run_tesseract_tsv(cleaned, "chi_sim+eng"))
    assert any(w.text.isascii() and w.text.isalpha() and w.confidence < 90 for w in first)
    fixed = reread_suspects(Path(cleaned), first, "chi_sim+eng")
    assert "性别男民族汉" in build_text(fixed)[0]
    assert not Path(cleaned).with_name(Path(cleaned).stem + "-reread.png").exists()


def test_upside_down_page_is_turned_and_read(manual, manual_text, tmp_path):
    page = process_page(PageJob(1, image=manual.rotate(180)), OcrSettings(workdir=tmp_path))
    assert character_error_rate(manual_text, page.text) < 0.03
    assert detect_orientation(page.image_path, CleanupContext(workdir=tmp_path))[0] == 0


def test_looks_turned_on_garbage_and_not_on_a_good_read(manual, tmp_path):
    manual.save(tmp_path / "up.png")
    manual.rotate(180).save(tmp_path / "down.png")
    assert not looks_turned(parse_tsv(run_tesseract_tsv(tmp_path / "up.png")))
    assert looks_turned(parse_tsv(run_tesseract_tsv(tmp_path / "down.png")))


def test_timeout_kills_tesseract(manual, tmp_path):
    manual.save(tmp_path / "p.png")
    started = time.monotonic()
    with pytest.raises(OcrError, match="第 4 页识别超时"):
        run_tesseract_tsv(tmp_path / "p.png", timeout=0.3, page_no=4)
    assert time.monotonic() - started < 3


def test_cancel_kills_tesseract(manual, tmp_path):
    manual.save(tmp_path / "p.png")
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        run_tesseract_tsv(tmp_path / "p.png", cancel=cancel)
    assert time.monotonic() - started < 2


def test_missing_language_is_named():
    assert check_languages("chi_sim+eng") == "chi_sim+eng"
    with pytest.raises(MissingLanguage, match="未安装 Tesseract 语言包：klingon"):
        check_languages("chi_sim+klingon")


def test_an_all_black_scan_is_flagged_and_a_document_is_not(manual, ocr_dir, tmp_path):
    black = Image.new("L", (2480, 3508), 0)
    black.info["dpi"] = (300, 300)
    flagged = process_page(PageJob(3, image=black), OcrSettings(workdir=tmp_path / "a"))
    assert "第 3 页几乎全黑，请检查扫描仪（盖板是否合上、灯管是否正常）后重新扫描此页" in flagged.warnings
    assert Path(flagged.image_path).exists()            # kept for the clerk to look at
    for image in (manual, Image.open(ocr_dir / "id_card_front.png")):
        page = process_page(PageJob(1, image=image), OcrSettings(workdir=tmp_path / "b"))
        assert not any("全黑" in w for w in page.warnings)


def test_unreadable_file_comes_back_as_a_page_error(tmp_path):
    broken = tmp_path / "损坏.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    page = process_page(PageJob(2, path=str(broken)), OcrSettings(workdir=tmp_path / "job"))
    assert page.error is not None and "损坏.jpg" in page.error
    assert page.text == ""


# ---- the pipeline: pages OCRed while the next ones arrive -----------------------

def test_ocr_starts_while_the_source_is_still_scanning(manual, manual_text, tmp_path):
    job = tmp_path / "job"
    events = []

    def scanner():
        events.append("page 1 scanned")
        yield manual
        # A real scanner takes seconds per page; here page 2 comes only once page 1
        # is already being worked on, which never happens if OCR waits for the batch.
        deadline = time.monotonic() + 30
        while not (job / "page-0001.png").exists():
            assert time.monotonic() < deadline, "page 1 was not started before page 2 arrived"
            time.sleep(0.05)
        events.append("page 1 cleaned before page 2 scanned")
        yield manual.rotate(180)

    calls = []
    pages = list(process_pages(scanner(), progress=lambda *a: calls.append(a), job_dir=job, workers=2))
    assert events == ["page 1 scanned", "page 1 cleaned before page 2 scanned"]
    assert len(pages) == 2
    assert all(character_error_rate(manual_text, p.text) < 0.03 for p in pages)
    assert [c[0] for c in calls] == [1, 2]
    assert calls[-1][1] == 2
    assert all("识别完成" in c[2] for c in calls)


def test_cancel_stops_the_run_quickly(manual, tmp_path):
    cancel = threading.Event()
    job = tmp_path / "job"
    got = []
    started = None
    for page in process_pages([manual] * 6, cancel=cancel, job_dir=job, workers=2):
        got.append(page)
        cancel.set()
        started = time.monotonic()
    assert time.monotonic() - started < 3
    assert len(got) == 1
    # No Tesseract of this job is left running.
    time.sleep(0.3)
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        assert str(job).encode() not in cmdline


def test_a_failing_source_still_gets_its_pages_read_then_the_error(ocr_dir, tmp_path):
    def jamming_feeder():
        yield str(ocr_dir / "id_card_front.png")
        raise ScanError("进纸器卡纸")

    got = []
    with pytest.raises(ScanError, match="卡纸"):
        for page in process_pages(jamming_feeder(), job_dir=tmp_path, workers=1):
            got.append(page)
    assert len(got) == 1
    assert "11010119900307109X" in got[0].text


# ---- the command line ---------------------------------------------------------

def test_cli_json_reports_pages_and_unreadable_files(ocr_dir, tmp_path):
    bad = tmp_path / "坏文件.pdf"
    bad.write_bytes(b"%PDF-1.4 truncated")
    result = subprocess.run(
        [sys.executable, "main.py", "ocr", "--json", str(ocr_dir / "id_card_front.png"), str(bad)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "CLERK_DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 1
    out = json.loads(result.stdout)
    first, second = out["pages"]
    assert first["file"].endswith("id_card_front.png") and first["page"] == 1
    assert "公民身份号码11010119900307109X" in first["text"]
    assert {"kind": "id_number", "value": "11010119900307109X", "valid": True} in first["fields"]
    assert first["warnings"] == []
    assert second["file"] == str(bad)
    assert "坏文件.pdf" in second["error"]


def test_a_page_whose_ocr_times_out_keeps_its_cleaned_image(manual, tmp_path):
    page = process_page(PageJob(5, image=manual), OcrSettings(workdir=tmp_path, timeout=0.2))
    assert page.error == "文字识别失败：第 5 页识别超时（超过 0.2 秒）"
    assert Path(page.image_path).exists()
    assert (page.width, page.height) == manual.size
