"""The window on a high-DPI screen (Xvfb at 192 dpi): it grows with Tk's scaling, nothing is cut.

Tk draws fonts in points, so at 192 dpi every text is twice as many pixels; sizes laid
out in pixels (window, table columns) must grow with it or headings get cut off.
"""
from __future__ import annotations

import tkinter.font as tkfont

import pytest

from tests.gui_fixtures import SHOTS_COPY, GuiDriver, start_xvfb, stop_xvfb

pytestmark = pytest.mark.slow


def _trees(widget):
    from tkinter import ttk as tkttk
    for child in widget.winfo_children():
        if isinstance(child, tkttk.Treeview) and child.winfo_ismapped():
            yield child
        yield from _trees(child)


def headings(root) -> tuple[int, list[str]]:
    """(how many shown tables were looked at, their column headings that do not fit)."""
    font = tkfont.nametofont("TkHeadingFont", root=root)
    trees, cut = 0, []
    for tree in _trees(root):
        trees += 1
        columns = list(tree["columns"])
        if "tree" in str(tree.cget("show")):
            columns.insert(0, "#0")
        for column in columns:
            text = tree.heading(column, "text")
            if text and font.measure(text) + 8 > int(tree.column(column, "width")):
                cut.append(f"{text}（{tree.column(column, 'width')} 像素）")
    return trees, cut


def shown_views(g) -> dict[str, tuple[int, list[str]]]:
    """Tables and cut headings on the home board, the item step of a new case and the search view."""
    found = {}
    for name, key in (("首页", "F2"), ("新建收件", "Control-n"), ("查找办件", "Control-f")):
        g.key(g.root, key)
        g.pump(0.5)
        found[name] = headings(g.root)
    return found


def assert_nothing_cut(found: dict) -> None:
    for name, (trees, cut) in found.items():
        assert trees >= 1, f"{name}: no table shown, nothing was checked"
        assert cut == [], f"{name}: headings cut off: {cut}"


def report_in_this_process(shots: str, copies: str) -> None:
    """Child process: open the window on $DISPLAY, sign in, print what the test checks (JSON).

    A separate process, because Tk (and ttkbootstrap's style) cannot move from one X
    display to another inside a process: the next window on the session's display would die.
    """
    import json
    from pathlib import Path

    from clerk_app import dialogs
    from clerk_app.app import MIN_SIZE, ClerkApp
    from clerk_app.widgets import ui_scale
    from forms import db
    dialogs.TEST_MODE = True
    db.open_default()
    app = ClerkApp()
    g = GuiDriver(app, Path(shots), Path(copies))
    g.wait_for(app.preloaded.is_set, 60, "modules loaded")
    report = {"scale": ui_scale(g.root), "least": list(g.root.minsize()), "base": list(MIN_SIZE)}
    g.login("wang")
    g.pump(0.5)
    report["clerk"] = app.services.clerk.username if app.services.clerk else None
    report["size"] = [g.root.winfo_width(), g.root.winfo_height()]
    report["views"] = shown_views(g)
    g.key(g.root, "Control-n")
    g.shot("hidpi-new-case")
    print(json.dumps(report, ensure_ascii=False), flush=True)
    app.root.destroy()


def test_on_a_192_dpi_screen_the_window_and_its_tables_grow(db, clerks, request, tmp_path):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    proc, display = start_xvfb("2732x1536x24", dpi=192)
    shots = tmp_path / "screens"
    shots.mkdir()
    copies = SHOTS_COPY / request.node.name
    root = Path(__file__).resolve().parent.parent
    try:
        done = subprocess.run(
            [sys.executable, "-c", f"from tests.test_gui_hidpi import report_in_this_process as r; r({str(shots)!r}, {str(copies)!r})"],
            env={**os.environ, "DISPLAY": display, "PYTHONPATH": str(root),
                 "CLERK_DATABASE_URL": os.environ.get("CLERK_TEST_DATABASE_URL") or f"sqlite:///{db.database}"},
            cwd=root,
            capture_output=True, text=True, timeout=240)
    finally:
        stop_xvfb(proc)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["scale"] == pytest.approx(2.0, abs=0.05)
    assert report["least"][0] >= 1.95 * report["base"][0] and report["least"][1] >= 1.95 * report["base"][1]
    assert report["clerk"] == "wang"
    assert report["size"][0] >= report["least"][0] and report["size"][1] >= report["least"][1]
    assert_nothing_cut(report["views"])
    assert (shots / "01-hidpi-new-case.png").exists()


def test_on_an_ordinary_screen_no_heading_is_cut(gui, clerks):
    gui.login("wang")
    gui.pump(0.3)
    assert gui.app.services.clerk.username == "wang"
    assert_nothing_cut(shown_views(gui))
