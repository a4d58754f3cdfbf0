"""Small building blocks shared by the views: form rows, checked ID entries, tables."""
from __future__ import annotations

import tkinter as tk

import ttkbootstrap as ttk

from forms import identifiers


def focus_next(event) -> str:
    """Enter moves on: focus the next widget in tab order."""
    nxt = event.widget.tk_focusNext()
    if nxt is not None:
        nxt.focus_set()
        if isinstance(nxt, (tk.Entry, ttk.Entry)):
            nxt.select_range(0, "end")
    return "break"


def enter_moves_on(*widgets) -> None:
    """Bind Enter on each widget to move focus on, like Tab."""
    for w in widgets:
        w.bind("<Return>", focus_next)
        w.bind("<KP_Enter>", focus_next)


def labeled(parent, row: int, label: str, widget, column: int = 0, hint: str = "", span: int = 1):
    """Put ``label`` and ``widget`` on one grid row (label right-aligned); returns the widget."""
    ttk.Label(parent, text=label).grid(row=row, column=column, sticky="e", padx=(0, 8), pady=4)
    widget.grid(row=row, column=column + 1, columnspan=span, sticky="we", pady=4)
    if hint:
        ttk.Label(parent, text=hint, bootstyle="secondary").grid(
            row=row, column=column + 1 + span, sticky="w", padx=(8, 0))
    return widget


def entry_grid(parent, fields, variables: dict):
    """Label/entry pairs two to a row in a new frame packed into ``parent``; returns (frame, entries by key)."""
    form = ttk.Frame(parent)
    form.pack(fill="x")
    for c in (1, 3):
        form.columnconfigure(c, weight=1)
    entries = {}
    for i, (key, label) in enumerate(fields):
        r, c = divmod(i, 2)
        entries[key] = labeled(form, r, label, ttk.Entry(form, textvariable=variables[key]), column=c * 2)
    return form, entries


class CheckedEntry(ttk.Frame):
    """An entry whose number is checked as typed (check digit, birth date ...).

    ``kind`` is a forms.identifiers kind or a callable returning one; the
    result line below turns green or red. ``result`` holds the last IdCheck.
    """

    def __init__(self, master, variable: tk.StringVar, kind, width: int = 28, optional: bool = False):
        super().__init__(master)
        self.variable, self.kind, self.optional = variable, kind, optional
        self.result = None
        self.entry = ttk.Entry(self, textvariable=variable, width=width)
        self.entry.pack(fill="x")
        self.note = ttk.Label(self, text="", bootstyle="secondary", font=("", 9))
        self.note.pack(fill="x")
        variable.trace_add("write", lambda *a: self.check())

    def current_kind(self):
        return self.kind() if callable(self.kind) else self.kind

    def check(self):
        """Check the current text; returns the IdCheck (or None when empty)."""
        text = self.variable.get().strip()
        if not text:
            self.result = None
            self.note.configure(text="" if self.optional else "必填", bootstyle="secondary")
            return None
        kind = self.current_kind()
        self.result = identifiers.check(text, kind)
        r = self.result
        if r.valid:
            parts = ["✔ 校验通过"]
            if r.info.get("birth_date"):
                parts.append(f"出生 {r.info['birth_date']}")
            if r.info.get("sex"):
                parts.append(str(r.info["sex"]))
            if r.info.get("region"):
                parts.append(str(r.info["region"]))
            text = "，".join(parts) + ("；" + "；".join(r.warnings) if r.warnings else "")
            self.note.configure(text=text, bootstyle="warning" if r.warnings else "success")
        else:
            self.note.configure(text="✖ " + (r.error or "号码有误"), bootstyle="danger")
        return r

    def focus_set(self):
        self.entry.focus_set()


def ui_scale(widget) -> float:
    """How much larger than at 96 dpi things are drawn (Tk's scaling; 1.0 on common window PCs)."""
    try:
        return max(1.0, float(widget.tk.call("tk", "scaling")) / (96 / 72))
    except Exception:  # noqa: BLE001 - a scaling query must never stop a view from opening
        return 1.0


def table(parent, columns: tuple[tuple[str, str, int], ...], height: int = 10, show_tree: bool = False,
          selectmode: str = "browse") -> ttk.Treeview:
    """A Treeview with headings and a vertical scrollbar packed into ``parent``.

    ``columns``: (key, heading, width) triples; with ``show_tree`` the first triple is column #0.
    """
    frame = ttk.Frame(parent)
    keys = [c[0] for c in columns[1:]] if show_tree else [c[0] for c in columns]
    tree = ttk.Treeview(frame, columns=keys, show="tree headings" if show_tree else "headings",
                        height=height, selectmode=selectmode)
    scale = ui_scale(tree)
    for i, (key, heading, width) in enumerate(columns):
        cid = "#0" if (show_tree and i == 0) else key
        width = int(width * scale)
        tree.heading(cid, text=heading, anchor="w")
        tree.column(cid, width=width, stretch=(i == len(columns) - 1) or width >= 200, anchor="w")
    ys = ttk.Scrollbar(frame, orient="vertical", command=tree.yview)
    tree.configure(yscrollcommand=ys.set)
    ys.pack(side="right", fill="y")
    tree.pack(side="left", fill="both", expand=True)
    tree.container = frame
    return tree


def select_first(tree: ttk.Treeview) -> None:
    """Select and focus the first row, so arrow keys work at once."""
    rows = tree.get_children()
    if rows:
        tree.selection_set(rows[0])
        tree.focus(rows[0])


def section(parent, title: str, padding=10) -> ttk.Labelframe:
    return ttk.Labelframe(parent, text=title, padding=padding)
