"""Mainland phone numbers: mobiles (11 digits, 1[3-9]) and landlines (area code + 7–8 digits).

Three-digit area codes are exactly 010 and 020–029; every other area code has four
digits (03xx–09xx). Local numbers start with 2–9, and are 8 digits after a
three-digit area code, 7 or 8 after a four-digit one.
"""
from __future__ import annotations

import re

from forms.identifiers.base import IdCheck, bad_chars, clean, fail, invalid_chars_error, never_raises, nfkc, ok

_COUNTRY_PREFIX = re.compile(r"^(?:\(\+?86\)|\+86|0086)")
_EXTENSION = re.compile(r"(?:转|分机|EXT\.?|X|#|,)\s*([0-9]{1,6})$")


def _strip_country(n: str) -> tuple[str, bool]:
    m = _COUNTRY_PREFIX.match(n)
    return (n[m.end():], True) if m else (n, False)


@never_raises("mobile")
def check_mobile(value) -> IdCheck:
    """Check a mobile number; +86 / 0086 prefixes are accepted and dropped."""
    kind = "mobile"
    n, _ = _strip_country(clean(value))
    if len(n) == 13 and n.startswith("861"):
        n = n[2:]
    if not n:
        return fail(kind, value, "号码为空")
    junk = bad_chars(n, "[0-9]")
    if junk:
        return fail(kind, value, f"手机号码只能包含数字，{invalid_chars_error(junk)}")
    if n.startswith("0"):
        return fail(kind, value, "以 0 开头的不是手机号码（固定电话要带区号，手机号码前不加 0）")
    if len(n) != 11:
        return fail(kind, value, f"手机号码应为11位，当前为{len(n)}位")
    if not re.fullmatch(r"1[3-9][0-9]{9}", n):
        return fail(kind, value, "手机号码应以 13 至 19 开头")
    return ok(kind, value, n)


def _split(digits: str) -> tuple[str, str]:
    area_len = 3 if digits[1] in "12" else 4
    return digits[:area_len], digits[area_len:]


def _landline_error(area: str, local: str) -> str | None:
    if area[1] == "0":
        return "区号不能以 00 开头（00 是国际长途前缀）"
    if area[1] == "1" and area != "010":
        return f"区号 {area} 不存在（以 01 开头的区号只有 010）"
    if local[:1] in ("0", "1"):
        return "本地号码不能以 0 或 1 开头"
    if len(area) == 3 and len(local) != 8:
        return f"区号 {area} 的本地号码应为8位，当前为{len(local)}位"
    if len(area) == 4 and len(local) not in (7, 8):
        return f"区号 {area} 的本地号码应为7位或8位，当前为{len(local)}位"
    return None


def _parse_landline(text: str) -> tuple[str | None, str | None, str | None, str | None]:
    """(area, local, extension, error) from text already free of country prefix and extension words."""
    groups = re.findall(r"[0-9]+", text)
    digits = "".join(groups)
    if not digits.startswith("0"):
        return None, None, None, "缺少区号：固定电话应写作“区号-号码”，如 0534-2345678"
    if len(digits) < 2:
        return None, None, None, "固定电话号码太短"
    area, local = _split(digits)
    if len(groups) > 1 and len(groups[0]) <= 4 and groups[0] != area:
        return None, None, None, f"区号 {groups[0]} 无效"
    error = _landline_error(area, local)
    ext = None
    if error and len(groups) >= 3 and len(groups[-1]) <= 6:
        # "010-12345678-801": a trailing dash group is an extension when the rest is a number
        rest = "".join(groups[:-1])
        r_area, r_local = _split(rest)
        if _landline_error(r_area, r_local) is None:
            area, local, ext, error = r_area, r_local, groups[-1], None
    return area, local, ext, error


@never_raises("landline")
def check_landline(value) -> IdCheck:
    """Check a landline: 0534-2345678, (010)62345678, 010-62345678转801; also 400/800 numbers."""
    kind = "landline"
    text = nfkc(value).upper()
    if not text:
        return fail(kind, value, "号码为空")
    ext = None
    m = _EXTENSION.search(text)
    if m:
        ext, text = m.group(1), text[:m.start()]
    text, had_country = _strip_country(re.sub(r"\s+", "", text))
    junk = bad_chars(text, r"[0-9()\-]")
    if junk:
        return fail(kind, value, invalid_chars_error(junk))
    digits = re.sub(r"[^0-9]", "", text)
    if re.fullmatch(r"[48]00[0-9]{7}", digits):
        normalized = f"{digits[:3]}-{digits[3:6]}-{digits[6:]}" + (f"-{ext}" if ext else "")
        return ok(kind, value, normalized, {"area_code": None, "local_number": digits, "extension": ext,
                                            "service": f"{digits[:3]} 企业服务号码"})
    if had_country and digits and not digits.startswith("0"):
        text = "0" + text   # +86 10 12345678 → 010 12345678
    if re.fullmatch(r"1[3-9][0-9]{9}", digits):
        return fail(kind, value, "这是手机号码，不是固定电话")
    area, local, dash_ext, error = _parse_landline(text)
    if error:
        return fail(kind, value, error)
    ext = ext or dash_ext
    normalized = f"{area}-{local}" + (f"-{ext}" if ext else "")
    return ok(kind, value, normalized, {"area_code": area, "local_number": local, "extension": ext})
