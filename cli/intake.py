"""``intake CASE.json --out DIR``: the whole window workflow for one case, headless.

The same desk actions as the window's wizard (desk.intake composes them): receive →
(一次性告知 and stop at 补正) or 受理 → 原件核验 → pages (clean + OCR) → package →
寄出 with its waybill → the day's 交寄清单. Everything checkable is checked before the
case is saved; running the same CASE.json again continues its case, never a second one.
"""
from __future__ import annotations

import json
from pathlib import Path

from cli import emit
from forms import files
from forms.errors import InvalidInput

REQUIRED = ("item", "case_type", "applicant", "home")
MAX_SPEC_BYTES = 1024 * 1024


def add_parser(sub):
    p = sub.add_parser("intake", help="按 JSON 描述办理一个办件并生成全部文书")
    p.add_argument("case_file", metavar="CASE.json", help="办件描述文件（格式见 README）")
    p.add_argument("--out", required=True, help="文书输出目录")
    p.add_argument("--clerk", default="admin", help="经办工作人员账号（默认 admin）")
    p.add_argument("--waybill-size", default="100x150", choices=("100x150", "76x130", "a4"),
                   help="面单尺寸")
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    p.set_defaults(func=run, needs_db=True)


def load_spec(path: Path) -> dict:
    try:
        if path.stat().st_size > MAX_SPEC_BYTES:
            raise InvalidInput(f"{path.name} 过大，不像办件描述文件")
        spec = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as e:
        raise InvalidInput(f"找不到办件描述文件 {path}") from e
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InvalidInput(f"{path.name} 不是有效的 JSON 文件") from e
    if not isinstance(spec, dict):
        raise InvalidInput(f"{path.name} 应为一个 JSON 对象")
    for key in REQUIRED:
        if not spec.get(key):
            raise InvalidInput(f"{path.name} 缺少“{key}”")
    for key in ("applicant", "agent", "delivery"):
        if spec.get(key) is not None and not isinstance(spec[key], dict):
            raise InvalidInput(f"{path.name} 的“{key}”应为一个对象")
    return spec


def _int(value, label: str) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        raise InvalidInput(f"“{label}”应为整数（现为“{str(value)[:20]}”）") from None


def request_from(spec: dict, base: Path, waybill_size: str):
    """The intake request a CASE.json describes (relative file names are beside the file)."""
    from desk.inputs import MaterialInput, NewCase
    from desk.intake import IntakeRequest, intake_key
    materials, files = [], {}
    for m in spec.get("materials") or []:
        if not isinstance(m, dict) or not isinstance(m.get("name"), str) or not m["name"]:
            raise InvalidInput("materials 中每一项都须有 name")
        copies = m.get("copies")
        materials.append(MaterialInput(
            name=m["name"], provided=bool(m.get("provided")), state=m.get("state") or None,
            reason=str(m.get("reason") or ""), original_verified=bool(m.get("original_verified")),
            copies=None if copies is None else _int(copies, f"{m['name']}的份数")))
        files[m["name"]] = tuple((base / f) if not Path(f).is_absolute() else Path(f)
                                 for f in m.get("files") or [])
    delivery = spec.get("delivery") or {}
    new = NewCase(item=str(spec["item"]), case_type=str(spec["case_type"]), home=str(spec["home"]),
                  applicant=spec["applicant"], agent=spec.get("agent"),
                  agent_authorization=str(spec.get("agent_authorization") or ""),
                  delivery_method=str(delivery.get("method") or "ems"),
                  delivery_address=str(delivery.get("address") or ""), materials=tuple(materials),
                  intake_key=intake_key(spec))
    return IntakeRequest(case=new, files=files, tracking_number=str(spec.get("tracking_number") or ""),
                         weight_g=_int(spec.get("weight_g"), "weight_g"),
                         refuse_reason=str(spec.get("refuse_reason") or ""), waybill_size=waybill_size)


def run(args) -> int:
    from desk.intake import run_intake
    from forms import accounts
    spec_path = Path(args.case_file).resolve()
    request = request_from(load_spec(spec_path), spec_path.parent, args.waybill_size)
    clerk = accounts.clerk_by_username(args.clerk)
    result = run_intake(clerk, request)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    documents = {}
    for kind, path in result.documents.items():
        target = out / Path(path).name
        files.copy_file(path, target)
        documents[kind] = str(target)
    payload = {"case_no": result.case_no, "status": result.status, "due_date": result.due_date,
               "missing": list(result.missing), "documents": documents, "warnings": list(result.warnings),
               "resumed": result.resumed}
    lines = [f"办件号：{result.case_no}", f"状态：{result.status_label}"]
    if result.due_date:
        lines.append(f"承诺办结日期：{result.due_date}")
    if result.missing:
        lines.append(f"缺少材料：{'、'.join(result.missing)}（已生成一次性告知书）")
    lines += [f"{kind}：{p}" for kind, p in documents.items()]
    lines += [f"提示：{w}" for w in result.warnings]
    emit(args, payload, "\n".join(lines))
    return 0
