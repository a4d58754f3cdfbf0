"""Orientation: Tesseract's OSD tells whether a page lies turned by 90, 180 or 270 degrees."""
from __future__ import annotations

from pathlib import Path

import pytesseract
from PIL import Image

from forms.errors import OcrError

from .context import CleanupContext


def detect_orientation(image: Image.Image | Path | str, ctx: CleanupContext) -> tuple[int, float]:
    """(degrees to turn clockwise, OSD confidence); (0, 0.0) when OSD finds too little text."""
    source = str(image) if isinstance(image, (str, Path)) else image
    try:
        osd = pytesseract.image_to_osd(
            source, config="--psm 0 -c min_characters_to_try=20",
            output_type=pytesseract.Output.DICT, timeout=ctx.timeout)
    except pytesseract.TesseractNotFoundError as e:
        raise OcrError("未找到 Tesseract 程序，请先安装 tesseract-ocr") from e
    except pytesseract.TesseractError:
        return 0, 0.0                 # "Too few characters": no text to judge by
    except RuntimeError as e:         # pytesseract's timeout
        raise OcrError(f"第 {ctx.page_no} 页方向识别超时") from e
    degrees = int(osd.get("rotate", 0)) % 360
    return degrees, float(osd.get("orientation_conf", 0.0))


def turn(image: Image.Image, degrees_clockwise: int, ctx: CleanupContext) -> Image.Image:
    """The page turned clockwise by a multiple of 90 degrees (lossless)."""
    steps = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
             270: Image.Transpose.ROTATE_90}
    method = steps.get(degrees_clockwise % 360)
    return image if method is None else image.transpose(method)
