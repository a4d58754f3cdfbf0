"""The page thumbnails grid: cards on a canvas, keyboard selection, drag onto a drop target.

Cards are plain dicts from clerk_app.pagefeed (key, id, seq, title, status, level,
warnings, thumb). Only changed grid slots are redrawn: a page arriving during OCR
costs a handful of Tk calls, not a redraw of the whole grid.
"""
from __future__ import annotations

import tkinter as tk
from typing import Callable

import ttkbootstrap as ttk
from PIL import ImageTk

THUMB_H = 160
CARD_W, CARD_H = 140, 240
LEVEL_COLOURS = {"ok": "#146c43", "warn": "#b35c00", "busy": "#0a58ca", "error": "#b02a37"}
EMPTY_TEXT = ("还没有页面。\n按 F7 用扫描仪扫描，F8 用高拍仪拍摄，或 Ctrl+I 导入图片/PDF 文件。\n"
              "新页面会放入左侧所选的材料。")


class PageGrid(ttk.Frame):
    """Thumbnails in page order; ``on_drop(widget, x_root, y_root)`` when a card is dragged away."""

    def __init__(self, master, on_drop: Callable | None = None):
        super().__init__(master)
        self.on_drop = on_drop
        self.cards: dict[str, dict] = {}     # key ("p<id>" stored, "n<index>" arriving) -> card
        self.order: list[str] = []
        self.selected_key: str | None = None
        self.drag: dict | None = None
        self._drawn: list = []               # per slot: (key, version, selected) as drawn
        self._drawn_cols = 0
        self._drawn_region = None
        self._layout_pending = False
        self.canvas = tk.Canvas(self, background="#eef1f4", highlightthickness=1, takefocus=True)
        ys = ttk.Scrollbar(self, orient="vertical", command=self.canvas.yview)
        self.canvas.configure(yscrollcommand=ys.set)
        ys.pack(side="right", fill="y")
        self.canvas.pack(side="left", fill="both", expand=True)
        self.canvas.bind("<Configure>", lambda e: self.schedule_layout())
        self.canvas.bind("<ButtonPress-1>", self.on_press)
        self.canvas.bind("<B1-Motion>", self.on_motion)
        self.canvas.bind("<ButtonRelease-1>", self.on_release)
        for seq, delta in (("<Left>", -1), ("<Right>", 1)):
            self.canvas.bind(seq, lambda e, d=delta: self.select_step(d))
        self.canvas.bind("<Up>", lambda e: self.select_step(-self.columns()))
        self.canvas.bind("<Down>", lambda e: self.select_step(self.columns()))

    # --- cards -------------------------------------------------------------------------

    def clear(self) -> None:
        self.cards.clear()
        self.order.clear()
        self.selected_key = None
        self.layout(full=True)

    def add(self, card: dict) -> None:
        """Show or replace one card (Tk thread); ``replaces`` drops placeholders it stands for."""
        for key in card.get("replaces") or ():
            if key in self.cards:
                self.cards.pop(key)
                self.order.remove(key)
        if card.get("remove"):
            self.schedule_layout()
            return
        key = card["key"]
        old = self.cards.get(key, {})
        thumb = card.pop("thumb", None)
        card["photo"] = ImageTk.PhotoImage(thumb, master=self) if thumb is not None else old.get("photo")
        card["version"] = old.get("version", 0) + 1
        if key not in self.cards:
            self.order.append(key)
        self.cards[key] = card
        if card.get("id") is not None:
            self.sort()
        self.schedule_layout()

    def update_card(self, card_key: str, **changes) -> None:
        """Change a shown card's fields (title, status ...); drawn again at the next layout."""
        changes.pop("key", None)
        card = self.cards.get(card_key)
        if card is not None:
            card.update(changes)
            card["version"] = card.get("version", 0) + 1

    def remove(self, key: str) -> None:
        if key not in self.cards:
            return
        i = self.order.index(key)
        self.cards.pop(key)
        self.order.remove(key)
        if self.selected_key == key:
            self.selected_key = self.order[min(i, len(self.order) - 1)] if self.order else None
        self.layout()

    def drop_placeholders(self) -> None:
        for key in [k for k, c in self.cards.items() if c.get("id") is None]:
            self.cards.pop(key)
            self.order.remove(key)
        self.layout()

    def sort(self) -> None:
        self.order.sort(key=lambda k: (self.cards[k].get("seq") or 10 ** 6, k))

    def selected(self) -> dict | None:
        return self.cards.get(self.selected_key or "")

    # --- drawing -----------------------------------------------------------------------

    def schedule_layout(self) -> None:
        """Redraw once after a burst of cards, not once per card."""
        if not self._layout_pending:
            self._layout_pending = True
            self.after_idle(self._layout_now)

    def _layout_now(self) -> None:
        self._layout_pending = False
        if self.winfo_exists():
            self.layout()

    def columns(self) -> int:
        return max(1, (self.canvas.winfo_width() - 10) // CARD_W)

    def layout(self, full: bool = False) -> None:
        """Draw the grid; only slots whose card changed are redrawn."""
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
            c.create_text(20, 20, anchor="nw", fill="#6c757d", font=("", 11), tags=("empty",), text=EMPTY_TEXT)

    def draw_card(self, i: int, key: str, card: dict, cols: int) -> None:
        c = self.canvas
        r, col = divmod(i, cols)
        x, y = 10 + col * CARD_W, 10 + r * CARD_H
        tags = (f"slot:{i}", f"card:{key}")
        selected = key == self.selected_key
        c.create_rectangle(x, y, x + CARD_W - 10, y + CARD_H - 10, fill="#fff4d6" if card.get("blank") else "#ffffff",
                           outline="#0d6efd" if selected else "#c9d1d9", width=3 if selected else 1, tags=tags)
        if card.get("photo") is not None:
            c.create_image(x + (CARD_W - 10) // 2, y + 6, image=card["photo"], anchor="n", tags=tags)
        c.create_text(x + 6, y + THUMB_H + 10, anchor="nw", text=card.get("title", ""), font=("", 9), tags=tags)
        c.create_text(x + 6, y + THUMB_H + 46, anchor="nw", text=card.get("status", ""), width=CARD_W - 20,
                      fill=LEVEL_COLOURS.get(card.get("level", "ok"), "#333"), font=("", 9), tags=tags)

    # --- selection and dragging ---------------------------------------------------------

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
        if self.order:
            i = self.order.index(self.selected_key) if self.selected_key in self.order else -delta
            self.select(self.order[max(0, min(len(self.order) - 1, i + delta))])
        return "break"

    def on_press(self, event) -> None:
        self.canvas.focus_set()
        key = self.key_at(self.canvas.canvasx(event.x), self.canvas.canvasy(event.y))
        if key is not None:
            self.select(key)
            self.drag = {"key": key, "x": event.x_root, "y": event.y_root, "moved": False}

    def on_motion(self, event) -> None:
        if self.drag and abs(event.x_root - self.drag["x"]) + abs(event.y_root - self.drag["y"]) > 8:
            self.drag["moved"] = True
            self.canvas.configure(cursor="hand2")

    def on_release(self, event) -> None:
        drag, self.drag = self.drag, None
        self.canvas.configure(cursor="")
        if drag and drag["moved"] and self.on_drop is not None:
            self.on_drop(self.winfo_containing(event.x_root, event.y_root), event.x_root, event.y_root)
