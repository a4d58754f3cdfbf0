"""``intake CASE.json --out DIR``: the whole window workflow for one case, headless.

Same service calls as the GUI wizard: receive → (一次性告知 and stop at 补正) or
受理 → 原件核验 → pages (clean + OCR) → package → waybill → 寄出 → dispatch list.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from cli import emit
from forms.errors import InvalidInput


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
        spec = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as e:
        raise InvalidInput(f"找不到办件描述文件 {path}") from e
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InvalidInput(f"{path.name} 不是有效的 JSON 文件") from e
    if not isinstance(spec, dict):
        raise InvalidInput(f"{path.name} 应为一个 JSON 对象")
    for key in ("item", "case_type", "applicant", "home"):
        if not spec.get(key):
            raise InvalidInput(f"{path.name} 缺少“{key}”")
    return spec


def run(args) -> int:
    from forms import accounts
    from forms.cases import MaterialInput
    from exports.intake_flow import IntakeRequest, run_intake
    from scanner.attach import attach_files
    spec_path = Path(args.case_file).resolve()
    spec = load_spec(spec_path)
    base = spec_path.parent
    materials, files = [], {}
    for m in spec.get("materials") or []:
        if not isinstance(m, dict) or not m.get("name"):
            raise InvalidInput("materials 中每一项都须有 name")
        materials.append(MaterialInput(name=m["name"], provided=bool(m.get("provided")),
                                       state=m.get("state"), reason=m.get("reason", ""),
                                       original_verified=bool(m.get("original_verified"))))
        files[m["name"]] = [(base / f) if not Path(f).is_absolute() else Path(f) for f in m.get("files") or []]
    delivery = spec.get("delivery") or {}
    request = IntakeRequest(
        item=spec["item"], case_type=spec["case_type"], home=spec["home"], applicant=spec["applicant"],
        agent=spec.get("agent"), agent_authorization=spec.get("agent_authorization", ""),
        materials=materials, files=files, delivery_method=delivery.get("method", "ems"),
        delivery_address=delivery.get("address", ""), tracking_number=spec.get("tracking_number") or "",
        weight_g=int(spec.get("weight_g") or 0), refuse_reason=spec.get("refuse_reason") or "",
        waybill_size=args.waybill_size)
    clerk = accounts.clerk_by_username(args.clerk)
    result = run_intake(request, clerk, attach_files)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    documents = {}
    for kind, path in result.documents.items():
        target = out / Path(path).name
        shutil.copyfile(path, target)
        documents[kind] = str(target)
    payload = {"case_no": result.case_no, "status": result.status, "due_date": result.due_date,
               "missing": result.missing, "documents": documents, "warnings": result.warnings}
    lines = [f"办件号：{result.case_no}", f"状态：{result.status_label}"]
    if result.due_date:
        lines.append(f"承诺办结日期：{result.due_date}")
    if result.missing:
        lines.append(f"缺少材料：{'、'.join(result.missing)}（已生成一次性告知书）")
    lines += [f"{kind}：{p}" for kind, p in documents.items()]
    lines += [f"提示：{w}" for w in result.warnings]
    emit(args, payload, "\n".join(lines))
    return 0
