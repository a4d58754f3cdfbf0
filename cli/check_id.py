"""``check-id VALUE [--kind ...]``: validate an identifier as the window does."""
from cli import emit


def add_parser(sub):
    from forms import identifiers
    p = sub.add_parser("check-id", help="核验证件号码、统一社会信用代码、手机号、邮编、邮件号")
    p.add_argument("value", help="要核验的号码")
    p.add_argument("--kind", choices=identifiers.KINDS, help="号码类型（省略时自动识别）")
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    p.set_defaults(func=run, needs_db=False)


def run(args) -> int:
    from forms import identifiers
    result = identifiers.check(args.value, args.kind)
    payload = result.to_dict()
    lines = [f"类型：{result.kind or '无法识别'}", f"结果：{'有效' if result.valid else '无效'}"]
    if result.normalized:
        lines.append(f"规范写法：{result.normalized}")
    if result.error:
        lines.append(f"原因：{result.error}")
    lines += [f"提示：{w}" for w in result.warnings]
    for key, label in (("birth_date", "出生日期"), ("sex", "性别"), ("region", "地区")):
        if result.info.get(key):
            lines.append(f"{label}：{result.info[key]}")
    emit(args, payload, "\n".join(lines))
    return 0 if result.valid else 1
