"""Checks for the numbers a 通办 window reads off documents: IDs, credit codes, permits, phones, mail.

Every checker takes whatever the clerk typed or OCR read (None, full-width digits,
spaces, dashes, lower-case x, emoji ...) and returns an ``IdCheck``; none of them
raises. Everything here is pure and may be called from any thread.

Policy where python-stdnum is stricter than a window can be: see ``regions`` (region
codes newer than the birth year are valid) and ``credit_code`` (letters as the
registering authority).
"""
from __future__ import annotations

import re

from forms.errors import InvalidInput
from forms.identifiers.base import IdCheck, as_text, clean, fail, never_raises, nfkc
from forms.identifiers.citizen import (
    RESIDENCE_PERMIT_REGIONS, birth_date_error, check_residence_permit, check_resident_id, mask_id,
    resident_id_check_char,
)
from forms.identifiers.credit_code import check_uscc, uscc_check_char
from forms.identifiers.phone import check_landline, check_mobile
from forms.identifiers.postal import check_postcode, check_tracking, s10_check_digit
from forms.identifiers.travel import (
    HK_MACAU, MAINLAND_TRAVEL, TAIWAN, check_hk_macau_permit, check_mainland_travel_permit, check_passport,
    check_permit, check_taiwan_permit, cn_passport_type,
)

__all__ = [
    "IdCheck", "KINDS", "KIND_LABELS", "check", "detect_kind", "check_resident_id", "check_uscc",
    "check_tracking", "check_mobile", "check_landline", "check_postcode", "check_passport", "check_permit",
    "check_hk_macau_permit", "check_taiwan_permit", "check_mainland_travel_permit", "check_residence_permit",
    "s10_check_digit", "resident_id_check_char", "uscc_check_char", "mask_id", "birth_date_error", "clean",
]

KIND_LABELS = {
    "resident_id": "居民身份证号码",
    "uscc": "统一社会信用代码",
    "tracking": "邮件号",
    "mobile": "手机号码",
    "landline": "固定电话",
    "postcode": "邮政编码",
    "passport": "护照号码",
    "permit": "通行证或居住证号码",
    "hk_macau_permit": "港澳居民来往内地通行证号码",
    "taiwan_permit": "台湾居民来往大陆通行证号码",
    "mainland_travel_permit": "往来港澳（台）通行证号码",
    "residence_permit": "港澳台居民居住证号码",
}
KINDS = tuple(KIND_LABELS)

_CHECKERS = {
    "resident_id": check_resident_id, "uscc": check_uscc, "tracking": check_tracking,
    "mobile": check_mobile, "landline": check_landline, "postcode": check_postcode,
    "passport": check_passport, "permit": check_permit, "hk_macau_permit": check_hk_macau_permit,
    "taiwan_permit": check_taiwan_permit, "mainland_travel_permit": check_mainland_travel_permit,
    "residence_permit": check_residence_permit,
}


# 0534-2345678, (010) 6234 5678, 010-62345678-801: the dashes mark a landline
_WRITTEN_LANDLINE = re.compile(r"^\(?0[1-9][0-9]{1,2}\)?[\s-]*[0-9]{3,4}[\s-]?[0-9]{4}(?:[\s-]+[0-9]{1,6})?$")


def _looks_like_resident_id(n: str) -> bool:
    if n[17] == resident_id_check_char(n[:17]):
        return True
    return birth_date_error(n[6:14]) is None


def _detect_18(n: str) -> str | None:
    if re.fullmatch(r"[0-9]{17}[0-9X]", n):
        if n[:6] in RESIDENCE_PERMIT_REGIONS:
            return "residence_permit"
        if _looks_like_resident_id(n):
            return "resident_id"
        if uscc_check_char(n[:17]) == n[17]:
            return "uscc"
        return "resident_id"
    if re.fullmatch(r"[0-9A-Z]{2}[0-9]{6}[0-9A-Z]{10}", n):
        return "uscc"
    return None


def _detect(raw: str) -> str | None:
    n = clean(raw)
    if not n:
        return None
    if re.fullmatch(r"(?:\+?86|0086)?1[3-9][0-9]{9}", n):
        return "mobile"
    if re.search(r"转|分机", raw) or _WRITTEN_LANDLINE.match(nfkc(raw)):
        return "landline"
    if len(n) == 18:
        return _detect_18(n)
    if re.fullmatch(r"[0-9]{15}", n):
        return "resident_id"
    if re.fullmatch(r"[A-Z]{2}[0-9]{9}[A-Z]{2}", n) or re.fullmatch(r"[1-9][0-9]{12}", n):
        return "tracking"
    if re.fullmatch(r"[0-9]{6}", n):
        return "postcode"
    if re.fullmatch(r"(?:\+86|0086)?0[0-9]{9,11}|(?:\+86|0086)[1-9][0-9]{8,10}|[48]00[0-9]{7}", n):
        return "landline"
    permit = re.sub(r"[()\[\]]", "", n)    # H12345678(01): older permits print an issue count
    if HK_MACAU.match(permit):
        return "hk_macau_permit"
    if any(p.match(permit) for p, _ in MAINLAND_TRAVEL):
        return "mainland_travel_permit"
    if TAIWAN.match(permit):
        return "taiwan_permit"
    if cn_passport_type(n) or (re.fullmatch(r"[0-9A-Z]{5,17}", n) and re.search(r"[A-Z]", n)
                               and re.search(r"[0-9]", n)):
        return "passport"
    return None


def detect_kind(value) -> str | None:
    """Guess which kind of number this is (one of KINDS), or None; never raises."""
    try:
        return _detect(as_text(value))
    except Exception:   # detection is a convenience; failing it must not fail the caller
        return None


def check(value, kind: str | None = None) -> IdCheck:
    """Check ``value`` as ``kind`` (one of KINDS); the kind is detected when None."""
    if kind is not None and kind not in _CHECKERS:
        raise InvalidInput(f"不支持的号码类型：{kind}")
    return _check(value, kind)


@never_raises("")
def _check(value, kind: str | None) -> IdCheck:
    if kind is None:
        kind = detect_kind(value)
        if kind is None:
            reason = "无法识别号码类型，请选择号码类型后再核对" if clean(value) else "号码为空"
            return fail("", value, reason)
    return _CHECKERS[kind](value)
