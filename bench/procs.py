"""Memory of a process tree, sampled from /proc while it works (Linux only).

``TreeSampler(pid)`` is a thread that adds up the resident set of ``pid`` and every
process descended from it (OCR workers, Tesseract programs, Ghostscript) every
``interval`` seconds and keeps the largest total it saw. It reads /proc from this
process, so the measured program runs no code for it. PSS (proportional set size,
which counts a shared page once across processes) is summed beside RSS: RSS is what
the issue asks for, PSS what the machine really gives up.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after it.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_pids(pid: int) -> list[int]:
    """``pid`` and all its descendants alive now."""
    tree = _children()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(tree.get(p, []))
    return out


def _kib(pid: int, name: str, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of the tree in MB now."""
    pids = tree_pids(pid)
    rss = sum(_kib(p, "status", "VmRSS:") for p in pids)
    pss = sum(_kib(p, "smaps_rollup", "Pss:") for p in pids)
    return rss / 1024, pss / 1024


class TreeSampler(threading.Thread):
    """Peak RSS and PSS (MB) of a process tree while the ``with`` block runs."""

    def __init__(self, pid: int | None = None, interval: float = 0.1):
        super().__init__(name="rss-sampler", daemon=True)
        self.pid = pid or os.getpid()
        self.interval = interval
        self.peak_rss = self.peak_pss = 0.0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            rss, pss = tree_memory_mb(self.pid)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self._halt.wait(self.interval)

    def __enter__(self) -> "TreeSampler":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self._halt.set()
        self.join()
