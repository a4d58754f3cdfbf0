"""SANE scanners (flatbed, document feeder, duplex) through python-sane.

``sane.init()`` runs once per process (SANE reads ``SANE_CONFIG_DIR`` then and
cannot be re-initialised reliably), so tests drive this module in a subprocess.
All calls on one device must come from one worker thread; never the Tk thread.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Iterator

import numpy as np
from PIL import Image

from forms.errors import ScanError
from scanner.sources.base import (
    AcquiredPage, CancelFlag, CoverOpen, DeviceBusy, DeviceFailed, DeviceGone,
    DeviceNotFound, FeederEmpty, PaperJam, Progress, ScanSettingsError, cancelled, report,
)

log = logging.getLogger(__name__)

SOURCES = ("flatbed", "adf")
MODES = ("color", "gray", "lineart")
COMMON_DPI = (150, 200, 240, 300, 400, 600)
# Backends built on sanei_thread cancel their reader thread asynchronously; cancelling
# while it is still inside malloc() deadlocks the process (seen with the test backend:
# about 1 run in 100 under load). After a failed read we give the reader time to block
# on its pipe, or finish, before sane_cancel(); 0.2 s made 600 of 600 runs clean.
SETTLE_BEFORE_CANCEL_S = 0.2

_init_lock = threading.Lock()
_sane_module = None

# sane_strstatus() texts -> (interruption class, Chinese detail for DeviceFailed)
_STATUS = [
    ("jammed", PaperJam, None),
    ("out of documents", FeederEmpty, None),
    ("cover is open", CoverOpen, None),
    ("device i/o", DeviceGone, None),
    ("device busy", DeviceBusy, None),
    ("access to resource has been denied", DeviceFailed, "无权访问扫描仪，请检查设备权限"),
    ("out of memory", DeviceFailed, "扫描仪内存不足"),
    ("not supported", DeviceFailed, "扫描仪不支持此操作"),
    ("invalid argument", DeviceFailed, "扫描参数无效"),
    ("lamp not ready", DeviceFailed, "灯管尚未预热好"),
    ("locked for transport", DeviceFailed, "扫描仪运输锁未打开"),
    ("returned no data", DeviceFailed, "扫描仪没有送回图像数据"),
    ("cancel", DeviceFailed, "扫描仪上按了取消"),
]


def _sane():
    """The initialised ``sane`` module (init happens once per process)."""
    global _sane_module
    with _init_lock:
        if _sane_module is None:
            try:
                import sane
            except ImportError as e:
                raise ScanError("本机未安装 SANE 扫描支持（python-sane）") from e
            try:
                sane.init()
            except Exception as e:  # _sane.error
                raise ScanError(f"无法初始化扫描仪驱动（SANE）：{e}") from e
            _sane_module = sane
        return _sane_module


@dataclass
class ScannerInfo:
    name: str        # SANE device name, e.g. "test:0" or "fujitsu:fi-7160:1234"
    vendor: str
    model: str
    kind: str        # "flatbed scanner", "sheetfed scanner", "virtual device" ...

    @property
    def label(self) -> str:
        """A line the clerk can pick from: vendor, model and the device name."""
        return f"{self.vendor} {self.model}（{self.name}）"


@dataclass
class ScanSettings:
    device: str
    source: str | None = "flatbed"          # "flatbed" | "adf"; None: adf if duplex else flatbed
    mode: str | None = "color"              # "color" | "gray" | "lineart"; None: color
    resolution: int = 300                   # dpi asked for; the page carries what the device gave
    duplex: bool = False                    # needs source "adf"
    options: dict = field(default_factory=dict)   # backend-specific SANE options by name


@dataclass
class DeviceCapabilities:
    name: str
    sources: list[str]          # subset of SOURCES
    duplex: bool
    modes: list[str]            # subset of MODES
    resolutions: list[int]      # the common dpi values the device accepts


def list_devices(local_only: bool = False) -> list[ScannerInfo]:
    """Scanners SANE can see now (may take seconds with network backends); worker thread."""
    sane = _sane()
    try:
        found = sane.get_devices(local_only)
    except Exception as e:
        raise ScanError(f"无法列出扫描仪：{e}") from e
    return [ScannerInfo(*d[:4]) for d in found]


def capabilities(device: str) -> DeviceCapabilities:
    """What the clerk may choose on this device (sources, duplex, modes, dpi); worker thread."""
    dev = _open(device)
    try:
        sources = _constraint(dev, "source")
        if sources is None:
            found = ["flatbed"]
        else:
            found = [s for s in SOURCES if _match_source(sources, s) is not None]
        modes_offered = _constraint(dev, "mode")
        modes = [m for m in MODES if modes_offered is None or _match_mode(dev, modes_offered, m)]
        res = _constraint(dev, "resolution")
        if isinstance(res, tuple):
            dpis = [d for d in COMMON_DPI if res[0] <= d <= res[1]]
        elif isinstance(res, list):
            dpis = sorted(int(r) for r in res if 100 <= r <= 1200)
        else:
            dpis = []
        return DeviceCapabilities(device, found, _duplex_plan(dev, sources) is not None, modes, dpis)
    finally:
        dev.close()


class SaneSource:
    """Pages from one SANE device; ``device`` is the open SaneDev while ``pages()`` runs."""

    def __init__(self, settings: ScanSettings):
        settings = replace(settings, source=settings.source or ("adf" if settings.duplex else "flatbed"),
                           mode=settings.mode or "color")
        if settings.source not in SOURCES:
            raise ScanSettingsError(f"未知的纸张来源“{settings.source}”")
        if settings.mode not in MODES:
            raise ScanSettingsError(f"未知的颜色模式“{settings.mode}”")
        if settings.duplex and settings.source != "adf":
            raise ScanSettingsError("双面扫描只能使用进纸器（请选择进纸器）")
        if not 50 <= settings.resolution <= 1200:
            raise ScanSettingsError(f"分辨率 {settings.resolution} dpi 超出范围（50–1200）")
        self.settings = settings
        self.device = None
        self.dpi = settings.resolution

    @property
    def name(self) -> str:
        return f"sane:{self.settings.device}"

    def pages(self, progress: Progress | None = None,
              cancel: CancelFlag | None = None) -> Iterator[AcquiredPage]:
        """Scan and yield pages as they arrive; on jam/empty/unplug raise after the kept pages."""
        s = self.settings
        feeder = s.source == "adf"
        total = None if feeder else 1
        dev = _open(s.device)
        self.device = dev
        count = 0
        failed = False
        try:
            self._apply(dev)
            while not cancelled(cancel):
                report(progress, count, total, f"正在扫描第 {count + 1} 页")
                try:
                    dev.start()
                    image = _read_image(dev)
                except Exception as e:  # _sane.error or python-sane's RuntimeError
                    text = str(e)
                    if feeder and count > 0 and "out of documents" in text.lower():
                        break   # the feeder ran empty after the last sheet: a normal end
                    failed = True
                    if cancelled(cancel) and "cancel" in text.lower():
                        break
                    raise _interruption(text, count) from e
                count += 1
                image.info["dpi"] = (self.dpi, self.dpi)
                side = ("front" if count % 2 else "back") if s.duplex else None
                report(progress, count, total, f"已扫描 {count} 页")
                yield AcquiredPage(image=image, source=self.name, index=count,
                                   dpi=self.dpi, side=side)
                if not feeder:
                    break
            report(progress, count, count, f"扫描完成，共 {count} 页")
        finally:
            self.device = None
            if failed:
                time.sleep(SETTLE_BEFORE_CANCEL_S)
            for step in (dev.cancel, dev.close):
                try:
                    step()
                except Exception:  # noqa: BLE001 - device may already be gone
                    pass

    def _apply(self, dev) -> None:
        s = self.settings
        sources = _constraint(dev, "source")
        if s.duplex:
            plan = _duplex_plan(dev, sources)
            if plan is None:
                raise ScanSettingsError(f"扫描仪“{s.device}”不支持双面扫描")
            for name, value in plan:
                _set(dev, name, value)
        elif sources is not None:
            value = _match_source(sources, s.source)
            if value is None:
                raise ScanSettingsError(f"扫描仪“{s.device}”没有{_SOURCE_CN[s.source]}")
            _set(dev, "source", value)
        elif s.source == "adf":
            raise ScanSettingsError(f"扫描仪“{s.device}”没有进纸器")
        modes = _constraint(dev, "mode")
        if modes is not None:
            value, depth = _match_mode(dev, modes, s.mode) or (None, None)
            if value is None:
                raise ScanSettingsError(f"扫描仪“{s.device}”不支持{_MODE_CN[s.mode]}模式")
            _set(dev, "mode", value)
            if depth is not None:
                _set(dev, "depth", depth)
        if "resolution" in dev.opt and dev["resolution"].is_active():
            _set(dev, "resolution", _nearest_dpi(_constraint(dev, "resolution"), s.resolution))
        for name, value in s.options.items():
            key = name.replace("-", "_")
            if key not in dev.opt:
                raise ScanSettingsError(f"扫描仪“{s.device}”没有选项“{name}”")
            _set(dev, key, _coerce(dev[key], value))
        if "resolution" in dev.opt and dev["resolution"].is_active():
            self.dpi = int(round(float(dev.resolution)))   # what the device settled on


_SOURCE_CN = {"flatbed": "平板", "adf": "进纸器"}
_MODE_CN = {"color": "彩色", "gray": "灰度", "lineart": "黑白"}
_NOT_SOURCE = re.compile(r"transparen|film|negative|slide|tma", re.I)
_SOURCE_RE = {"flatbed": re.compile(r"flatbed|platen|normal|glass|document table", re.I),
              "adf": re.compile(r"adf|feeder|automatic", re.I)}
_MODE_RE = {"color": re.compile(r"colou?r|rgb", re.I),
            "gray": re.compile(r"gr[ae]y", re.I),
            "lineart": re.compile(r"lineart|binary|black|halftone|monochrome|\bbw\b", re.I)}


def _open(device: str):
    sane = _sane()
    try:
        return sane.open(device)
    except Exception as e:
        text = str(e).lower()
        log.warning("cannot open scanner %s: %s", device, e)
        if "busy" in text:
            raise DeviceBusy(0) from e
        if "denied" in text:
            raise DeviceFailed(0, "无权访问扫描仪，请检查设备权限") from e
        raise DeviceNotFound(device=device) from e


def _interruption(text: str, kept: int):
    """The Chinese ScanInterrupted subclass for a SANE status text."""
    low = text.lower()
    for needle, cls, detail in _STATUS:
        if needle in low:
            return cls(kept, detail) if detail else cls(kept)
    log.warning("unmapped SANE status: %s", text)
    return DeviceFailed(kept, "未知错误")


def _constraint(dev, name: str):
    """The option's constraint (list or (min, max, step)), or None if absent/inactive."""
    opt = dev.opt.get(name)
    if opt is None or not opt.is_active():
        return None
    return opt.constraint


def _match_source(values: list, want: str) -> str | None:
    for value in values:
        text = str(value)
        if _NOT_SOURCE.search(text) or re.search(r"duplex|back", text, re.I):
            continue
        if _SOURCE_RE[want].search(text) and not (want == "flatbed" and _SOURCE_RE["adf"].search(text)):
            return value
    return None


def _duplex_plan(dev, sources) -> list[tuple[str, object]] | None:
    """Option settings that make the device scan both sides, or None if it cannot."""
    for value in sources or []:
        if re.search(r"duplex", str(value), re.I):
            return [("source", value)]
    adf = _match_source(sources or [], "adf")
    if adf is None:
        return None
    if "duplex" in dev.opt:
        return [("source", adf), ("duplex", True)]
    for name in ("adf_mode", "adf_duplex"):
        values = dev.opt[name].constraint if name in dev.opt else None
        for value in values or []:
            if re.search(r"duplex", str(value), re.I):
                return [("source", adf), (name, value)]
    return None


def _match_mode(dev, values: list, want: str):
    """(mode value, depth or None) giving ``want``; lineart falls back to 1-bit gray."""
    for value in values:
        if _MODE_RE[want].search(str(value)) and not (want == "gray" and _MODE_RE["lineart"].search(str(value))):
            depths = _constraint(dev, "depth")
            depth = 8 if want != "lineart" and isinstance(depths, list) and 8 in depths else None
            return value, depth
    if want == "lineart":
        depths = _constraint(dev, "depth")
        gray = _match_mode(dev, values, "gray")
        if gray and isinstance(depths, list) and 1 in depths:
            return gray[0], 1
    return None


def _nearest_dpi(constraint, want: int):
    if isinstance(constraint, tuple):
        low, high, step = constraint
        value = min(max(want, low), high)
        if step:
            value = low + round((value - low) / step) * step
        return value
    if isinstance(constraint, list) and constraint:
        return min(constraint, key=lambda v: abs(v - want))
    return want


def _coerce(opt, value):
    """A CLI string to the option's SANE type."""
    if not isinstance(value, str):
        return value
    sane = _sane()
    if opt.type == sane._sane.TYPE_BOOL:
        return value.strip().lower() in ("1", "yes", "true", "on", "是")
    try:
        if opt.type == sane._sane.TYPE_INT:
            return int(value)
        if opt.type == sane._sane.TYPE_FIXED:
            return float(value)
    except ValueError as e:
        raise ScanSettingsError(f"选项“{opt.name}”的值“{value}”不是数字") from e
    return value


def _set(dev, name: str, value) -> None:
    try:
        setattr(dev, name, value)
    except Exception as e:  # _sane.error or python-sane's AttributeError
        raise ScanSettingsError(f"无法把“{name}”设为“{value}”（{e}）") from e


def _read_image(dev) -> Image.Image:
    """The page just started, as an 8-bit L or RGB image (16-bit scaled down)."""
    depth = dev.get_parameters()[3]
    if depth != 16:
        return dev.snap(True)
    # python-sane's arr_snap() cancels after the page, which would end a feeder batch.
    raw, width, height, samples, _size = dev.dev.snap(True, True, None)
    data = np.frombuffer(raw, np.uint16).reshape(height, width, samples)
    data = (data >> 8).astype(np.uint8)
    if data.shape[2] == 1:
        return Image.fromarray(data[:, :, 0], "L")
    return Image.fromarray(data, "RGB")
