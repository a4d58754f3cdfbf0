"""The reception desk's checklist step: save it through forms.cases, then notify or accept.

No Tk. Each function runs on a worker thread and puts the case it created into
``holder["case"]`` at once, so the window knows about it even if a later step fails.
"""
from __future__ import annotations

from dataclasses import dataclass

from exports import casefiles
from forms import cases
from forms.cases import MaterialInput
from forms.models import Case
from forms.workflow import Right, Status, has_right


@dataclass(frozen=True)
class NewCase:
    """What receive_case needs, copied from the wizard's draft on the Tk thread."""

    item_code: str
    case_type: str
    home_code: str
    applicant: dict
    agent: dict | None
    agent_authorization: str
    delivery_method: str
    delivery_address: str


def receive(new: NewCase, clerk, materials: list[MaterialInput], holder: dict) -> Case:
    """Create the case in 收件; remembers it and its warnings in ``holder``."""
    case, warnings = cases.receive_case(
        clerk, new.item_code, new.case_type, new.home_code, new.applicant, agent=new.agent,
        agent_authorization=new.agent_authorization, materials=materials,
        delivery_method=new.delivery_method, delivery_address=new.delivery_address)
    holder["case"], holder["warnings"] = case, warnings
    return case


def apply_changes(case: Case, clerk, changed: list[MaterialInput]) -> Case:
    """Record what changed on the checklist: 补正 goes through resubmit, otherwise line by line."""
    case = Case.get_by_id(case.id)
    if Status(case.status) == Status.CORRECTION:
        return cases.resubmit(case, clerk, changed)
    current = {m.name: m for m in cases.checklist(case)}
    for mi in changed:
        m = current[mi.name]
        if m.state != mi.state or m.reason != mi.reason:
            cases.set_material_state(case, mi.name, mi.state, clerk, mi.reason)
        if mi.original_verified:
            cases.verify_original(case, mi.name, clerk)
    return Case.get_by_id(case.id)


def advance(case: Case, clerk, progress=None) -> tuple[str, object]:
    """Missing materials → 一次性告知 and its notice ("notified", path); a clerk without the right
    leaves it for a colleague ("saved", None); else 受理 and 原件核验 as far as possible ("accepted", None)."""
    if Status(case.status) == Status.RECEIVED:
        if cases.missing_materials(case):
            if not has_right(clerk, Right.NOTIFY, case.home):
                return "saved", None
            case = cases.notify_missing(case, clerk)
            if progress:
                progress(1, 2, "正在生成一次性告知书")
            return "notified", casefiles.correction_notice(case, clerk)
        case = cases.accept(case, clerk)
    if Status(case.status) == Status.ACCEPTED and not cases.unverified_originals(case) \
            and has_right(clerk, Right.VERIFY, case.home):
        cases.complete_verification(case, clerk)
    return "accepted", None


def save(new: NewCase | None, case: Case | None, clerk, inputs: list[MaterialInput], holder: dict,
         progress=None) -> tuple[str, object]:
    """The materials step's Ctrl+S: create (or update) the case, then advance it."""
    case = receive(new, clerk, inputs, holder) if case is None else apply_changes(case, clerk, inputs)
    return advance(case, clerk, progress)


def refuse(new: NewCase | None, case: Case | None, clerk, inputs: list[MaterialInput], reason: str,
           holder: dict):
    """不予受理 (creating the case first if needed); returns the notice's path."""
    if case is None:
        case = receive(new, clerk, inputs, holder)
    case = cases.refuse(case, clerk, reason)
    return casefiles.refusal_notice(case, clerk)
