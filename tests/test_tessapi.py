"""Tesseract in the worker process (scanner.tessapi) against the `tesseract` program.

The in-process engine exists for speed (models load once per worker, see
bench/bench_ocr.py); these tests hold it to giving exactly what the program gives,
stopping on time and on cancel like the program, and to the program being used
when the engine is switched off. A worker that dies mid-page costs only that page.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from forms.errors import Cancelled, OcrError
from scanner import tessapi
from scanner.cleanup import CleanupContext, clean_page
from scanner.ocr import character_error_rate, read_tsv, run_tesseract_tsv
from scanner.ocr_pool import OcrPool, OcrSettings, PageJob, process_page
from scanner.pipeline import process_pages
from scanner.sources.base import AcquiredPage
from tests.make_pages import photographed


@pytest.fixture
def ocr_dir(resources):
    return resources / "ocr"


@pytest.fixture
def engine():
    found = tessapi.engine_for("chi_sim+eng")
    assert found is not None, "libtesseract could not be loaded: the tests expect Debian's libtesseract5"
    return found


@pytest.mark.parametrize("name", ["edu_manual_p5.png", "id_card_front.png", "business_licence.png"])
def test_engine_gives_byte_for_byte_the_programs_tsv(engine, ocr_dir, name):
    path = ocr_dir / name
    from_program = run_tesseract_tsv(path, "chi_sim+eng")
    from_engine = engine.tsv(Image.open(path))
    assert from_engine == from_program
    assert from_engine.count("\n") > 40          # words, not just the page row


def test_engine_and_program_agree_on_a_cleaned_photograph_and_a_blank_page(engine, ocr_dir, tmp_path):
    manual = Image.open(ocr_dir / "edu_manual_p5.png")
    manual.info["dpi"] = (300, 300)
    cleaned = clean_page(photographed(manual), CleanupContext(workdir=tmp_path,
                                                              jpeg_for_photos=False))
    assert engine.tsv(cleaned.image) == run_tesseract_tsv(cleaned.path, "chi_sim+eng")
    blank = Image.new("L", (1240, 1754), 255)
    blank.save(tmp_path / "blank.png")
    assert engine.tsv(blank) == run_tesseract_tsv(tmp_path / "blank.png", "chi_sim+eng")


def test_psm_and_language_follow_the_call(engine, ocr_dir, tmp_path):
    strip = Image.open(ocr_dir / "id_card_front.png").convert("L").crop((0, 0, 1000, 300))
    strip.save(tmp_path / "strip.png")
    chinese = tessapi.engine_for("chi_sim")
    assert chinese is not engine
    assert tessapi.engine_for("chi_sim") is chinese              # loaded once, then reused
    assert chinese.tsv(strip, psm=6) == run_tesseract_tsv(tmp_path / "strip.png", "chi_sim", psm=6)
    assert engine.tsv(strip, psm=3) == run_tesseract_tsv(tmp_path / "strip.png", "chi_sim+eng", psm=3)


def test_engine_stops_at_its_deadline_and_reads_on_afterwards(engine, ocr_dir):
    page = Image.open(ocr_dir / "edu_manual_p5.png")
    started = time.monotonic()
    with pytest.raises(OcrError, match="第 4 页识别超时"):
        engine.tsv(page, timeout=0.3, page_no=4)
    assert time.monotonic() - started < 2
    card = ocr_dir / "id_card_front.png"
    assert engine.tsv(Image.open(card)) == run_tesseract_tsv(card, "chi_sim+eng")


def test_engine_stops_when_cancelled(engine, ocr_dir):
    page = Image.open(ocr_dir / "edu_manual_p5.png")
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        engine.tsv(page, cancel=cancel)
    assert time.monotonic() - started < 2


def test_unknown_language_is_refused_in_chinese():
    with pytest.raises(OcrError, match="Tesseract 无法载入语言包：klingon"):
        tessapi.engine_for("klingon")


def test_program_is_used_when_the_engine_is_switched_off(monkeypatch, ocr_dir, tmp_path):
    card = ocr_dir / "id_card_front.png"
    with_engine = process_page(PageJob(1, path=str(card)), OcrSettings(workdir=tmp_path / "a"))
    monkeypatch.setenv("CLERK_OCR_ENGINE", "program")
    assert tessapi.engine_for("chi_sim+eng") is None
    calls = []
    real = run_tesseract_tsv

    def counted(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr("scanner.ocr.run_tesseract_tsv", counted)
    assert read_tsv(Image.open(card)) == real(card)
    with_program = process_page(PageJob(1, path=str(card)), OcrSettings(workdir=tmp_path / "b"))
    assert len(calls) >= 2                       # the page and its Chinese re-read
    assert with_program.text == with_engine.text
    assert "性别男民族汉" in with_program.text


def _kill_if_worker(text: str) -> str:
    if multiprocessing.parent_process() is not None:
        os._exit(70)
    return text


class _KillsItsWorker(str):
    """A note on a page that ends the worker process unpacking it, as a Tesseract crash would.

    Copies made in the test process itself (deepcopy) stay harmless.
    """

    def __reduce__(self):
        return (_kill_if_worker, (str(self),))


def _workers() -> list[int]:
    """PIDs of this process's spawned worker processes."""
    return [pid for pid in _children(os.getpid()) if _is_worker(pid)]


@pytest.fixture
def manual(ocr_dir):
    image = Image.open(ocr_dir / "edu_manual_p5.png")
    image.info["dpi"] = (300, 300)
    return image


def test_a_page_that_kills_its_worker_fails_alone(ocr_dir, manual, tmp_path):
    truth = (ocr_dir / "edu_manual_p5.txt").read_text(encoding="utf-8")
    card = Image.open(ocr_dir / "id_card_front.png")
    deadly = AcquiredPage(image=card, source="file", index=2, dpi=300,
                          warnings=[_KillsItsWorker("第 2 页")])
    pages = list(process_pages([manual, deadly, card, manual], job_dir=tmp_path, workers=2))
    assert len(pages) == 4
    assert pages[1].error == "第 2 页识别时识别进程意外退出，请检查此页图像后重新导入"
    assert Image.open(pages[1].image_path).size == card.size       # the page is kept, unread
    assert [p.error for p in (pages[0], pages[2], pages[3])] == [None, None, None]
    assert character_error_rate(truth, pages[0].text) < 0.03
    assert character_error_rate(truth, pages[3].text) < 0.03
    assert "性别男民族汉" in pages[2].text
    assert not list(tmp_path.glob("incoming-*"))          # spooled scans removed once read


def test_a_worker_killed_from_outside_loses_no_page(ocr_dir, manual, tmp_path):
    truth = (ocr_dir / "edu_manual_p5.txt").read_text(encoding="utf-8")
    with OcrPool(2) as pool:
        results = process_pages([manual] * 5, job_dir=tmp_path, pool=pool)
        pages = [next(results)]
        victims = _workers()
        assert victims
        os.kill(victims[0], signal.SIGKILL)              # as the kernel's OOM killer would
        pages += list(results)
        assert len(pages) == 5
        assert [p.error for p in pages] == [None] * 5
        assert all(character_error_rate(truth, p.text) < 0.03 for p in pages)
        # The pool lives on for the next import.
        again = list(process_pages([manual], job_dir=tmp_path / "next", pool=pool))
        assert again[0].error is None and again[0].text == pages[0].text


def test_a_page_read_by_no_worker_is_still_stored_with_a_warning(clerks, ocr_dir, tmp_path):
    from desk import pages
    from forms.models import Page
    from forms.storage import absolute
    from forms.workflow import Status
    from tests.test_workflow import drive_to, new_case

    clerk = clerks["full"]
    case = drive_to(new_case(clerk), clerk, Status.VERIFIED, tmp_path)
    card = Image.open(ocr_dir / "id_card_front.png")
    deadly = AcquiredPage(image=card, source="sane:test:0", index=2, dpi=300,
                          warnings=[_KillsItsWorker("第 2 页")])
    results, errors = pages.attach(clerk, case.case_no, "居民身份证", [card, deadly])
    assert errors == []
    assert len(results) == 2
    first, second = (Page.get_by_id(r.page_id) for r in results)
    assert "性别男民族汉" in first.ocr["text"]
    assert second.ocr["text"] == ""
    assert any("识别进程意外退出" in w and "页面已保留" in w for w in second.ocr["warnings"])
    assert Image.open(absolute(second.file_path)).size == card.size


_PARENT = """
import sys, time
sys.path.insert(0, {root!r})
from scanner.ocr_pool import OcrPool
if __name__ == "__main__":
    pool = OcrPool(2)
    pool.warm("chi_sim+eng")
    time.sleep(1.5)
    print("ready", flush=True)
    time.sleep(600)
"""


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            ppid = next(line.split()[1] for line in status.read_text().splitlines()
                        if line.startswith("PPid:"))
        except (OSError, StopIteration):
            continue
        if ppid == str(pid):
            found.append(int(status.parent.name))
    return found


def _is_worker(pid: int) -> bool:
    """True while `pid` is a live spawned worker (an exited one's cmdline is empty or gone)."""
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def test_workers_end_when_the_window_is_killed(tmp_path):
    import subprocess
    import sys
    script = tmp_path / "window.py"
    script.write_text(_PARENT.format(root=str(Path(__file__).resolve().parent.parent)))
    window = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert window.stdout.readline().strip() == "ready"
        workers = [pid for pid in _children(window.pid) if _is_worker(pid)]
        assert len(workers) == 2
        window.kill()                        # SIGKILL: no atexit, no pool shutdown
        window.wait()
        deadline = time.monotonic() + 10
        while any(_is_worker(pid) for pid in workers):
            assert time.monotonic() < deadline, "OCR workers outlived the window"
            time.sleep(0.1)
    finally:
        window.kill()


def test_without_a_usable_library_the_program_reads_the_page(monkeypatch, ocr_dir):
    # As on a desktop whose Tesseract library has another name or is too old.
    monkeypatch.setattr(tessapi, "_library", None)
    monkeypatch.setattr(tessapi, "_engines", {})
    monkeypatch.setattr(tessapi, "_LIBRARY_NAMES", ("libtesseract-missing.so.9",))
    monkeypatch.setattr(tessapi.ctypes.util, "find_library", lambda name: None)
    assert tessapi.library() is None
    assert tessapi.engine_for("chi_sim+eng") is None
    card = ocr_dir / "id_card_front.png"
    assert read_tsv(Image.open(card)) == run_tesseract_tsv(card, "chi_sim+eng")


def test_a_page_finished_after_its_job_ended_leaves_no_scan_behind(ocr_dir, tmp_path):
    # The owner removed the job folder (cancelled, done); a worker still holding a page
    # must not bring the folder back with a scan in it.
    removed = tmp_path / "job"
    with OcrPool(1) as pool:
        job = PageJob(1, seq=1, path=str(ocr_dir / "id_card_front.png"))
        result = pool.submit(job, OcrSettings(workdir=removed, create_workdir=False)).result()
    assert result == "cancelled"
    assert not removed.exists()
