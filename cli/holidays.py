"""``holidays import FILE``: add next year's 节假日安排 from a small file."""
from cli import emit


def add_parser(sub):
    p = sub.add_parser("holidays", help="导入节假日和调休上班安排")
    hsub = p.add_subparsers(dest="holidays_command", metavar="操作", required=True)
    ip = hsub.add_parser("import", help="从 .json 或 .csv 文件导入（全部正确才写入）")
    ip.add_argument("file")
    ip.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    ip.set_defaults(func=run, needs_db=True)


def run(args) -> int:
    from desk import admin
    n = admin.import_holidays(None, args.file)
    emit(args, {"imported": n}, f"已导入 {n} 天的节假日/调休安排")
    return 0
