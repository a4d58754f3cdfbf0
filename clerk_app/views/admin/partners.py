"""Partner directory (administrator): the jurisdictions this window receives for, and their signed items."""
from __future__ import annotations

import tkinter as tk

import ttkbootstrap as ttk

from clerk_app import dialogs
from clerk_app.widgets import entry_grid, select_first, table
from desk import admin
from forms import catalog
from forms.models import ServiceItem

FIELDS = (("code", "地区编码"), ("name", "名称"), ("region_code", "行政区划代码"), ("alliance", "所属联盟"),
          ("receiving_window", "收件窗口"), ("department", "审批部门"), ("address", "地址"),
          ("postcode", "邮政编码"), ("contact", "联系人"), ("phone", "电话"),
          ("agreement_start", "协议开始（YYYY-MM-DD）"), ("agreement_end", "协议结束"))


class PartnersView(ttk.Frame):
    def __init__(self, master, services):
        super().__init__(master, padding=(14, 10))
        self.services = services
        self.vars = {k: tk.StringVar() for k, _ in FIELDS}
        self.partner: dict | None = None
        head = ttk.Frame(self)
        head.pack(fill="x", pady=(0, 8))
        ttk.Label(head, text="合作地区", style="Title.TLabel").pack(side="left")
        ttk.Button(head, text="新增合作地区", bootstyle="primary-outline", command=self.new).pack(side="right")
        body = ttk.Frame(self)
        body.pack(fill="both", expand=True)
        left = ttk.Frame(body, width=380)
        left.pack(side="left", fill="y")
        left.pack_propagate(False)
        self.tree = table(left, (("name", "名称", 200), ("code", "编码", 90), ("n", "签约事项", 70)), height=20)
        self.tree.container.pack(fill="both", expand=True)
        self.tree.bind("<<TreeviewSelect>>", lambda e: self.load_selected())
        right = ttk.Frame(body)
        right.pack(side="left", fill="both", expand=True, padx=(12, 0))
        _form, self.entries = entry_grid(right, FIELDS, self.vars)
        ttk.Label(right, text="签约事项（可多选；Ctrl+单击 选择多项）", bootstyle="secondary").pack(anchor="w", pady=(8, 0))
        frame = ttk.Frame(right)
        frame.pack(fill="both", expand=True)
        self.items = tk.Listbox(frame, selectmode="extended", exportselection=False, height=10)
        sb = ttk.Scrollbar(frame, orient="vertical", command=self.items.yview)
        self.items.configure(yscrollcommand=sb.set)
        sb.pack(side="right", fill="y")
        self.items.pack(side="left", fill="both", expand=True)
        ttk.Button(right, text="保存 Ctrl+S", bootstyle="success", command=self.save).pack(anchor="e", pady=6)

    def shortcuts(self) -> dict:
        """Keys that act on this view while it is shown (dispatched by app.py)."""
        return {"<Control-s>": self.save}

    def on_show(self) -> None:
        self.codes = [(i.code, i.name) for i in ServiceItem.select().where(ServiceItem.current)
                      .order_by(ServiceItem.department, ServiceItem.name)]
        self.items.delete(0, "end")
        for code, name in self.codes:
            self.items.insert("end", f"{name}（{code}）")
        self.fill()

    def fill(self, select: str | None = None) -> None:
        self.data = {p["code"]: p for p in catalog.export_catalog()["partners"]}
        self.tree.delete(*self.tree.get_children())
        for code, p in self.data.items():
            self.tree.insert("", "end", iid=code, values=(p["name"], code, len(p["items"])))
        if select and self.tree.exists(select):
            self.tree.selection_set(select)
        elif self.partner is None:
            select_first(self.tree)

    def load_selected(self) -> None:
        sel = self.tree.selection()
        if sel:
            self.partner = dict(self.data[sel[0]])
            self.show()

    def show(self) -> None:
        p = self.partner or {}
        for key, _ in FIELDS:
            self.vars[key].set(p.get(key) or "")
        self.entries["code"].configure(state="disabled" if p.get("code") in getattr(self, "data", {}) else "normal")
        self.items.selection_clear(0, "end")
        signed = set(p.get("items") or [])
        for i, (code, _name) in enumerate(self.codes):
            if code in signed:
                self.items.selection_set(i)

    def new(self) -> None:
        self.partner = {"items": []}
        self.tree.selection_remove(*self.tree.selection())
        self.show()
        self.entries["code"].focus_set()

    def save(self) -> None:
        """Validate and store through forms.catalog (signed items replaced)."""
        if self.partner is None:
            return
        p = {k: self.vars[k].get().strip() or None for k, _ in FIELDS}
        p["items"] = [self.codes[i][0] for i in self.items.curselection()]
        result = admin.import_catalog(self.services.clerk, {"partners": [p]})
        dialogs.show_info(self, f"已保存“{p['name']}”。{result.summary()}")
        self.fill(select=p["code"])
