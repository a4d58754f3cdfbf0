"""Administrative division codes (GB/T 2260) as the first six digits of ID and credit codes.

Names come from python-stdnum's ``stdnum/cn/loc.dat`` (stdnum 2.2, built from the
zh.wikipedia lists of division codes). Each county entry may carry its history,
e.g. ``[1994-]德城区`` or ``[-1991]东郊区,[1992-]东丽区``. stdnum rejects an ID
whose county did not exist in the birth year; we do not, because the region code
is the one in force when the number was *issued* (people born in 1950 were
numbered in the 1980s–90s, some re-numbered after later boundary changes).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

# The 34 provincial-level codes of GB/T 2260 (Simplified names; loc.dat spells 81/82 in Traditional).
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省",
    "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
    "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}

# Prefecture-level rows that are bookkeeping, not a place name worth printing.
_GENERIC_PREFECTURES = {"市辖区", "县", "市", "省直辖县级行政单位", "自治区直辖县级行政区划"}
_PART = re.compile(r"^\[(\d*)-(\d*)\](.*)$")


@dataclass
class NamePart:
    name: str
    start: int | None     # first year in use, None when open
    end: int | None       # last year in use, None when still in use


@dataclass
class Region:
    code: str
    province: str
    name: str                  # best known full name, e.g. 山东省德州市德城区
    known: bool                # the county code is in the table
    warnings: list[str] = field(default_factory=list)


def _parts(raw: str) -> list[NamePart]:
    parts = []
    for piece in raw.split(","):
        m = _PART.match(piece)
        if m:
            parts.append(NamePart(m.group(3), int(m.group(1)) if m.group(1) else None,
                                  int(m.group(2)) if m.group(2) else None))
        else:
            parts.append(NamePart(piece, None, None))
    return parts


def _in_use(part: NamePart, year: int | None) -> bool:
    if year is None:
        return False
    return (part.start is None or part.start <= year) and (part.end is None or year <= part.end)


def _pick(parts: list[NamePart], year: int | None) -> NamePart:
    """The name in use in ``year``; else the current name; else the most recent one."""
    for p in parts:
        if _in_use(p, year):
            return p
    for p in parts:
        if p.end is None:
            return p
    return parts[-1]


def _county_raw(code6: str) -> str | None:
    try:
        from stdnum import numdb
        results = numdb.get("cn/loc").info(code6)
    except Exception:   # a broken or missing loc.dat must not stop the window; names are a bonus
        return None
    if len(results) < 2:
        return None
    return results[1][1].get("county")


def _prefecture(code6: str, year: int | None) -> str:
    if code6[4:] == "00":
        return ""
    raw = _county_raw(code6[:4] + "00")
    if not raw:
        return ""
    name = _pick(_parts(raw), year).name
    return "" if name in _GENERIC_PREFECTURES or "直辖" in name else name


def lookup(code6: str, year: int | None = None) -> Region | None:
    """Name a six-digit region code; None when the province part is not a real province."""
    province = PROVINCES.get(code6[:2])
    if province is None:
        return None
    if code6[2:] == "0000":
        return Region(code6, province, province, True)
    raw = _county_raw(code6)
    parts = _parts(raw) if raw else []
    chosen = _pick(parts, year) if parts else None
    # Name the prefecture as of the birth year only when the county's own history put the
    # number there; otherwise use today's name (the number was issued later, under it).
    dated = chosen is not None and _in_use(chosen, year) and (chosen.start or chosen.end) is not None
    prefecture = _prefecture(code6, year if dated else None)
    if chosen is None:
        return Region(code6, province, province + prefecture, False,
                      [f"地区码 {code6} 未在行政区划表中找到（省份：{province}）"])
    warnings = []
    if year is not None and all(p.end is not None and p.end < year for p in parts):
        last = max(p.end for p in parts)
        warnings.append(f"地区码 {code6}（{chosen.name}）在行政区划表中 {last} 年后已不再使用，"
                        f"早于出生年份 {year}，请核对")
    county = "" if chosen.name == prefecture else chosen.name
    return Region(code6, province, province + prefecture + county, True, warnings)
