"""Find a service item as a clerk types: name, code, keyword or pinyin initials ("hkqy").

Pure functions over plain values (no Tk); the wizard calls ``rank_items``.
"""
from __future__ import annotations

import functools
import re

from pypinyin import Style, lazy_pinyin


@functools.lru_cache(maxsize=4096)
def initials(text: str) -> str:
    """Pinyin initials of the Chinese characters, other letters and digits kept: 户口迁移 → hkqy."""
    out = []
    for syllable in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default"):
        out.append(re.sub(r"[^0-9a-z]", "", syllable.lower()))
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def full_pinyin(text: str) -> str:
    """Toneless pinyin without spaces: 户口迁移 → hukouqianyi."""
    return re.sub(r"[^0-9a-z]", "", "".join(lazy_pinyin(text)).lower())


def score(query: str, name: str, code: str = "", keywords=()) -> int:
    """How well ``query`` matches an item (0 = not at all); higher is better."""
    q = re.sub(r"\s+", "", query or "").lower()
    if not q:
        return 1
    name_l = name.lower()
    if q == code.lower():
        return 100
    if name_l.startswith(q):
        return 90
    if q in name_l:
        return 80
    ini = initials(name)
    if ini.startswith(q):
        return 70
    if q in ini:
        return 60
    if q in code.lower():
        return 50
    if any(q in str(k).lower() or initials(str(k)).startswith(q) for k in keywords):
        return 40
    if len(q) >= 3 and q in full_pinyin(name):
        return 30
    return 0


def rank_items(query: str, items) -> list:
    """Items (objects with name, code, keywords) matching ``query``, best first, then by name."""
    scored = [(score(query, i.name, i.code, i.keywords or ()), i) for i in items]
    return [i for s, i in sorted((p for p in scored if p[0] > 0), key=lambda p: (-p[0], p[1].name))]
