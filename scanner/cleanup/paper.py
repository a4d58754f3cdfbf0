"""Crop to the paper when it lies on a dark scanner lid, table or camera stand."""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from .context import CleanupContext
from .storage import otsu_threshold, reduced

_WORK_SIDE = 1000          # long side of the copy the paper is found on
_DARK_BORDER = 110         # median grey of the image border below which the lid counts as dark
_MIN_PAPER = 0.12          # the paper must cover at least this share of the image
_INSET = 0.004             # trim this share of each side to drop the paper's shadowed edge


def _border_median(arr: np.ndarray) -> float:
    band = max(2, min(arr.shape) // 50)
    edges = np.concatenate([arr[:band].ravel(), arr[-band:].ravel(),
                            arr[:, :band].ravel(), arr[:, -band:].ravel()])
    return float(np.median(edges))


def find_paper(image: Image.Image, ctx: CleanupContext):
    """The paper's rotated rectangle ((cx, cy), (w, h), angle) in full-size pixels, or None."""
    small, scale = reduced(image, _WORK_SIDE)
    small = np.asarray(small)
    if _border_median(small) >= _DARK_BORDER:
        return None                       # light lid: paper and lid cannot be told apart
    level = otsu_threshold(small)
    mask = (small > level).astype(np.uint8)
    kernel = np.ones((5, 5), np.uint8)
    # Close the gaps text makes in the paper, then drop specks of light background.
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    if count < 2:
        return None
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    if stats[biggest, cv2.CC_STAT_AREA] < _MIN_PAPER * mask.size:
        return None
    ys, xs = np.nonzero(labels == biggest)
    points = np.column_stack([xs, ys]).astype(np.float32)
    hull = cv2.convexHull(points)
    (cx, cy), (w, h), angle = cv2.minAreaRect(hull)
    if w * h > 0.97 * mask.size:
        return None                       # the "paper" is the whole image
    return (cx / scale, cy / scale), (w / scale, h / scale), angle


def crop_to_paper(image: Image.Image, ctx: CleanupContext):
    """(page cut out of the dark background and levelled, its box in the input) or (image, None)."""
    rect = find_paper(image, ctx)
    if rect is None:
        return image, None
    (cx, cy), (w, h), angle = rect
    # minAreaRect reports angles in [0, 90); take the smaller turn to an upright box.
    if angle > 45:
        angle -= 90
        w, h = h, w
    out_w = int(round(w * (1 - 2 * _INSET)))
    out_h = int(round(h * (1 - 2 * _INSET)))
    if out_w < 16 or out_h < 16:
        return image, None
    # One warp turns the paper level and cuts it out: only output pixels are computed.
    matrix = cv2.getRotationMatrix2D((cx, cy), angle, 1.0)
    matrix[0, 2] += out_w / 2 - cx
    matrix[1, 2] += out_h / 2 - cy
    arr = cv2.warpAffine(np.asarray(image), matrix, (out_w, out_h),
                         flags=cv2.INTER_LINEAR, borderValue=255)
    cropped = Image.fromarray(arr, "L")
    left, top = int(round(cx - w / 2)), int(round(cy - h / 2))
    right, bottom = int(round(cx + w / 2)), int(round(cy + h / 2))
    return cropped, (left, top, right, bottom)
