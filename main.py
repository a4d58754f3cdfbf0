"""Tongban Clerk (通办收件台) entry point.

No subcommand: open the clerk window. With a subcommand: run one CLI command.
"""
import os
import sys

import cli


def run(argv: list[str]) -> int:
    if [a for a in argv if a != "--verbose"]:
        return cli.main(argv)
    code = cli.main(argv)          # logging + database (migrated, seeded on first start)
    if code:
        return code
    from clerk_app import run_gui
    return run_gui()


if __name__ == "__main__":
    # Everything this process writes (reportlab's and Tesseract's temporaries too) is the clerk's alone.
    os.umask(0o077)
    sys.exit(run(sys.argv[1:]))
