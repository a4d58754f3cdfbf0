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

from forms import files, privacy

APP_NAME = "tongban-clerk"
log = logging.getLogger(__name__)


def _named_data_dir() -> Path | None:
    env = os.environ.get("CLERK_DATA_DIR")
    return Path(env).expanduser() if env else None


def data_dir() -> Path:
    """The folder holding the database, scans, keys and logs.

    A folder the app makes (the platform's, or a CLERK_DATA_DIR not there yet) is
    created 0700. One the user named that exists already keeps the mode they gave it:
    if others may read it, that is logged once and ``data_dir_warning`` says so.
    """
    named = _named_data_dir()
    path = named or Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    if not path.is_dir():
        files.private_dir(path)
    elif named is None and _open_bits(path):
        # The app's own folder (an older version left it open): ours to close.
        with contextlib.suppress(OSError):
            os.chmod(path, files.DIR_MODE)
    elif path not in _warned and logging.getLogger().handlers:
        text = data_dir_warning(path)
        if text:
            _warned.add(path)
            log.warning("%s", text)
    return path


_warned: set[Path] = set()


def _open_bits(path: Path) -> int:
    """The group and other permission bits of ``path`` (always 0 on Windows, which has ACLs)."""
    if os.name == "nt":
        return 0
    try:
        return os.stat(path).st_mode & 0o077
    except OSError:
        return 0


def data_dir_warning(path=None) -> str | None:
    """A Chinese warning when other accounts may read the data folder, else None; any thread."""
    path = Path(path) if path is not None else data_dir()
    bits = _open_bits(path)
    if not bits:
        return None
    mode = os.stat(path).st_mode & 0o777
    who = "其他用户" if bits & 0o007 else "同组用户"
    how = "读取" if bits & 0o044 else "进入"
    return (f"数据目录 {path} {who}可以{how}（权限 {mode:04o}），其中含有身份证号码和扫描件，"
            f"建议改为 0700（chmod 700 {path}）")


def database_url() -> str:
    """The peewee URL in force: CLERK_DATABASE_URL, else SQLite in the data folder (file 0600)."""
    url = os.environ.get("CLERK_DATABASE_URL", "").strip()
    if url:
        return url
    path = data_dir() / "clerk.db"
    _private_file(path)
    return f"sqlite:///{path}"


def _private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if absent, or make it 0600.

    SQLite gives its journal and WAL files the mode of the database file, so an
    empty 0600 file made before the first connect keeps all three private.
    """
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, files.FILE_MODE))
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, files.FILE_MODE)
    except OSError:
        pass        # opening the database will say what is wrong


def sub_dir(name: str) -> Path:
    """A named folder under the data folder (pages, packages, keys, documents...), 0700.

    The folder is the app's own even when the data folder is the user's: if an older
    version left it open, it is closed, so scans stay private under an open data folder.
    """
    path = files.private_dir(data_dir() / name)
    if _open_bits(path):
        with contextlib.suppress(OSError):
            os.chmod(path, files.DIR_MODE)
    return path


def new_work_dir(prefix: str) -> Path:
    """A fresh private folder for one job's intermediate files (scans waiting for OCR...).

    Under the data folder, not the system's temp: scans of ID cards stay behind the
    work folder's 0700, and what a killed process leaves is found again and removed by
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


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose files (the current one and every rotated one) are 0600."""

    def _open(self):
        stream = self._builtin_open(self.baseFilename, self.mode, encoding=self.encoding,
                                    errors=self.errors, opener=_private_opener)
        # A log an older version left 0644 is closed too; rotation renames keep the mode.
        with contextlib.suppress(OSError):
            os.chmod(self.baseFilename, files.FILE_MODE)
        return stream


def _private_opener(path, flags):
    return os.open(path, flags, files.FILE_MODE)


_configured = False


def setup_logging(verbose: bool = False, console: bool = False) -> None:
    """File log in the data folder (rotated, 0600); ``verbose`` adds debug lines on stderr.

    Every line, tracebacks included, goes through forms.privacy.redact first.
    """
    global _configured
    if _configured:
        return
    _configured = True
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    try:
        handler = _PrivateRotatingFileHandler(
            log_path(), maxBytes=2_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(privacy.RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    except OSError:
        pass
    if verbose:
        stream = logging.StreamHandler()
        stream.setLevel(logging.DEBUG)
        stream.setFormatter(privacy.RedactingFormatter())
        root.addHandler(stream)
    data_dir()          # now that lines have somewhere to go: the open-folder warning, once
