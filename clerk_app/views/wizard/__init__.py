"""New case, as a wizard the clerk can jump around in (Alt+1 … Alt+6).

The wizard is one view; its steps are regions of it sharing one ``CaseDraft``.
Steps 1–3 fill the draft; saving in step 3 creates the case through
desk.reception; steps 4–6 work on that case through desk.pages / desk.shipping.
"""
from __future__ import annotations

import tkinter as tk
from dataclasses import dataclass, field
from pathlib import Path

import ttkbootstrap as ttk

from desk.reception import case_by_no
from forms import materials as mat
from forms.models import Case, Partner, ServiceItem
from forms.workflow import Status


@dataclass
class CaseDraft:
    """What the clerk has entered so far; ``case`` is set once the case is saved."""

    partner: Partner | None = None
    item: ServiceItem | None = None
    case_type: str = ""
    applicant: dict = field(default_factory=dict)
    agent: dict | None = None
    agent_authorization: str = ""
    delivery_method: str = "ems"
    delivery_address: str = ""
    materials: dict = field(default_factory=dict)   # name -> {"state", "reason", "verified"}
    id_image: Path | None = None                     # ID card / licence photo read in step 2
    id_ocr: object | None = None                     # its OcrPage
    warnings: list = field(default_factory=list)
    case: Case | None = None

    def refresh_case(self) -> Case | None:
        """Re-read the case row (its status changes as services run)."""
        if self.case is not None:
            self.case = Case.get_by_id(self.case.id)
        return self.case

    @property
    def status(self) -> Status | None:
        return Status(self.case.status) if self.case is not None else None


class Step(ttk.Frame):
    """One step of the wizard; subclasses build their region in create_*()."""

    title = ""

    def __init__(self, master, services, wizard):
        super().__init__(master, padding=(12, 8))
        self.services, self.wizard = services, wizard

    @property
    def draft(self) -> CaseDraft:
        return self.wizard.draft

    def unavailable(self) -> str | None:
        """Why this step cannot be opened now, or None."""
        return None

    def on_show(self) -> None:
        """Fill the widgets from the draft; put the focus on the first field."""

    def leave(self) -> bool:
        """Commit the widgets to the draft; False keeps the clerk on this step."""
        return True

    def done(self) -> bool:
        """True when this step's work is complete (a ✔ in the step bar)."""
        return False

    def shortcuts(self) -> dict:
        """Keys (Tk sequences) that act on this step while it is shown."""
        return {}


def _step_classes():
    from clerk_app.views.wizard.applicant import ApplicantStep
    from clerk_app.views.wizard.item import ItemStep
    from clerk_app.views.wizard.materials import MaterialsStep
    from clerk_app.views.wizard.package import PackageStep
    from clerk_app.views.wizard.pages import PagesStep
    from clerk_app.views.wizard.waybill import WaybillStep
    return [ItemStep, ApplicantStep, MaterialsStep, PagesStep, PackageStep, WaybillStep]


class WizardView(ttk.Frame):
    """The six steps with a step bar on top and 上一步 / 下一步 at the bottom."""

    def __init__(self, master, services):
        super().__init__(master)
        self.services = services
        self.draft = CaseDraft()
        self.index = 0
        self.summary = tk.StringVar()
        self.create_stepbar()
        self.create_body()
        self.create_navbar()

    def create_stepbar(self) -> None:
        bar = ttk.Frame(self, padding=(12, 8, 12, 0))
        bar.pack(fill="x")
        self.step_buttons = []
        for i, cls in enumerate(_step_classes()):
            b = ttk.Button(bar, text="", bootstyle="secondary-outline", command=lambda i=i: self.go(i),
                           takefocus=False)
            b.pack(side="left", padx=(0, 4))
            self.step_buttons.append(b)
            if i < 5:
                ttk.Label(bar, text="›", bootstyle="secondary").pack(side="left", padx=(0, 4))
        ttk.Label(self, textvariable=self.summary, bootstyle="info", padding=(14, 6, 12, 0)).pack(fill="x")

    def create_body(self) -> None:
        self.body = ttk.Frame(self)
        self.body.pack(fill="both", expand=True)
        self.steps = [cls(self.body, self.services, self) for cls in _step_classes()]

    def create_navbar(self) -> None:
        nav = ttk.Frame(self, padding=(12, 6))
        nav.pack(fill="x", side="bottom", before=self.body)
        ttk.Separator(self).pack(fill="x", side="bottom", before=nav)
        self.back_button = ttk.Button(nav, text="‹ 上一步 Alt+←", bootstyle="secondary-outline",
                                      command=lambda: self.move(-1))
        self.back_button.pack(side="left")
        self.next_button = ttk.Button(nav, text="下一步 Alt+→ ›", bootstyle="primary",
                                      command=lambda: self.move(1))
        self.next_button.pack(side="right")
        self.hint = ttk.Label(nav, text="", bootstyle="secondary")
        self.hint.pack(side="right", padx=12)

    def shortcuts(self) -> dict:
        """Alt+1…6, Alt+←/→, and the current step's own keys (dispatched by app.py)."""
        keys = {f"<Alt-Key-{i + 1}>": (lambda i=i: self.go(i)) for i in range(6)}
        keys["<Alt-Left>"] = lambda: self.move(-1)
        keys["<Alt-Right>"] = lambda: self.move(1)
        keys.update(self.step.shortcuts())
        return keys

    # --- navigation ----------------------------------------------------------------------

    @property
    def step(self) -> Step:
        return self.steps[self.index]

    def go(self, index: int, force: bool = False) -> bool:
        """Show step ``index`` (0-based) if it is available; commits the current one first."""
        if not 0 <= index < len(self.steps):
            return False
        target = self.steps[index]
        reason = target.unavailable()
        if reason and not force:
            self.hint.configure(text=reason, bootstyle="warning")
            return False
        if index != self.index and self.step.winfo_ismapped() and index > self.index and not self.step.leave():
            return False
        if index < self.index and self.step.winfo_ismapped():
            self.step.leave()    # going back never blocks; what is valid is kept
        self.step.pack_forget()
        self.index = index
        target.pack(fill="both", expand=True)
        self.hint.configure(text="", bootstyle="secondary")
        self.update_bar()
        target.on_show()
        return True

    def move(self, delta: int) -> None:
        """Next or previous available step."""
        i = self.index + delta
        while 0 <= i < len(self.steps):
            if self.steps[i].unavailable() is None:
                self.go(i)
                return
            if delta < 0:
                i += delta
                continue
            self.hint.configure(text=self.steps[i].unavailable(), bootstyle="warning")
            if self.step.leave():
                self.update_bar()
            return

    def next(self) -> None:
        """Called by a step when its work is done: on to the next step."""
        self.move(1)

    def update_bar(self) -> None:
        for i, (b, step) in enumerate(zip(self.step_buttons, self.steps)):
            mark = "✔ " if step.done() else ""
            b.configure(text=f"{mark}{i + 1} {step.title}  Alt+{i + 1}",
                        bootstyle="primary" if i == self.index else
                        ("success-outline" if step.done() else "secondary-outline"))
            b.configure(state="normal" if step.unavailable() is None else "disabled")
        self.back_button.configure(state="normal" if self.index > 0 else "disabled")
        self.next_button.configure(state="normal" if self.index < len(self.steps) - 1 else "disabled")
        self.summary.set(self.describe())

    def describe(self) -> str:
        d = self.draft
        parts = []
        if d.case is not None:
            parts.append(f"办件号 {d.case.case_no}（{Status(d.case.status).label}）")
        if d.item is not None:
            parts.append(d.item.name + (f"·{d.case_type}" if d.case_type else ""))
        if d.partner is not None:
            parts.append(f"属地 {d.partner.name}")
        if d.applicant.get("name"):
            parts.append(f"申请人 {d.applicant['name']}")
        return "　·　".join(parts) if parts else "新建收件：先选择合作地区和事项"

    # --- entry points ----------------------------------------------------------------------

    def start_new(self) -> None:
        """A fresh draft at step 1 (Ctrl+N)."""
        if self.services.busy() and self.draft.case is not None:
            from clerk_app import dialogs
            if not dialogs.ask_yes_no(self, "当前办件还有后台任务在进行，确定开始新的收件吗？"):
                return
        self.draft = CaseDraft()
        for step in self.steps:
            if hasattr(step, "reset"):
                step.reset()
        self.step.pack_forget()
        self.index = 0
        self.go(0, force=True)

    def load_case(self, case_no: str, step: int | None = None) -> None:
        """Continue an existing case (e.g. back for 补正) at the step its state calls for."""
        case = case_by_no(case_no)
        d = CaseDraft(partner=case.home, item=case.item, case_type=case.case_type, case=case,
                      delivery_method=case.delivery_method, delivery_address=case.delivery_address)
        d.applicant = _party_dict(case.applicant)
        d.agent = _party_dict(case.agent) if case.agent_id else None
        d.agent_authorization = case.agent_authorization
        for m in mat.checklist(case):
            d.materials[m.name] = {"state": m.state, "reason": m.reason,
                                   "verified": m.original_verified_by_id is not None}
        self.draft = d
        for s in self.steps:
            if hasattr(s, "reset"):
                s.reset()
        if step is None:
            step = {Status.RECEIVED: 2, Status.CORRECTION: 2, Status.ACCEPTED: 2, Status.VERIFIED: 3,
                    Status.SCANNED: 4, Status.PACKAGED: 5, Status.SHIPPED: 5}.get(Status(case.status), 2)
        self.step.pack_forget()
        self.index = step
        self.go(step, force=True)

    def case_changed(self) -> None:
        """A service changed the case: refresh the bar and tell the other views."""
        self.draft.refresh_case()
        self.update_bar()
        self.services.post("<<CaseChanged>>", case_no=self.draft.case.case_no if self.draft.case else None)

    def on_show(self) -> None:
        if not self.step.winfo_ismapped():
            self.go(self.index, force=True)


def _party_dict(p) -> dict:
    return {"kind": p.kind, "name": p.name, "id_type": p.id_type, "id_number": p.id_number,
            "phone": p.phone, "address": p.address, "legal_rep": p.legal_rep}
