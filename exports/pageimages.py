"""Compress one scanned page for the case package, choosing the encoding per page.

``encode_page(path) -> EncodedPage`` reads a page image and decides:

* near-bilevel (text on white, no colour): 1-bit, CCITT G4 (a single-strip
  TIFF whose strip is embedded as-is with /CCITTFaxDecode) or, if smaller,
  1-bit Flate; the page file is the .tif (or .png);
* greyscale: JPEG quality 75, /DCTDecode, DeviceGray;
* colour (a red seal counts): JPEG quality 75, 4:2:0, DeviceRGB.

Bilevel pages above ``MAX_DPI`` (300) and JPEG pages above ``JPEG_MAX_DPI``
(200) are downsampled to it. A JPEG source that needs no
change is passed through untouched when re-encoding would not save >20 %.
The stream bytes go into the PDF without re-encoding (img2pdf-style), so
``EncodedPage.pdf_image(pdf)`` hands pikepdf an image XObject.

Pure functions, any thread.
"""
from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from forms.errors import ImageError

# Bilevel pages keep up to 300 dpi (G4 makes that cheap). Grey and colour go
# to 200 dpi, the floor DA/T 31 sets for archive scans: on a noisy 300 dpi
# scan that halves the JPEG while Tesseract reads it back with < 1 % CER
# difference (measured with bench/bench_package.py's pages).
MAX_DPI = 300
JPEG_MAX_DPI = 200
DEFAULT_DPI = 300
JPEG_QUALITY = 75
# A page is text/line art (thresholding loses nothing a reader needs) when
# fewer than MIDTONE_LIMIT of its pixels are neither near-black nor near-white
# and no more than MAX_PHOTO_TILES tiles of TILE_PX² are mostly such midtones:
# stroke edges of blurred text stay below 0.35 per tile, a photo is ~1.0.
MIDTONE_LIMIT = 0.20
TILE_PX = 64
PHOTO_TILE_SHARE = 0.5
MAX_PHOTO_TILES = 2
# A pixel is "coloured" when its channels differ by more than this; a page is
# colour when more than COLOUR_SHARE of its pixels are (a seal is ~0.5 %).
CHROMA_LEVEL = 48
COLOUR_SHARE = 0.001


@dataclass
class EncodedPage:
    kind: str                  # "bilevel-g4" | "bilevel-flate" | "gray-jpeg" | "rgb-jpeg"
    width: int                 # pixels of the embedded image
    height: int
    dpi: float
    file_bytes: bytes          # a standalone image file for the zip
    file_ext: str              # ".tif" | ".png" | ".jpg"
    stream: bytes              # encoded PDF stream data
    pdf_filter: str            # "/CCITTFaxDecode" | "/FlateDecode" | "/DCTDecode"
    colorspace: str            # "/DeviceGray" | "/DeviceRGB"
    bits: int                  # bits per component
    decode_parms: dict = field(default_factory=dict)
    passthrough: bool = False  # source JPEG embedded unchanged
    page_size: tuple[float, float] | None = None   # points, from the source before resampling

    @property
    def size_pt(self) -> tuple[float, float]:
        """Page size in PDF points: the source image's size at its resolution."""
        if self.page_size is not None:
            return self.page_size
        return self.width * 72.0 / self.dpi, self.height * 72.0 / self.dpi

    def pdf_image(self, pdf):
        """A pikepdf image XObject stream in ``pdf`` holding the encoded bytes unchanged."""
        import pikepdf

        obj = pikepdf.Stream(pdf, self.stream)
        obj["/Type"] = pikepdf.Name.XObject
        obj["/Subtype"] = pikepdf.Name.Image
        obj["/Width"] = self.width
        obj["/Height"] = self.height
        obj["/ColorSpace"] = pikepdf.Name(self.colorspace)
        obj["/BitsPerComponent"] = self.bits
        obj["/Filter"] = pikepdf.Name(self.pdf_filter)
        if self.decode_parms:
            obj["/DecodeParms"] = pikepdf.Dictionary(
                {"/" + k: v for k, v in self.decode_parms.items()}
            )
        return obj


def load_page(path, default_dpi: float = DEFAULT_DPI) -> tuple[Image.Image, float, bytes]:
    """Open a page image upright; return (image, dpi, source bytes). Raises ImageError."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
        im = Image.open(io.BytesIO(raw))
        im.load()
    except FileNotFoundError as e:
        raise ImageError(file=str(path), reason="文件不存在") from e
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as e:
        raise ImageError(file=str(path), reason="不是可读取的图片") from e
    dpi = im.info.get("dpi", (0, 0))[0] or default_dpi
    upright = ImageOps.exif_transpose(im)
    return upright, float(dpi), raw


def classify(im: Image.Image) -> str:
    """'bilevel', 'gray' or 'rgb' for an image, from its pixel statistics."""
    if im.mode == "1":
        return "bilevel"
    if im.mode in ("RGBA", "LA", "P", "PA", "CMYK", "YCbCr", "I;16", "I", "F"):
        im = im.convert("RGB")
    if im.mode == "RGB":
        small = im.copy()
        small.thumbnail((800, 800))
        a = np.asarray(small, dtype=np.int16)
        chroma = a.max(axis=2) - a.min(axis=2)
        if (chroma > CHROMA_LEVEL).mean() > COLOUR_SHARE:
            return "rgb"
    # Full resolution: downsampling would turn text strokes into grey.
    grey = np.asarray(im.convert("L"))
    mid = (grey > 48) & (grey < 208)
    if mid.mean() > MIDTONE_LIMIT:
        return "gray"
    t = TILE_PX
    h, w = (grey.shape[0] // t) * t, (grey.shape[1] // t) * t
    if h and w:
        tiles = mid[:h, :w].reshape(h // t, t, w // t, t).mean(axis=(1, 3))
        if (tiles > PHOTO_TILE_SHARE).sum() > MAX_PHOTO_TILES:
            return "gray"
    return "bilevel"


def otsu_threshold(grey: np.ndarray) -> int:
    """Otsu's threshold for a uint8 array, kept within 80..200 so a blank page stays white."""
    hist = np.bincount(grey.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    levels = np.arange(256)
    w0 = np.cumsum(hist)
    m0 = np.cumsum(hist * levels)
    w1 = total - w0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (m0[-1] * w0 / total - m0) ** 2 / (w0 * w1 / total)
    between[~np.isfinite(between)] = 0
    return int(min(200, max(80, int(np.argmax(between)))))


def _downsample(im: Image.Image, dpi: float, max_dpi: float) -> tuple[Image.Image, float]:
    if dpi <= max_dpi + 1:
        return im, dpi
    scale = max_dpi / dpi
    size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
    if im.mode == "1":
        im = im.convert("L")
    return im.resize(size, Image.Resampling.LANCZOS), float(max_dpi)


def _to_bilevel(im: Image.Image) -> Image.Image:
    if im.mode == "1":
        return im
    grey = np.asarray(im.convert("L"))
    t = otsu_threshold(grey)
    return Image.fromarray(((grey > t) * 255).astype(np.uint8), "L").convert("1", dither=Image.Dither.NONE)


def _encode_g4(bw: Image.Image, dpi: float) -> EncodedPage:
    buf = io.BytesIO()
    # One strip, so the strip is a complete CCITT stream the PDF can use as is.
    bw.save(buf, "TIFF", compression="group4", strip_size=2 ** 31 - 1, dpi=(dpi, dpi))
    tif = buf.getvalue()
    parsed = Image.open(io.BytesIO(tif))
    offsets, counts = parsed.tag_v2[273], parsed.tag_v2[279]
    if len(offsets) != 1:
        raise ValueError("G4 TIFF has more than one strip")
    strip = tif[offsets[0]:offsets[0] + counts[0]]
    # Pillow writes 1-bit TIFFs as MinIsBlack: a set bit is white, which for
    # the fax coder is "black" — BlackIs1 true flips it back.
    black_is_1 = parsed.tag_v2.get(262, 0) == 1
    return EncodedPage(
        kind="bilevel-g4", width=bw.width, height=bw.height, dpi=dpi,
        file_bytes=tif, file_ext=".tif", stream=strip,
        pdf_filter="/CCITTFaxDecode", colorspace="/DeviceGray", bits=1,
        decode_parms={"K": -1, "Columns": bw.width, "Rows": bw.height, "BlackIs1": black_is_1},
    )


def _encode_flate(bw: Image.Image, dpi: float, stream: bytes | None = None) -> EncodedPage:
    png = io.BytesIO()
    bw.save(png, "PNG", dpi=(dpi, dpi))
    if stream is None:
        stream = zlib.compress(bw.tobytes(), 6)  # mode "1" rows: set bit = white = 1 in DeviceGray
    return EncodedPage(
        kind="bilevel-flate", width=bw.width, height=bw.height, dpi=dpi,
        file_bytes=png.getvalue(), file_ext=".png", stream=stream,
        pdf_filter="/FlateDecode", colorspace="/DeviceGray", bits=1,
    )


def _encode_jpeg(im: Image.Image, dpi: float, kind: str) -> EncodedPage:
    mode = "RGB" if kind == "rgb" else "L"
    im = im.convert(mode) if im.mode != mode else im
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True, dpi=(round(dpi), round(dpi)),
            subsampling="4:2:0")
    data = buf.getvalue()
    return _jpeg_page(data, im.width, im.height, dpi, mode)


def _jpeg_page(data: bytes, width: int, height: int, dpi: float, mode: str,
               passthrough: bool = False) -> EncodedPage:
    rgb = mode == "RGB"
    return EncodedPage(
        kind="rgb-jpeg" if rgb else "gray-jpeg", width=width, height=height, dpi=dpi,
        file_bytes=data, file_ext=".jpg", stream=data, pdf_filter="/DCTDecode",
        colorspace="/DeviceRGB" if rgb else "/DeviceGray", bits=8, passthrough=passthrough,
    )


def encode_page(path, force: str | None = None, default_dpi: float = DEFAULT_DPI) -> EncodedPage:
    """Read and compress one page image; force='bilevel'|'gray'|'rgb' overrides the choice."""
    im, dpi, raw = load_page(path, default_dpi)
    kind = force or classify(im)
    try:
        encoded = _encode(im, dpi, raw, kind)
        # Rounding pixels when downsampling must not change the paper size.
        encoded.page_size = (im.width * 72.0 / dpi, im.height * 72.0 / dpi)
        return encoded
    except (OSError, ValueError) as e:
        raise ImageError(file=str(path), reason="图片压缩失败") from e


def _encode(im: Image.Image, dpi: float, raw: bytes, kind: str) -> EncodedPage:
    src = Image.open(io.BytesIO(raw))
    unchanged = (src.size == im.size and dpi <= JPEG_MAX_DPI + 1
                 and src.getexif().get(0x0112, 1) == 1)
    im, dpi = _downsample(im, dpi, MAX_DPI if kind == "bilevel" else JPEG_MAX_DPI)
    if kind == "bilevel":
        bw = _to_bilevel(im)
        g4 = _encode_g4(bw, dpi)
        # Halftoned or dithered pages can defeat G4; then plain Flate is smaller.
        flate = zlib.compress(bw.tobytes(), 6)
        return g4 if len(g4.stream) <= len(flate) else _encode_flate(bw, dpi, flate)
    encoded = _encode_jpeg(im, dpi, kind)
    want_mode = "RGB" if kind == "rgb" else "L"
    if (unchanged and src.format == "JPEG" and src.mode == want_mode
            and len(raw) <= 1.25 * len(encoded.stream)):
        return _jpeg_page(raw, src.width, src.height, dpi, want_mode, passthrough=True)
    return encoded
