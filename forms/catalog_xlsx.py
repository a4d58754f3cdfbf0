"""Excel (.xlsx) form of the catalog: three sheets with Chinese headers.

事项 (one row per item), 材料 (one row per material, keyed by 事项编码),
合作地区 (one row per partner). Rows carry ``_where`` so validation messages
name the sheet and row the clerk sees in Excel.
"""
from __future__ import annotations

import json
import zipfile

from forms.errors import CatalogError

ITEM_COLUMNS = [
    ("code", "事项编码"), ("name", "事项名称"), ("department", "实施主体"), ("scope", "通办范围"),
    ("case_types", "办理类型"), ("promised_days", "承诺时限（工作日）"), ("legal_days", "法定时限（工作日）"),
    ("fees", "收费"), ("basis", "设定依据"), ("special_stages", "特殊环节"),
    ("review_points", "审查要点"), ("keywords", "关键词"), ("source", "来源"),
]
MATERIAL_COLUMNS = [
    ("item_code", "事项编码"), ("seq", "序号"), ("name", "材料名称"), ("form", "材料形式"),
    ("copies", "份数"), ("required", "是否必需"), ("condition", "适用条件"),
    ("verify_original", "核验原件"), ("forward_original", "收取原件寄送"),
    ("e_license_ok", "电子证照可替代"), ("rongque_ok", "容缺"), ("note", "备注"),
]
PARTNER_COLUMNS = [
    ("code", "地区编码"), ("name", "名称"), ("region_code", "行政区划代码"), ("alliance", "所属联盟"),
    ("receiving_window", "收件窗口"), ("department", "审批部门"), ("address", "地址"),
    ("postcode", "邮政编码"), ("contact", "联系人"), ("phone", "联系电话"),
    ("agreement_start", "协议开始日期"), ("agreement_end", "协议结束日期"), ("items", "签约事项编码"),
]
SHEETS = {"事项": ITEM_COLUMNS, "材料": MATERIAL_COLUMNS, "合作地区": PARTNER_COLUMNS}
_BOOL_KEYS = {"required", "verify_original", "forward_original", "e_license_ok", "rongque_ok"}


def _cell_out(key, value):
    if key in _BOOL_KEYS:
        return "是" if value else "否"
    if key in ("case_types", "keywords", "items"):
        return "；".join(value or [])
    if key == "special_stages":
        return json.dumps(value or [], ensure_ascii=False) if value else ""
    return value


def write_xlsx(data: dict, path) -> None:
    """Write the exchange dict as a three-sheet workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    rows = {"事项": [], "材料": [], "合作地区": []}
    for item in data.get("items", []):
        rows["事项"].append([_cell_out(k, item.get(k)) for k, _ in ITEM_COLUMNS])
        for seq, m in enumerate(item.get("materials", []), start=1):
            m = dict(m, item_code=item["code"], seq=seq)
            rows["材料"].append([_cell_out(k, m.get(k)) for k, _ in MATERIAL_COLUMNS])
    for p in data.get("partners", []):
        rows["合作地区"].append([_cell_out(k, p.get(k)) for k, _ in PARTNER_COLUMNS])
    for title, columns in SHEETS.items():
        ws = wb.create_sheet(title)
        ws.append([label for _, label in columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows[title]:
            ws.append(row)
        ws.freeze_panes = "A2"
        for col, (_, label) in zip(ws.columns, columns):
            ws.column_dimensions[col[0].column_letter].width = max(10, min(40, len(label) * 2 + 4))
    wb.save(path)


def _sheet_rows(wb, title, columns):
    if title not in wb.sheetnames:
        raise CatalogError(f"工作簿缺少“{title}”表（应有：{'、'.join(SHEETS)}）")
    ws = wb[title]
    it = ws.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(it, [])]
    index = {}
    for key, label in columns:
        if label not in header:
            if key in ("code", "name", "item_code", "region_code"):
                raise CatalogError(f"“{title}”表缺少“{label}”列")
            continue
        index[key] = header.index(label)
    for n, values in enumerate(it, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        row = {k: (values[i] if i < len(values) else None) for k, i in index.items()}
        row["_where"] = f"“{title}”表第 {n} 行"
        yield row


def read_xlsx(path) -> dict:
    """Read a workbook written by write_xlsx (or by hand in the same form)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise CatalogError(f"无法打开 Excel 文件 {getattr(path, 'name', path)}：文件已损坏或不是 .xlsx") from e
    items, by_code = [], {}
    for row in _sheet_rows(wb, "事项", ITEM_COLUMNS):
        stages = row.get("special_stages")
        if isinstance(stages, str) and stages.strip().startswith("["):
            try:
                row["special_stages"] = json.loads(stages)
            except json.JSONDecodeError:
                pass
        row["materials"] = []
        row["code"] = "" if row.get("code") is None else str(row["code"]).strip()
        items.append(row)
        by_code.setdefault(row["code"], row)
    orphans = []
    for row in _sheet_rows(wb, "材料", MATERIAL_COLUMNS):
        code = "" if row.get("item_code") is None else str(row["item_code"]).strip()
        if code not in by_code:
            orphans.append(f"{row['_where']}：事项编码 {code or '（空）'} 不在“事项”表中")
            continue
        by_code[code]["materials"].append(row)
    partners = list(_sheet_rows(wb, "合作地区", PARTNER_COLUMNS))
    for p in partners:
        for k in ("code", "region_code", "postcode"):
            if isinstance(p.get(k), (int, float)):
                p[k] = str(int(p[k])).zfill(6) if k != "code" else str(int(p[k]))
    wb.close()
    if orphans:
        raise CatalogError(f"共 {len(orphans)} 处错误，未导入任何内容", orphans)
    for m in (m for item in items for m in item["materials"]):
        m.pop("item_code", None)
    return {"items": items, "partners": partners}
