"""OCR one page with Tesseract: words with boxes and confidences, and the page text.

Pages are read by ``read_tsv``: in this process through libtesseract with the models
kept loaded (scanner.tessapi), or, where that library cannot be used or
``CLERK_OCR_ENGINE=program`` says so, by the `tesseract` program found through
pytesseract (``pytesseract.pytesseract.tesseract_cmd``) with a small runner of our own
that kills it when the clerk cancels, which pytesseract cannot do. OSD and the list of
installed languages go through pytesseract. Tesseract runs with ``OMP_THREAD_LIMIT=1``:
one worker per core is several times faster than one worker using every core.
"""
from __future__ import annotations

import csv
import io
import os
import subprocess
import time
import unicodedata
from pathlib import Path

import pytesseract
from PIL import Image

from forms import config
from forms.errors import Cancelled, OcrError
from forms.ocrdata import OcrWord

from . import tessapi

DEFAULT_LANGS = "chi_sim+eng"
_POLL = 0.1          # seconds between checks of the cancel flag while Tesseract runs


class MissingLanguage(OcrError):
    message = "未安装 Tesseract 语言包：{}（可用：{}）"


def tesseract_env() -> dict:
    """The environment every Tesseract process gets: a single OpenMP thread."""
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


def installed_languages() -> set[str]:
    """Language packs Tesseract can load (e.g. {"chi_sim", "eng", "osd"})."""
    try:
        return set(pytesseract.get_languages(config=""))
    except pytesseract.TesseractNotFoundError as e:
        raise OcrError("未找到 Tesseract 程序，请先安装 tesseract-ocr") from e


def check_languages(langs: str) -> str:
    """Return langs unchanged if every pack in "a+b" is installed, else raise MissingLanguage."""
    wanted = [part for part in langs.split("+") if part]
    if not wanted:
        raise OcrError("未指定识别语言")
    have = installed_languages()
    missing = [part for part in wanted if part not in have]
    if missing:
        raise MissingLanguage("+".join(missing), "、".join(sorted(have)) or "无")
    return langs


def run_tesseract_tsv(image_path: Path | str, langs: str = DEFAULT_LANGS, dpi: int = 300,
                      psm: int = 3, timeout: float = 120.0, cancel=None, page_no: int = 1) -> str:
    """Tesseract's TSV for one image file; kills it on timeout (OcrError) or cancel (Cancelled)."""
    cmd = [pytesseract.pytesseract.tesseract_cmd, str(image_path), "stdout",
           "-l", langs, "--psm", str(psm), "--dpi", str(dpi), "tsv"]
    if cancel is not None and cancel.is_set():
        raise Cancelled()
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, env=tesseract_env())
    except FileNotFoundError as e:
        raise OcrError("未找到 Tesseract 程序，请先安装 tesseract-ocr") from e
    deadline = time.monotonic() + timeout
    while True:
        try:
            out, err = proc.communicate(timeout=_POLL)
            break
        except subprocess.TimeoutExpired:
            if cancel is not None and cancel.is_set():
                _kill(proc)
                raise Cancelled()
            if time.monotonic() > deadline:
                _kill(proc)
                raise OcrError(f"第 {page_no} 页识别超时（超过 {timeout:g} 秒）") from None
    if proc.returncode != 0:
        detail = err.decode("utf-8", "replace").strip().splitlines()
        raise OcrError(f"第 {page_no} 页：Tesseract 出错（{detail[-1] if detail else proc.returncode}）")
    return out.decode("utf-8", "replace")


def read_tsv(image: "Image.Image | Path | str", langs: str = DEFAULT_LANGS, dpi: int = 300,
             psm: int = 3, timeout: float = 120.0, cancel=None, page_no: int = 1) -> str:
    """Tesseract's TSV for a page in memory or a file, by the engine in this process or the program."""
    engine = tessapi.engine_for(langs)
    if engine is not None:
        if isinstance(image, (str, Path)):
            with Image.open(image) as opened:
                opened.load()
                image = opened.convert("L") if opened.mode != "L" else opened.copy()
        return engine.tsv(image, dpi, psm=psm, timeout=timeout, cancel=cancel, page_no=page_no)
    if isinstance(image, (str, Path)):
        return run_tesseract_tsv(image, langs, dpi, psm=psm, timeout=timeout, cancel=cancel,
                                 page_no=page_no)
    with config.work_folder("tess") as folder:
        path = folder / "page.png"
        image.save(path, compress_level=1)
        return run_tesseract_tsv(path, langs, dpi, psm=psm, timeout=timeout, cancel=cancel,
                                 page_no=page_no)


def _kill(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.communicate()


def parse_tsv(tsv: str) -> list[OcrWord]:
    """The recognised words (level 5 rows with text) in Tesseract's reading order."""
    words = []
    reader = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        if row.get("level") != "5":
            continue
        text = (row.get("text") or "").strip()
        try:
            conf = float(row["conf"])
        except (TypeError, ValueError, KeyError):
            continue
        if not text or conf < 0:
            continue
        words.append(OcrWord(text=text, left=int(row["left"]), top=int(row["top"]),
                             width=int(row["width"]), height=int(row["height"]),
                             confidence=round(conf, 2), block=int(row["block_num"]),
                             par=int(row["par_num"]), line=int(row["line_num"])))
    return words


def is_cjk(char: str) -> bool:
    """True for Chinese characters and full-width punctuation/forms, which take no spaces."""
    code = ord(char)
    if (0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3134F
            or 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF or 0x2E80 <= code <= 0x2FDF):
        return True
    # Chinese quotes, dashes and ellipses outside those blocks: “ ” ‘ ’ — …
    return char in "“”‘’—…·" or unicodedata.east_asian_width(char) in ("W", "F")


def build_text(words: list[OcrWord]) -> tuple[str, list[int]]:
    """(page text, index of the word each character came from, -1 for added breaks).

    Lines are joined with a newline, blocks with a blank line. Within a line no space
    goes where either neighbour is Chinese (Tesseract puts one between every Chinese
    character, and between Chinese and Latin we follow the written convention
    "2023年12月7日", "共89项"); Latin words and numbers keep one space between them.
    """
    parts: list[str] = []
    owners: list[int] = []
    previous = None
    for index, word in enumerate(words):
        key = (word.block, word.par, word.line)
        if previous is not None:
            if key[0] != previous[0]:
                sep = "\n\n"
            elif key != previous:
                sep = "\n"
            else:
                last = parts[-1][-1]
                sep = "" if is_cjk(last) or is_cjk(word.text[0]) else " "
            if sep:
                parts.append(sep)
                owners.extend([-1] * len(sep))
        parts.append(word.text)
        owners.extend([index] * len(word.text))
        previous = key
    return "".join(parts), owners


def mean_confidence(words: list[OcrWord]) -> float:
    """Mean word confidence (0..100), weighted by characters so one-letter noise counts little."""
    total = sum(len(w.text) for w in words)
    if not total:
        return 0.0
    return round(sum(w.confidence * len(w.text) for w in words) / total, 1)


def looks_turned(words: list[OcrWord]) -> bool:
    """True when the result suggests a page lying on its side or upside down.

    Upside-down or sideways pages come back with low confidence, or (for some
    90-degree turns) as lines much taller than wide that Tesseract read as vertical text.
    """
    chars = sum(len(w.text) for w in words)
    if chars < 8:
        return False
    if mean_confidence(words) < 60:
        return True
    lines: dict[tuple, list[OcrWord]] = {}
    for w in words:
        lines.setdefault((w.block, w.par, w.line), []).append(w)
    tall = wide = 0
    for members in lines.values():
        if sum(len(w.text) for w in members) < 3:
            continue
        left = min(w.left for w in members)
        right = max(w.left + w.width for w in members)
        top = min(w.top for w in members)
        bottom = max(w.top + w.height for w in members)
        if bottom - top > 2 * (right - left):
            tall += 1
        else:
            wide += 1
    return tall > wide



def character_error_rate(reference: str, hypothesis: str) -> float:
    """Levenshtein distance over characters / reference length, whitespace ignored (0.0 = perfect)."""
    ref = "".join(reference.split())
    hyp = "".join(hypothesis.split())
    if not ref:
        return 0.0 if not hyp else 1.0
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1] / len(ref)

# ---- second look at Chinese that a multi-language run read as Latin -------------
#
# With "chi_sim+eng" Tesseract sometimes prefers the English model for a Chinese
# word it finds hard (bold headings, light labels, calligraphic faces) and returns
# Latin nonsense such as "WBS Pi" for 网络客户端. Those words are read again with the
# Chinese model alone, all of a page's suspects pasted into one strip so that it
# costs one extra Tesseract run, and kept only if the new reading is Chinese and
# more confident. Real English words come back as Latin and stay as they were.

_CJK_LANGS = {"chi_sim", "chi_tra", "chi_sim_vert", "chi_tra_vert", "jpn", "jpn_vert", "kor"}
_SUSPECT_BELOW = 90.0        # confidence under which a Latin word on a Chinese page is re-read
_ACCEPT_FROM = 50.0         # least confidence of a Chinese re-reading that replaces Latin
_STRIP_GAP = 40              # white pixels between the pieces of the strip


def _suspect(word: OcrWord) -> bool:
    text = word.text
    letters = sum(c.isalpha() for c in text)
    return (text.isascii() and letters > 0 and letters * 2 >= sum(c.isalnum() for c in text)
            and word.confidence < _SUSPECT_BELOW)


def suspect_runs(words: list[OcrWord]) -> list[list[int]]:
    """Runs of neighbouring words in one line that look like Chinese misread as Latin."""
    runs: list[list[int]] = []
    for i, word in enumerate(words):
        if not _suspect(word):
            continue
        last = runs[-1][-1] if runs else None
        if last == i - 1 and (words[last].block, words[last].par, words[last].line) == (
                word.block, word.par, word.line):
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def reread_suspects(page: "Image.Image | Path | str", words: list[OcrWord], langs: str,
                    dpi: int = 300, timeout: float = 60.0, cancel=None,
                    page_no: int = 1) -> list[OcrWord]:
    """The words with Latin-looking misreads replaced by a Chinese-only reading where better.

    ``page`` is the image the words were read from, in memory or as a file.
    """
    first = langs.split("+")[0]
    if "+" not in langs or first not in _CJK_LANGS:
        return words
    runs = suspect_runs(words)
    if not runs:
        return words
    if isinstance(page, (str, Path)):
        with Image.open(page) as opened:
            page = opened.convert("L")
    elif page.mode != "L":
        page = page.convert("L")
    pieces = []
    for run in runs:
        left = min(words[i].left for i in run)
        top = min(words[i].top for i in run)
        right = max(words[i].left + words[i].width for i in run)
        bottom = max(words[i].top + words[i].height for i in run)
        pad = max(6, (bottom - top) // 3)
        box = (max(0, left - pad), max(0, top - pad),
               min(page.width, right + pad), min(page.height, bottom + pad))
        pieces.append((run, box, page.crop(box)))
    width = max(p[2].width for p in pieces) + 2 * _STRIP_GAP
    height = sum(p[2].height + _STRIP_GAP for p in pieces) + _STRIP_GAP
    strip = Image.new("L", (width, height), 255)
    offsets = []
    y = _STRIP_GAP
    for run, box, piece in pieces:
        strip.paste(piece, (_STRIP_GAP, y))
        offsets.append((y, y + piece.height))
        y += piece.height + _STRIP_GAP
    found = parse_tsv(read_tsv(strip, first, dpi, psm=6, timeout=timeout, cancel=cancel,
                               page_no=page_no))
    replacement: dict[int, list[OcrWord]] = {}
    for k, (run, box, _) in enumerate(pieces):
        y0, y1 = offsets[k]
        new = [w for w in found if y0 <= w.top + w.height / 2 < y1]
        old = [words[i] for i in run]
        new_text = "".join(w.text for w in new)
        # The English model's confidence in its own nonsense is no yardstick: a reading
        # that is mostly Chinese and fairly sure of itself wins.
        if not new_text or sum(map(is_cjk, new_text)) * 2 < len(new_text):
            continue
        if mean_confidence(new) < _ACCEPT_FROM:
            continue
        line = old[0]
        replacement[run[0]] = [OcrWord(text=w.text, left=box[0] + w.left - _STRIP_GAP,
                                       top=box[1] + w.top - y0, width=w.width, height=w.height,
                                       confidence=w.confidence, block=line.block, par=line.par,
                                       line=line.line) for w in new]
        for i in run[1:]:
            replacement[i] = []
    result: list[OcrWord] = []
    for i, word in enumerate(words):
        result.extend(replacement.get(i, [word]))
    return result
