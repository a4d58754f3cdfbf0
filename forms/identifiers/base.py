"""The result type and the input clean-up every checker shares."""
from __future__ import annotations

import functools
import logging
import re
import unicodedata
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

# Dashes people and OCR put into numbers (after NFKC, "－" is already "-").
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−﹣_\u200b-\u200d\u2060\ufeff]+")


@dataclass
class IdCheck:
    kind: str            # see forms.identifiers.KIND_LABELS; "" when the kind could not be told
    value: str           # as given
    valid: bool
    normalized: str      # normalized form ("" if hopeless)
    error: str | None    # Chinese, None when valid
    warnings: list[str] = field(default_factory=list)   # Chinese
    info: dict = field(default_factory=dict)            # what the number tells (birth date, region ...)

    def to_dict(self) -> dict:
        """Flat dict for JSON and the GUI: kind, valid, normalized, error, warnings and the info keys."""
        return {"kind": self.kind, "valid": self.valid, "normalized": self.normalized,
                "error": self.error, "warnings": list(self.warnings), **self.info}


def as_text(value) -> str:
    """Any input (None, int, bytes, str) as a str; never raises."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value if isinstance(value, str) else str(value)


def nfkc(value) -> str:
    """Full-width to half-width (NFKC), stripped; the raw text before separators are removed."""
    return unicodedata.normalize("NFKC", as_text(value)).strip()


def clean(value) -> str:
    """Normalize a number: NFKC (full-width → half-width), no spaces or dashes, upper case."""
    return _SEPARATORS.sub("", nfkc(value)).upper()


def bad_chars(text: str, allowed: str = r"[0-9A-Z]") -> str:
    """The characters of ``text`` outside ``allowed`` (a one-char regex class), in order, once each."""
    pattern = re.compile(allowed)
    seen: list[str] = []
    for ch in text:
        if not pattern.fullmatch(ch) and ch not in seen:
            seen.append(ch)
    return "".join(seen)


def invalid_chars_error(chars: str) -> str:
    """Chinese error naming up to three offending characters."""
    shown = "、".join(f"“{c}”" for c in chars[:3])
    return f"号码含有无效字符{shown}"


def cleaned_or_failure(kind: str, value) -> tuple[str, "IdCheck | None"]:
    """The cleaned number, or a failed IdCheck when it is empty or has stray characters."""
    n = clean(value)
    if not n:
        return n, fail(kind, value, "号码为空")
    junk = bad_chars(n)
    if junk:
        return n, fail(kind, value, invalid_chars_error(junk))
    return n, None


def fail(kind: str, value, error: str, normalized: str = "", info: dict | None = None,
         warnings: list[str] | None = None) -> IdCheck:
    """An invalid result."""
    return IdCheck(kind, as_text(value), False, normalized, error, list(warnings or []), dict(info or {}))


def ok(kind: str, value, normalized: str, info: dict | None = None,
       warnings: list[str] | None = None) -> IdCheck:
    """A valid result."""
    return IdCheck(kind, as_text(value), True, normalized, None, list(warnings or []), dict(info or {}))


def never_raises(kind: str):
    """Decorator: any exception in a checker becomes ``valid=False`` with a Chinese error, logged."""
    def wrap(fn):
        @functools.wraps(fn)
        def inner(value, *args, **kwargs):
            try:
                return fn(value, *args, **kwargs)
            except Exception:  # a checker must never take the window down over odd input
                log.exception("identifier check %s failed on %r", fn.__name__, value)
                return fail(kind, value, "号码无法解析（内部错误，详见日志），请人工核对")
        return inner
    return wrap
