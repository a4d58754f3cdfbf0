"""The window's start on the hall database, and its stalls and memory while pages are read.

Starts a private Xvfb (1366x768x24, the display picked by Xvfb with -displayfd, as the
GUI tests do), runs bench/gui_probe.py in it, and samples the probe's process tree
(window + OCR workers + their Tesseracts) from outside for the peak memory.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.procs import TreeSampler
from bench.report import Row, skipped

ROOT = Path(__file__).resolve().parent.parent
PROBE = ROOT / "bench" / "gui_probe.py"


def start_xvfb(screen: str = "1366x768x24") -> tuple[subprocess.Popen, str]:
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", screen,
                             "-nolisten", "tcp", "-noreset"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    number = b""
    deadline = time.monotonic() + 15
    with os.fdopen(read_fd, "rb") as r:
        while time.monotonic() < deadline and not number.endswith(b"\n"):
            chunk = r.read(1)
            if not chunk:
                break
            number += chunk
    if not number.strip():
        proc.kill()
        raise RuntimeError("Xvfb did not report a display number")
    return proc, f":{number.decode().strip()}"


def probe(args: list[str], env: dict, timeout: float) -> tuple[dict, TreeSampler]:
    env = {**env, "BENCH_T0": repr(time.time())}
    proc = subprocess.Popen([sys.executable, str(PROBE), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=str(ROOT))
    with TreeSampler(proc.pid) as mem:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    lines = [line for line in out.decode("utf-8", "replace").splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"gui_probe {args[0]} gave no result: "
                           f"{err.decode('utf-8', 'replace').strip()[-400:]}")
    return json.loads(lines[-1]), mem


def measure(n_pages: int, cases: int, langs: str, cache: Path, tmp: Path, facts: dict,
            log=print) -> tuple[dict, dict]:
    from bench import hall_db
    from bench.pages import GENERATOR, make_case
    if shutil.which("Xvfb") is None:
        why = "Xvfb is not installed (apt package xvfb)"
        return {k: skipped(k, why) for k in ("gui_max_stall_ms", "gui_start_s", "peak_rss_mb")}, {}
    tmp.mkdir(parents=True, exist_ok=True)
    hall = facts.get("hall_url") or f"sqlite:///{hall_db.sqlite_hall(cases, cache, log)}"
    paths = facts.get("paths") or [p.path for p in make_case(cache / f"pages-g{GENERATOR}", n_pages)]
    xvfb, display = start_xvfb()
    rows: dict[str, Row] = {}
    more: dict = {}
    try:
        base = {k: v for k, v in os.environ.items() if k not in ("CLERK_DATABASE_URL", "CLERK_DATA_DIR")}
        base.update(DISPLAY=display, CLERK_FAKE_NOW=hall_db.NOW.isoformat(), OMP_THREAD_LIMIT="1")
        starts = []
        for i in range(3):                  # the first start also warms the OS cache of the file
            env = {**base, "CLERK_DATABASE_URL": hall, "CLERK_DATA_DIR": str(tmp / f"start{i}")}
            got, _ = probe(["start"], env, 300)
            starts.append(got)
            log(f"  start {i + 1}: sign-in screen {got['login_s']:.2f} s, home board {got['home_s']:.2f} s")
        best = min(starts[1:], key=lambda g: g["home_s"])
        rows["gui_start_s"] = Row("gui_start_s", best["home_s"], best["login_s"],
                                  f"best of 2 warm starts; cold {starts[0]['home_s']:.2f} s; "
                                  f"board rows {best.get('rows')}")
        log(f"  importing {len(paths)} pages in the window ...")
        env = {**base, "CLERK_DATA_DIR": str(tmp / "stall")}
        got, mem = probe(["stall", *map(str, paths)], env, 1800)
        if got.get("error") or got.get("pages_stored") != len(paths):
            raise RuntimeError(f"import in the window failed: {got}")
        rows["gui_max_stall_ms"] = Row("gui_max_stall_ms", got["max_stall_ms"], len(paths),
                                       f"{got['elapsed_s']:.0f} s, {got['ticks']} ticks")
        rows["peak_rss_mb"] = Row("peak_rss_mb", mem.peak_rss, mem.peak_pss,
                                  "window + OCR workers + Tesseract, whole probe run")
        more["gui_import_s"] = got["elapsed_s"]
    finally:
        xvfb.terminate()
        try:
            xvfb.wait(10)
        except subprocess.TimeoutExpired:
            xvfb.kill()
    return rows, more
