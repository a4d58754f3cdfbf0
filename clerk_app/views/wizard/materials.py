"""Step 3: the catalog's checklist — provided / missing / 容缺, originals verified — then save.

Ctrl+S is one desk action (desk.reception.save_checklist): anything missing →
一次性告知书 and the case waits in 补正; everything there → 受理 (and 原件核验 when
all originals are checked). Whether a key press may set a state is asked of
forms.materials, the one place the rule lives.
"""
from __future__ import annotations

import tkinter as tk

import ttkbootstrap as ttk

from clerk_app import dialogs
from clerk_app.views.wizard import Step
from clerk_app.widgets import select_first, table
from desk import reception
from desk.inputs import MaterialInput, NewCase
from forms import materials as mat
from forms.errors import ClerkError
from forms.materials import MATERIAL_STATES
from forms.models import MaterialRequirement
from forms.workflow import Right, Status

KEYS = (("p", "provided", "已提供"), ("m", "missing", "缺少"), ("r", "rongque", "容缺后补"),
        ("e", "e_license", "电子证照"), ("n", "not_needed", "不适用"), ("d", "deficient", "不符合要求"))
EDITABLE = (Status.RECEIVED, Status.CORRECTION, Status.ACCEPTED)


class MaterialsStep(Step):
    title = "材料"

    def __init__(self, master, services, wizard):
        super().__init__(master, services, wizard)
        self.reason = tk.StringVar()
        self.requirements: dict[str, MaterialRequirement] = {}
        self.last_document = None
        self.create_table()
        self.create_buttons()
        self.create_result()

    def create_table(self) -> None:
        self.tree = table(self, (("seq", "#", 34), ("name", "材料名称", 250), ("form", "形式/份数", 90),
                                 ("need", "要求", 170), ("state", "状态", 90), ("verified", "原件核验", 150),
                                 ("reason", "说明", 200)), height=9)
        self.tree.container.pack(fill="both", expand=True)
        for style, color in (("missing", "#b02a37"), ("deficient", "#b02a37"), ("rongque", "#b35c00"),
                             ("provided", "#146c43")):
            self.tree.tag_configure(style, foreground=color)
        for key, state, _label in KEYS:
            for k in (key, key.upper()):
                self.tree.bind(f"<KeyPress-{k}>", lambda e, s=state: self.mark(s))
        for k in ("v", "V"):
            self.tree.bind(f"<KeyPress-{k}>", lambda e: self.toggle_verified())
        self.tree.bind("<<TreeviewSelect>>", lambda e: self.show_selected())
        self.tree.bind("<Return>", lambda e: (self.reason_entry.focus_set(), "break")[1])
        self.note = ttk.Label(self, text="", bootstyle="secondary", wraplength=1000, justify="left")
        self.note.pack(fill="x", pady=(4, 0))

    def create_buttons(self) -> None:
        bar = ttk.Frame(self)
        bar.pack(fill="x", pady=6)
        self.state_buttons = []
        for key, state, label in KEYS:
            b = ttk.Button(bar, text=f"{label} {key.upper()}", bootstyle="secondary-outline",
                           command=lambda s=state: self.mark(s))
            b.pack(side="left", padx=(0, 4))
            self.state_buttons.append(b)
        self.verify_button = ttk.Button(bar, text="已提供且原件核验 V", bootstyle="info-outline",
                                        command=self.toggle_verified)
        self.verify_button.pack(side="left", padx=(8, 0))
        reason_row = ttk.Frame(self)
        reason_row.pack(fill="x")
        ttk.Label(reason_row, text="缺少/不符合的说明").pack(side="left")
        self.reason_entry = ttk.Entry(reason_row, textvariable=self.reason, width=60)
        self.reason_entry.pack(side="left", padx=6)
        self.reason_entry.bind("<Return>", lambda e: self.set_reason())
        ttk.Label(reason_row, text="Enter 记入所选材料，写入一次性告知书", bootstyle="secondary").pack(side="left")

    def create_result(self) -> None:
        row = ttk.Frame(self)
        row.pack(fill="x", pady=(10, 0))
        self.summary = ttk.Label(row, text="", font=("", 11, "bold"))
        self.summary.pack(side="left")
        self.save_button = ttk.Button(row, text="保存 Ctrl+S", bootstyle="success", command=self.save)
        self.save_button.pack(side="right")
        self.refuse_button = ttk.Button(row, text="不予受理…", bootstyle="danger-outline", command=self.refuse)
        self.refuse_button.pack(side="right", padx=8)
        self.result = ttk.Frame(self, padding=(0, 8))
        self.result.pack(fill="x")

    def shortcuts(self) -> dict:
        """Keys that act on this step while it is shown."""
        return {"<Control-s>": self.save, "<Control-p>": self.preview_last}

    # --- data ----------------------------------------------------------------------------

    def unavailable(self) -> str | None:
        return "请先在第 1 步选择事项" if self.draft.item is None else None

    def reset(self) -> None:
        self.last_document = None
        for w in self.result.winfo_children():
            w.destroy()

    def on_show(self) -> None:
        d = self.draft
        reqs = list(d.item.materials.order_by(MaterialRequirement.seq))
        self.requirements = {r.name: r for r in reqs}
        if d.case is not None:
            d.refresh_case()
            for m in mat.checklist(d.case):
                entry = d.materials.setdefault(m.name, {})
                entry.setdefault("state", m.state)
                entry.setdefault("reason", m.reason)
                entry["saved_verified"] = m.original_verified_by_id is not None
                entry["verified_by"] = (f"{m.original_verified_by.name} {m.original_verified_at:%m-%d %H:%M}"
                                        if m.original_verified_by_id else "")
                entry.setdefault("verified", entry["saved_verified"])
        has_agent = d.agent is not None
        for r in reqs:
            if r.name not in d.materials:
                # The catalog's default for an untouched line, as forms.materials decides it.
                d.materials[r.name] = {"state": mat.default_state(r, has_agent), "reason": "",
                                       "verified": False}
        self.fill()
        select_first(self.tree)
        self.tree.focus_set()
        self.show_selected()

    def fill(self) -> None:
        sel = self.tree.selection()
        self.tree.delete(*self.tree.get_children())
        for name, r in self.requirements.items():
            m = self.draft.materials[name]
            need = "必需" if r.required and not r.condition else (r.condition or "视情况提供")
            flags = [x for x, ok in (("可容缺", r.rongque_ok), ("可用电子证照", r.e_license_ok)) if ok]
            if flags:
                need += "（" + "、".join(flags) + "）"
            if not r.verify_original:
                verified = "—"
            elif m.get("verified_by"):
                verified = "✔ " + m["verified_by"]
            elif m.get("verified"):
                verified = f"✔ {self.services.clerk.name}（待保存）"
            else:
                verified = "待核验" if m["state"] == "provided" else ""
            self.tree.insert("", "end", iid=name, tags=(m["state"],), values=(
                r.seq, name, f"{r.form} {r.copies} 份", need, MATERIAL_STATES[m["state"]], verified,
                m.get("reason", "")))
        if sel and self.tree.exists(sel[0]):
            self.tree.selection_set(sel[0])
            self.tree.focus(sel[0])
        self.update_summary()

    def update_summary(self) -> None:
        d = self.draft
        missing = [n for n, m in d.materials.items() if m["state"] in ("missing", "deficient")]
        rongque = [n for n, m in d.materials.items() if m["state"] == "rongque"]
        unverified = [n for n, r in self.requirements.items() if r.verify_original
                      and d.materials[n]["state"] == "provided" and not d.materials[n].get("verified")]
        status = d.status
        editable = status is None or status in EDITABLE
        for b in self.state_buttons + [self.verify_button, self.reason_entry]:
            b.configure(state="normal" if editable else "disabled")
        can_verify = self.services.can(Right.VERIFY, d.partner)
        if not can_verify:
            self.verify_button.configure(state="disabled")
        if missing:
            text = f"缺少 {len(missing)} 项：{'、'.join(missing)}"
            self.summary.configure(text=text, bootstyle="danger")
            action = "保存并出具一次性告知书 Ctrl+S" if status != Status.CORRECTION else "补正收件：再次告知 Ctrl+S"
            if not self.services.can(Right.NOTIFY, d.partner):
                action = "仅保存收件（无一次性告知权） Ctrl+S"
        else:
            extra = f"（容缺 {len(rongque)} 项，寄出前须补齐）" if rongque else ""
            self.summary.configure(text="材料齐全" + extra + (f"；原件待核验：{'、'.join(unverified)}"
                                                           if unverified else ""),
                                   bootstyle="warning" if (unverified or rongque) else "success")
            action = {None: "保存并受理 Ctrl+S", Status.RECEIVED: "保存并受理 Ctrl+S",
                      Status.CORRECTION: "补正收件并受理 Ctrl+S"}.get(status, "完成原件核验 Ctrl+S")
        if status is not None and status not in EDITABLE:
            self.summary.configure(text=f"办件已{status.label}，材料清单已锁定", bootstyle="secondary")
        self.save_button.configure(text=action, state="normal" if editable else "disabled",
                                   bootstyle="warning" if missing else "success")
        self.refuse_button.configure(state="normal" if status in (None, Status.RECEIVED, Status.CORRECTION)
                                     else "disabled")
        if not can_verify:
            self.note.configure(text=f"您没有对{d.partner.name}的“原件核验权”：原件须由有权限的同事核验。")

    def show_selected(self) -> None:
        sel = self.tree.selection()
        if not sel:
            return
        r = self.requirements[sel[0]]
        self.reason.set(self.draft.materials[sel[0]].get("reason", ""))
        self.note.configure(bootstyle="secondary")
        bits = [f"{r.seq}. {r.name}：{r.form} {r.copies} 份"]
        if r.verify_original:
            bits.append("须核验原件" + ("，原件随件寄出" if r.forward_original else ""))
        if r.note:
            bits.append(r.note)
        self.note.configure(text="；".join(bits))

    # --- editing -----------------------------------------------------------------------

    def selected(self) -> str | None:
        sel = self.tree.selection()
        return sel[0] if sel else None

    def editable(self) -> bool:
        return self.draft.status is None or self.draft.status in EDITABLE

    def mark(self, state: str) -> str:
        """Set the selected material's state, then move to the next line."""
        name = self.selected()
        if name is None or not self.editable():
            return "break"
        r = self.requirements[name]
        try:
            mat.check_state(r, state, self.draft.agent is not None)
        except ClerkError as e:
            self.note.configure(text=str(e), bootstyle="danger")
            return "break"
        m = self.draft.materials[name]
        m["state"] = state
        if state in ("provided", "e_license", "not_needed"):
            m["reason"] = ""
        if state != "provided":
            m["verified"] = False
            m["verified_by"] = ""
        self.fill()
        self.select_next(name)
        return "break"

    def toggle_verified(self) -> str:
        name = self.selected()
        if name is None or not self.editable():
            return "break"
        r, m = self.requirements[name], self.draft.materials[name]
        if not self.services.can(Right.VERIFY, self.draft.partner):
            self.note.configure(text="您没有原件核验权", bootstyle="danger")
        elif not r.verify_original:
            self.note.configure(text=f"“{name}”无须核验原件", bootstyle="secondary")
        elif m.get("verified_by"):
            self.note.configure(text=f"“{name}”已由 {m['verified_by']} 核验", bootstyle="secondary")
        elif m.get("verified"):
            m["verified"] = False
            self.fill()
        else:
            # Checking the original means the applicant brought it: mark provided too, then move on.
            m["state"], m["verified"], m["reason"] = "provided", True, ""
            self.fill()
            self.select_next(name)
        return "break"

    def select_next(self, name: str) -> None:
        nxt = self.tree.next(name)
        if nxt:
            self.tree.selection_set(nxt)
            self.tree.focus(nxt)
            self.tree.see(nxt)

    def set_reason(self) -> str:
        name = self.selected()
        if name is not None:
            self.draft.materials[name]["reason"] = self.reason.get().strip()
            self.fill()
            self.tree.focus_set()
        return "break"

    # --- saving -----------------------------------------------------------------------------

    def inputs(self, only_changed: bool = False) -> list[MaterialInput]:
        saved = {m.name: m for m in mat.checklist(self.draft.case)} if self.draft.case else {}
        out = []
        for name, m in self.draft.materials.items():
            verify = bool(m.get("verified")) and not m.get("verified_by")
            if only_changed and name in saved and saved[name].state == m["state"] \
                    and saved[name].reason == m.get("reason", "") and not verify:
                continue
            out.append(MaterialInput(name=name, state=m["state"], reason=m.get("reason", ""),
                                     original_verified=verify))
        return out

    def save(self) -> None:
        """Ctrl+S: create or update the case on a worker, then notify or accept."""
        if not self.editable() or self.services.busy():
            return
        d, clerk = self.draft, self.services.clerk
        holder = {"case": d.case}
        new_inputs = self.inputs() if d.case is None else self.inputs(only_changed=True)
        if d.status == Status.CORRECTION and not new_inputs:
            self.note.configure(text="办件在补正中：申请人带来材料后，先在清单中标记（P / V），再按 Ctrl+S 补正收件。",
                                bootstyle="warning")
            return

        new = self.new_case(new_inputs) if d.case is None else None
        case_no = d.case.case_no if d.case is not None else None

        def job(ctx):
            return reception.save_checklist(clerk, case_no, new, new_inputs)

        def finished(result):
            holder["case"] = reception.case_by_no(result.case_no)
            self.after_save(holder, result)

        def failed(exc):
            self.after_save(holder, None)
            self.services.show_error(exc)

        self.services.run(job, title="保存收件", on_done=finished, on_error=failed, cancellable=False)

    def new_case(self, inputs: list[MaterialInput]) -> NewCase:
        """The draft's data for desk.reception.receive, copied on the Tk thread for the worker."""
        d = self.draft
        return NewCase(item=d.item.code, case_type=d.case_type, home=d.partner.code,
                       applicant=dict(d.applicant), agent=dict(d.agent) if d.agent else None,
                       agent_authorization=d.agent_authorization, delivery_method=d.delivery_method,
                       delivery_address=d.delivery_address, materials=tuple(inputs))

    def after_save(self, holder: dict, result) -> None:
        d = self.draft
        if holder.get("case") is not None:
            d.case = holder["case"]
            self.wizard.case_changed()
            self.reload_from_case()
        if result is None:
            return
        kind = result.outcome
        path = result.documents.get("notification")
        for w in self.result.winfo_children():
            w.destroy()
        if kind == "notified":
            self.last_document = path
            case = d.refresh_case()
            ttk.Label(self.result, text=(f"已出具一次性告知书，办件 {case.case_no} 转入补正"
                                         f"（补正期限 {case.correction_due:%Y-%m-%d}）。申请人补齐材料后，"
                                         "在首页“补正中”打开此件继续。"),
                      bootstyle="warning", wraplength=720, justify="left").pack(side="left")
            ttk.Button(self.result, text="新建下一件 Ctrl+N", bootstyle="secondary-outline",
                       command=lambda: self.event_generate("<Control-n>")).pack(side="right")
            ttk.Button(self.result, text="预览 / 打印告知书 Ctrl+P", bootstyle="warning",
                       command=self.preview_last).pack(side="right", padx=8)
            self.services.preview(path, "一次性告知书")
        elif kind == "saved":
            case = d.refresh_case()
            ttk.Label(self.result, text=(f"已保存收件，办件号 {case.case_no}。您没有一次性告知权："
                                         "请有权限的同事在“查找办件”中打开此件出具一次性告知书。"),
                      bootstyle="warning", wraplength=900, justify="left").pack(side="left")
        else:
            case = d.refresh_case()
            due = f"，承诺办结日期 {case.due_date:%Y-%m-%d}" if case.due_date else ""
            warn = f"（{case.deadline_warning}）" if case.deadline_warning else ""
            if Status(case.status) == Status.VERIFIED:
                ttk.Label(self.result, text=f"已受理{due}{warn}，原件核验完成。下一步：扫描材料。",
                          bootstyle="success").pack(side="left")
                self.wizard.next()
            else:
                ttk.Label(self.result, text=f"已受理{due}{warn}。请核验原件（V）后再按 Ctrl+S。",
                          bootstyle="warning").pack(side="left")
        for w in d.warnings:
            ttk.Label(self.result, text=w, bootstyle="warning").pack(side="left", padx=8)

    def reload_from_case(self) -> None:
        """Show the checklist as saved (after a service changed it)."""
        name = self.selected()
        self.draft.materials = {}
        self.on_show()
        if name and self.tree.exists(name):
            self.tree.selection_set(name)
            self.tree.focus(name)

    def preview_last(self) -> None:
        if self.last_document is not None:
            self.services.preview(self.last_document, "一次性告知书")

    def refuse(self) -> None:
        """不予受理 with a reason; the notice is previewed for printing."""
        reason = dialogs.ask_text(self, "请写明不予受理的理由（将写入不予受理决定书）：", title="不予受理")
        if not reason:
            return
        d, clerk = self.draft, self.services.clerk
        holder = {"case": d.case}
        new = self.new_case(self.inputs()) if d.case is None else None
        case_no = d.case.case_no if d.case is not None else None

        def job(ctx):
            return reception.refuse_new(clerk, case_no, new, reason)

        def done(result):
            holder["case"] = reception.case_by_no(result.case_no)
            self.after_save(holder, None)
            self.last_document = result.documents["refusal"]
            self.services.preview(self.last_document, "不予受理决定书")

        self.services.run(job, title="不予受理", on_done=done,
                          on_error=lambda e: (self.after_save(holder, None), self.services.show_error(e)),
                          cancellable=False)

    def leave(self) -> bool:
        return True

    def done(self) -> bool:
        s = self.draft.status
        return s is not None and s not in (Status.RECEIVED, Status.CORRECTION)
