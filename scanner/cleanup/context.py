"""What the cleanup steps are told (CleanupContext) and what they hand back (CleanedPage)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

STORAGE_MODES = ("grey", "bilevel")
ORIENTATION_MODES = ("auto", "always", "never")


@dataclass
class CleanupContext:
    """Settings for one page; ``workdir`` is the per-job temp folder, never the clerk's."""

    workdir: Path
    page_no: int = 1               # as the clerk counts pages: "第 N 页"
    name: str = ""                 # file stem for the saved page; default page-0001
    jpeg_for_photos: bool = True   # photo-like grey pages saved as JPEG (see storage.save_page)
    target_dpi: int = 300          # pages are resampled to this resolution
    source_dpi: int | None = None  # used when the image carries no resolution
    storage: str = "grey"          # "grey" (8-bit) or "bilevel" (1-bit) for the saved page
    crop: bool = True              # crop a page lying on a dark lid or table
    deskew: bool = True
    max_skew: float = 15.0         # degrees searched either way
    # "auto": ask Tesseract's OSD only when the OCR result suggests a turned page
    # (OSD costs about a quarter of a page's OCR time); "always" / "never" as said.
    orientation: str = "auto"
    osd_min_confidence: float = 2.0
    timeout: float = 120.0         # seconds per Tesseract call
    create_workdir: bool = True    # False in pool workers: the job's owner creates and removes it

    def __post_init__(self):
        self.workdir = Path(self.workdir)
        if not self.name:
            self.name = f"page-{self.page_no:04d}"
        if self.storage not in STORAGE_MODES:
            raise ValueError(f"storage must be one of {STORAGE_MODES}")
        if self.orientation not in ORIENTATION_MODES:
            raise ValueError(f"orientation must be one of {ORIENTATION_MODES}")


@dataclass
class CleanedPage:
    """A cleaned page saved in the job folder, with what each step found."""

    image: Image.Image             # mode "L" or "1", upright, deskewed, cropped
    path: Path
    dpi: int
    rotation: int = 0              # degrees turned clockwise to make the page upright
    skew: float = 0.0              # degrees rotated counter-clockwise to level the lines
    crop_box: tuple[int, int, int, int] | None = None   # left, top, right, bottom before cropping
    blank: bool = False
    ink_ratio: float = 0.0
    notes: list[str] = field(default_factory=list)
