"""The status line at the bottom: who is signed in, and the running task with its cancel button."""
from __future__ import annotations

import tkinter as tk

import ttkbootstrap as ttk


class TaskBar(ttk.Frame):
    """Progress of background tasks; Esc (or the button) cancels the newest one."""

    def __init__(self, master):
        super().__init__(master, padding=(10, 4))
        self.who = tk.StringVar(value="未登录")
        self.what = tk.StringVar(value="就绪")
        self.running: list = []
        ttk.Label(self, textvariable=self.who, bootstyle="secondary").pack(side="left")
        self.cancel_button = ttk.Button(self, text="取消 (Esc)", bootstyle="danger-outline",
                                        command=self.cancel_newest)
        self.bar = ttk.Progressbar(self, length=260, mode="determinate", bootstyle="success")
        self.label = ttk.Label(self, textvariable=self.what)
        self.label.pack(side="right", padx=(0, 8))

    def task_started(self, task) -> None:
        self.running.append(task)
        self.what.set(f"{task.title}…")
        self.bar.configure(value=0, mode="indeterminate")
        self.bar.start(20)
        self._show(task)

    def _show(self, task) -> None:
        self.label.pack_forget()
        if task.cancellable:
            self.cancel_button.pack(side="right")
        else:
            self.cancel_button.pack_forget()
        self.bar.pack(side="right", padx=8)
        self.label.pack(side="right", padx=(0, 8))

    def update_progress(self, task, done: int, total: int | None, what: str) -> None:
        if not self.running or task is not self.running[-1]:
            return
        if total:
            if str(self.bar.cget("mode")) != "determinate":
                self.bar.stop()
                self.bar.configure(mode="determinate")
            self.bar.configure(maximum=total, value=done)
        self.what.set(what or task.title)

    def task_finished(self, task) -> None:
        if task in self.running:
            self.running.remove(task)
        if self.running:
            self.what.set(f"{self.running[-1].title}…")
            self._show(self.running[-1])
            return
        self.bar.stop()
        self.bar.pack_forget()
        self.cancel_button.pack_forget()
        self.what.set("已取消" if task.cancelled else "就绪")

    def cancel_newest(self) -> bool:
        """Cancel the newest cancellable task; True if there was one."""
        for task in reversed(self.running):
            if task.cancellable and not task.cancelled:
                task.cancel()
                self.what.set(f"正在取消“{task.title}”…")
                return True
        return False
