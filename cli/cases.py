"""``cases list [--search TEXT]`` and ``case show CASE_NO``."""
from cli import emit


def add_parser(sub):
    p = sub.add_parser("cases", help="办件列表")
    csub = p.add_subparsers(dest="cases_command", metavar="操作", required=True)
    lp = csub.add_parser("list", help="列出办件（可按办件号、姓名、证件号、电话、邮件号查找）")
    lp.add_argument("--search", default="", help="查找内容")
    lp.add_argument("--status", default="", help="只列出某一状态的办件（英文状态码）")
    lp.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    lp.set_defaults(func=run_list, needs_db=True)
    s = sub.add_parser("case", help="查看单个办件")
    ssub = s.add_subparsers(dest="case_command", metavar="操作", required=True)
    sp = ssub.add_parser("show", help="显示办件详情和办理经过")
    sp.add_argument("case_no", help="办件号")
    sp.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    sp.set_defaults(func=run_show, needs_db=True)


def run_list(args) -> int:
    from forms import queries
    rows = [queries.case_row(c) for c in queries.search_cases(args.search)]
    if args.status:
        rows = [r for r in rows if r["status"] == args.status]
    text = "\n".join(f"{r['case_no']}  {r['status_label']}  {r['item']}  {r['applicant']}  → {r['home']}"
                     for r in rows) or "没有办件"
    emit(args, {"cases": rows, "count": len(rows)}, text)
    return 0


def run_show(args) -> int:
    from desk.reception import case_by_no
    from forms import queries
    d = queries.case_detail(case_by_no(args.case_no))
    lines = [f"办件号：{d['case_no']}（{d['status_label']}）", f"事项：{d['item']}（{d['case_type']}）",
             f"申请人：{d['applicant']['name']}  {d['applicant']['id_number']}", f"属地：{d['home']}",
             f"承诺办结：{d['due_date'] or '未受理'}", "材料："]
    lines += [f"  {m['name']}：{m['state']}" for m in d["materials"]]
    lines.append("办理经过：")
    lines += [f"  {e['at']}  {e['clerk']}  {e['action']}" for e in d["events"]]
    emit(args, d, "\n".join(lines))
    return 0
