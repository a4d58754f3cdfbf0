"""Excel (.xlsx) form of the catalog: three sheets with Chinese headers.

事项 (one row per item), 材料 (one row per material, keyed by 事项编码),
合作地区 (one row per partner). Rows carry ``_where`` so validation messages
name the sheet and row the clerk sees in Excel.

Safety (issue 10, rule 7):

* Reading ignores the sheet's ``<dimension>``: read-only openpyxl trusts it, and a
  stale one written by another program would silently drop rows and columns.
* Before openpyxl sees a file, its zip directory is checked (entry count, total
  unpacked size, per-entry compression ratio), so a zip bomb is refused instead
  of unpacked. The declared sizes can be trusted: Python's zipfile never returns
  more than an entry's declared size and fails its CRC check if the data is longer.
* Writing stores every text cell as a string, never a formula (openpyxl would
  store "=HYPERLINK(...)" as one), and text beginning with = + - @ tab or CR also
  gets Excel's quote prefix, so editing the cell in Excel keeps it text (OWASP
  "CSV injection"). The value read back is the exact text written. The catalog
  writes no CSV; a CSV writer elsewhere should prefix such cells with "'".
"""
from __future__ import annotations

import json
import zipfile

from forms.errors import CatalogError
from forms.textcheck import for_message

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

# A catalog workbook has about a dozen parts and unpacks to a few MB at most
# (the 41-item demo catalog: under 0.2 MB). Ordinary sheet XML compresses 5-30x.
MAX_ENTRIES = 1000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200                          # checked only for parts over RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 1024 * 1024
# Text Excel would take as the start of a formula when the cell is edited.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell_out(key, value):
    if key in _BOOL_KEYS:
        return "是" if value else "否"
    if key in ("case_types", "keywords", "items"):
        return "；".join(value or [])
    if key == "special_stages":
        return json.dumps(value or [], ensure_ascii=False) if value else ""
    return value


def _keep_text(cells) -> None:
    """Store each text cell as a string: openpyxl makes "=..." a formula and "#N/A" an error value."""
    for cell in cells:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if cell.value.startswith(_FORMULA_START):
                cell.quotePrefix = True


def write_xlsx(data: dict, path) -> None:
    """Write the exchange dict as a three-sheet workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils.exceptions import IllegalCharacterError

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
        for n, row in enumerate(rows[title], start=2):
            try:
                ws.append(row)
            except IllegalCharacterError as e:   # text stored before the control-character rule
                raise CatalogError(f"“{title}”表第 {n} 行含有 Excel 不能保存的控制字符，无法导出") from e
        for cells in ws.iter_rows(min_row=2, max_row=len(rows[title]) + 1, max_col=len(columns)):
            _keep_text(cells)
        ws.freeze_panes = "A2"
        for col, (_, label) in zip(ws.columns, columns):
            ws.column_dimensions[col[0].column_letter].width = max(10, min(40, len(label) * 2 + 4))
    wb.save(path)


def _sheet_rows(wb, title, columns):
    if title not in wb.sheetnames:
        raise CatalogError(f"工作簿缺少“{title}”表（应有：{'、'.join(SHEETS)}）")
    ws = wb[title]
    if hasattr(ws, "reset_dimensions"):   # read-only sheets trust <dimension>; count the rows instead
        ws.reset_dimensions()
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


def _refuse_zip_bomb(path) -> None:
    """Raise CatalogError if the .xlsx at ``path`` would unpack to far more than a catalog can be."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise CatalogError(_corrupt(path)) from e
    if len(infos) > MAX_ENTRIES:
        raise CatalogError(f"文件包含 {len(infos)} 个部件，不是正常的事项清单，已拒绝导入")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES:
        raise CatalogError(f"文件解压后过大（约 {total // (1024 * 1024)} MB），不是正常的事项清单，已拒绝导入")
    for i in infos:
        if i.file_size > RATIO_FLOOR_BYTES and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            ratio = i.file_size // max(i.compress_size, 1)
            raise CatalogError(f"文件中的部件“{for_message(i.filename, 60)}”压缩比异常（约 {ratio} 倍），"
                               "不是正常的事项清单，已拒绝导入")


def _corrupt(path) -> str:
    return f"无法打开 Excel 文件 {getattr(path, 'name', path)}：文件已损坏或不是 .xlsx"


def read_xlsx(path) -> dict:
    """Read a workbook written by write_xlsx (or by hand in the same form); refuses zip bombs first."""
    from openpyxl import load_workbook

    _refuse_zip_bomb(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise CatalogError(_corrupt(path)) from e
    try:
        return _read_workbook(wb)
    # Read-only sheets are unpacked and parsed only now. SyntaxError covers the
    # XML parse errors of both ElementTree and lxml.
    except (zipfile.BadZipFile, EOFError, OSError, SyntaxError) as e:
        raise CatalogError(_corrupt(path)) from e
    finally:
        wb.close()


def _read_workbook(wb) -> dict:
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
            orphans.append(f"{row['_where']}：事项编码 {for_message(code) or '（空）'} 不在“事项”表中")
            continue
        by_code[code]["materials"].append(row)
    partners = list(_sheet_rows(wb, "合作地区", PARTNER_COLUMNS))
    for p in partners:
        for k in ("code", "region_code", "postcode"):
            if isinstance(p.get(k), (int, float)):
                p[k] = str(int(p[k])).zfill(6) if k != "code" else str(int(p[k]))
    if orphans:
        raise CatalogError(f"共 {len(orphans)} 处错误，未导入任何内容", orphans)
    for m in (m for item in items for m in item["materials"]):
        m.pop("item_code", None)
    return {"items": items, "partners": partners}
