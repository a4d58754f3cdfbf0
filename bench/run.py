"""The benchmark: this app beside plain Tesseract and OCRmyPDF, and on a hall-sized database.

    .venv/bin/python bench/run.py [--quick] [--json] [--only ocr,db,gui] [--pages N] [--cases N]

Prints one table (``--json``: one object, a key per row, each ``{"value", "reference",
"goal"}``; progress and notes go to stderr). Every figure is measured beside its
reference in the same run, because these machines are shared and noisy:

* ocr (bench/ocr_bench.py): a case of N generated 300 dpi grey scans (bench/pages.py)
  through plain ``tesseract``, through the app (cleanup, OCR, package PDF) and
  through OCRmyPDF, same pages, same parallelism, OMP_THREAD_LIMIT=1; the CER of
  each text and of ``pdftotext`` on each PDF; bytes per page; Tesseract on the
  package's own page images.
* db (bench/hall_db.py, bench/db_bench.py): a generated database of M cases, built
  once and cached under bench/.cache keyed by schema version; p95 of the search box
  by case number, ID number, tracking number and name, of full-text search over OCR
  text, and of one day's ledger; on PostgreSQL too when CLERK_BENCH_PG_URL names a
  server (its database is emptied and filled).
* gui (bench/gui_probe.py under Xvfb): start-up to a usable home board on that
  database, and the longest Tk-loop stall while the N pages are imported in the
  window, with the memory of the window and its workers.

Default: 20 pages, 1,000,000 cases, 2 rounds. ``--quick``: 4 pages, 100,000 cases,
1 round, under three minutes once the OCRmyPDF environment exists. Not a test.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "bench" / ".cache"
SECTIONS = ("ocr", "db", "gui")
SECTION_KEYS = {
    "ocr": ("pipeline_vs_tesseract", "pipeline_vs_ocrmypdf", "pipeline_s", "ocr_vs_tesseract",
            "pipeline_cer", "text_layer_cer_ratio", "text_layer_cer", "bytes_per_page",
            "package_image_cer_delta", "bytes_per_page_colour"),
    "db": ("db_lookup_p95_ms", "db_lookup_p95_ms_case_no", "db_lookup_p95_ms_id_number",
           "db_lookup_p95_ms_tracking", "db_lookup_p95_ms_name", "fulltext_p95_ms", "day_ledger_ms",
           "db_lookup_p95_ms_pg", "fulltext_p95_ms_pg", "day_ledger_ms_pg"),
    "gui": ("gui_max_stall_ms", "gui_start_s", "peak_rss_mb"),
}


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


def machine() -> str:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    return f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {mem:.0f} GB, Linux {platform.release()}"


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="4 pages, 100,000 cases, 1 round")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument("--only", default=",".join(SECTIONS), help="sections to run: ocr,db,gui")
    p.add_argument("--pages", type=int, default=None)
    p.add_argument("--cases", type=int, default=None)
    p.add_argument("--rounds", type=int, default=None)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--lang", default="chi_sim+eng")
    args = p.parse_args(argv)
    args.pages = args.pages or (4 if args.quick else 20)
    args.cases = args.cases or (100_000 if args.quick else 1_000_000)
    args.rounds = args.rounds or (1 if args.quick else 2)
    args.only = [s for s in args.only.split(",") if s]
    return args


def main(argv=None) -> int:
    args = parse(argv)
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="clerk-bench-"))
    # The app writes work folders and keys under its data folder: never the clerk's real one.
    os.environ["CLERK_DATA_DIR"] = str(tmp / "clerk-data")
    os.environ.pop("CLERK_DATABASE_URL", None)
    CACHE.mkdir(parents=True, exist_ok=True)
    from bench import report
    rows: dict = {}
    facts: dict = {}
    log(f"bench: {machine()}; {args.pages} pages, {args.cases:,} cases, {args.workers} workers, "
        f"{args.rounds} round(s)")
    try:
        for section in SECTIONS:
            if section not in args.only:
                continue
            t = time.monotonic()
            try:
                got, more = run_section(section, args, tmp, facts)
                rows.update(got)
                facts.update(more)
            except Exception as e:  # noqa: BLE001 - one broken section must not hide the others
                log(f"section {section} failed:\n{traceback.format_exc()}")
                for key in SECTION_KEYS[section]:
                    rows.setdefault(key, report.skipped(key, f"{section} failed: {type(e).__name__}: {e}"))
            log(f"section {section}: {time.monotonic() - t:.0f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    total = time.monotonic() - started
    if args.json:
        print(report.as_json(rows))
    else:
        print(f"# {time.strftime('%Y-%m-%d %H:%M')}  {machine()}")
        print(f"# {' '.join([Path(sys.executable).name, 'bench/run.py', *(argv or sys.argv[1:])])}; "
              f"{args.pages} pages, {args.cases:,} cases, {args.workers} workers, {args.rounds} round(s); "
              f"{total:.0f} s")
        print(report.as_table(rows))
        for key, value in facts.items():
            if key not in ("paths", "hall_url", "pages"):
                print(f"# {key}: {value}")
    log(f"bench: {total:.0f} s")
    return 0


def run_section(section: str, args, tmp: Path, facts: dict):
    if section == "ocr":
        from bench import ocr_bench
        return ocr_bench.measure(args.pages, args.workers, args.rounds, args.lang, CACHE, tmp / "ocr", log)
    if section == "db":
        from bench import db_bench
        return db_bench.measure(args.cases, CACHE, tmp / "db", log, quick=args.quick)
    if section == "gui":
        from bench import gui_bench
        return gui_bench.measure(args.pages, args.cases, args.lang, CACHE, tmp / "gui", facts, log)
    raise ValueError(section)


if __name__ == "__main__":
    sys.exit(main())
