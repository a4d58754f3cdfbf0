"""The pages step on real widgets: sort pages onto materials by key and by drag, reorder, rotate, delete."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from forms.models import Page
from tests.test_gui_stall import verified_case

pytestmark = pytest.mark.slow

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def slip(path: Path, text: str, size=(1200, 700)) -> Path:
    im = Image.new("L", size, 255)
    ImageDraw.Draw(im).text((80, 250), text, font=ImageFont.truetype(FONT, 64), fill=0)
    im.save(path, dpi=(300, 300))
    return path


def card_centre(pages, key):
    x1, y1, x2, y2 = pages.canvas.bbox(f"card:{key}")
    return (x1 + x2) // 2, (y1 + y2) // 2


def test_pages_are_sorted_reordered_rotated_and_deleted(gui, clerks, tmp_path):
    g = gui
    case = verified_case(clerks["full"])
    g.login("wang")
    g.app.services.post("<<ContinueCase>>", case_no=case.case_no)
    g.pump(0.3)
    pages = g.app.views["wizard"].steps[3]
    pages.materials.selection_set("居民户口簿")
    files = [slip(tmp_path / f"p{i}.png", t) for i, t in enumerate(("户口簿首页", "户主页", "本人页"), 1)]
    blank = tmp_path / "blank.png"
    Image.new("L", (1200, 700), 255).save(blank, dpi=(300, 300))
    pages.import_files(files + [blank])
    g.idle()
    first, second, third, empty = (p.id for p in Page.select().where(Page.case == case).order_by(Page.seq))
    assert Page.get_by_id(empty).blank
    assert pages.cards[f"p{empty}"]["status"] == "⚠ 疑似空白页"
    assert "第 4 页疑似空白页，请核对（页面已保留，未删除）" in pages.warnings.get(0, "end")
    g.shot("blank-page-flagged")
    pages.grid_view.select(f"p{empty}")
    g.key(pages.canvas, "Delete")                    # the clerk looks, and removes it
    assert pages.order == [f"p{first}", f"p{second}", f"p{third}"]

    # Click the first page and press 1: it belongs to material 1 (居民身份证).
    x, y = card_centre(pages, f"p{first}")
    pages.canvas.event_generate("<ButtonPress-1>", x=x, y=y)
    pages.canvas.event_generate("<ButtonRelease-1>", x=x, y=y)
    g.key(pages.canvas, "1")
    assert Page.get_by_id(first).material.name == "居民身份证"

    # Drag the second page onto 近期免冠照片 in the material list.
    x, y = card_centre(pages, f"p{second}")
    row_y = pages.materials.bbox("近期免冠照片")[1] + 5
    target_x = pages.materials.winfo_rootx() + 40
    target_y = pages.materials.winfo_rooty() + row_y
    pages.canvas.event_generate("<ButtonPress-1>", x=x, y=y, rootx=pages.canvas.winfo_rootx() + x,
                                rooty=pages.canvas.winfo_rooty() + y)
    pages.canvas.event_generate("<B1-Motion>", x=x + 30, y=y + 30, rootx=target_x - 50, rooty=target_y)
    pages.canvas.event_generate("<ButtonRelease-1>", x=x, y=y, rootx=target_x, rooty=target_y)
    g.pump(0.2)
    assert Page.get_by_id(second).material.name == "近期免冠照片"
    assert [pages.materials.set(m, "pages") for m in pages.materials.get_children()] == ["1", "1", "1"]

    # Ctrl+→ moves the selected page (second) after the third.
    g.key(pages.canvas, "Control-Right")
    assert [p.id for p in Page.select().where(Page.case == case).order_by(Page.seq)] == [first, third, second]
    assert pages.order == [f"p{first}", f"p{third}", f"p{second}"]

    # R turns the page a quarter and reads it again.
    before = Page.get_by_id(second)
    g.key(pages.canvas, "r")
    g.idle()
    after = Page.get_by_id(second)
    assert (after.width, after.height) == (before.height, before.width)
    assert after.ocr is not None and after.sha256 != before.sha256
    assert pages.cards[f"p{second}"]["status"].startswith(("✔", "⚠"))
    g.shot("pages-sorted")

    # Delete removes the selected page and its file.
    path = Path(after.file_path)
    g.key(pages.canvas, "Delete")
    assert Page.get_or_none(Page.id == second) is None
    assert not (Path(tmp_path / "clerk-data") / path).exists()
    assert len(pages.order) == 2
    actions = [e.action for e in case.events if e.action.startswith("page_")]
    assert actions == ["page_delete", "page_move", "page_move", "page_order", "page_rotate", "page_delete"]


def test_escape_stops_a_long_import_and_keeps_the_pages_already_read(gui, clerks, tmp_path):
    g = gui
    case = verified_case(clerks["full"])
    g.login("wang")
    g.app.services.post("<<ContinueCase>>", case_no=case.case_no)
    g.pump(0.3)
    pages = g.app.views["wizard"].steps[3]
    pages.materials.selection_set("居民户口簿")
    files = [slip(tmp_path / f"s{i}.png", f"第{i}页材料") for i in range(1, 13)]
    task = pages.import_files(files)
    g.wait_for(lambda: Page.select().where(Page.case == case).count() >= 1, 120, "the first page stored")
    assert str(pages.cancel_button.cget("text")) == "停止 Esc" and pages.cancel_button.winfo_ismapped()
    g.key(pages.canvas, "Escape")
    g.idle()
    assert task.cancelled and task.finished
    kept = Page.select().where(Page.case == case).count()
    assert 1 <= kept < len(files)
    assert len(pages.order) == kept, "placeholders of unread pages are gone"
    assert not pages.cancel_button.winfo_ismapped()
    assert g.app.taskbar.what.get() == "已取消"
    assert g.dialog_messages() == [], "cancelling is not an error"


def test_page_cards_tell_a_photo_from_a_page_that_was_not_read():
    from types import SimpleNamespace

    from clerk_app.pagefeed import card_for

    def status(ocr, blank=False):
        page = SimpleNamespace(id=1, seq=3, blank=blank, ocr=ocr, material_id=None)
        return card_for(page, with_thumb=False)["status"], card_for(page, with_thumb=False)["level"]

    assert status({"text": "姓名张伟民", "confidence": 86.4, "warnings": []}) == ("✔ 已识别（86%）", "ok")
    assert status({"text": "", "confidence": 0.0, "warnings": []}) == ("✔ 已识别：无文字", "ok")
    assert status(None) == ("未识别文字", "warn")
    assert status({"text": "", "warnings": ["第 3 页识别超时；页面已保留，但未识别文字，请对照原件核对"]}) == (
        "⚠ 1 条提示", "warn")
    assert status({"text": ""}, blank=True) == ("⚠ 疑似空白页", "warn")


def test_f7_scans_the_feeder_into_the_selected_material(gui, clerks, sane_config_dir, monkeypatch):
    """The clerk's scan button, end to end: SANE's real test device, its feeder of 10 sheets."""
    from scanner.sources import sane_source
    # SANE reads its configuration once per process: this must be the first scan in it.
    assert sane_source._sane_module is None, "another test initialised SANE in this process"
    monkeypatch.setenv("SANE_CONFIG_DIR", str(sane_config_dir))
    g = gui
    case = verified_case(clerks["full"])
    g.login("wang")
    prefs = g.app.services.prefs
    prefs.set("scanner", "test:0")
    prefs.set("scan_source", "adf")
    prefs.set("scan_resolution", 100)
    g.app.services.post("<<ContinueCase>>", case_no=case.case_no)
    g.pump(0.3)
    pages = g.app.views["wizard"].steps[3]
    pages.materials.selection_set("居民户口簿")
    g.key(g.root, "F7")
    assert pages.task is not None, "F7 did not start a scan"
    g.idle()
    stored = list(Page.select().where(Page.case == case).order_by(Page.seq))
    assert len(stored) == 10
    assert {p.material.name for p in stored} == {"居民户口簿"}
    assert all(p.dpi == 300 and p.ocr is not None for p in stored)
    assert pages.progress_text.cget("text") == "本次加入 10 页，共 10 页"
    assert len(pages.order) == 10 and all(k.startswith("p") for k in pages.order)
    # The test device's default picture is solid black, as an open lid would give.
    notes = pages.warnings.get(0, "end")
    assert "第 1 页几乎全黑，请检查扫描仪（盖板是否合上、灯管是否正常）后重新扫描此页" in notes
    assert pages.cards[f"p{stored[0].id}"]["status"] == "⚠ 1 条提示"
    g.shot("scanned-from-feeder")
