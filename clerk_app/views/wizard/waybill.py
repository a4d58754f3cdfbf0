"""Step 6: tracking number (typed or from a handheld barcode scanner), label, receipt.

A keyboard-wedge scanner types the number and Enter: that ships the case and
shows the label ready to print.
"""
from __future__ import annotations

import tkinter as tk

import ttkbootstrap as ttk
from PIL import ImageTk

from clerk_app.pdf_preview import render_page
from clerk_app.views.wizard import Step
from clerk_app.widgets import CheckedEntry, labeled
from desk import documents, shipping
from forms.models import CaseDocument, Shipment
from forms.storage import absolute
from forms.workflow import Status

SIZES = {"100x150": "100×150 mm 热敏面单", "76x130": "76×130 mm EMS 一联单", "a4": "A4 普通纸"}


class WaybillStep(Step):
    title = "寄出"

    def __init__(self, master, services, wizard):
        super().__init__(master, services, wizard)
        self.tracking = tk.StringVar()
        self.weight = tk.StringVar(value="200")
        self.size = tk.StringVar()
        self.label_pdf = None
        self.receipt_pdf = None
        self.photo = None
        self.create_form()
        self.create_preview()

    def shortcuts(self) -> dict:
        """Keys that act on this step while it is shown."""
        return {"<Control-p>": self.print_label, "<Control-r>": self.print_receipt}

    def create_form(self) -> None:
        left = ttk.Frame(self, width=520)
        left.pack(side="left", fill="y")
        left.pack_propagate(False)
        form = ttk.Labelframe(left, text="寄往属地", padding=12)
        form.pack(fill="x")
        form.columnconfigure(1, weight=1)
        self.address = ttk.Label(form, text="", wraplength=380, justify="left")
        labeled(form, 0, "收件方", self.address)
        self.tracking_entry = labeled(form, 1, "邮件号", CheckedEntry(form, self.tracking, "tracking", width=24))
        self.tracking_entry.entry.configure(font=("", 14))
        self.weight_box = labeled(form, 2, "重量（克）", ttk.Spinbox(form, from_=10, to=30000, increment=50,
                                                                  textvariable=self.weight, width=8))
        sizes = ttk.Combobox(form, state="readonly", values=list(SIZES.values()), width=22)
        self.size_box = labeled(form, 3, "面单规格", sizes)
        sizes.bind("<<ComboboxSelected>>", lambda e: self.services.prefs.set("label_size", self.size_code()))
        ttk.Label(left, text="用扫码枪扫面单条码（自动回车），或手工输入后按 Enter：登记寄出并生成面单。",
                  bootstyle="secondary", wraplength=500, justify="left").pack(anchor="w", pady=6)
        self.ship_button = ttk.Button(left, text="登记寄出并生成面单 Enter", bootstyle="success", command=self.ship)
        self.ship_button.pack(anchor="w")
        self.tracking_entry.entry.bind("<Return>", lambda e: (self.ship(), "break")[1])
        self.weight_box.bind("<Return>", lambda e: (self.ship(), "break")[1])
        self.status = ttk.Label(left, text="", wraplength=500, justify="left")
        self.status.pack(anchor="w", pady=8)
        buttons = ttk.Frame(left)
        buttons.pack(anchor="w")
        self.print_button = ttk.Button(buttons, text="打印面单 Ctrl+P", bootstyle="primary",
                                       command=self.print_label, state="disabled")
        self.print_button.pack(side="left")
        self.receipt_button = ttk.Button(buttons, text="打印受理回执 Ctrl+R", bootstyle="primary-outline",
                                         command=self.print_receipt)
        self.receipt_button.pack(side="left", padx=6)
        self.finish_button = ttk.Button(left, text="完成，返回首页 F2", bootstyle="secondary-outline",
                                        command=lambda: self.services.post("<<ShowView>>", view="home"))
        self.finish_button.pack(anchor="w", pady=(16, 0))

    def create_preview(self) -> None:
        box = ttk.Labelframe(self, text="面单预览", padding=6)
        box.pack(side="left", fill="both", expand=True, padx=(12, 0))
        self.canvas = tk.Canvas(box, background="#7f8790", highlightthickness=0)
        self.canvas.pack(fill="both", expand=True)

    def size_code(self) -> str:
        return next((k for k, v in SIZES.items() if v == self.size_box.get()), "100x150")

    # --- step protocol -------------------------------------------------------------------

    def unavailable(self) -> str | None:
        s = self.draft.status
        if s is None:
            return "请先在第 3 步保存收件"
        if s not in (Status.PACKAGED, Status.SHIPPED):
            return "请先在第 5 步完成打包"
        return None

    def done(self) -> bool:
        s = self.draft.status
        return s is not None and s not in (Status.RECEIVED, Status.CORRECTION, Status.ACCEPTED, Status.VERIFIED,
                                           Status.SCANNED, Status.PACKAGED, Status.REFUSED)

    def reset(self) -> None:
        self.tracking.set("")
        self.label_pdf = self.receipt_pdf = None
        self.canvas.delete("all")
        self.status.configure(text="")

    def on_show(self) -> None:
        case = self.draft.refresh_case()
        home = case.home
        self.address.configure(text=f"{home.receiving_window or home.name}\n{home.address}  {home.postcode}\n"
                                    f"{home.contact} {home.phone}")
        self.size_box.set(SIZES.get(self.services.prefs.get("label_size"), SIZES["100x150"]))
        shipped = Status(case.status) != Status.PACKAGED
        self.ship_button.configure(state="disabled" if shipped else "normal")
        self.tracking_entry.entry.configure(state="disabled" if shipped else "normal")
        if shipped:
            ship = Shipment.select().where(Shipment.case == case, Shipment.direction == "out") \
                .order_by(Shipment.id.desc()).first()
            if ship is not None:
                self.tracking.set(ship.tracking_number)
            doc = CaseDocument.select().where(CaseDocument.case == case, CaseDocument.kind == "waybill") \
                .order_by(CaseDocument.id.desc()).first()
            if doc is not None:
                self.label_pdf = absolute(doc.file_path)
                self.print_button.configure(state="normal")
                self.show_label()
            self.status.configure(text=f"已寄出，邮件号 {self.tracking.get()}。", bootstyle="success")
        else:
            self.tracking_entry.entry.focus_set()

    # --- actions ----------------------------------------------------------------------------

    def ship(self) -> None:
        """Enter: record 寄出 with the checked tracking number and make the label (worker)."""
        if self.draft.status != Status.PACKAGED or self.services.busy():
            return
        number = self.tracking.get().strip()
        result = self.tracking_entry.check()
        if result is None or not result.valid:
            self.status.configure(text="邮件号有误，请重新扫描或输入" + (f"：{result.error}" if result else ""),
                                  bootstyle="danger")
            self.tracking_entry.entry.select_range(0, "end")
            self.tracking_entry.entry.focus_set()
            return
        try:
            weight = int(self.weight.get().strip() or 0)
        except ValueError:
            self.status.configure(text="邮件重量应为整数（克），如 200", bootstyle="danger")
            return
        case_no, clerk, size = self.draft.case.case_no, self.services.clerk, self.size_code()

        def job(ctx):
            return shipping.register_parcel(clerk, case_no, number, weight, size).waybill

        def refused(exc):
            self.status.configure(text=str(exc), bootstyle="danger")
            self.tracking_entry.entry.select_range(0, "end")
            self.tracking_entry.entry.focus_set()
            self.services.show_error(exc)

        self.services.run(job, title="寄出", on_done=self.shipped, on_error=refused, cancellable=False)

    def shipped(self, path) -> None:
        self.label_pdf = path
        self.wizard.case_changed()
        self.on_show()
        self.status.configure(text=f"已登记寄出，邮件号 {self.tracking.get()}。请打印面单（Ctrl+P）贴在封套上，"
                                   "并打印受理回执（Ctrl+R）交给申请人。", bootstyle="success")
        self.print_button.focus_set()

    def show_label(self) -> None:
        path = self.label_pdf
        self.update_idletasks()
        height = max(200, self.canvas.winfo_height() - 20)
        width = int(height * 0.66)
        self.services.run(lambda ctx: render_page(path, 0, width), title="面单预览", show=False,
                          on_done=self.draw_label, widget=self)

    def draw_label(self, result) -> None:
        image, _count = result
        self.photo = ImageTk.PhotoImage(image, master=self)
        self.canvas.delete("all")
        self.canvas.create_image(10, 10, image=self.photo, anchor="nw")

    def print_label(self) -> None:
        if self.label_pdf is not None:
            kind = "a4" if self.size_code() == "a4" else "label"
            self.services.print_file(self.label_pdf, kind,
                                     on_done=lambda job: self.status.configure(text="面单已送往打印机"))

    def print_receipt(self) -> None:
        """受理回执 for the applicant: made (once) and previewed for printing."""
        case, clerk = self.draft.case, self.services.clerk
        if case is None:
            return
        case_no = case.case_no

        def done(path):
            self.receipt_pdf = path
            self.services.preview(path, "受理回执")
        if self.receipt_pdf is not None:
            return done(self.receipt_pdf)
        self.services.run(lambda ctx: documents.issue(clerk, case_no, "receipt"), title="生成受理回执",
                          on_done=done, cancellable=False)
        return None
