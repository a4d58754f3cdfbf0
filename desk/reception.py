"""Steps 1–3 at the window: receive a case, keep its checklist, 一次性告知, 受理 / 不予受理, 原件核验.

Each public function is one clerk action: it checks the clerk's rights and every input
first, then writes in one transaction (desk.tx.action) together with its case event and
the notice it issues, and returns a CaseResult. Call from any thread with a connection.
"""
from __future__ import annotations

from forms import clock, deadlines, materials as mat, privacy, textcheck, workflow
from forms.errors import InvalidInput, NotFound
from forms.models import Case, CaseMaterial, Clerk
from forms.numbering import next_case_no
from forms.parties import save_party
from forms.workflow import Right, Status

from desk import documents, tx
from desk.inputs import (
    REFUSAL_MAX, MaterialInput, NewCase, check_new_case, check_deficiency, check_reason,
)
from desk.results import CaseResult, case_result

DEFAULT_CORRECTION_DAYS = 10   # working days the applicant is given to 补正
EDITABLE = (Status.RECEIVED, Status.CORRECTION, Status.ACCEPTED)


def case_by_no(case_no: str) -> Case:
    """The case, its applicant's and agent's names remembered for masking in log lines."""
    case = Case.get_or_none(Case.case_no == (case_no or "").strip())
    if case is None:
        raise NotFound(f"办件 {(case_no or '')[:40]}")
    privacy.remember(*(v for p in (case.applicant, case.agent) if p is not None
                       for v in (p.name, p.address, p.legal_rep)))
    return case


def _material(case: Case, name: str) -> CaseMaterial:
    m = CaseMaterial.get_or_none(CaseMaterial.case == case, CaseMaterial.name == name)
    if m is None:
        raise NotFound(f"办件 {case.case_no} 的材料“{name[:60]}”")
    return m


# --- receiving ----------------------------------------------------------------------------

def existing_intake(key: str) -> Case | None:
    """The case an earlier run of the same intake made (None for a new intake)."""
    return Case.get_or_none(Case.intake_key == key) if key else None


def _create_case(clerk: Clerk, c, new: NewCase) -> Case:
    now = clock.now()
    return Case.create(
        case_no=next_case_no(clerk.window, now.date()), window=clerk.window, item=c.item,
        case_type=new.case_type, home=c.home, applicant=save_party(c.applicant),
        agent=save_party(c.agent) if c.agent else None, agent_authorization=c.agent_authorization,
        status=Status.RECEIVED.value, delivery_method=c.delivery_method,
        delivery_address=c.delivery_address, received_at=now, created_by=clerk, updated_at=now,
        intake_key=new.intake_key or None)


def receive(clerk: Clerk, new: NewCase) -> CaseResult:
    """收件: a case in 收件 with its checklist; nothing is saved unless every input passes."""
    checked = check_new_case(new)
    workflow.require_right(clerk, Right.RECEIVE, checked.home, "收件")
    asks = {r.name for r in checked.requirements if r.verify_original}
    verify = [g.name for g in new.materials if g.original_verified and g.name in asks]
    if verify:
        workflow.require_right(clerk, Right.VERIFY, checked.home, "原件核验")
    with tx.action():
        if new.intake_key and existing_intake(new.intake_key):
            raise InvalidInput(f"这份收件已办理过（办件 {existing_intake(new.intake_key).case_no}），未重复建件")
        case = _create_case(clerk, checked, new)
        for req in checked.requirements:
            g = checked.given.get(req.name)
            CaseMaterial.create(case=case, requirement=req, seq=req.seq, name=req.name,
                                state=checked.states[req.name], reason=(g.reason.strip() if g else ""),
                                copies=(g.copies if g and g.copies is not None else req.copies))
        workflow.record_event(case, clerk, "receive", "", Status.RECEIVED.value,
                              {"item": checked.item.code, "version": checked.item.version,
                               "home": checked.home.code})
        for name in verify:
            _verify(case, _material(case, name), clerk)
    return case_result(case, "received", checked.warnings)


# --- the checklist --------------------------------------------------------------------------

def _check_changes(case: Case, changes: list[MaterialInput]) -> dict[str, str]:
    """The new states, each allowed by the catalog for this material (rule: named refusal)."""
    if Status(case.status) not in EDITABLE:
        raise InvalidInput(f"办件已{Status(case.status).label}，材料清单不能再修改")
    current = {m.name: m for m in mat.checklist(case)}
    unknown = [c.name for c in changes if c.name not in current]
    if unknown:
        raise NotFound(f"办件 {case.case_no} 的材料“{'、'.join(n[:60] for n in unknown)}”")
    has_agent = case.agent_id is not None
    states = {}
    for c in changes:
        m = current[c.name]
        state = c.resolved_state
        if m.requirement_id:
            mat.check_state(m.requirement, state, has_agent)
        elif state not in mat.MATERIAL_STATES:
            raise InvalidInput(f"材料“{c.name}”的状态“{state}”无效")
        check_reason(c.reason, f"{c.name}的说明")
        check_deficiency(c.name, state, c.reason)
        if c.original_verified and state != "provided":
            raise InvalidInput(f"“{c.name}”标为{mat.MATERIAL_STATES[state]}，不能同时记为原件已核验")
        states[c.name] = state
    return states


def _apply_change(case: Case, clerk: Clerk, change: MaterialInput, state: str) -> None:
    m = _material(case, change.name)
    reason = change.reason.strip()
    if m.state != state or m.reason != reason:
        old = m.state
        m.state, m.reason = state, reason
        if state != "provided":
            m.original_verified_by, m.original_verified_at, m.original_enclosed = None, None, False
        m.save()
        workflow.record_event(case, clerk, "material", case.status, case.status,
                              {"material": m.name, "from": old, "to": state, "reason": reason})
    if change.original_verified and m.original_verified_by_id is None:
        _verify(case, m, clerk)


def set_materials(clerk: Clerk, case_no: str, changes: list[MaterialInput]) -> CaseResult:
    """Change several lines of the checklist at once (the window's save); all or none."""
    case = case_by_no(case_no)
    workflow.require_right(clerk, Right.RECEIVE, case.home, "修改材料清单")
    states = _check_changes(case, changes)
    if any(c.original_verified for c in changes):
        workflow.require_right(clerk, Right.VERIFY, case.home, "原件核验")
    with tx.action():
        case = tx.locked_case(case.id)
        states = _check_changes(case, changes)
        for c in changes:
            _apply_change(case, clerk, c, states[c.name])
    return case_result(case, "changed")


def set_material(clerk: Clerk, case_no: str, name: str, state: str, reason: str = "") -> CaseResult:
    return set_materials(clerk, case_no, [MaterialInput(name=name, state=state, reason=reason)])


def _verify(case: Case, m: CaseMaterial, clerk: Clerk) -> None:
    if m.state != "provided":
        raise InvalidInput(f"“{m.name}”尚未提供，不能核验原件")
    m.original_verified_by, m.original_verified_at = clerk, clock.now()
    m.original_enclosed = bool(m.requirement_id and m.requirement.forward_original)
    m.save()
    workflow.record_event(case, clerk, "verify_original", case.status, case.status, {"material": m.name})


def verify_original(clerk: Clerk, case_no: str, name: str) -> CaseResult:
    """原件核验 of one material by a clerk holding 原件核验权."""
    case = case_by_no(case_no)
    workflow.require_right(clerk, Right.VERIFY, case.home, "原件核验")
    with tx.action():
        case = tx.locked_case(case.id)
        if Status(case.status) not in EDITABLE:
            raise InvalidInput(f"办件已{Status(case.status).label}，不能再核验原件")
        _verify(case, _material(case, name), clerk)
    return case_result(case, "verified_original")


# --- decisions ------------------------------------------------------------------------------

def _notify(case: Case, clerk: Clerk, correction_days: int) -> dict:
    deadline = deadlines.due_after(clock.today(), correction_days)

    def apply(c):
        c.correction_due = deadline.due
    names = [m.name for m in mat.missing_materials(case)]
    case = workflow.perform(case, "notify", clerk, {"missing": names,
                                                    "correction_due": deadline.due.isoformat()}, apply=apply)
    return {"notification": documents.correction_notice(case, clerk)}


def notify(clerk: Clerk, case_no: str, correction_days: int = DEFAULT_CORRECTION_DAYS) -> CaseResult:
    """一次性告知: the case waits in 补正; the notice naming everything missing is issued with it."""
    case = case_by_no(case_no)
    with tx.action():
        docs = _notify(tx.locked_case(case.id), clerk, correction_days)
    return case_result(case, "notified", documents=docs)


def _accept(case: Case, clerk: Clerk) -> dict:
    today = clock.today()
    promised = deadlines.due_after(today, case.item.promised_days)
    legal = deadlines.due_after(today, case.item.legal_days or case.item.promised_days)

    def apply(c):
        c.accepted_at = clock.now()
        c.due_date, c.legal_due_date = promised.due, legal.due
        c.deadline_warning = promised.warning or legal.warning
    case = workflow.perform(case, "accept", clerk, {"due_date": promised.due.isoformat(),
                                                    "legal_due_date": legal.due.isoformat()}, apply=apply)
    return {"receipt": documents.acceptance_receipt(case, clerk)}


def accept(clerk: Clerk, case_no: str) -> CaseResult:
    """受理: the committed and legal deadlines start the day after; the 受理回执 is issued with it."""
    case = case_by_no(case_no)
    with tx.action():
        docs = _accept(tx.locked_case(case.id), clerk)
    return case_result(case, "accepted", documents=docs)


REFUSAL_CLAUSES = {"": "", "not_required": "不需要取得行政许可", "not_competent": "不属于本机关职权范围"}


def refuse(clerk: Clerk, case_no: str, reason: str, clause: str = "", authority: str = "") -> CaseResult:
    """不予受理 with its reason, optionally the §32(1) clause (not_required / not_competent and the
    authority to apply to instead); the 不予受理决定书 is issued in the same transaction."""
    reason = check_reason(reason, "不予受理理由", REFUSAL_MAX)
    if clause not in REFUSAL_CLAUSES:
        raise InvalidInput(f"不予受理条款“{clause[:20]}”无效，可选：not_required（不需要取得行政许可）、"
                           "not_competent（不属于本机关职权范围）")
    authority = textcheck.check_text(authority, "应向其申请的机关", 200)
    if clause == "not_competent" and not authority:
        raise InvalidInput("不属于本机关职权范围的，须写明申请人应向哪个机关申请")
    case = case_by_no(case_no)

    def apply(c):
        c.refusal_reason = reason
        c.refusal_clause = clause or None
        c.refusal_authority = authority or None
    details = {"reason": reason, **({"clause": clause} if clause else {}),
               **({"authority": authority} if authority else {})}
    with tx.action():
        case = workflow.perform(tx.locked_case(case.id), "refuse", clerk, details, apply=apply)
        docs = {"refusal": documents.refusal_notice(case, clerk)}
    return case_result(case, "refused", documents=docs)


def _complete_verification(case: Case, clerk: Clerk) -> None:
    workflow.perform(case, "verify", clerk, {"verified": [m.name for m in mat.checklist(case)
                                                          if m.original_verified_by_id]})


def complete_verification(clerk: Clerk, case_no: str) -> CaseResult:
    """原件核验 done for the whole case: every original the catalog asks for has been seen."""
    case = case_by_no(case_no)
    with tx.action():
        _complete_verification(tx.locked_case(case.id), clerk)
    return case_result(case, "verified")


def advance(clerk: Clerk, case_no: str) -> CaseResult:
    """After the checklist is saved: missing → 一次性告知 (or left for a colleague who holds the
    right: outcome "saved"); complete → 受理 and 原件核验 as far as the originals allow."""
    case = case_by_no(case_no)
    with tx.action():
        case = tx.locked_case(case.id)
        docs, outcome = {}, "accepted"
        if Status(case.status) == Status.RECEIVED:
            if mat.missing_materials(case):
                if not workflow.has_right(clerk, Right.NOTIFY, case.home):
                    return case_result(case, "saved")
                return case_result(case, "notified", documents=_notify(case, clerk, DEFAULT_CORRECTION_DAYS))
            docs = _accept(case, clerk)
            case = tx.locked_case(case.id)
        if Status(case.status) == Status.ACCEPTED and not mat.unverified_originals(case) \
                and workflow.has_right(clerk, Right.VERIFY, case.home):
            _complete_verification(case, clerk)
    return case_result(case, outcome, documents=docs)


def resubmit(clerk: Clerk, case_no: str, changes: list[MaterialInput]) -> CaseResult:
    """The applicant is back after 补正: record what they brought and return the case to 收件."""
    case = case_by_no(case_no)
    workflow.precheck(case, "resubmit", clerk)
    if not changes:
        raise InvalidInput("请先在清单中标记申请人补交的材料，再补正收件")
    _check_changes(case, changes)
    with tx.action():
        case = workflow.perform(tx.locked_case(case.id), "resubmit", clerk,
                                {"materials": [m.name for m in changes]})
        states = _check_changes(case, changes)
        for c in changes:
            _apply_change(case, clerk, c, states[c.name])
    return case_result(case, "resubmitted")


def save_checklist(clerk: Clerk, case_no: str | None, new: NewCase | None,
                   changes: list[MaterialInput]) -> CaseResult:
    """The materials step's Ctrl+S as one action: create (or update, or 补正-resubmit) the case,
    then advance it — all in one transaction, so a failure leaves no half-saved case."""
    with tx.action():
        if case_no is None:
            result = receive(clerk, new)
        elif Status(case_by_no(case_no).status) == Status.CORRECTION:
            result = resubmit(clerk, case_no, changes)
        else:
            result = set_materials(clerk, case_no, changes) if changes else case_result(case_by_no(case_no))
        done = advance(clerk, result.case_no)
    return CaseResult(**{**done.__dict__, "warnings": result.warnings + done.warnings})


def refuse_new(clerk: Clerk, case_no: str | None, new: NewCase | None, reason: str) -> CaseResult:
    """不予受理 at the counter, creating the case first when it was not saved yet (one action)."""
    check_reason(reason, "不予受理理由", REFUSAL_MAX)
    if not (reason or "").strip():
        raise InvalidInput("不予受理须写明理由")
    with tx.action():
        if case_no is None:
            case_no = receive(clerk, new).case_no
        return refuse(clerk, case_no, reason)
