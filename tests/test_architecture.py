"""The one-way doors between the four rooms hold."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMPORT = re.compile(r"^\s*(?:from|import)\s+([a-zA-Z_][\w.]*)", re.M)
ALLOWED = {
    "forms": {"forms"},
    "scanner": {"forms", "scanner"},
    "exports": {"forms", "exports"},
    "cli": {"forms", "scanner", "exports", "cli"},
}
OURS = {"forms", "scanner", "exports", "cli", "clerk_app"}


def imports_of(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in IMPORT.findall(path.read_text(encoding="utf-8")):
            yield path.relative_to(ROOT), name.split(".")[0]


def test_no_tk_outside_clerk_app():
    offenders = [(str(p), n) for pkg in ALLOWED for p, n in imports_of(pkg)
                 if n in ("tkinter", "ttkbootstrap", "_tkinter")]
    assert offenders == []


def test_rooms_import_only_through_their_doors():
    offenders = [(str(p), n) for pkg, allowed in ALLOWED.items() for p, n in imports_of(pkg)
                 if n in OURS and n not in allowed]
    assert offenders == []
