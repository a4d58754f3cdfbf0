"""Render test page images with real Chinese text (Pillow + WenQuanYi), as a scanner would give them."""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

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
