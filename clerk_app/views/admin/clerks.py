"""Clerks and rights (administrator): accounts, passwords and the four 授权信任 rights per partner."""
from __future__ import annotations

import tkinter as tk

import ttkbootstrap as ttk

from clerk_app import dialogs
from clerk_app.widgets import labeled, select_first, table, ui_scale
from desk import admin
from forms.models import Clerk, ClerkRight, Partner
from forms.workflow import Right

ALL = "全部合作地区"


class ClerksView(ttk.Frame):
    def __init__(self, master, services):
        super().__init__(master, padding=(14, 10))
        self.services = services
        self.username, self.name, self.password = tk.StringVar(), tk.StringVar(), tk.StringVar()
        self.is_admin = tk.BooleanVar()
        self.right = tk.StringVar(value=Right.RECEIVE.label)
        self.partner = tk.StringVar(value=ALL)
        ttk.Label(self, text="工作人员与权限", style="Title.TLabel").pack(anchor="w", pady=(0, 8))
        body = ttk.Frame(self)
        body.pack(fill="both", expand=True)
        left = ttk.Frame(body, width=460)
        left.pack(side="left", fill="y")
        left.pack_propagate(False)
        self.tree = table(left, (("username", "账号", 90), ("name", "姓名", 80), ("role", "角色", 70),
                                 ("state", "状态", 60), ("pw", "密码", 70)), height=10)
        self.tree.container.pack(fill="both", expand=True)
        self.tree.bind("<<TreeviewSelect>>", lambda e: self.fill_rights())
        bar = ttk.Frame(left)
        bar.pack(fill="x", pady=6)
        ttk.Button(bar, text="设置密码…", bootstyle="secondary-outline", command=self.set_password).pack(side="left")
        ttk.Button(bar, text="停用/启用", bootstyle="secondary-outline", command=self.toggle_active).pack(
            side="left", padx=6)
        new = ttk.Labelframe(left, text="新增工作人员", padding=10)
        new.pack(fill="x")
        new.columnconfigure(1, weight=1)
        labeled(new, 0, "账号", ttk.Entry(new, textvariable=self.username))
        labeled(new, 1, "姓名", ttk.Entry(new, textvariable=self.name))
        labeled(new, 2, "初始密码", ttk.Entry(new, textvariable=self.password, show="•"), hint="至少 6 位")
        ttk.Checkbutton(new, text="管理员", variable=self.is_admin).grid(row=3, column=1, sticky="w")
        ttk.Button(new, text="新增", bootstyle="success", command=self.create).grid(row=4, column=1, sticky="w",
                                                                                  pady=6)
        right = ttk.Frame(body)
        right.pack(side="left", fill="both", expand=True, padx=(12, 0))
        self.rights_title = ttk.Label(right, text="权限", font=("", 11, "bold"))
        self.rights_title.pack(anchor="w")
        self.rights = table(right, (("right", "权限", 160), ("partner", "适用地区", 300)), height=10)
        self.rights.container.pack(fill="both", expand=True)
        grant = ttk.Frame(right, padding=(0, 6))
        grant.pack(fill="x")
        ttk.Combobox(grant, textvariable=self.right, values=[r.label for r in Right], state="readonly",
                     width=14).pack(side="left")
        self.partner_box = ttk.Combobox(grant, textvariable=self.partner, state="readonly", width=28)
        self.partner_box.pack(side="left", padx=6)
        ttk.Button(grant, text="授予", bootstyle="success-outline", command=self.grant).pack(side="left")
        ttk.Button(grant, text="收回所选", bootstyle="danger-outline", command=self.revoke).pack(side="left", padx=6)
        ttk.Label(right, text="权限按合作地区授予（授权信任）：收件受理权、一次性告知权、原件核验权、审批结果送达权。",
                  bootstyle="secondary", wraplength=int(560 * ui_scale(self)), justify="left").pack(anchor="w")

    def on_show(self) -> None:
        self.partners = {p.name: p for p in Partner.select().order_by(Partner.name)}
        self.partner_box.configure(values=[ALL] + list(self.partners))
        self.fill()

    def fill(self, select: str | None = None) -> None:
        self.tree.delete(*self.tree.get_children())
        for c in Clerk.select().order_by(Clerk.username):
            self.tree.insert("", "end", iid=str(c.id), values=(
                c.username, c.name, "管理员" if c.is_admin else "窗口人员", "在用" if c.active else "停用",
                "已设置" if c.password_hash else "未设置"))
        if select and self.tree.exists(select):
            self.tree.selection_set(select)
        elif not self.tree.selection():
            select_first(self.tree)
        self.fill_rights()

    def clerk(self) -> Clerk | None:
        sel = self.tree.selection()
        return Clerk.get_by_id(int(sel[0])) if sel else None

    def fill_rights(self) -> None:
        c = self.clerk()
        self.rights.delete(*self.rights.get_children())
        if c is None:
            return
        self.rights_title.configure(text=f"{c.name} 的权限")
        for r in ClerkRight.select().where(ClerkRight.clerk == c).order_by(ClerkRight.right):
            self.rights.insert("", "end", iid=str(r.id), values=(
                Right(r.right).label, r.partner.name if r.partner_id else ALL))

    def create(self) -> None:
        pw = self.password.get()
        if pw and len(pw) < 6:
            dialogs.show_warning(self, "密码至少 6 位")
            return
        c = admin.create_clerk(self.services.clerk, self.username.get(), self.name.get(), password=pw,
                               is_admin=self.is_admin.get())
        for var in (self.username, self.name, self.password):
            var.set("")
        self.fill(select=str(c.id))

    def set_password(self) -> None:
        c = self.clerk()
        if c is None:
            return
        pw = dialogs.ask_text(self, f"为 {c.name}（{c.username}）设置新密码（至少 6 位）：", title="设置密码")
        if pw:
            admin.set_password(self.services.clerk, c.id, pw)
            self.fill(select=str(c.id))

    def toggle_active(self) -> None:
        c = self.clerk()
        if c is None:
            return
        if c.id == self.services.clerk.id:
            dialogs.show_warning(self, "不能停用自己的账号")
            return
        admin.set_active(self.services.clerk, c.id, not c.active)
        self.fill(select=str(c.id))

    def grant(self) -> None:
        c = self.clerk()
        if c is None:
            return
        right = next(r for r in Right if r.label == self.right.get())
        partner = self.partners.get(self.partner.get())
        admin.grant(self.services.clerk, c.id, right, partner)
        self.fill_rights()

    def revoke(self) -> None:
        c = self.clerk()
        sel = self.rights.selection()
        if c is None or not sel:
            return
        admin.revoke(self.services.clerk, int(sel[0]))
        self.fill_rights()
