"""The window never freezes: the longest event-loop stall while 20 pages are cleaned and OCR'd (real Tesseract)."""
from __future__ import annotations

import gc
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from desk import reception
from desk.inputs import MaterialInput, NewCase
from tests.idgen import resident_id

pytestmark = pytest.mark.slow

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
PAGES = 20
TICK_MS = 10
MAX_STALL_MS = 100


def small_page(path: Path, n: int) -> Path:
    """An A5 page at 300 dpi with ten lines of Chinese text (a few seconds of OCR for 20)."""
    im = Image.new("L", (1240, 1754), 255)
    d = ImageDraw.Draw(im)
    font = ImageFont.truetype(FONT, 44)
    d.text((80, 120), f"户口迁移申请材料第{n}页", font=font, fill=0)
    for line in range(9):
        d.text((80, 260 + 130 * line), f"申请人张伟民 编号{1000 + n} 第{line + 1}项 已核验原件",
               font=font, fill=0)
    im.save(path, dpi=(300, 300))
    return path


def verified_case(clerk):
    everything = [MaterialInput("居民身份证", state="provided", original_verified=True),
                  MaterialInput("居民户口簿", state="provided", original_verified=True),
                  MaterialInput("近期免冠照片", state="provided")]
    n = reception.receive(clerk, NewCase("T-GA-001", "异地代收代办", "410927",
                                         {"name": "张伟民", "id_number": resident_id()},
                                         materials=tuple(everything), delivery_method="window")).case_no
    reception.accept(clerk, n)
    reception.complete_verification(clerk, n)
    return reception.case_by_no(n)


def measure(g, pages, files) -> dict:
    """Import ``files`` through the pages step while the real main loop runs; the gaps between ticks."""
    seen = {"gaps": [], "placeholders": 0, "stored_while_running": 0}
    task = pages.import_files(files)
    last = [time.monotonic()]

    def tick():
        now = time.monotonic()
        seen["gaps"].append((now - last[0]) * 1000)
        last[0] = now
        seen["placeholders"] = max(seen["placeholders"], sum(1 for k in pages.order if k.startswith("n")))
        if not task.finished:
            seen["stored_while_running"] = sum(1 for k in pages.order if k.startswith("p"))
            g.root.after(TICK_MS, tick)
        else:
            g.root.quit()

    g.root.after(TICK_MS, tick)
    started = time.monotonic()
    g.root.mainloop()                      # the real event loop, as the clerk's window runs it
    seen["elapsed"] = time.monotonic() - started
    seen["worst"] = max(seen["gaps"])
    seen["task"] = task
    g.idle()
    return seen


def test_event_loop_never_stalls_100ms_while_20_pages_are_ocred(gui, clerks, tmp_path):
    g = gui
    case = verified_case(clerks["full"])
    files = [small_page(tmp_path / f"slip-{i:02d}.png", i) for i in range(1, PAGES + 1)]
    g.login("wang")
    g.app.services.post("<<ContinueCase>>", case_no=case.case_no)
    g.pump(0.5)
    wizard = g.app.views["wizard"]
    pages = wizard.steps[3]
    assert wizard.index == 3 and pages.winfo_ismapped()
    pages.materials.selection_set("居民户口簿")
    g.pump(0.2)

    runs = [measure(g, pages, files)]
    first = runs[0]
    assert first["task"].error is None, first["task"].error
    stored = list(case.pages)
    assert len(stored) == PAGES
    assert all(p.material.name == "居民户口簿" for p in stored)
    assert sum(1 for k in pages.order if k.startswith("p")) == PAGES
    assert "第20页" in stored[-1].ocr["text"].replace(" ", "")
    assert first["placeholders"] >= 1, "a page shows as soon as it arrives, before it is read"
    assert first["stored_while_running"] >= 1, "read pages replace their placeholders while the rest run"
    g.shot("step4-twenty-pages")
    # The window's modules are out of the collector's full passes (clerk_app.app.preload).
    assert gc.get_freeze_count() > 50_000
    while runs[-1]["worst"] >= MAX_STALL_MS and len(runs) < 3:
        # This machine is shared: another job's burst can stop the whole process for a moment.
        # A stall the window causes itself (work on the Tk thread) shows up in every run.
        runs.append(measure(g, pages, files))
        assert len(list(case.pages)) == len(runs) * PAGES
    for r in runs:
        print(f"\n{PAGES} pages in {r['elapsed']:.1f} s; {len(r['gaps'])} ticks; longest gap {r['worst']:.1f} ms")
    assert min(r["worst"] for r in runs) < MAX_STALL_MS
