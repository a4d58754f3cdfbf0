"""Tesseract inside the worker process, through libtesseract's C API: models load once.

The `tesseract` program loads its language models every time it starts: about 0.2 s
of CPU for chi_sim+eng, a fifth of a typical page. A worker that reads page after
page keeps one engine per language set instead, so that time is spent once per
worker, not once per page. It is the same library with the same settings as the
program (TSV, page segmentation mode, resolution), and it gives the same words and
boxes (tests/test_tessapi.py compares the two on real pages).

``engine_for(langs)`` returns this process's engine for a language set, or None when
the library cannot be used (not installed under a known name, or an old Tesseract);
scanner.ocr then runs the program, as it does when ``CLERK_OCR_ENGINE=program``.
Timeouts and cancellation work as with the program: a deadline and a cancel check
Tesseract itself consults after every word.
"""
from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import os
import threading
import time

import numpy as np
from PIL import Image

from forms.errors import Cancelled, OcrError

# Tesseract's TSV renderer writes this header before GetTsvText's rows.
TSV_HEADER = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\t"
              "left\ttop\twidth\theight\tconf\ttext\n")
_LIBRARY_NAMES = ("libtesseract.so.5", "libtesseract.so.4")

_CancelFunc = ctypes.CFUNCTYPE(ctypes.c_bool, ctypes.c_void_p, ctypes.c_int)

_lock = threading.Lock()
_library = None            # CDLL, or False once loading failed
_engines: dict[str, "Engine"] = {}


def _declare(lib) -> None:
    handle, text, integer = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    signatures = {
        "TessVersion": ([], text),
        "TessBaseAPICreate": ([], handle),
        "TessBaseAPIDelete": ([handle], None),
        "TessBaseAPIEnd": ([handle], None),
        "TessBaseAPIInit3": ([handle, text, text], integer),
        "TessBaseAPISetVariable": ([handle, text, text], ctypes.c_bool),
        "TessBaseAPISetPageSegMode": ([handle, integer], None),
        "TessBaseAPISetImage": ([handle, ctypes.c_void_p, integer, integer, integer, integer], None),
        "TessBaseAPISetSourceResolution": ([handle, integer], None),
        "TessBaseAPIRecognize": ([handle, ctypes.c_void_p], integer),
        "TessBaseAPIGetTsvText": ([handle, integer], ctypes.c_void_p),
        "TessBaseAPIClear": ([handle], None),
        "TessDeleteText": ([ctypes.c_void_p], None),
        "TessMonitorCreate": ([], ctypes.c_void_p),
        "TessMonitorDelete": ([ctypes.c_void_p], None),
        "TessMonitorSetCancelFunc": ([ctypes.c_void_p, _CancelFunc], None),
        "TessMonitorSetDeadlineMSecs": ([ctypes.c_void_p, integer], None),
    }
    for name, (args, result) in signatures.items():
        function = getattr(lib, name)
        function.argtypes = args
        function.restype = result


def library():
    """The loaded libtesseract (4.1 or 5), or None when it cannot be used here."""
    global _library
    with _lock:
        if _library is None:
            _library = False
            # OpenMP reads its thread limit when the library loads: one thread per worker.
            os.environ.setdefault("OMP_THREAD_LIMIT", "1")
            for name in _LIBRARY_NAMES + (ctypes.util.find_library("tesseract"),):
                if not name:
                    continue
                try:
                    lib = ctypes.CDLL(name)
                    _declare(lib)
                except (OSError, AttributeError):
                    continue
                version = lib.TessVersion().decode("ascii", "replace")
                if version.split(".")[0] in ("4", "5"):
                    _library = lib
                    break
        return _library or None


def wanted() -> bool:
    """False when the clerk's settings ask for the `tesseract` program instead (CLERK_OCR_ENGINE)."""
    return os.environ.get("CLERK_OCR_ENGINE", "library").strip().lower() != "program"


class Engine:
    """One Tesseract instance with its models loaded; reads one image at a time."""

    def __init__(self, lib, langs: str):
        self._lib = lib
        self.langs = langs
        self._lock = threading.Lock()
        self._api = lib.TessBaseAPICreate()
        if lib.TessBaseAPIInit3(self._api, None, langs.encode("ascii")) != 0:
            lib.TessBaseAPIDelete(self._api)
            self._api = None
            raise OcrError(f"Tesseract 无法载入语言包：{langs}")
        # Diagnostics ("Detected 12 diacritics") go nowhere, as they do with the program's
        # stderr captured; errors still reach our messages through return codes.
        lib.TessBaseAPISetVariable(self._api, b"debug_file", os.devnull.encode())

    def tsv(self, image: Image.Image, dpi: int = 300, psm: int = 3, timeout: float = 120.0,
            cancel=None, page_no: int = 1) -> str:
        """Tesseract's TSV (header included) for one image; OcrError on timeout, Cancelled on cancel."""
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        grey = image if image.mode == "L" else image.convert("L")
        pixels = np.ascontiguousarray(np.asarray(grey, dtype=np.uint8))
        height, width = pixels.shape
        lib = self._lib

        def stop(_cancel_this, _words) -> bool:
            return cancel is not None and cancel.is_set()

        callback = _CancelFunc(stop)
        with self._lock:
            if self._api is None:
                raise OcrError("识别引擎已关闭")
            monitor = lib.TessMonitorCreate()
            try:
                lib.TessMonitorSetCancelFunc(monitor, callback)
                lib.TessMonitorSetDeadlineMSecs(monitor, max(1, int(timeout * 1000)))
                lib.TessBaseAPISetPageSegMode(self._api, psm)
                lib.TessBaseAPISetImage(self._api, pixels.ctypes.data, width, height, 1, width)
                lib.TessBaseAPISetSourceResolution(self._api, int(dpi))
                started = time.monotonic()
                status = lib.TessBaseAPIRecognize(self._api, monitor)
                if cancel is not None and cancel.is_set():
                    raise Cancelled()
                if status != 0:
                    if time.monotonic() - started >= timeout * 0.9:
                        raise OcrError(f"第 {page_no} 页识别超时（超过 {timeout:g} 秒）")
                    raise OcrError(f"第 {page_no} 页：Tesseract 未能识别此页")
                pointer = lib.TessBaseAPIGetTsvText(self._api, 0)
                try:
                    body = ctypes.string_at(pointer).decode("utf-8", "replace") if pointer else ""
                finally:
                    if pointer:
                        lib.TessDeleteText(pointer)
            finally:
                lib.TessBaseAPIClear(self._api)
                lib.TessMonitorDelete(monitor)
        return TSV_HEADER + body

    def close(self) -> None:
        with self._lock:
            if self._api is not None:
                self._lib.TessBaseAPIEnd(self._api)
                self._lib.TessBaseAPIDelete(self._api)
                self._api = None


def engine_for(langs: str) -> Engine | None:
    """This process's engine for `langs` (created on first use), or None to use the program."""
    if not wanted():
        return None
    lib = library()
    if lib is None:
        return None
    with _lock:
        engine = _engines.get(langs)
        if engine is None:
            engine = _engines[langs] = Engine(lib, langs)
        return engine


@atexit.register
def close_all() -> None:
    """End every engine of this process (Tesseract then frees its models quietly)."""
    with _lock:
        engines = list(_engines.values())
        _engines.clear()
    for engine in engines:
        engine.close()
