"""Fields read from OCR text, check-digit repair, and cross-checks against what the clerk typed.

Document kinds: resident ID card fronts, business licences, household register
pages (户口簿), and any page for ID numbers, credit codes and phone numbers.
An OCR confusion (O/0, I/1, Z/2, S/5, B/8) is repaired only where the position
must be a digit and only when the check character then passes; the raw text is
kept in ``corrected_from``.
"""
from __future__ import annotations

import datetime as dt
import re

from forms import identifiers
from forms.ocrdata import OcrField, OcrWord

from .ocr import build_text

KIND_LABELS = {
    "name": "姓名", "sex": "性别", "ethnicity": "民族", "birth_date": "出生日期",
    "address": "住址", "id_number": "公民身份号码", "uscc": "统一社会信用代码",
    "company_name": "名称", "legal_representative": "法定代表人",
    "established_date": "成立日期", "relation": "与户主关系", "phone": "电话号码",
}

# Labels as printed; any of them also ends the value of the one before it.
_LABELS = {
    "name": r"(?<!户主)(?<!曾用)姓名",
    "sex": r"性别",
    "ethnicity": r"民族",
    "birth_date": r"出生(?:日期)?(?!地)",
    "address": r"住址|住所",
    "id_number": r"公民身份(?:号码|证件编号)|身份证(?:号码|号)",
    "relation": r"户主或与户主关系|与户主关系",
    "company_name": r"(?<![^\n])(?:企业)?名称",
    "uscc": r"统一社会信用代码",
    "legal_representative": r"法定代表人|负责人|经营者|执行事务合伙人|投资人",
    "established_date": r"成立日期|注册日期",
}
_STOP_ONLY = r"类型|注册资本|出资额|经营范围|营业期限|出生地|籍贯|宗教信仰|曾用名|文化程度|婚姻状况|兵役状况|服务处所|职业|身高|血型|登记日期|签发机关|有效期限|户别|户号"
_ANY_LABEL = re.compile("|".join(f"(?:{p})" for p in list(_LABELS.values()) + [_STOP_ONLY]))
_SEPARATORS = " \t:：;；,，.。、|“”\"'‘’"

_DATE = re.compile(r"(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?")
_CJK_NAME = re.compile(r"[\u3400-\u9fff·•]{1,20}")
_TOKEN18 = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z×]{18}(?![0-9A-Za-z])")
# Tesseract sometimes splits a number printed in a wide font: "1 1010119900307109X".
_SPACED18 = re.compile(r"(?<![0-9A-Za-z])(?:[0-9A-Za-z×] ?){17}[0-9A-Za-z×](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])0\d{2,3}-\d{7,8}(?![0-9])")

# Letters Tesseract reads where a digit is printed.
_AS_DIGIT = {"O": "0", "o": "0", "Q": "0", "D": "0", "I": "1", "l": "1",
             "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8"}
_USCC_ALPHABET = set("0123456789ABCDEFGHJKLMNPQRTUWXY")


def valid_resident_id(value: str) -> bool:
    """GB 11643 check character and birth date pass, with the window's region policy."""
    return identifiers.check_resident_id(value).valid


def valid_uscc(value: str) -> bool:
    """GB 32100 check character passes."""
    return identifiers.check_uscc(value).valid


class _Page:
    """The OCR text with, for every character, the word box it came from."""

    def __init__(self, words: list[OcrWord]):
        self.words = words
        self.text, self.owners = build_text(words)

    def box(self, start: int, end: int):
        owners = {self.owners[i] for i in range(start, end) if self.owners[i] >= 0}
        if not owners:
            return None
        boxes = [self.words[i] for i in owners]
        left = min(w.left for w in boxes)
        top = min(w.top for w in boxes)
        right = max(w.left + w.width for w in boxes)
        bottom = max(w.top + w.height for w in boxes)
        return (left, top, right - left, bottom - top)


def _value_after(page: _Page, kind: str, multiline: bool = False):
    """(value, start, end) of the text after the label of `kind` up to the next label."""
    match = re.search(_LABELS[kind], page.text)
    if not match:
        return None
    start = match.end()
    text = page.text
    while start < len(text) and text[start] in _SEPARATORS:
        start += 1
    limit = len(text) if multiline else (text.find("\n", start) if "\n" in text[start:] else len(text))
    following = _ANY_LABEL.search(text, start, limit)
    end = following.start() if following else limit
    while end > start and text[end - 1] in _SEPARATORS + "\n":
        end -= 1
    if end <= start:
        return None
    return text[start:end], start, end


def iso_date(text: str) -> str | None:
    """"1990年1月2日", "1990.01.02", "1990-1-2" or "19900102" as "1990-01-02"; None if no date."""
    text = (text or "").strip()
    match = _DATE.search(text)
    if match:
        y, m, d = (int(g) for g in match.groups())
    elif re.fullmatch(r"\d{8}", text):
        y, m, d = int(text[:4]), int(text[4:6]), int(text[6:])
    else:
        return None
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _field(page: _Page, kind: str, value: str, start: int, end: int, valid=None, corrected_from=None):
    return OcrField(kind=kind, value=value, valid=valid, box=page.box(start, end),
                    corrected_from=corrected_from)


def _labelled_fields(page: _Page, doc: str) -> list[OcrField]:
    fields = []

    def add_name(kind):
        found = _value_after(page, kind)
        if found:
            match = _CJK_NAME.search(found[0])
            if match:
                s = found[1] + match.start()
                fields.append(_field(page, kind, match.group().replace("•", "·"), s, s + len(match.group())))

    def add_date(kind):
        found = _value_after(page, kind)
        if found:
            match = _DATE.search(found[0])
            value = iso_date(match.group()) if match else None
            if value:
                s = found[1] + match.start()
                fields.append(_field(page, kind, value, s, s + len(match.group())))

    if doc in ("id_card", "household"):
        add_name("name")
        found = _value_after(page, "sex")
        if found and found[0][0] in "男女":
            fields.append(_field(page, "sex", found[0][0], found[1], found[1] + 1))
        add_name("ethnicity")
        add_date("birth_date")
    if doc == "id_card":
        found = _value_after(page, "address", multiline=True)
        if found:
            fields.append(_field(page, "address", re.sub(r"\s+", "", found[0]), found[1], found[2]))
    if doc == "household":
        add_name("relation")
    if doc == "licence":
        found = _value_after(page, "company_name") or _company_by_suffix(page)
        if found:
            fields.append(_field(page, "company_name", re.sub(r"\s+", "", found[0]), found[1], found[2]))
        add_name("legal_representative")
        add_date("established_date")
    return fields


_COMPANY = re.compile(r"[\u4e00-\u9fff（）()]{2,40}?(?:有限责任公司|股份有限公司|有限公司|分公司|"
                      r"合伙企业|合作社|个人独资企业)")


def _company_by_suffix(page: _Page):
    """When the 名称 label is misread: the first run of Chinese ending like a firm's name."""
    for match in _COMPANY.finditer(page.text):
        if not _ANY_LABEL.match(match.group()):
            return match.group(), match.start(), match.end()
    return None


def document_kind(text: str) -> str:
    """"licence", "household", "id_card" or "generic", judged by the labels on the page."""
    if "营业执照" in text or "统一社会信用代码" in text:
        return "licence"
    if "户主" in text or "常住人口登记卡" in text or "户口簿" in text:
        return "household"
    if re.search(_LABELS["id_number"], text) and ("姓名" in text or "住址" in text):
        return "id_card"
    return "generic"


def repair_identifier(raw: str) -> tuple[str, str | None, bool]:
    """(kind, value, valid) for an 18-character token: "id_number", "uscc" or "" if neither.

    The value is repaired only when the repaired form passes its check; otherwise it is
    the token as read (upper-cased) with valid False.
    """
    upper = raw.replace("×", "X")
    if valid_resident_id(upper.upper()):
        return "id_number", upper.upper(), True
    if valid_uscc(upper.upper()):
        return "uscc", upper.upper(), True
    # Resident ID: 17 digits and a digit or X.
    body = "".join(_AS_DIGIT.get(c, c) for c in upper[:17])
    last = "X" if upper[17] in "Xx" else _AS_DIGIT.get(upper[17], upper[17])
    candidate = body + last
    if valid_resident_id(candidate):
        return "id_number", candidate, True
    # Credit code: positions 1-8 are digits, and I, O, Z, S, V never occur.
    code = upper.upper()
    code = "".join(_AS_DIGIT.get(c, c) for c in code[:8]) + "".join(
        _AS_DIGIT.get(c, c) if c not in _USCC_ALPHABET else c for c in code[8:])
    if valid_uscc(code):
        return "uscc", code, True
    # Nothing passes: report what was read, unrepaired, as the kind it most resembles.
    raw_upper = upper.upper()
    digits = sum(c.isdigit() for c in raw_upper[:17])
    if digits >= 15 and candidate[:17].isdigit():
        return "id_number", raw_upper, False
    if digits >= 10 and all(c in _USCC_ALPHABET for c in code):
        return "uscc", raw_upper, False
    return "", None, False


def _identifier_fields(page: _Page) -> list[OcrField]:
    fields = []
    for match in _TOKEN18.finditer(page.text):
        raw = match.group()
        kind, value, valid = repair_identifier(raw)
        if not kind:
            continue
        corrected = raw if valid and value != raw.upper().replace("×", "X") else None
        fields.append(_field(page, kind, value, match.start(), match.end(), valid, corrected))
    for match in _SPACED18.finditer(page.text):
        if " " not in match.group():
            continue
        raw = match.group().replace(" ", "")
        kind, value, valid = repair_identifier(raw)
        if valid:      # spaces joined on a guess: only a passing check makes it a number
            corrected = raw if value != raw.upper().replace("×", "X") else None
            fields.append(_field(page, kind, value, match.start(), match.end(), valid, corrected))
    return fields


def _phone_fields(page: _Page) -> list[OcrField]:
    fields = []
    for pattern in (_MOBILE, _LANDLINE):
        for match in pattern.finditer(page.text):
            value = re.sub(r"[ ]", "", match.group())
            fields.append(_field(page, "phone", value, match.start(), match.end()))
    return fields


def extract_fields(words: list[OcrWord]) -> list[OcrField]:
    """Fields found on one page, labelled ones first, each with its box; no duplicates."""
    page = _Page(words)
    doc = document_kind(page.text)
    fields = _labelled_fields(page, doc) + _identifier_fields(page) + _phone_fields(page)
    seen, unique = set(), []
    for f in fields:
        if (f.kind, f.value) not in seen:
            seen.add((f.kind, f.value))
            unique.append(f)
    return unique


def mask(kind: str, value: str) -> str:
    """The value as shown in a warning: ID numbers as "3714…1234", others whole."""
    if kind == "id_number" and len(value) > 8:
        return f"{value[:4]}…{value[-4:]}"
    return value


def _where(page_label: str, field: OcrField) -> str:
    if field.box is None:
        return page_label
    return f"{page_label} (x={field.box[0]}, y={field.box[1]})"


def field_warnings(fields: list[OcrField], page_label: str) -> list[str]:
    """Warnings about the page itself: numbers failing their check, birth date vs ID number."""
    warnings = []
    for f in fields:
        if f.kind in ("id_number", "uscc") and f.valid is False:
            warnings.append(f"{_where(page_label, f)}：识别到的{KIND_LABELS[f.kind]} "
                            f"{mask(f.kind, f.value)} 未通过校验，请人工核对")
    births = [f for f in fields if f.kind == "birth_date"]
    ids = [f for f in fields if f.kind == "id_number" and f.valid]
    if len(births) == 1 and len(ids) == 1:
        from_id = iso_date(ids[0].value[6:14])
        if from_id and from_id != births[0].value:
            warnings.append(f"{_where(page_label, births[0])}：证件上的出生日期 {births[0].value} "
                            f"与公民身份号码中的 {from_id} 不一致")
    return warnings


def _normalise(kind: str, value) -> str:
    text = str(value or "").strip()
    if kind in ("birth_date", "established_date"):
        return iso_date(text) or re.sub(r"\s+", "", text)
    if kind in ("id_number", "uscc"):
        return re.sub(r"[\s-]", "", text).upper()
    if kind == "phone":
        digits = re.sub(r"\D", "", text)
        return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits
    return re.sub(r"\s+", "", text).replace("•", "·").replace("・", "·")


def cross_check(fields: list[OcrField], typed: dict, page_label: str) -> list[str]:
    """Chinese warnings for every typed value the page contradicts, naming page and box.

    ``typed`` maps kinds ("name", "id_number", "uscc", "birth_date", ...) to what the
    clerk entered. A kind the page does not show gives no warning; a number that
    failed its own check is left to ``field_warnings``.
    """
    warnings = []
    for kind, entered in typed.items():
        if not entered:
            continue
        found = [f for f in fields if f.kind == kind and f.valid is not False]
        if not found:
            continue
        wanted = _normalise(kind, entered)
        if any(_normalise(kind, f.value) == wanted for f in found):
            continue
        first = found[0]
        label = KIND_LABELS.get(kind, kind)
        warnings.append(f"{_where(page_label, first)}：证件上的{label} {mask(kind, first.value)} 与录入的不一致")
    return warnings
