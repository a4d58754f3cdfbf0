"""Step 1: partner, item (name, code or pinyin initials) and how it is handled."""
from __future__ import annotations

import tkinter as tk

import ttkbootstrap as ttk

from clerk_app.itemsearch import rank_items
from clerk_app.views.wizard import Step
from clerk_app.widgets import select_first, table, ui_scale
from desk.inputs import items_signed_with
from forms.models import MaterialRequirement, Partner
from forms.workflow import Right


def _days(n: int) -> str:
    return f"{n} 个工作日" if n else "即办"


class ItemStep(Step):
    title = "事项"

    def __init__(self, master, services, wizard):
        super().__init__(master, services, wizard)
        self.partner_var = tk.StringVar()
        self.query = tk.StringVar()
        self.case_type = tk.StringVar()
        self.partners: dict[str, Partner] = {}
        self.items: dict[str, object] = {}
        self.signed: list = []
        self.create_choosers()
        self.create_results()
        self.create_detail()
        self.query.trace_add("write", lambda *a: self.filter())

    def create_choosers(self) -> None:
        top = ttk.Frame(self)
        top.pack(fill="x", pady=(0, 6))
        ttk.Label(top, text="属地（合作地区）").pack(side="left")
        self.partner_box = ttk.Combobox(top, textvariable=self.partner_var, state="readonly", width=34)
        self.partner_box.pack(side="left", padx=(6, 18))
        self.partner_box.bind("<<ComboboxSelected>>", lambda e: self.partner_changed())
        ttk.Label(top, text="查找事项").pack(side="left")
        self.search = ttk.Entry(top, textvariable=self.query, width=30)
        self.search.pack(side="left", padx=6)
        ttk.Label(top, text="名称、编码或拼音首字母（如 hkqy），↓ 进入列表", bootstyle="secondary").pack(side="left")
        self.search.bind("<Down>", lambda e: self.focus_results())
        self.search.bind("<Return>", lambda e: self.focus_results())
        self.partner_box.bind("<Return>", lambda e: self.search.focus_set())
        self.rights_note = ttk.Label(self, text="", bootstyle="danger")
        self.rights_note.pack(fill="x")

    def create_results(self) -> None:
        pane = ttk.Frame(self)
        pane.pack(fill="both", expand=True)
        self.left = ttk.Frame(pane)
        self.left.pack(side="left", fill="both", expand=True)
        self.tree = table(self.left, (("name", "事项名称", 300), ("code", "事项编码", 110),
                                      ("dept", "实施部门", 150), ("days", "承诺时限", 80)), height=14)
        self.tree.container.pack(fill="both", expand=True)
        self.tree.bind("<<TreeviewSelect>>", lambda e: self.show_detail())
        self.tree.bind("<Return>", lambda e: self.choose())
        self.tree.bind("<Double-1>", lambda e: self.choose())
        self.count_label = ttk.Label(self.left, text="", bootstyle="secondary")
        self.count_label.pack(anchor="w")
        self.pane = pane

    def create_detail(self) -> None:
        box = ttk.Labelframe(self.pane, text="办理方式与办事指南", padding=10, width=int(380 * ui_scale(self)))
        box.pack(side="left", fill="both", padx=(10, 0))
        box.pack_propagate(False)
        self.types_frame = ttk.Frame(box)
        self.types_frame.pack(fill="x")
        # Chinese has no spaces to break at: "word" wrapping left "2." alone on its line.
        self.detail = tk.Text(box, height=14, width=44, wrap="char", relief="flat", takefocus=False,
                              background=self.winfo_toplevel().cget("background"))
        self.detail.pack(fill="both", expand=True, pady=(8, 0))
        self.detail.tag_configure("hang", lmargin2=int(28 * ui_scale(self)))   # wrapped material lines stay indented

    # --- data ------------------------------------------------------------------------------

    def reset(self) -> None:
        self.query.set("")
        self.case_type.set("")

    def on_show(self) -> None:
        self.load_partners()
        locked = self.draft.case is not None
        for w in (self.partner_box, self.search):
            w.configure(state="disabled" if locked else ("readonly" if w is self.partner_box else "normal"))
        if locked:
            self.rights_note.configure(text="办件已保存，事项和属地不能再更改", bootstyle="secondary")
        self.filter()
        if self.draft.item is not None and self.draft.item.code in self.items:
            self.tree.selection_set(self.draft.item.code)
            self.tree.see(self.draft.item.code)
        (self.tree if locked else self.search).focus_set()

    def load_partners(self) -> None:
        partners = list(Partner.select().where(Partner.active).order_by(Partner.name))
        self.partners = {f"{p.name}（{p.code}）": p for p in partners}
        self.partner_box.configure(values=list(self.partners))
        current = self.draft.partner
        if current is None:
            last = self.services.prefs.get("last_partner")
            current = next((p for p in partners if p.code == last), partners[0] if partners else None)
        if current is not None:
            self.partner_var.set(f"{current.name}（{current.code}）")
            self.set_partner(current)

    def partner_changed(self) -> None:
        p = self.partners.get(self.partner_var.get())
        if p is not None:
            self.set_partner(p)
            self.services.prefs.set("last_partner", p.code)
            self.filter()
            self.search.focus_set()

    def set_partner(self, partner: Partner) -> None:
        if self.draft.partner is None or self.draft.partner.id != partner.id:
            self.draft.item = None
        self.draft.partner = partner
        self.signed = list(items_signed_with(partner))
        if self.draft.case is None:
            ok = self.services.can(Right.RECEIVE, partner)
            self.rights_note.configure(
                text="" if ok else f"您没有对{partner.name}的“收件受理权”，只能查看，不能收件。",
                bootstyle="danger")

    def filter(self) -> None:
        """Re-list the partner's items matching the search box (called on every keystroke)."""
        found = rank_items(self.query.get(), self.signed)
        self.tree.delete(*self.tree.get_children())
        self.items = {}
        for it in found:
            self.items[it.code] = it
            self.tree.insert("", "end", iid=it.code, values=(it.name, it.code, it.department,
                                                             _days(it.promised_days)))
        total = len(self.signed)
        self.count_label.configure(text=f"与该地区签约的事项 {total} 项，符合条件 {len(found)} 项")
        if found and (self.draft.item is None or self.draft.item.code not in self.items):
            select_first(self.tree)

    def focus_results(self) -> str:
        if not self.tree.selection():
            select_first(self.tree)
        self.tree.focus_set()
        return "break"

    def selected_item(self):
        sel = self.tree.selection()
        return self.items.get(sel[0]) if sel else None

    def show_detail(self) -> None:
        item = self.selected_item()
        for w in self.types_frame.winfo_children():
            w.destroy()
        self.detail.configure(state="normal")
        self.detail.delete("1.0", "end")
        if item is None:
            return
        ttk.Label(self.types_frame, text=item.name, font=("", 11, "bold"), wraplength=int(340 * ui_scale(self))).pack(anchor="w")
        types = list(item.case_types or [])
        if self.case_type.get() not in types:
            keep = self.draft.case_type if self.draft.item is not None and self.draft.item.id == item.id else ""
            self.case_type.set(keep if keep in types else ("异地代收代办" if "异地代收代办" in types
                                                          else (types[0] if types else "")))
        for t in types:
            ttk.Radiobutton(self.types_frame, text=t, value=t, variable=self.case_type).pack(anchor="w", pady=1)
        lines = [f"实施部门：{item.department}", f"通办范围：{item.scope}",
                 f"时限：承诺 {_days(item.promised_days)}，法定 {_days(item.legal_days)}",
                 f"收费：{item.fees or '不收费'}", "", "申请材料："]
        for m in item.materials.order_by(MaterialRequirement.seq):
            need = "必需" if m.required and not m.condition else (m.condition or "视情况")
            lines.append(f"  {m.seq}. {m.name}（{m.form} {m.copies} 份，{need}）")
        self.detail.insert("1.0", "\n".join(lines), ("hang",))
        self.detail.configure(state="disabled")

    def choose(self) -> None:
        """Take the selected item and move on (Enter in the list)."""
        if self.selected_item() is not None:
            self.wizard.next()

    # --- step protocol ---------------------------------------------------------------------

    def leave(self) -> bool:
        if self.draft.case is not None:
            return True
        item = self.selected_item()
        if item is None or self.draft.partner is None:
            self.wizard.hint.configure(text="请先选择属地和事项", bootstyle="warning")
            return False
        if not self.services.can(Right.RECEIVE, self.draft.partner):
            self.wizard.hint.configure(text=f"您没有对{self.draft.partner.name}的收件受理权", bootstyle="danger")
            return False
        if self.draft.item is None or self.draft.item.id != item.id:
            self.draft.materials = {}
        self.draft.item = item
        self.draft.case_type = self.case_type.get()
        return True

    def done(self) -> bool:
        return self.draft.item is not None
