"""Step 4: pages — scan, photograph or import; thumbnails as pages arrive; sort onto materials.

Acquisition, cleanup, OCR and storing run on a worker (scanner.attach); the Tk
side only turns small ready-made thumbnails into PhotoImages.
"""
from __future__ import annotations

import tkinter as tk
from pathlib import Path
from tkinter import filedialog

import ttkbootstrap as ttk
from PIL import ImageTk

from clerk_app import pageops, pagefeed
from clerk_app.views.wizard import Step
from clerk_app.widgets import table
from forms import cases, casework
from forms.models import Page
from forms.workflow import Status

THUMB_W, THUMB_H = 120, 160
CARD_W, CARD_H = 140, 228
PAGE_STATES = (Status.RECEIVED, Status.CORRECTION, Status.ACCEPTED, Status.VERIFIED, Status.SCANNED)


class PagesStep(Step):
    title = "扫描"

    def __init__(self, master, services, wizard):
        super().__init__(master, services, wizard)
        self.cards: dict[str, dict] = {}     # key ("p<id>" or "n<index>") -> info + PhotoImage
        self._drawn: list = []               # what each grid slot shows now (key, version, selected)
        self._drawn_cols = 0
        self._drawn_region = None
        self.order: list[str] = []
        self.selected_key: str | None = None
        self.drag: dict | None = None
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
                  wraplength=260).pack(anchor="w")
        self.materials = table(left, (("n", "#", 28), ("name", "材料", 170), ("pages", "页数", 44)), height=12)
        self.materials.container.pack(fill="both", expand=True)
        right = ttk.Frame(panes)
        right.pack(side="left", fill="both", expand=True, padx=(8, 0))
        self.canvas = tk.Canvas(right, background="#eef1f4", highlightthickness=1, takefocus=True)
        ys = ttk.Scrollbar(right, orient="vertical", command=self.canvas.yview)
        self.canvas.configure(yscrollcommand=ys.set)
        ys.pack(side="right", fill="y")
        self.canvas.pack(side="left", fill="both", expand=True)
        self.canvas.bind("<Configure>", lambda e: self.schedule_layout())
        self.canvas.bind("<ButtonPress-1>", self.on_press)
        self.canvas.bind("<B1-Motion>", self.on_drag)
        self.canvas.bind("<ButtonRelease-1>", self.on_release)

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
        top = self.winfo_toplevel()
        for seq, fn in (("<F7>", self.scan), ("<F8>", self.photograph), ("<Control-i>", self.pick_files),
                        ("<Control-s>", self.finish)):
            top.bind(seq, lambda e, fn=fn: self._if_mapped(fn), add="+")
        c = self.canvas
        c.bind("<Left>", lambda e: self.select_step(-1))
        c.bind("<Right>", lambda e: self.select_step(1))
        c.bind("<Up>", lambda e: self.select_step(-self.columns()))
        c.bind("<Down>", lambda e: self.select_step(self.columns()))
        c.bind("<Delete>", lambda e: self.delete())
        for k in ("r", "R"):
            c.bind(f"<KeyPress-{k}>", lambda e: self.rotate())
        c.bind("<Control-Left>", lambda e: (self.reorder(-1), "break")[1])
        c.bind("<Control-Right>", lambda e: (self.reorder(1), "break")[1])
        for n in range(1, 10):
            c.bind(f"<KeyPress-{n}>", lambda e, n=n: self.assign_number(n))

    def _if_mapped(self, fn):
        if self.winfo_ismapped():
            fn()
            return "break"
        return None

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
        self.cards.clear()
        self.order.clear()
        self.selected_key = None
        self.canvas.delete("all")
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
        shown = [m for m in cases.checklist(self.draft.case) if m.state in ("provided", "e_license", "rongque")]
        shown = shown or cases.checklist(self.draft.case)
        for i, m in enumerate(shown, 1):
            self.materials.insert("", "end", iid=m.name, values=(i, m.name, len(casework.pages_of(m))))
        if sel and self.materials.exists(sel[0]):
            self.materials.selection_set(sel[0])
        else:
            first_empty = next((m.name for m in shown if m.state == "provided"
                                and not casework.pages_of(m)), shown[0].name if shown else None)
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
        self.reset_cards()
        self.services.run(lambda ctx: pagefeed.existing_cards(case_id, ctx), title="载入页面", show=False,
                          on_item=self.add_card, widget=self)

    def reset_cards(self) -> None:
        self.cards.clear()
        self.order.clear()
        self.canvas.delete("all")

    def add_card(self, card: dict) -> None:
        """Show one card (Tk thread): ``card`` from pagefeed, with a small PIL thumbnail."""
        if card.get("replaces"):
            for key in card["replaces"]:
                if key in self.cards:
                    self.cards.pop(key)
                    self.order.remove(key)
        if card.get("remove"):
            return self.schedule_layout()
        key = card["key"]
        card["photo"] = ImageTk.PhotoImage(card.pop("thumb"), master=self) if card.get("thumb") else \
            self.cards.get(key, {}).get("photo")
        if key not in self.cards:
            self.order.append(key)
        self.cards[key] = card
        if card.get("id") is not None:
            self.order.sort(key=lambda k: (self.cards[k].get("seq") or 10 ** 6, k))
        self.schedule_layout()
        for w in card.get("warnings", []):
            if w not in self.warnings.get(0, "end"):
                self.warnings.insert("end", w)
        return None

    def schedule_layout(self) -> None:
        """Redraw once after a burst of cards, not once per card."""
        if not getattr(self, "_layout_pending", False):
            self._layout_pending = True
            self.after_idle(self._layout_now)

    def _layout_now(self) -> None:
        self._layout_pending = False
        if self.winfo_exists():
            self.layout()

    def columns(self) -> int:
        return max(1, (self.canvas.winfo_width() - 10) // CARD_W)

    def layout(self, full: bool = False) -> None:
        """Draw the page grid; only slots whose card changed are redrawn (few Tk calls per new page)."""
        c = self.canvas
        cols = self.columns()
        if full or cols != self._drawn_cols:
            c.delete("all")
            self._drawn, self._drawn_cols = [], cols
        c.delete("empty")
        for i, key in enumerate(self.order):
            card = self.cards[key]
            sig = (key, card.get("version", 0), key == self.selected_key)
            if i < len(self._drawn) and self._drawn[i] == sig:
                continue
            c.delete(f"slot:{i}")
            self.draw_card(i, key, card, cols)
            if i < len(self._drawn):
                self._drawn[i] = sig
            else:
                self._drawn.append(sig)
        for i in range(len(self.order), len(self._drawn)):
            c.delete(f"slot:{i}")
        del self._drawn[len(self.order):]
        rows = (len(self.order) + cols - 1) // cols
        region = (0, 0, cols * CARD_W + 10, rows * CARD_H + 10)
        if region != self._drawn_region:
            c.configure(scrollregion=region)
            self._drawn_region = region
        if not self.order:
            c.create_text(20, 20, anchor="nw", fill="#6c757d", font=("", 11), tags=("empty",),
                          text="还没有页面。\n按 F7 用扫描仪扫描，F8 用高拍仪拍摄，或 Ctrl+I 导入图片/PDF 文件。\n"
                               "新页面会放入左侧所选的材料。")

    def draw_card(self, i: int, key: str, card: dict, cols: int) -> None:
        c = self.canvas
        r, col = divmod(i, cols)
        x, y = 10 + col * CARD_W, 10 + r * CARD_H
        tags = (f"slot:{i}", f"card:{key}")
        selected = key == self.selected_key
        c.create_rectangle(x, y, x + CARD_W - 10, y + CARD_H - 10, fill="#ffffff",
                           outline="#0d6efd" if selected else "#c9d1d9", width=3 if selected else 1, tags=tags)
        if card.get("photo") is not None:
            c.create_image(x + (CARD_W - 10) // 2, y + 6, image=card["photo"], anchor="n", tags=tags)
        c.create_text(x + 6, y + THUMB_H + 10, anchor="nw", text=card.get("title", ""), font=("", 9), tags=tags)
        color = {"ok": "#146c43", "warn": "#b35c00", "busy": "#0a58ca", "error": "#b02a37"}
        c.create_text(x + 6, y + THUMB_H + 46, anchor="nw", text=card.get("status", ""), width=CARD_W - 20,
                      fill=color.get(card.get("level", "ok"), "#333"), font=("", 9), tags=tags)

    def key_at(self, x, y) -> str | None:
        for item in self.canvas.find_overlapping(x, y, x, y):
            for tag in self.canvas.gettags(item):
                if tag.startswith("card:"):
                    return tag[5:]
        return None

    def select(self, key: str | None) -> None:
        self.selected_key = key
        self.layout()
        if key in self.order:
            i, cols = self.order.index(key), self.columns()
            rows = max(1, (len(self.order) + cols - 1) // cols)
            self.canvas.yview_moveto(max(0.0, (i // cols - 1) / rows))

    def select_step(self, delta: int) -> str:
        if not self.order:
            return "break"
        i = self.order.index(self.selected_key) if self.selected_key in self.order else -delta
        self.select(self.order[max(0, min(len(self.order) - 1, i + delta))])
        return "break"

    def selected_page(self) -> Page | None:
        card = self.cards.get(self.selected_key or "")
        if not card or card.get("id") is None:
            return None
        return Page.get_or_none(Page.id == card["id"])

    # --- drag a page onto a material -----------------------------------------------------

    def on_press(self, event) -> None:
        self.canvas.focus_set()
        x, y = self.canvas.canvasx(event.x), self.canvas.canvasy(event.y)
        key = self.key_at(x, y)
        if key is not None:
            self.select(key)
            self.drag = {"key": key, "x": event.x_root, "y": event.y_root, "moved": False}

    def on_drag(self, event) -> None:
        if not self.drag:
            return
        if abs(event.x_root - self.drag["x"]) + abs(event.y_root - self.drag["y"]) > 8:
            self.drag["moved"] = True
            self.canvas.configure(cursor="hand2")

    def on_release(self, event) -> None:
        drag, self.drag = self.drag, None
        self.canvas.configure(cursor="")
        if not drag or not drag["moved"]:
            return
        target = self.winfo_containing(event.x_root, event.y_root)
        if target is self.materials:
            row = self.materials.identify_row(event.y_root - self.materials.winfo_rooty())
            if row:
                self.move_selected_to(row)

    # --- page edits (quick database writes on the Tk thread) -------------------------------

    def move_selected_to(self, material_name: str) -> None:
        page = self.selected_page()
        if page is None:
            return
        try:
            pageops.move_page(page, material_name, self.services.clerk)
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
            p = pageops.rotate_page(page, 90, clerk)
            ctx.emit(pagefeed.card_for(p, status="识别中…", level="busy"))
            p = pageops.reocr_page(p, langs, ctx.cancel)
            return pagefeed.card_for(p)
        self.services.run(job, title="旋转并重新识别", on_item=self.add_card, on_done=self.add_card, widget=self)
        return "break"

    def delete(self) -> str:
        page = self.selected_page()
        if page is None:
            return "break"
        key = self.selected_key
        try:
            pageops.delete_page(page, self.services.clerk)
        except Exception as e:  # noqa: BLE001
            self.services.show_error(e)
            return "break"
        i = self.order.index(key)
        self.cards.pop(key)
        self.order.remove(key)
        self.selected_key = self.order[min(i, len(self.order) - 1)] if self.order else None
        self.layout()
        self.fill_materials()
        return "break"

    def reorder(self, step: int) -> None:
        page = self.selected_page()
        if page is None:
            return
        try:
            pageops.move_within(page, step, self.services.clerk)
        except Exception as e:  # noqa: BLE001
            return self.services.show_error(e)
        for p in Page.select().where(Page.case == self.draft.case):
            card = self.cards.get(f"p{p.id}")
            if card:
                card["seq"] = p.seq
                card["title"] = pagefeed.title(p)
                card["version"] = card.get("version", 0) + 1
        self.order.sort(key=lambda k: (self.cards[k].get("seq") or 10 ** 6, k))
        self.layout()

    def refresh_page(self, page_id: int) -> None:
        p = Page.get_by_id(page_id)
        card = self.cards.get(f"p{page_id}")
        if card is not None:
            card.update(pagefeed.card_for(p, with_thumb=False))
            card["version"] = card.get("version", 0) + 1
            self.layout()

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
            for key in [k for k, c in self.cards.items() if c.get("id") is None]:
                self.cards.pop(key)
                self.order.remove(key)
            self.layout()

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
            casework.mark_scanned(d.case, self.services.clerk)
        except Exception as e:  # noqa: BLE001
            return self.services.show_error(e)
        self.wizard.case_changed()
        self.wizard.next()
        return None
