"""Preview any PDF inside the app (pypdfium2) before it is printed.

Pages are rendered on a worker thread to PIL images; only the PhotoImage is
made on the Tk thread. PDFium is not thread-safe, so every render in the app
holds ``PDFIUM_LOCK``.
"""
from __future__ import annotations

import threading
import tkinter as tk
from pathlib import Path

import ttkbootstrap as ttk
from PIL import ImageTk

from forms.errors import ExportError

PDFIUM_LOCK = threading.Lock()
ZOOMS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)


def render_page(path: Path, index: int, width_px: int) -> tuple[object, int]:
    """Render page ``index`` (0-based) about ``width_px`` wide; returns (PIL image, page count).

    Any thread; holds PDFIUM_LOCK.
    """
    import pypdfium2 as pdfium
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except (pdfium.PdfiumError, OSError) as e:
            raise ExportError(f"无法打开 PDF {Path(path).name}：{e}") from e
        try:
            count = len(pdf)
            page = pdf[max(0, min(index, count - 1))]
            w_pt = page.get_width()
            image = page.render(scale=max(0.2, width_px / w_pt)).to_pil()
            page.close()
        finally:
            pdf.close()
    return image, count


class PdfPreview(ttk.Toplevel):
    """A window showing one page at a time; Ctrl+P prints, Esc closes."""

    def __init__(self, master, services, path: Path, title: str = "预览", print_kind: str = "a4"):
        super().__init__(title=f"{title} — {Path(path).name}", transient=master.winfo_toplevel())
        self.services, self.path, self.print_kind = services, Path(path), print_kind
        self.index, self.count, self.zoom = 0, 1, 1.0
        self.photo = None
        self.status = tk.StringVar(value="正在生成预览…")
        self.create_toolbar()
        self.create_canvas()
        self.bind_keys()
        screen_h = self.winfo_screenheight()
        self.geometry(f"{min(900, self.winfo_screenwidth() - 40)}x{min(screen_h - 80, 900)}+40+20")
        self.after(50, self.render)
        self.focus_set()

    def create_toolbar(self) -> None:
        bar = ttk.Frame(self, padding=6)
        bar.pack(fill="x")
        ttk.Button(bar, text="打印 (Ctrl+P)", bootstyle="primary", command=self.print_now).pack(side="left")
        ttk.Button(bar, text="上一页 (PgUp)", bootstyle="secondary-outline",
                   command=lambda: self.go(-1)).pack(side="left", padx=(12, 4))
        ttk.Button(bar, text="下一页 (PgDn)", bootstyle="secondary-outline",
                   command=lambda: self.go(1)).pack(side="left")
        ttk.Button(bar, text="缩小 (-)", bootstyle="secondary-outline",
                   command=lambda: self.zoom_by(-1)).pack(side="left", padx=(12, 4))
        ttk.Button(bar, text="放大 (+)", bootstyle="secondary-outline",
                   command=lambda: self.zoom_by(1)).pack(side="left")
        ttk.Label(bar, textvariable=self.status).pack(side="left", padx=12)
        ttk.Button(bar, text="关闭 (Esc)", bootstyle="secondary", command=self.destroy).pack(side="right")
        ttk.Button(bar, text="用系统程序打开", bootstyle="link", command=self.open_external).pack(side="right")

    def create_canvas(self) -> None:
        frame = ttk.Frame(self)
        frame.pack(fill="both", expand=True)
        self.canvas = tk.Canvas(frame, background="#7f8790", highlightthickness=0)
        ys = ttk.Scrollbar(frame, orient="vertical", command=self.canvas.yview)
        self.canvas.configure(yscrollcommand=ys.set)
        ys.pack(side="right", fill="y")
        self.canvas.pack(side="left", fill="both", expand=True)

    def bind_keys(self) -> None:
        self.bind("<Escape>", lambda e: self.destroy())
        self.bind("<Control-p>", lambda e: self.print_now())
        self.bind("<Prior>", lambda e: self.go(-1))
        self.bind("<Next>", lambda e: self.go(1))
        for key in ("<plus>", "<KP_Add>", "<equal>"):
            self.bind(key, lambda e: self.zoom_by(1))
        for key in ("<minus>", "<KP_Subtract>"):
            self.bind(key, lambda e: self.zoom_by(-1))
        self.bind("<Down>", lambda e: self.canvas.yview_scroll(3, "units"))
        self.bind("<Up>", lambda e: self.canvas.yview_scroll(-3, "units"))

    def go(self, step: int) -> None:
        new = max(0, min(self.count - 1, self.index + step))
        if new != self.index:
            self.index = new
            self.render()

    def zoom_by(self, step: int) -> None:
        i = min(range(len(ZOOMS)), key=lambda k: abs(ZOOMS[k] - self.zoom))
        self.zoom = ZOOMS[max(0, min(len(ZOOMS) - 1, i + step))]
        self.render()

    def render(self) -> None:
        """Render the current page in a worker; shows it when ready."""
        self.update_idletasks()
        width = int(max(300, self.canvas.winfo_width() - 30) * self.zoom)
        path, index = self.path, self.index
        self.status.set("正在生成预览…")
        self.services.run(lambda ctx: render_page(path, index, width), title="预览", show=False,
                          on_done=self.show_page, widget=self)

    def show_page(self, result) -> None:
        image, self.count = result
        if not self.winfo_exists():
            return
        self.photo = ImageTk.PhotoImage(image, master=self)
        self.canvas.delete("all")
        x = max(15, (self.canvas.winfo_width() - image.width) // 2)
        self.canvas.create_image(x, 15, image=self.photo, anchor="nw")
        self.canvas.configure(scrollregion=(0, 0, image.width + 30, image.height + 30))
        self.canvas.yview_moveto(0)
        self.status.set(f"第 {self.index + 1} / {self.count} 页")

    def print_now(self) -> None:
        self.services.print_file(self.path, self.print_kind,
                                 on_done=lambda job: self.status.set("已送往打印机"))

    def open_external(self) -> None:
        from exports.printing import open_in_viewer
        try:
            open_in_viewer(self.path)
        except Exception as e:  # noqa: BLE001 - shown in the one error place
            self.services.show_error(e)
