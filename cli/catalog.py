"""``catalog import FILE`` / ``catalog export FILE`` (.json or .xlsx)."""
from cli import emit


def add_parser(sub):
    p = sub.add_parser("catalog", help="导入或导出事项清单（.json / .xlsx）")
    csub = p.add_subparsers(dest="catalog_command", metavar="操作", required=True)
    for name, helptext in (("import", "导入事项清单（全部成功才写入）"), ("export", "导出当前事项清单")):
        c = csub.add_parser(name, help=helptext)
        c.add_argument("file", help="文件路径，按扩展名选择格式")
        c.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        c.set_defaults(func=run, needs_db=True)


def run(args) -> int:
    from desk import admin
    from forms import catalog
    if args.catalog_command == "import":
        result = admin.import_catalog_file(None, args.file)
        emit(args, {"imported": True, **result.__dict__}, f"导入完成：{result.summary()}")
        return 0
    data = catalog.export_catalog()
    path = catalog.write_file(data, args.file)
    emit(args, {"file": str(path), "items": len(data["items"]), "partners": len(data["partners"])},
         f"已导出 {len(data['items'])} 个事项、{len(data['partners'])} 个合作地区到 {path}")
    return 0
