"""One page through cleanup and OCR, and the worker processes that do it in parallel.

``process_page`` is the whole job for one page and runs in any process. ``OcrPool``
runs it in one spawned worker per core; each worker keeps its Tesseract engine loaded
(scanner.tessapi) with ``OMP_THREAD_LIMIT=1``, and shares cancel flags with the parent
(the pool's, and one per job) so a cancelled page stops at Tesseract's next word
instead of running to its end. In-memory pages travel to workers as spool files
(``spooled``); a worker exits when its parent does.
"""
from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from PIL import Image, ImageOps

from forms import files
from forms.errors import Cancelled, ClerkError
from forms.ocrdata import OcrPage

from . import imageio
from .cleanup import CleanupContext, clean_page, detect_orientation, turn_saved_page
from .cleanup.blank import DARK_INK_RATIO
from .fields import extract_fields, field_warnings
from .ocr import (DEFAULT_LANGS, build_text, looks_turned, mean_confidence, parse_tsv,
                  read_tsv, reread_suspects)

LOW_CONFIDENCE = 50.0


@dataclass
class OcrSettings:
    """How every page of one job is cleaned and read; ``workdir`` is the job's temp folder."""

    workdir: Path
    langs: str = DEFAULT_LANGS
    storage: str = "grey"
    orientation: str = "auto"
    crop: bool = True
    deskew: bool = True
    target_dpi: int = 300
    timeout: float = 120.0
    reread: bool = True           # second look at Chinese misread as Latin (see scanner.ocr)
    create_workdir: bool = True   # False when the job's owner (process_pages) made workdir


@dataclass
class PageJob:
    """One page to process: an image in memory or a file.

    ``page_no`` names the page in warnings; ``seq`` (1.. within the job, unique) names its files.
    ``spool`` is the job-folder file an in-memory image travels to a worker in (OcrPool).
    """

    page_no: int
    seq: int = 0
    image: Image.Image | None = None
    path: str | None = None
    dpi: int | None = None
    warnings: list[str] = field(default_factory=list)
    spool: str | None = None
    job_id: int = 0               # the import this page belongs to (OcrPool.new_job)

    def load(self) -> Image.Image:
        """The page's pixels: from memory, from its spool file, or from the clerk's file."""
        if self.image is not None:
            return self.image
        if self.spool:
            with Image.open(self.spool) as spooled:
                spooled.load()
                return spooled.copy()
        return imageio.load_image(self.path)


def spooled(job: PageJob, workdir: Path) -> PageJob:
    """The job with its in-memory image written to an uncompressed TIFF in the job folder.

    Pages reach workers as files, not as pickles through the pool's pipe: an A4 scan
    is 9-26 MB, and a worker that dies with such a pickle half-sent would leave the
    pool unable to shut down. The file also keeps the scan safe on disk while it waits.
    """
    if job.image is None:
        return job
    files.private_dir(workdir)
    path = workdir / f"incoming-{job.seq or job.page_no:04d}.tif"
    image = job.image
    if image.getexif().get(0x0112, 1) != 1:
        image = ImageOps.exif_transpose(image)
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    dpi = image.info.get("dpi")
    partial = path.with_suffix(".part")
    try:
        image.save(partial, "TIFF", **({"dpi": dpi} if dpi else {}))
    except (OSError, ValueError, KeyError, TypeError):
        partial.unlink(missing_ok=True)
        return job                            # a mode TIFF cannot hold: send it pickled
    os.replace(partial, path)
    return replace(job, image=None, spool=str(path))


def page_label(page_no: int) -> str:
    """How warnings name a page: "第 3 页"."""
    return f"第 {page_no} 页"


def _read(image: Image.Image, settings: OcrSettings, page_no: int, cancel) -> list:
    tsv = read_tsv(image, settings.langs, settings.target_dpi, timeout=settings.timeout,
                   cancel=cancel, page_no=page_no)
    return parse_tsv(tsv)


def _upright(cleaned, words, ctx: CleanupContext, settings: OcrSettings, cancel):
    """Ask OSD about a page whose OCR looks turned; keep the turn only if it reads better."""
    degrees, confidence = detect_orientation(cleaned.path, ctx)
    if not degrees or confidence < ctx.osd_min_confidence:
        return cleaned, words
    turned = turn_saved_page(cleaned, degrees, ctx, suffix="-turned")
    turned_words = _read(turned.image, settings, ctx.page_no, cancel)
    if mean_confidence(turned_words) <= mean_confidence(words):
        turned.path.unlink(missing_ok=True)
        return cleaned, words
    os.replace(turned.path, cleaned.path)
    turned.path = cleaned.path
    return turned, turned_words


def process_page(job: PageJob, settings: OcrSettings, cancel=None) -> OcrPage:
    """Clean, OCR and read fields of one page; runs in any process. Raises Cancelled only."""
    label = page_label(job.page_no)
    warnings = list(job.warnings)
    ctx = CleanupContext(workdir=settings.workdir, page_no=job.page_no,
                         name=f"page-{job.seq or job.page_no:04d}", target_dpi=settings.target_dpi,
                         source_dpi=job.dpi, storage=settings.storage, crop=settings.crop,
                         deskew=settings.deskew, orientation=settings.orientation,
                         timeout=settings.timeout, create_workdir=settings.create_workdir)
    cleaned = None
    try:
        image = job.load()
        cleaned = clean_page(image, ctx, source_file=None if job.spool else job.path)
        if cleaned.blank:
            warnings.append(f"{label}疑似空白页，请核对（页面已保留，未删除）")
            return OcrPage(image_path=str(cleaned.path), width=cleaned.image.width,
                           height=cleaned.image.height, dpi=cleaned.dpi, warnings=warnings, blank=True)
        if cleaned.ink_ratio >= DARK_INK_RATIO:
            warnings.append(f"{label}几乎全黑，请检查扫描仪（盖板是否合上、灯管是否正常）后重新扫描此页")
        words = _read(cleaned.image, settings, job.page_no, cancel)
        if settings.orientation == "auto" and looks_turned(words):
            cleaned, words = _upright(cleaned, words, ctx, settings, cancel)
        if settings.reread:
            words = reread_suspects(cleaned.image, words, settings.langs, settings.target_dpi,
                                    timeout=settings.timeout, cancel=cancel, page_no=job.page_no)
    except Cancelled:
        raise
    except ClerkError as e:
        # A page that was cleaned but not read is still the clerk's page: keep its image.
        kept = cleaned.image.size if cleaned else (0, 0)
        return OcrPage(image_path=str(cleaned.path) if cleaned else "", width=kept[0], height=kept[1],
                       dpi=settings.target_dpi, warnings=warnings, error=str(e))
    text, _ = build_text(words)
    confidence = mean_confidence(words)
    fields = extract_fields(words)
    warnings += field_warnings(fields, label)
    if words and confidence < LOW_CONFIDENCE:
        warnings.append(f"{label}识别置信度较低（{confidence:.0f}），请对照原件核对")
    return OcrPage(image_path=str(cleaned.path), width=cleaned.image.width, height=cleaned.image.height,
                   dpi=cleaned.dpi, words=words, text=text, confidence=confidence, fields=fields,
                   warnings=warnings)


def crashed_page(job: PageJob, settings: OcrSettings) -> OcrPage:
    """What the clerk gets for a page whose worker died: the message, and the page itself.

    The page is the cleaned one if the worker got that far, else the scan as it came
    (saved as a grey PNG from its spool file or memory): never lost, only unread.
    """
    stem = f"page-{job.seq or job.page_no:04d}"
    saved = next((p for p in (settings.workdir / f"{stem}.png", settings.workdir / f"{stem}.jpg")
                  if p.exists()), None)
    if saved is None and (job.image is not None or job.spool):
        try:
            raw = job.load()
            saved = settings.workdir / f"{stem}.png"
            raw.convert("L").save(saved, dpi=(settings.target_dpi, settings.target_dpi))
        except (OSError, ValueError, ClerkError):
            saved = None
    if job.spool:
        Path(job.spool).unlink(missing_ok=True)
    width = height = 0
    if saved is not None:
        with Image.open(saved) as image:
            width, height = image.size
    return OcrPage(image_path=str(saved or ""), width=width, height=height,
                   dpi=settings.target_dpi, warnings=list(job.warnings),
                   error=f"{page_label(job.page_no)}识别时识别进程意外退出，请检查此页图像后重新导入")


_CANCEL = None            # in a worker: the pool's cancel Event
_CANCELLED_JOBS = None    # in a worker: the pool's ring of cancelled job ids
_RING = 16                # cancelled job ids remembered; more than ever run at once


class _JobCancel:
    """``is_set()`` inside a worker: the whole pool was cancelled, or this page's job was."""

    def __init__(self, job_id: int):
        self.job_id = job_id

    def is_set(self) -> bool:
        if _CANCEL is not None and _CANCEL.is_set():
            return True
        return bool(self.job_id) and _CANCELLED_JOBS is not None and self.job_id in _CANCELLED_JOBS[:]


def _exit_with_parent() -> None:
    """End this worker when the process that started it ends, however it ends.

    A window closed by SIGKILL (or a crash) never tells its workers to stop: each would
    wait for pages forever, holding its Tesseract models in memory.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _init_worker(cancel, cancelled_jobs) -> None:
    global _CANCEL, _CANCELLED_JOBS
    _CANCEL, _CANCELLED_JOBS = cancel, cancelled_jobs
    _exit_with_parent()
    # One core per worker: Tesseract's OpenMP and OpenCV's own threads would only fight
    # the other workers for the same cores.
    os.environ["OMP_THREAD_LIMIT"] = "1"
    import cv2
    cv2.setNumThreads(1)
    # Ctrl-C belongs to the parent, which cancels the pool; workers must not die mid-page.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # OCR is background work: the clerk's window (and the scanner feeding us) come first.
    # Tesseract children inherit the lower priority.
    try:
        os.nice(10)
    except OSError:
        pass


def _work(job: PageJob, settings: OcrSettings):
    cancel = _JobCancel(job.job_id)
    if cancel.is_set():
        return _CANCELLED           # queued before the cancel reached the pool
    try:
        page = process_page(job, settings, cancel)
    except Cancelled:
        return _CANCELLED
    if job.spool:
        Path(job.spool).unlink(missing_ok=True)     # kept until read, for a retry after a crash
    return page


def _warm(langs: str) -> None:
    """Load the OCR engine for `langs` in a worker, so the first page does not wait for it."""
    from . import tessapi
    tessapi.engine_for(langs)


_CANCELLED = "cancelled"


class OcrPool:
    """Worker processes for cleanup + OCR; use as a context manager, or close() when done.

    A pool may live as long as the window (see scanner.pipeline.shared_pool): its workers
    keep their Tesseract models loaded between imports. Each import is a job
    (``new_job``); cancelling one job (``cancel_job``) leaves the others running.
    """

    def __init__(self, workers: int | None = None):
        self.workers = max(1, int(workers or os.cpu_count() or 1))
        # spawn, not fork: the GUI process has threads and Tk, which fork would copy.
        context = multiprocessing.get_context("spawn")
        self._cancel = context.Event()
        self._cancelled_jobs = context.RawArray("q", _RING)
        self._context = context
        self._lock = threading.Lock()
        self._job_ids = itertools.count(1)
        self._next_slot = 0
        self._futures: dict[Future, int] = {}
        self._executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=self._context,
                                   initializer=_init_worker,
                                   initargs=(self._cancel, self._cancelled_jobs))

    def restart(self) -> None:
        """Fresh workers after one died (Tesseract crashed on a page, or the system killed it).

        Every page the old workers held is lost with them: their futures raise
        BrokenProcessPool and the caller submits those pages again. Does nothing while
        the workers are whole, so every job that saw the crash may call it.
        """
        with self._lock:
            if not getattr(self._executor, "_broken", True):
                return          # another job sharing this pool restarted it already
            old, self._executor = self._executor, self._new_executor()
        old.shutdown(wait=False, cancel_futures=True)

    def new_job(self) -> int:
        """An id for one import's pages, for ``PageJob.job_id`` and ``cancel_job``."""
        with self._lock:
            return next(self._job_ids)

    def warm(self, langs: str) -> None:
        """Start every worker and load its models now (returns at once; any thread)."""
        with self._lock:
            for _ in range(self.workers):
                self._executor.submit(_warm, langs)

    def submit(self, job: PageJob, settings: OcrSettings) -> Future:
        """Queue one page; the future's result is an OcrPage, or the string "cancelled"."""
        with self._lock:
            future = self._executor.submit(_work, spooled(job, settings.workdir), settings)
            self._futures[future] = job.job_id
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._futures.pop(future, None)

    def cancel_job(self, job_id: int) -> None:
        """Stop one job's pages: queued ones are dropped, running ones stop at the next word."""
        with self._lock:
            self._cancelled_jobs[self._next_slot] = job_id
            self._next_slot = (self._next_slot + 1) % _RING
            futures = [f for f, owner in self._futures.items() if owner == job_id]
        for future in futures:
            future.cancel()

    def cancel(self) -> None:
        """Stop every page: queued ones are dropped, running Tesseracts are killed; any thread."""
        self._cancel.set()
        with self._lock:
            futures = list(self._futures)
        for future in futures:
            future.cancel()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def close(self) -> None:
        """Wait for the workers to finish (or, once cancelled, drop) their pages and exit."""
        self._executor.shutdown(wait=True, cancel_futures=self.cancelled)

    def __enter__(self) -> "OcrPool":
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:
            self.cancel()
        self.close()
