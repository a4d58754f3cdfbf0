"""Page edits that touch the image: turn a stored page, read it again (worker thread).

No database here: desk.pages records what these return.
"""
from __future__ import annotations

import re
from pathlib import Path

from PIL import Image

from forms import config, files
from forms.errors import Cancelled

from .pipeline import process_pages, shared_pool

_TURNS = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}


def _next_name(path: Path) -> Path:
    """page-0003.png → page-0003.r1.png → page-0003.r2.png …: a turned page never overwrites."""
    m = re.match(r"^(.*?)(?:\.r(\d+))?$", path.stem)
    n = int(m.group(2) or 0) + 1
    return path.with_name(f"{m.group(1)}.r{n}{path.suffix}")


def turned_copy(path, degrees_clockwise: int) -> tuple[Path, tuple[int, int]]:
    """Write the image turned clockwise by 90/180/270° beside ``path``; returns (new path, size)."""
    path = Path(path)
    turn = _TURNS[degrees_clockwise % 360]
    with Image.open(path) as im:
        im.load()
        info = {k: v for k, v in im.info.items() if k == "dpi"}
        fmt = im.format
        turned = im.transpose(turn)
    dest = _next_name(path)
    with files.atomic_path(dest, what="页面") as tmp:
        turned.save(tmp, format=fmt, **info)
    return dest, turned.size


def read_again(path, langs: str, cancel=None):
    """OCR a stored page again as it is (no crop, no deskew); returns the OcrPage."""
    with config.work_folder("ocr") as job_dir:
        # In the long-lived pool, not here: a crash in Tesseract must not take the window with it.
        results = list(process_pages([Path(path)], cancel=cancel, langs=langs, job_dir=job_dir,
                                     pool=shared_pool(), crop=False, deskew=False, orientation="never"))
    if not results:
        raise Cancelled()
    return results[0]
