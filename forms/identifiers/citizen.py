"""公民身份号码 (GB 11643-1999): resident ID cards and the 港澳台居民居住证 that share its format.

The check digit comes from python-stdnum (stdnum.cn.ric); the policy around it is ours:
a region code newer than the birth year, or abolished since, is valid; an unknown
county in a real province is a warning; an unknown province is invalid. Errors never
reveal the expected check digit (it would help forge numbers).
"""
from __future__ import annotations

import re
from datetime import date

from forms import clock
from forms.errors import InvalidIdentifier
from forms.identifiers import regions
from forms.identifiers.base import (
    IdCheck, bad_chars, clean, fail, invalid_chars_error, never_raises, ok,
)

# 港澳台居民居住证 numbers start with these codes instead of a county (国办发〔2018〕81号).
RESIDENCE_PERMIT_REGIONS = {"810000": "香港", "820000": "澳门", "830000": "台湾"}

_DIGITS17 = re.compile(r"^[0-9]{17}$")


def resident_id_check_char(seventeen: str) -> str:
    """The GB 11643 check character ('0'–'9' or 'X') for the first 17 digits."""
    digits = clean(seventeen)
    if not _DIGITS17.match(digits):
        raise InvalidIdentifier("计算身份证校验码需要17位数字")
    from stdnum.cn import ric
    return ric.calc_check_digit(digits + "0")   # stdnum expects the number with a check slot


def birth_date_error(yyyymmdd: str, today: date | None = None) -> str | None:
    """Chinese reason why an 8-digit birth date cannot be right, or None when it can."""
    if not re.fullmatch(r"[0-9]{8}", yyyymmdd or ""):
        return "出生日期应为8位数字"
    y, m, d = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:])
    shown = f"{yyyymmdd[:4]}年{yyyymmdd[4:6]}月{yyyymmdd[6:]}日"
    try:
        born = date(y, m, d)
    except ValueError:
        return f"出生日期 {shown} 不存在"
    if born.year < 1900:
        return f"出生日期 {shown} 早于1900年"
    if born > (today or clock.today()):
        return f"出生日期 {shown} 晚于今天"
    return None


def _info(number: str, region: regions.Region) -> dict:
    return {"birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
            "sex": "男" if int(number[16]) % 2 else "女",
            "region_code": number[:6], "region": region.name, "province": region.province}


def _structure_error(n: str, label: str) -> str | None:
    if not n:
        return "号码为空"
    junk = bad_chars(n)
    if junk:
        return invalid_chars_error(junk)
    if len(n) != 18:
        return f"{label}应为18位，当前为{len(n)}位"
    if not _DIGITS17.match(n[:17]):
        return f"{label}前17位应全部为数字"
    if n[17] not in "0123456789X":
        return f"{label}第18位应为数字或 X"
    return None


def _residence_permit(value, n: str, via_resident_id: bool = False) -> IdCheck:
    kind = "residence_permit"
    error = _structure_error(n, "居住证号码")
    if error:
        return fail(kind, value, error)
    place = RESIDENCE_PERMIT_REGIONS.get(n[:6])
    if place is None:
        return fail(kind, value, "港澳台居民居住证号码应以 810000（香港）、820000（澳门）或 830000（台湾）开头")
    error = birth_date_error(n[6:14])
    if error:
        return fail(kind, value, error)
    if n[17] != resident_id_check_char(n[:17]):
        return fail(kind, value, "校验码不正确")
    region = regions.Region(n[:6], place, place, True)
    info = _info(n, region) | {"permit": "港澳台居民居住证"}
    notes = [f"此号码为港澳台居民居住证号码（{place}），不是居民身份证号码"] if via_resident_id else []
    return ok(kind, value, n, info, notes)


def _old_fifteen(value, n: str) -> IdCheck:
    kind = "resident_id"
    if not re.fullmatch(r"[0-9]{15}", n):
        return fail(kind, value, "旧版15位身份证号码应全部为数字")
    region = regions.lookup(n[:6], 1900 + int(n[6:8]))
    if region is None:
        return fail(kind, value, f"地区码 {n[:6]} 无效：省级代码 {n[:2]} 不存在")
    error = birth_date_error("19" + n[6:12])
    if error:
        return fail(kind, value, error)
    seventeen = n[:6] + "19" + n[6:]
    converted = seventeen + resident_id_check_char(seventeen)
    info = _info(converted, region) | {"converted_18": converted}
    return fail(kind, value,
                f"这是旧版15位身份证号码（第一代身份证，已停止使用），对应的18位号码为 {converted}，请核对现行证件后录入",
                normalized=n, info=info, warnings=region.warnings)


@never_raises("resident_id")
def check_resident_id(value) -> IdCheck:
    """Check a 居民身份证 number (18 digits; 15-digit old numbers are explained and converted)."""
    kind = "resident_id"
    n = clean(value)
    if len(n) == 15:
        return _old_fifteen(value, n)
    error = _structure_error(n, "身份证号码")
    if error:
        return fail(kind, value, error)
    if n[:6] in RESIDENCE_PERMIT_REGIONS:
        return _residence_permit(value, n, via_resident_id=True)
    region = regions.lookup(n[:6], int(n[6:10]))
    if region is None:
        return fail(kind, value, f"地区码 {n[:6]} 无效：省级代码 {n[:2]} 不存在")
    error = birth_date_error(n[6:14])
    if error:
        return fail(kind, value, error)
    if n[17] != resident_id_check_char(n[:17]):
        return fail(kind, value, "校验码不正确")
    return ok(kind, value, n, _info(n, region), region.warnings)


@never_raises("residence_permit")
def check_residence_permit(value) -> IdCheck:
    """Check a 港澳台居民居住证 number (18 digits starting 810000/820000/830000)."""
    return _residence_permit(value, clean(value))


def mask_id(number) -> str:
    """Mask a number for documents: 18-digit IDs keep the first 6 and last 4 (371402********1234)."""
    try:
        n = clean(number)
    except Exception:  # masking is for display; it must never fail a print job
        return ""
    size = len(n)
    if size >= 15:
        head, tail = 6, 4
    elif size >= 11:
        head, tail = 3, 4
    elif size >= 6:
        head, tail = 2, 2
    else:
        return "*" * size
    return n[:head] + "*" * (size - head - tail) + n[-tail:]
