"""``main.py intake``: the whole window workflow for one case, checked as a clerk would."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests import pdfcheck
from tests.idgen import resident_id, s10
from tests.make_pages import render_page

ROOT = Path(__file__).resolve().parents[1]
ID = resident_id("371402", "19900307", "123")
APPLICANT = {"kind": "person", "name": "张𪚥", "id_type": "resident_id", "id_number": ID,
             "phone": "13812345678", "address": "山东省德州市德城区新湖大街1号"}
REQUIRED = ["《户口迁移申请表》", "迁移人居民身份证", "居民户口簿", "迁入地户口簿或集体户口同意接收证明"]


def intake(case: dict, tmp_path: Path, ok=True, now="2026-09-30T09:30:00"):
    spec = tmp_path / "case.json"
    spec.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "intake", str(spec), "--out", str(out), "--json"],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "CLERK_FAKE_NOW": now})
    if ok:
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)
    return proc


def codes(pdf, tmp_path) -> set[str]:
    """Every barcode value zbar reads on the PDF rendered at 300 dpi."""
    out = tmp_path / ("render-" + Path(pdf).stem)
    return {s.data for png in pdfcheck.render_png(pdf, out, dpi=300) for s in pdfcheck.zbar(png)}


def base_case(materials):
    return {"item": "DEMO-GA-003", "case_type": "异地代收代办", "applicant": APPLICANT, "agent": None,
            "home": "河南省台前县", "materials": materials,
            "delivery": {"method": "ems", "address": "山东省德州市德城区新湖大街1号"}}


def test_incomplete_case_stops_at_correction_with_one_notice_naming_everything(tmp_path):
    out = intake(base_case([{"name": "《户口迁移申请表》", "provided": True},
                            {"name": "迁移人居民身份证", "provided": True, "original_verified": True}]), tmp_path)
    assert out["status"] == "correction"
    assert out["missing"] == ["居民户口簿", "迁入地户口簿或集体户口同意接收证明"]
    assert set(out["documents"]) == {"notification"}
    pdf = out["documents"]["notification"]
    text = pdfcheck.squash(pdfcheck.pdftotext(pdf))
    assert "张𪚥" in text
    for name in out["missing"]:
        assert name in text
    assert "第三十二条" in text
    assert out["case_no"] in codes(pdf, tmp_path)
    assert pdfcheck.qpdf_check(pdf)[0]


def test_correction_notice_tells_deficient_from_missing_with_reason_requirement_deadline_and_place(tmp_path):
    out = intake(base_case([
        {"name": "《户口迁移申请表》", "provided": True},
        {"name": "迁移人居民身份证", "state": "deficient", "reason": "复印件模糊，证件号码无法辨认"},
        {"name": "居民户口簿", "provided": True}]), tmp_path)
    assert out["status"] == "correction"
    pdf = out["documents"]["notification"]
    assert pdfcheck.page_count(pdf) == 1
    text = pdfcheck.squash(pdfcheck.pdftotext(pdf))
    assert "申请材料不齐全、不符合法定形式" in text and "第三十二条第一款第（四）项" in text
    assert "迁移人居民身份证不符合要求" in text
    assert "复印件模糊，证件号码无法辨认" in text          # the clerk's reason
    assert "正反面复印在同一页" in text                      # the catalog's requirement for it
    assert "须交验原件" in text
    assert "迁入地户口簿或集体户口同意接收证明缺少" in text
    assert "被投靠人户口簿首页及本人页" in text
    assert "《户口迁移申请表》" not in text and "居民户口簿缺少" not in text
    assert "补正期限：请您于" in text and "提交地点：" in text and "也可邮寄至上述地址" in text
    assert "自收到全部补正材料之日起予以受理" in text


def test_deficient_without_reason_is_refused_and_nothing_is_saved(tmp_path):
    proc = intake(base_case([{"name": "《户口迁移申请表》", "state": "deficient"}]), tmp_path, ok=False)
    assert proc.returncode != 0
    assert "标为不符合要求，须写明不符合的原因" in proc.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.pdf"))


@pytest.mark.slow
def test_complete_case_goes_through_to_waybill_and_dispatch_list(tmp_path):
    pages = tmp_path / "scans"
    pages.mkdir()
    render_page(pages / "id.png", ["居民身份证", "姓名 张三", "性别 男  民族 汉",
                                             "出生 1990年3月7日", f"公民身份号码 {ID}"])
    form = render_page(pages / "form.png", ["户口迁移申请表", "申请人：张三", "迁出地：河南省台前县",
                                            "迁入地：山东省德州市德城区"])
    render_page(pages / "book.png", ["居民户口簿", "户主姓名 张三", "住址 河南省台前县城关镇"])
    render_page(pages / "consent.png", ["同意接收证明", "同意张三迁入本户"])
    tracking = s10("EA", "12345678")
    case = base_case([
        {"name": "《户口迁移申请表》", "provided": True, "files": [str(form.relative_to(tmp_path))]},
        {"name": "迁移人居民身份证", "provided": True, "original_verified": True, "files": ["scans/id.png"]},
        {"name": "居民户口簿", "provided": True, "original_verified": True, "files": ["scans/book.png"]},
        {"name": "迁入地户口簿或集体户口同意接收证明", "provided": True, "original_verified": True,
         "files": ["scans/consent.png"]},
    ])
    case["tracking_number"] = tracking
    out = intake(case, tmp_path)
    assert out["status"] == "shipped"
    assert out["missing"] == []
    # 10 working days after 2026-09-30: 10/8, 10/9, 10/10 (make-up Saturday), 10/12–10/16, 10/19, 10/20
    assert out["due_date"] == "2026-10-20"
    docs = out["documents"]
    assert set(docs) == {"receipt", "transmittal", "package_pdf", "package_zip", "waybill", "dispatch_list"}
    assert tracking in codes(docs["waybill"], tmp_path)
    assert out["case_no"] in codes(docs["transmittal"], tmp_path)
    assert out["case_no"] in codes(docs["receipt"], tmp_path)
    dispatch = pdfcheck.squash(pdfcheck.pdftotext(docs["dispatch_list"]))
    assert tracking in dispatch and out["case_no"] in dispatch
    # 《户口迁移申请表》's original is forwarded though no 原件核验 mark is asked for it
    assert "材料4份，原件1份" in dispatch
    transmittal_text = pdfcheck.squash(pdfcheck.pdftotext(docs["transmittal"]))
    assert f"EMS邮件号{tracking}" in transmittal_text          # made after the number was known
    assert "合计4种材料441份" in transmittal_text               # 4 copies, 4 pages, 1 original enclosed
    assert "寄出日期：2026年9月30日" in transmittal_text and "签收人（签字）" in transmittal_text
    assert "□完好□短缺" in transmittal_text
    assert "邮件号" in transmittal_text and pdfcheck.page_count(docs["transmittal"]) == 1
    package_text = pdfcheck.squash(pdfcheck.pdftotext(docs["package_pdf"]))
    assert "张𪚥" in package_text                     # the transmittal, first
    assert "户口迁移申请表" in package_text and "同意接收证明" in package_text   # the OCR layer
    assert "此件经与原件核对无误" in package_text
    # name and ID typed match the ID card scan: no mismatch warning for them
    assert not [w for w in out["warnings"] if "不一致" in w and "姓名" not in w]
    assert any("姓名" in w and "不一致" in w for w in out["warnings"])   # 张三 on the card vs 张𪚥 typed
    for pdf in (docs.values()):
        if pdf.endswith(".pdf"):
            assert pdfcheck.qpdf_check(pdf)[0], pdf
            assert all(f.emb for f in pdfcheck.pdffonts(pdf)), pdf
    with zipfile.ZipFile(docs["package_zip"]) as z:
        names = z.namelist()
    assert "manifest.json" in names and "manifest.sig" in names


def test_mistyped_tracking_number_stops_before_anything_is_written(tmp_path):
    case = base_case([{"name": n, "provided": True} for n in REQUIRED])
    good = s10()
    case["tracking_number"] = good[:10] + str((int(good[10]) + 3) % 10) + good[11:]
    proc = intake(case, tmp_path, ok=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "邮件号" in proc.stderr
    assert not (tmp_path / "out").exists()
    listing = subprocess.run([sys.executable, str(ROOT / "main.py"), "cases", "list", "--json"],
                             capture_output=True, text=True, timeout=120)
    assert json.loads(listing.stdout)["count"] == 0


def listed_cases() -> list[dict]:
    listing = subprocess.run([sys.executable, str(ROOT / "main.py"), "cases", "list", "--json"],
                             capture_output=True, text=True, timeout=120)
    return json.loads(listing.stdout)["cases"]


@pytest.mark.slow
def test_unreadable_scan_is_refused_before_the_case_is_saved_and_the_rerun_makes_one_case(tmp_path):
    pages = tmp_path / "scans"
    pages.mkdir()
    (pages / "id.jpg").write_bytes(b"not really a jpeg")
    for n in ("form", "book", "consent"):
        render_page(pages / f"{n}.png", [f"测试页面{n}"])
    case = base_case([
        {"name": "《户口迁移申请表》", "provided": True, "files": ["scans/form.png"]},
        {"name": "迁移人居民身份证", "provided": True, "original_verified": True, "files": ["scans/id.jpg"]},
        {"name": "居民户口簿", "provided": True, "original_verified": True, "files": ["scans/book.png"]},
        {"name": "迁入地户口簿或集体户口同意接收证明", "provided": True, "original_verified": True,
         "files": ["scans/consent.png"]},
    ])
    proc = intake(case, tmp_path, ok=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    line = proc.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "迁移人居民身份证" in line and "id.jpg" in line and "未建件" in line
    assert listed_cases() == []                      # nothing left behind
    # The clerk rescans the card and runs the same intake again: one case, complete.
    render_page(pages / "id.jpg", ["居民身份证", "测试页面"])
    out = intake(case, tmp_path)
    assert out["status"] == "packaged" and out["resumed"] is False
    again = intake(case, tmp_path)                   # and once more by mistake
    assert again["case_no"] == out["case_no"] and again["resumed"] is True
    assert [c["case_no"] for c in listed_cases()] == [out["case_no"]]


@pytest.mark.slow
def test_a_page_that_fails_after_acceptance_keeps_the_case_and_the_rerun_continues_it(tmp_path, monkeypatch):
    """A file that passes the checks but cannot be read by the pipeline: the case stays accepted,
    the message names the file, and running the same intake again goes on with the same case."""
    pages = tmp_path / "scans"
    pages.mkdir()
    for n in ("form", "id", "book", "consent"):
        render_page(pages / f"{n}.png", [f"测试页面{n}"])
    case = base_case([
        {"name": "《户口迁移申请表》", "provided": True, "files": ["scans/form.png"]},
        {"name": "迁移人居民身份证", "provided": True, "original_verified": True, "files": ["scans/id.png"]},
        {"name": "居民户口簿", "provided": True, "original_verified": True, "files": ["scans/book.png"]},
        {"name": "迁入地户口簿或集体户口同意接收证明", "provided": True, "original_verified": True,
         "files": ["scans/consent.png"]},
    ])
    # The card is swapped for a broken file after the checks (a USB stick pulled mid-run).
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import desk.intake as d\n"
        "orig = d.check_request\n"
        "def patched(req):\n"
        "    orig(req)\n"
        f"    open({str(pages / 'id.png')!r}, 'wb').write(b'broken')\n"
        "d.check_request = patched\n", encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", f"{hook}:{ROOT}")
    proc = intake(case, tmp_path, ok=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "id.png" in proc.stderr and "已受理并保存" in proc.stderr
    [saved] = listed_cases()
    assert saved["status"] == "verified"
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    render_page(pages / "id.png", ["居民身份证", "测试页面"])
    out = intake(case, tmp_path)
    assert out["case_no"] == saved["case_no"] and out["resumed"] is True and out["status"] == "packaged"
    assert [c["case_no"] for c in listed_cases()] == [saved["case_no"]]
