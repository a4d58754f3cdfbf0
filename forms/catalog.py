"""Service catalog (事项清单): validate, import all-or-nothing, export.

The exchange shape is one dict: ``{"items": [...], "partners": [...]}`` (see
README). JSON and Excel (forms/catalog_xlsx.py) both read into it and write
from it. Every bad row gets its own Chinese message; nothing is written
unless every row is good.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from forms import files
from forms.errors import CatalogError, InvalidInput
from forms.models import (
    MaterialRequirement, Partner, PartnerItem, ServiceItem, db_proxy,
)
from forms.textcheck import check_int, check_text, for_message

CASE_TYPES = ("全程网办", "异地代收代办", "多地联办")
FORMS = ("原件", "复印件", "电子")
ITEM_FIELDS = ("code", "name", "department", "scope", "case_types", "promised_days",
               "legal_days", "fees", "basis", "special_stages", "review_points", "keywords", "source")
MATERIAL_FIELDS = ("name", "form", "copies", "required", "condition", "verify_original",
                   "forward_original", "e_license_ok", "rongque_ok", "note")
PARTNER_FIELDS = ("code", "name", "region_code", "alliance", "receiving_window", "department",
                  "address", "postcode", "contact", "phone", "agreement_start", "agreement_end")

# Rule 5 (issue 10): field -> (label as in the Excel header, max characters[, multiline]).
# Codes follow the column widths in forms/models.py; the rest leave room for every
# real item seen (demo catalog: longest name 25, basis 80, source 253 characters).
ITEM_LIMITS = {
    "code": ("事项编码", 64), "name": ("事项名称", 100), "department": ("实施主体", 100),
    "scope": ("通办范围", 50), "fees": ("收费", 500, True), "basis": ("设定依据", 2000, True),
    "review_points": ("审查要点", 2000, True), "source": ("来源", 500),
}
MATERIAL_LIMITS = {"name": ("材料名称", 100), "condition": ("适用条件", 500, True), "note": ("备注", 2000, True)}
PARTNER_LIMITS = {
    "code": ("地区编码", 32), "name": ("名称", 100), "alliance": ("所属联盟", 100),
    "receiving_window": ("收件窗口", 100), "department": ("审批部门", 100), "address": ("地址", 200),
    "contact": ("联系人", 50), "phone": ("联系电话", 50),
}
DAYS_RANGE = (0, 365)      # 承诺时限 and 法定时限, working days
COPIES_RANGE = (1, 99)
MAX_KEYWORDS = 50
MAX_JSON_BYTES = 50 * 1024 * 1024   # the demo catalog of 41 items is about 0.1 MB


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
    rows.add(where, f"“{key}”应填“是”或“否”（现为“{for_message(value)}”）")
    return default


def _int(value, where, key, rows: _Rows, lo: int, hi: int) -> int:
    try:
        return check_int(value, key, lo, hi)
    except InvalidInput as e:
        rows.add(where, str(e))
        return lo


def _str(value, where, rows: _Rows, limit: tuple) -> str:
    """Checked text for one field; ``limit`` is (label, max_len[, multiline]) from the tables above."""
    try:
        return check_text(value, *limit)
    except InvalidInput as e:
        rows.add(where, str(e))
        return _text(value)


def _date(value, where, key, rows: _Rows):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        rows.add(where, f"“{key}”应为 YYYY-MM-DD 格式的日期（现为“{for_message(value)}”）")
        return None


def _list(value) -> list:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return value
    return [p.strip() for p in str(value).replace("；", ";").replace("、", ";").split(";") if p.strip()]


def _records(value, where, what, rows: _Rows) -> list:
    """``value`` as a list of dicts; anything else is one row message (JSON written by hand)."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        rows.add(where, f"“{what}”应为列表")
        return []
    bad = [n for n, v in enumerate(value, start=1) if not isinstance(v, dict)]
    if bad:
        rows.add(where, f"“{what}”第 {bad[0]} 项格式不对（应为对象）")
    return [v for v in value if isinstance(v, dict)]


def _item_where(item, i) -> str:
    name = for_message(item.get("name")) or for_message(item.get("code")) or "无名称"
    return item.get("_where") or f"第 {i + 1} 个事项（{name}）"


def _texts(record: dict, where, rows: _Rows, limits: dict) -> dict:
    return {k: _str(record.get(k), where, rows, limit) for k, limit in limits.items()}


def _stages(value, where, rows: _Rows) -> list:
    if isinstance(value, str):
        value = [{"name": s, "limit": ""} for s in _list(value)]
    out = []
    for s in _records(value, where, "特殊环节", rows):
        out.append({"name": _str(s.get("name"), where, rows, ("特殊环节名称", 100)),
                    "limit": _str(s.get("limit"), where, rows, ("特殊环节时限", 200))})
    return out


def _keywords(value, where, rows: _Rows) -> list:
    words = [_str(w, where, rows, ("关键词", 50)) for w in _list(value)]
    if len(words) > MAX_KEYWORDS:
        rows.add(where, f"“关键词”不能超过 {MAX_KEYWORDS} 个（现为 {len(words)} 个）")
    return [w for w in words if w]


def _material(m: dict, mw: str, rows: _Rows) -> dict:
    texts = _texts(m, mw, rows, MATERIAL_LIMITS)
    if not texts["name"]:
        rows.add(mw, "缺少材料名称")
    form = _text(m.get("form")) or "复印件"
    if form not in FORMS:
        rows.add(mw, f"材料形式应为 {'、'.join(FORMS)} 之一（现为“{for_message(form)}”）")
    return {
        "name": texts["name"], "form": form,
        "copies": _int(m.get("copies", 1), mw, "份数", rows, *COPIES_RANGE),
        "required": _bool(m.get("required"), mw, "是否必需", rows, True),
        "condition": texts["condition"] or None,
        "verify_original": _bool(m.get("verify_original"), mw, "核验原件", rows),
        "forward_original": _bool(m.get("forward_original"), mw, "收取原件", rows),
        "e_license_ok": _bool(m.get("e_license_ok"), mw, "电子证照可替代", rows),
        "rongque_ok": _bool(m.get("rongque_ok"), mw, "容缺", rows),
        "note": texts["note"],
    }


def _item(item: dict, where: str, codes: set, rows: _Rows) -> dict:
    texts = _texts(item, where, rows, ITEM_LIMITS)
    code, name = texts["code"], texts["name"]
    if not code:
        rows.add(where, "缺少事项编码")
    elif code in codes:
        rows.add(where, f"事项编码 {for_message(code, 64)} 重复")
    codes.add(code)
    if not name:
        rows.add(where, "缺少事项名称")
    case_types = _list(item.get("case_types"))
    bad = [t for t in case_types if t not in CASE_TYPES]
    if bad or not case_types:
        shown = for_message("、".join(map(str, case_types)), 40) or "空"
        rows.add(where, f"办理类型应为 {'、'.join(CASE_TYPES)} 之一（现为“{shown}”）")
    promised = _int(item.get("promised_days", 0), where, "承诺时限", rows, *DAYS_RANGE)
    legal = _int(item.get("legal_days", 0), where, "法定时限", rows, *DAYS_RANGE)
    # 0 days is a legal "即办件"; a legal limit of 0 means none is published.
    if legal and promised > legal:
        rows.add(where, f"承诺时限 {promised} 个工作日超过法定时限 {legal} 个工作日")
    materials = []
    for j, m in enumerate(_records(item.get("materials"), where, "申请材料", rows)):
        mw = m.get("_where") or f"{where} 第 {j + 1} 项材料（{for_message(m.get('name')) or '无名称'}）"
        materials.append(_material(m, mw, rows))
    if not materials:
        rows.add(where, "没有任何申请材料")
    return {**texts, "case_types": case_types, "promised_days": promised, "legal_days": legal,
            "special_stages": _stages(item.get("special_stages") or [], where, rows),
            "keywords": _keywords(item.get("keywords"), where, rows), "materials": materials}


def _partner(p: dict, where: str, pcodes: set, codes: set, rows: _Rows) -> dict:
    texts = _texts(p, where, rows, PARTNER_LIMITS)
    code = texts["code"]
    if not code:
        rows.add(where, "缺少地区编码")
    elif code in pcodes:
        rows.add(where, f"地区编码 {for_message(code, 64)} 重复")
    pcodes.add(code)
    if not texts["name"]:
        rows.add(where, "缺少名称")
    region = _text(p.get("region_code"))
    if not (len(region) == 6 and region.isdigit()):
        rows.add(where, f"行政区划代码应为 6 位数字（现为“{for_message(region) or '空'}”）")
    postcode = _text(p.get("postcode"))
    if postcode and not (len(postcode) == 6 and postcode.isdigit()):
        rows.add(where, f"邮政编码应为 6 位数字（现为“{for_message(postcode)}”）")
    signed = [_text(c) for c in _list(p.get("items"))]
    known = codes | _existing_codes()
    for c in signed:
        if c not in known:
            rows.add(where, f"签约事项 {for_message(c)} 不在事项清单中")
    return {**texts, "region_code": region, "postcode": postcode,
            "agreement_start": _date(p.get("agreement_start"), where, "协议开始日期", rows),
            "agreement_end": _date(p.get("agreement_end"), where, "协议结束日期", rows),
            "items": signed}


def validate(data: dict) -> dict:
    """Check every row; return the normalised catalog or raise CatalogError listing every bad row."""
    rows = _Rows()
    if not isinstance(data, dict):
        raise CatalogError("文件内容不是事项清单（应为含 items 的对象）")
    items_out, partners_out, codes, pcodes = [], [], set(), set()
    for i, item in enumerate(_records(data.get("items"), "文件", "items", rows)):
        items_out.append(_item(item, _item_where(item, i), codes, rows))
    for i, p in enumerate(_records(data.get("partners"), "文件", "partners", rows)):
        where = p.get("_where") or f"第 {i + 1} 个合作地区（{for_message(p.get('name')) or '无名称'}）"
        partners_out.append(_partner(p, where, pcodes, codes, rows))
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
        size = path.stat().st_size
        if size > MAX_JSON_BYTES:
            raise CatalogError(f"文件过大（约 {size // (1024 * 1024)} MB），不是正常的事项清单，已拒绝导入")
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
    # No personal data in a catalog: readable by colleagues who take it to another window.
    with files.atomic_path(path, mode=0o644, what="事项清单") as tmp:
        if suffix == ".json":
            Path(tmp).write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        else:
            from forms import catalog_xlsx
            catalog_xlsx.write_xlsx(data, tmp)
    return path
