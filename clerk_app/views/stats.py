"""Statistics with charts drawn on Tk canvases: states, items, partners, daily intake, deadlines."""
from __future__ import annotations

import tkinter as tk

import ttkbootstrap as ttk

from forms import casestats as statsdata

PALETTE = ("#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#dc3545", "#0dcaf0", "#6c757d")


def draw_hbars(canvas: tk.Canvas, data: list[tuple[str, int]], color: str = PALETTE[0]) -> None:
    """Horizontal bars with the label on the left and the value at the end."""
    canvas.delete("all")
    w, h = max(canvas.winfo_width(), 200), max(canvas.winfo_height(), 120)
    if not data:
        canvas.create_text(w // 2, h // 2, text="暂无数据", fill="#6c757d")
        return
    label_w = min(200, max(60, max(len(k) for k, _ in data) * 13 + 10))
    top, row_h = 8, min(28, (h - 16) // len(data))
    peak = max(v for _, v in data) or 1
    for i, (label, value) in enumerate(data):
        y = top + i * row_h
        text = label if len(label) <= 14 else label[:13] + "…"
        canvas.create_text(label_w - 6, y + row_h / 2, text=text, anchor="e", font=("", 9))
        length = (w - label_w - 50) * value / peak
        canvas.create_rectangle(label_w, y + 4, label_w + max(2, length), y + row_h - 4, fill=color, width=0)
        canvas.create_text(label_w + length + 6, y + row_h / 2, text=str(value), anchor="w", font=("", 9))


def draw_vbars(canvas: tk.Canvas, data: list[tuple[str, int]], color: str = PALETTE[1]) -> None:
    """Vertical bars over time, a label every few bars."""
    canvas.delete("all")
    w, h = max(canvas.winfo_width(), 200), max(canvas.winfo_height(), 120)
    if not data or not any(v for _, v in data):
        canvas.create_text(w // 2, h // 2, text="暂无数据", fill="#6c757d")
        return
    left, bottom, top = 30, h - 22, 10
    peak = max(v for _, v in data) or 1
    step = (w - left - 10) / len(data)
    canvas.create_line(left, bottom, w - 10, bottom, fill="#adb5bd")
    canvas.create_text(left - 4, top, text=str(peak), anchor="ne", font=("", 8))
    every = max(1, len(data) // 8)
    for i, (label, value) in enumerate(data):
        x = left + i * step
        bar_h = (bottom - top) * value / peak
        canvas.create_rectangle(x + 1, bottom - bar_h, x + max(2, step - 2), bottom, fill=color, width=0)
        if i % every == 0 or i == len(data) - 1:
            canvas.create_text(x + step / 2, bottom + 4, text=label, anchor="n", font=("", 8))


class StatsView(ttk.Frame):
    """Four charts for the chosen period; F5 refreshes."""

    def __init__(self, master, services):
        super().__init__(master, padding=(14, 10))
        self.services = services
        self.period = tk.StringVar(value="近 30 天")
        head = ttk.Frame(self)
        head.pack(fill="x", pady=(0, 8))
        ttk.Label(head, text="统计", style="Title.TLabel").pack(side="left")
        box = ttk.Combobox(head, textvariable=self.period, values=list(statsdata.PERIODS), state="readonly", width=10)
        box.pack(side="left", padx=12)
        box.bind("<<ComboboxSelected>>", lambda e: self.refresh())
        self.total = ttk.Label(head, text="", bootstyle="secondary")
        self.total.pack(side="left")
        grid = ttk.Frame(self)
        grid.pack(fill="both", expand=True)
        self.charts = {}
        for i, (key, title) in enumerate((("status", "办件状态"), ("daily", "每日收件"),
                                          ("items", "事项（前 8）"), ("deadline", "办理时限"),
                                          ("partners", "属地（前 8）"))):
            frame = ttk.Labelframe(grid, text=title, padding=4)
            r, c = divmod(i, 2)
            frame.grid(row=r, column=c, sticky="nsew", padx=4, pady=4,
                       columnspan=2 if i == 4 else 1)
            grid.rowconfigure(r, weight=1)
            grid.columnconfigure(c, weight=1, uniform="g")
            canvas = tk.Canvas(frame, height=150, background="white", highlightthickness=0)
            canvas.pack(fill="both", expand=True)
            canvas.bind("<Configure>", lambda e: self.redraw())
            self.charts[key] = canvas
        self.data = {}

    def on_show(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        days = statsdata.PERIODS[self.period.get()]
        cases = statsdata.cases_in(self.services.window, days)
        self.data = {"status": statsdata.by_status(cases), "items": statsdata.by_item(cases),
                     "partners": statsdata.by_partner(cases), "deadline": statsdata.deadlines(cases),
                     "daily": statsdata.per_day(cases, min(days or 30, 60))}
        self.total.configure(text=f"共 {len(cases)} 件")
        self.redraw()

    def redraw(self) -> None:
        if not self.data:
            return
        draw_hbars(self.charts["status"], self.data["status"], PALETTE[0])
        draw_hbars(self.charts["items"], self.data["items"], PALETTE[3])
        draw_hbars(self.charts["partners"], self.data["partners"], PALETTE[4])
        draw_hbars(self.charts["deadline"], self.data["deadline"], PALETTE[2])
        draw_vbars(self.charts["daily"], self.data["daily"], PALETTE[1])
