"""Catalog import/export: JSON and Excel round trips, all-or-nothing, row-level messages."""
from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from forms import catalog
from forms.errors import CatalogError
from forms.models import MaterialRequirement, Partner, ServiceItem


def test_json_export_has_the_documented_shape(db, tmp_path):
    path = catalog.write_file(catalog.export_catalog(), tmp_path / "out.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    item = next(i for i in data["items"] if i["code"] == "T-GA-001")
    assert item["name"] == "户口迁移" and item["promised_days"] == 5 and item["legal_days"] == 20
    assert item["case_types"] == ["异地代收代办"]
    book = item["materials"][1]
    assert {k: book[k] for k in ("name", "form", "copies", "required", "verify_original", "forward_original")} == \
        {"name": "居民户口簿", "form": "原件", "copies": 1, "required": True, "verify_original": True,
         "forward_original": True}
    partner = next(p for p in data["partners"] if p["code"] == "410927")
    assert {k: partner[k] for k in ("name", "region_code", "postcode", "phone")} == \
        {"name": "河南省台前县", "region_code": "410927", "postcode": "457600", "phone": "0393-1234567"}
    assert partner["items"] == ["T-GA-001", "T-RS-001"]


def test_excel_round_trip_gives_back_the_same_catalog(db, tmp_path):
    before = catalog.export_catalog()
    xlsx = catalog.write_file(before, tmp_path / "catalog.xlsx")
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["事项", "材料", "合作地区"]
    assert wb["材料"]["C3"].value == "居民户口簿"
    data = catalog.read_file(xlsx)
    result = catalog.import_catalog(data)
    assert result.items_unchanged == 2 and result.items_added == 0 and result.items_versioned == 0
    after = catalog.export_catalog()
    assert after == before


def test_changed_item_gets_a_new_version_and_old_cases_keep_theirs(db, tmp_path):
    data = catalog.export_catalog()
    data["items"][0]["materials"].append({"name": "新增材料", "form": "原件", "copies": 1, "required": True})
    old = ServiceItem.get(ServiceItem.code == data["items"][0]["code"], ServiceItem.current)
    result = catalog.import_catalog(data)
    assert result.items_versioned == 1
    new = ServiceItem.get(ServiceItem.code == old.code, ServiceItem.current)
    assert (old.version, new.version) == (1, 2)
    assert MaterialRequirement.select().where(MaterialRequirement.item == old).count() + 1 == \
        MaterialRequirement.select().where(MaterialRequirement.item == new).count()


def test_bad_excel_rows_each_get_a_message_and_nothing_is_written(db, tmp_path):
    data = catalog.export_catalog()
    data["items"].append({"code": "NEW-1", "name": "新事项", "case_types": ["异地代收代办"],
                          "promised_days": 3, "legal_days": 5,
                          "materials": [{"name": "申请表", "form": "原件", "copies": 1, "required": True}]})
    xlsx = catalog.write_file(data, tmp_path / "bad.xlsx")
    wb = load_workbook(xlsx)
    wb["事项"]["F4"] = "三天"               # promised days of NEW-1: not a number
    wb["材料"]["D2"] = "传真件"             # form of the first material
    wb["材料"]["E3"] = 0                    # copies
    wb["合作地区"]["H2"] = "45760"         # postcode too short
    wb.save(xlsx)
    with pytest.raises(CatalogError) as err:
        catalog.import_catalog(catalog.read_file(xlsx))
    rows = err.value.row_errors
    assert any(r.startswith("“事项”表第 4 行") and "承诺时限" in r for r in rows)
    assert any(r.startswith("“材料”表第 2 行") and "传真件" in r for r in rows)
    assert any(r.startswith("“材料”表第 3 行") and "份数" in r for r in rows)
    assert any(r.startswith("“合作地区”表第 2 行") and "邮政编码" in r for r in rows)
    assert len(rows) == 4
    assert not ServiceItem.select().where(ServiceItem.code == "NEW-1").exists()


def test_partner_signing_unknown_item_is_refused(db):
    data = {"items": [], "partners": [{"code": "X1", "name": "某县", "region_code": "410927",
                                       "items": ["NOPE-1"]}]}
    with pytest.raises(CatalogError) as err:
        catalog.import_catalog(data)
    assert "签约事项 NOPE-1 不在事项清单中" in str(err.value)
    assert not Partner.select().where(Partner.code == "X1").exists()


def test_unsupported_and_corrupt_files(db, tmp_path):
    (tmp_path / "a.csv").write_text("x")
    with pytest.raises(CatalogError, match="不支持的文件类型"):
        catalog.read_file(tmp_path / "a.csv")
    (tmp_path / "b.xlsx").write_bytes(b"not a zip")
    with pytest.raises(CatalogError, match="已损坏"):
        catalog.read_file(tmp_path / "b.xlsx")
    (tmp_path / "c.json").write_text("{ oops", encoding="utf-8")
    with pytest.raises(CatalogError, match="不是有效的 JSON"):
        catalog.read_file(tmp_path / "c.json")


def test_demo_catalog_is_rich_enough():
    from forms.seed import DEMO_CATALOG
    data = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
    clean = catalog.validate(data)
    assert len(clean["items"]) >= 30
    assert len(clean["partners"]) >= 5
    departments = " ".join(i["department"] for i in clean["items"])
    for dept in ("公安", "人力资源", "医疗保障", "公积金", "市场监督", "民政", "教育", "税务"):
        assert dept in departments, dept
    assert all(i["materials"] for i in clean["items"])
