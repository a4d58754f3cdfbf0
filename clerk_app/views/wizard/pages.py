"""Step 4: pages — scan, photograph or import; thumbnails as pages arrive; sort onto materials.

Acquisition, cleanup, OCR and storing run on a worker (desk.pages); the Tk
side only turns small ready-made thumbnails into PhotoImages. Every page edit
(move, turn, delete, reorder) is a desk.pages action.
"""
from __future__ import annotations

import tkinter as tk
from pathlib import Path
from tkinter import filedialog

import ttkbootstrap as ttk

from clerk_app import pagefeed
from clerk_app.pagegrid import PageGrid
from clerk_app.views.wizard import Step
from clerk_app.widgets import table, ui_scale
from desk import pages as deskpages
from forms import materials as mat
from forms.models import Page
from forms.storage import pages_of
from forms.workflow import Status

PAGE_STATES = (Status.RECEIVED, Status.CORRECTION, Status.ACCEPTED, Status.VERIFIED, Status.SCANNED)


class PagesStep(Step):
    title = "扫描"

    def __init__(self, master, services, wizard):
        super().__init__(master, services, wizard)
        self.task = None
        self.create_toolbar()
        self.create_panes()
        self.create_footer()
        self.bind_keys()

    # --- layout --------------------------------------------------------------------------

    def create_toolbar(self) -> None:
        bar = ttk.Frame(self)
        bar.pack(fill="x", pady=(0, 6))
        self.scan_button = ttk.Button(bar, text="扫描仪扫描 F7", bootstyle="primary", command=self.scan)
        self.scan_button.pack(side="left")
        self.camera_button = ttk.Button(bar, text="高拍仪拍摄 F8", bootstyle="primary-outline",
                                        command=self.photograph)
        self.camera_button.pack(side="left", padx=4)
        self.import_button = ttk.Button(bar, text="导入文件 Ctrl+I", bootstyle="primary-outline",
                                        command=self.pick_files)
        self.import_button.pack(side="left")
        self.id_button = ttk.Button(bar, text="加入第 2 步读取的证件照片", bootstyle="info-outline",
                                    command=self.attach_id_image)
        ttk.Separator(bar, orient="vertical").pack(side="left", fill="y", padx=10)
        for text, fn in (("旋转 R", self.rotate), ("删除 Del", self.delete),
                         ("前移 Ctrl+←", lambda: self.reorder(-1)), ("后移 Ctrl+→", lambda: self.reorder(1))):
            ttk.Button(bar, text=text, bootstyle="secondary-outline", command=fn).pack(side="left", padx=(0, 4))
        self.device_note = ttk.Label(bar, text="", bootstyle="secondary")
        self.device_note.pack(side="right")

    def create_panes(self) -> None:
        panes = ttk.Frame(self)
        panes.pack(fill="both", expand=True)
        left = ttk.Frame(panes, width=270)
        left.pack(side="left", fill="y")
        left.pack_propagate(False)
        ttk.Label(left, text="材料（新页面放入所选材料；可把页面拖到这里）", bootstyle="secondary",
                  wraplength=int(260 * ui_scale(self))).pack(anchor="w")
        self.materials = table(left, (("n", "#", 28), ("name", "材料", 170), ("pages", "页数", 44)), height=12)
        self.materials.container.pack(fill="both", expand=True)
        self.grid_view = PageGrid(panes, on_drop=self.dropped)
        self.grid_view.pack(side="left", fill="both", expand=True, padx=(8, 0))
        self.canvas = self.grid_view.canvas

    def create_footer(self) -> None:
        foot = ttk.Frame(self)
        foot.pack(fill="x", pady=(6, 0))
        self.progress_text = ttk.Label(foot, text="", bootstyle="info")
        self.progress_text.pack(side="left")
        self.progress = ttk.Progressbar(foot, length=220, bootstyle="success")
        self.cancel_button = ttk.Button(foot, text="停止 Esc", bootstyle="danger-outline", command=self.cancel)
        self.done_button = ttk.Button(foot, text="扫描完成，下一步 Ctrl+S", bootstyle="success",
                                      command=self.finish)
        self.done_button.pack(side="right")
        ttk.Label(self, text="提示（空白页、识别置信度低、证件与录入不一致等，请对照原件核对）",
                  bootstyle="secondary").pack(anchor="w", pady=(6, 0))
        self.warnings = tk.Listbox(self, height=3, activestyle="none", takefocus=False, foreground="#b35c00")
        self.warnings.pack(fill="x")

    def bind_keys(self) -> None:
        c = self.canvas
        c.bind("<Delete>", lambda e: self.delete())
        for k in ("r", "R"):
            c.bind(f"<KeyPress-{k}>", lambda e: self.rotate())
        c.bind("<Control-Left>", lambda e: (self.reorder(-1), "break")[1])
        c.bind("<Control-Right>", lambda e: (self.reorder(1), "break")[1])
        for n in range(1, 10):
            c.bind(f"<KeyPress-{n}>", lambda e, n=n: self.assign_number(n))

    def shortcuts(self) -> dict:
        """Keys that act on this step while it is shown."""
        return {"<F7>": self.scan, "<F8>": self.photograph, "<Control-i>": self.pick_files,
                "<Control-s>": self.finish}

    # --- step protocol -------------------------------------------------------------------

    def unavailable(self) -> str | None:
        s = self.draft.status
        if s is None:
            return "请先在第 3 步保存收件"
        if s in (Status.RECEIVED, Status.CORRECTION):
            return f"办件尚未受理（{s.label}），请先在第 3 步处理材料"
        if s not in PAGE_STATES:
            return f"办件已{s.label}，不能再扫描"
        return None

    def done(self) -> bool:
        s = self.draft.status
        return s is not None and s not in PAGE_STATES[:4]

    def reset(self) -> None:
        self.grid_view.clear()
        self.warnings.delete(0, "end")
        self.progress_text.configure(text="")

    def on_show(self) -> None:
        d = self.draft
        d.refresh_case()
        device = self.services.prefs.get("scanner")
        self.device_note.configure(text=f"扫描仪：{device}" if device else "未选扫描仪（F9 本机设置）")
        if d.id_image is not None and not Page.select().where(Page.case == d.case).exists():
            self.id_button.pack(side="left", padx=4, after=self.import_button)
        else:
            self.id_button.pack_forget()
        self.fill_materials()
        self.load_existing()
        self.canvas.focus_set()

    def fill_materials(self) -> None:
        sel = self.materials.selection()
        self.materials.delete(*self.materials.get_children())
        shown = [m for m in mat.checklist(self.draft.case) if m.state in ("provided", "e_license", "rongque")]
        shown = shown or mat.checklist(self.draft.case)
        for i, m in enumerate(shown, 1):
            self.materials.insert("", "end", iid=m.name, values=(i, m.name, len(pages_of(m))))
        if sel and self.materials.exists(sel[0]):
            self.materials.selection_set(sel[0])
        else:
            first_empty = next((m.name for m in shown if m.state == "provided"
                                and not pages_of(m)), shown[0].name if shown else None)
            if first_empty:
                self.materials.selection_set(first_empty)
                self.materials.see(first_empty)

    def target_material(self) -> str | None:
        sel = self.materials.selection()
        return sel[0] if sel else None

    # --- thumbnails ---------------------------------------------------------------------

    def load_existing(self) -> None:
        """Thumbnails of the stored pages (made on a worker)."""
        case_id = self.draft.case.id
        self.grid_view.clear()
        self.services.run(lambda ctx: pagefeed.existing_cards(case_id, ctx), title="载入页面", show=False,
                          on_item=self.add_card, widget=self)

    def add_card(self, card: dict) -> None:
        """One card from the worker (Tk thread); its warnings go to the list below."""
        self.grid_view.add(card)
        shown = self.warnings.get(0, "end")
        for w in card.get("warnings", []):
            if w not in shown:
                self.warnings.insert("end", w)

    @property
    def order(self) -> list[str]:
        return self.grid_view.order

    @property
    def cards(self) -> dict:
        return self.grid_view.cards

    def columns(self) -> int:
        return self.grid_view.columns()

    def selected_page(self) -> Page | None:
        card = self.grid_view.selected()
        if not card or card.get("id") is None:
            return None
        return Page.get_or_none(Page.id == card["id"])

    def dropped(self, target, x_root: int, y_root: int) -> None:
        """A card dragged onto the materials list belongs to the material under the pointer."""
        if target is self.materials:
            row = self.materials.identify_row(y_root - self.materials.winfo_rooty())
            if row:
                self.move_selected_to(row)

    # --- page edits (quick database writes on the Tk thread) -------------------------------

    def move_selected_to(self, material_name: str) -> None:
        page = self.selected_page()
        if page is None:
            return
        try:
            deskpages.move_page(self.services.clerk, page.id, material_name)
        except Exception as e:  # noqa: BLE001 - the one error place
            return self.services.show_error(e)
        self.refresh_page(page.id)
        self.fill_materials()

    def assign_number(self, n: int) -> str:
        rows = self.materials.get_children()
        if n <= len(rows):
            self.move_selected_to(rows[n - 1])
        return "break"

    def rotate(self) -> str:
        page = self.selected_page()
        if page is None:
            return "break"
        langs = self.services.prefs.get("ocr_langs")
        clerk = self.services.clerk

        def job(ctx):
            deskpages.rotate_page(clerk, page.id, 90)
            ctx.emit(pagefeed.card_for(Page.get_by_id(page.id), status="识别中…", level="busy"))
            deskpages.reread_page(clerk, page.id, langs, ctx.cancel)
            return pagefeed.card_for(Page.get_by_id(page.id))
        self.services.run(job, title="旋转并重新识别", on_item=self.add_card, on_done=self.add_card, widget=self)
        return "break"

    def delete(self) -> str:
        page = self.selected_page()
        if page is None:
            return "break"
        try:
            deskpages.delete_page(self.services.clerk, page.id)
        except Exception as e:  # noqa: BLE001
            self.services.show_error(e)
            return "break"
        self.grid_view.remove(f"p{page.id}")
        self.fill_materials()
        return "break"

    def reorder(self, step: int) -> None:
        page = self.selected_page()
        if page is None:
            return
        try:
            deskpages.move_within(self.services.clerk, page.id, step)
        except Exception as e:  # noqa: BLE001
            return self.services.show_error(e)
        for p in Page.select().where(Page.case == self.draft.case):
            self.grid_view.update_card(f"p{p.id}", seq=p.seq, title=pagefeed.title(p))
        self.grid_view.sort()
        self.grid_view.layout()

    def refresh_page(self, page_id: int) -> None:
        p = Page.get_by_id(page_id)
        self.grid_view.update_card(f"p{page_id}", **pagefeed.card_for(p, with_thumb=False))
        self.grid_view.layout()

    # --- acquiring pages ---------------------------------------------------------------------

    def pick_files(self) -> None:
        files = filedialog.askopenfilenames(parent=self, title="选择要导入的材料文件",
                                            filetypes=[("图片或 PDF", "*.jpg *.jpeg *.png *.bmp *.tif *.tiff *.pdf"),
                                                       ("所有文件", "*")])
        if files:
            self.import_files([Path(f) for f in files])

    def import_files(self, files: list[Path], material: str | None = None):
        """Import files as pages of the selected material (worker); returns the Task."""
        from scanner.sources import FileSource
        return self.acquire(lambda: FileSource(files), material, f"导入 {len(files)} 个文件")

    def attach_id_image(self) -> None:
        target = next((n for n in self.materials.get_children() if "身份证" in n or "营业执照" in n),
                      self.target_material())
        self.id_button.pack_forget()
        self.import_files([self.draft.id_image], target)

    def scan(self) -> None:
        device = self.services.prefs.get("scanner")
        if not device:
            from forms.errors import ScanError
            return self.services.show_error(ScanError("尚未选择扫描仪，请按 F9 在本机设置中选择"))
        from scanner.sources import SaneSource, ScanSettings
        settings = ScanSettings(device=device, source=self.services.prefs.get("scan_source"),
                                resolution=int(self.services.prefs.get("scan_resolution")))
        return self.acquire(lambda: SaneSource(settings), None, "扫描")

    def photograph(self) -> None:
        from scanner.sources import CameraSource
        device = self.services.prefs.get("camera") or None
        return self.acquire(lambda: CameraSource(device), None, "高拍仪拍摄")

    def acquire(self, make_source, material: str | None, title: str):
        if self.task is not None:
            return None
        material = material or self.target_material()
        if material is None:
            return None
        case, clerk = self.draft.case, self.services.clerk
        langs = self.services.prefs.get("ocr_langs")
        self.show_busy(True, f"{title}：放入“{material}”…")

        def job(ctx):
            return pagefeed.acquire(case, clerk, material, make_source(), langs, ctx)

        self.task = self.services.run(job, title=title, on_item=self.add_card, on_progress=self.on_progress,
                                      on_done=self.acquired, on_finish=lambda: self.show_busy(False),
                                      widget=self)
        return self.task

    def on_progress(self, done, total, what) -> None:
        self.progress_text.configure(text=what)
        if total:
            self.progress.configure(maximum=total, value=done)

    def acquired(self, result) -> None:
        pages, errors = result
        for e in errors:
            self.warnings.insert("end", str(e))
        total = Page.select().where(Page.case == self.draft.case).count()
        self.progress_text.configure(text=f"本次加入 {len(pages)} 页，共 {total} 页"
                                          + (f"；{len(errors)} 个文件无法读取" if errors else ""))
        self.fill_materials()

    def show_busy(self, busy: bool, text: str = "") -> None:
        if busy:
            self.progress_text.configure(text=text)
            self.progress.configure(value=0)
            self.progress.pack(side="left", padx=8)
            self.cancel_button.pack(side="left")
            for b in (self.scan_button, self.camera_button, self.import_button):
                b.configure(state="disabled")
        else:
            self.task = None
            self.progress.pack_forget()
            self.cancel_button.pack_forget()
            for b in (self.scan_button, self.camera_button, self.import_button):
                b.configure(state="normal")
            self.grid_view.drop_placeholders()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.progress_text.configure(text="正在停止…已处理的页面会保留")

    def finish(self) -> None:
        """Ctrl+S: record 扫描 (every provided material needs a page) and move on."""
        if self.task is not None or self.draft.case is None:
            return
        d = self.draft
        if Status(d.refresh_case().status) == Status.SCANNED:
            self.wizard.next()
            return
        try:
            deskpages.finish_scanning(self.services.clerk, d.case.case_no)
        except Exception as e:  # noqa: BLE001
            return self.services.show_error(e)
        self.wizard.case_changed()
        self.wizard.next()
        return None
