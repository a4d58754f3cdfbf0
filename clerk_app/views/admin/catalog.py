"""Catalog editor (administrator): items and their materials; import and export files.

Saving goes through desk.admin.import_catalog, so every check applies and a
changed item becomes a new version (cases keep the version they were received under).
"""
from __future__ import annotations

import copy
import tkinter as tk
from tkinter import filedialog

import ttkbootstrap as ttk

from clerk_app import dialogs
from clerk_app.itemsearch import rank_items
from clerk_app.widgets import entry_grid, labeled, select_first, table
from desk import admin
from forms import catalog
from forms.models import ServiceItem

ITEM_TEXT = (("code", "事项编码"), ("name", "事项名称"), ("department", "实施部门"), ("scope", "通办范围"),
             ("promised_days", "承诺时限（工作日）"), ("legal_days", "法定时限（工作日）"), ("fees", "收费"),
             ("basis", "设定依据"))
MAT_FLAGS = (("required", "必需"), ("verify_original", "核验原件"), ("forward_original", "原件随寄"),
             ("e_license_ok", "电子证照可替代"), ("rongque_ok", "可容缺"))


class CatalogView(ttk.Frame):
    def __init__(self, master, services):
        super().__init__(master, padding=(14, 10))
        self.services = services
        self.query = tk.StringVar()
        self.vars = {k: tk.StringVar() for k, _ in ITEM_TEXT}
        self.types = {t: tk.BooleanVar() for t in catalog.CASE_TYPES}
        self.mvars = {k: tk.StringVar() for k in ("name", "form", "copies", "condition", "note")}
        self.mflags = {k: tk.BooleanVar() for k, _ in MAT_FLAGS}
        self.item: dict | None = None
        self.create_toolbar()
        body = ttk.Frame(self)
        body.pack(fill="both", expand=True)
        self.create_list(body)
        self.create_form(body)
        self.query.trace_add("write", lambda *a: self.fill_list())

    def create_toolbar(self) -> None:
        bar = ttk.Frame(self)
        bar.pack(fill="x", pady=(0, 8))
        ttk.Label(bar, text="事项清单", style="Title.TLabel").pack(side="left")
        e = ttk.Entry(bar, textvariable=self.query, width=24)
        e.pack(side="left", padx=12)
        ttk.Label(bar, text="按名称、编码、拼音首字母筛选", bootstyle="secondary").pack(side="left")
        ttk.Button(bar, text="导出…", bootstyle="secondary-outline", command=self.export).pack(side="right")
        ttk.Button(bar, text="导入 JSON/Excel…", bootstyle="secondary-outline", command=self.pick_import).pack(
            side="right", padx=6)
        ttk.Button(bar, text="新增事项", bootstyle="primary-outline", command=self.new_item).pack(side="right")

    def create_list(self, body) -> None:
        left = ttk.Frame(body, width=360)
        left.pack(side="left", fill="y")
        left.pack_propagate(False)
        self.tree = table(left, (("name", "事项", 240), ("code", "编码", 90), ("v", "版本", 40)), height=20)
        self.tree.container.pack(fill="both", expand=True)
        self.tree.bind("<<TreeviewSelect>>", lambda e: self.load_selected())

    def create_form(self, body) -> None:
        right = ttk.Frame(body)
        right.pack(side="left", fill="both", expand=True, padx=(12, 0))
        form, self.entries = entry_grid(right, ITEM_TEXT, self.vars)
        types = ttk.Frame(form)
        for t, var in self.types.items():
            ttk.Checkbutton(types, text=t, variable=var).pack(side="left", padx=(0, 10))
        labeled(form, 4, "办理类型", types, span=3)
        ttk.Label(right, text="申请材料（选中一行在下方修改）", bootstyle="secondary").pack(anchor="w", pady=(6, 0))
        self.mats = table(right, (("name", "材料", 220), ("form", "形式", 60), ("copies", "份数", 40),
                                  ("need", "要求", 180), ("flags", "标记", 260)), height=6)
        self.mats.container.pack(fill="both", expand=True)
        self.mats.bind("<<TreeviewSelect>>", lambda e: self.load_material())
        edit = ttk.Frame(right)
        edit.pack(fill="x", pady=4)
        for c in (1, 3):
            edit.columnconfigure(c, weight=1)
        labeled(edit, 0, "材料名称", ttk.Entry(edit, textvariable=self.mvars["name"]))
        labeled(edit, 0, "形式", ttk.Combobox(edit, textvariable=self.mvars["form"], values=list(catalog.FORMS),
                                            state="readonly", width=8), column=2)
        labeled(edit, 1, "份数", ttk.Entry(edit, textvariable=self.mvars["copies"], width=6))
        labeled(edit, 1, "条件（非必需时）", ttk.Entry(edit, textvariable=self.mvars["condition"]), column=2)
        flags = ttk.Frame(edit)
        for k, label in MAT_FLAGS:
            ttk.Checkbutton(flags, text=label, variable=self.mflags[k]).pack(side="left", padx=(0, 10))
        labeled(edit, 2, "", flags, span=3)
        bar = ttk.Frame(right)
        bar.pack(fill="x")
        for text, fn in (("应用到所选材料", self.apply_material), ("添加为新材料", self.add_material),
                         ("删除所选材料", self.delete_material), ("上移", lambda: self.move_material(-1)),
                         ("下移", lambda: self.move_material(1))):
            ttk.Button(bar, text=text, bootstyle="secondary-outline", command=fn).pack(side="left", padx=(0, 4))
        ttk.Button(bar, text="保存事项 Ctrl+S", bootstyle="success", command=self.save).pack(side="right")

    def shortcuts(self) -> dict:
        """Keys that act on this view while it is shown (dispatched by app.py)."""
        return {"<Control-s>": self.save}

    # --- list -------------------------------------------------------------------------

    def on_show(self) -> None:
        self.fill_list()

    def fill_list(self) -> None:
        items = list(ServiceItem.select().where(ServiceItem.current).order_by(ServiceItem.department,
                                                                              ServiceItem.name))
        self.tree.delete(*self.tree.get_children())
        for it in rank_items(self.query.get(), items):
            self.tree.insert("", "end", iid=it.code, values=(it.name, it.code, it.version))
        if self.item is None:
            select_first(self.tree)

    def load_selected(self) -> None:
        sel = self.tree.selection()
        if not sel:
            return
        data = catalog.export_catalog()
        self.item = copy.deepcopy(next((i for i in data["items"] if i["code"] == sel[0]), None))
        self.show_item()

    def show_item(self) -> None:
        it = self.item or {}
        for key, _ in ITEM_TEXT:
            self.vars[key].set(str(it.get(key, "") if it.get(key) is not None else ""))
        self.entries["code"].configure(state="disabled" if it.get("version") else "normal")
        for t, var in self.types.items():
            var.set(t in (it.get("case_types") or []))
        self.fill_materials()

    def fill_materials(self, select: int | None = None) -> None:
        self.mats.delete(*self.mats.get_children())
        for i, m in enumerate((self.item or {}).get("materials", [])):
            need = "必需" if m.get("required") and not m.get("condition") else (m.get("condition") or "视情况")
            flags = "、".join(label for k, label in MAT_FLAGS[1:] if m.get(k))
            self.mats.insert("", "end", iid=str(i), values=(m["name"], m.get("form", ""), m.get("copies", 1),
                                                            need, flags))
        if select is not None and self.mats.exists(str(select)):
            self.mats.selection_set(str(select))

    # --- materials -------------------------------------------------------------------

    def material_index(self) -> int | None:
        sel = self.mats.selection()
        return int(sel[0]) if sel else None

    def load_material(self) -> None:
        i = self.material_index()
        if i is None or self.item is None:
            return
        m = self.item["materials"][i]
        for k in self.mvars:
            self.mvars[k].set("" if m.get(k) is None else str(m.get(k)))
        for k, _ in MAT_FLAGS:
            self.mflags[k].set(bool(m.get(k)))

    def material_from_form(self) -> dict:
        m = {k: self.mvars[k].get().strip() for k in self.mvars}
        m["condition"] = m["condition"] or None
        m["form"] = m["form"] or "复印件"
        m.update({k: var.get() for k, var in self.mflags.items()})
        return m

    def apply_material(self) -> None:
        i = self.material_index()
        if i is not None and self.item is not None:
            self.item["materials"][i] = self.material_from_form()
            self.fill_materials(i)

    def add_material(self) -> None:
        if self.item is not None:
            self.item.setdefault("materials", []).append(self.material_from_form())
            self.fill_materials(len(self.item["materials"]) - 1)

    def delete_material(self) -> None:
        i = self.material_index()
        if i is not None and self.item is not None:
            del self.item["materials"][i]
            self.fill_materials()

    def move_material(self, step: int) -> None:
        i = self.material_index()
        if i is None or self.item is None:
            return
        mats = self.item["materials"]
        j = i + step
        if 0 <= j < len(mats):
            mats[i], mats[j] = mats[j], mats[i]
            self.fill_materials(j)

    # --- save, import, export -------------------------------------------------------

    def new_item(self) -> None:
        self.item = {"code": "", "name": "", "case_types": ["异地代收代办"], "materials": []}
        self.tree.selection_remove(*self.tree.selection())
        self.show_item()
        self.entries["code"].focus_set()

    def save(self) -> None:
        """Validate and store the item (a new version when it changed)."""
        if self.item is None:
            return
        item = dict(self.item)
        item.pop("version", None)
        for key, _ in ITEM_TEXT:
            item[key] = self.vars[key].get().strip()
        item["case_types"] = [t for t, v in self.types.items() if v.get()]
        result = admin.import_catalog(self.services.clerk, {"items": [item]})
        dialogs.show_info(self, f"已保存“{item['name']}”。{result.summary()}")
        self.item = None
        self.fill_list()
        if self.tree.exists(item["code"]):
            self.tree.selection_set(item["code"])
            self.tree.see(item["code"])

    def pick_import(self) -> None:
        path = filedialog.askopenfilename(parent=self, title="导入事项清单",
                                          filetypes=[("事项清单", "*.json *.xlsx"), ("所有文件", "*")])
        if path:
            self.import_file(path)

    def import_file(self, path) -> None:
        def done(result):
            dialogs.show_info(self, f"导入完成：{result.summary()}")
            self.fill_list()
        clerk = self.services.clerk
        self.services.run(lambda ctx: admin.import_catalog_file(clerk, path), title="导入事项清单",
                          on_done=done, cancellable=False)

    def export(self) -> None:
        path = filedialog.asksaveasfilename(parent=self, title="导出事项清单", defaultextension=".xlsx",
                                            filetypes=[("Excel", "*.xlsx"), ("JSON", "*.json")])
        if path:
            self.services.run(lambda ctx: catalog.write_file(catalog.export_catalog(), path), title="导出事项清单",
                              on_done=lambda p: dialogs.show_info(self, f"已导出到 {p}"), cancellable=False)
