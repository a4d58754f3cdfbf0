"""Where pages come from: SANE scanners, document cameras, files, a watch folder.

Each source has ``pages(progress=None, cancel=None)`` yielding ``AcquiredPage``
as pages arrive. The SANE and camera modules import their drivers lazily, so
importing this package never needs a scanner.
"""
from scanner.sources.base import (
    AcquiredPage, CoverOpen, DeviceBusy, DeviceFailed, DeviceGone, DeviceNotFound,
    FeederEmpty, NoCamera, PageSource, PaperJam, ScanInterrupted, ScanSettingsError,
)
from scanner.sources.camera import CameraSource, list_cameras
from scanner.sources.files import FileSource, expand_paths
from scanner.sources.sane_source import (
    DeviceCapabilities, SaneSource, ScannerInfo, ScanSettings, capabilities, list_devices,
)
from scanner.sources.watch import WatchFolder, is_temporary

__all__ = [
    "AcquiredPage", "PageSource", "ScanInterrupted", "PaperJam", "FeederEmpty", "CoverOpen",
    "DeviceGone", "DeviceBusy", "DeviceFailed", "DeviceNotFound", "NoCamera", "ScanSettingsError",
    "SaneSource", "ScanSettings", "ScannerInfo", "DeviceCapabilities", "list_devices", "capabilities",
    "CameraSource", "list_cameras", "FileSource", "expand_paths", "WatchFolder", "is_temporary",
]
