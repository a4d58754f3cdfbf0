"""Loading page files (scanner/imageio.py) and the files source: good and bad inputs.

Every bad input is generated here with Pillow/pikepdf; each must give a Chinese
message naming the file while the rest of the batch goes on.
"""
import numpy as np
import pikepdf
import pytest
from PIL import Image

from forms.errors import ImageError
from scanner import imageio
from scanner.sources import FileSource, expand_paths


def pdf_with_pages(path, sizes, left_half_black=True, encryption=None):
    """A PDF whose pages have the given sizes in points, the left half of each filled black."""
    pdf = pikepdf.new()
    for width, height in sizes:
        pdf.add_blank_page(page_size=(width, height))
        page = pdf.pages[-1]
        if left_half_black:
            page.obj.Contents = pdf.make_stream(f"0 0 0 rg 0 0 {width / 2} {height} re f".encode())
    pdf.save(path, encryption=encryption)
    return path


def reason(path, dpi=300):
    with pytest.raises(ImageError) as err:
        list(imageio.load_pages(path, dpi))
    return str(err.value)


# ---- good inputs --------------------------------------------------------

def test_exif_orientation_is_applied(tmp_path):
    im = Image.new("RGB", (300, 200), "blue")
    im.paste((255, 0, 0), (0, 0, 150, 200))           # left half red
    exif = Image.Exif()
    exif[0x0112] = 6                                   # "rotate 90 CW to display"
    im.save(tmp_path / "phone.jpg", exif=exif, quality=95, dpi=(200, 200))
    page, = imageio.load_pages(tmp_path / "phone.jpg")
    assert page.image.size == (200, 300)               # now portrait
    top, bottom = page.image.getpixel((100, 20)), page.image.getpixel((100, 280))
    assert top[0] > 200 and top[2] < 60                # the red half came to the top
    assert bottom[2] > 200 and bottom[0] < 60
    assert page.dpi == 200 and page.warnings == []


def test_recorded_dpi_is_used_and_a_missing_one_is_said(tmp_path):
    Image.new("L", (400, 500), 200).save(tmp_path / "a.png", dpi=(150, 150))
    Image.new("L", (400, 500), 200).save(tmp_path / "b.bmp")
    a, = imageio.load_pages(tmp_path / "a.png")
    b, = imageio.load_pages(tmp_path / "b.bmp", dpi=240)
    assert (a.dpi, a.image.info["dpi"], a.warnings) == (150, (150, 150), [])
    assert (b.dpi, b.image.mode) == (240, "L")
    assert b.warnings == ["文件未记录扫描分辨率，按 240 dpi 处理"]


def test_multipage_tiff_gives_each_page(tmp_path):
    frames = [Image.new("L", (300, 400), v) for v in (10, 100, 200)]
    frames[0].save(tmp_path / "fax.tif", save_all=True, append_images=frames[1:], dpi=(200, 200))
    pages = list(imageio.load_pages(tmp_path / "fax.tif"))
    assert [(p.page_in_file, p.page_count, p.image.getpixel((5, 5))) for p in pages] == \
        [(1, 3, 10), (2, 3, 100), (3, 3, 200)]


def test_pdf_is_rendered_at_the_chosen_dpi(tmp_path):
    path = pdf_with_pages(tmp_path / "form.pdf", [(720, 1080), (1080, 720)])
    pages = list(imageio.load_pages(path, dpi=150))
    # 720 pt = 10 inches: 1500 pixels at 150 dpi
    assert [p.image.size for p in pages] == [(1500, 2250), (2250, 1500)]
    assert [p.dpi for p in pages] == [150, 150]
    first = pages[0].image
    assert first.getpixel((100, 100)) == (0, 0, 0)          # left half black
    assert first.getpixel((1400, 100)) == (255, 255, 255)   # right half white


def test_sixteen_bit_cmyk_palette_and_transparent_images_become_8_bit(tmp_path):
    Image.fromarray(np.array([[0, 32896, 65535] * 40] * 100, dtype=np.uint16)).save(tmp_path / "deep.png")
    Image.new("CMYK", (200, 200), (255, 0, 0, 0)).save(tmp_path / "print.jpg", quality=95)
    pal = Image.new("P", (200, 200), 1)
    pal.putpalette([0, 0, 0, 255, 0, 0] + [0, 0, 0] * 254)
    pal.paste(0, (0, 0, 100, 200))                           # left half index 0 = transparent
    pal.save(tmp_path / "stamp.png", transparency=0)
    rgba = Image.new("RGBA", (200, 200), (0, 0, 255, 0))
    rgba.paste((0, 0, 255, 255), (100, 0, 200, 200))
    rgba.save(tmp_path / "logo.png")
    la = Image.new("LA", (200, 200), (0, 0))
    la.save(tmp_path / "gray-alpha.png")

    deep, = imageio.load_pages(tmp_path / "deep.png")
    assert deep.image.mode == "L"
    assert [deep.image.getpixel((x, 0)) for x in range(3)] == [0, 128, 255]   # scaled, not clipped
    cmyk, = imageio.load_pages(tmp_path / "print.jpg")
    r, g, b = cmyk.image.getpixel((100, 100))
    assert cmyk.image.mode == "RGB" and r < 20 and g > 235 and b > 235       # cyan
    stamp, = imageio.load_pages(tmp_path / "stamp.png")
    assert stamp.image.getpixel((50, 50)) == (255, 255, 255)                  # transparent -> white
    assert stamp.image.getpixel((150, 50)) == (255, 0, 0)
    logo, = imageio.load_pages(tmp_path / "logo.png")
    assert logo.image.getpixel((50, 50)) == (255, 255, 255)
    assert logo.image.getpixel((150, 50)) == (0, 0, 255)
    ga, = imageio.load_pages(tmp_path / "gray-alpha.png")
    assert ga.image.mode == "L" and ga.image.getpixel((5, 5)) == 255


# ---- bad inputs ---------------------------------------------------------

@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_each_bad_input_names_the_file_in_chinese(tmp_path):
    (tmp_path / "empty.jpg").write_bytes(b"")
    Image.new("RGB", (600, 800), "red").save(tmp_path / "whole.jpg", quality=90)
    data = (tmp_path / "whole.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 2])
    (tmp_path / "letter.png").write_text("这不是图片，是一封信", encoding="utf-8")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    pdf_with_pages(tmp_path / "locked.pdf", [(595, 842)],
                   encryption=pikepdf.Encryption(owner="o", user="1234", R=6))
    whole_pdf = pdf_with_pages(tmp_path / "whole.pdf", [(595, 842)]).read_bytes()
    (tmp_path / "cut.pdf").write_bytes(whole_pdf[: len(whole_pdf) // 2])
    Image.new("1", (12000, 12000)).save(tmp_path / "bomb.png")       # 144 Mpx, 18 KB on disk
    Image.new("L", (2000, 200), 255).save(tmp_path / "panorama.jpg")
    Image.new("L", (200, 1700), 255).save(tmp_path / "receipt.png")
    Image.new("L", (40, 30), 255).save(tmp_path / "icon.png")
    pdf_with_pages(tmp_path / "poster.pdf", [(14400, 14400)], left_half_black=False)  # 5 m square

    assert reason(tmp_path / "empty.jpg") == "无法读取文件 empty.jpg：文件是空的（0 字节）"
    assert reason(tmp_path / "cut.jpg") == "无法读取文件 cut.jpg：图片不完整或已损坏（文件可能没有传输完）"
    assert reason(tmp_path / "letter.png") == (
        "无法读取文件 letter.png：不是有效的图片（内容无法识别，可能不是图片、与扩展名不符或已损坏）")
    assert reason(tmp_path / "notes.docx") == (
        "无法读取文件 notes.docx：不支持的文件类型“.docx”，请使用 JPEG、PNG、BMP、TIFF 或 PDF")
    assert reason(tmp_path / "locked.pdf") == "无法读取文件 locked.pdf：PDF 有密码保护，请先去除密码再导入"
    assert reason(tmp_path / "cut.pdf") == "无法读取文件 cut.pdf：PDF 已损坏或不完整，无法打开"
    assert reason(tmp_path / "bomb.png") == (
        "无法读取文件 bomb.png：图片过大（12000×12000 像素，约 14400 万像素，上限 14000 万像素），"
        "可能是异常文件或扫描分辨率过高")
    assert reason(tmp_path / "panorama.jpg") == "无法读取文件 panorama.jpg：图片过宽（长宽比 10:1），不像文件页面"
    assert reason(tmp_path / "receipt.png") == "无法读取文件 receipt.png：图片过长（长宽比 1:8.5），不像文件页面"
    assert reason(tmp_path / "icon.png") == "无法读取文件 icon.png：图片太小（40×30 像素），无法辨认"
    assert reason(tmp_path / "poster.pdf", dpi=300).startswith(
        "无法读取文件 poster.pdf：图片过大（60000×60000 像素")
    assert reason(tmp_path / "missing.png") == "无法读取文件 missing.png：文件不存在"


def test_pillow_refuses_bombs_beyond_twice_the_limit_too(tmp_path):
    assert Image.MAX_IMAGE_PIXELS == imageio.MAX_PIXELS == 140_000_000
    Image.new("1", (20000, 15000)).save(tmp_path / "huge.png")       # 300 Mpx: Pillow's own error
    assert reason(tmp_path / "huge.png") == (
        "无法读取文件 huge.png：图片像素过多，超过 14000 万像素的上限，可能是异常文件")


def test_batch_goes_on_past_bad_files_and_reports_them(tmp_path):
    Image.new("RGB", (400, 500), "white").save(tmp_path / "01-id.jpg", dpi=(300, 300))
    (tmp_path / "02-empty.png").write_bytes(b"")
    pdf_with_pages(tmp_path / "03-form.pdf", [(595, 842), (595, 842)])
    Image.new("RGB", (400, 500)).save(tmp_path / "04-whole.jpg")
    data = (tmp_path / "04-whole.jpg").read_bytes()
    (tmp_path / "04-cut.jpg").write_bytes(data[:300])
    (tmp_path / "04-whole.jpg").unlink()
    (tmp_path / "readme.txt").write_text("not a page")
    seen_errors, calls = [], []
    source = FileSource([tmp_path], dpi=100, on_error=seen_errors.append)
    pages = list(source.pages(progress=lambda *a: calls.append(a)))

    assert [(p.index, p.file.rsplit("/", 1)[-1], p.page_in_file) for p in pages] == \
        [(1, "01-id.jpg", 1), (2, "03-form.pdf", 1), (3, "03-form.pdf", 2)]
    assert [p.source for p in pages] == ["file"] * 3
    # A4 (595 x 842 pt) at 100 dpi is 826.4 x 1169.4 pixels; PDFium rounds up
    assert pages[1].image.size == (827, 1170) and pages[1].dpi == 100
    assert [str(e) for e in source.errors] == [
        "无法读取文件 02-empty.png：文件是空的（0 字节）",
        "无法读取文件 04-cut.jpg：图片不完整或已损坏（文件可能没有传输完）",
    ]
    assert seen_errors == source.errors
    assert source.errors[0].details["path"] == str(tmp_path / "02-empty.png")
    assert calls[0] == (0, 4, "正在读取 01-id.jpg") and calls[-1] == (4, 4, "已读取 4 个文件")


def test_expand_paths_keeps_order_and_sorts_folders(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("b.png", "a.pdf", "c.txt", "D.JPG"):
        (folder / name).write_bytes(b"x")
    single = tmp_path / "z.tif"
    assert [p.name for p in expand_paths([single, folder])] == ["z.tif", "D.JPG", "a.pdf", "b.png"]
