"""``deadline --from YYYY-MM-DD --days N``: working-day deadline with 调休."""
from datetime import date

from cli import emit
from forms.errors import InvalidInput


def add_parser(sub):
    p = sub.add_parser("deadline", help="按工作日计算办结期限（含调休，起算日不计）")
    p.add_argument("--from", dest="start", required=True, help="起算日期 YYYY-MM-DD")
    p.add_argument("--days", type=int, required=True, help="工作日数")
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    p.set_defaults(func=run, needs_db=True)


def run(args) -> int:
    from forms import deadlines
    try:
        start = date.fromisoformat(args.start)
    except ValueError as e:
        raise InvalidInput(f"起算日期应为 YYYY-MM-DD（现为“{args.start}”）") from e
    result = deadlines.due_after(start, args.days)
    text = f"办结期限：{result.due.isoformat()}"
    if result.warning:
        text += f"\n注意：{result.warning}"
    emit(args, result.to_dict(), text)
    return 0
