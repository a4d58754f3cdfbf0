"""Send a document to a printer, or open it in the system's viewer.

Linux: CUPS through its command-line clients (``lpstat -p -d``, ``lp -d``,
``lpstat -W``), run with LC_ALL=C so their output can be parsed. Windows: the
shell's "print"/"printto" verb (os.startfile), which hands the file to the
default PDF application; media is then chosen in the printer's own settings.

Label stock is addressed by media name: ``MEDIA_LABEL_100x150`` and
``MEDIA_LABEL_76x130`` (CUPS custom sizes), sent with ``print-scaling=none``
so the label is printed at its real size, never shrunk to fit.

Every failure raises PrintError with a Chinese message. The functions block
for up to a few seconds (``wait_for_job`` longer): call them from a worker
thread, never the Tk thread.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from forms.errors import PrintError

MEDIA_A4 = "A4"
MEDIA_LABEL_100x150 = "Custom.100x150mm"
MEDIA_LABEL_76x130 = "Custom.76x130mm"
COMMAND_TIMEOUT_S = 20
_C_ENV = {**os.environ, "LC_ALL": "C", "LANG": "C"}


@dataclass
class Printer:
    name: str
    is_default: bool = False
    enabled: bool = True
    state: str = ""            # "idle", "printing", "disabled" ... as CUPS says


def media_for_size(width_mm: float, height_mm: float) -> str:
    """CUPS media name for a page size in millimetres: A4 by name, anything else Custom.WxHmm."""
    w, h = round(width_mm), round(height_mm)
    if (w, h) == (210, 297):
        return MEDIA_A4
    return f"Custom.{w}x{h}mm"


def _run(args: list[str]) -> subprocess.CompletedProcess:
    if shutil.which(args[0]) is None:
        raise PrintError("未找到打印服务程序 %s，请安装 CUPS（cups-client）" % args[0])
    try:
        return subprocess.run(args, capture_output=True, text=True, env=_C_ENV,
                              timeout=COMMAND_TIMEOUT_S, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise PrintError("打印服务无响应（%s 超时）" % args[0]) from e
    except OSError as e:
        raise PrintError("无法运行 %s：%s" % (args[0], e)) from e


def _cups_error(stderr: str) -> PrintError:
    text = stderr.strip()
    if re.search(r"scheduler is not running|Unable to connect|Connection refused", text, re.I):
        return PrintError("打印服务（CUPS）未运行，请先启动打印服务")
    if re.search(r"does not exist|Unknown destination|Invalid destination", text, re.I):
        return PrintError("找不到指定的打印机")
    return PrintError("打印服务报告错误：%s" % (text or "未知错误"))


def list_printers() -> list[Printer]:
    """Printers known to CUPS (Windows: an empty list; printing goes through the shell)."""
    if sys.platform == "win32":
        return []
    proc = _run(["lpstat", "-p", "-d"])
    out = proc.stdout
    if proc.returncode != 0 and "No destinations added" not in proc.stderr + out:
        raise _cups_error(proc.stderr or out)
    default = None
    m = re.search(r"^system default destination: (\S+)", out, re.M)
    if m:
        default = m.group(1)
    printers = []
    for m in re.finditer(r"^printer (\S+) (?:is |now )?(\w+)", out, re.M):
        name, state = m.group(1), m.group(2)
        printers.append(Printer(name, name == default, state != "disabled", state))
    return printers


def default_printer() -> str | None:
    """Name of the CUPS default printer, or None."""
    return next((p.name for p in list_printers() if p.is_default), None)


def print_file(path, printer: str | None = None, media: str | None = None, copies: int = 1,
               fit_to_page: bool = False, title: str | None = None) -> str:
    """Queue a PDF (or image) on a printer; return the CUPS job id ('' on Windows)."""
    path = Path(path)
    if not path.is_file():
        raise PrintError("要打印的文件不存在：%s" % path.name)
    if copies < 1:
        raise PrintError("份数至少为 1")
    if sys.platform == "win32":
        return _print_windows(path, printer)
    printers = list_printers()
    if not printers:
        raise PrintError("没有可用的打印机，请先在系统中添加打印机")
    if printer is None:
        printer = next((p.name for p in printers if p.is_default), None)
        if printer is None:
            raise PrintError("未选择打印机，且系统没有默认打印机")
    elif printer not in {p.name for p in printers}:
        raise PrintError("找不到打印机“%s”" % printer)
    args = ["lp", "-d", printer, "-n", str(copies), "-t", title or path.name]
    if media:
        args += ["-o", f"media={media}"]
    args += ["-o", "fit-to-page" if fit_to_page else "print-scaling=none"]
    proc = _run(args + ["--", str(path)])
    if proc.returncode != 0:
        raise _cups_error(proc.stderr or proc.stdout)
    m = re.search(r"request id is (\S+)", proc.stdout)
    if not m:
        raise PrintError("打印服务未返回任务编号：%s" % proc.stdout.strip())
    return m.group(1)


def _jobs(which: str) -> set[str]:
    proc = _run(["lpstat", "-W", which, "-o"])
    if proc.returncode != 0:
        raise _cups_error(proc.stderr)
    return {line.split()[0] for line in proc.stdout.splitlines() if line.strip()}


def wait_for_job(job_id: str, timeout_s: float = 60.0, poll_s: float = 0.3) -> None:
    """Block until CUPS has finished the job; PrintError if it has not within timeout_s."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if job_id not in _jobs("not-completed"):
            if job_id in _jobs("completed"):
                return
            raise PrintError("打印任务 %s 已不在队列中，可能已被取消" % job_id)
        time.sleep(poll_s)
    raise PrintError("打印任务 %s 在 %d 秒内未完成，请检查打印机" % (job_id, timeout_s))


def _print_windows(path: Path, printer: str | None) -> str:
    try:
        if printer:
            os.startfile(str(path), "printto", f'"{printer}"')  # type: ignore[attr-defined]
        else:
            os.startfile(str(path), "print")  # type: ignore[attr-defined]
    except OSError as e:
        raise PrintError("系统无法打印此文件（请确认已安装 PDF 阅读器并设置默认打印机）") from e
    return ""


def open_in_viewer(path) -> None:
    """Open a file in the desktop's default viewer (xdg-open / os.startfile / open)."""
    path = Path(path)
    if not path.is_file():
        raise PrintError("要打开的文件不存在：%s" % path.name)
    try:
        if sys.platform == "win32":
            os.startfile(str(path))  # type: ignore[attr-defined]
            return
        opener = "open" if sys.platform == "darwin" else "xdg-open"
        if shutil.which(opener) is None:
            raise PrintError("系统没有默认的文件查看程序（%s）" % opener)
        subprocess.Popen([opener, str(path)], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    except OSError as e:
        raise PrintError("无法打开文件 %s：%s" % (path.name, e)) from e
