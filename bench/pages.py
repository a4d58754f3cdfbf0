"""Reproducible 300 dpi grey scans of printed Chinese text, with skew and noise, and their truth.

``make_case(folder, count)`` writes ``count`` A4 text pages (page-NNN.png, 8-bit grey,
300 dpi) and returns them with the exact text printed on each. The words come from the
demo catalog's own sentences (review points, legal bases, fees, material notes), so
the vocabulary is the one a window's papers use; each page also carries a header with
a case number, a name, a resident ID number and a date (digits and Latin in Chinese
lines). Every page is printed in WenQuanYi Micro Hei at 11-12 pt, then scanned: tilted
0.4-2 degrees, softened, toned like paper, unevenly lit, with sensor grain and a few
dust specks. ``make_colour_pages`` adds what a case also holds: a page with a red
seal and a colour ID-card copy. Seeded: the same count gives the same files, byte
for byte, so a cache folder keyed by ``GENERATOR`` can keep them.
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "forms" / "data" / "demo_catalog.json"
FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
GENERATOR = 1                      # bump when the pages change: cached pages are then rebuilt
A4 = (2480, 3508)                  # pixels at 300 dpi
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 230, 250, 260
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕辉建国文斌宇浩凯鹏晨欣怡梓涵子轩雨泽佳琪思远志强海燕春梅立新德明淑珍永红丹丹晓东"


@dataclass
class BenchPage:
    path: Path
    truth: str | None              # the text printed on the page (None: not a text page)
    colour: bool = False


def sentences() -> list[str]:
    """Chinese sentences of the demo catalog, sorted (the order must not depend on a set)."""
    data = json.loads(CATALOG.read_text(encoding="utf-8"))
    texts = []
    for item in data["items"]:
        texts += [item.get(k) or "" for k in ("name", "department", "fees", "basis", "review_points")]
        for m in item["materials"]:
            texts += [m["name"], m.get("note") or "", m.get("condition") or ""]
    found = set()
    for text in texts:
        for part in re.split(r"[。；！？\n]", text):
            part = part.strip()
            if 8 <= len(part) <= 90 and re.search(r"[\u4e00-\u9fff]", part) and "http" not in part \
                    and ".md" not in part:
                found.add(part)
    return sorted(found)


def resident_id(rng: random.Random) -> str:
    """A resident ID number with a valid check character (GB 11643)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    body = (rng.choice(("371402", "410927", "110101", "440305", "320102"))
            + f"{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            + f"{rng.randint(0, 999):03d}")
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if line and draw.textlength(line + ch, font=font) > width:
            lines.append(line)
            line = ""
        line += ch
    if line:
        lines.append(line)
    return lines


def render_text_page(number: int, rng: random.Random, pool: list[str]) -> tuple[Image.Image, str]:
    """A clean A4 page of printed text (grey, white paper) and the exact text on it."""
    img = Image.new("L", A4, 255)
    d = ImageDraw.Draw(img)
    title = ImageFont.truetype(FONT, 66)
    body = ImageFont.truetype(FONT, rng.choice((46, 48, 50)))
    width = A4[0] - 2 * MARGIN_X
    ink = rng.randint(15, 45)
    lines: list[tuple[str, ImageFont.FreeTypeFont]] = [
        (f"材料第{number}页", title),
        (f"办件号 DZTQ01-2025{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}-{rng.randint(1, 200):04d}"
         f"  申请人 {person_name(rng)}", body),
        (f"公民身份号码 {resident_id(rng)}  日期 {rng.randint(2023, 2025)}年{rng.randint(1, 12)}月"
         f"{rng.randint(1, 28)}日", body),
    ]
    step = int(body.size * 1.75)
    room = (A4[1] - MARGIN_TOP - MARGIN_BOTTOM - 140) // step - len(lines)
    while room > 0:
        paragraph = "".join(rng.choice(pool) + rng.choice("，。；") for _ in range(rng.randint(2, 5)))
        wrapped = _wrap(d, "　　" + paragraph, body, width)[:room]
        lines += [(w, body) for w in wrapped]
        room -= len(wrapped)
    y = MARGIN_TOP
    for text, font in lines:
        d.text((MARGIN_X, y), text, font=font, fill=ink)
        y += int(font.size * 1.75) if font is body else 140
    truth = "\n".join(t.replace("　", "") for t, _ in lines)
    return img, truth


def scanned(img: Image.Image, rng: random.Random) -> Image.Image:
    """The page as a 300 dpi grey flatbed or feeder scan sees it."""
    angle = rng.uniform(0.4, 2.0) * rng.choice((-1, 1))
    tilted = img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    soft = tilted.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 0.9)))
    a = np.asarray(soft, dtype=np.float32)
    np_rng = np.random.default_rng(rng.randrange(1 << 30))
    light = np.linspace(0, rng.uniform(4, 14), a.shape[0], dtype=np.float32)[:, None]
    a = a * 0.9 + 16 - light + np_rng.normal(0, 5, a.shape).astype(np.float32)
    for _ in range(rng.randint(20, 60)):            # dust on the glass
        y, x = np_rng.integers(0, a.shape[0] - 6), np_rng.integers(0, a.shape[1] - 6)
        r = int(np_rng.integers(1, 4))
        a[y:y + r, x:x + r] = rng.randint(30, 120)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")


def make_case(folder: Path, count: int, seed: int = 2025) -> list[BenchPage]:
    """``count`` grey text pages in ``folder`` (reused when already there) with their truth."""
    folder.mkdir(parents=True, exist_ok=True)
    pool = sentences()
    pages = []
    for n in range(1, count + 1):
        path = folder / f"page-{n:03d}.png"
        truth_path = path.with_suffix(".txt")
        if not (path.exists() and truth_path.exists()):
            rng = random.Random(seed * 1000 + n)
            clean, truth = render_text_page(n, rng, pool)
            scanned(clean, rng).save(path, dpi=(300, 300))
            truth_path.write_text(truth, encoding="utf-8")
        pages.append(BenchPage(path, truth_path.read_text(encoding="utf-8")))
    return pages


def make_colour_pages(folder: Path, seed: int = 7) -> list[BenchPage]:
    """A text page with a red seal and a colour ID-card copy (RGB PNGs, 300 dpi)."""
    folder.mkdir(parents=True, exist_ok=True)
    seal, card = folder / "colour-seal.png", folder / "colour-idcopy.png"
    if not seal.exists():
        rng = random.Random(seed)
        clean, _ = render_text_page(99, rng, sentences())
        page = scanned(clean, rng).convert("RGB")
        d = ImageDraw.Draw(page)
        d.ellipse((1650, 2700, 2150, 3200), outline=(205, 35, 35), width=18)
        d.text((1745, 2905), "专用章", font=ImageFont.truetype(FONT, 80), fill=(205, 35, 35))
        page.save(seal, dpi=(300, 300))
    if not card.exists():
        rng = np.random.default_rng(seed)
        page = Image.new("RGB", A4, (246, 244, 240))
        photo = rng.normal((150, 120, 110), 40, (640, 1010, 3)).clip(0, 255).astype(np.uint8)
        page.paste(Image.fromarray(photo, "RGB").filter(ImageFilter.GaussianBlur(3)), (735, 500))
        d = ImageDraw.Draw(page)
        d.text((800, 560), "姓名 张三  公民身份号码 110101199003074514",
               font=ImageFont.truetype(FONT, 36), fill=(20, 20, 20))
        page.save(card, dpi=(300, 300))
    return [BenchPage(seal, None, colour=True), BenchPage(card, None, colour=True)]
