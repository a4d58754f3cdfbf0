"""Background tasks of the window (clerk_app.worker): Tk objects die on the Tk thread."""
from __future__ import annotations

import queue
import sys
import threading
import time
import tkinter as tk
import weakref

from clerk_app.worker import Task


class _LingeringQueue(queue.Queue):
    """The worker thread stays a while after its last message, as a busy machine may make it."""

    def put(self, item, *args, **kwargs):
        super().put(item, *args, **kwargs)
        if item[0] in ("done", "error"):
            time.sleep(0.5)


def test_a_finished_task_frees_its_tk_variables_on_the_tk_thread(xvfb):
    root = tk.Tk()
    unraisable = []
    old_hook = sys.unraisablehook
    # Only the message: a kept traceback would keep the variable alive.
    sys.unraisablehook = lambda u: unraisable.append(f"{u.exc_type.__name__}: {u.exc_value}")
    try:
        freed_on = []
        variable = tk.StringVar(root, "张伟民")
        weakref.finalize(variable, lambda: freed_on.append(threading.current_thread().name))
        done = []
        task = Task(root, lambda ctx, v=variable: 3, title="读取", on_done=done.append)
        task.queue = _LingeringQueue()
        task.start()
        del variable, task                      # the window keeps no reference of its own
        deadline = time.monotonic() + 10
        while not freed_on and time.monotonic() < deadline:
            root.update()
            time.sleep(0.01)
        assert done == [3]
        assert freed_on == ["MainThread"]
        assert unraisable == []
    finally:
        sys.unraisablehook = old_hook
        root.destroy()
