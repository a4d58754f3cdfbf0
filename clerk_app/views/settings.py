"""This window's details, scanner, camera, printers and label size, OCR languages, database."""
from __future__ import annotations

import tkinter as tk

import ttkbootstrap as ttk

from clerk_app.widgets import labeled
from desk import admin
from forms import config
from forms.db import _safe_url
from forms.errors import InvalidInput

WINDOW_FIELDS = (("name", "窗口名称"), ("region_code", "行政区划代码"), ("address", "地址"),
                 ("postcode", "邮政编码"), ("phone", "联系电话"))
LABEL_SIZES = {"100x150": "100×150 mm 热敏面单", "76x130": "76×130 mm EMS 一联单", "a4": "A4 普通纸"}
SOURCES = {"flatbed": "平板", "adf": "进纸器"}


class SettingsView(ttk.Frame):
    """Everything saved with Ctrl+S (or the button); devices are looked up on a worker."""

    def __init__(self, master, services):
        super().__init__(master, padding=(14, 10))
        self.services = services
        self.vars = {k: tk.StringVar() for k, _ in WINDOW_FIELDS}
        p = services.prefs
        self.scanner = tk.StringVar(value=p.get("scanner"))
        self.source = tk.StringVar(value=SOURCES.get(p.get("scan_source"), "平板"))
        self.resolution = tk.StringVar(value=str(p.get("scan_resolution")))
        self.camera = tk.StringVar(value=p.get("camera"))
        self.printer_a4 = tk.StringVar(value=p.get("printer_a4"))
        self.printer_label = tk.StringVar(value=p.get("printer_label"))
        self.label_size = tk.StringVar(value=LABEL_SIZES.get(p.get("label_size"), LABEL_SIZES["100x150"]))
        self.langs = tk.StringVar(value=p.get("ocr_langs"))
        ttk.Label(self, text="本机设置", style="Title.TLabel").pack(anchor="w", pady=(0, 8))
        cols = ttk.Frame(self)
        cols.pack(fill="both", expand=True)
        cols.columnconfigure(0, weight=1, uniform="s")
        cols.columnconfigure(1, weight=1, uniform="s")
        self.create_window_box(cols)
        self.create_devices_box(cols)
        self.create_footer()

    def create_window_box(self, cols) -> None:
        box = ttk.Labelframe(cols, text="本窗口", padding=10)
        box.grid(row=0, column=0, sticky="nsew", padx=(0, 6))
        box.columnconfigure(1, weight=1)
        w = self.services.window
        ttk.Label(box, text=f"窗口编码 {w.code}（办件号前缀，不可更改）", bootstyle="secondary").grid(
            row=0, column=0, columnspan=2, sticky="w")
        self.window_entries = []
        for i, (key, label) in enumerate(WINDOW_FIELDS, 1):
            self.vars[key].set(getattr(w, key) or "")
            e = labeled(box, i, label, ttk.Entry(box, textvariable=self.vars[key]))
            e.configure(state="normal" if self.services.is_admin else "disabled")
            self.window_entries.append(e)
        if not self.services.is_admin:
            ttk.Label(box, text="只有管理员可以修改窗口信息", bootstyle="secondary").grid(
                row=len(WINDOW_FIELDS) + 1, column=1, sticky="w")
        db = ttk.Labelframe(cols, text="数据库", padding=10)
        db.grid(row=1, column=0, sticky="nsew", padx=(0, 6), pady=(8, 0))
        ttk.Label(db, text=_safe_url(config.database_url()), wraplength=500).pack(anchor="w")
        ttk.Label(db, text="多个窗口共用一个数据库时，请在环境变量 CLERK_DATABASE_URL 中填写"
                           "（如 postgresql://用户@服务器/库名），然后重新启动本程序。",
                  bootstyle="secondary", wraplength=500, justify="left").pack(anchor="w", pady=(4, 0))
        ttk.Label(db, text=f"数据文件夹：{config.data_dir()}", bootstyle="secondary", wraplength=500).pack(anchor="w")

    def create_devices_box(self, cols) -> None:
        box = ttk.Labelframe(cols, text="扫描、打印与识别", padding=10)
        box.grid(row=0, column=1, rowspan=2, sticky="nsew", padx=(6, 0))
        box.columnconfigure(1, weight=1)
        self.scanner_box = labeled(box, 0, "扫描仪", ttk.Combobox(box, textvariable=self.scanner))
        ttk.Button(box, text="查找扫描仪", bootstyle="secondary-outline", command=self.find_scanners).grid(
            row=0, column=2, padx=(6, 0))
        labeled(box, 1, "纸张来源", ttk.Combobox(box, textvariable=self.source, state="readonly",
                                              values=list(SOURCES.values())))
        labeled(box, 2, "分辨率 dpi", ttk.Combobox(box, textvariable=self.resolution,
                                                values=["200", "300", "400", "600"]))
        self.camera_box = labeled(box, 3, "高拍仪", ttk.Combobox(box, textvariable=self.camera))
        ttk.Button(box, text="查找高拍仪", bootstyle="secondary-outline", command=self.find_cameras).grid(
            row=3, column=2, padx=(6, 0))
        self.a4_box = labeled(box, 4, "文书打印机", ttk.Combobox(box, textvariable=self.printer_a4))
        ttk.Button(box, text="查找打印机", bootstyle="secondary-outline", command=self.find_printers).grid(
            row=4, column=2, padx=(6, 0))
        self.label_box = labeled(box, 5, "面单打印机", ttk.Combobox(box, textvariable=self.printer_label))
        labeled(box, 6, "面单规格", ttk.Combobox(box, textvariable=self.label_size, state="readonly",
                                              values=list(LABEL_SIZES.values())))
        labeled(box, 7, "识别语言", ttk.Entry(box, textvariable=self.langs))
        ttk.Button(box, text="检查语言包", bootstyle="secondary-outline", command=self.check_langs).grid(
            row=7, column=2, padx=(6, 0))
        ttk.Label(box, text="打印机留空表示使用系统默认打印机。识别语言如 chi_sim+eng。",
                  bootstyle="secondary").grid(row=8, column=1, columnspan=2, sticky="w")
        self.note = ttk.Label(box, text="", wraplength=480, justify="left")
        self.note.grid(row=9, column=0, columnspan=3, sticky="w", pady=(8, 0))

    def create_footer(self) -> None:
        row = ttk.Frame(self, padding=(0, 8))
        row.pack(fill="x")
        ttk.Button(row, text="保存设置 Ctrl+S", bootstyle="success", command=self.save).pack(side="right")
        self.saved = ttk.Label(row, text="", bootstyle="success")
        self.saved.pack(side="right", padx=12)

    def shortcuts(self) -> dict:
        """Keys that act on this view while it is shown (dispatched by app.py)."""
        return {"<Control-s>": self.save}

    def on_show(self) -> None:
        self.saved.configure(text="")

    # --- device look-ups on workers -----------------------------------------------------

    def find_scanners(self) -> None:
        def done(devices):
            self.scanner_box.configure(values=[d.name for d in devices])
            self.note.configure(text="发现扫描仪：" + ("；".join(d.label for d in devices) or "无"))
        from scanner.sources import list_devices
        self.services.run(lambda ctx: list_devices(), title="查找扫描仪", on_done=done)

    def find_cameras(self) -> None:
        from scanner.sources import list_cameras
        cams = list_cameras()
        self.camera_box.configure(values=cams)
        self.note.configure(text="发现高拍仪：" + ("、".join(cams) or "无"))

    def find_printers(self) -> None:
        def done(printers):
            names = [p.name for p in printers]
            self.a4_box.configure(values=[""] + names)
            self.label_box.configure(values=[""] + names)
            self.note.configure(text="打印机：" + ("、".join(p.name + ("（默认）" if p.is_default else "")
                                                        for p in printers) or "无"))
        from exports.printing import list_printers
        self.services.run(lambda ctx: list_printers(), title="查找打印机", on_done=done)

    def check_langs(self) -> None:
        from scanner.ocr import check_languages
        langs = self.langs.get().strip()
        self.services.run(lambda ctx: check_languages(langs), title="检查语言包",
                          on_done=lambda r: self.note.configure(text=f"语言包齐全：{r}"))

    # --- saving -------------------------------------------------------------------------

    def save(self) -> None:
        """Store the preferences (and the window's details for an administrator)."""
        p = self.services.prefs
        try:
            resolution = int(self.resolution.get())
        except ValueError:
            raise InvalidInput("分辨率应为数字，如 300") from None
        if not 100 <= resolution <= 1200:
            raise InvalidInput("分辨率应在 100 到 1200 dpi 之间")
        langs = self.langs.get().strip()
        if not langs:
            raise InvalidInput("请填写识别语言，如 chi_sim+eng")
        p.set("scanner", self.scanner.get().strip())
        p.set("scan_source", next((k for k, v in SOURCES.items() if v == self.source.get()), "flatbed"))
        p.set("scan_resolution", resolution)
        p.set("camera", self.camera.get().strip())
        p.set("printer_a4", self.printer_a4.get().strip())
        p.set("printer_label", self.printer_label.get().strip())
        p.set("label_size", next((k for k, v in LABEL_SIZES.items() if v == self.label_size.get()), "100x150"))
        p.set("ocr_langs", langs)
        if self.services.is_admin:
            values = {key: self.vars[key].get().strip() for key, _label in WINDOW_FIELDS}
            self.services.window = admin.update_window(self.services.clerk, self.services.window.id, values)
        self.saved.configure(text="已保存")
