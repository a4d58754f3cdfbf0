"""The rules desk/ enforces, each through desk/ and through the command line (issue 10)."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest

from desk import reception, shipping
from desk.inputs import MaterialInput, NewCase
from desk.intake import IntakeRequest, check_request
from forms.errors import InvalidIdentifier, InvalidInput
from forms.models import Case, CaseEvent, Partner, Shipment
from forms.workflow import Status
from tests.idgen import resident_id, s10
from tests.make_pages import render_page
from tests.test_intake import REQUIRED, base_case, intake, listed_cases
from tests.test_workflow import APPLICANT, ALL_PROVIDED, drive_to, new_case

ROOT = Path(__file__).resolve().parents[1]


def main_py(*args, timeout=300, env=None):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


# --- 1. a required material leaves the missing list only as the catalog allows --------------

@pytest.mark.parametrize("state,refusal", [("not_needed", "是必需材料，不能标为不适用"),
                                           ("e_license", "不接受电子证照代替")])
def test_required_material_cannot_be_waved_through(clerks, state, refusal):
    materials = [m if m.name != "居民户口簿" else MaterialInput("居民户口簿", state=state) for m in ALL_PROVIDED]
    with pytest.raises(InvalidInput, match=f"“居民户口簿”{refusal}"):
        new_case(clerks["full"], materials=materials)
    assert Case.select().count() == 0
    case = new_case(clerks["full"], materials=ALL_PROVIDED[:1])
    with pytest.raises(InvalidInput, match=f"“居民户口簿”{refusal}"):
        reception.set_material(clerks["full"], case.case_no, "居民户口簿", state)
    assert {m.name: m.state for m in case.materials}["居民户口簿"] == "missing"


def test_conditional_material_is_not_needed_until_its_condition_applies(clerks):
    agent = {"name": "李四", "id_number": resident_id("130433", "19851111", "456")}
    case = new_case(clerks["full"], agent=agent, agent_authorization="代为办理")
    reception.set_material(clerks["full"], case.case_no, "结婚证", "not_needed")      # condition not known: allowed
    with pytest.raises(InvalidInput, match="授权委托书”是必需材料（已登记代办人）"):
        reception.set_material(clerks["full"], case.case_no, "授权委托书", "not_needed")


def test_intake_marking_a_required_material_not_needed_is_refused_with_no_case(tmp_path):
    materials = [{"name": n, "provided": True} for n in REQUIRED]
    materials[2] = {"name": "居民户口簿", "state": "not_needed"}
    proc = intake(dict(base_case(materials), tracking_number=s10()), tmp_path, ok=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "“居民户口簿”是必需材料，不能标为不适用" in proc.stderr
    assert listed_cases() == []
    assert not (tmp_path / "out").exists()


# --- 2. files checked before the case is saved -------------------------------------------------

@pytest.mark.parametrize("content,reason", [(None, "文件不存在"), (b"", "0 字节"),
                                            (b"GIF89a not an image", "不是有效的图片")])
def test_bad_file_is_refused_before_anything_is_saved(clerks, tmp_path, content, reason):
    path = tmp_path / "scan.png"
    if content is not None:
        path.write_bytes(content)
    new = NewCase("T-GA-001", "异地代收代办", "410927", APPLICANT, materials=tuple(ALL_PROVIDED),
                  delivery_address="山东省德州市")
    with pytest.raises(InvalidInput, match=f"居民身份证.*{reason}"):
        check_request(IntakeRequest(case=new, files={"居民身份证": (path,)}))
    assert Case.select().count() == 0


def test_a_file_for_a_missing_material_is_refused(clerks, tmp_path):
    page = render_page(tmp_path / "a.png", ["测试"])
    new = NewCase("T-GA-001", "异地代收代办", "410927", APPLICANT, materials=(MaterialInput("居民身份证"),),
                  delivery_address="山东省德州市")
    with pytest.raises(InvalidInput, match="“居民身份证”标为缺少，却附有文件"):
        check_request(IntakeRequest(case=new, files={"居民身份证": (page,)}))


# --- 3. a tracking number belongs to one parcel ------------------------------------------------

def test_repeated_tracking_number_is_refused_and_the_day_goes_on(clerks, tmp_path):
    clerk = clerks["full"]
    first = drive_to(new_case(clerk), clerk, Status.SHIPPED, tmp_path)
    number = first.shipments.get().tracking_number
    second = drive_to(new_case(clerk), clerk, Status.PACKAGED, tmp_path)
    with pytest.raises(InvalidInput, match=f"邮件号 {number} 已用于办件 {first.case_no}"):
        shipping.register_parcel(clerk, second.case_no, number.lower())
    assert Case.get_by_id(second.id).status == "packaged"
    assert Shipment.select().count() == 1
    other = s10("EA", "11223344")
    shipping.register_parcel(clerk, second.case_no, other)
    listing = shipping.dispatch_list(clerk)
    from tests import pdfcheck
    text = pdfcheck.pdftotext(listing)
    assert number in text and other in text


def test_tracking_number_with_a_country_that_does_not_exist_is_refused(clerks, tmp_path):
    clerk = clerks["full"]
    case = drive_to(new_case(clerk), clerk, Status.PACKAGED, tmp_path)
    with pytest.raises(InvalidIdentifier, match="XX"):
        shipping.register_parcel(clerk, case.case_no, s10(country="XX"))
    assert Case.get_by_id(case.id).status == "packaged"


@pytest.mark.slow
def test_intake_with_a_used_tracking_number_makes_no_case_and_the_dispatch_list_still_prints(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    names = {n: render_page(scans / f"m{i}.png", [n, "测试页面"]) for i, n in enumerate(REQUIRED)}
    tracking = s10("EA", "55667788")

    def spec(name):
        return dict(base_case([{"name": n, "provided": True, "original_verified": True,
                                "files": [str(p)]} for n, p in names.items()]),
                    applicant=dict(base_case([])["applicant"], name=name), tracking_number=tracking)
    first = intake(spec("张𪚥"), tmp_path)
    assert first["status"] == "shipped"
    proc = intake(spec("李雷"), tmp_path, ok=False)
    assert proc.returncode == 1 and f"邮件号 {tracking} 已用于办件 {first['case_no']}" in proc.stderr
    assert [c["case_no"] for c in listed_cases()] == [first["case_no"]]
    again = intake(dict(spec("李雷"), tracking_number=s10("EA", "55667799")), tmp_path)
    assert again["status"] == "shipped"
    from tests import pdfcheck
    text = pdfcheck.pdftotext(again["documents"]["dispatch_list"])
    assert tracking in text and s10("EA", "55667799") in text


# --- 4. several clerks at once ------------------------------------------------------------------

def test_eight_threads_receiving_at_once_get_unique_numbers_and_events(clerks, db):
    clerk = clerks["full"]
    errors, numbers = [], []

    def work(i):
        try:
            with db.connection_context():
                for _ in range(3):
                    numbers.append(reception.receive(clerk, NewCase(
                        "T-GA-001", "异地代收代办", "410927", APPLICANT, materials=tuple(ALL_PROVIDED),
                        delivery_address="山东省德州市")).case_no)
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)
    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(numbers) == len(set(numbers)) == 24
    seqs = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert seqs == list(range(1, 25))                      # gap-free
    per_case = {}
    for e in CaseEvent.select():
        per_case.setdefault(e.case_id, []).append(e.seq)
    assert all(sorted(v) == list(range(1, len(v) + 1)) for v in per_case.values())


@pytest.mark.slow
def test_four_processes_running_intake_on_one_sqlite_database_all_succeed(tmp_path):
    """20 intakes, 4 at a time, on one database file (each makes its notice inside the transaction)."""
    env = {"CLERK_DATA_DIR": str(tmp_path / "data"), "CLERK_FAKE_NOW": "2026-09-30T09:30:00"}
    specs = []
    for i in range(20):
        spec = tmp_path / f"case{i}.json"
        case = base_case([{"name": "《户口迁移申请表》", "provided": True}])
        case["applicant"] = dict(case["applicant"], name=f"申请人{i:02d}")
        spec.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
        specs.append(spec)
    results = []
    for start in range(0, 20, 4):
        procs = [subprocess.Popen([sys.executable, str(ROOT / "main.py"), "intake", str(s), "--out",
                                   str(tmp_path / f"out{start + k}"), "--json"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env={**os.environ, **env})
                 for k, s in enumerate(specs[start:start + 4])]
        for p in procs:
            out, err = p.communicate(timeout=300)
            results.append((p.returncode, out, err))
    failed = [r for r in results if r[0] != 0]
    assert failed == [], failed[:2]
    numbers = [json.loads(out)["case_no"] for _, out, _ in results]
    assert len(set(numbers)) == 20
    assert sorted(numbers) == [f"DZTQ01-20260930-{n:04d}" for n in range(1, 21)]
    listing = main_py("cases", "list", "--json", env=env)
    assert {c["status"] for c in json.loads(listing.stdout)["cases"]} == {"correction"}


# --- 5. text and numbers ----------------------------------------------------------------------

@pytest.mark.parametrize("name,message", [("张" * 10_000, "不能超过 50 个字"),
                                          ("张三\u202e", r"U\+202E"), ("张\x07三", "控制字符")])
def test_bad_text_is_refused_in_chinese(clerks, name, message):
    with pytest.raises(InvalidInput, match=message):
        new_case(clerks["full"], applicant=dict(APPLICANT, name=name))
    assert Case.select().count() == 0


def test_every_cjk_extension_is_accepted(clerks):
    name = "张𪚥𠀁𫠝𬺰𰻝𱍐"          # Ext B, C, D, E, G, H
    case = new_case(clerks["full"], applicant=dict(APPLICANT, name=name))
    assert case.applicant.name == name


def test_numbers_are_range_checked(clerks, tmp_path):
    materials = [MaterialInput("居民身份证", provided=True, copies=1000)] + ALL_PROVIDED[1:]
    with pytest.raises(InvalidInput, match="份数"):
        new_case(clerks["full"], materials=materials)
    case = drive_to(new_case(clerks["full"]), clerks["full"], Status.PACKAGED, tmp_path)
    with pytest.raises(InvalidInput, match="重量"):
        shipping.register_parcel(clerks["full"], case.case_no, s10(), weight_g=1_000_000)
    assert Case.get_by_id(case.id).status == "packaged"


def test_ten_thousand_character_name_on_the_command_line_gets_a_chinese_line(tmp_path):
    case = base_case([{"name": "《户口迁移申请表》", "provided": True}])
    case["applicant"] = dict(case["applicant"], name="张" * 10_000)
    proc = intake(case, tmp_path, ok=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "申请人姓名”不能超过 50 个字" in proc.stderr and len(proc.stderr) < 400
    assert listed_cases() == []


# --- 6. an expired agreement takes no new cases ---------------------------------------------------

def test_expired_partner_agreement_takes_no_new_cases(clerks, monkeypatch):
    monkeypatch.setenv("CLERK_FAKE_NOW", "2026-09-30T09:30:00")
    Partner.update(agreement_end=date(2026, 9, 29)).where(Partner.code == "410927").execute()
    with pytest.raises(InvalidInput, match="合作协议已于 2026-09-29 到期"):
        new_case(clerks["full"])
    Partner.update(agreement_end=date(2026, 9, 30)).where(Partner.code == "410927").execute()
    assert new_case(clerks["full"]).status == "received"        # the last day still counts


def test_expired_agreement_on_the_command_line(tmp_path):
    env = {"CLERK_FAKE_NOW": "2026-09-30T09:30:00"}
    main_py("cases", "list", env=env)                              # seed the demo database
    import sqlite3
    from forms import config
    con = sqlite3.connect(config.data_dir() / "clerk.db")
    con.execute("UPDATE partner SET agreement_end = ? WHERE name = ?",
                ((date(2026, 9, 30) - timedelta(days=1)).isoformat(), "河南省台前县"))
    con.commit()
    con.close()
    proc = intake(base_case([{"name": "《户口迁移申请表》", "provided": True}]), tmp_path, ok=False)
    assert proc.returncode == 1 and "合作协议已于 2026-09-29 到期" in proc.stderr
    assert listed_cases() == []


# --- 9. no personal data in a log line ----------------------------------------------------------

def test_verbose_intake_logs_no_id_phone_or_name(tmp_path):
    from forms import config
    materials = [{"name": "《户口迁移申请表》", "provided": True}]
    bad = base_case(materials)
    bad["applicant"] = dict(bad["applicant"], phone="1381234567")       # a mistyped mobile: refused
    spec = tmp_path / "bad.json"
    spec.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    main_py("--verbose", "intake", str(spec), "--out", str(tmp_path / "o1"))
    good = intake(base_case(materials), tmp_path)
    main_py("--verbose", "cases", "show", good["case_no"])
    log = (config.data_dir() / "logs" / "clerk.log").read_text(encoding="utf-8")
    assert log.strip()
    for secret in (APPLICANT_ID := base_case([])["applicant"]["id_number"], "13812345678", "1381234567",
                   "张𪚥", "新湖大街"):
        assert secret not in log, secret
    assert APPLICANT_ID[:6] in log or "intake" in log


# --- 7. catalog Excel: every row, no formulas, no bombs -------------------------------------------

def _stale_xlsx(tmp_path):
    import re
    from forms import catalog
    from tests.test_catalog_safety import extra_item, rewrite_zip
    data = catalog.export_catalog()
    data["items"].append(extra_item(name="=HYPERLINK(\"http://x\",\"点我\")"))
    good = catalog.write_file(data, tmp_path / "good.xlsx")
    bad = tmp_path / "stale.xlsx"
    rewrite_zip(good, bad, lambda n, b: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:F2"', b)
                if n.startswith("xl/worksheets/sheet") else b)
    return bad


def test_catalog_import_through_the_desk_reads_every_row_and_needs_an_administrator(clerks, tmp_path):
    from desk import admin
    from forms.errors import MissingRight
    from forms.models import ServiceItem
    bad = _stale_xlsx(tmp_path)
    with pytest.raises(MissingRight, match="管理员权限"):
        admin.import_catalog_file(clerks["full"], bad)
    assert not ServiceItem.select().where(ServiceItem.code == "NEW-1").exists()
    clerks["full"].is_admin = True
    result = admin.import_catalog_file(clerks["full"], bad)
    assert result.items_added == 1
    item = ServiceItem.get(ServiceItem.code == "NEW-1")
    assert item.name == "=HYPERLINK(\"http://x\",\"点我\")"           # text, exactly


def test_catalog_round_trip_on_the_command_line_keeps_formula_text_as_text(tmp_path):
    import zipfile
    from forms import catalog, db as dbmod
    main_py("cases", "list")                                       # a seeded demo database
    database = dbmod.open_default()
    data = catalog.export_catalog()
    data["items"][0]["name"] = "@SUM(1)"
    (tmp_path / "c.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    database.close()
    assert main_py("catalog", "import", str(tmp_path / "c.json")).returncode == 0
    assert main_py("catalog", "export", str(tmp_path / "out.xlsx")).returncode == 0
    with zipfile.ZipFile(tmp_path / "out.xlsx") as z:
        sheets = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in sheets and b"@SUM(1)" in sheets


# --- 9. personal data in logs (through the desk) ------------------------------------------------

def test_names_the_desk_has_seen_are_masked_in_log_lines(clerks, tmp_path, caplog):
    from forms import privacy
    case = new_case(clerks["full"], applicant=dict(APPLICANT, name="欧阳𪚥华"))
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed for %s (%s, %s)",
                               ("欧阳𪚥华", APPLICANT["id_number"], "13812345678"), None)
    line = privacy.RedactingFormatter("%(message)s").format(record)
    assert "欧阳𪚥华" not in line and APPLICANT["id_number"] not in line and "13812345678" not in line
    assert case.case_no                                          # the case itself is untouched
    assert Case.get_by_id(case.id).applicant.name == "欧阳𪚥华"


# --- 10. machine-local state stays on the PC -----------------------------------------------------

def test_this_pc_state_is_in_its_own_file_not_in_the_shared_database(tmp_path):
    shared = tmp_path / "hall.db"
    env_a = {"CLERK_DATA_DIR": str(tmp_path / "pc-a"), "CLERK_DATABASE_URL": f"sqlite:///{shared}"}
    env_b = {"CLERK_DATA_DIR": str(tmp_path / "pc-b"), "CLERK_DATABASE_URL": f"sqlite:///{shared}"}
    assert main_py("window", "use", "DZTQ01", env=env_a).returncode == 0
    shown = main_py("window", "--json", env=env_b)
    assert json.loads(shown.stdout)["code"] == "DZTQ01"
    refused = main_py("window", "use", "NOPE", env=env_b)
    assert refused.returncode == 1 and "窗口编码“NOPE”" in refused.stderr
    import sqlite3
    con = sqlite3.connect(shared)
    keys = [k for (k,) in con.execute("SELECT key FROM setting")]
    con.close()
    assert not [k for k in keys if k == "this_window" or k.startswith("gui.")]
    state = json.loads((tmp_path / "pc-a" / "local.json").read_text(encoding="utf-8"))
    assert state["window_code"] == "DZTQ01"
    assert "window_code" not in json.loads((tmp_path / "pc-b" / "local.json").read_text(encoding="utf-8")
                                           if (tmp_path / "pc-b" / "local.json").exists() else "{}")


# --- 11. every file the app keeps: atomic, fsynced, private ------------------------------------

def test_pages_and_documents_the_desk_keeps_are_fsynced_and_private(clerks, tmp_path, monkeypatch):
    import stat
    from forms import config
    synced = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(os.readlink(f"/proc/self/fd/{fd}")), real(fd)))
    clerk = clerks["full"]
    case = drive_to(new_case(clerk), clerk, Status.PACKAGED, tmp_path)
    kept = [p for p in config.data_dir().rglob("*") if p.is_file() and p.parent.name == case.case_no]
    assert {p.parent.parent.name for p in kept} >= {"pages", "documents", "packages"}
    for p in kept:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
        assert stat.S_IMODE(p.parent.stat().st_mode) == 0o700, p.parent
        assert str(p) in synced or any(s.startswith(str(p.parent / ("." + p.name))) for s in synced), p
        assert str(p.parent) in synced, p.parent
    assert not [p for p in config.data_dir().rglob("*.part")]


@pytest.mark.slow
def test_a_command_line_intake_leaves_only_private_files_in_the_data_folder(tmp_path):
    import stat
    from forms import config
    scans = tmp_path / "scans"
    scans.mkdir()
    materials = [{"name": n, "provided": True, "original_verified": True,
                  "files": [str(render_page(scans / f"m{i}.png", [n]))]} for i, n in enumerate(REQUIRED)]
    out = intake(dict(base_case(materials), tracking_number=s10("EA", "99887766")), tmp_path)
    assert out["status"] == "shipped"
    data = config.data_dir()
    loose = [str(p) for p in data.rglob("*") if p.is_file() and stat.S_IMODE(p.stat().st_mode) & 0o077]
    assert loose == []
    assert not [p for p in data.rglob("*") if p.is_dir() and stat.S_IMODE(p.stat().st_mode) & 0o077]
