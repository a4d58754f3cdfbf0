"""Blank-page detection: flag pages with next to no ink for the clerk (never delete them)."""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from .context import CleanupContext

_WORK_DPI = 100          # detection runs on a 100-dpi copy
_MARGIN = 0.05           # ignore this share of each edge (punch holes, lid shadows)
_INK_LEVEL = 140         # darker than this counts as ink (fixed: Otsu splits paper grain on an empty page)
# A printed Chinese character (5 mm square, ~20 % ink) is about 0.01 % of an A4 page;
# below half of that the page holds no text, only dust, bleed-through or a stray mark.
BLANK_INK_RATIO = 0.00005
# Above this the "page" is the scanner's own black: an open lid, a failed lamp, a sheet
# fed crooked past the sensor. Even a dense form or a dark photo leaves more paper.
DARK_INK_RATIO = 0.90


def ink_ratio(image: Image.Image, dpi: int, ctx: CleanupContext) -> float:
    """Share of the inner page that is ink, after dust specks are removed."""
    factor = max(1, round(dpi / _WORK_DPI))
    small = image.convert("L")
    arr = np.asarray(small.reduce(factor) if factor > 1 else small)
    mh, mw = int(arr.shape[0] * _MARGIN), int(arr.shape[1] * _MARGIN)
    inner = arr[mh:arr.shape[0] - mh or None, mw:arr.shape[1] - mw or None]
    if inner.size == 0:
        return 0.0
    ink = (inner < _INK_LEVEL).astype(np.uint8)
    ink = cv2.medianBlur(ink * 255, 3) > 0        # isolated dust and scanner noise go
    return float(ink.mean())


def is_blank(image: Image.Image, dpi: int, ctx: CleanupContext) -> tuple[bool, float]:
    """(blank?, ink ratio) for the cleaned page."""
    ratio = ink_ratio(image, dpi, ctx)
    return ratio < BLANK_INK_RATIO, ratio
