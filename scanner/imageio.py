"""Safe loading of page images from files: JPEG, PNG, BMP, (multi-page) TIFF, PDF.

Every failure is an ``ImageError`` naming the file, so a batch can report it and
go on. Pages come out as 8-bit "L" or "RGB" images, EXIF orientation applied,
transparency flattened onto white, with ``info["dpi"]`` set.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
from PIL import Image, ImageOps, TiffImagePlugin, UnidentifiedImageError  # noqa: F401 - registers TIFF

from forms.errors import ImageError

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff")
SUFFIXES = IMAGE_SUFFIXES + (".pdf",)
PIL_FORMATS = ["JPEG", "PNG", "BMP", "TIFF"]   # JPEG also opens MPO (phone photos)
# Two A3 pages side by side at 600 dpi is ~140 Mpx: nothing a window scans is bigger.
MAX_PIXELS = 140_000_000
MAX_ASPECT = 8.0           # a page is never 8 times longer than it is wide
MIN_SIDE = 64              # pixels; smaller is an icon, not a page
DEFAULT_DPI = 300
DPI_RANGE = (100, 2400)    # a dpi recorded outside this is a placeholder (72, 96, 0)
INCOMPLETE = "图片不完整或已损坏（文件可能没有传输完）"

Image.MAX_IMAGE_PIXELS = MAX_PIXELS   # Pillow refuses outright at twice this
_pdfium_lock = threading.Lock()       # PDFium is not thread-safe


@dataclass
class LoadedPage:
    image: Image.Image     # "L" or "RGB", info["dpi"] set
    page_in_file: int      # 1-based
    page_count: int
    dpi: int
    warnings: list[str] = field(default_factory=list)


def _fail(path, reason: str, page: int | None = None) -> ImageError:
    where = f"第 {page} 页" if page else ""
    return ImageError(file=Path(path).name, reason=where + reason, path=str(path))


def load_pages(path, dpi: int = DEFAULT_DPI) -> Iterator[LoadedPage]:
    """Each page of the file in order; PDFs rendered at ``dpi``, images without a dpi assume it."""
    path = Path(path)
    _check_file(path)
    with open(path, "rb") as f:
        head = f.read(1024)
    if b"%PDF-" in head:
        yield from _pdf_pages(path, dpi)
    else:
        yield from _image_pages(path, dpi)


def load_image(path, dpi: int = DEFAULT_DPI) -> Image.Image:
    """The first page of the file as a checked "L"/"RGB" image."""
    for page in load_pages(path, dpi):
        return page.image
    raise _fail(path, "文件中没有任何页面")


def looks_complete(path) -> bool:
    """True if the file ends with its format's end marker (PDF %%EOF, JPEG EOI, PNG IEND)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(8)
            f.seek(max(0, size - 2048))
            tail = f.read()
    except OSError:
        return False
    if head.startswith(b"%PDF"):
        return b"%%EOF" in tail
    if head.startswith(b"\xff\xd8"):
        return b"\xff\xd9" in tail[-64:]
    if head.startswith(b"\x89PNG"):
        return b"IEND" in tail[-16:]
    if head.startswith(b"BM") and len(head) >= 6:
        return int.from_bytes(head[2:6], "little") <= size
    return size > 0


def _check_file(path: Path) -> None:
    if not path.exists():
        raise _fail(path, "文件不存在")
    if path.is_dir():
        raise _fail(path, "这是文件夹，不是文件")
    if path.suffix.lower() not in SUFFIXES:
        raise _fail(path, f"不支持的文件类型“{path.suffix or '无扩展名'}”，请使用 JPEG、PNG、BMP、TIFF 或 PDF")
    if not os.access(path, os.R_OK):
        raise _fail(path, "没有读取权限")
    if path.stat().st_size == 0:
        raise _fail(path, "文件是空的（0 字节）")


def _check_geometry(path, width: int, height: int, page: int | None) -> None:
    """Refuse decompression bombs, icons and panoramas before decoding any pixel."""
    if width * height > MAX_PIXELS:
        raise _fail(path, f"图片过大（{width}×{height} 像素，约 {width * height // 10_000} 万像素，"
                          f"上限 {MAX_PIXELS // 10_000} 万像素），可能是异常文件或扫描分辨率过高", page)
    if min(width, height) < MIN_SIDE:
        raise _fail(path, f"图片太小（{width}×{height} 像素），无法辨认", page)
    if width > height * MAX_ASPECT:
        raise _fail(path, f"图片过宽（长宽比 {_ratio(width / height)}:1），不像文件页面", page)
    if height > width * MAX_ASPECT:
        raise _fail(path, f"图片过长（长宽比 1:{_ratio(height / width)}），不像文件页面", page)


def _ratio(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _image_pages(path: Path, dpi: int) -> Iterator[LoadedPage]:
    try:
        im = Image.open(path, formats=PIL_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise _fail(path, f"图片像素过多，超过 {MAX_PIXELS // 10_000} 万像素的上限，可能是异常文件") from e
    except UnidentifiedImageError as e:
        raise _fail(path, "不是有效的图片（内容无法识别，可能不是图片、与扩展名不符或已损坏）") from e
    except PermissionError as e:
        raise _fail(path, "没有读取权限") from e
    except (OSError, EOFError, SyntaxError, ValueError) as e:   # header cut short or garbled
        raise _fail(path, INCOMPLETE) from e
    with im:
        try:
            count = 1 if im.format == "MPO" else getattr(im, "n_frames", 1)
        except (EOFError, OSError, ValueError) as e:
            raise _fail(path, INCOMPLETE) from e
        for index in range(count):
            page = index + 1 if count > 1 else None
            try:
                im.seek(index)
                _check_geometry(path, *im.size, page)
                im.load()
                frame = ImageOps.exif_transpose(im)
            except ImageError:
                raise
            except (EOFError, OSError, SyntaxError, ValueError) as e:
                raise _fail(path, INCOMPLETE, page) from e
            page_dpi, warnings = _recorded_dpi(im.info, dpi)
            image = normalise(frame, path, page)
            image.info["dpi"] = (page_dpi, page_dpi)
            yield LoadedPage(image, index + 1, count, page_dpi, warnings)


def _recorded_dpi(info: dict, fallback: int) -> tuple[int, list[str]]:
    value = info.get("dpi")
    try:
        recorded = round(float(value[0])) if value else 0
    except (TypeError, ValueError, IndexError):
        recorded = 0
    if DPI_RANGE[0] <= recorded <= DPI_RANGE[1]:
        return recorded, []
    return fallback, [f"文件未记录扫描分辨率，按 {fallback} dpi 处理"]


def normalise(image: Image.Image, path="图片", page: int | None = None) -> Image.Image:
    """An 8-bit "L" or "RGB" copy: 16-bit scaled, CMYK converted, transparency on white."""
    mode = image.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        return Image.fromarray(_to_uint8(np.asarray(image)), "L")
    has_alpha = mode in ("LA", "La", "PA", "RGBA", "RGBa") or "transparency" in image.info
    if mode == "P" and image.palette is not None and image.palette.mode == "RGBA":
        has_alpha = True
    try:
        if has_alpha:
            rgba = image.convert("RGBA")
            flat = Image.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            return flat.convert("L") if mode in ("LA", "La", "L") else flat
        if mode in ("1", "L"):
            return image.convert("L")
        return image.convert("RGB")
    except ValueError as e:
        raise _fail(path, f"不支持的颜色模式 {mode}", page) from e


def _to_uint8(data: np.ndarray) -> np.ndarray:
    """Scale 16-bit (or int/float) gray to 0..255."""
    data = data.astype(np.float64)
    top = data.max() if data.size else 0
    if top <= 255 and data.min() >= 0:
        return data.astype(np.uint8)
    scale = 255.0 / (65535.0 if top <= 65535 else top)
    return np.clip(data * scale + 0.5, 0, 255).astype(np.uint8)


def _pdf_pages(path: Path, dpi: int) -> Iterator[LoadedPage]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c
    try:
        with _pdfium_lock:
            doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise _fail(path, "PDF 有密码保护，请先去除密码再导入") from e
        raise _fail(path, "PDF 已损坏或不完整，无法打开") from e
    try:
        count = len(doc)
        if count == 0:
            raise _fail(path, "PDF 中没有任何页面")
        for index in range(count):
            yield LoadedPage(_render(doc, index, path, dpi, count), index + 1, count, dpi)
    finally:
        with _pdfium_lock:
            doc.close()


def _render(doc, index: int, path: Path, dpi: int, count: int) -> Image.Image:
    import pypdfium2 as pdfium
    page_no = index + 1 if count > 1 else None
    with _pdfium_lock:
        try:
            page = doc[index]
            width_pt, height_pt = page.get_size()
            _check_geometry(path, round(width_pt * dpi / 72), round(height_pt * dpi / 72), page_no)
            bitmap = page.render(scale=dpi / 72)
            image = bitmap.to_pil()
            image = image.convert("RGB") if image.mode != "RGB" else image.copy()
            bitmap.close()
            page.close()
        except pdfium.PdfiumError as e:
            raise _fail(path, "PDF 页面无法渲染（文件可能已损坏）", page_no) from e
    image.info["dpi"] = (dpi, dpi)
    return image
