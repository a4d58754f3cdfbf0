"""Tongban Clerk (通办收件台) entry point.

No argument: open the clerk window. With a subcommand: run one CLI command.
"""
import sys

from cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
