"""What belongs to this PC, not to the hall: which window it is and its window's preferences.

A whole hall of windows may share one database, but each PC has its own screen,
scanner and printers, so this state lives in ``<data folder>/local.json``
(``CLERK_LOCAL_STATE`` may name another file). Keys are plain strings, values JSON.

Every write is a read-modify-write of the whole file under a lock (a thread lock,
plus an advisory lock on ``local.json.lock`` for other processes on the same PC),
then written with ``forms.files.write_text``: temp file, fsync, rename. So a reader
never needs the lock, it sees the old file or the new one. A file that cannot be
read as a JSON object is moved aside to ``local.json.bad-<timestamp>`` and the
defaults are used: a damaged preferences file must never keep the window from opening.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any, Iterator, Mapping

from forms import config, files

try:
    import fcntl
except ImportError:        # Windows
    fcntl = None
try:
    import msvcrt
except ImportError:        # everywhere else
    msvcrt = None

log = logging.getLogger(__name__)

ENV = "CLERK_LOCAL_STATE"
FILE_NAME = "local.json"
_thread_lock = threading.RLock()


def path() -> Path:
    """The state file in force: CLERK_LOCAL_STATE, else local.json in the data folder."""
    env = os.environ.get(ENV, "").strip()
    return Path(env).expanduser() if env else config.data_dir() / FILE_NAME


def get(key: str, default: Any = None) -> Any:
    """The stored value of ``key``, else ``default``; any thread."""
    return _read(path()).get(_checked_key(key), default)


def snapshot() -> dict:
    """A copy of everything stored; any thread."""
    return _read(path())


def set(key: str, value: Any) -> None:  # noqa: A001 - the module is used as ``localstate.set``
    """Store ``value`` (JSON-serialisable) under ``key``; any thread."""
    update({key: value})


def update(mapping: Mapping[str, Any], *, keep_existing: bool = False) -> None:
    """Store every pair of ``mapping`` in one write; with ``keep_existing`` only keys not yet
    stored are added (an import of old values that must not overwrite newer ones). Any thread."""
    changes = {_checked_key(k): v for k, v in mapping.items()}
    json.dumps(changes)     # a value that is not JSON fails here, before the file is touched
    dest = path()
    with _locked(dest):
        data = _read(dest, have_lock=True)
        new = {**changes, **data} if keep_existing else {**data, **changes}
        if new != data or not dest.exists():
            files.write_text(dest, json.dumps(new, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


# --- inside ---------------------------------------------------------------------------

def _checked_key(key) -> str:
    if not isinstance(key, str) or not key:
        raise TypeError(f"local state keys are non-empty strings, not {key!r}")
    return key


def _read(dest: Path, have_lock: bool = False) -> dict:
    """The file's object; {} when it is missing; a damaged file is moved aside."""
    try:
        return _parse(dest)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        problem = e
    if have_lock:
        _quarantine(dest, problem)
        return {}
    # Moving the file aside must not race a writer that has just replaced it with a good one:
    # look again under the lock (a second lock of our own would wait for ever, hence have_lock).
    with _locked(dest):
        return _read(dest, have_lock=True)


def _parse(dest: Path) -> dict:
    data = json.loads(dest.read_bytes().decode("utf-8"))    # UnicodeDecodeError is a ValueError
    if not isinstance(data, dict):
        raise ValueError(f"top level is {type(data).__name__}, not an object")
    return data


def _quarantine(dest: Path, problem: Exception) -> None:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    bad = dest.with_name(f"{dest.name}.bad-{stamp}")
    n = 1
    while bad.exists():
        n += 1
        bad = dest.with_name(f"{dest.name}.bad-{stamp}-{n}")
    try:
        os.replace(dest, bad)
    except OSError as e:
        log.warning("local state %s is unreadable (%s) and cannot be moved aside (%s); using defaults",
                    dest, problem, e)
        return
    log.warning("local state %s was unreadable (%s); moved to %s, using defaults", dest, problem, bad.name)


@contextlib.contextmanager
def _locked(dest: Path) -> Iterator[None]:
    """Hold the in-process lock and, where the platform has one, the lock file beside ``dest``."""
    with _thread_lock:
        files.private_dir(dest.parent)
        lock_path = dest.with_name(dest.name + ".lock")
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, files.FILE_MODE)
        except OSError as e:
            # The write that follows fails with its own message if the folder is unusable.
            log.warning("cannot open lock file %s (%s); other processes are not kept out", lock_path, e)
            fd = None
        if fd is None:
            yield
            return
        try:
            try:
                _lock_fd(fd)
                held = True
            except OSError as e:     # e.g. ENOLCK on a network folder
                log.warning("cannot lock %s (%s); other processes are not kept out", lock_path, e)
                held = False
            try:
                yield
            finally:
                if held:
                    _unlock_fd(fd)
        finally:
            os.close(fd)


def _lock_fd(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)
    elif msvcrt is not None:
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)   # itself retries for ~10 s, then raises
                return
            except OSError:
                continue
    # Neither: the thread lock alone (two processes on such a system may lose a write).


def _unlock_fd(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    elif msvcrt is not None:
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
