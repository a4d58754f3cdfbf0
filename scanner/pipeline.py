"""Pages in, OcrPages out: each page goes to a worker as soon as the source yields it.

OCR of page 1 runs while page 2 is still being scanned. Results come back in page
order. Intermediate and cleaned page images live in a per-job temp folder.
"""
from __future__ import annotations

import atexit
import logging
import threading
from collections import deque
from concurrent.futures import CancelledError, Future, TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from PIL import Image

from forms import config, files
from forms.errors import OcrError
from forms.ocrdata import OcrPage

from .ocr import DEFAULT_LANGS, check_languages
from .ocr_pool import OcrPool, OcrSettings, PageJob, crashed_page, page_label, spooled

log = logging.getLogger(__name__)

Progress = Callable[[int, Optional[int], str], None]
_POLL = 0.2       # seconds between looks at the cancel flag while waiting for a page


class _Stop(Exception):
    """The caller cancelled: end the generator quietly."""


_shared: OcrPool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> OcrPool:
    """This process's long-lived pool (the window's): workers start once and keep Tesseract loaded.

    Closed when the process exits. ``process_pages(..., pool=shared_pool())`` uses it;
    ``shared_pool().warm(langs)`` at start-up makes the first import as quick as the rest.
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = OcrPool()
            atexit.register(_close_shared)
        return _shared


def _close_shared() -> None:
    global _shared
    with _shared_lock:
        pool, _shared = _shared, None
    if pool is not None:
        pool.cancel()
        pool.close()


def new_job_dir() -> Path:
    """A fresh private folder for one job's page images (in the data folder); the caller removes it."""
    return config.new_work_dir("ocr")


def _job(item, number: int) -> PageJob:
    """A PageJob from an AcquiredPage (scanner.sources), a PIL image or a file path."""
    image = getattr(item, "image", None)
    if isinstance(image, Image.Image):
        return PageJob(page_no=getattr(item, "index", number) or number, seq=number, image=image,
                       dpi=getattr(item, "dpi", None), warnings=list(getattr(item, "warnings", []) or []))
    if isinstance(item, Image.Image):
        return PageJob(page_no=number, seq=number, image=item)
    if isinstance(item, (str, Path)):
        return PageJob(page_no=number, seq=number, path=str(item))
    raise TypeError(f"cannot OCR a {type(item).__name__}")


def _cancelled(cancel) -> bool:
    return cancel is not None and cancel.is_set()


def _wait(future: Future, cancel, pool: OcrPool) -> OcrPage:
    while True:
        if _cancelled(cancel):
            raise _Stop()
        try:
            result = future.result(timeout=_POLL)
        except FutureTimeout:
            continue
        except CancelledError:
            raise _Stop() from None
        if isinstance(result, OcrPage):
            return result
        raise _Stop()          # the worker saw the pool's cancel flag


def _after_crash(entries: list[tuple[PageJob, Future]], settings: OcrSettings, cancel,
                 pool: OcrPool) -> Iterator[OcrPage]:
    """A worker died holding one of these pages: pages already read are kept, the others are
    read again one at a time, so that only the page that kills a worker fails."""
    log.warning("OCR worker died; re-reading up to %d page(s) one at a time", len(entries))
    pool.restart()
    for job, future in entries:
        if future.done() and not future.cancelled() and future.exception() is None:
            result = future.result()
            if isinstance(result, OcrPage):
                yield result
                continue
        try:
            yield _wait(pool.submit(job, settings), cancel, pool)
        except BrokenProcessPool:
            log.error("OCR worker died again on page %d", job.page_no)
            pool.restart()
            yield crashed_page(job, settings)


def process_pages(page_iterator: Iterable, progress: Progress | None = None, cancel=None,
                  langs: str = DEFAULT_LANGS, workers: int | None = None, *,
                  job_dir: Path | str | None = None, storage: str = "grey",
                  orientation: str = "auto", timeout: float = 120.0, reread: bool = True,
                  pool: OcrPool | None = None, max_in_flight: int | None = None,
                  crop: bool = True, deskew: bool = True) -> Iterator[OcrPage]:
    """Clean and OCR pages as they arrive; yields OcrPages in page order. Call from one worker thread.

    ``page_iterator`` yields AcquiredPages, PIL images or file paths. ``progress(done,
    total_or_None, what)`` is called from the iterating thread after each page (total is
    None until the source is exhausted). Once ``cancel.is_set()`` the generator stops
    quietly: pages already yielded stay with the caller, running Tesseracts are killed.
    A page that cannot be read comes back with ``error`` set; the run goes on. If the
    source itself fails, the pages it already gave are still read, then its error is raised.
    Cleaned images go to ``job_dir`` (a new temp folder if None; the caller removes it).
    ``pool`` lets a long-lived OcrPool be reused; otherwise one with ``workers``
    processes (default: one per core) lives for this call. ``reread=False`` skips the
    Chinese-only second look at words read as Latin (about 10 % faster, more misreads).
    """
    check_languages(langs)
    settings = OcrSettings(workdir=Path(job_dir) if job_dir else new_job_dir(), langs=langs,
                           storage=storage, orientation=orientation, timeout=timeout, reread=reread,
                           crop=crop, deskew=deskew, create_workdir=False)
    files.private_dir(settings.workdir)
    own_pool = pool is None
    if own_pool:
        pool = OcrPool(workers)
    job_id = pool.new_job()
    # Pages waiting in memory are bounded: a fast feeder must not fill RAM with images.
    limit = max_in_flight or 3 * pool.workers
    pending: deque[tuple[PageJob, Future]] = deque()
    done = 0

    def finished(page: OcrPage, total):
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total, f"{page_label(done)}识别完成")
        return page

    def next_pages() -> Iterator[OcrPage]:
        job, future = pending.popleft()
        try:
            yield _wait(future, cancel, pool)
        except BrokenProcessPool:
            entries = [(job, future)] + list(pending)
            pending.clear()
            yield from _after_crash(entries, settings, cancel, pool)

    source = iter(page_iterator)
    source_error = None
    stopped = True
    try:
        number = 0
        while True:
            if _cancelled(cancel):
                raise _Stop()
            try:
                item = next(source)
            except StopIteration:
                break
            except Exception as e:  # noqa: BLE001 - re-raised once the pages in hand are read
                source_error = e
                break
            number += 1
            # On disk at once: the parent holds no pixels while pages wait, and a scan
            # survives a worker dying with it.
            job = spooled(_job(item, number), settings.workdir)
            job.job_id = job_id
            try:
                pending.append((job, pool.submit(job, settings)))
            except BrokenProcessPool:
                pool.restart()
                pending.append((job, pool.submit(job, settings)))
            while pending and (pending[0][1].done() or len(pending) >= limit):
                for page in next_pages():
                    yield finished(page, None)
        total = done + len(pending)
        while pending:
            for page in next_pages():
                yield finished(page, total)
        stopped = False
    except _Stop:
        return
    except BrokenProcessPool as e:
        raise OcrError("识别进程意外退出，请重试") from e
    finally:
        if stopped:
            for _, future in pending:
                future.cancel()
            if own_pool:
                pool.cancel()
            else:
                pool.cancel_job(job_id)
        if own_pool:
            pool.close()
    if source_error is not None:
        raise source_error
