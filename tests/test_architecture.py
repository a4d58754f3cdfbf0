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
    "desk": {"forms", "scanner", "exports", "desk"},
    "cli": {"forms", "scanner", "exports", "desk", "cli"},
}
OURS = {"forms", "scanner", "exports", "desk", "cli", "clerk_app"}
# A model written directly: Case.update(...), HolidayOverride.delete(), Clerk.create(...) ...
MODEL_WRITE = re.compile(r"\b[A-Z][A-Za-z]+\.(?:update|delete|insert|insert_many|replace|create|get_or_create)\(")


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


def test_window_and_command_line_change_data_only_through_the_desk():
    """Issue 10: ``grep -rn "\\.save()\\|\\.create(\\|atomic(" clerk_app cli`` prints nothing,
    and no view or command writes a model class directly."""
    offenders = []
    for package in ("clerk_app", "cli"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if ".save()" in line or ".create(" in line or "atomic(" in line or MODEL_WRITE.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []
