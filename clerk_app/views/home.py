"""Home board: today's cases by state, deadlines, parcels to mail, results to hand over."""
from __future__ import annotations


import ttkbootstrap as ttk

from forms import board as boarddata
from clerk_app.widgets import table
from forms import clock

WEEKDAYS = "一二三四五六日"
LISTS = (
    ("due", "超期及 2 个工作日内到期", boarddata.deadline_watch, "danger"),
    ("here", "本窗口待处理（受理 / 核验 / 扫描 / 打包）", boarddata.in_progress_here, "primary"),
    ("ship", "今日待寄出", boarddata.to_ship, "warning"),
    ("results", "结果待送达申请人", boarddata.results_waiting, "success"),
    ("correction", "补正中（申请人补齐后从这里继续）", boarddata.in_correction, "info"),
)


class HomeView(ttk.Frame):
    """The first screen of the day; Enter or double-click on a row opens the case."""

    def __init__(self, master, services):
        super().__init__(master, padding=(14, 10))
        self.services = services
        self.stale = True
        self.tables: dict[str, ttk.Treeview] = {}
        self.frames: dict[str, ttk.Labelframe] = {}
        self.create_header()
        self.create_lists()

    def create_header(self) -> None:
        head = ttk.Frame(self)
        head.pack(fill="x", pady=(0, 8))
        today = clock.today()
        clerk = self.services.clerk
        ttk.Label(head, text=f"{clerk.name}，您好", style="Title.TLabel").pack(side="left")
        ttk.Label(head, text=f"  {today:%Y年%m月%d日} 星期{WEEKDAYS[today.weekday()]}",
                  bootstyle="secondary").pack(side="left", pady=(6, 0))
        ttk.Button(head, text="查找办件 Ctrl+F", bootstyle="secondary-outline",
                   command=lambda: self.services.post("<<ShowView>>", view="search")).pack(side="right")
        ttk.Button(head, text="＋ 新建收件 Ctrl+N", bootstyle="success",
                   command=lambda: self.event_generate("<Control-n>")).pack(side="right", padx=8)
        ttk.Button(head, text="今日交寄清单", bootstyle="secondary-outline",
                   command=self.dispatch_list).pack(side="right")
        self.tiles = ttk.Frame(self)
        self.tiles.pack(fill="x", pady=(0, 8))

    def create_lists(self) -> None:
        grid = ttk.Frame(self)
        grid.pack(fill="both", expand=True)
        for col in range(2):
            grid.columnconfigure(col, weight=1, uniform="c")
        cols = (("case_no", "办件号", 180), ("applicant", "申请人", 70), ("item", "事项", 170),
                ("note", "情况", 150))
        for i, (key, title, _fn, style) in enumerate(LISTS):
            frame = ttk.Labelframe(grid, text=title, padding=4, bootstyle=style)
            r, c = divmod(i, 2)
            if i == len(LISTS) - 1 and len(LISTS) % 2:
                frame.grid(row=r, column=0, columnspan=2, sticky="nsew", padx=4, pady=4)
            else:
                frame.grid(row=r, column=c, sticky="nsew", padx=4, pady=4)
            grid.rowconfigure(r, weight=1)
            tree = table(frame, cols, height=4)
            tree.container.pack(fill="both", expand=True)
            tree.bind("<Double-1>", lambda e, t=tree: self.open_selected(t))
            tree.bind("<Return>", lambda e, t=tree: self.open_selected(t))
            self.tables[key], self.frames[key] = tree, frame

    def on_show(self) -> None:
        self.refresh()

    def mark_stale(self) -> None:
        self.stale = True

    def refresh(self) -> None:
        """Reload every list (a few small queries on the Tk thread)."""
        window = self.services.window
        for child in self.tiles.winfo_children():
            child.destroy()
        counts = boarddata.today_by_status(window)
        total = sum(n for _s, n in counts)
        self.tile("今日收件", total, "primary")
        for status, n in counts:
            self.tile(status.label, n, "secondary")
        if not counts:
            ttk.Label(self.tiles, text="今天还没有收件。按 Ctrl+N 开始第一件。", bootstyle="secondary").pack(
                side="left", padx=12)
        for key, title, fn, _style in LISTS:
            tree = self.tables[key]
            tree.delete(*tree.get_children())
            rows = fn(window)
            for row in rows:
                tree.insert("", "end", iid=row["case_no"], values=(
                    row["case_no"], row["applicant"], row["item"], row["note"]))
            self.frames[key].configure(text=f"{title}（{len(rows)}）")
        self.stale = False

    def tile(self, label: str, n: int, style: str) -> None:
        box = ttk.Frame(self.tiles, padding=(14, 6), bootstyle=style)
        box.pack(side="left", padx=(0, 8))
        ttk.Label(box, text=str(n), font=("", 18, "bold"), bootstyle=f"@{style}").pack()
        ttk.Label(box, text=label, bootstyle=f"@{style}").pack()

    def open_selected(self, tree) -> None:
        sel = tree.selection()
        if sel:
            self.services.post("<<OpenCase>>", case_no=sel[0])

    def dispatch_list(self) -> None:
        """交寄清单 of today's parcels, made on a worker and previewed for printing."""
        from desk import shipping
        clerk, window, today = self.services.clerk, self.services.window, clock.today()
        self.services.run(lambda ctx: shipping.dispatch_list(clerk, window, today), title="生成交寄清单",
                          on_done=lambda path: self.services.preview(path, "交寄清单"), cancellable=False)

    def count(self, key: str) -> int:
        """Rows in one list (tests)."""
        return len(self.tables[key].get_children())
