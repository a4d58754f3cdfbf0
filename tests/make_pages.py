"""Render test page images with real Chinese text (Pillow + WenQuanYi), as a scanner would give them."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def render_page(path: Path, lines: list[str], dpi: int = 300, size_pt: float = 14) -> Path:
    """An A5-ish white page with ``lines`` of black text at ``size_pt``, saved with its dpi."""
    w, h = int(5.8 * dpi), int(8.3 * dpi)
    img = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, int(size_pt / 72 * dpi))
    y = int(0.8 * dpi)
    for line in lines:
        draw.text((int(0.6 * dpi), y), line, font=font, fill=0)
        y += int(size_pt / 72 * dpi * 1.9)
    img.save(path, dpi=(dpi, dpi))
    return path


def photographed(image: Image.Image) -> Image.Image:
    """The page as a phone or document camera sees it: soft, tilted 3 degrees, unevenly lit, noisy."""
    soft = image.convert("L").filter(ImageFilter.GaussianBlur(1.2))
    tilted = soft.rotate(3, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    arr = np.asarray(tilted).astype(np.float64)
    shade = np.linspace(0, 40, arr.shape[1])[None, :]
    arr = arr * 0.85 + 20 - shade + np.random.default_rng(7).normal(0, 12, arr.shape)
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    out.info["dpi"] = (300, 300)
    return out
