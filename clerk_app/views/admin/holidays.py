"""Holiday table (administrator): this window's holidays and make-up working days over the built-in calendar."""
from __future__ import annotations

import tkinter as tk
from datetime import date
from tkinter import filedialog

import ttkbootstrap as ttk

from clerk_app import dialogs
from clerk_app.widgets import labeled, table, ui_scale
from desk import admin
from forms import clock, deadlines
from forms.errors import InvalidInput
from forms.models import HolidayOverride

KINDS = {"holiday": "放假", "workday": "调休上班"}


class HolidaysView(ttk.Frame):
    def __init__(self, master, services):
        super().__init__(master, padding=(14, 10))
        self.services = services
        self.day = tk.StringVar()
        self.kind = tk.StringVar(value=KINDS["holiday"])
        self.name = tk.StringVar()
        self.days = tk.StringVar(value="5")
        self.answer = tk.StringVar()
        head = ttk.Frame(self)
        head.pack(fill="x", pady=(0, 8))
        ttk.Label(head, text="节假日与调休", style="Title.TLabel").pack(side="left")
        ttk.Label(head, text="此表优先于内置日历；国务院每年公布安排后在此补充或导入", bootstyle="secondary").pack(
            side="left", padx=12)
        ttk.Button(head, text="导入文件（JSON/CSV）…", bootstyle="secondary-outline", command=self.pick_import).pack(
            side="right")
        body = ttk.Frame(self)
        body.pack(fill="both", expand=True)
        self.tree = table(body, (("day", "日期", 120), ("wd", "星期", 60), ("kind", "类型", 90),
                                 ("name", "名称", 200), ("source", "来源", 260)), height=18)
        self.tree.container.pack(side="left", fill="both", expand=True)
        self.tree.bind("<Delete>", lambda e: self.delete())
        side = ttk.Frame(body, padding=(12, 0))
        side.pack(side="left", fill="y")
        add = ttk.Labelframe(side, text="添加或修改一天", padding=10)
        add.pack(fill="x")
        labeled(add, 0, "日期", ttk.Entry(add, textvariable=self.day, width=14), hint="YYYY-MM-DD")
        labeled(add, 1, "类型", ttk.Combobox(add, textvariable=self.kind, values=list(KINDS.values()),
                                            state="readonly", width=10))
        labeled(add, 2, "名称", ttk.Entry(add, textvariable=self.name, width=14), hint="如 春节")
        ttk.Button(add, text="保存这一天", bootstyle="success", command=self.add).grid(row=3, column=1, sticky="w",
                                                                                  pady=6)
        ttk.Button(side, text="删除所选 Del", bootstyle="danger-outline", command=self.delete).pack(anchor="w",
                                                                                                 pady=8)
        calc = ttk.Labelframe(side, text="期限试算", padding=10)
        calc.pack(fill="x", pady=(12, 0))
        labeled(calc, 0, "今天起", ttk.Spinbox(calc, from_=0, to=365, textvariable=self.days, width=6),
                hint="个工作日")
        ttk.Button(calc, text="计算", bootstyle="secondary-outline", command=self.calculate).grid(row=1, column=1,
                                                                                             sticky="w")
        ttk.Label(calc, textvariable=self.answer, wraplength=int(260 * ui_scale(self)), justify="left").grid(row=2, column=0,
                                                                                      columnspan=3, sticky="w")

    def on_show(self) -> None:
        self.fill()

    def refresh(self) -> None:
        self.fill()

    def fill(self) -> None:
        self.tree.delete(*self.tree.get_children())
        for o in HolidayOverride.select().order_by(HolidayOverride.day.desc()):
            self.tree.insert("", "end", iid=o.day.isoformat(), values=(
                o.day.isoformat(), "一二三四五六日"[o.day.weekday()], KINDS.get(o.kind, o.kind), o.name, o.source))

    def add(self) -> None:
        try:
            day = date.fromisoformat(self.day.get().strip())
        except ValueError:
            raise InvalidInput("日期格式应为 YYYY-MM-DD，如 2025-10-01") from None
        kind = next(k for k, v in KINDS.items() if v == self.kind.get())
        admin.set_holiday(self.services.clerk, day, kind, self.name.get().strip())
        self.fill()

    def delete(self) -> None:
        sel = self.tree.selection()
        if sel and dialogs.ask_yes_no(self, f"删除 {sel[0]} 的安排？", default_yes=False):
            admin.delete_holiday(self.services.clerk, date.fromisoformat(sel[0]))
            self.fill()

    def calculate(self) -> None:
        try:
            n = int(self.days.get())
        except ValueError:
            raise InvalidInput("请填写工作日天数") from None
        d = deadlines.due_after(clock.today(), n)
        self.answer.set(f"{n}个工作日后：\n{d.due:%Y年%m月%d日}（星期{'一二三四五六日'[d.due.weekday()]}）"
                        + (f"\n{d.warning}" if d.warning else ""))

    def pick_import(self) -> None:
        path = filedialog.askopenfilename(parent=self, title="导入节假日安排",
                                          filetypes=[("节假日文件", "*.json *.csv"), ("所有文件", "*")])
        if path:
            n = admin.import_holidays(self.services.clerk, path)
            dialogs.show_info(self, f"已导入 {n} 天的安排")
            self.fill()
