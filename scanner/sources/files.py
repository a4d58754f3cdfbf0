"""Pages from files the clerk picks: JPEG, PNG, BMP, multi-page TIFF, PDF.

A bad file does not stop the batch: its ``ImageError`` goes to ``errors`` (and
to ``on_error`` if given) and the next file is read.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Iterable, Iterator

from forms.errors import ImageError
from scanner import imageio
from scanner.sources.base import AcquiredPage, CancelFlag, Progress, cancelled, report

log = logging.getLogger(__name__)


def expand_paths(paths: Iterable) -> list[Path]:
    """Files in the given order; a folder stands for its supported files sorted by name."""
    result: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            result.extend(sorted((p for p in path.iterdir()
                                  if p.is_file() and p.suffix.lower() in imageio.SUFFIXES),
                                 key=lambda p: p.name))
        else:
            result.append(path)
    return result


class FileSource:
    """Pages of ``paths`` in order; ``errors`` lists the files that could not be read."""

    def __init__(self, paths: Iterable, dpi: int = imageio.DEFAULT_DPI,
                 on_error: Callable[[ImageError], None] | None = None, source: str = "file"):
        self.paths = expand_paths(paths)
        self.dpi = dpi               # PDF render dpi, and the dpi assumed for images without one
        self.on_error = on_error
        self.source = source
        self.errors: list[ImageError] = []

    def pages(self, progress: Progress | None = None,
              cancel: CancelFlag | None = None) -> Iterator[AcquiredPage]:
        """Yield each page of each file; progress counts files, not pages."""
        self.errors = []
        index = 0
        total = len(self.paths)
        for done, path in enumerate(self.paths):
            if cancelled(cancel):
                return
            report(progress, done, total, f"正在读取 {path.name}")
            try:
                for loaded in imageio.load_pages(path, self.dpi):
                    index += 1
                    yield page_from(loaded, path, index, self.source)
                    if cancelled(cancel):
                        return
            except ImageError as e:
                self._record(e)
        report(progress, total, total, f"已读取 {total} 个文件")

    def _record(self, error: ImageError) -> None:
        log.info("skipped file: %s", error)
        self.errors.append(error)
        if self.on_error is not None:
            self.on_error(error)


def page_from(loaded: imageio.LoadedPage, path: Path, index: int, source: str) -> AcquiredPage:
    """An AcquiredPage for one loaded page of a file."""
    return AcquiredPage(image=loaded.image, source=source, index=index, dpi=loaded.dpi,
                        file=str(path), page_in_file=loaded.page_in_file,
                        warnings=list(loaded.warnings))
