"""Command line: parse arguments, set up logging, open the database, hand over.

Each subcommand lives in its own module exposing ``add_parser(subparsers)``
(which sets ``func=run`` and ``needs_db``) and ``run(args) -> int``. Commands call
the same service functions the GUI calls.
"""
from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys

from forms.errors import ClerkError

log = logging.getLogger("clerk")

# Order here is the order in --help.
COMMAND_MODULES = [
    "cli.check_id",
    "cli.deadline",
    "cli.catalog",
    "cli.cases",
    "cli.scan",
    "cli.ocr",
    "cli.intake",
    "cli.holidays",
    "cli.window",
]


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with one Chinese line on stderr for usage errors (exit 2)."""

    def error(self, message):
        sys.stderr.write(f"命令参数有误：{message}（用 --help 查看用法）\n")
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(
        prog="main.py",
        description="通办收件台：不带参数启动窗口；带子命令在命令行办理。",
    )
    parser.add_argument("--verbose", action="store_true", help="输出调试日志")
    sub = parser.add_subparsers(dest="command", metavar="子命令", parser_class=ChineseArgumentParser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name == name:
                continue  # command not built yet
            raise
        module.add_parser(sub)
    return parser


def emit(args, payload: dict, text: str | None = None) -> None:
    """Print one JSON object (with --json) or the human text."""
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
    elif text is not None:
        sys.stdout.write(text.rstrip("\n") + "\n")


def open_for_gui() -> int:
    """Open the configured database before main.py hands over to the window; 0 when ready."""
    from forms import db
    try:
        db.open_default()
    except ClerkError as e:
        sys.stderr.write(str(e) + "\n")
        return 1
    _purge_stale_work()
    return 0


def _purge_stale_work() -> None:
    """Scans a killed process left in the data folder's work area go at the next start."""
    from forms import config
    removed = config.purge_stale_work()
    if removed:
        log.info("removed %d work folder(s) left by processes that ended abnormally", removed)


def main(argv: list[str]) -> int:
    """Run one subcommand (or, with none, just prepare for the GUI); returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from forms import config
    config.setup_logging(verbose=args.verbose, console=bool(args.command))
    warning = config.data_dir_warning()
    if warning:
        sys.stderr.write(f"提示：{warning}\n")
    if not args.command:
        return open_for_gui()
    try:
        if getattr(args, "needs_db", False):
            from forms import db
            db.open_default()
            _purge_stale_work()
        return int(args.func(args) or 0)
    except ClerkError as e:
        if getattr(args, "json", False):
            sys.stdout.write(json.dumps({"error": str(e)}, ensure_ascii=False) + "\n")
        # One line: row-level details (catalog imports) are joined with "；".
        sys.stderr.write(str(e).replace("\n", "；") + "\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("已中断\n")
        return 130
    except Exception:  # noqa: BLE001 - the one place that hides tracebacks from clerks
        log.exception("unexpected error in command %s", args.command)
        sys.stderr.write(f"内部错误，详见日志：{config.log_path()}\n")
        return 3
