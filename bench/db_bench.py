"""The search box, full-text search and the day's board on a hall-sized database.

Each lookup is what the search view does when Enter is pressed: forms.queries.search_cases
on the key, then queries.case_row for every hit. Keys are drawn (seeded) from the
database itself: case numbers, applicants' ID numbers, tracking numbers and names.
The reference is the search as it was before migration 0003 (frozen below), timed on
a few of the same keys. Full text: queries.search_text on a phrase of four to six
characters cut from a page's OCR text, or a name; its reference is the LIKE scan
it replaces. The day's ledger is everything the home board shows for the busiest
window today (board.today_by_status and its five lists, as HomeView.refresh runs them
on the Tk thread) plus that day's cases with their rows (casestats.cases_in).
Timings are of a warm database (the file in the OS cache), as a hall server runs.
"""
from __future__ import annotations

import os
import random
import re
import statistics
import time
from pathlib import Path

from bench.report import Row, skipped


def p95(values: list[float]) -> float:
    """95th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def _ms(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - started) * 1000


def old_search_cases(text: str, limit: int = 200):
    """forms.queries.search_cases as it was before migration 0003 (the reference)."""
    from forms.models import Case, Party, Shipment
    key = re.sub(r"\s+", "", text or "").upper()
    parties = Party.select(Party.id).where(
        (Party.name.contains(key)) | (Party.id_number == key) | (Party.phone == key))
    shipped = Shipment.select(Shipment.case).where(Shipment.tracking_number == key)
    q = Case.select().where(
        (Case.case_no == key) | (Case.case_no.contains(key)) | Case.applicant.in_(parties)
        | Case.agent.in_(parties) | Case.id.in_(shipped))
    return list(q.order_by(Case.received_at.desc()).limit(limit))


def search_view(search, key: str) -> int:
    from forms import queries
    return len([queries.case_row(c) for c in search(key)])


def sample_keys(database, count: int, seed: int = 5) -> dict[str, list[str]]:
    """Keys a clerk would type or scan, taken from random cases of the database."""
    rng = random.Random(seed)
    top = database.execute_sql('SELECT MAX(id) FROM "case"').fetchone()[0]
    keys: dict[str, list[str]] = {"case_no": [], "id_number": [], "tracking": [], "name": [], "text": []}
    while min(len(v) for v in keys.values()) < count:
        cid = rng.randint(1, top)
        row = database.execute_sql(
            'SELECT c.case_no, p.id_number, p.name FROM "case" c JOIN party p ON p.id = c.applicant_id '
            "WHERE c.id = %s" % int(cid)).fetchone()
        if row is None:
            continue
        keys["case_no"].append(row[0])
        keys["id_number"].append(row[1])
        keys["name"].append(row[2])
        ship = database.execute_sql("SELECT tracking_number FROM shipment WHERE case_id = %s"
                                    % int(cid)).fetchone()
        if ship:
            keys["tracking"].append(ship[0])
        page = database.execute_sql("SELECT ocr FROM page WHERE case_id = %s" % int(cid)).fetchone()
        if page and page[0]:
            import json
            body = json.loads(page[0])["text"].split("\n")[-1]
            runs = [r for r in re.findall(r"[\u4e00-\u9fff]{6,}", body)]
            if runs:
                run = rng.choice(runs)
                n = rng.randint(4, 6)
                start = rng.randint(0, len(run) - n)
                keys["text"].append(run[start:start + n])
    return {k: v[:count] for k, v in keys.items()}


def day_ledger(window, day) -> int:
    from forms import board, casestats, queries
    rows = sum(n for _, n in board.today_by_status(window, day))
    for fn in (board.deadline_watch, board.in_progress_here, board.to_ship, board.results_waiting,
               board.in_correction):
        rows += len(fn(window))
    rows += len([queries.case_row(c) for c in casestats.cases_in(window, 1)])
    return rows


def run_suite(database, samples: int, reference_samples: int, suffix: str, log) -> dict[str, Row]:
    from forms import queries
    from forms.models import Case, Window
    from bench.hall_db import TODAY, WINDOWS
    keys = sample_keys(database, samples)
    rows: dict[str, Row] = {}
    worst = 0.0
    for kind in ("case_no", "id_number", "tracking", "name"):
        for key in keys[kind][:5]:
            search_view(queries.search_cases, key)            # warm the caches this kind uses
        times = [_ms(search_view, queries.search_cases, k) for k in keys[kind]]
        ref = [_ms(search_view, old_search_cases, k) for k in keys[kind][:reference_samples]]
        value = p95(times)
        worst = max(worst, value)
        if not suffix:
            rows[f"db_lookup_p95_ms_{kind}"] = Row(f"db_lookup_p95_ms_{kind}", value, p95(ref) if ref else None)
        log(f"  lookup by {kind}{suffix}: p95 {value:.1f} ms (before m0003: {p95(ref) if ref else 0:.0f} ms)")
    total = Case.select().count()
    rows[f"db_lookup_p95_ms{suffix}"] = Row(f"db_lookup_p95_ms{suffix}", worst, total)
    for key in keys["text"][:5]:
        queries.search_text(key)
    times = [_ms(queries.search_text, k) for k in keys["text"]]
    ref = [_ms(_scan_text, database, k) for k in keys["text"][:reference_samples]]
    rows[f"fulltext_p95_ms{suffix}"] = Row(f"fulltext_p95_ms{suffix}", p95(times), p95(ref) if ref else None)
    log(f"  full text{suffix}: p95 {p95(times):.1f} ms (scan: {p95(ref) if ref else 0:.0f} ms)")
    window = Window.get(Window.code == WINDOWS[0])
    day_ledger(window, TODAY)
    ledger = [_ms(day_ledger, window, TODAY) for _ in range(10)]
    count = day_ledger(window, TODAY)
    rows[f"day_ledger_ms{suffix}"] = Row(f"day_ledger_ms{suffix}", statistics.median(ledger), count,
                                         f"median of 10; slowest {max(ledger):.0f} ms")
    log(f"  day ledger{suffix}: median {statistics.median(ledger):.1f} ms ({count} rows)")
    return rows


def _scan_text(database, word: str) -> int:
    """Pages holding ``word``, by reading every page's OCR text (no index)."""
    from peewee import SqliteDatabase
    if isinstance(database, SqliteDatabase):
        sql = "SELECT case_id FROM page WHERE instr(json_extract(ocr, '$.text'), ?) > 0 LIMIT 200"
        return len(database.execute_sql(sql, (word,)).fetchall())
    sql = "SELECT case_id FROM page WHERE position(%s in (ocr::jsonb ->> 'text')) > 0 LIMIT 200"
    return len(database.execute_sql(sql, (word,)).fetchall())


def measure(cases: int, cache: Path, tmp: Path, log=print, quick: bool = False) -> tuple[dict, dict]:
    from bench import hall_db
    from forms import db as dbmod
    os.environ["CLERK_FAKE_NOW"] = hall_db.NOW.isoformat()
    samples, reference = (60, 3) if quick else (200, 5)
    path = hall_db.sqlite_hall(cases, cache, log)
    rows: dict[str, Row] = {}
    database = dbmod.open_database(f"sqlite:///{path}", seed=False)
    try:
        rows.update(run_suite(database, samples, reference, "", log))
    finally:
        database.close()
    facts = {"hall_url": f"sqlite:///{path}", "hall_db": f"{path.name}, {path.stat().st_size / 1e9:.2f} GB"}
    url = os.environ.get("CLERK_BENCH_PG_URL", "").strip()
    if not url:
        for key in ("db_lookup_p95_ms_pg", "fulltext_p95_ms_pg", "day_ledger_ms_pg"):
            rows[key] = skipped(key, "no PostgreSQL: set CLERK_BENCH_PG_URL (its database is emptied)")
        return rows, facts
    try:
        database = _postgres(url, cases, log)
        rows.update(run_suite(database, samples, reference, "_pg", log))
        database.close()
    except Exception as e:  # noqa: BLE001 - SQLite figures stand without the server
        log(f"PostgreSQL part failed: {e}")
        for key in ("db_lookup_p95_ms_pg", "fulltext_p95_ms_pg", "day_ledger_ms_pg"):
            rows[key] = skipped(key, f"PostgreSQL failed: {type(e).__name__}: {e}")
    finally:
        os.environ.pop("CLERK_FAKE_NOW", None)
    return rows, facts


def _postgres(url: str, cases: int, log):
    """The server's database filled with ``cases`` cases (kept between runs, marked with its key)."""
    from bench import hall_db
    from forms import db as dbmod
    from playhouse.db_url import connect
    marker = f"{cases}-{hall_db.schema_key()}"
    probe = connect(url)
    try:
        have = probe.execute_sql("SELECT value FROM bench_marker").fetchone()[0]
    except Exception:  # noqa: BLE001 - no marker table: an empty or foreign database
        have = None
    probe.close()
    if have != marker:
        hall_db.fill_postgres(url, cases, log)
        done = connect(url)
        done.execute_sql("CREATE TABLE bench_marker (value text)")
        done.execute_sql("INSERT INTO bench_marker VALUES (%s)", (marker,))
        done.commit() if done.in_transaction() else None
        done.close()
    return dbmod.open_database(url, seed=False)
