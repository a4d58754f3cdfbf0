"""Session fixture: a running CUPS scheduler with a cups-pdf virtual printer.

``cups_pdf_printer`` starts /usr/sbin/cupsd if no scheduler answers (as
root; CI runs as root on a fresh machine) and stops it again at the end of
the session (only the cupsd it started), adds the queue ``TongbanPDF``
(backend cups-pdf:/, Debian's CUPS-PDF_opt.ppd) and points that queue's
output (``/etc/cups/cups-pdf-TongbanPDF.conf``, read by cups-pdf for this
queue only) at a session temp folder. It yields ``CupsPdfPrinter(name,
out_dir)``; ``wait_for_output(before)`` returns the PDF a job produced.
The test is skipped with the reason only if no scheduler can be started.
Register with ``pytest_plugins = ["tests.cups_fixture"]`` in conftest.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

QUEUE = "TongbanPDF"
CUPSD = "/usr/sbin/cupsd"
SOCKET = Path("/run/cups/cups.sock")
PPD_CANDIDATES = ("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd",
                  "/usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd")
_ENV = {**os.environ, "LC_ALL": "C", "LANG": "C"}


@dataclass
class CupsPdfPrinter:
    name: str
    out_dir: Path

    def pdfs(self) -> set[Path]:
        """PDF files the queue has written so far."""
        return set(self.out_dir.rglob("*.pdf"))

    def wait_for_output(self, before: set[Path], timeout_s: float = 60.0) -> Path:
        """The new PDF written after ``before`` was taken, once its size is stable."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            new = sorted(self.pdfs() - before)
            if new:
                size = -1
                while time.monotonic() < deadline:
                    now = new[0].stat().st_size
                    if now == size and now > 0:
                        return new[0]
                    size = now
                    time.sleep(0.3)
            time.sleep(0.2)
        raise AssertionError(f"cups-pdf wrote no PDF into {self.out_dir} within {timeout_s} s")


def _scheduler_running() -> bool:
    proc = subprocess.run(["lpstat", "-r"], capture_output=True, text=True, env=_ENV)
    return "scheduler is running" in proc.stdout


def _start_cupsd() -> tuple[subprocess.Popen | None, str | None]:
    """Start cupsd in the foreground as our child; return (process, None) or (None, reason)."""
    if not os.path.exists(CUPSD):
        return None, f"{CUPSD} is not installed (Debian package cups)"
    if os.geteuid() != 0:
        return None, "cupsd is not running and starting it needs root"
    SOCKET.parent.mkdir(parents=True, exist_ok=True)
    # -f keeps it attached to us, so the session can stop exactly the process it started.
    # stderr to a file: a pipe nobody reads could fill and stall cupsd.
    errors = tempfile.TemporaryFile()
    proc = subprocess.Popen([CUPSD, "-f"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=errors, env=_ENV)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            errors.seek(0)
            return None, f"cupsd failed to start: {errors.read().decode(errors='replace').strip()}"
        if SOCKET.exists() and _scheduler_running():
            return proc, None
        time.sleep(0.2)
    proc.terminate()
    proc.wait(10)
    return None, "cupsd started but its socket did not answer within 15 s"


def _lpadmin(*args: str) -> None:
    proc = subprocess.run(["lpadmin", *args], capture_output=True, text=True, env=_ENV)
    if proc.returncode != 0:
        raise RuntimeError(f"lpadmin {' '.join(args)} failed: {proc.stderr.strip()}")


@pytest.fixture(scope="session")
def cups_pdf_printer(tmp_path_factory):
    """A real CUPS queue whose output PDFs land in a session temp folder."""
    if shutil.which("lpstat") is None or shutil.which("lpadmin") is None:
        pytest.skip("CUPS client tools (lpstat, lpadmin) are not installed")
    started = None
    if not _scheduler_running():
        started, reason = _start_cupsd()
        if reason:
            pytest.skip(reason)
    ppd = next((p for p in PPD_CANDIDATES if os.path.exists(p)), None)
    if ppd is None:
        pytest.skip("cups-pdf PPD not found (Debian package printer-driver-cups-pdf)")
    out_dir = tmp_path_factory.mktemp("cups-pdf-out")
    # cups-pdf drops privileges to the job's user (or nobody): the folder must be writable.
    os.chmod(out_dir, 0o1777)
    conf = Path(f"/etc/cups/cups-pdf-{QUEUE}.conf")
    conf.write_text(f"Out {out_dir}\nAnonDirName {out_dir}\nLabel 0\nGrp lpadmin\n", encoding="utf-8")
    try:
        # The URI's path names the queue's own config file, cups-pdf-TongbanPDF.conf.
        _lpadmin("-p", QUEUE, "-E", "-v", f"cups-pdf:/{QUEUE}", "-P", ppd)
        _lpadmin("-d", QUEUE)
        yield CupsPdfPrinter(QUEUE, out_dir)
    finally:
        subprocess.run(["lpadmin", "-x", QUEUE], capture_output=True, env=_ENV)
        conf.unlink(missing_ok=True)
        if started is not None:
            started.terminate()
            started.wait(15)
