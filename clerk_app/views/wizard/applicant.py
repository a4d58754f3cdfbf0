"""Step 2: applicant (person or enterprise), optional agent with authorisation, delivery.

IDs are checked as typed. An ID card or business licence photo can be read
(OCR on a worker) to fill empty fields; differences from what was typed are listed.
"""
from __future__ import annotations

import tkinter as tk
from pathlib import Path
from tkinter import filedialog

import ttkbootstrap as ttk

from clerk_app import ocrfill
from clerk_app.views.wizard import Step
from clerk_app.widgets import CheckedEntry, enter_moves_on, focus_next, labeled
from forms.errors import ClerkError, InvalidInput
from forms.parties import ENTERPRISE_ID_TYPES, PERSON_ID_TYPES, PartyInput, check_party

_ID_KIND = {"resident_id": "resident_id", "uscc": "uscc", "passport": "passport",
            "hk_macau_permit": "hk_macau_permit", "taiwan_permit": "taiwan_permit",
            "mainland_travel_permit": "mainland_travel_permit", "residence_permit": "residence_permit"}


class PartyForm(ttk.Frame):
    """Name, ID type and number, phone, address (and legal representative for an enterprise)."""

    def __init__(self, master, allow_enterprise: bool = True):
        super().__init__(master)
        self.kind = tk.StringVar(value="person")
        self.name = tk.StringVar()
        self.id_type = tk.StringVar(value=PERSON_ID_TYPES["resident_id"])
        self.id_number = tk.StringVar()
        self.phone = tk.StringVar()
        self.address = tk.StringVar()
        self.legal_rep = tk.StringVar()
        self.columnconfigure(1, weight=1)
        row = 0
        if allow_enterprise:
            kinds = ttk.Frame(self)
            ttk.Radiobutton(kinds, text="个人", value="person", variable=self.kind,
                            command=self.kind_changed).pack(side="left")
            ttk.Radiobutton(kinds, text="企业（法人）", value="enterprise", variable=self.kind,
                            command=self.kind_changed).pack(side="left", padx=12)
            labeled(self, row, "类型", kinds)
            row += 1
        self.name_label = ttk.Label(self, text="姓名")
        self.name_entry = ttk.Entry(self, textvariable=self.name)
        self.name_label.grid(row=row, column=0, sticky="e", padx=(0, 8), pady=4)
        self.name_entry.grid(row=row, column=1, sticky="we", pady=4)
        self.type_box = labeled(self, row + 1, "证件类型", ttk.Combobox(
            self, textvariable=self.id_type, state="readonly", values=list(PERSON_ID_TYPES.values())))
        self.type_box.bind("<<ComboboxSelected>>", lambda e: self.number.check())
        self.number = labeled(self, row + 2, "证件号码", CheckedEntry(self, self.id_number, self.id_kind))
        self.legal_label = ttk.Label(self, text="法定代表人")
        self.legal_entry = ttk.Entry(self, textvariable=self.legal_rep)
        self.legal_row = row + 3
        self.phone_entry = labeled(self, row + 4, "联系电话", CheckedEntry(self, self.phone, None, optional=True))
        self.address_entry = labeled(self, row + 5, "地址", ttk.Entry(self, textvariable=self.address))
        enter_moves_on(self.name_entry, self.type_box, self.number.entry, self.legal_entry,
                       self.phone_entry.entry)

    def id_type_code(self) -> str:
        types = ENTERPRISE_ID_TYPES if self.kind.get() == "enterprise" else PERSON_ID_TYPES
        return next((k for k, v in types.items() if v == self.id_type.get()), next(iter(types)))

    def id_kind(self) -> str:
        return _ID_KIND.get(self.id_type_code(), "permit")

    def kind_changed(self) -> None:
        ent = self.kind.get() == "enterprise"
        types = ENTERPRISE_ID_TYPES if ent else PERSON_ID_TYPES
        self.type_box.configure(values=list(types.values()))
        if self.id_type.get() not in types.values():
            self.id_type.set(next(iter(types.values())))
        self.name_label.configure(text="企业名称" if ent else "姓名")
        if ent:
            self.legal_label.grid(row=self.legal_row, column=0, sticky="e", padx=(0, 8), pady=4)
            self.legal_entry.grid(row=self.legal_row, column=1, sticky="we", pady=4)
        else:
            self.legal_label.grid_remove()
            self.legal_entry.grid_remove()
        self.number.check()

    def get(self) -> dict:
        d = {"kind": self.kind.get(), "name": self.name.get().strip(), "id_type": self.id_type_code(),
             "id_number": self.id_number.get().strip(), "phone": self.phone.get().strip(),
             "address": self.address.get().strip()}
        if d["kind"] == "enterprise":
            d["legal_rep"] = self.legal_rep.get().strip()
        return d

    def set(self, d: dict | None) -> None:
        d = d or {}
        self.kind.set(d.get("kind") or "person")
        self.kind_changed()
        types = ENTERPRISE_ID_TYPES if self.kind.get() == "enterprise" else PERSON_ID_TYPES
        self.id_type.set(types.get(d.get("id_type") or "", next(iter(types.values()))))
        for var, key in ((self.name, "name"), (self.id_number, "id_number"), (self.phone, "phone"),
                         (self.address, "address"), (self.legal_rep, "legal_rep")):
            var.set(d.get(key) or "")

    def set_state(self, state: str) -> None:
        for w in (self.name_entry, self.number.entry, self.legal_entry, self.phone_entry.entry,
                  self.address_entry):
            w.configure(state=state)
        self.type_box.configure(state="readonly" if state == "normal" else "disabled")


class ApplicantStep(Step):
    title = "申请人"

    def __init__(self, master, services, wizard):
        super().__init__(master, services, wizard)
        self.has_agent = tk.BooleanVar(value=False)
        self.authorization = tk.StringVar()
        self.delivery = tk.StringVar(value="ems")
        self.delivery_address = tk.StringVar()
        self.create_ocr_panel()
        self.create_applicant()
        self.create_agent()
        self.create_delivery()

    def create_applicant(self) -> None:
        cols = ttk.Frame(self)
        cols.pack(fill="x")
        cols.columnconfigure(0, weight=1, uniform="a")
        cols.columnconfigure(1, weight=1, uniform="a")
        box = ttk.Labelframe(cols, text="申请人", padding=10)
        box.grid(row=0, column=0, sticky="nsew", padx=(0, 6))
        self.applicant = PartyForm(box)
        self.applicant.pack(fill="x")
        self.cols = cols

    def create_agent(self) -> None:
        box = ttk.Labelframe(self.cols, text="代办人（可选）", padding=10)
        box.grid(row=0, column=1, sticky="nsew", padx=(6, 0))
        ttk.Checkbutton(box, text="由代办人代为办理（须有授权委托书）", variable=self.has_agent,
                        command=self.agent_toggled).pack(anchor="w")
        self.agent = PartyForm(box, allow_enterprise=False)
        self.agent.pack(fill="x", pady=(6, 0))
        auth = ttk.Frame(box)
        auth.pack(fill="x")
        auth.columnconfigure(1, weight=1)
        self.auth_entry = labeled(auth, 0, "授权委托", ttk.Entry(auth, textvariable=self.authorization))
        enter_moves_on(self.agent.address_entry)

    def create_delivery(self) -> None:
        box = ttk.Labelframe(self, text="结果送达", padding=10)
        box.pack(fill="x", pady=(8, 0))
        ttk.Radiobutton(box, text="邮寄到申请人", value="ems", variable=self.delivery,
                        command=self.delivery_toggled).grid(row=0, column=0, sticky="w")
        ttk.Radiobutton(box, text="到本窗口领取", value="window", variable=self.delivery,
                        command=self.delivery_toggled).grid(row=0, column=1, sticky="w", padx=12)
        ttk.Label(box, text="收件地址").grid(row=0, column=2, padx=(24, 8))
        self.address_entry = ttk.Entry(box, textvariable=self.delivery_address, width=60)
        self.address_entry.grid(row=0, column=3, sticky="we")
        box.columnconfigure(3, weight=1)
        self.address_entry.bind("<Return>", lambda e: (self.wizard.next(), "break")[1])
        self.applicant.address_entry.bind("<Return>", self.applicant_address_done)

    def create_ocr_panel(self) -> None:
        box = ttk.Frame(self)
        box.pack(fill="x", pady=(0, 8))
        ttk.Button(box, text="读取身份证 / 营业执照照片 Ctrl+R", bootstyle="info-outline",
                   command=self.pick_id_image).pack(side="left")
        self.ocr_note = ttk.Label(box, text="照片中的姓名、号码、地址会自动填入空白栏，不一致处在此列出",
                                  bootstyle="secondary", wraplength=760, justify="left")
        self.ocr_note.pack(side="left", padx=10)

    def shortcuts(self) -> dict:
        """Keys that act on this step while it is shown."""
        return {"<Control-r>": self.pick_id_image} if self.draft.case is None else {}

    # --- behaviour ---------------------------------------------------------------------

    def applicant_address_done(self, event):
        if not self.delivery_address.get().strip():
            self.delivery_address.set(self.applicant.address.get())
        return focus_next(event) if self.has_agent.get() else (self.address_entry.focus_set(), "break")[1]

    def agent_toggled(self) -> None:
        state = "normal" if self.has_agent.get() and self.draft.case is None else "disabled"
        self.agent.set_state(state)
        self.auth_entry.configure(state=state)
        if self.has_agent.get():
            self.agent.name_entry.focus_set()

    def delivery_toggled(self) -> None:
        self.address_entry.configure(state="normal" if self.delivery.get() == "ems" else "disabled")

    def reset(self) -> None:
        self.applicant.set({})
        self.agent.set({})
        self.has_agent.set(False)
        self.authorization.set("")
        self.delivery.set("ems")
        self.delivery_address.set("")
        self.ocr_note.configure(text="照片中的姓名、号码、地址会自动填入空白栏，不一致处在此列出", bootstyle="secondary")

    def on_show(self) -> None:
        d = self.draft
        self.applicant.set(d.applicant)
        self.has_agent.set(d.agent is not None)
        self.agent.set(d.agent)
        self.authorization.set(d.agent_authorization)
        self.delivery.set(d.delivery_method)
        self.delivery_address.set(d.delivery_address)
        locked = d.case is not None
        self.applicant.set_state("disabled" if locked else "normal")
        self.agent_toggled()
        self.delivery_toggled()
        if locked:
            self.address_entry.configure(state="disabled")
            self.ocr_note.configure(text="办件已保存，申请人信息不能再更改", bootstyle="secondary")
        self.applicant.name_entry.focus_set()

    def collect(self) -> None:
        d = self.draft
        d.applicant = self.applicant.get()
        d.agent = self.agent.get() if self.has_agent.get() else None
        d.agent_authorization = self.authorization.get().strip() if self.has_agent.get() else ""
        d.delivery_method = self.delivery.get()
        d.delivery_address = self.delivery_address.get().strip()

    def leave(self) -> bool:
        if self.draft.case is not None:
            return True
        self.collect()
        d = self.draft
        try:
            warnings = check_party(PartyInput.from_dict(d.applicant), "申请人").warnings
            if d.agent is not None:
                warnings += check_party(PartyInput.from_dict(d.agent), "代办人").warnings
                if not d.agent_authorization:
                    raise InvalidInput("代办人办理须登记申请人的授权委托书（如：授权委托书一份）")
            if d.delivery_method == "ems" and not d.delivery_address:
                raise InvalidInput("选择邮寄送达时请填写收件地址")
        except ClerkError as e:
            self.services.show_error(e)
            return False
        d.warnings = warnings
        return True

    def done(self) -> bool:
        return bool(self.draft.applicant.get("name") and self.draft.applicant.get("id_number"))

    # --- reading an ID card or licence -------------------------------------------------

    def pick_id_image(self) -> None:
        path = filedialog.askopenfilename(parent=self, title="选择身份证或营业执照的照片/扫描件",
                                          filetypes=[("图片或 PDF", "*.jpg *.jpeg *.png *.bmp *.tif *.tiff *.pdf"),
                                                     ("所有文件", "*")])
        if path:
            self.read_id_image(Path(path))

    def read_id_image(self, path: Path):
        """OCR the photo on a worker, then fill empty fields and list differences (Tk thread)."""
        self.ocr_note.configure(text=f"正在识别 {path.name}…", bootstyle="info")
        langs = self.services.prefs.get("ocr_langs")
        return self.services.run(lambda ctx: ocrfill.read_document(path, langs, ctx), title="识别证件",
                                 on_done=lambda result: self.apply_ocr(path, result),
                                 on_error=self.ocr_failed)

    def ocr_failed(self, exc) -> None:
        self.ocr_note.configure(text="未能识别，请手工填写", bootstyle="warning")
        self.services.show_error(exc)

    def apply_ocr(self, path: Path, page) -> None:
        self.draft.id_image, self.draft.id_ocr = path, page
        found = ocrfill.fields_of(page)
        filled, diffs = ocrfill.merge(found, self.applicant.get())
        current = self.applicant.get()
        current.update(filled)
        if "uscc" in found:
            current["kind"] = "enterprise"
            current["id_type"] = "uscc"
        self.applicant.set(current)
        parts = []
        if filled:
            parts.append("已填入：" + "、".join(ocrfill.LABELS.get(k, k) for k in filled))
        if diffs:
            parts.append("与已填写不一致：" + "；".join(diffs))
        if not found:
            parts.append("照片中没有读到姓名或证件号码，请手工填写")
        self.ocr_note.configure(text="。".join(parts) or "与已填写内容一致",
                                bootstyle="danger" if diffs else ("success" if filled else "warning"))
