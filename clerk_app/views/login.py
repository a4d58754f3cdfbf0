"""Sign in with a clerk account; the clerk's rights then decide which actions are enabled."""
from __future__ import annotations

import tkinter as tk

import ttkbootstrap as ttk
from clerk_app.widgets import ui_scale

from forms import accounts
from forms.errors import ClerkError
from forms.models import Clerk


class LoginView(ttk.Frame):
    """Account and password; Enter moves on, then signs in."""

    def __init__(self, master, services):
        super().__init__(master)
        self.services = services
        self.username = tk.StringVar(value=services.prefs.get("last_user", "") or "")
        self.password = tk.StringVar()
        self.message = tk.StringVar()
        self.create_form()

    def create_form(self) -> None:
        box = ttk.Frame(self, padding=40)
        box.place(relx=0.5, rely=0.42, anchor="center")
        window = self.services.window
        ttk.Label(box, text="通办收件台", style="Big.TLabel").grid(row=0, column=0, columnspan=2, pady=(0, 4))
        ttk.Label(box, text=window.name if window else "", bootstyle="secondary").grid(
            row=1, column=0, columnspan=2, pady=(0, 24))
        ttk.Label(box, text="账号").grid(row=2, column=0, sticky="e", padx=8, pady=6)
        self.user_entry = ttk.Entry(box, textvariable=self.username, width=26)
        self.user_entry.grid(row=2, column=1, pady=6)
        ttk.Label(box, text="密码").grid(row=3, column=0, sticky="e", padx=8, pady=6)
        self.pass_entry = ttk.Entry(box, textvariable=self.password, width=26, show="•")
        self.pass_entry.grid(row=3, column=1, pady=6)
        self.button = ttk.Button(box, text="登录 (Enter)", bootstyle="primary", command=self.submit, width=24)
        self.button.grid(row=4, column=1, pady=(14, 6), sticky="we")
        ttk.Label(box, textvariable=self.message, bootstyle="danger", wraplength=int(320 * ui_scale(self))).grid(
            row=5, column=0, columnspan=2)
        admin = Clerk.get_or_none(Clerk.username == "admin")
        if admin is not None and not admin.password_hash:
            ttk.Label(box, text="首次使用：账号 admin，密码留空。\n登录后请在“工作人员与权限”中设置密码。",
                      bootstyle="info", justify="center").grid(row=6, column=0, columnspan=2, pady=(12, 0))
        self.user_entry.bind("<Return>", lambda e: self.pass_entry.focus_set())
        self.pass_entry.bind("<Return>", lambda e: self.submit())

    def focus_first(self) -> None:
        (self.pass_entry if self.username.get() else self.user_entry).focus_set()

    def submit(self) -> None:
        """Check the account; on success post <<LoggedIn>>."""
        try:
            clerk = accounts.login(self.username.get(), self.password.get())
        except ClerkError as e:
            self.message.set(str(e))
            self.password.set("")
            self.pass_entry.focus_set()
            return
        self.services.clerk = clerk
        self.services.prefs.set("last_user", clerk.username)
        self.services.post("<<LoggedIn>>")
