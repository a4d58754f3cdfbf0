"""Working-day arithmetic for 承诺时限 and 法定时限, with China's 调休 make-up days.

Layers, later ones win for a given day:

1. the weekday rule (Mon–Fri work), plus, in years nobody has data for, the
   fixed-Gregorian-date statutory holidays (元旦 1/1, 劳动节 5/1–5/2,
   国庆节 10/1–10/3; earlier rules for earlier years);
2. the ``chinese_calendar`` package (1.11.0 covers 2004–2026);
3. tables shipped in ``forms/data/holidays-YYYY.json`` (loaded automatically);
4. the overrides the caller passes (the hall's editable table, kept in the DB).

The State Council publishes next year's schedule each November, before any
library release; a window imports it from a small file in one of two formats.

JSON::

    {"year": 2027,
     "source": "国务院办公厅关于2027年部分节假日安排的通知",
     "days": [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"date": "2027-02-07", "kind": "workday", "name": "春节调休上班"}]}

"year" and "source" are optional; an entry may carry its own "source".

CSV (UTF-8, or GBK as Excel saves it), header ``date,kind,name`` (optional
``source`` column; Chinese headers 日期,类型,名称,来源 also work)::

    date,kind,name
    2027-01-01,holiday,元旦
    2027-02-07,班,春节调休上班

kind is ``holiday`` (non-working) or ``workday`` (working, e.g. a 调休
Saturday); 休/假/放假/节假日 and 班/上班/补班/调休上班 are accepted too.
Dates may be written 2027-1-1 or 2027/1/1. A file is taken whole or not at
all: every bad row is reported with its line number.

Any override in a year marks that year as having data, so import the whole
notice, not single days. Pure code: no database, no Tk; any thread may call it.
"""
from __future__ import annotations

import csv
import io
import json
import json.decoder
import json.scanner
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import chinese_calendar

from forms import files
from forms.errors import InvalidInput

DATA_DIR = Path(__file__).with_name("data")
HOLIDAY = "holiday"
WORKDAY = "workday"
MAX_WORKING_DAYS = 10_000          # ~40 years; any larger number is a typo
MAX_FILE_BYTES = 1_000_000

_KIND_ALIASES = {
    "holiday": HOLIDAY, "休": HOLIDAY, "假": HOLIDAY, "放假": HOLIDAY,
    "休息": HOLIDAY, "节假日": HOLIDAY,
    "workday": WORKDAY, "班": WORKDAY, "上班": WORKDAY, "补班": WORKDAY,
    "调休上班": WORKDAY, "工作日": WORKDAY,
}
_CSV_HEADERS = {"date": "date", "日期": "date", "kind": "kind", "类型": "kind",
                "name": "name", "名称": "name", "source": "source", "来源": "source"}
_DATE_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_BUILTIN_RE = re.compile(r"^holidays-(\d{4})\.json$")
# chinese_calendar stores English names; the clerk reads Chinese.
_LIBRARY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节",
    "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
}
_LIBRARY_YEARS = range(min(chinese_calendar.holidays).year,
                       max(chinese_calendar.holidays).year + 1)


class HolidayFileError(InvalidInput):
    """A holiday/workday file that cannot be imported; lists every bad row."""

    message = "节假日安排文件“{file}”有误：{reason}"

    def __init__(self, file, reason, row_errors=(), lines=()):
        super().__init__(file=file, reason=reason)
        self.row_errors = list(row_errors)
        self.lines = list(lines)

    def __str__(self):
        base = super().__str__()
        return "\n".join([base, *self.row_errors]) if self.row_errors else base


@dataclass(frozen=True)
class DayOverride:
    day: date
    kind: str          # HOLIDAY (non-working) or WORKDAY (working, e.g. 调休 Saturday)
    name: str = ""     # e.g. "春节", "春节调休上班"
    source: str = ""   # e.g. "国务院办公厅关于2027年部分节假日安排的通知"


@dataclass(frozen=True)
class Deadline:
    due: date
    warning: str | None = None   # Chinese; set when a counted day lies in a year without data

    def to_dict(self) -> dict:
        """Plain dict for JSON: {"due": "YYYY-MM-DD", "warning": str | None}."""
        return {"due": self.due.isoformat(), "warning": self.warning}


@lru_cache(maxsize=64)
def _fixed_holidays(year: int) -> dict[date, str]:
    """Statutory holidays on fixed Gregorian dates under the rules in force that year."""
    if year >= 2025:       # 2024 revision: 劳动节 two days
        days = [(1, 1, "元旦"), (5, 1, "劳动节"), (5, 2, "劳动节")]
    elif year >= 2008:
        days = [(1, 1, "元旦"), (5, 1, "劳动节")]
    elif year >= 2000:     # 1999 revision: 劳动节 three days
        days = [(1, 1, "元旦"), (5, 1, "劳动节"), (5, 2, "劳动节"), (5, 3, "劳动节")]
    else:
        days = [(1, 1, "元旦"), (5, 1, "劳动节"), (10, 1, "国庆节"), (10, 2, "国庆节")]
    if year >= 2000:
        days += [(10, 1, "国庆节"), (10, 2, "国庆节"), (10, 3, "国庆节")]
    return {date(year, m, d): name for m, d, name in days}


def _library_entry(d: date) -> tuple[bool, str | None] | None:
    """(is_working, name) from chinese_calendar, or None when it has nothing special."""
    if d in chinese_calendar.workdays:
        name = _LIBRARY_NAMES.get(chinese_calendar.workdays[d], "")
        return True, f"{name}调休上班" if name else "调休上班"
    if d in chinese_calendar.holidays:
        english = chinese_calendar.holidays[d]
        return False, _LIBRARY_NAMES.get(english) or chinese_calendar.Holiday(english).chinese
    return None


def _format_years(years: list[int]) -> str:
    """2027 → "2027"; [2027, 2028] → "2027、2028"; long runs → "2030—2040"."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    parts = []
    for run in runs:
        if len(run) > 2:
            parts.append(f"{run[0]}—{run[-1]}")
        else:
            parts.extend(str(y) for y in run)
    return "、".join(parts)


def _as_date(d) -> date:
    return d.date() if isinstance(d, datetime) else d


class WorkCalendar:
    """Working days in mainland China; immutable after construction, any thread."""

    def __init__(self, overrides: Iterable[DayOverride] = (), use_library: bool = True):
        """Overrides win over everything, later ones over earlier; use_library=False drops
        chinese_calendar and the shipped tables (weekday rule + fixed holidays + overrides)."""
        self._use_library = use_library
        self._overrides: dict[date, DayOverride] = {}
        layers = (builtin_overrides(DATA_DIR) if use_library else ()), tuple(overrides)
        for layer in layers:
            for o in layer:
                if o.kind not in (HOLIDAY, WORKDAY):
                    raise InvalidInput(f"{o.day.isoformat()} 的类型“{o.kind}”无效，应为 holiday 或 workday")
                self._overrides[_as_date(o.day)] = o
        self._override_years = frozenset(d.year for d in self._overrides)

    def has_data(self, year: int) -> bool:
        """True when the year has overrides or the library covers it."""
        return year in self._override_years or (self._use_library and year in _LIBRARY_YEARS)

    def _lookup(self, d: date) -> tuple[bool, str | None]:
        o = self._overrides.get(d)
        if o is not None:
            return o.kind == WORKDAY, o.name or None
        if self._use_library and d.year in _LIBRARY_YEARS:
            entry = _library_entry(d)
            if entry is not None:
                return entry
        else:
            # Always right: these days are statutory holidays whatever the schedule says.
            name = _fixed_holidays(d.year).get(d)
            if name:
                return False, name
        return d.weekday() < 5, None

    def is_working_day(self, d: date) -> bool:
        """True when government offices work on day d."""
        return self._lookup(_as_date(d))[0]

    def day_name(self, d: date) -> str | None:
        """The holiday or make-up day's name (e.g. "春节", "国庆节调休上班"), None for an ordinary day."""
        return self._lookup(_as_date(d))[1]

    def _warning(self, first: date, last: date) -> str | None:
        missing = [y for y in range(first.year, last.year + 1) if not self.has_data(y)]
        if not missing:
            return None
        return f"{_format_years(missing)} 年的节假日安排尚未导入，已按周末和固定日期法定节日估算，请核对"

    def add_working_days(self, start: date, n: int) -> Deadline:
        """The n-th working day after start (start itself not counted); n = 0 returns start unchanged."""
        start = _as_date(start)
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_WORKING_DAYS:
            raise InvalidInput(f"工作日天数应为 0 到 {MAX_WORKING_DAYS} 之间的整数，收到“{n}”")
        d, left = start, n
        try:
            while left:
                d += timedelta(days=1)
                if self.is_working_day(d):
                    left -= 1
        except OverflowError as e:
            raise InvalidInput(f"从 {start.isoformat()} 起算 {n} 个工作日超出可计算的日期范围") from e
        return Deadline(due=d, warning=self._warning(start + timedelta(days=1), d) if n else None)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative (−working days in (end, start]) when end < start."""
        start, end = _as_date(start), _as_date(end)
        if end < start:
            return -self.working_days_between(end, start)
        count, d = 0, start
        while d < end:
            d += timedelta(days=1)
            count += self.is_working_day(d)
        return count


# ---------------------------------------------------------------- files

def _parse_kind(text) -> str | None:
    return _KIND_ALIASES.get(str(text).strip().lower()) if text is not None else None


def _parse_date(text) -> date | None:
    m = _DATE_RE.match(str(text).strip()) if text is not None else None
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _check_row(line: int, raw_date, raw_kind, name, source, year, seen, errors, lines):
    """Validate one row; append its DayOverride to seen or its problems to errors."""
    problems = []
    d = _parse_date(raw_date)
    if d is None:
        problems.append(f"日期“{raw_date or ''}”无效，应为 YYYY-MM-DD")
    elif year is not None and abs(d.year - year) > 1:
        problems.append(f"日期 {d.isoformat()} 不在 {year} 年前后，请检查年份")
    elif d in seen:
        problems.append(f"日期 {d.isoformat()} 与第 {seen[d][0]} 行重复")
    kind = _parse_kind(raw_kind)
    if kind is None:
        problems.append(f"类型“{raw_kind or ''}”无效，应为 holiday（休）或 workday（班）")
    if not isinstance(name, str) or len(name) > 50:
        problems.append("名称应为不超过 50 字的文字")
    if problems:
        errors.append(f"第 {line} 行：" + "；".join(problems))
        lines.append(line)
    else:
        seen[d] = (line, DayOverride(d, kind, name.strip(), str(source or "").strip()))


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise HolidayFileError(path.name, "文件过大，节假日安排文件应只有几十行")
        data = path.read_bytes()
    except OSError as e:
        raise HolidayFileError(path.name, f"无法读取（{e.strerror or e}）") from e
    for encoding in ("utf-8-sig", "gb18030"):   # Excel on Chinese Windows saves CSV as GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise HolidayFileError(path.name, "无法识别文件编码，请另存为 UTF-8")


def _json_with_lines(text: str) -> tuple[object, dict[int, int]]:
    """Parse JSON and note the line each object starts on (id(obj) → line), for error messages."""
    lines: dict[int, int] = {}

    def parse_object(s_and_end, *args):
        obj, end = json.decoder.JSONObject(s_and_end, *args)
        lines[id(obj)] = text.count("\n", 0, s_and_end[1]) + 1
        return obj, end

    decoder = json.JSONDecoder()
    decoder.parse_object = parse_object
    decoder.scan_once = json.scanner.py_make_scanner(decoder)   # the C scanner ignores parse_object
    return decoder.decode(text), lines


def _load_json(path: Path, text: str, seen, errors, lines):
    try:
        doc, obj_lines = _json_with_lines(text)
    except json.JSONDecodeError as e:
        raise HolidayFileError(path.name, f"第 {e.lineno} 行不是有效的 JSON（{e.msg}）") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("days"), list):
        raise HolidayFileError(path.name, "应为一个对象，其中 days 为日期列表")
    year = doc.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise HolidayFileError(path.name, f"year 应为年份数字，收到“{year}”")
    for index, entry in enumerate(doc["days"], start=1):
        line = obj_lines.get(id(entry), index)
        if not isinstance(entry, dict):
            errors.append(f"第 {line} 行：days 的第 {index} 项应为对象")
            lines.append(line)
            continue
        _check_row(line, entry.get("date"), entry.get("kind"), entry.get("name", ""),
                   entry.get("source", doc.get("source", "")), year, seen, errors, lines)


def _load_csv(path: Path, text: str, seen, errors, lines):
    reader = csv.reader(io.StringIO(text, newline=""))
    columns = None
    for row in reader:
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if columns is None:
            columns = {_CSV_HEADERS.get(c.lower()): i for i, c in enumerate(cells)}
            if "date" not in columns or "kind" not in columns:
                raise HolidayFileError(path.name, f"第 {reader.line_num} 行应为表头 date,kind,name")
            continue
        value = {key: cells[i] if i < len(cells) else "" for key, i in columns.items()}
        _check_row(reader.line_num, value["date"], value["kind"], value.get("name", ""),
                   value.get("source", ""), None, seen, errors, lines)


def load_overrides_file(path) -> list[DayOverride]:
    """Read a .json or .csv holiday/workday file; all rows or HolidayFileError (an InvalidInput)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise HolidayFileError(path.name, "只支持 .json 或 .csv 文件")
    text = _read_text(path)
    seen: dict[date, tuple[int, DayOverride]] = {}
    errors: list[str] = []
    lines: list[int] = []
    (_load_json if suffix == ".json" else _load_csv)(path, text, seen, errors, lines)
    if errors:
        raise HolidayFileError(path.name, f"共 {len(errors)} 行有误，未导入任何日期", errors, lines)
    if not seen:
        raise HolidayFileError(path.name, "文件中没有任何日期")
    return sorted((o for _, o in seen.values()), key=lambda o: o.day)


def dump_overrides_file(overrides: Iterable[DayOverride], path, source: str = "") -> None:
    """Write overrides to a .json or .csv file that load_overrides_file reads back."""
    path = Path(path)
    days = sorted(overrides, key=lambda o: o.day)
    suffix = path.suffix.lower()
    if suffix == ".json":
        sources = {o.source for o in days}
        top_source = source or (sources.pop() if len(sources) == 1 else "")
        years = {o.day.year for o in days}
        head = {"year": years.pop()} if len(years) == 1 else {}
        if top_source:
            head["source"] = top_source
        rows = []
        for o in days:
            row = {"date": o.day.isoformat(), "kind": o.kind, "name": o.name}
            if o.source and o.source != top_source:
                row["source"] = o.source
            rows.append("    " + json.dumps(row, ensure_ascii=False))
        head_text = json.dumps(head, ensure_ascii=False)[1:-1]
        text = "{" + head_text + (", " if head_text else "") + '"days": [\n' + ",\n".join(rows) + "\n]}\n"
        encoding = "utf-8"
    elif suffix == ".csv":
        out = io.StringIO(newline="")
        with_source = any(o.source for o in days) or bool(source)
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["date", "kind", "name"] + (["source"] if with_source else []))
        for o in days:
            writer.writerow([o.day.isoformat(), o.kind, o.name] + ([o.source or source] if with_source else []))
        text, encoding = out.getvalue(), "utf-8-sig"    # BOM so Excel shows the Chinese
    else:
        raise InvalidInput(f"只能保存为 .json 或 .csv 文件：{path.name}")
    files.write_text(path, text, encoding=encoding, what="节假日文件")


@lru_cache(maxsize=4)
def builtin_overrides(data_dir: Path | None = None) -> tuple[DayOverride, ...]:
    """Every table shipped as holidays-YYYY.json in data_dir (default forms/data/), oldest first."""
    data_dir = Path(data_dir or DATA_DIR)
    if not data_dir.is_dir():
        return ()
    files = sorted(p for p in data_dir.iterdir() if _BUILTIN_RE.match(p.name))
    return tuple(o for p in files for o in load_overrides_file(p))
