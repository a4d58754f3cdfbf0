"""Page cleanup: small pure steps ``(image, context) -> image or finding``, composed here.

Order: grey -> resolution -> crop to paper -> orientation (when asked) -> deskew ->
blank check -> stored form. Each step lives in its own module and is tested alone.
"""
from __future__ import annotations

from PIL import Image

from .blank import is_blank
from .context import CleanedPage, CleanupContext
from .deskew import estimate_skew, rotate
from .orientation import detect_orientation, turn
from .paper import crop_to_paper
from .storage import (for_storage, normalise_resolution, reuse_source, save_page, source_dpi,
                      to_grey)

__all__ = ["CleanupContext", "CleanedPage", "clean_page", "turn_saved_page", "same_geometry",
           "to_grey", "source_dpi", "normalise_resolution", "crop_to_paper",
           "detect_orientation", "turn", "estimate_skew", "rotate", "is_blank",
           "for_storage", "save_page"]


def clean_page(image: Image.Image, ctx: CleanupContext, source_file=None) -> CleanedPage:
    """Run every cleanup step on one page and save it in ctx.workdir; CPU-bound, any thread.

    ``source_file`` is the file the image was loaded from, if any: when no step changes
    the page and it is a grey or bilevel PNG, it is copied rather than encoded again.
    """
    dpi_in = source_dpi(image, ctx)
    page = to_grey(image, ctx)
    grey_size = page.size
    page = normalise_resolution(page, dpi_in, ctx)
    resized = page.size != grey_size
    dpi = ctx.target_dpi
    box = None
    if ctx.crop:
        page, box = crop_to_paper(page, ctx)
    rotation = 0
    if ctx.orientation == "always":
        rotation, confidence = detect_orientation(page, ctx)
        if confidence < ctx.osd_min_confidence:
            rotation = 0
        page = turn(page, rotation, ctx)
    skew = estimate_skew(page, ctx) if ctx.deskew else 0.0
    page = rotate(page, skew, ctx)
    blank, ratio = is_blank(page, dpi, ctx)
    untouched = not (resized or box or rotation or abs(skew) >= 0.05) and image.mode in ("1", "L")
    path = reuse_source(source_file, ctx) if untouched and source_file and ctx.storage == "grey" else None
    if path is None:
        page = for_storage(page, ctx)
        path = save_page(page, dpi, ctx)
    return CleanedPage(image=page, path=path, dpi=dpi, rotation=rotation, skew=skew,
                       crop_box=box, blank=blank, ink_ratio=ratio)


def turn_saved_page(cleaned: CleanedPage, degrees_clockwise: int, ctx: CleanupContext,
                    suffix: str = "") -> CleanedPage:
    """The cleaned page turned by a multiple of 90 degrees, saved (over the old file unless suffix)."""
    image = turn(cleaned.image, degrees_clockwise, ctx)
    path = save_page(image, cleaned.dpi, ctx, suffix=suffix)
    return CleanedPage(image=image, path=path, dpi=cleaned.dpi,
                       rotation=(cleaned.rotation + degrees_clockwise) % 360, skew=cleaned.skew,
                       crop_box=cleaned.crop_box, blank=cleaned.blank, ink_ratio=cleaned.ink_ratio,
                       notes=list(cleaned.notes))


def same_geometry(original: Image.Image, cleaned: CleanedPage, ctx: CleanupContext) -> Image.Image:
    """The original (colour) page put through the geometry clean_page found: resolution, crop, turn, deskew.

    For colour scans, where red seals and stamps are part of the evidence: the steps
    measure on grey, this applies what they measured to the colour pixels.
    """
    page = original.convert("RGB")
    page = normalise_resolution(page, source_dpi(original, ctx), ctx)
    if cleaned.crop_box:
        page = page.crop(cleaned.crop_box)
    page = turn(page, cleaned.rotation, ctx)
    return rotate(page, cleaned.skew, ctx)

