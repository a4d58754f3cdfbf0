"""Cleanup steps one by one on a real scanned-style page (tests/resources/ocr/edu_manual_p5.png)."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from scanner.cleanup import (CleanupContext, clean_page, crop_to_paper, detect_orientation,
                             estimate_skew, for_storage, is_blank, normalise_resolution, rotate,
                             source_dpi, to_grey, turn)

HEI = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


@pytest.fixture
def page(resources) -> Image.Image:
    """A Chinese manual page (Debian Edu, GPL-2+), 2481 x 1420 px at 300 dpi."""
    image = Image.open(resources / "ocr" / "edu_manual_p5.png").convert("L")
    image.info["dpi"] = (300, 300)
    return image


@pytest.fixture
def ctx(tmp_path) -> CleanupContext:
    return CleanupContext(workdir=tmp_path / "job")


def _paper(size=(2480, 3508), seed=1) -> Image.Image:
    """An empty sheet: paper grain plus a few specks of dust."""
    rng = np.random.default_rng(seed)
    sheet = Image.fromarray(np.clip(rng.normal(236, 6, size[::-1]), 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(sheet)
    for _ in range(40):
        x, y = int(rng.integers(0, size[0])), int(rng.integers(0, size[1]))
        draw.ellipse((x, y, x + 3, y + 3), fill=60)
    return sheet


@pytest.mark.parametrize("angle", [-14.0, -7.3, -2.0, 0.4, 3.0, 9.9, 14.5])
def test_deskew_finds_known_rotation_within_half_a_degree(page, ctx, angle):
    turned = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    correction = estimate_skew(turned, ctx)
    assert abs(angle + correction) < 0.5


def test_deskewed_page_has_level_lines(page, ctx):
    turned = page.rotate(-6.0, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    cleaned = clean_page(turned, ctx)
    assert abs(cleaned.skew - 6.0) < 0.5
    assert abs(estimate_skew(cleaned.image, ctx)) < 0.5


@pytest.mark.parametrize("turned_by", [90, 180, 270])
def test_orientation_reports_the_turn_that_makes_the_page_upright(page, ctx, turned_by):
    # PIL turns counter-clockwise; OSD answers how far to turn clockwise to undo it.
    lying = page.rotate(turned_by, expand=True)
    degrees, confidence = detect_orientation(lying, ctx)
    assert degrees == turned_by
    assert confidence > 2
    upright = turn(lying, degrees, ctx)
    assert upright.size == page.size
    assert np.array_equal(np.asarray(upright), np.asarray(page))


def test_orientation_of_an_upright_page_is_zero(page, ctx):
    assert detect_orientation(page, ctx)[0] == 0


def test_orientation_of_an_empty_page_is_zero_not_an_error(ctx):
    assert detect_orientation(Image.new("L", (800, 1100), 255), ctx) == (0, 0.0)


def test_crop_cuts_a_tilted_page_out_of_a_dark_lid(page, ctx):
    rng = np.random.default_rng(3)
    lid = Image.fromarray(np.clip(rng.normal(45, 8, (2300, 3100)), 0, 255).astype(np.uint8))
    tilted = page.rotate(4, expand=True, fillcolor=0, resample=Image.Resampling.BICUBIC)
    mask = Image.new("L", page.size, 255).rotate(4, expand=True, fillcolor=0)
    lid.paste(tilted, (200, 260), mask)

    cropped, box = crop_to_paper(lid, ctx)

    assert box is not None
    assert abs(box[0] - (200 + (tilted.width - page.width) / 2)) < 40
    assert abs(box[1] - (260 + (tilted.height - page.height) / 2)) < 40
    # The paper is cut out levelled, at its own size, with no dark lid left at the edges.
    assert abs(cropped.width - page.width) < 0.02 * page.width
    assert abs(cropped.height - page.height) < 0.02 * page.height
    arr = np.asarray(cropped)
    for edge in (arr[:8], arr[-8:], arr[:, :8], arr[:, -8:]):
        assert edge.mean() > 200
    assert abs(estimate_skew(cropped, ctx)) < 0.5


def test_crop_leaves_a_page_on_a_white_lid_alone(page, ctx):
    cropped, box = crop_to_paper(page, ctx)
    assert box is None
    assert cropped is page


def test_blank_page_with_dust_is_flagged(ctx):
    blank, ratio = is_blank(_paper(), 300, ctx)
    assert blank is True
    assert ratio < 0.00005


def test_page_with_two_characters_is_not_blank(ctx):
    sheet = _paper()
    ImageDraw.Draw(sheet).text((1000, 1500), "同意", font=ImageFont.truetype(HEI, 50), fill=0)
    assert is_blank(sheet, 300, ctx)[0] is False


def test_text_page_is_not_blank(page, ctx):
    blank, ratio = is_blank(page, 300, ctx)
    assert blank is False
    assert ratio > 0.01


def test_clean_page_keeps_a_blank_page_and_flags_it(ctx):
    cleaned = clean_page(_paper(), ctx)
    assert cleaned.blank is True
    assert cleaned.path.exists()


def test_resolution_is_normalised_to_300_dpi(page, ctx):
    at_600 = page.resize((page.width * 2, page.height * 2))
    at_600.info["dpi"] = (600, 600)
    assert source_dpi(at_600, ctx) == 600
    halved = normalise_resolution(at_600, 600, ctx)
    assert halved.size == page.size
    assert normalise_resolution(page, 300, ctx) is page


def test_placeholder_dpi_is_not_believed(page, ctx):
    page.info["dpi"] = (72, 72)
    assert source_dpi(page, ctx) == 300
    assert source_dpi(page, CleanupContext(workdir=ctx.workdir, source_dpi=200)) == 200


def test_storage_forms(page, tmp_path):
    grey = CleanupContext(workdir=tmp_path / "g", storage="grey")
    bilevel = CleanupContext(workdir=tmp_path / "b", storage="bilevel")
    assert for_storage(page, grey).mode == "L"
    one_bit = for_storage(page, bilevel)
    assert one_bit.mode == "1"
    # The text survives thresholding: the same share of ink, within a percent.
    ink_before = (np.asarray(page) < 128).mean()
    ink_after = (~np.asarray(one_bit)).mean()
    assert abs(ink_before - ink_after) < 0.01


def test_cleaned_pages_go_to_the_job_folder_only(page, resources, tmp_path):
    clerk_folder = tmp_path / "clerk"
    clerk_folder.mkdir()
    original = clerk_folder / "scan.png"
    page.save(original, dpi=(300, 300))
    job = tmp_path / "job"
    cleaned = clean_page(Image.open(original), CleanupContext(workdir=job, page_no=3, storage="bilevel"))
    assert cleaned.path == job / "page-0003.png"
    assert sorted(p.name for p in clerk_folder.iterdir()) == ["scan.png"]
    saved = Image.open(cleaned.path)
    assert saved.mode == "1"
    assert round(saved.info["dpi"][0]) == 300


def test_to_grey_flattens_transparency_onto_white_and_applies_exif(ctx):
    rgba = Image.new("RGBA", (40, 20), (0, 0, 0, 0))
    rgba.putpixel((5, 5), (0, 0, 0, 255))
    grey = to_grey(rgba, ctx)
    assert grey.mode == "L"
    assert grey.getpixel((0, 0)) == 255 and grey.getpixel((5, 5)) == 0

    photo = Image.new("RGB", (40, 20), "white")
    exif = photo.getexif()
    exif[0x0112] = 6                      # camera held upright: turn 90 degrees clockwise
    photo.info["exif"] = exif.tobytes()
    photo = Image.open(_roundtrip(photo, exif))
    assert to_grey(photo, ctx).size == (20, 40)


def _roundtrip(image, exif):
    import io
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    buffer.seek(0)
    return buffer


def test_rotate_grows_canvas_with_white(page, ctx):
    turned = rotate(page, 5.0, ctx)
    assert turned.width > page.width and turned.height > page.height
    assert turned.getpixel((0, 0)) == 255


def test_clean_page_turns_a_sideways_page_when_asked_to_always_check(page, tmp_path):
    ctx = CleanupContext(workdir=tmp_path, orientation="always")
    cleaned = clean_page(page.rotate(90, expand=True), ctx)
    assert cleaned.rotation == 90
    assert cleaned.image.size == page.size


def test_an_untouched_png_is_copied_not_encoded_again(page, tmp_path):
    source = tmp_path / "clerk" / "scan.png"
    source.parent.mkdir()
    page.save(source, dpi=(300, 300))
    cleaned = clean_page(Image.open(source), CleanupContext(workdir=tmp_path / "job"), source_file=source)
    assert cleaned.path.parent == tmp_path / "job"
    assert cleaned.path.read_bytes() == source.read_bytes()

    tilted = tmp_path / "clerk" / "tilted.png"
    page.rotate(5, expand=True, fillcolor=255).save(tilted, dpi=(300, 300))
    cleaned = clean_page(Image.open(tilted), CleanupContext(workdir=tmp_path / "job", page_no=2),
                         source_file=tilted)
    assert cleaned.path.read_bytes() != tilted.read_bytes()
    assert abs(estimate_skew(Image.open(cleaned.path), CleanupContext(workdir=tmp_path))) < 0.5
