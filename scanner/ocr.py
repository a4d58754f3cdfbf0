"""OCR one page with Tesseract: words with boxes and confidences, and the page text.

Tesseract is found through pytesseract (``pytesseract.pytesseract.tesseract_cmd``) and
OSD goes through pytesseract; the word data is read from Tesseract's TSV output by a
small runner of our own, because it must kill Tesseract when the clerk cancels, which
pytesseract cannot do. Each Tesseract runs with ``OMP_THREAD_LIMIT=1``: one process per
core is several times faster than one process using every core.
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

from forms.errors import Cancelled, OcrError
from forms.ocrdata import OcrWord

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
