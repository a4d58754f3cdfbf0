"""This PC's own state (which window it is, its preferences) lives in local.json, not in the shared DB."""
from __future__ import annotations

import json
import logging
import multiprocessing
import os
import stat
import threading

import pytest

from forms import localstate


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _write_keys(state_file: str, prefix: str, count: int, start) -> None:
    """Child process: one key at a time, each a separate locked read-modify-write."""
    os.environ["CLERK_LOCAL_STATE"] = state_file
    start.wait(30)
    for i in range(count):
        localstate.set(f"{prefix}.{i}", i)


@pytest.fixture
def hall(tmp_path, monkeypatch):
    """One SQLite file shared by the hall; ``pc(name)`` makes the test run as that PC (own data folder)."""
    from forms import db as dbmod
    url = f"sqlite:///{tmp_path / 'hall' / 'hall.db'}"
    monkeypatch.setenv("CLERK_DATABASE_URL", url)

    def pc(name: str):
        monkeypatch.setenv("CLERK_DATA_DIR", str(tmp_path / name))
        return tmp_path / name

    pc("pc-a")
    database = dbmod.open_database(url)       # the first PC seeds the fresh database
    yield pc
    database.close()


def test_two_windows_sharing_one_database_keep_their_own_window_and_prefs(hall):
    from clerk_app.prefs import Prefs
    from forms.models import Setting, Window
    from forms.seed import set_this_window, this_window
    a = hall("pc-a")
    assert this_window().code == "DZTQ01", "the PC that seeded the database works as the seeded window"
    Window.create(code="DZTQ02", name="德州天衢新区政务服务中心二号窗", region_code="371400")
    Prefs().set("geometry", "1200x660+40+30")
    Prefs().set("printer_a4", "HP-A")
    Prefs().set("last_partner", "410927")

    b = hall("pc-b")
    assert Prefs().get("printer_a4") == "", "a new PC starts from the defaults, not from pc-a's printers"
    assert Prefs().get("geometry") == "1366x740+0+0"
    assert set_this_window("DZTQ02").code == "DZTQ02"
    Prefs().set("printer_a4", "Canon-B")
    Prefs().set("scan_resolution", 200)
    assert this_window().code == "DZTQ02"

    hall("pc-a")
    prefs = Prefs()
    assert this_window().code == "DZTQ01"
    assert (prefs.get("geometry"), prefs.get("printer_a4"), prefs.get("last_partner"),
            prefs.get("scan_resolution")) == ("1200x660+40+30", "HP-A", "410927", 300)
    hall("pc-b")
    prefs = Prefs()
    assert this_window().code == "DZTQ02"
    assert (prefs.get("printer_a4"), prefs.get("scan_resolution"), prefs.get("last_partner")) == (
        "Canon-B", 200, "")

    assert json.loads((a / "local.json").read_text(encoding="utf-8"))["window_code"] == "DZTQ01"
    assert json.loads((b / "local.json").read_text(encoding="utf-8"))["gui.printer_a4"] == "Canon-B"
    assert [s.key for s in Setting.select()] == [], "nothing machine-local is written to the shared database"


def test_choosing_an_unknown_window_is_refused_in_chinese(hall):
    from forms.errors import NotFound
    from forms.seed import set_this_window, this_window
    with pytest.raises(NotFound) as err:
        set_this_window("NOPE99")
    assert "窗口编码“NOPE99”" in str(err.value)
    assert localstate.get("window_code") == "DZTQ01" and this_window().code == "DZTQ01"


def test_the_old_database_settings_are_copied_once_and_left_in_place(db, private_data_dir):
    """An upgraded PC: the db fixture wrote Setting this_window=TEST01, as older versions did."""
    from clerk_app.prefs import Prefs
    from forms.models import Setting, Window
    from forms.seed import this_window
    Window.create(code="TEST02", name="第二窗口", region_code="371400")
    Setting.create(key="gui.printer_a4", value="OldPrinter")
    Setting.create(key="gui.geometry", value="1000x700+10+10")
    localstate.set("gui.geometry", "1100x700+0+0")       # chosen on this PC after the upgrade: newer

    assert this_window().code == "TEST01"
    prefs = Prefs()
    assert (prefs.get("printer_a4"), prefs.get("geometry")) == ("OldPrinter", "1100x700+0+0")
    stored = json.loads((private_data_dir / "local.json").read_text(encoding="utf-8"))
    assert (stored["window_code"], stored["gui.printer_a4"]) == ("TEST01", "OldPrinter")

    # Another PC still on the old version changes the rows: this PC no longer follows them.
    Setting.update(value="TEST02").where(Setting.key == "this_window").execute()
    Setting.update(value="TheirPrinter").where(Setting.key == "gui.printer_a4").execute()
    assert this_window().code == "TEST01"
    assert Prefs().get("printer_a4") == "OldPrinter"
    assert {s.key: s.value for s in Setting.select()} == {
        "this_window": "TEST02", "gui.printer_a4": "TheirPrinter", "gui.geometry": "1000x700+10+10"}


def test_a_window_removed_from_the_database_falls_back_without_forgetting_the_choice(db):
    from forms.models import Setting
    from forms.seed import this_window
    Setting.delete().execute()
    localstate.set("window_code", "GONE01")
    assert this_window().code == "TEST01"
    assert localstate.get("window_code") == "GONE01"


@pytest.mark.parametrize("damage", [b"{\"gui.geometry\": \"1200x6", b"[1, 2]", b"\xff\xfe\x00garbage"],
                         ids=["truncated", "not-an-object", "not-utf8"])
def test_a_damaged_file_is_moved_aside_and_defaults_used(db, private_data_dir, caplog, damage):
    from clerk_app.prefs import Prefs
    from forms.seed import this_window
    state = private_data_dir / "local.json"
    state.write_bytes(damage)
    with caplog.at_level(logging.WARNING, logger="forms.localstate"):
        assert localstate.get("window_code", "none") == "none"
    assert not state.exists()
    bad = list(private_data_dir.glob("local.json.bad-*"))
    assert len(bad) == 1 and bad[0].read_bytes() == damage
    assert any("unreadable" in r.getMessage() for r in caplog.records)
    assert Prefs().get("geometry") == "1366x740+0+0"
    assert this_window().code == "TEST01"
    Prefs().set("printer_a4", "HP")
    assert json.loads(state.read_text(encoding="utf-8"))["gui.printer_a4"] == "HP"


def test_a_damaged_file_met_by_a_write_is_moved_aside_too(private_data_dir):
    state = private_data_dir / "local.json"
    private_data_dir.mkdir(parents=True, exist_ok=True)
    state.write_text("not json", encoding="utf-8")
    localstate.set("gui.theme", "darkly")
    assert json.loads(state.read_text(encoding="utf-8")) == {"gui.theme": "darkly"}
    assert [p.read_text(encoding="utf-8") for p in private_data_dir.glob("local.json.bad-*")] == ["not json"]


def test_two_processes_writing_at_once_lose_no_key(tmp_path):
    state = tmp_path / "pc" / "local.json"
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    writers = [ctx.Process(target=_write_keys, args=(str(state), name, 200, start)) for name in ("a", "b")]
    for w in writers:
        w.start()
    start.set()
    for w in writers:
        w.join(120)
    assert [w.exitcode for w in writers] == [0, 0]
    stored = json.loads(state.read_text(encoding="utf-8"))
    assert stored == {f"{name}.{i}": i for name in ("a", "b") for i in range(200)}
    assert list(state.parent.glob(".local.json.*.part")) == [], "no temp file is left behind"


def test_threads_writing_at_once_lose_no_key():
    def write(name):
        for i in range(50):
            localstate.set(f"{name}.{i}", [name, i])
    threads = [threading.Thread(target=write, args=(n,)) for n in "abcd"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert localstate.snapshot() == {f"{n}.{i}": [n, i] for n in "abcd" for i in range(50)}


def test_the_file_is_private_and_lives_where_it_is_told(tmp_path, private_data_dir, monkeypatch):
    localstate.update({"gui.printer_a4": "HP 打印机", "gui.scan_resolution": 300})
    state = private_data_dir / "local.json"
    assert _mode(state) == 0o600 and _mode(private_data_dir / "local.json.lock") == 0o600
    assert json.loads(state.read_text(encoding="utf-8"))["gui.printer_a4"] == "HP 打印机"

    elsewhere = tmp_path / "shared-profile" / "clerk-state.json"
    monkeypatch.setenv("CLERK_LOCAL_STATE", str(elsewhere))
    localstate.set("window_code", "DZTQ01")
    assert json.loads(elsewhere.read_text(encoding="utf-8")) == {"window_code": "DZTQ01"}
    assert _mode(elsewhere) == 0o600 and _mode(elsewhere.parent) == 0o700
    assert "window_code" not in json.loads(state.read_text(encoding="utf-8"))


def test_keys_are_strings_and_values_json(private_data_dir):
    localstate.set("gui.geometry", "1366x740+0+0")
    with pytest.raises(TypeError):
        localstate.set("gui.when", object())
    with pytest.raises(TypeError):
        localstate.update({3: "x"})
    assert localstate.snapshot() == {"gui.geometry": "1366x740+0+0"}, "a refused write leaves the file alone"
    assert localstate.get("missing") is None and localstate.get("missing", 7) == 7
