"""Background work for the window: a thread per task, a queue, and after() polling.

The worker never touches a widget. It puts ``("progress" | "item" | "done" |
"error", payload)`` on a queue and the Tk thread drains it every POLL_MS in
small batches. Polling beats ``event_generate`` from another thread: Tk is not
thread-safe, and a burst of events from a fast worker would queue up behind
the clerk's keystrokes instead of being coalesced (Thonny polls for the same
reason).
"""
from __future__ import annotations

import logging
import queue
import threading
import tkinter as tk
import time
from typing import Any, Callable

from forms.errors import Cancelled

log = logging.getLogger(__name__)

POLL_MS = 30            # how often the Tk thread looks at the queue
BATCH_MS = 25           # at most this long handling messages per poll, so a flood never stalls the loop


class TaskContext:
    """Given to the worker function: report progress, emit items, check for cancel."""

    def __init__(self, q: queue.Queue, cancel: threading.Event):
        self._q = q
        self.cancel = cancel
        self._last_progress = 0.0

    def progress(self, done: int, total: int | None, what: str = "") -> None:
        """Report progress (worker thread); throttled to ~20 updates a second."""
        now = time.monotonic()
        if total is not None and done < total and now - self._last_progress < 0.05:
            return
        self._last_progress = now
        self._q.put(("progress", (done, total, what)))

    def emit(self, payload: Any) -> None:
        """Hand one result to the Tk thread as it becomes ready (a page, a thumbnail ...)."""
        self._q.put(("item", payload))

    def check(self) -> None:
        """Raise Cancelled if the clerk pressed cancel (worker thread)."""
        if self.cancel.is_set():
            raise Cancelled()


class Task:
    """One job: ``fn(ctx)`` runs on a worker thread inside a database connection context.

    Callbacks run on the Tk thread: ``on_progress(done, total, what)``,
    ``on_item(payload)``, ``on_done(result)``, ``on_error(exc)`` and finally
    ``on_finish()`` whatever happened.
    """

    def __init__(self, widget, fn: Callable[[TaskContext], Any], *, title: str = "",
                 on_done: Callable[[Any], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None,
                 on_progress: Callable[[int, int | None, str], None] | None = None,
                 on_item: Callable[[Any], None] | None = None,
                 on_finish: Callable[[], None] | None = None,
                 cancellable: bool = True):
        self.widget = widget
        self.fn = fn
        self.title = title
        self.on_done, self.on_error, self.on_progress = on_done, on_error, on_progress
        self.on_item, self.on_finish = on_item, on_finish
        self.cancellable = cancellable
        self.cancel_event = threading.Event()
        self.queue: queue.Queue = queue.Queue()
        self.finished = False
        self.result: Any = None
        self.error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "Task":
        """Start the worker and the polling (Tk thread)."""
        self._thread = threading.Thread(target=self._run, name=f"task:{self.title}", daemon=True)
        self._thread.start()
        self.widget.after(POLL_MS, self._poll)
        return self

    def cancel(self) -> None:
        """Ask the worker to stop at its next check (any thread)."""
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def _run(self) -> None:
        from forms.models import db_proxy
        ctx = TaskContext(self.queue, self.cancel_event)
        try:
            database = db_proxy.obj
            if database is not None:
                # peewee connections are per thread: this one is the worker's own.
                with database.connection_context():
                    result = self.fn(ctx)
            else:
                result = self.fn(ctx)
            self.queue.put(("done", result))
        except BaseException as e:  # noqa: BLE001 - every failure goes back to the Tk thread
            self.queue.put(("error", e))

    def _poll(self) -> None:
        try:
            if not self.widget.winfo_exists():
                self.cancel()
                return
        except Exception:   # the interpreter is gone: nothing to report to
            self.cancel()
            return
        until = time.monotonic() + BATCH_MS / 1000
        while time.monotonic() < until:
            try:
                kind, payload = self.queue.get_nowait()
            except queue.Empty:
                break
            if self._handle(kind, payload):
                self._hold_until_thread_ends()
                return
        self.widget.after(POLL_MS, self._poll)

    def _hold_until_thread_ends(self) -> None:
        """Keep this task alive until its worker thread has ended (Tk thread).

        The worker thread's last references (its target, its frame) go when it ends; if
        the window had already let go of the task, the task and the Tk variables its
        callbacks reach would be freed on that thread, and Tk refuses that ("main
        thread is not in main loop"). Held here, they are freed on the Tk thread.
        """
        if self._thread is not None and self._thread.is_alive():
            try:
                self.widget.after(POLL_MS, self._hold_until_thread_ends)
            except tk.TclError:
                pass            # the window is gone: nothing left to free on its thread

    def _handle(self, kind: str, payload) -> bool:
        """Dispatch one message on the Tk thread; True once the task is over."""
        if kind == "progress":
            if self.on_progress:
                self.on_progress(*payload)
            return False
        if kind == "item":
            if self.on_item:
                self.on_item(payload)
            return False
        self.finished = True
        try:
            if kind == "done":
                self.result = payload
                if self.on_done:
                    self.on_done(payload)
            else:
                self.error = payload
                if isinstance(payload, Cancelled) and not self.on_error:
                    log.info("task %s cancelled", self.title)
                elif self.on_error:
                    self.on_error(payload)
                else:
                    raise payload
        finally:
            if self.on_finish:
                self.on_finish()
        return True

    def join(self, timeout: float | None = None) -> None:
        """Wait for the worker thread (tests only; never on the Tk thread in the app)."""
        if self._thread is not None:
            self._thread.join(timeout)
