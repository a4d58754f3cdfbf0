"""Step 5: transmittal preview and print, then the package built with a progress bar."""
from __future__ import annotations

import ttkbootstrap as ttk

from clerk_app.views.wizard import Step
from clerk_app.widgets import table
from desk import documents, shipping
from forms import materials as mat
from forms.storage import absolute, pages_of
from forms.models import CaseDocument
from forms.workflow import Status


class PackageStep(Step):
    title = "打包"

    def __init__(self, master, services, wizard):
        super().__init__(master, services, wizard)
        self.task = None
        self.transmittal = None
        self.package_pdf = None
        self.create_summary()
        self.create_actions()

    def create_summary(self) -> None:
        ttk.Label(self, text="随件材料（按事项清单顺序打包；流转单在最前）", bootstyle="secondary").pack(anchor="w")
        self.tree = table(self, (("name", "材料", 320), ("state", "状态", 100), ("pages", "页数", 60),
                                 ("verified", "原件核验", 200), ("original", "原件随寄", 90)), height=8)
        self.tree.container.pack(fill="both", expand=True)

    def create_actions(self) -> None:
        row = ttk.Frame(self, padding=(0, 10))
        row.pack(fill="x")
        ttk.Button(row, text="预览流转单 Ctrl+T", bootstyle="primary-outline",
                   command=self.preview_transmittal).pack(side="left")
        self.package_button = ttk.Button(row, text="生成交换包 Ctrl+B", bootstyle="success", command=self.build)
        self.package_button.pack(side="left", padx=8)
        self.progress = ttk.Progressbar(row, length=300, bootstyle="success-striped")
        self.progress.pack(side="left", padx=8)
        self.cancel_button = ttk.Button(row, text="取消 Esc", bootstyle="danger-outline", command=self.cancel)
        self.status = ttk.Label(self, text="", wraplength=1000, justify="left")
        self.status.pack(fill="x")
        self.after_row = ttk.Frame(self, padding=(0, 8))
        self.after_row.pack(fill="x")

    def shortcuts(self) -> dict:
        """Keys that act on this step while it is shown."""
        return {"<Control-t>": self.preview_transmittal, "<Control-b>": self.build}

    def unavailable(self) -> str | None:
        s = self.draft.status
        if s is None:
            return "请先在第 3 步保存收件"
        if s not in (Status.SCANNED, Status.PACKAGED):
            return "请先在第 4 步完成扫描（Ctrl+S）"
        return None

    def done(self) -> bool:
        s = self.draft.status
        return s is not None and s not in (Status.RECEIVED, Status.CORRECTION, Status.ACCEPTED,
                                           Status.VERIFIED, Status.SCANNED, Status.REFUSED)

    def reset(self) -> None:
        self.transmittal = self.package_pdf = None
        self.status.configure(text="")
        self.progress.configure(value=0)
        for w in self.after_row.winfo_children():
            w.destroy()

    def on_show(self) -> None:
        case = self.draft.refresh_case()
        self.tree.delete(*self.tree.get_children())
        for m in mat.checklist(case):
            if m.state == "not_needed":
                continue
            who = (f"{m.original_verified_by.name} {m.original_verified_at:%m-%d %H:%M}"
                   if m.original_verified_by_id else "—")
            self.tree.insert("", "end", values=(m.name, mat.MATERIAL_STATES[m.state],
                                                len(pages_of(m)), who, "是" if m.original_enclosed else ""))
        packaged = Status(case.status) == Status.PACKAGED
        self.package_button.configure(state="disabled" if packaged else "normal")
        if packaged:
            doc = (CaseDocument.select().where(CaseDocument.case == case, CaseDocument.kind == "package_pdf")
                   .order_by(CaseDocument.id.desc()).first())
            self.package_pdf = absolute(doc.file_path) if doc else None
            self.status.configure(text="已打包。下一步：填写邮件号寄出（Alt+→）。", bootstyle="success")
            self.show_after_buttons()
        else:
            self.status.configure(text="先预览并打印流转单（随原件一起寄出），再生成交换包。", bootstyle="secondary")
        self.package_button.focus_set()

    def preview_transmittal(self) -> None:
        case, clerk = self.draft.case, self.services.clerk
        if case is None:
            return

        def done(path):
            self.transmittal = path
            self.services.preview(path, "流转单")
        case_no = case.case_no
        self.services.run(lambda ctx: documents.issue(clerk, case_no, "transmittal"), title="生成流转单", on_done=done,
                          cancellable=False)

    def build(self) -> None:
        """Ctrl+B: build the signed package on a worker; Esc cancels."""
        if self.task is not None or self.unavailable() or Status(self.draft.case.status) == Status.PACKAGED:
            return
        case_no, clerk = self.draft.case.case_no, self.services.clerk

        def job(ctx):
            return shipping.build_package(clerk, case_no, progress=ctx.progress, cancel=ctx.cancel)

        self.cancel_button.pack(side="left")
        self.package_button.configure(state="disabled")
        self.status.configure(text="正在打包…", bootstyle="info")
        self.task = self.services.run(job, title="打包", on_done=self.built, on_progress=self.on_progress,
                                      on_error=self.failed, on_finish=self.finished, widget=self)

    def on_progress(self, done, total, what) -> None:
        if total:
            self.progress.configure(maximum=total, value=done)
        self.status.configure(text=what or "正在打包…")

    def built(self, result) -> None:
        self.package_pdf = result.pdf_path
        self.transmittal = getattr(result, "transmittal_pdf", self.transmittal)
        self.progress.configure(value=self.progress.cget("maximum"))
        self.status.configure(
            text=(f"已生成可检索 PDF {result.pdf_path.name}（{result.pages} 页，{result.bytes // 1024} KB）"
                  f"和交换包 {result.zip_path.name}，签名指纹 {result.fingerprint}。\n下一步：寄出（Enter 或 Alt+→）。"),
            bootstyle="success")
        self.wizard.case_changed()
        self.show_after_buttons()
        self.wizard.next_button.focus_set()       # Enter moves on to the waybill

    def failed(self, exc) -> None:
        from forms.errors import Cancelled
        if isinstance(exc, Cancelled):
            self.status.configure(text="已取消打包，可以重新生成。", bootstyle="warning")
            self.progress.configure(value=0)
        else:
            self.status.configure(text="打包未完成。", bootstyle="danger")
            self.services.show_error(exc)

    def finished(self) -> None:
        self.task = None
        self.cancel_button.pack_forget()
        self.package_button.configure(state="disabled" if self.done() else "normal")

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def show_after_buttons(self) -> None:
        for w in self.after_row.winfo_children():
            w.destroy()
        if self.package_pdf is not None:
            ttk.Button(self.after_row, text="预览打包 PDF", bootstyle="secondary-outline",
                       command=lambda: self.services.preview(self.package_pdf, "打包 PDF")).pack(side="left")
