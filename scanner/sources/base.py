"""What every page source yields, the errors it raises, and the callbacks it takes.

A source is anything with ``pages(progress=None, cancel=None)`` returning an
iterator of ``AcquiredPage``. Pages are yielded as they arrive, so OCR can start
on page 1 while page 2 is being scanned. ``progress(done, total_or_None, what)``
is called from the thread that iterates; ``cancel`` is any object with
``is_set()`` (a ``threading.Event``): once set, the source stops quietly at the
next page boundary and the pages already yielded stay with the caller.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator, Literal, Optional, Protocol

from PIL import Image

from forms.errors import ScanError

Progress = Callable[[int, Optional[int], str], None]
Side = Optional[Literal["front", "back"]]


class CancelFlag(Protocol):
    def is_set(self) -> bool: ...


@dataclass
class AcquiredPage:
    """One page image with where it came from; ``index`` is 1-based across the run."""

    image: Image.Image          # mode "L" or "RGB", info["dpi"] set
    source: str                 # "sane:test:0", "camera:/dev/video0", "file", "watch"
    index: int                  # 1-based order in this acquisition run
    dpi: int
    file: str | None = None     # the file the page came from (files, watch folder)
    page_in_file: int = 1       # 1-based page within that file (PDF / TIFF)
    side: Side = None           # "front"/"back" for duplex scans, else None
    warnings: list[str] = field(default_factory=list)   # Chinese notes for the clerk

    @property
    def size(self) -> tuple[int, int]:
        """Width and height in pixels."""
        return self.image.size


class PageSource(Protocol):
    def pages(self, progress: Progress | None = None,
              cancel: CancelFlag | None = None) -> Iterator[AcquiredPage]: ...


def report(progress: Progress | None, done: int, total: int | None, what: str) -> None:
    """Call the progress callback if there is one."""
    if progress is not None:
        progress(done, total, what)


def cancelled(cancel: CancelFlag | None) -> bool:
    """True once the caller has asked to stop."""
    return cancel is not None and cancel.is_set()


# ---- errors a clerk reads -------------------------------------------------

class DeviceNotFound(ScanError):
    message = "找不到扫描仪“{device}”：设备未连接、已断开或名称有误，请检查电源和数据线后重试"


class NoCamera(ScanError):
    message = "高拍仪不可用：{}"


class ScanSettingsError(ScanError):
    message = "扫描设置无效：{}"


class ScanInterrupted(ScanError):
    """The scan stopped part way; ``pages_kept`` pages were already yielded."""

    message = "{what}：{kept}，{advice}"
    what = "扫描中断"
    advice = "请检查扫描仪后继续扫描"

    def __init__(self, pages_kept: int = 0, detail: str | None = None):
        self.pages_kept = pages_kept
        self.detail = detail
        kept = f"已保留前 {pages_kept} 页" if pages_kept else "尚未扫描到任何页面"
        what = f"{self.what}（{detail}）" if detail else self.what
        super().__init__(what=what, kept=kept, advice=self.advice)


class PaperJam(ScanInterrupted):
    what = "卡纸"
    advice = "请清除卡纸后继续扫描"


class FeederEmpty(ScanInterrupted):
    what = "进纸器中没有纸"
    advice = "请放入材料后再扫描"


class CoverOpen(ScanInterrupted):
    what = "扫描仪盖板未合上"
    advice = "请合上盖板后继续扫描"


class DeviceGone(ScanInterrupted):
    what = "扫描仪连接中断"
    advice = "请检查电源和数据线，重新连接后继续扫描"


class DeviceBusy(ScanInterrupted):
    what = "扫描仪正忙（可能有其他程序在使用）"
    advice = "请稍后再试"


class DeviceFailed(ScanInterrupted):
    what = "扫描仪报告错误"
    advice = "请检查扫描仪后重试"
