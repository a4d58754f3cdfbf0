"""Rows of the benchmark: one key each, printed as a table or as one JSON object.

A row's JSON is ``{"value": v, "reference": r, "goal": g}`` (``note`` added when the
row was skipped or needs a word); every goal is an upper bound. ``KEYS`` lists every
row the runner must print, so a skipped measurement still shows up with a note.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

# key: (unit, what the value is, what the reference is, goal)
KEYS: dict[str, tuple[str, str, str, float | None]] = {
    "pipeline_vs_tesseract": ("x", "app wall / plain tesseract wall", "plain tesseract s", 1.05),
    "pipeline_vs_ocrmypdf": ("x", "app wall / OCRmyPDF wall", "OCRmyPDF s", 0.85),
    "pipeline_s": ("s", "app: cleanup + OCR + package PDF", "plain tesseract s", None),
    "ocr_vs_tesseract": ("x", "app cleanup + OCR only / plain", "package PDF s", None),
    "pipeline_cer": ("", "app OCR text CER", "plain tesseract CER", 0.010),
    "text_layer_cer_ratio": ("x", "pdftotext(package) CER / tesseract CER", "same for OCRmyPDF", 1.1),
    "text_layer_cer": ("", "pdftotext(package) CER", "pdftotext(OCRmyPDF) CER", None),
    "bytes_per_page": ("KB", "package, grey text pages", "OCRmyPDF KB/page", 100),
    "package_image_cer_delta": ("", "CER on package images - CER on scans", "CER on scans", 0.005),
    "bytes_per_page_colour": ("KB", "package, colour pages", "source PNG KB/page", None),
    "gui_max_stall_ms": ("ms", "longest Tk-loop gap during the OCR", "pages imported", 100),
    "gui_start_s": ("s", "start to home board on the big database", "start to sign-in screen s", 1.5),
    "db_lookup_p95_ms": ("ms", "worst of the four lookups", "cases in database", 20),
    "db_lookup_p95_ms_case_no": ("ms", "search by case number", "before m0003 (p95)", 20),
    "db_lookup_p95_ms_id_number": ("ms", "search by ID number", "before m0003 (p95)", 20),
    "db_lookup_p95_ms_tracking": ("ms", "search by tracking number", "before m0003 (p95)", 20),
    "db_lookup_p95_ms_name": ("ms", "search by name", "before m0003 (p95)", 20),
    "fulltext_p95_ms": ("ms", "search of OCR text (FTS5 trigram)", "LIKE scan (p95)", 100),
    "day_ledger_ms": ("ms", "one day at one window: home board + day's list", "cases that day", 200),
    "peak_rss_mb": ("MB", "app + workers during the OCR (RSS sum)", "PSS sum", 500),
    "db_lookup_p95_ms_pg": ("ms", "PostgreSQL: worst of the four lookups", "cases in database", 20),
    "fulltext_p95_ms_pg": ("ms", "PostgreSQL: OCR text (pg_trgm)", "ILIKE without index", 100),
    "day_ledger_ms_pg": ("ms", "PostgreSQL: one day at one window", "cases that day", 200),
}


@dataclass
class Row:
    key: str
    value: float | None
    reference: float | None = None
    note: str = ""

    @property
    def goal(self) -> float | None:
        return KEYS[self.key][3]

    @property
    def met(self) -> bool | None:
        if self.goal is None or self.value is None or _nan(self.value):
            return None
        return self.value <= self.goal

    def to_json(self) -> dict:
        out = {"value": _clean(self.value), "reference": _clean(self.reference), "goal": self.goal}
        if self.note:
            out["note"] = self.note
        return out


def _nan(v) -> bool:
    return isinstance(v, float) and math.isnan(v)


def _clean(v):
    if v is None or _nan(v):
        return None
    return round(v, 4) if isinstance(v, float) else v


def skipped(key: str, why: str) -> Row:
    return Row(key, None, None, why)


def complete(rows: dict[str, Row]) -> dict[str, Row]:
    """Every key of KEYS in order; a missing one becomes a row with a note."""
    return {k: rows.get(k) or skipped(k, "not measured in this run") for k in KEYS}


def as_json(rows: dict[str, Row]) -> str:
    return json.dumps({k: r.to_json() for k, r in complete(rows).items()}, ensure_ascii=False, indent=1)


def _fmt(v) -> str:
    if v is None or _nan(v):
        return "—"
    if isinstance(v, float):
        return f"{v:.4f}" if abs(v) < 0.1 else f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"
    return str(v)


def as_table(rows: dict[str, Row]) -> str:
    lines = [f"{'key':28s} {'value':>10s} {'unit':4s} {'reference':>10s} {'goal':>7s} {'met':4s}  what"]
    for key, row in complete(rows).items():
        unit, what, ref_what, goal = KEYS[key]
        met = {True: "yes", False: "NO", None: ""}[row.met]
        line = (f"{key:28s} {_fmt(row.value):>10s} {unit:4s} {_fmt(row.reference):>10s} "
                f"{('≤' + _fmt(goal)) if goal is not None else '':>7s} {met:4s}  {what}; ref: {ref_what}")
        if row.note:
            line += f"  [{row.note}]"
        lines.append(line)
    return "\n".join(lines)
