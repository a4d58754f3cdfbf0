"""Small modal dialogs in Chinese: message, question, text input.

``TEST_MODE`` (IDLE's ``_utest``): dialogs are shown but ``wait_window`` is
skipped, every dialog is appended to ``SHOWN`` so a test can read and close it,
and questions take their answer from ``ANSWERS`` (first in, first out).
"""
from __future__ import annotations

import tkinter as tk

import ttkbootstrap as ttk

TEST_MODE = False
SHOWN: list["Dialog"] = []
ANSWERS: list = []

_KIND_STYLE = {"error": "danger", "warning": "warning", "info": "primary", "question": "primary"}
_KIND_MARK = {"error": "✖", "warning": "⚠", "info": "ℹ", "question": "?"}


class Dialog(ttk.Toplevel):
    """A modal dialog; ``result`` holds the chosen button's key (or the typed text)."""

    def __init__(self, parent, title: str, message: str, kind: str = "info",
                 buttons: tuple[tuple[str, str], ...] = (("ok", "确定 (Enter)"),),
                 default: str = "ok", entry: str | None = None, width: int = 460):
        super().__init__(title=title, transient=parent.winfo_toplevel(), resizable=(False, False))
        self.kind, self.message, self.result = kind, message, None
        self.configure(highlightthickness=1, highlightbackground="#adb5bd")   # visible edge without a WM frame
        self.entry_var = tk.StringVar(value=entry or "")
        body = ttk.Frame(self, padding=20)
        body.pack(fill="both", expand=True)
        ttk.Label(body, text=_KIND_MARK.get(kind, ""), font=("", 22, "bold"),
                  bootstyle=_KIND_STYLE.get(kind, "primary")).grid(row=0, column=0, sticky="n", padx=(0, 14))
        ttk.Label(body, text=message, wraplength=width, justify="left").grid(row=0, column=1, sticky="w")
        self.entry = None
        if entry is not None:
            self.entry = ttk.Entry(body, textvariable=self.entry_var, width=48)
            self.entry.grid(row=1, column=1, sticky="we", pady=(10, 0))
            self.entry.bind("<Return>", lambda e: self.choose(default))
        bar = ttk.Frame(self, padding=(20, 0, 20, 16))
        bar.pack(fill="x")
        self.buttons = {}
        for key, label in reversed(buttons):
            b = ttk.Button(bar, text=label, command=lambda k=key: self.choose(k),
                           bootstyle="primary" if key == default else "secondary-outline")
            b.pack(side="right", padx=(8, 0))
            self.buttons[key] = b
        cancel_key = "cancel" if "cancel" in self.buttons else ("no" if "no" in self.buttons else default)
        self.bind("<Escape>", lambda e: self.choose(cancel_key))
        if self.entry is None:
            self.bind("<Return>", lambda e: self.choose(default if self.focus_get() not in
                                                        self.buttons.values() else None))
        self.protocol("WM_DELETE_WINDOW", lambda: self.choose(cancel_key))
        self._place(parent)
        (self.entry or self.buttons[default]).focus_set()

    def _place(self, parent) -> None:
        self.update_idletasks()
        top = parent.winfo_toplevel()
        x = top.winfo_rootx() + max(0, (top.winfo_width() - self.winfo_reqwidth()) // 2)
        y = top.winfo_rooty() + max(0, (top.winfo_height() - self.winfo_reqheight()) // 3)
        self.geometry(f"+{x}+{y}")

    def choose(self, key: str | None) -> None:
        """Close with ``key`` as the result (None: the focused button handles Enter itself)."""
        if key is None:
            return
        self.result = (self.entry_var.get() if key != "cancel" else None) if self.entry is not None else key
        try:
            self.grab_release()
        except tk.TclError:
            pass
        self.destroy()

    def run(self):
        """Wait until closed and return the result (in TEST_MODE: return at once)."""
        SHOWN.append(self)
        if TEST_MODE:
            if ANSWERS:
                self.choose(ANSWERS.pop(0))
            return self.result
        try:
            self.grab_set()
        except tk.TclError:
            pass
        self.wait_window()
        return self.result


def show_error(parent, message: str, title: str = "提示") -> None:
    """An error the clerk must read: the message only, never a traceback."""
    Dialog(parent, title, message, kind="error").run()


def show_warning(parent, message: str, title: str = "请注意") -> None:
    Dialog(parent, title, message, kind="warning").run()


def show_info(parent, message: str, title: str = "完成") -> None:
    Dialog(parent, title, message, kind="info").run()


def ask_yes_no(parent, message: str, title: str = "请确认", yes: str = "是 (Enter)", no: str = "否 (Esc)",
               default_yes: bool = True) -> bool:
    """True when the clerk answers yes."""
    d = Dialog(parent, title, message, kind="question", buttons=(("yes", yes), ("no", no)),
               default="yes" if default_yes else "no")
    return d.run() == "yes"


def ask_text(parent, message: str, title: str = "请输入", initial: str = "") -> str | None:
    """A line of text, or None when cancelled."""
    d = Dialog(parent, title, message, kind="question",
               buttons=(("ok", "确定 (Enter)"), ("cancel", "取消 (Esc)")), entry=initial)
    result = d.run()
    return result.strip() if isinstance(result, str) else None


def close_all() -> None:
    """Close every dialog still open (tests)."""
    for d in SHOWN:
        try:
            if d.winfo_exists():
                d.destroy()
        except tk.TclError:
            pass
