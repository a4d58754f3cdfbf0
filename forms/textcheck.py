"""Checks for text and whole numbers a clerk or an imported file supplies.

Public API (used by the catalog import and by the service layer; keep it stable):

``check_text(value, label, max_len, multiline=False) -> str``
    ``value`` may be None (→ ""), a str, or anything ``str()`` can show (an Excel
    number). Returns the value stripped of leading/trailing whitespace; in
    multiline text "\\r\\n" and "\\r" become "\\n". Raises InvalidInput when:

    * it is longer than ``max_len`` characters (code points, after stripping):
      "“申请人姓名”不能超过 50 个字（现为 10000 个字）";
    * it has a line break although not ``multiline``: "“事项名称”不能换行，请删除换行后重试";
    * it contains an invisible control character:
      "“申请人姓名”含有不可见的控制字符或文字方向控制符（U+202E），请删除后重试".
      Refused: C0 controls and DEL (tab and newline are allowed when
      ``multiline``), C1 controls, the bidi controls U+200E/U+200F, U+202A–U+202E,
      U+2066–U+2069 and U+061C, the invisible U+200B, U+2060 and U+FEFF, and lone
      surrogates (text that came from a badly decoded file).

    Not refused, on purpose: every CJK ideograph including Ext B–I (𪚥 U+2A6A5,
    𰻝 U+30EDD, U+31350 in Ext H; Python 3.11's Unicode 14 database calls Ext H
    "unassigned", so nothing here rejects by general category), private-use
    characters (older hall systems encode rare name characters there), and the
    zero-width joiner / non-joiner U+200D/U+200C: they only join or part visible
    characters (emoji sequences such as 👨‍👩‍👧, Persian and Indic scripts) and
    cannot hide or reorder text.

``check_int(value, label, lo, hi) -> int``
    Accepts an int, an integral float (Excel gives 5.0) or a string of digits
    (full-width digits too). Booleans, fractions, empty values and anything out of
    ``lo..hi`` raise InvalidInput: "“承诺时限”应为 0–365 之间的整数（现为“三天”）".

``for_message(value, limit=20) -> str``
    A value made safe to quote in an error message: cut to ``limit`` characters
    and every refused character shown as "<U+202E>", so a bidi override in bad
    input cannot turn the message itself around.

All three are pure and may be called from any thread.
"""
from __future__ import annotations

from forms.errors import InvalidInput

__all__ = ["check_text", "check_int", "for_message"]

# Characters that change how text is shown or hide in it without showing.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_INVISIBLE = frozenset("\u200b\u2060\ufeff")
# Full-width digits and signs from a Chinese IME; not NFKC, which would also read "²" as 2.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋－", "0123456789+-")


def _refused(ch: str, multiline: bool) -> bool:
    cp = ord(ch)
    if cp < 0x20 or cp == 0x7F:
        return not (multiline and ch in "\n\t")
    if 0x80 <= cp <= 0x9F:
        return True
    if 0xD800 <= cp <= 0xDFFF:
        return True
    return ch in _BIDI or ch in _INVISIBLE


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value if isinstance(value, str) else str(value)


def for_message(value, limit: int = 20) -> str:
    """``value`` cut to ``limit`` characters with refused characters shown as <U+XXXX>; for messages."""
    text = _as_text(value).strip()
    cut = text[:limit]
    shown = "".join(f"<U+{ord(c):04X}>" if _refused(c, False) else c for c in cut)
    return shown + ("…" if len(text) > limit else "")


def check_text(value, label: str, max_len: int, multiline: bool = False) -> str:
    """The stripped text, or InvalidInput naming ``label`` (too long, or has control/bidi characters)."""
    text = _as_text(value)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip()
    if len(text) > max_len:
        raise InvalidInput(f"“{label}”不能超过 {max_len} 个字（现为 {len(text)} 个字）")
    if not multiline and ("\n" in text or "\r" in text):
        raise InvalidInput(f"“{label}”不能换行，请删除换行后重试")
    bad = list(dict.fromkeys(c for c in text if _refused(c, multiline)))
    if bad:
        codes = "、".join(f"U+{ord(c):04X}" for c in bad[:3])
        raise InvalidInput(f"“{label}”含有不可见的控制字符或文字方向控制符（{codes}），请删除后重试")
    return text


def check_int(value, label: str, lo: int, hi: int) -> int:
    """``value`` as an int within lo..hi (inclusive), or InvalidInput naming ``label`` and the range."""
    n = _to_int(value)
    if n is None or not lo <= n <= hi:
        shown = for_message(value)
        now = f"（现为“{shown}”）" if shown else "（现为空）"
        raise InvalidInput(f"“{label}”应为 {lo}–{hi} 之间的整数{now}")
    return n


def _to_int(value) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = _as_text(value).translate(_FULL_WIDTH).strip()
    sign = 1
    if text and text[0] in "+-":
        sign, text = (-1 if text[0] == "-" else 1), text[1:]
    # isascii: str.isdigit also accepts superscripts and other scripts' digits
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        return None
    return sign * int(text)
