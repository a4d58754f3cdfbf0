"""Main window: for now the catalog and the cases, side by side in tabs."""
from __future__ import annotations

import logging
import tkinter as tk
from tkinter import messagebox

import ttkbootstrap as ttk

from forms import queries
from forms.errors import ClerkError
from forms.models import MaterialRequirement, ServiceItem
from forms.seed import this_window

log = logging.getLogger(__name__)


class CatalogView(ttk.Frame):
    """Items of the catalog with their materials."""

    def __init__(self, master):
        super().__init__(master, padding=8)
        self.create_tree()
        self.reload()

    def create_tree(self):
        cols = ("code", "department", "scope", "days")
        self.tree = ttk.Treeview(self, columns=cols, show="tree headings", height=20)
        self.tree.heading("#0", text="事项名称")
        for c, label, w in (("code", "事项编码", 160), ("department", "实施主体", 200),
                            ("scope", "通办范围", 90), ("days", "承诺/法定时限", 110)):
            self.tree.heading(c, text=label)
            self.tree.column(c, width=w, stretch=False)
        self.tree.column("#0", width=360)
        self.tree.pack(fill="both", expand=True)

    def reload(self):
        self.tree.delete(*self.tree.get_children())
        for item in ServiceItem.select().where(ServiceItem.current).order_by(ServiceItem.department, ServiceItem.name):
            node = self.tree.insert("", "end", text=item.name, values=(
                item.code, item.department, item.scope, f"{item.promised_days} / {item.legal_days} 个工作日"))
            for m in item.materials.order_by(MaterialRequirement.seq):
                flag = "必需" if m.required else (m.condition or "视情况")
                self.tree.insert(node, "end", text=f"{m.seq}. {m.name}", values=("", m.form, flag, f"{m.copies} 份"))


class CasesView(ttk.Frame):
    """Every case with its state; the search box takes a scanned barcode too."""

    def __init__(self, master):
        super().__init__(master, padding=8)
        self.query = tk.StringVar()
        self.create_search()
        self.create_tree()
        self.reload()

    def create_search(self):
        bar = ttk.Frame(self)
        bar.pack(fill="x", pady=(0, 6))
        ttk.Label(bar, text="查找（办件号/姓名/证件号/电话/邮件号）：").pack(side="left")
        entry = ttk.Entry(bar, textvariable=self.query, width=40)
        entry.pack(side="left", padx=4)
        entry.bind("<Return>", lambda e: self.reload())
        ttk.Button(bar, text="查找 (Enter)", command=self.reload).pack(side="left")

    def create_tree(self):
        cols = ("status", "item", "applicant", "home", "due")
        self.tree = ttk.Treeview(self, columns=cols, show="tree headings", height=20)
        self.tree.heading("#0", text="办件号")
        self.tree.column("#0", width=200)
        for c, label, w in (("status", "状态", 90), ("item", "事项", 260), ("applicant", "申请人", 120),
                            ("home", "属地", 160), ("due", "承诺办结", 110)):
            self.tree.heading(c, text=label)
            self.tree.column(c, width=w)
        self.tree.pack(fill="both", expand=True)

    def reload(self):
        self.tree.delete(*self.tree.get_children())
        try:
            rows = [queries.case_row(c) for c in queries.search_cases(self.query.get())]
        except ClerkError as e:
            messagebox.showerror("查找失败", str(e), parent=self)
            return
        for r in rows:
            self.tree.insert("", "end", text=r["case_no"], values=(
                r["status_label"], r["item"], r["applicant"], r["home"], r["due_date"] or "—"))


class ClerkApp:
    def __init__(self):
        self.root = ttk.Window(themename="cosmo")
        window = this_window()
        self.root.title(f"通办收件台 — {window.name if window else ''}")
        self.root.geometry("1280x720")
        self.root.report_callback_exception = self.report_error
        notebook = ttk.Notebook(self.root)
        notebook.pack(fill="both", expand=True, padx=8, pady=8)
        notebook.add(CasesView(notebook), text="办件")
        notebook.add(CatalogView(notebook), text="事项清单")

    def report_error(self, exc, val, tb):
        if isinstance(val, ClerkError):
            messagebox.showerror("提示", str(val), parent=self.root)
        else:
            log.error("unexpected error in the window", exc_info=(exc, val, tb))
            messagebox.showerror("内部错误", "内部错误，详见日志", parent=self.root)

    def run(self):
        self.root.mainloop()
