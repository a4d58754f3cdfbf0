"""Issue 10 rules 5 and 7 for the catalog: every row read, no formulas written, no zip bombs,
number ranges and text limits; and forms.textcheck, which the service layer shares."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from forms import catalog
from forms.errors import CatalogError, InvalidInput
from forms.models import MaterialRequirement, ServiceItem
from forms.textcheck import check_int, check_text, for_message

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def extra_item(**changes):
    item = {"code": "NEW-1", "name": "新事项", "case_types": ["异地代收代办"], "promised_days": 3,
            "legal_days": 5, "source": "test-extra",
            "materials": [{"name": "申请表", "form": "原件", "copies": 1, "required": True}]}
    return {**item, **changes}


def rewrite_zip(src, dst, change):
    """Copy the zip ``src`` to ``dst`` with change(name, bytes) -> bytes applied to every entry."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, change(info.filename, zin.read(info)))


def sheet_xml(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet")}


# --- A: a stale <dimension> drops nothing ---------------------------------------------

def test_stale_sheet_dimension_still_reads_every_row_and_column(db, tmp_path):
    data = catalog.export_catalog()
    data["items"].append(extra_item())
    good = catalog.write_file(data, tmp_path / "good.xlsx")
    dims = []

    def stale(name, body):
        if name.startswith("xl/worksheets/sheet"):
            dims.extend(re.findall(rb'<dimension ref="([^"]+)"', body))
            body = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:F2"', body)
        return body

    bad = tmp_path / "stale.xlsx"
    rewrite_zip(good, bad, stale)
    assert dims and all(d != b"A1:F2" for d in dims)          # the rewrite really made them stale
    assert all(b'<dimension ref="A1:F2"' in x for x in sheet_xml(bad).values())

    read = catalog.read_file(bad)
    by_code = {i["code"]: i for i in read["items"]}
    assert set(by_code) == {"T-GA-001", "T-RS-001", "NEW-1"}   # row 4, beyond the stale A1:F2
    assert [m["name"] for m in by_code["T-GA-001"]["materials"]] == \
        ["居民身份证", "居民户口簿", "结婚证", "授权委托书", "近期免冠照片"]
    assert by_code["NEW-1"]["source"] == "test-extra"            # column M, beyond F
    assert by_code["T-GA-001"]["materials"][4]["rongque_ok"] == "是"   # column K of 材料
    assert {p["code"] for p in read["partners"]} == {"410927", "130433"}

    result = catalog.import_catalog(read)
    assert (result.items_added, result.items_unchanged) == (1, 2)
    item = ServiceItem.get(ServiceItem.code == "NEW-1", ServiceItem.current)
    assert [m.name for m in item.materials] == ["申请表"]
    after = {i["code"]: i for i in catalog.export_catalog()["items"]}
    assert after["T-GA-001"]["materials"] == data["items"][0]["materials"]


# --- B: text that looks like a formula stays text -------------------------------------

FORMULA_LIKE = ['=HYPERLINK("http://x","点我")', "@SUM(1)", "+1+1", "-2+3", "=1+1", "#N/A"]


def test_formula_like_text_is_written_as_text_and_round_trips(db, tmp_path):
    data = catalog.export_catalog()
    data["items"].append(extra_item(
        name=FORMULA_LIKE[0], fees=FORMULA_LIKE[4], review_points=FORMULA_LIKE[5],
        materials=[{"name": FORMULA_LIKE[2], "form": "原件", "copies": 1, "note": FORMULA_LIKE[1]},
                   {"name": "申请表", "form": "原件", "copies": 1, "condition": FORMULA_LIKE[3]}]))
    catalog.import_catalog(data)
    xlsx = catalog.write_file(catalog.export_catalog(), tmp_path / "out.xlsx")

    for name, body in sheet_xml(xlsx).items():
        root = ET.fromstring(body)
        assert root.findall(f".//{MAIN_NS}f") == [], name          # no formula anywhere
        assert not [c for c in root.iter(f"{MAIN_NS}c") if c.get("t") == "e"], name   # nor error values
    wb = load_workbook(xlsx)
    row = next(r for r in wb["事项"].iter_rows(min_row=2) if r[0].value == "NEW-1")
    assert row[1].value == FORMULA_LIKE[0] and row[1].data_type == "s" and row[1].quotePrefix
    assert not row[2].quotePrefix                              # ordinary text gets no prefix

    item = next(i for i in catalog.read_file(xlsx)["items"] if i["code"] == "NEW-1")
    assert (item["name"], item["fees"], item["review_points"]) == \
        (FORMULA_LIKE[0], FORMULA_LIKE[4], FORMULA_LIKE[5])
    assert (item["materials"][0]["name"], item["materials"][0]["note"], item["materials"][1]["condition"]) == \
        (FORMULA_LIKE[2], FORMULA_LIKE[1], FORMULA_LIKE[3])
    assert catalog.import_catalog(catalog.read_file(xlsx)).items_unchanged == 3


# --- C: zip bombs are refused before openpyxl reads them ------------------------------

def inflate_sheet(good, dst, megabytes: int):
    """``good`` with its first sheet's XML padded by ``megabytes`` MB of spaces (still valid XML)."""
    with zipfile.ZipFile(good) as zin, \
            zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                zout.writestr(info, body)
                continue
            head, tail = body.split(b"<sheetData>", 1)
            with zout.open(info.filename, "w", force_zip64=True) as out:   # streamed: never all in memory
                out.write(head + b"<sheetData>")
                chunk = b" " * (1024 * 1024)
                for _ in range(megabytes):
                    out.write(chunk)
                out.write(tail)


def test_xlsx_unpacking_to_300_mb_is_refused_quickly(db, tmp_path):
    good = catalog.write_file(catalog.export_catalog(), tmp_path / "good.xlsx")
    bomb = tmp_path / "bomb.xlsx"
    inflate_sheet(good, bomb, 300)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    started = time.perf_counter()
    with pytest.raises(CatalogError) as err:
        catalog.read_file(bomb)
    assert time.perf_counter() - started < 0.5
    assert str(err.value) == "事项清单有误：文件解压后过大（约 300 MB），不是正常的事项清单，已拒绝导入"
    assert ServiceItem.select().count() == 2


def test_one_part_compressed_far_beyond_normal_is_refused(db, tmp_path):
    good = catalog.write_file(catalog.export_catalog(), tmp_path / "good.xlsx")
    bomb = tmp_path / "dense.xlsx"
    inflate_sheet(good, bomb, 20)        # under the size limit, but ~1000x compression
    with pytest.raises(CatalogError, match=r"“xl/worksheets/sheet1\.xml”压缩比异常（约 \d+ 倍）.*已拒绝导入"):
        catalog.read_file(bomb)


def test_too_many_parts_is_refused(tmp_path):
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        for n in range(1001):
            z.writestr(f"x/{n}.xml", b"")
    with pytest.raises(CatalogError, match="文件包含 1001 个部件"):
        catalog.read_file(path)


def test_normal_catalogs_pass_the_zip_check(db, tmp_path):
    """The demo catalog, and a 500-item one (sheet XML compresses ~20x), are far inside every limit."""
    from forms.seed import DEMO_CATALOG
    demo = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
    big = {"items": [extra_item(code=f"BIG-{n}", name=f"事项{n}", materials=demo["items"][0]["materials"] * 2)
                     for n in range(500)], "partners": []}
    for data in (demo, big):
        path = catalog.write_file(data, tmp_path / "c.xlsx")
        assert len(catalog.read_file(path)["items"]) == len(data["items"])


def test_broken_sheet_xml_is_a_chinese_error(db, tmp_path):
    good = catalog.write_file(catalog.export_catalog(), tmp_path / "good.xlsx")
    bad = tmp_path / "broken.xlsx"
    rewrite_zip(good, bad, lambda n, b: b[: len(b) // 2] if n == "xl/worksheets/sheet2.xml" else b)
    with pytest.raises(CatalogError, match="文件已损坏或不是 .xlsx"):
        catalog.read_file(bad)


def test_huge_json_is_refused_without_reading_it(tmp_path, monkeypatch):
    monkeypatch.setattr(catalog, "MAX_JSON_BYTES", 1000)
    path = tmp_path / "big.json"
    path.write_text('{"items": []}' + " " * 2000, encoding="utf-8")
    with pytest.raises(CatalogError, match="文件过大"):
        catalog.read_file(path)


# --- D: number ranges and text limits, named by sheet, row and field -------------------

def test_out_of_range_numbers_and_long_or_hidden_text_name_sheet_row_and_field(db, tmp_path):
    data = catalog.export_catalog()
    data["items"].append(extra_item())
    xlsx = catalog.write_file(data, tmp_path / "bad.xlsx")
    wb = load_workbook(xlsx)
    wb["事项"]["F2"] = 366                        # 承诺时限
    wb["事项"]["G3"] = -1                         # 法定时限
    wb["事项"]["B4"] = "名" * 101                  # 事项名称
    wb["事项"]["I4"] = "依据\u202e反转"            # 设定依据 with a right-to-left override
    wb["材料"]["E2"] = 100                        # 份数
    wb["材料"]["C3"] = "居民\u200f户口簿"          # 材料名称 with a right-to-left mark
    wb["材料"]["L4"] = "x" * 2001                 # 备注
    wb["合作地区"]["G2"] = "地址" * 101            # 地址
    wb.save(xlsx)
    with pytest.raises(CatalogError) as err:
        catalog.import_catalog(catalog.read_file(xlsx))
    assert sorted(err.value.row_errors) == sorted([
        "“事项”表第 2 行：“承诺时限”应为 0–365 之间的整数（现为“366”）",
        "“事项”表第 3 行：“法定时限”应为 0–365 之间的整数（现为“-1”）",
        "“事项”表第 4 行：“事项名称”不能超过 100 个字（现为 101 个字）",
        "“事项”表第 4 行：“设定依据”含有不可见的控制字符或文字方向控制符（U+202E），请删除后重试",
        "“材料”表第 2 行：“份数”应为 1–99 之间的整数（现为“100”）",
        "“材料”表第 3 行：“材料名称”含有不可见的控制字符或文字方向控制符（U+200F），请删除后重试",
        "“材料”表第 4 行：“备注”不能超过 2000 个字（现为 2001 个字）",
        "“合作地区”表第 2 行：“地址”不能超过 200 个字（现为 202 个字）",
    ])
    assert not ServiceItem.select().where(ServiceItem.code == "NEW-1").exists()


def test_limits_themselves_are_accepted(db):
    data = {"items": [extra_item(name="名" * 100, promised_days=365, legal_days=365, basis="依" * 2000,
                                 materials=[{"name": "材" * 100, "form": "原件", "copies": 99,
                                             "note": "第一行\n\t第二行"}])]}
    catalog.import_catalog(data)
    m = MaterialRequirement.get(MaterialRequirement.name == "材" * 100)
    assert (m.copies, m.note) == (99, "第一行\n\t第二行")
    assert ServiceItem.get(ServiceItem.code == "NEW-1").promised_days == 365


def test_legal_limit_below_promised_is_refused_but_zero_means_none(db):
    with pytest.raises(CatalogError, match="承诺时限 10 个工作日超过法定时限 5 个工作日"):
        catalog.validate({"items": [extra_item(promised_days=10, legal_days=5)]})
    assert catalog.validate({"items": [extra_item(promised_days=0, legal_days=0)]})["items"][0]["legal_days"] == 0
    assert catalog.validate({"items": [extra_item(promised_days=7, legal_days=0)]})["items"][0]["promised_days"] == 7


RARE = "𪚥𰻝\U00031350\U0002EBF0㐀"     # Ext B, Ext G, Ext H, Ext I, Ext A


def test_rare_characters_survive_excel_and_the_database(db, tmp_path):
    data = {"items": [extra_item(name=f"{RARE}户籍证明",
                                 materials=[{"name": f"{RARE}的身份证", "form": "原件", "copies": 1}])]}
    catalog.import_catalog(data)
    xlsx = catalog.write_file(catalog.export_catalog(), tmp_path / "rare.xlsx")
    item = next(i for i in catalog.read_file(xlsx)["items"] if i["code"] == "NEW-1")
    assert item["name"] == f"{RARE}户籍证明" and item["materials"][0]["name"] == f"{RARE}的身份证"
    assert ServiceItem.get(ServiceItem.code == "NEW-1").name == f"{RARE}户籍证明"


def test_line_break_in_a_name_is_refused_in_a_note_kept(db):
    with pytest.raises(CatalogError) as err:
        catalog.validate({"items": [extra_item(name="两行\n名称")]})
    assert err.value.row_errors == ["第 1 个事项（两行<U+000A>名称）：“事项名称”不能换行，请删除换行后重试"]
    note = catalog.validate({"items": [extra_item(basis="第一条\r\n第二条")]})["items"][0]["basis"]
    assert note == "第一条\n第二条"


def test_hand_written_json_of_the_wrong_shape_gets_messages_not_a_traceback(db):
    with pytest.raises(CatalogError) as err:
        catalog.validate({"items": ["not an item", extra_item(materials="申请表", special_stages=[1])]})
    assert err.value.row_errors == [
        "文件：“items”第 1 项格式不对（应为对象）",
        "第 1 个事项（新事项）：“申请材料”应为列表",
        "第 1 个事项（新事项）：没有任何申请材料",
        "第 1 个事项（新事项）：“特殊环节”第 1 项格式不对（应为对象）",
    ]
    with pytest.raises(CatalogError, match="“items”应为列表"):
        catalog.validate({"items": "abc"})


def test_bidi_override_in_bad_input_cannot_flip_the_message(db):
    with pytest.raises(CatalogError) as err:
        catalog.validate({"items": [extra_item(name="\u202e甲乙", materials=[{"name": "表", "form": "\u202e传真"}])]})
    text = str(err.value)
    assert "\u202e" not in text and "<U+202E>" in text


# --- forms.textcheck -----------------------------------------------------------------

def test_ten_thousand_character_name_is_refused_with_its_length():
    with pytest.raises(InvalidInput) as err:
        check_text("张" * 10000, "申请人姓名", 50)
    assert str(err.value) == "“申请人姓名”不能超过 50 个字（现为 10000 个字）"


@pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c",
                                  "\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\u200b", "\ufeff", "\ud800"])
def test_control_and_direction_characters_are_refused(char):
    with pytest.raises(InvalidInput) as err:
        check_text(f"张{char}三", "申请人姓名", 50)
    assert str(err.value) == \
        f"“申请人姓名”含有不可见的控制字符或文字方向控制符（U+{ord(char):04X}），请删除后重试"


def test_several_bad_characters_are_named_once_each():
    with pytest.raises(InvalidInput, match=r"（U\+202E、U\+0007），"):
        check_text("a\u202eb\x07c\u202e", "备注", 100, multiline=True)


@pytest.mark.parametrize("name", ["𪚥", "𰻝𰻝面", "\U00031350", "\U000323AF", "\U0002EBF0", "\U00020000",
                                  "\U0002A6A5\U0002B740", "\ue000", "王\u00b7阿卜杜拉"])
def test_every_cjk_extension_and_private_use_is_accepted(name):
    assert check_text(f" {name} ", "申请人姓名", 50) == name


def test_zero_width_joiner_is_accepted_so_emoji_sequences_survive():
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467"
    assert check_text(family, "备注", 10) == family
    assert check_text("می\u200cخواهم", "姓名", 10) == "می\u200cخواهم"   # ZWNJ in Persian


def test_tab_and_newline_only_in_multiline_text():
    assert check_text("甲\n\t乙", "备注", 10, multiline=True) == "甲\n\t乙"
    with pytest.raises(InvalidInput, match="“姓名”不能换行"):
        check_text("甲\n乙", "姓名", 10)
    with pytest.raises(InvalidInput, match=r"U\+0009"):
        check_text("甲\t乙", "姓名", 10)


def test_length_counts_characters_after_stripping():
    assert check_text("  " + "𪚥" * 5 + "\u3000", "姓名", 5) == "𪚥" * 5   # Ext B counts as one
    assert check_text(None, "姓名", 5) == "" and check_text(12, "份数", 5) == "12"


@pytest.mark.parametrize("value,expected", [(0, 0), (365, 365), ("12", 12), (" 7 ", 7), ("１２", 12), (5.0, 5),
                                            ("+3", 3)])
def test_check_int_accepts(value, expected):
    assert check_int(value, "承诺时限", 0, 365) == expected


@pytest.mark.parametrize("value,now", [(366, "366"), (-1, "-1"), ("三天", "三天"), (2.5, "2.5"), (True, "True"),
                                       (None, None), ("", None), ("1e3", "1e3"), ("²", "²"),
                                       ("9" * 40, "9" * 20 + "…")])
def test_check_int_refuses(value, now):
    with pytest.raises(InvalidInput) as err:
        check_int(value, "承诺时限", 0, 365)
    assert str(err.value) == "“承诺时限”应为 0–365 之间的整数" + (f"（现为“{now}”）" if now else "（现为空）")


def test_for_message_shows_hidden_characters_and_cuts():
    assert for_message("甲\u202e乙" + "丙" * 30, 5) == "甲<U+202E>乙丙丙…"
    assert for_message(None) == ""


def test_command_line_import_of_a_bomb_is_one_chinese_line(db, tmp_path):
    good = catalog.write_file(catalog.export_catalog(), tmp_path / "good.xlsx")
    bomb = tmp_path / "bomb.xlsx"
    inflate_sheet(good, bomb, 120)
    main = Path(__file__).resolve().parents[1] / "main.py"
    env = {**os.environ, "CLERK_DATA_DIR": str(tmp_path / "cli-data")}
    proc = subprocess.run([sys.executable, str(main), "catalog", "import", str(bomb)], capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode != 0
    assert "文件解压后过大（约 120 MB），不是正常的事项清单，已拒绝导入" in proc.stderr
    assert "Traceback" not in proc.stderr
