"""Passports and the travel permits between the mainland, Hong Kong, Macau and Taiwan.

None of these has a published check digit, so they are checked by format only, and
generously where the format changed over the years (booklets → cards, numbers that ran
out and gained a letter, an issue-count suffix on older permits).
"""
from __future__ import annotations

import re

from forms.identifiers.base import IdCheck, cleaned_or_failure, bad_chars, clean, fail, invalid_chars_error, never_raises, ok
from forms.identifiers.citizen import RESIDENCE_PERMIT_REGIONS, check_residence_permit

# Chinese (PRC) passports. Ordinary passports: G + 8 digits (2006–2012 booklets),
# E + 8 digits (e-passports from 2012), E + a letter other than I/O + 7 digits once
# the E-numbers ran out (EA1234567). Diplomatic/service passports: DE/SE/PE + 7 digits.
_CN_PASSPORTS = (
    (re.compile(r"^[EG][0-9]{8}$"), "普通护照"),
    (re.compile(r"^E[A-HJ-NP-Z][0-9]{7}$"), "普通护照"),
    (re.compile(r"^DE[0-9]{7}$"), "外交护照"),
    (re.compile(r"^SE[0-9]{7}$"), "公务护照"),
    (re.compile(r"^PE[0-9]{7}$"), "公务普通护照"),
)
CN_PASSPORT_FORMAT = "中国护照号码应为 E 或 G 加8位数字，或 E 加一个字母（不含 I、O）再加7位数字"

HK_MACAU = re.compile(r"^([HM])[0-9]{8}(?:[0-9]{2})?$")          # 回乡证: card H/M + 8, booklet + 2 more
TAIWAN = re.compile(r"^[0-9]{8}(?:[0-9]{2})?(?:[A-Z])?$")          # 台胞证: card 8 digits, older 10 (+ letter)
MAINLAND_TRAVEL = (
    (re.compile(r"^C[0-9A-HJ-NP-Z][0-9]{7}$"), "往来港澳通行证"),      # card since 2014 (C + 8, then C + letter + 7)
    (re.compile(r"^W[0-9]{8}$"), "往来港澳通行证（旧版本式）"),
    (re.compile(r"^L[0-9]{8}$"), "大陆居民往来台湾通行证"),
)


def cn_passport_type(n: str) -> str | None:
    """The PRC passport type for a cleaned number, or None when it is not a PRC format."""
    for pattern, label in _CN_PASSPORTS:
        if pattern.match(n):
            return label
    return None


@never_raises("passport")
def check_passport(value, issuer: str | None = None) -> IdCheck:
    """Check a passport number by format; issuer="CN" accepts Chinese passports only."""
    kind = "passport"
    n, failure = cleaned_or_failure(kind, value)
    if failure:
        return failure
    label = cn_passport_type(n)
    if label:
        return ok(kind, value, n, {"issuer": "CN", "passport_type": label})
    if (issuer or "").upper() == "CN":
        return fail(kind, value, CN_PASSPORT_FORMAT)
    if not 5 <= len(n) <= 17:
        return fail(kind, value, f"护照号码应为5至17位字母或数字，当前为{len(n)}位")
    if not re.search(r"[0-9]", n):
        return fail(kind, value, "护照号码应含有数字")
    warnings = []
    if n[0] in "EG" and len(n) == 9:
        warnings.append("以 E 或 G 开头但不符合中国护照号码格式；如为中国护照请核对")
    return ok(kind, value, n, {"issuer": None, "passport_type": "外国护照或其他"}, warnings)


def _permit_text(value) -> str:
    # Older permits print an issue count in brackets: H12345678(01), 12345678(01)
    return re.sub(r"[()\[\]]", "", clean(value))


@never_raises("hk_macau_permit")
def check_hk_macau_permit(value) -> IdCheck:
    """Check a 港澳居民来往内地通行证 number: H or M + 8 digits (older: + 2 more)."""
    kind = "hk_macau_permit"
    n = _permit_text(value)
    m = HK_MACAU.match(n)
    if not m:
        return fail(kind, value, "港澳居民来往内地通行证号码应为 H（香港）或 M（澳门）加8位数字（旧版为10位）")
    return ok(kind, value, n, {"permit": "港澳居民来往内地通行证", "holder_region": "香港" if m.group(1) == "H" else "澳门"})


@never_raises("taiwan_permit")
def check_taiwan_permit(value) -> IdCheck:
    """Check a 台湾居民来往大陆通行证 number: 8 digits (older: 10 digits, sometimes a letter)."""
    kind = "taiwan_permit"
    n = _permit_text(value)
    if not TAIWAN.match(n):
        return fail(kind, value, "台湾居民来往大陆通行证号码应为8位数字（旧版为10位）")
    return ok(kind, value, n, {"permit": "台湾居民来往大陆通行证", "holder_region": "台湾"})


@never_raises("mainland_travel_permit")
def check_mainland_travel_permit(value) -> IdCheck:
    """Check a 往来港澳通行证 (C + 8) or 大陆居民往来台湾通行证 (L + 8) number."""
    kind = "mainland_travel_permit"
    n = _permit_text(value)
    for pattern, label in MAINLAND_TRAVEL:
        if pattern.match(n):
            return ok(kind, value, n, {"permit": label})
    return fail(kind, value, "往来港澳通行证号码应为 C 加8位（数字，或一个字母加7位数字）；往来台湾通行证为 L 加8位数字")


@never_raises("permit")
def check_permit(value) -> IdCheck:
    """Check any of the four permits, telling which one it is from its format."""
    n = _permit_text(value)
    if not n:
        return fail("permit", value, "号码为空")
    if len(n) == 18 and n[:6] in RESIDENCE_PERMIT_REGIONS:
        return check_residence_permit(value)
    if n[0] in "HM":
        return check_hk_macau_permit(value)
    if n[0] in "CWL":
        return check_mainland_travel_permit(value)
    if n[0].isdigit() and len(n) == 18:
        return check_residence_permit(value)
    if n[0].isdigit():
        return check_taiwan_permit(value)
    junk = bad_chars(n)
    if junk:
        return fail("permit", value, invalid_chars_error(junk))
    return fail("permit", value, "无法识别的通行证或居住证号码格式")
