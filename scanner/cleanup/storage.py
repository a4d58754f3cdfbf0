"""Steps at both ends of cleanup: to grey, to the target resolution, to the stored form."""
from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps

from forms import files
from forms.errors import Cancelled

from .context import CleanupContext

# Scans rarely claim less than this; smaller values are usually a bogus 72-dpi default.
_MIN_PLAUSIBLE_DPI = 100


def to_grey(image: Image.Image, ctx: CleanupContext) -> Image.Image:
    """The page as 8-bit grey, EXIF rotation applied, transparency flattened onto white."""
    if image.getexif().get(0x0112, 1) != 1:       # EXIF orientation tag set
        image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(image, dtype=np.float64)
        peak = arr.max() or 1.0
        return Image.fromarray((arr * (255.0 / peak)).astype(np.uint8), "L")
    return image.convert("L")


def source_dpi(image: Image.Image, ctx: CleanupContext) -> int:
    """The resolution the page was scanned at: the file's own, else the context's, else the target."""
    dpi = image.info.get("dpi")
    if dpi:
        try:
            value = int(round(float(dpi[0])))
        except (TypeError, ValueError, IndexError):
            value = 0
        if value >= _MIN_PLAUSIBLE_DPI:
            return value
    return int(ctx.source_dpi or ctx.target_dpi)


def normalise_resolution(image: Image.Image, dpi: int, ctx: CleanupContext) -> Image.Image:
    """Resample to ctx.target_dpi when the page is more than 5 % off it."""
    target = ctx.target_dpi
    if abs(dpi - target) <= 0.05 * target:
        return image
    scale = target / dpi
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    method = Image.Resampling.LANCZOS if scale < 1 else Image.Resampling.BICUBIC
    return image.resize(size, method)


def reduced(image: Image.Image, max_side: int) -> tuple[Image.Image, float]:
    """(a box-filtered copy whose long side is at most max_side, its scale); cheap integer reduce."""
    factor = max(1, -(-max(image.size) // max_side))
    if factor == 1:
        return image, 1.0
    return image.reduce(factor), 1.0 / factor


def otsu_threshold(arr: np.ndarray) -> int:
    """Otsu's grey level separating ink from paper in an 8-bit array."""
    value, _ = cv2.threshold(arr, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return int(value)


def for_storage(image: Image.Image, ctx: CleanupContext) -> Image.Image:
    """The page as it is kept: 8-bit grey, or 1-bit split at Otsu's level."""
    if ctx.storage == "grey":
        return image
    arr = np.asarray(image)
    level = otsu_threshold(arr)
    return Image.fromarray(arr > level).convert("1")


def is_photo_like(image: Image.Image) -> bool:
    """A grey page without a clean white background (document camera, phone photo).

    PNG spends ~0.15 s per A4 page on such noise and saves nothing; JPEG at high
    quality takes a fifth of that, is ten times smaller and reads the same.
    """
    if image.mode != "L":
        return False
    sample = np.asarray(image.reduce(4))
    return float((sample >= 245).mean()) < 0.30


def job_folder(ctx: CleanupContext) -> Path:
    """The job folder, created if the context allows; Cancelled if its job already ended.

    A worker finishing a page after its job was cancelled must not bring back the
    folder (with a scan in it) that the job's owner has just removed.
    """
    if ctx.create_workdir:
        files.private_dir(ctx.workdir)
    elif not ctx.workdir.is_dir():
        raise Cancelled()
    return ctx.workdir


def save_page(image: Image.Image, dpi: int, ctx: CleanupContext, suffix: str = "") -> Path:
    """Write the page in the job folder (PNG, or JPEG for photo-like grey pages); return its path."""
    job_folder(ctx)
    if ctx.jpeg_for_photos and is_photo_like(image):
        path = ctx.workdir / f"{ctx.name}{suffix}.jpg"
        image.save(path, "JPEG", quality=92, dpi=(dpi, dpi))
        return path
    path = ctx.workdir / f"{ctx.name}{suffix}.png"
    # Level 2 takes well under half the time of the default for a slightly bigger file.
    image.save(path, dpi=(dpi, dpi), compress_level=2)
    return path


def reuse_source(source_file, ctx: CleanupContext) -> Path | None:
    """Copy an untouched grey or bilevel PNG into the job folder instead of re-encoding it.

    Only for pages no step changed; returns the copy's path, or None when the file is
    not a PNG in mode "1" or "L" (then the page must be saved with save_page).
    """
    try:
        with Image.open(source_file) as original:
            if original.format != "PNG" or original.mode not in ("1", "L"):
                return None
            if original.getexif().get(0x0112, 1) != 1:
                return None           # the loader turned it: the file's pixels are not the page's
    except (OSError, ValueError):
        return None
    job_folder(ctx)
    path = ctx.workdir / f"{ctx.name}.png"
    shutil.copyfile(source_file, path)
    return path
