"""The clerk window: wires views to menus, shortcuts and services; the one place errors are shown.

Only this module knows every view. Views get ``services`` and post virtual
events (``<<OpenCase>>``, ``<<ContinueCase>>``, ``<<CaseChanged>>`` ...), which
are routed here.
"""
from __future__ import annotations

import gc
import importlib
import logging
import sys
import threading
import tkinter as tk
import tkinter.font as tkfont

import ttkbootstrap as ttk

from clerk_app import dialogs
from clerk_app.context import Services
from clerk_app.prefs import Prefs
from clerk_app.taskbar import TaskBar
from forms.errors import ClerkError
from forms.seed import this_window

log = logging.getLogger(__name__)

FONT_CANDIDATES = ("Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC",
                   "WenQuanYi Micro Hei", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei")
MIN_SIZE = (1024, 600)
# Keys whose meaning depends on the view (and wizard step) on screen; see each view's shortcuts().
VIEW_KEYS = ("<Control-s>", "<Control-p>", "<Control-r>", "<Control-t>", "<Control-b>", "<Control-i>",
             "<Control-e>", "<F7>", "<F8>", "<Alt-Left>", "<Alt-Right>",
             *(f"<Alt-Key-{i}>" for i in range(1, 7)))
# Imported while the clerk signs in: importing holds the GIL for long stretches, and doing
# it in the first scan's worker would stall the window for a tenth of a second.
PRELOAD = ("scanner.attach", "scanner.pipeline", "scanner.ocr_pool", "scanner.sources", "concurrent.futures.process",
           "multiprocessing.popen_spawn_posix", "desk.documents", "desk.pages", "exports.package", "exports.notices",
           "exports.transmittal", "exports.waybill", "pypdfium2", "PIL.ImageTk", "pypinyin")


def _views():
    """name -> (class, nav label, shortcut label, admin only); imported late to keep start-up quick."""
    from clerk_app.views.admin.catalog import CatalogView
    from clerk_app.views.admin.clerks import ClerksView
    from clerk_app.views.admin.holidays import HolidaysView
    from clerk_app.views.admin.partners import PartnersView
    from clerk_app.views.case_detail import CaseDetailView
    from clerk_app.views.home import HomeView
    from clerk_app.views.search import SearchView
    from clerk_app.views.settings import SettingsView
    from clerk_app.views.stats import StatsView
    from clerk_app.views.wizard import WizardView
    return {
        "home": (HomeView, "首页", "F2", False),
        "wizard": (WizardView, "新建收件", "Ctrl+N", False),
        "search": (SearchView, "查找办件", "Ctrl+F", False),
        "case": (CaseDetailView, "办件详情", "", False),
        "stats": (StatsView, "统计", "F6", False),
        "settings": (SettingsView, "本机设置", "F9", False),
        "catalog": (CatalogView, "事项清单", "", True),
        "partners": (PartnersView, "合作地区", "", True),
        "holidays": (HolidaysView, "节假日", "", True),
        "clerks": (ClerksView, "工作人员与权限", "", True),
    }


class ClerkApp:
    """The main window; ``run()`` enters the Tk loop."""

    def __init__(self, theme: str | None = None):
        # Every tkinter call releases and retakes the GIL; with a busy worker thread each
        # retake waits up to the switch interval (5 ms by default). 1 ms keeps redraws quick.
        sys.setswitchinterval(0.001)
        self.prefs = Prefs()
        self.root = ttk.App(title="通办收件台", theme=theme or self.prefs.get("theme"), minsize=MIN_SIZE)
        self.root.report_callback_exception = self.report_callback_exception
        self.setup_fonts()
        self.restore_geometry()
        self.taskbar = TaskBar(self.root)
        self.services = Services(self.root, self.prefs, self.show_error, self.taskbar, self.open_preview)
        self.services.window = this_window()
        self.views: dict[str, ttk.Frame] = {}
        self.current: str | None = None
        self.body: ttk.Frame | None = None
        self.root.protocol("WM_DELETE_WINDOW", self.quit)
        self.bind_events()
        self.preloaded = threading.Event()
        threading.Thread(target=self.preload, name="preload", daemon=True).start()
        self.show_login()

    def preload(self) -> None:
        """Import the heavy modules in the background while the login screen shows."""
        for name in PRELOAD:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - a missing optional module shows up when it is used
                log.debug("preload of %s failed", name, exc_info=True)
        # The modules' ~280,000 objects live as long as the window: keep them out of the
        # collector's full passes, which otherwise hold the GIL ~50 ms (a visible stall).
        gc.freeze()
        self.preloaded.set()

    # --- look ------------------------------------------------------------------------

    def setup_fonts(self) -> None:
        """A Chinese UI font; sizes in points so Tk's scaling makes them right on high-DPI screens."""
        families = set(tkfont.families(self.root))
        family = next((f for f in FONT_CANDIDATES if f in families), None)
        for name in ("TkDefaultFont", "TkTextFont", "TkMenuFont", "TkHeadingFont", "TkCaptionFont",
                     "TkSmallCaptionFont", "TkIconFont", "TkTooltipFont"):
            try:
                font = tkfont.nametofont(name, root=self.root)
            except tk.TclError:
                continue
            if family:
                font.configure(family=family)
            if name in ("TkDefaultFont", "TkTextFont", "TkMenuFont"):
                font.configure(size=10)
        tkfont.nametofont("TkHeadingFont", root=self.root).configure(size=10, weight="bold")
        style = self.root.style
        style.configure("Treeview", rowheight=int(self.root.winfo_fpixels("0.3i")))
        for name, size in (("Title.TLabel", 16), ("Big.TLabel", 22)):
            style.configure(name, font=(family or "", size, "bold"))

    def restore_geometry(self) -> None:
        geo = str(self.prefs.get("geometry"))
        sw, sh = self.root.winfo_screenwidth(), self.root.winfo_screenheight()
        # Sizes are laid out for 96 dpi; on a high-DPI screen Tk's fonts grow with its
        # scaling, so the window's default and minimum sizes must grow with them.
        factor = max(1.0, float(self.root.tk.call("tk", "scaling")) / (96 / 72))
        least = (min(int(MIN_SIZE[0] * factor), sw), min(int(MIN_SIZE[1] * factor), sh))
        self.root.minsize(*least)
        try:
            size, x, y = geo.split("+", 2) if geo.count("+") == 2 else (geo, "0", "0")
            w, h = (int(v) for v in size.split("x"))
            x, y = int(x), int(y)
        except ValueError:
            w, h, x, y = int(1366 * factor), int(740 * factor), 0, 0
        w, h = min(max(w, least[0]), sw), min(max(h, least[1]), sh)
        x, y = min(max(0, x), max(0, sw - w)), min(max(0, y), max(0, sh - h))
        self.root.geometry(f"{w}x{h}+{x}+{y}")

    def save_geometry(self) -> None:
        try:
            self.prefs.set("geometry", self.root.geometry())   # wm geometry: the frame, not the inner window
        except Exception:   # noqa: BLE001 - never keep the clerk from closing the window
            log.exception("cannot remember the window geometry")

    # --- errors: the one place ---------------------------------------------------------

    def show_error(self, exc: BaseException) -> None:
        """A ClerkError shows its Chinese message; anything else is logged and shown as internal."""
        if isinstance(exc, ClerkError):
            log.info("shown to clerk: %s", exc)
            dialogs.show_error(self.root, str(exc))
        else:
            log.error("unexpected error in the window", exc_info=(type(exc), exc, exc.__traceback__))
            dialogs.show_error(self.root, "内部错误，详见日志。\n请重试；如果再次出现，请联系管理员。",
                               title="内部错误")

    def report_callback_exception(self, exc, val, tb) -> None:
        """Tk calls this for an exception in any callback."""
        if val.__traceback__ is None:
            val = val.with_traceback(tb)
        self.show_error(val)

    # --- login and the main frame ------------------------------------------------------

    def clear(self) -> None:
        for view in self.views.values():
            view.destroy()
        self.views.clear()
        self.current = None
        for child in self.root.winfo_children():
            if child is not self.taskbar and not isinstance(child, tk.Toplevel):
                child.destroy()
        self.root.configure(menu="")
        self.taskbar.pack_forget()

    def show_login(self) -> None:
        from clerk_app.views.login import LoginView
        self.clear()
        self.services.clerk = None
        self.login = LoginView(self.root, self.services)
        self.login.pack(fill="both", expand=True)
        self.login.focus_first()

    def on_logged_in(self, event=None) -> None:
        clerk = self.services.clerk
        self.clear()
        window = self.services.window
        self.root.title(f"通办收件台 — {window.name if window else ''} — {clerk.name}")
        self.taskbar.who.set(f"{clerk.name}（{clerk.username}）· {window.name if window else ''}")
        self.create_menu()
        self.taskbar.pack(side="bottom", fill="x")
        ttk.Separator(self.root).pack(side="bottom", fill="x")
        self.create_nav()
        self.body = ttk.Frame(self.root)
        self.body.pack(side="left", fill="both", expand=True)
        self.show("home")
        self.warm_ocr()

    def warm_ocr(self) -> None:
        """Start the OCR workers now, so the clerk's first scan does not wait for Tesseract to load."""
        langs = self.services.prefs.get("ocr_langs")

        def start() -> None:
            try:
                from scanner.pipeline import shared_pool
                shared_pool().warm(langs)
            except Exception:  # noqa: BLE001 - only a head start; the first import retries
                log.warning("OCR workers could not be started ahead", exc_info=True)

        threading.Thread(target=start, name="ocr-warm-up", daemon=True).start()

    def create_nav(self) -> None:
        nav = ttk.Frame(self.root, padding=(8, 10), bootstyle="light")
        nav.pack(side="left", fill="y")
        self.nav_buttons = {}
        for name, (_cls, label, key, admin) in _views().items():
            if name == "case" or (admin and not self.services.is_admin):
                continue
            if name == "catalog":
                ttk.Separator(nav).pack(fill="x", pady=8)
                ttk.Label(nav, text="管理", bootstyle="secondary").pack(anchor="w")
            text = f"{label}  {key}" if key else label
            b = ttk.Button(nav, text=text, width=16, bootstyle="secondary-ghost",
                           command=lambda n=name: self.show(n))
            b.pack(fill="x", pady=1)
            self.nav_buttons[name] = b

    def create_menu(self) -> None:
        menu = tk.Menu(self.root)
        self.root.configure(menu=menu)
        work = tk.Menu(menu, tearoff=False)
        menu.add_cascade(label="办件", menu=work, underline=0)
        work.add_command(label="首页", accelerator="F2", command=lambda: self.show("home"))
        work.add_command(label="新建收件", accelerator="Ctrl+N", command=self.new_case)
        work.add_command(label="查找办件", accelerator="Ctrl+F", command=lambda: self.show("search"))
        work.add_command(label="统计", accelerator="F6", command=lambda: self.show("stats"))
        work.add_separator()
        work.add_command(label="刷新", accelerator="F5", command=self.refresh)
        work.add_command(label="取消后台任务", accelerator="Esc", command=self.taskbar.cancel_newest)
        work.add_separator()
        work.add_command(label="注销", accelerator="Ctrl+L", command=self.logout)
        work.add_command(label="退出", accelerator="Ctrl+Q", command=self.quit)
        if self.services.is_admin:
            admin = tk.Menu(menu, tearoff=False)
            menu.add_cascade(label="管理", menu=admin)
            for name in ("catalog", "partners", "holidays", "clerks"):
                admin.add_command(label=_views()[name][1], command=lambda n=name: self.show(n))
        setting = tk.Menu(menu, tearoff=False)
        menu.add_cascade(label="设置", menu=setting)
        setting.add_command(label="本机设置", accelerator="F9", command=lambda: self.show("settings"))
        helpm = tk.Menu(menu, tearoff=False)
        menu.add_cascade(label="帮助", menu=helpm)
        helpm.add_command(label="快捷键", accelerator="F1", command=self.show_shortcuts)

    def show(self, name: str):
        """Bring view ``name`` to the front (created on first use); returns it."""
        if self.services.clerk is None or self.body is None:
            return None
        cls, label, _key, admin = _views()[name]
        if admin and not self.services.is_admin:
            dialogs.show_warning(self.root, "只有管理员可以使用此功能")
            return None
        view = self.views.get(name)
        if view is None:
            view = self.views[name] = cls(self.body, self.services)
        if self.current and self.current != name:
            self.views[self.current].pack_forget()
        if self.current != name:
            view.pack(fill="both", expand=True)
        self.current = name
        for n, b in getattr(self, "nav_buttons", {}).items():
            b.configure(bootstyle="primary" if n == name else "secondary-ghost")
        if hasattr(view, "on_show"):
            view.on_show()
        return view

    def refresh(self) -> None:
        view = self.views.get(self.current or "")
        if view is not None and hasattr(view, "refresh"):
            view.refresh()

    # --- events between views ----------------------------------------------------------

    def bind_events(self) -> None:
        r = self.root
        r.bind("<<LoggedIn>>", self.on_logged_in)
        r.bind("<<OpenCase>>", lambda e: self.open_case(self.services.payload.get("case_no")))
        r.bind("<<ContinueCase>>", lambda e: self.continue_case(**self.services.payload))
        r.bind("<<CaseChanged>>", self.on_case_changed)
        r.bind("<<ShowView>>", lambda e: self.show(self.services.payload.get("view", "home")))
        keys = {
            "<F2>": lambda: self.show("home"), "<Control-n>": self.new_case,
            "<Control-f>": lambda: self.show("search"), "<F6>": lambda: self.show("stats"),
            "<F9>": lambda: self.show("settings"), "<F5>": self.refresh, "<F1>": self.show_shortcuts,
            "<Control-l>": self.logout, "<Control-q>": self.quit,
        }
        for seq, fn in keys.items():
            r.bind_all(seq, lambda e, fn=fn: (fn() if self.services.clerk else None, "break")[1])
        r.bind_all("<Escape>", self.on_escape, add="+")
        for seq in VIEW_KEYS:
            r.bind_all(seq, lambda e, seq=seq: self.view_key(seq, e))

    def view_key(self, seq: str, event):
        """Hand a view-level shortcut to the view on screen (only for keys typed in the main window)."""
        if not isinstance(event.widget, tk.Misc) or event.widget.winfo_toplevel() is not self.root:
            return None
        view = self.views.get(self.current or "")
        action = view.shortcuts().get(seq) if view is not None and hasattr(view, "shortcuts") else None
        if action is None:
            return None
        action()
        return "break"

    def on_escape(self, event) -> None:
        if isinstance(event.widget, tk.Misc) and event.widget.winfo_toplevel() is self.root:
            self.taskbar.cancel_newest()

    def new_case(self) -> None:
        view = self.show("wizard")
        if view is not None:
            view.start_new()

    def open_case(self, case_no: str | None) -> None:
        if not case_no:
            return
        view = self.show("case")
        if view is not None:
            view.load(case_no)

    def continue_case(self, case_no: str | None = None, step: int | None = None, **_ignored) -> None:
        view = self.show("wizard")
        if view is not None and case_no:
            view.load_case(case_no, step)

    def on_case_changed(self, event=None) -> None:
        for name in ("home", "search"):
            view = self.views.get(name)
            if view is not None and hasattr(view, "mark_stale"):
                view.mark_stale()

    # --- previews, help, leaving -------------------------------------------------------

    def open_preview(self, path, title: str, print_kind: str) -> None:
        from clerk_app.pdf_preview import PdfPreview
        self.preview_window = PdfPreview(self.root, self.services, path, title, print_kind)

    def show_shortcuts(self) -> None:
        from clerk_app.views.help import SHORTCUTS
        dialogs.show_info(self.root, SHORTCUTS, title="快捷键")

    def logout(self) -> None:
        if self.services.busy() and not dialogs.ask_yes_no(self.root, "后台任务仍在进行，确定注销吗？"):
            return
        for task in list(self.services.tasks):
            task.cancel()
        self.show_login()

    def quit(self) -> None:
        if self.services.busy() and not dialogs.ask_yes_no(
                self.root, "后台任务（扫描、识别、打包或打印）仍在进行。\n确定退出吗？", default_yes=False):
            return
        for task in list(self.services.tasks):
            task.cancel()
        self.save_geometry()
        self.root.destroy()

    def run(self) -> None:
        self.root.mainloop()
