"""Throughput of cleanup + OCR against plain `tesseract` on the same pages, same parallelism.

    .venv/bin/python bench/bench_ocr.py [--pages 8] [--workers 2] [--rounds 2] [--lang chi_sim+eng]

Both sides run in this one process run, alternating, each with OMP_THREAD_LIMIT=1 and
`--workers` pages at a time. "plain" is `tesseract PAGE stdout -l LANG` per page;
"pipeline" is scanner.pipeline.process_pages (load, cleanup, save, OCR, Chinese re-read,
fields), timed with a warm pool (long-lived workers), with a warm pool and no re-read,
with a cold pool (worker start-up and model loading included, as every import in the
window pays), and with a cold pool running the `tesseract` program per page instead of
the engine kept loaded in each worker (CLERK_OCR_ENGINE=program): that row shows what
cleanup costs on its own, the others what the clerk waits for. Wall time is noisy
on a shared machine, so CPU seconds (this process and every child it reaped) are
shown too for plain and cold runs, and the CPU seconds of cleanup + OCR measured
page by page inside warm workers (the steadiest figure). The goal is a ratio of at
most 1.05.
Not a test: timings depend on the machine.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from tests.make_pages import photographed  # noqa: E402

from scanner.ocr import DEFAULT_LANGS, character_error_rate, tesseract_env  # noqa: E402
from scanner.ocr_pool import OcrPool, OcrSettings, PageJob, process_page  # noqa: E402
from scanner.pipeline import process_pages  # noqa: E402

SAMPLES = ROOT / "tests" / "resources" / "ocr"


def make_pages(folder: Path, count: int) -> list[tuple[Path, str | None]]:
    """(file, ground truth or None) for `count` pages cycling through four kinds of page."""
    manual = Image.open(SAMPLES / "edu_manual_p5.png")
    truth = (SAMPLES / "edu_manual_p5.txt").read_text(encoding="utf-8")
    kinds = [("scan", manual, truth), ("photo", photographed(manual), truth),
             ("card", Image.open(SAMPLES / "id_card_front.png"), None),
             ("licence", Image.open(SAMPLES / "business_licence.png"), None)]
    pages = []
    for i in range(count):
        name, image, text = kinds[i % len(kinds)]
        path = folder / f"{i + 1:03d}-{name}.png"
        dpi = image.info.get("dpi", (300, 300))
        image.save(path, dpi=dpi)
        pages.append((path, text))
    return pages


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def plain(pages, workers: int, langs: str) -> tuple[float, float, list[str]]:
    def one(path):
        out = subprocess.run(["tesseract", str(path), "stdout", "-l", langs],
                             capture_output=True, env=tesseract_env(), check=True)
        return out.stdout.decode("utf-8", "replace")
    started, cpu = time.perf_counter(), _cpu()
    with ThreadPoolExecutor(workers) as pool:
        texts = list(pool.map(one, [p for p, _ in pages]))
    return time.perf_counter() - started, _cpu() - cpu, texts


def pipeline(pages, workers: int, langs: str, job: Path, pool=None,
             reread: bool = True) -> tuple[float, float, list[str]]:
    started, cpu = time.perf_counter(), _cpu()
    results = list(process_pages([str(p) for p, _ in pages], langs=langs, workers=workers,
                                 job_dir=job, pool=pool, reread=reread))
    return time.perf_counter() - started, _cpu() - cpu, [r.text for r in results]


def _cpu_of_page(number: int, path: str, settings: OcrSettings) -> float:
    os.environ["OMP_THREAD_LIMIT"] = "1"
    before = _cpu()
    process_page(PageJob(number, seq=number, path=path), settings)
    return _cpu() - before


def pipeline_cpu(pages, workers: int, langs: str, job: Path, reread: bool) -> float:
    """CPU seconds of cleanup + OCR summed over pages, measured inside each worker."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        pool.submit(_cpu_of_page, 1, str(pages[0][0]), OcrSettings(workdir=job / "warm")).result()
        settings = OcrSettings(workdir=job, langs=langs, reread=reread)
        return sum(pool.map(_cpu_of_page, range(1, len(pages) + 1), [str(p) for p, _ in pages],
                            [settings] * len(pages)))


def mean_cer(pages, texts) -> float:
    scores = [character_error_rate(t, got) for (_, t), got in zip(pages, texts) if t]
    return sum(scores) / len(scores) if scores else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--lang", default=DEFAULT_LANGS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        tmp = Path(tmp)
        pages = make_pages(tmp, args.pages)
        runs = {"plain": [], "warm": [], "warm, no re-read": [], "cold": [], "cold, program": []}
        cer = {}
        cpu_pages = {"pipeline": [], "pipeline, no re-read": []}
        with OcrPool(args.workers) as warm_pool:
            pipeline(pages[:1], args.workers, args.lang, tmp / "warmup", pool=warm_pool)
            for r in range(args.rounds):
                *timing, texts = plain(pages, args.workers, args.lang)
                runs["plain"].append(timing)
                cer["plain"] = mean_cer(pages, texts)
                *timing, texts = pipeline(pages, args.workers, args.lang, tmp / f"w{r}", warm_pool)
                runs["warm"].append(timing)
                cer["pipeline"] = mean_cer(pages, texts)
                *timing, texts = pipeline(pages, args.workers, args.lang, tmp / f"n{r}", warm_pool,
                                          reread=False)
                runs["warm, no re-read"].append(timing)
                cer["pipeline, no re-read"] = mean_cer(pages, texts)
                *timing, _ = pipeline(pages, args.workers, args.lang, tmp / f"c{r}")
                runs["cold"].append(timing)
                os.environ["CLERK_OCR_ENGINE"] = "program"
                try:
                    *timing, _ = pipeline(pages, args.workers, args.lang, tmp / f"x{r}")
                finally:
                    del os.environ["CLERK_OCR_ENGINE"]
                runs["cold, program"].append(timing)
                cpu_pages["pipeline"].append(pipeline_cpu(pages, args.workers, args.lang,
                                                          tmp / f"p{r}", True))
                cpu_pages["pipeline, no re-read"].append(pipeline_cpu(pages, args.workers, args.lang,
                                                                      tmp / f"q{r}", False))
    wall = {k: statistics.median(t[0] for t in v) for k, v in runs.items()}
    cpu = {k: statistics.median(t[1] for t in v) for k, v in runs.items()}
    print(f"{args.pages} pages, {args.workers} workers, -l {args.lang}, median of {args.rounds} rounds")
    for key in runs:
        line = (f"  {key:18s} {wall[key]:6.1f} s  {60 * args.pages / wall[key]:6.1f} pages/min"
                f"  wall ratio {wall[key] / wall['plain']:.3f}")
        if key in ("plain", "cold", "cold, program"):
            line += f"  cpu {cpu[key]:6.1f} s  cpu ratio {cpu[key] / cpu['plain']:.3f}"
        print(line)
    for key, values in cpu_pages.items():
        t = statistics.median(values)
        print(f"  per-page cpu, {key:22s} {t:6.1f} s  cpu ratio {t / cpu['plain']:.3f}")
    print("  mean CER on the manual pages: " + ", ".join(f"{k} {v:.4f}" for k, v in cer.items()))
    per_page = statistics.median(cpu_pages["pipeline"]) / cpu["plain"]
    worst = max(wall["warm"] / wall["plain"], per_page)
    print(f"goal, cleanup + OCR at most 1.05 x plain tesseract: {'met' if worst <= 1.05 else 'NOT met'}"
          f" (warm wall {wall['warm'] / wall['plain']:.3f}, per-page cpu {per_page:.3f});"
          " a cold run also starts its workers once (Python, modules, models: about 0.7 s CPU each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
