"""Where things live: data folder, database URL, logs.

``CLERK_DATA_DIR`` overrides the platform's user data folder, so tests and
several instances never share a database by accident. ``CLERK_DATABASE_URL``
takes any peewee database URL (``postgresql://user:pw@host/db`` for a hall).
"""
from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
from pathlib import Path
from typing import Iterator

import platformdirs

APP_NAME = "tongban-clerk"


def data_dir() -> Path:
    """The folder holding the database, scans, keys and logs; created 0700."""
    env = os.environ.get("CLERK_DATA_DIR")
    path = Path(env).expanduser() if env else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    try:
        # Scans and ID numbers live here: only the clerk's account may read them.
        os.chmod(path, 0o700)
    except OSError:
        pass
    return path


def database_url() -> str:
    """The peewee URL in force: CLERK_DATABASE_URL, else SQLite in the data folder."""
    url = os.environ.get("CLERK_DATABASE_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{data_dir() / 'clerk.db'}"


def sub_dir(name: str) -> Path:
    """A named folder under the data folder (pages, packages, keys, documents...)."""
    path = data_dir() / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_work_dir(prefix: str) -> Path:
    """A fresh private folder for one job's intermediate files (scans waiting for OCR...).

    Under the data folder, not the system's temp: scans of ID cards stay behind the
    data folder's 0700, and what a killed process leaves is found again and removed by
    ``purge_stale_work`` at the next start. The name carries the owner's PID.
    """
    import tempfile
    return Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-{prefix}-", dir=sub_dir("work")))


@contextlib.contextmanager
def work_folder(prefix: str) -> Iterator[Path]:
    """``with work_folder("package") as folder:`` a new_work_dir removed at the end, whatever happens."""
    import shutil
    folder = new_work_dir(prefix)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def purge_stale_work() -> int:
    """Remove job folders whose process is gone (killed, crashed); returns how many."""
    import shutil
    removed = 0
    for folder in sub_dir("work").iterdir():
        pid = folder.name.split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True          # someone else's process: not ours to judge
    return True


def log_path() -> Path:
    return sub_dir("logs") / "clerk.log"


class _RedactFilter(logging.Filter):
    """Masks 18-character ID numbers and 11-digit mobiles that slip into log lines."""

    import re as _re
    _ID = _re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
    _MOBILE = _re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")

    def filter(self, record):
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001 - never lose a log line to formatting
            return True
        masked = self._MOBILE.sub(r"\1****\2", self._ID.sub(r"\1********\2", msg))
        if masked != msg:
            record.msg, record.args = masked, None
        return True


_configured = False


def setup_logging(verbose: bool = False, console: bool = False) -> None:
    """File log in the data folder (rotated); console only for warnings of CLI runs."""
    global _configured
    if _configured:
        return
    _configured = True
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    try:
        handler = logging.handlers.RotatingFileHandler(
            log_path(), maxBytes=2_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(_RedactFilter())
        root.addHandler(handler)
    except OSError:
        pass
    if verbose:
        stream = logging.StreamHandler()
        stream.setLevel(logging.DEBUG)
        stream.addFilter(_RedactFilter())
        root.addHandler(stream)
