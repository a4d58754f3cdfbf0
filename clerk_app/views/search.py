"""One box: a scanned barcode, case number, name, ID number, phone or tracking number."""
from __future__ import annotations

import tkinter as tk

import ttkbootstrap as ttk

from clerk_app.widgets import select_first, table
from forms import queries


class SearchView(ttk.Frame):
    """Type or scan, Enter searches; one hit opens directly, several are listed (Enter opens)."""

    def __init__(self, master, services):
        super().__init__(master, padding=(14, 10))
        self.services = services
        self.query = tk.StringVar()
        self.stale = False
        self.create_box()
        self.create_results()

    def create_box(self) -> None:
        row = ttk.Frame(self)
        row.pack(fill="x", pady=(0, 8))
        ttk.Label(row, text="查找办件", style="Title.TLabel").pack(side="left", padx=(0, 12))
        self.entry = ttk.Entry(row, textvariable=self.query, width=40, font=("", 13))
        self.entry.pack(side="left")
        self.entry.bind("<Return>", lambda e: self.search(open_single=True))
        self.entry.bind("<Down>", lambda e: (self.results.focus_set(), select_first(self.results), "break")[2])
        ttk.Button(row, text="查找 Enter", bootstyle="primary", command=lambda: self.search(True)).pack(
            side="left", padx=8)
        ttk.Label(row, text="办件号、姓名或名称、证件号码、电话、邮件号；可直接扫条码", bootstyle="secondary").pack(side="left")

    def create_results(self) -> None:
        self.results = table(self, (("case_no", "办件号", 170), ("status", "状态", 80), ("item", "事项", 260),
                                    ("type", "办理方式", 100), ("applicant", "申请人", 110), ("home", "属地", 150),
                                    ("received", "收件时间", 140), ("due", "承诺办结", 100)), height=18)
        self.results.container.pack(fill="both", expand=True)
        self.results.bind("<Return>", lambda e: self.open_selected())
        self.results.bind("<Double-1>", lambda e: self.open_selected())
        self.count = ttk.Label(self, text="", bootstyle="secondary")
        self.count.pack(anchor="w", pady=(4, 0))

    def on_show(self) -> None:
        if self.stale or not self.results.get_children():
            self.search(open_single=False)
        self.entry.focus_set()
        self.entry.select_range(0, "end")

    def mark_stale(self) -> None:
        self.stale = True

    def refresh(self) -> None:
        self.search(open_single=False)

    def search(self, open_single: bool = False) -> None:
        """Run the search (a quick indexed query); one exact hit opens the case."""
        text = self.query.get().strip()
        rows = [queries.case_row(c) for c in queries.search_cases(text)]
        self.results.delete(*self.results.get_children())
        for r in rows:
            self.results.insert("", "end", iid=r["case_no"], values=(
                r["case_no"], r["status_label"], r["item"], r["case_type"], r["applicant"], r["home"],
                r["received_at"][:16], r["due_date"] or "—"))
        self.stale = False
        self.count.configure(text=f"共 {len(rows)} 件" + ("" if text else "（最近收件）"))
        if open_single and text and len(rows) == 1:
            self.services.post("<<OpenCase>>", case_no=rows[0]["case_no"])
        elif rows and text:
            select_first(self.results)

    def open_selected(self) -> None:
        sel = self.results.selection()
        if sel:
            self.services.post("<<OpenCase>>", case_no=sel[0])
