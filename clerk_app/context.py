"""What every view is given: the signed-in clerk, preferences, tasks, errors, previews.

Built once by ``clerk_app.app`` and passed to each ``View(master, services)``.
Views never reach into each other; they post a virtual event with ``post`` and
app.py routes it.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from clerk_app.prefs import Prefs
from clerk_app.worker import Task, TaskContext

log = logging.getLogger(__name__)


class Services:
    """Shared context of the window (Tk thread only)."""

    def __init__(self, root, prefs: Prefs, show_error: Callable[[BaseException], None],
                 taskbar=None, preview: Callable | None = None):
        self.root = root
        self.prefs = prefs
        self._show_error = show_error
        self.taskbar = taskbar
        self._preview = preview
        self.clerk = None
        self.window = None
        self.payload: dict[str, Any] = {}   # data of the last posted virtual event
        self.tasks: list[Task] = []

    # --- errors and events -----------------------------------------------------------

    def show_error(self, exc: BaseException) -> None:
        """The one place errors are shown (Chinese message; unexpected ones logged)."""
        self._show_error(exc)

    def post(self, event: str, **payload) -> None:
        """Generate a virtual event on the root with ``payload`` readable by the handler."""
        self.payload = payload
        self.root.event_generate(event, when="tail")

    # --- rights ----------------------------------------------------------------------

    def can(self, right, partner=None) -> bool:
        """True when the signed-in clerk holds ``right`` for ``partner``."""
        from forms.workflow import has_right
        return self.clerk is not None and has_right(self.clerk, right, partner)

    @property
    def is_admin(self) -> bool:
        return bool(self.clerk is not None and self.clerk.is_admin)

    # --- background work -------------------------------------------------------------

    def run(self, fn: Callable[[TaskContext], Any], *, title: str, on_done=None, on_error=None,
            on_item=None, on_progress=None, on_finish=None, widget=None, show=True,
            cancellable: bool = True) -> Task:
        """Run ``fn(ctx)`` on a worker; progress shows in the task bar with a cancel button."""
        bar = self.taskbar if show else None

        def progress(done, total, what):
            if bar is not None:
                bar.update_progress(task, done, total, what)
            if on_progress:
                on_progress(done, total, what)

        def finish():
            self.tasks.remove(task)
            if bar is not None:
                bar.task_finished(task)
            if on_finish:
                on_finish()

        def error(exc):
            from forms.errors import Cancelled
            if on_error is not None:
                on_error(exc)
            elif not isinstance(exc, Cancelled):
                self.show_error(exc)

        task = Task(widget or self.root, fn, title=title, on_done=on_done, on_error=error,
                    on_progress=progress, on_item=on_item, on_finish=finish, cancellable=cancellable)
        self.tasks.append(task)
        if bar is not None:
            bar.task_started(task)
        return task.start()

    def busy(self) -> bool:
        return bool(self.tasks)

    # --- documents -------------------------------------------------------------------

    def preview(self, path: Path | str, title: str = "预览", print_kind: str = "a4") -> None:
        """Show a PDF inside the app before printing (pdf_preview)."""
        if self._preview is not None:
            self._preview(Path(path), title, print_kind)

    def print_file(self, path: Path | str, kind: str = "a4", on_done=None) -> Task:
        """Print on the remembered A4 or label printer, in a worker."""
        from exports import printing
        path = Path(path)
        printer = self.prefs.get("printer_label" if kind == "label" else "printer_a4") or None
        media = None
        if kind == "label":
            size = self.prefs.get("label_size")
            media = {"100x150": printing.MEDIA_LABEL_100x150, "76x130": printing.MEDIA_LABEL_76x130}.get(size)

        def job(ctx):
            ctx.progress(0, 1, f"正在打印 {path.name}")
            return printing.print_file(path, printer=printer, media=media)
        return self.run(job, title=f"打印 {path.name}", on_done=on_done, cancellable=False)
