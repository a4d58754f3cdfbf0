"""``window`` / ``window use CODE``: which window this PC works as (kept on this PC, not in the database)."""
from cli import emit


def add_parser(sub):
    p = sub.add_parser("window", help="查看或设置本机作为哪个窗口（保存在本机，不写入共享数据库）")
    p.add_argument("action", nargs="?", choices=("show", "use"), default="show", help="show 查看（默认）/ use 设置")
    p.add_argument("code", nargs="?", help="窗口编码（use 时必填）")
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    p.set_defaults(func=run, needs_db=True)


def run(args) -> int:
    from desk import admin
    from forms.errors import InvalidInput
    if args.action == "use":
        if not args.code:
            raise InvalidInput("请写明窗口编码，如：window use DZTQ01")
        window = admin.use_window(args.code)
    else:
        window = admin.this_window()
    emit(args, {"code": window.code, "name": window.name}, f"本机窗口：{window.name}（{window.code}）")
    return 0
