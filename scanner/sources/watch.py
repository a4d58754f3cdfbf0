"""A watch folder: window scanners save into a shared folder and we pick the files up.

Polling, not inotify: it works the same on SMB shares and on Windows. A file is
taken once it is complete (same size and mtime on two polls in a row, its end
marker present, and it decodes) and only once: what was taken is remembered by
path, size, mtime and sha256 in a small JSON file in the caller's state folder.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import time
from pathlib import Path
from typing import Callable, Iterator

from forms import files
from forms.errors import ImageError, ScanError
from scanner import imageio
from scanner.sources.base import AcquiredPage, CancelFlag, Progress, cancelled, report
from scanner.sources.files import page_from

log = logging.getLogger(__name__)

STATE_FILE = "watch-state.json"
GIVE_UP_POLLS = 4          # a stable file that still fails to decode after this many polls is bad
FORGET_AFTER_DAYS = 7      # entries of files gone from the folder are dropped after this
# Names scanners and copy tools use while a file is still being written.
_TEMP_NAME = re.compile(r"^[~.]|\.(tmp|temp|part|partial|crdownload|download|swp|lock)$", re.I)


def is_temporary(name: str) -> bool:
    """True for names like scan.tmp, ~scan.jpg, .scan.jpg, scan.jpg.part."""
    return bool(_TEMP_NAME.search(name))


class WatchFolder:
    """Pages of new, complete files in ``folder``; ``errors`` lists files that are not pages."""

    def __init__(self, folder, state_dir, dpi: int = imageio.DEFAULT_DPI,
                 since: float | None = None, give_up_polls: int = GIVE_UP_POLLS,
                 on_error: Callable[[ImageError], None] | None = None):
        self.folder = Path(folder)
        self.state_path = Path(state_dir) / STATE_FILE
        self.dpi = dpi
        self.since = since                  # epoch seconds: ignore files last written before it
        self.give_up_polls = give_up_polls
        self.on_error = on_error
        self.errors: list[ImageError] = []
        self._pending: dict[str, dict] = {}  # path -> {"sig", "stable", "sha256"}
        self._taken: dict[str, dict] = self._load_state()
        self._index = 0

    def poll_once(self) -> list[AcquiredPage]:
        """One look at the folder: the pages of files that became complete; any thread, not two."""
        if not self.folder.is_dir():
            raise ScanError(f"监视文件夹不存在或无法访问：{self.folder}")
        pages: list[AcquiredPage] = []
        present: set[str] = set()
        changed = False
        for path in sorted(self.folder.iterdir(), key=lambda p: p.name):
            if is_temporary(path.name) or path.suffix.lower() not in imageio.SUFFIXES:
                continue
            try:
                st = path.stat()
            except OSError:
                continue                     # vanished between listing and stat
            if not path.is_file() or (self.since is not None and st.st_mtime < self.since):
                continue
            key = str(path.absolute())
            present.add(key)
            sig = [st.st_size, st.st_mtime_ns]
            known = self._taken.get(key)
            if known is not None and [known["size"], known["mtime_ns"]] == sig:
                continue
            taken, record = self._consider(path, key, sig)
            pages.extend(taken)
            changed |= record
        for key in list(self._pending):
            if key not in present:
                del self._pending[key]
        if changed:
            self._save_state()
        return pages

    def pages(self, progress: Progress | None = None, cancel: CancelFlag | None = None,
              interval: float = 1.0) -> Iterator[AcquiredPage]:
        """Poll every ``interval`` seconds and yield new pages until ``cancel`` is set."""
        while not cancelled(cancel):
            for page in self.poll_once():
                report(progress, page.index, None, f"已收到 {Path(page.file).name}")
                yield page
            if hasattr(cancel, "wait"):
                cancel.wait(interval)
            else:
                time.sleep(interval)

    def _consider(self, path: Path, key: str, sig: list) -> tuple[list[AcquiredPage], bool]:
        """Pages of the file if it is complete now, and whether the state changed."""
        pending = self._pending.get(key)
        if pending is None or pending["sig"] != sig:
            self._pending[key] = {"sig": sig, "stable": 0, "sha256": None}
            return [], False                 # first sight or still growing: look again next poll
        pending["stable"] += 1
        if pending["sha256"] is None:
            try:
                pending["sha256"] = _sha256(path)
            except OSError:
                return [], False
        digest = pending["sha256"]
        giving_up = pending["stable"] >= self.give_up_polls
        if self._taken_digest(digest):
            self._remember(key, sig, digest, duplicate=True)
            return [], True
        if not imageio.looks_complete(path) and not giving_up:
            return [], False
        try:
            loaded = list(imageio.load_pages(path, self.dpi))
        except ImageError as e:
            if not giving_up:
                return [], False             # maybe still being written: try again next poll
            self._record_error(e)
            self._remember(key, sig, digest, error=str(e))
            return [], True
        try:
            st = path.stat()
        except OSError:
            return [], False
        if [st.st_size, st.st_mtime_ns] != sig:
            return [], False                 # rewritten while we read it
        pages = []
        for page in loaded:
            self._index += 1
            pages.append(page_from(page, path, self._index, "watch"))
        self._remember(key, sig, digest)
        return pages, True

    def _taken_digest(self, digest: str) -> bool:
        return any(entry.get("sha256") == digest and not entry.get("error")
                   for entry in self._taken.values())

    def _remember(self, key: str, sig: list, digest: str, error: str | None = None,
                  duplicate: bool = False) -> None:
        self._pending.pop(key, None)
        self._taken[key] = {"size": sig[0], "mtime_ns": sig[1], "sha256": digest,
                            "taken_at": dt.datetime.now().isoformat(timespec="seconds"),
                            "error": error, "duplicate": duplicate}

    def _record_error(self, error: ImageError) -> None:
        log.info("watch folder: %s", error)
        self.errors.append(error)
        if self.on_error is not None:
            self.on_error(error)

    def _load_state(self) -> dict[str, dict]:
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
            entries = dict(data["files"])
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, TypeError) as e:
            log.warning("watch state %s unreadable (%s); starting afresh", self.state_path, e)
            try:
                os.replace(self.state_path, self.state_path.with_suffix(".bad"))
            except OSError:
                pass
            return {}
        cutoff = (dt.datetime.now() - dt.timedelta(days=FORGET_AFTER_DAYS)).isoformat()
        return {k: v for k, v in entries.items()
                if os.path.exists(k) or str(v.get("taken_at", "")) > cutoff}

    def _save_state(self) -> None:
        payload = {"version": 1, "folder": str(self.folder.absolute()), "files": self._taken}
        files.write_text(self.state_path, json.dumps(payload, ensure_ascii=False, indent=1),
                         what="监视文件夹记录")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
