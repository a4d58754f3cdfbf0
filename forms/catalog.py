"""Service catalog (事项清单): validate, import all-or-nothing, export.

The exchange shape is one dict: ``{"items": [...], "partners": [...]}`` (see
README). JSON and Excel (forms/catalog_xlsx.py) both read into it and write
from it. Every bad row gets its own Chinese message; nothing is written
unless every row is good.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from forms.errors import CatalogError
from forms.models import (
    MaterialRequirement, Partner, PartnerItem, ServiceItem, db_proxy,
)

CASE_TYPES = ("全程网办", "异地代收代办", "多地联办")
FORMS = ("原件", "复印件", "电子")
ITEM_FIELDS = ("code", "name", "department", "scope", "case_types", "promised_days",
               "legal_days", "fees", "basis", "special_stages", "review_points", "keywords", "source")
MATERIAL_FIELDS = ("name", "form", "copies", "required", "condition", "verify_original",
                   "forward_original", "e_license_ok", "rongque_ok", "note")
PARTNER_FIELDS = ("code", "name", "region_code", "alliance", "receiving_window", "department",
                  "address", "postcode", "contact", "phone", "agreement_start", "agreement_end")


@dataclass
class ImportResult:
    items_added: int = 0        # new item codes
    items_versioned: int = 0    # existing codes whose content changed: new version
    items_unchanged: int = 0
    partners_added: int = 0
    partners_updated: int = 0

    def summary(self) -> str:
        return (f"事项新增 {self.items_added} 项，更新 {self.items_versioned} 项，未变 {self.items_unchanged} 项；"
                f"合作地区新增 {self.partners_added} 个，更新 {self.partners_updated} 个")


# --- validation -----------------------------------------------------------------------

class _Rows:
    """Collects row-level messages; ``where`` names the row as the clerk sees it."""

    def __init__(self):
        self.errors: list[str] = []

    def add(self, where: str, text: str) -> None:
        self.errors.append(f"{where}：{text}")


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _bool(value, where, key, rows: _Rows, default=False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if s in ("1", "true", "yes", "y", "是", "需要", "√", "✓"):
        return True
    if s in ("0", "false", "no", "n", "否", "不需要", "×", "✗"):
        return False
    rows.add(where, f"“{key}”应填“是”或“否”（现为“{value}”）")
    return default


def _int(value, where, key, rows: _Rows, minimum=0) -> int:
    try:
        if isinstance(value, bool):
            raise ValueError
        n = int(str(value).strip()) if not isinstance(value, int) else value
        if isinstance(value, float) and value != int(value):
            raise ValueError
        if n < minimum:
            raise ValueError
        return n
    except (TypeError, ValueError):
        rows.add(where, f"“{key}”必须是不小于 {minimum} 的整数（现为“{_text(value) or '空'}”）")
        return minimum


def _date(value, where, key, rows: _Rows):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        rows.add(where, f"“{key}”应为 YYYY-MM-DD 格式的日期（现为“{value}”）")
        return None


def _list(value) -> list:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return value
    return [p.strip() for p in str(value).replace("；", ";").replace("、", ";").split(";") if p.strip()]


def _item_where(item, i) -> str:
    return item.get("_where") or f"第 {i + 1} 个事项（{_text(item.get('name')) or _text(item.get('code')) or '无名称'}）"


def validate(data: dict) -> dict:
    """Check every row; return the normalised catalog or raise CatalogError listing every bad row."""
    rows = _Rows()
    if not isinstance(data, dict):
        raise CatalogError("文件内容不是事项清单（应为含 items 的对象）")
    items_out, partners_out, codes = [], [], set()
    for i, item in enumerate(data.get("items") or []):
        where = _item_where(item, i)
        code, name = _text(item.get("code")), _text(item.get("name"))
        if not code:
            rows.add(where, "缺少事项编码")
        elif code in codes:
            rows.add(where, f"事项编码 {code} 重复")
        codes.add(code)
        if not name:
            rows.add(where, "缺少事项名称")
        case_types = _list(item.get("case_types"))
        bad = [t for t in case_types if t not in CASE_TYPES]
        if bad or not case_types:
            rows.add(where, f"办理类型应为 {'、'.join(CASE_TYPES)} 之一（现为“{'、'.join(case_types) or '空'}”）")
        promised = _int(item.get("promised_days", 0), where, "承诺时限", rows)
        legal = _int(item.get("legal_days", 0), where, "法定时限", rows)
        if legal and promised > legal:
            rows.add(where, f"承诺时限 {promised} 个工作日超过法定时限 {legal} 个工作日")
        stages = item.get("special_stages") or []
        if isinstance(stages, str):
            stages = [{"name": s, "limit": ""} for s in _list(stages)]
        materials = []
        for j, m in enumerate(item.get("materials") or []):
            mw = m.get("_where") or f"{where} 第 {j + 1} 项材料（{_text(m.get('name')) or '无名称'}）"
            mname = _text(m.get("name"))
            if not mname:
                rows.add(mw, "缺少材料名称")
            form = _text(m.get("form")) or "复印件"
            if form not in FORMS:
                rows.add(mw, f"材料形式应为 {'、'.join(FORMS)} 之一（现为“{form}”）")
            required = _bool(m.get("required"), mw, "是否必需", rows, True)
            condition = _text(m.get("condition")) or None
            materials.append({
                "name": mname, "form": form,
                "copies": _int(m.get("copies", 1), mw, "份数", rows, minimum=1),
                "required": required, "condition": condition,
                "verify_original": _bool(m.get("verify_original"), mw, "核验原件", rows),
                "forward_original": _bool(m.get("forward_original"), mw, "收取原件", rows),
                "e_license_ok": _bool(m.get("e_license_ok"), mw, "电子证照可替代", rows),
                "rongque_ok": _bool(m.get("rongque_ok"), mw, "容缺", rows),
                "note": _text(m.get("note")),
            })
        if not materials:
            rows.add(where, "没有任何申请材料")
        items_out.append({
            "code": code, "name": name, "department": _text(item.get("department")),
            "scope": _text(item.get("scope")), "case_types": case_types,
            "promised_days": promised, "legal_days": legal, "fees": _text(item.get("fees")),
            "basis": _text(item.get("basis")), "special_stages": stages,
            "review_points": _text(item.get("review_points")),
            "keywords": _list(item.get("keywords")), "source": _text(item.get("source")),
            "materials": materials,
        })
    pcodes = set()
    for i, p in enumerate(data.get("partners") or []):
        where = p.get("_where") or f"第 {i + 1} 个合作地区（{_text(p.get('name')) or '无名称'}）"
        code = _text(p.get("code"))
        if not code:
            rows.add(where, "缺少地区编码")
        elif code in pcodes:
            rows.add(where, f"地区编码 {code} 重复")
        pcodes.add(code)
        if not _text(p.get("name")):
            rows.add(where, "缺少名称")
        region = _text(p.get("region_code"))
        if not (len(region) == 6 and region.isdigit()):
            rows.add(where, f"行政区划代码应为 6 位数字（现为“{region or '空'}”）")
        postcode = _text(p.get("postcode"))
        if postcode and not (len(postcode) == 6 and postcode.isdigit()):
            rows.add(where, f"邮政编码应为 6 位数字（现为“{postcode}”）")
        signed = [_text(c) for c in _list(p.get("items"))]
        known = codes | _existing_codes()
        for c in signed:
            if c not in known:
                rows.add(where, f"签约事项 {c} 不在事项清单中")
        out = {k: _text(p.get(k)) for k in PARTNER_FIELDS}
        out["region_code"] = region
        out["agreement_start"] = _date(p.get("agreement_start"), where, "协议开始日期", rows)
        out["agreement_end"] = _date(p.get("agreement_end"), where, "协议结束日期", rows)
        out["items"] = signed
        partners_out.append(out)
    if not items_out and not partners_out and not rows.errors:
        raise CatalogError("文件中没有任何事项或合作地区")
    if rows.errors:
        raise CatalogError(f"共 {len(rows.errors)} 处错误，未导入任何内容", rows.errors)
    return {"items": items_out, "partners": partners_out, "window": data.get("window")}


def _existing_codes() -> set[str]:
    if db_proxy.obj is None:
        return set()
    return {c for (c,) in ServiceItem.select(ServiceItem.code).distinct().tuples()}


# --- apply ----------------------------------------------------------------------------

def _item_snapshot(item: ServiceItem) -> dict:
    snap = {k: getattr(item, k) for k in ITEM_FIELDS}
    snap["materials"] = [{k: getattr(m, k) for k in MATERIAL_FIELDS}
                         for m in item.materials.order_by(MaterialRequirement.seq)]
    return json.loads(json.dumps(snap, ensure_ascii=False, default=str))


def import_catalog(data: dict) -> ImportResult:
    """Validate then write everything in one transaction (all-or-nothing)."""
    clean = validate(data)
    result = ImportResult()
    with db_proxy.obj.atomic():
        for item in clean["items"]:
            _upsert_item(item, result)
        for partner in clean["partners"]:
            _upsert_partner(partner, result)
    return result


def _upsert_item(item: dict, result: ImportResult) -> None:
    current = (ServiceItem.select().where(ServiceItem.code == item["code"], ServiceItem.current)
               .order_by(ServiceItem.version.desc()).first())
    wanted = json.loads(json.dumps(item, ensure_ascii=False, default=str))
    if current is not None and _item_snapshot(current) == wanted:
        result.items_unchanged += 1
        return
    version = 1
    if current is not None:
        version = (ServiceItem.select().where(ServiceItem.code == item["code"])
                   .order_by(ServiceItem.version.desc()).first().version + 1)
        ServiceItem.update(current=False).where(ServiceItem.code == item["code"]).execute()
        result.items_versioned += 1
    else:
        result.items_added += 1
    row = ServiceItem.create(version=version, current=True,
                             **{k: item[k] for k in ITEM_FIELDS})
    for seq, m in enumerate(item["materials"], start=1):
        MaterialRequirement.create(item=row, seq=seq, **m)


def _upsert_partner(p: dict, result: ImportResult) -> None:
    fields = {k: p[k] for k in PARTNER_FIELDS if k != "code"}
    row = Partner.get_or_none(Partner.code == p["code"])
    if row is None:
        row = Partner.create(code=p["code"], **fields)
        result.partners_added += 1
    else:
        Partner.update(**fields).where(Partner.id == row.id).execute()
        result.partners_updated += 1
    PartnerItem.delete().where(PartnerItem.partner == row).execute()
    for code in dict.fromkeys(p["items"]):
        PartnerItem.create(partner=row, item_code=code)


# --- export ---------------------------------------------------------------------------

def export_catalog() -> dict:
    """The current catalog as the exchange dict (current version of each item)."""
    items = []
    for item in ServiceItem.select().where(ServiceItem.current).order_by(ServiceItem.code):
        snap = _item_snapshot(item)
        snap["version"] = item.version
        items.append(snap)
    partners = []
    for p in Partner.select().order_by(Partner.code):
        entry = {k: getattr(p, k) for k in PARTNER_FIELDS}
        for k in ("agreement_start", "agreement_end"):
            entry[k] = entry[k].isoformat() if entry[k] else None
        entry["items"] = [pi.item_code for pi in p.signed_items.order_by(PartnerItem.item_code)]
        partners.append(entry)
    return {"format": "tongban-catalog", "format_version": 1, "items": items, "partners": partners}


def read_file(path) -> dict:
    """Read a catalog file (.json or .xlsx) into the exchange dict."""
    path = Path(path)
    if not path.exists():
        raise CatalogError(f"找不到文件 {path}")
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            return json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            where = f"第 {e.lineno} 行" if hasattr(e, "lineno") else ""
            raise CatalogError(f"{path.name} 不是有效的 JSON 文件{where}") from e
    if suffix == ".xlsx":
        from forms import catalog_xlsx
        return catalog_xlsx.read_xlsx(path)
    raise CatalogError(f"不支持的文件类型 {suffix or '（无扩展名）'}，请使用 .json 或 .xlsx")


def write_file(data: dict, path) -> Path:
    """Write the exchange dict to .json or .xlsx atomically."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".xlsx"):
        raise CatalogError(f"不支持的文件类型 {suffix or '（无扩展名）'}，请使用 .json 或 .xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=suffix)
    os.close(fd)
    try:
        if suffix == ".json":
            Path(tmp).write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        else:
            from forms import catalog_xlsx
            catalog_xlsx.write_xlsx(data, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
