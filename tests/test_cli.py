"""The command line as a script would use it: JSON on stdout, one Chinese line on errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.idgen import resident_id, s10

ROOT = Path(__file__).resolve().parents[1]


def run(*args, env=None, ok=True):
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=120)
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def run_json(*args, **kw):
    proc = run(*args, "--json", **kw)
    return json.loads(proc.stdout)


def test_check_id_resident_id_tells_birth_date_and_region():
    out = run_json("check-id", resident_id("371402", "19900307", "123"))
    assert out["kind"] == "resident_id" and out["valid"] is True
    assert out["birth_date"] == "1990-03-07"
    assert "德州" in out["region"] and out["error"] is None


def test_check_id_bad_check_digit_exits_nonzero_with_reason():
    good = resident_id()
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    proc = run("check-id", bad, "--json", ok=False)
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    assert out["valid"] is False and "校验" in out["error"]


def test_check_id_tracking_kind():
    out = run_json("check-id", s10(), "--kind", "tracking")
    assert out["valid"] is True and out["normalized"] == s10()


@pytest.mark.parametrize("start,days,due", [
    ("2026-02-13", 1, "2026-02-14"),   # Spring Festival make-up Saturday
    ("2026-02-13", 6, "2026-02-28"),   # second make-up Saturday
    ("2026-09-18", 1, "2026-09-20"),   # National Day make-up Sunday
    ("2026-09-30", 3, "2026-10-10"),   # across National Day to the make-up Saturday
])
def test_deadline_command_with_make_up_days(start, days, due):
    out = run_json("deadline", "--from", start, "--days", str(days))
    assert out == {"due": due, "warning": None}


def test_deadline_into_a_year_without_data_warns():
    out = run_json("deadline", "--from", "2026-12-30", "--days", "3")
    assert out["due"] == "2027-01-05"
    assert "2027" in out["warning"]


def test_catalog_export_import_and_cases(tmp_path):
    export = tmp_path / "catalog.xlsx"
    out = run_json("catalog", "export", str(export))
    assert out["items"] >= 30 and export.exists()
    out = run_json("catalog", "import", str(export))
    assert out["items_unchanged"] >= 30 and out["items_added"] == 0
    assert run_json("cases", "list") == {"cases": [], "count": 0}


def test_user_errors_are_one_chinese_line_without_traceback(tmp_path):
    proc = run("case", "show", "NOPE-1", ok=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "未找到：办件 NOPE-1"
    proc = run("deadline", "--from", "2026-13-01", "--days", "2", ok=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "日期" in proc.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"items": [{"code": "", "name": "x", "case_types": ["飞鸽传书"], "materials": []}]}',
                   encoding="utf-8")
    proc = run("catalog", "import", str(bad), ok=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "缺少事项编码" in proc.stderr and "飞鸽传书" in proc.stderr


def test_every_command_has_help():
    top = run("--help").stdout
    for cmd in ("check-id", "deadline", "catalog", "cases", "case"):
        assert cmd in top
        assert run(cmd, "--help").returncode == 0


def test_job_folders_live_in_the_data_folder_and_go_once_their_process_is_gone(private_data_dir):
    from forms import config
    from scanner.pipeline import new_job_dir

    mine = new_job_dir()
    assert mine.parent == config.data_dir() / "work"
    assert oct(mine.stat().st_mode & 0o777) == "0o700"
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    left = config.data_dir() / "work" / f"{ended.pid}-ocr-x1y2"
    left.mkdir()
    (left / "incoming-0001.tif").write_bytes(b"a scan of an ID card")
    run("cases", "list")                         # any start-up that opens the database
    assert not left.exists()
    assert mine.exists()                         # a living process's folder is left alone
