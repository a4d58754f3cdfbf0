"""Document cameras (高拍仪) through OpenCV's V4L2 capture.

A document camera is a UVC webcam on a stand: we ask for the largest frame it
offers (MJPG, since USB 2 cameras give their top resolutions only compressed),
let auto-exposure settle for a few frames, and keep the last one.
"""
from __future__ import annotations

import glob
import logging
import os
import re
from typing import Callable, Iterator

from PIL import Image

from scanner.sources.base import AcquiredPage, CancelFlag, NoCamera, Progress, cancelled, report

log = logging.getLogger(__name__)

WARMUP_FRAMES = 5          # auto-exposure and focus settle over the first frames
A4_LONG_MM = 297.0         # a desk camera's field of view is sized for A4


def list_cameras(dev_dir: str = "/dev") -> list[str]:
    """Video device paths, /dev/video0 first (metadata nodes included; opening tells)."""
    paths = glob.glob(os.path.join(dev_dir, "video*"))
    return sorted(paths, key=lambda p: int(re.sub(r"\D", "", os.path.basename(p)) or 0))


def _default_factory():
    import cv2
    return lambda device: cv2.VideoCapture(device, cv2.CAP_V4L2)


class CameraSource:
    """Frames from a document camera; ``capture_factory(device)`` returns a VideoCapture-like."""

    def __init__(self, device: str | None = None, field_mm: float = A4_LONG_MM,
                 frames: int = 1, capture_factory: Callable | None = None,
                 dev_dir: str = "/dev"):
        self.device = device
        self.field_mm = field_mm      # long side of the camera's field of view, for a dpi estimate
        self.frames = frames
        self.factory = capture_factory or _default_factory()
        self.dev_dir = dev_dir

    def pages(self, progress: Progress | None = None,
              cancel: CancelFlag | None = None) -> Iterator[AcquiredPage]:
        """Capture ``frames`` pages at the camera's highest resolution; worker thread."""
        cap, device = self._open()
        try:
            width, height = _maximise(cap)
            log.info("camera %s gives %dx%d", device, width, height)
            for index in range(1, self.frames + 1):
                if cancelled(cancel):
                    break
                report(progress, index - 1, self.frames, f"正在拍摄第 {index} 页")
                image = _grab(cap, device)
                dpi = max(1, round(max(image.size) / (self.field_mm / 25.4)))
                image.info["dpi"] = (dpi, dpi)
                report(progress, index, self.frames, f"已拍摄 {index} 页")
                yield AcquiredPage(image=image, source=f"camera:{device}", index=index, dpi=dpi,
                                   warnings=["高拍仪的分辨率按 A4 幅面估算"])
        finally:
            cap.release()

    def _open(self):
        if self.device is not None:
            candidates = [self.device]
        else:
            candidates = list_cameras(self.dev_dir)
            if not candidates:
                raise NoCamera("本机没有发现任何摄像设备，请检查高拍仪的数据线是否插好")
        for device in candidates:
            cap = self.factory(device)
            if cap is not None and cap.isOpened():
                return cap, device
            if cap is not None:
                cap.release()
        if self.device is not None:
            raise NoCamera(f"无法打开 {self.device}，请检查高拍仪是否连接或被其他程序占用")
        raise NoCamera(f"发现 {len(candidates)} 个视频设备但都无法打开，请检查高拍仪是否被其他程序占用")


def _maximise(cap) -> tuple[int, int]:
    """Ask for the biggest frame; V4L2 clamps an oversized request to the largest mode."""
    import cv2
    cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))
    cap.set(cv2.CAP_PROP_FRAME_WIDTH, 10000)
    cap.set(cv2.CAP_PROP_FRAME_HEIGHT, 10000)
    return int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))


def _grab(cap, device: str) -> Image.Image:
    """One settled frame as an RGB image."""
    import cv2
    frame = None
    for _ in range(WARMUP_FRAMES + 1):
        ok, data = cap.read()
        if ok and data is not None:
            frame = data
    if frame is None:
        raise NoCamera(f"{device} 没有送回画面，请重新插拔高拍仪后再试")
    if frame.ndim == 2:
        return Image.fromarray(frame, "L").convert("RGB")
    return Image.fromarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), "RGB")
