"""Personal data kept out of log lines: ID and passport numbers, phones, names, addresses.

``redact(text)`` masks what has a shape (18- and 15-digit resident IDs, passports and
permits, mainland mobiles, landlines with an area code) and every string the service
layer registered with ``remember(...)`` (applicant and agent names, addresses), which
have none. 统一社会信用代码 are public and stay whole. ``RedactingFormatter`` applies
it to the finished log line: message, arguments, traceback and stack alike, since a
traceback is formatted only after every filter has run.

``mask_id``, ``mask_phone`` and ``mask_name`` are the display forms for documents and
windows. Everything here is pure or guarded by one lock: any thread may call it.
"""
from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict

from forms.identifiers import check_landline, check_mobile, mask_id

__all__ = ["remember", "forget_all", "redact", "mask_id", "mask_phone", "mask_name",
           "RedactingFormatter"]

MAX_REMEMBERED = 10_000

# 6 region digits, a date-shaped birth date (loose: a typo in the date is still an ID),
# 3 digits and a check character. A 统一社会信用代码 almost always has letters or no
# date in that place, so it is left alone.
_RESIDENT_ID = re.compile(r"(?<!\d)(\d{6})((?:18|19|20)\d{2}[01]\d[0-3]\d\d{3})([\dXx])(?!\d)")
_OLD_ID = re.compile(r"(?<!\d)(\d{6})(\d{2}[01]\d[0-3]\d\d{3})(?!\d)")
# Passports (E/G + 8, E + letter + 7, DE/SE/PE + 7 ...), 往来港澳通行证 (C/W/L ...),
# 回乡证 (H/M + 8 or 10): one or two letters and 7-8 digits, or H/M and 10 digits.
_PASSPORT = re.compile(r"(?<![0-9A-Za-z])(?:[A-Za-z]{1,2}\d{7,8}|[HMhm]\d{10})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)((?:\+86|0086|86)[-\s]?)?(1[3-9]\d)[-\s]?\d{4}[-\s]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(\(?0\d{2,3}\)?[-\s]?)([2-9]\d{2,3})(\d{4})(?!\d)")

_lock = threading.Lock()
_remembered: OrderedDict[str, None] = OrderedDict()     # least recently seen first
_by_start: dict[str, list[str]] = {}                    # first two characters -> values, longest first


def remember(*values) -> None:
    """Register personal strings (names, addresses) to be masked in logs; keeps the last 10,000."""
    with _lock:
        for value in values:
            if not isinstance(value, str):
                continue
            value = value.strip()
            if len(value) < 2:
                continue
            if value in _remembered:
                _remembered.move_to_end(value)
                continue
            _remembered[value] = None
            bucket = _by_start.setdefault(value[:2], [])
            bucket.append(value)
            bucket.sort(key=len, reverse=True)
            if len(_remembered) > MAX_REMEMBERED:
                _drop(_remembered.popitem(last=False)[0])


def _drop(value: str) -> None:
    bucket = _by_start[value[:2]]
    bucket.remove(value)
    if not bucket:
        del _by_start[value[:2]]


def forget_all() -> None:
    """Drop every remembered value (a clerk logs out; tests)."""
    with _lock:
        _remembered.clear()
        _by_start.clear()


def mask_name(name) -> str:
    """A name or address as shown masked: its first character, then one * per other (张𪚥 → 张*)."""
    text = str(name or "")
    return text[:1] + "*" * (len(text) - 1)


def mask_phone(number) -> str:
    """A phone for display: mobiles keep 3 + 4 digits (138****5678), landlines the area code
    and the last 4 (0531-****1234); anything else as mask_id does. Never raises."""
    mobile = check_mobile(number)
    if mobile.valid:
        n = mobile.normalized
        return n[:3] + "****" + n[-4:]
    landline = check_landline(number)
    area, local = landline.info.get("area_code"), landline.info.get("local_number")
    if landline.valid and area and local:
        return f"{area}-" + "*" * (len(local) - 4) + local[-4:]
    return mask_id(number)


def _keep(text: str, head: int, tail: int) -> str:
    return text[:head] + "*" * (len(text) - head - tail) + text[len(text) - tail:]


def _mask_remembered(text: str) -> str:
    with _lock:
        if not _by_start:
            return text
        parts, start, i, end = [], 0, 0, len(text) - 1
        while i < end:
            bucket = _by_start.get(text[i:i + 2])
            hit = next((v for v in bucket if text.startswith(v, i)), None) if bucket else None
            if hit is None:
                i += 1
                continue
            parts += (text[start:i], mask_name(hit))
            i = start = i + len(hit)
    return "".join(parts) + text[start:] if parts else text


def redact(text) -> str:
    """``text`` with ID, passport and phone numbers and remembered names masked; never raises."""
    text = _mask_remembered(text if isinstance(text, str) else str(text))
    text = _RESIDENT_ID.sub(lambda m: m[1] + "*" * 8 + m[2][-3:] + m[3], text)
    text = _OLD_ID.sub(lambda m: m[1] + "*" * 5 + m[2][-4:], text)
    text = _PASSPORT.sub(lambda m: _keep(m[0], 2, 2), text)
    text = _MOBILE.sub(lambda m: (m[1] or "") + m[2] + "****" + m[3], text)
    return _LANDLINE.sub(lambda m: m[1] + "*" * len(m[2]) + m[3], text)


class RedactingFormatter(logging.Formatter):
    """A Formatter whose finished line (message, arguments, traceback, stack) is redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
