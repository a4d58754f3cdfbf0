"""The three ways through one case's pages, timed side by side: plain Tesseract, this app, OCRmyPDF.

* plain:    ``tesseract PAGE stdout -l LANGS`` per page, ``workers`` at a time (OMP_THREAD_LIMIT=1);
* app:      scanner.pipeline.process_pages on a warm OcrPool (as the window's, warmed at
            sign-in) — load, cleanup, OCR, Chinese re-read, fields — then
            exports.package.build_package (transmittal, compressed pages, text layer,
            signed manifest and zip);
* ocrmypdf: img2pdf of the same PNGs, then ``ocrmypdf -l LANGS -j workers --deskew``
            from the bench's own environment (bench/.venv-ocrmypdf).

Then what a person checks on the results: ``pdftotext`` (default mode, as a user
copies text) on each PDF against the printed truth, the bytes per page, and Tesseract
on the package's own embedded page images against Tesseract on the original scans.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.cer import pooled_cer
from bench.procs import TreeSampler

ROOT = Path(__file__).resolve().parent.parent
OCRMYPDF_VENV = ROOT / "bench" / ".venv-ocrmypdf"


def tess_env() -> dict:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


@dataclass
class Timed:
    wall: float
    texts: list[str] = field(default_factory=list)
    peak_rss: float = 0.0
    peak_pss: float = 0.0
    extra: dict = field(default_factory=dict)


def plain_tesseract(paths: list[Path], workers: int, langs: str) -> Timed:
    """Wall seconds and text of `tesseract PAGE stdout` on every page, ``workers`` at a time."""
    def one(path: Path) -> str:
        out = subprocess.run(["tesseract", str(path), "stdout", "-l", langs], capture_output=True,
                             env=tess_env(), check=True)
        return out.stdout.decode("utf-8", "replace")
    with TreeSampler() as mem:
        started = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            texts = list(pool.map(one, paths))
        wall = time.perf_counter() - started
    return Timed(wall, texts, mem.peak_rss, mem.peak_pss)


def transmittal_pdf(path: Path) -> Path:
    """A one-page 流转单 stand-in (the real one needs a case in a database)."""
    from exports import fonts
    c = fonts.make_canvas(str(path), (595.27, 841.89))
    fonts.draw_string(c, 72, 760, "跨域通办材料流转单", 18)
    fonts.draw_string(c, 72, 730, "办件号 BENCH-0001  事项 户口迁移", 12)
    c.showPage()
    c.save()
    return path


def app_pipeline(paths: list[Path], langs: str, pool, work: Path, key) -> Timed:
    """Cleanup + OCR (warm pool) and the package PDF, timed apart and together."""
    from exports.package import PackageInfo, PackageMaterial, PackagePage, build_package
    from scanner.pipeline import process_pages
    work.mkdir(parents=True, exist_ok=True)
    with TreeSampler() as mem:
        started = time.perf_counter()
        ocr = list(process_pages([str(p) for p in paths], langs=langs, job_dir=work / "job", pool=pool))
        ocr_done = time.perf_counter()
        transmittal = transmittal_pdf(work / "transmittal.pdf")
        info = PackageInfo("BENCH-0001", "户口迁移", "本窗口", "属地", "bench")
        material = PackageMaterial("申请材料", [PackagePage(p.image_path, p) for p in ocr])
        result = build_package(info, transmittal, [material], work / "package", key)
        wall = time.perf_counter() - started
    errors = [p.error for p in ocr if p.error]
    return Timed(wall, [p.text for p in ocr], mem.peak_rss, mem.peak_pss,
                 {"ocr_s": ocr_done - started, "package_s": wall - (ocr_done - started),
                  "pdf": result.pdf_path, "pdf_bytes": result.bytes,
                  "transmittal_bytes": transmittal.stat().st_size,
                  "zip_bytes": result.zip_bytes, "errors": errors})


# --- OCRmyPDF -------------------------------------------------------------------------

def ocrmypdf_bin() -> Path:
    return OCRMYPDF_VENV / "bin" / "ocrmypdf"


def ensure_ocrmypdf(log=print) -> str | None:
    """Install OCRmyPDF into bench/.venv-ocrmypdf if it is not there; None when ready, else why not."""
    if ocrmypdf_bin().exists():
        return None
    if shutil.which("gs") is None:
        return "ghostscript (apt package ghostscript) is not installed"
    log("installing OCRmyPDF into bench/.venv-ocrmypdf (once) ...")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(OCRMYPDF_VENV)], check=True,
                       capture_output=True)
        subprocess.run([str(OCRMYPDF_VENV / "bin" / "pip"), "install", "-q", "ocrmypdf"], check=True,
                       capture_output=True, timeout=900)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as e:
        shutil.rmtree(OCRMYPDF_VENV, ignore_errors=True)
        detail = getattr(e, "stderr", b"") or b""
        return f"pip install ocrmypdf failed: {detail.decode('utf-8', 'replace').strip()[-200:] or e}"
    return None if ocrmypdf_bin().exists() else "ocrmypdf is missing after pip install"


def ocrmypdf_version() -> str:
    out = subprocess.run([str(ocrmypdf_bin()), "--version"], capture_output=True, text=True)
    return out.stdout.strip()


def ocrmypdf_command(workers: int, langs: str) -> list[str]:
    return [str(ocrmypdf_bin()), "-l", langs, "-j", str(workers), "--deskew", "-q"]


def run_ocrmypdf(paths: list[Path], workers: int, langs: str, work: Path) -> Timed:
    """img2pdf of the PNGs, then OCRmyPDF with ``workers`` jobs; both inside the timing."""
    work.mkdir(parents=True, exist_ok=True)
    source, out = work / "scans.pdf", work / "ocrmypdf.pdf"
    with TreeSampler() as mem:
        started = time.perf_counter()
        subprocess.run([str(OCRMYPDF_VENV / "bin" / "img2pdf"), *map(str, paths), "-o", str(source)],
                       check=True, capture_output=True)
        done = subprocess.run([*ocrmypdf_command(workers, langs), str(source), str(out)],
                              capture_output=True, env=tess_env())
        wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"ocrmypdf exited {done.returncode}: "
                           f"{done.stderr.decode('utf-8', 'replace').strip()[-300:]}")
    return Timed(wall, [], mem.peak_rss, mem.peak_pss, {"pdf": out, "pdf_bytes": out.stat().st_size})


# --- what the results hold ------------------------------------------------------------

def pdftotext_pages(pdf: Path, raw: bool = False) -> list[str]:
    """Text of each page as ``pdftotext`` gives it (default mode unless ``raw``)."""
    cmd = ["pdftotext", *(["-raw"] if raw else []), "-enc", "UTF-8", str(pdf), "-"]
    out = subprocess.run(cmd, capture_output=True, check=True).stdout.decode("utf-8", "replace")
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def text_layer_cer(pdf: Path, truths: list[str], raw: bool = False, strict: bool = False) -> float:
    """CER of the last len(truths) pages' extracted text (the material pages) against the truth."""
    pages = pdftotext_pages(pdf, raw)[-len(truths):]
    return pooled_cer(zip(truths, pages), strict)


def package_page_images(pdf: Path, count: int, out: Path) -> list[Path]:
    """The image embedded in each of the last ``count`` pages, extracted as stored (no re-encoding)."""
    import pikepdf
    from pikepdf import PdfImage
    out.mkdir(parents=True, exist_ok=True)
    files = []
    with pikepdf.open(pdf) as doc:
        for i, page in enumerate(doc.pages[-count:], 1):
            images = list(page.images.values())
            if not images:
                continue
            files.append(Path(PdfImage(images[0]).extract_to(fileprefix=str(out / f"pkg-{i:03d}"))))
    return files


def image_bytes(pdf: Path, count: int) -> list[int]:
    """Bytes of the image stream on each of the last ``count`` pages (what the page costs)."""
    import pikepdf
    with pikepdf.open(pdf) as doc:
        return [sum(len(img.read_raw_bytes()) for img in page.images.values())
                for page in doc.pages[-count:]]


def image_dpi(pdf: Path, count: int) -> list[int]:
    """Resolution of the image on each of the last ``count`` pages (pixels over page width)."""
    import pikepdf
    out = []
    with pikepdf.open(pdf) as doc:
        for page in doc.pages[-count:]:
            width_pt = float(page.mediabox[2]) - float(page.mediabox[0])
            img = next(iter(page.images.values()))
            out.append(round(int(img.Width) / (width_pt / 72)))
    return out


def tesseract_texts(paths: list[Path], workers: int, langs: str, dpis: list[int]) -> list[str]:
    def one(item):
        path, dpi = item
        out = subprocess.run(["tesseract", str(path), "stdout", "-l", langs, "--dpi", str(dpi)],
                             capture_output=True, env=tess_env(), check=True)
        return out.stdout.decode("utf-8", "replace")
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(one, zip(paths, dpis)))


# --- the section ----------------------------------------------------------------------

def _median(values: list[float]) -> float:
    import statistics
    return statistics.median(values)


def measure(n_pages: int, workers: int, rounds: int, langs: str, cache: Path, tmp: Path,
            log=print) -> tuple[dict, dict]:
    """Rows 1-3 (and the app's own memory while it reads); (rows, facts for later sections)."""
    from bench.pages import GENERATOR, make_case, make_colour_pages
    from bench.report import Row, skipped
    from exports.package import PackageInfo, PackageMaterial, PackagePage, build_package
    from exports.signing import load_or_create_window_key
    from scanner.ocr_pool import OcrPool
    from scanner.pipeline import process_pages

    pages = make_case(cache / f"pages-g{GENERATOR}", n_pages)
    paths, truths = [p.path for p in pages], [p.truth for p in pages]
    colour = make_colour_pages(cache / f"pages-g{GENERATOR}")
    why_no_ocrmypdf = ensure_ocrmypdf(log)
    if why_no_ocrmypdf:
        log(f"note: OCRmyPDF skipped: {why_no_ocrmypdf}")
    key = load_or_create_window_key(tmp / "keys")
    runs: dict[str, list[Timed]] = {"plain": [], "app": [], "ocrmypdf": []}
    with OcrPool(workers) as pool:
        pool.warm(langs)
        # The window warms its workers at sign-in; one page per worker loads every model.
        list(process_pages([str(p) for p in paths[:workers]], langs=langs, job_dir=tmp / "warm",
                           pool=pool))
        for r in range(rounds):
            log(f"round {r + 1}/{rounds}: plain tesseract ...")
            runs["plain"].append(plain_tesseract(paths, workers, langs))
            log(f"round {r + 1}/{rounds}: app (cleanup, OCR, package) ...")
            runs["app"].append(app_pipeline(paths, langs, pool, tmp / f"app{r}", key))
            if not why_no_ocrmypdf:
                log(f"round {r + 1}/{rounds}: OCRmyPDF ...")
                try:
                    runs["ocrmypdf"].append(run_ocrmypdf(paths, workers, langs, tmp / f"om{r}"))
                except RuntimeError as e:
                    why_no_ocrmypdf = str(e)
                    log(f"note: {e}")
        colour_ocr = list(process_pages([str(p.path) for p in colour], langs=langs,
                                        job_dir=tmp / "colour-job", pool=pool))
    plain, app = runs["plain"][-1], runs["app"][-1]
    wall = {k: _median([t.wall for t in v]) for k, v in runs.items() if v}
    rows: dict[str, Row] = {}
    plain_cer = pooled_cer(zip(truths, plain.texts))
    rows["pipeline_vs_tesseract"] = Row("pipeline_vs_tesseract", wall["app"] / wall["plain"], wall["plain"])
    rows["pipeline_s"] = Row("pipeline_s", wall["app"], wall["plain"])
    ocr_s = _median([t.extra["ocr_s"] for t in runs["app"]])
    rows["ocr_vs_tesseract"] = Row("ocr_vs_tesseract", ocr_s / wall["plain"],
                                   _median([t.extra["package_s"] for t in runs["app"]]))
    rows["pipeline_cer"] = Row("pipeline_cer", pooled_cer(zip(truths, app.texts)), plain_cer)
    layer = text_layer_cer(app.extra["pdf"], truths)
    kb = (app.extra["pdf_bytes"] - app.extra["transmittal_bytes"]) / n_pages / 1000
    if runs["ocrmypdf"]:
        om = runs["ocrmypdf"][-1]
        rows["pipeline_vs_ocrmypdf"] = Row("pipeline_vs_ocrmypdf", wall["app"] / wall["ocrmypdf"],
                                           wall["ocrmypdf"])
        om_layer = text_layer_cer(om.extra["pdf"], truths)
        rows["text_layer_cer_ratio"] = Row("text_layer_cer_ratio", layer / plain_cer, om_layer / plain_cer)
        rows["text_layer_cer"] = Row("text_layer_cer", layer, om_layer)
        rows["bytes_per_page"] = Row("bytes_per_page", kb, om.extra["pdf_bytes"] / n_pages / 1000)
    else:
        note = f"OCRmyPDF skipped: {why_no_ocrmypdf}"
        rows["pipeline_vs_ocrmypdf"] = skipped("pipeline_vs_ocrmypdf", note)
        rows["text_layer_cer_ratio"] = Row("text_layer_cer_ratio", layer / plain_cer, None, note)
        rows["text_layer_cer"] = Row("text_layer_cer", layer, None, note)
        rows["bytes_per_page"] = Row("bytes_per_page", kb, None, note)
    log("Tesseract on the package's own page images ...")
    images = package_page_images(app.extra["pdf"], n_pages, tmp / "package-images")
    seen = tesseract_texts(images, workers, langs, image_dpi(app.extra["pdf"], n_pages))
    rows["package_image_cer_delta"] = Row("package_image_cer_delta",
                                          pooled_cer(zip(truths, seen)) - plain_cer, plain_cer)
    info = PackageInfo("BENCH-0002", "户口迁移", "本窗口", "属地", "bench")
    transmittal = transmittal_pdf(tmp / "colour-transmittal.pdf")
    material = PackageMaterial("彩色材料", [PackagePage(p.path, o) for p, o in zip(colour, colour_ocr)])
    res = build_package(info, transmittal, [material], tmp / "colour-package", key)
    rows["bytes_per_page_colour"] = Row(
        "bytes_per_page_colour", (res.bytes - transmittal.stat().st_size) / len(colour) / 1000,
        sum(p.path.stat().st_size for p in colour) / len(colour) / 1000,
        "source images packaged as they are: the intake pipeline keeps pages grey")
    rows["peak_rss_mb"] = Row("peak_rss_mb", app.peak_rss, app.peak_pss,
                              "bench process + OCR workers during the app run")
    facts = {"paths": paths, "plain_rss": plain.peak_rss, "walls": {k: [t.wall for t in v] for k, v in runs.items()},
             "ocrmypdf": ocrmypdf_version() if runs["ocrmypdf"] else why_no_ocrmypdf,
             "raw_layer_cer": text_layer_cer(app.extra["pdf"], truths, raw=True),
             "strict_cer (no NFKC folding): plain, app, package layer": (
                 pooled_cer(zip(truths, plain.texts), True), pooled_cer(zip(truths, app.texts), True),
                 text_layer_cer(app.extra["pdf"], truths, strict=True)),
             "app_errors": app.extra["errors"]}
    if runs["ocrmypdf"]:
        facts["ocrmypdf_raw_layer_cer"] = text_layer_cer(runs["ocrmypdf"][-1].extra["pdf"], truths, raw=True)
    return rows, facts
