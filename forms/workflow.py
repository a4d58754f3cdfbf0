"""The case state machine: which action leads where, who may do it, what must hold.

收件 → 补正 (一次性告知) → 受理 or 不予受理 → 原件核验 → 扫描 → 打包 → 寄出 →
属地签收 → 办结 (approved / rejected) → 结果寄回 or 送达 → 归档.
Every transition goes through ``perform``: state checked, right checked,
guards checked, then one event appended — all in one transaction. The guards
live here, beside the table, so they hold whatever else a process imports.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Callable

from forms import clock
from forms import materials as mat
from forms.errors import (
    IllegalTransition, InvalidInput, MaterialsIncomplete, MissingRight, OriginalsNotVerified,
)
from forms.models import Case, CaseEvent, Clerk, ClerkRight, Page, db_proxy


class Status(str, Enum):
    RECEIVED = "received"
    CORRECTION = "correction"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    VERIFIED = "verified"
    SCANNED = "scanned"
    PACKAGED = "packaged"
    SHIPPED = "shipped"
    HOME_RECEIVED = "home_received"
    DECIDED = "decided"
    RESULT_RETURNED = "result_returned"
    DELIVERED = "delivered"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.RECEIVED: "收件", Status.CORRECTION: "补正", Status.ACCEPTED: "受理",
    Status.REFUSED: "不予受理", Status.VERIFIED: "原件核验", Status.SCANNED: "扫描",
    Status.PACKAGED: "打包", Status.SHIPPED: "寄出", Status.HOME_RECEIVED: "属地签收",
    Status.DECIDED: "办结", Status.RESULT_RETURNED: "结果寄回", Status.DELIVERED: "送达",
    Status.ARCHIVED: "归档",
}


class Right(str, Enum):
    RECEIVE = "receive"      # 收件受理权
    NOTIFY = "notify"        # 一次性告知权
    VERIFY = "verify"        # 原件核验权
    DELIVER = "deliver"      # 审批结果送达权

    @property
    def label(self) -> str:
        return RIGHT_LABELS[self]


RIGHT_LABELS = {Right.RECEIVE: "收件受理权", Right.NOTIFY: "一次性告知权",
                Right.VERIFY: "原件核验权", Right.DELIVER: "审批结果送达权"}


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[Status, ...]
    target: Status
    right: Right | None


S = Status
TRANSITIONS: dict[str, Transition] = {t.action: t for t in [
    Transition("notify", "一次性告知", (S.RECEIVED,), S.CORRECTION, Right.NOTIFY),
    Transition("resubmit", "补正后重新收件", (S.CORRECTION,), S.RECEIVED, Right.RECEIVE),
    Transition("accept", "受理", (S.RECEIVED,), S.ACCEPTED, Right.RECEIVE),
    Transition("refuse", "不予受理", (S.RECEIVED, S.CORRECTION), S.REFUSED, Right.RECEIVE),
    Transition("verify", "原件核验", (S.ACCEPTED,), S.VERIFIED, Right.VERIFY),
    Transition("scan", "扫描", (S.VERIFIED,), S.SCANNED, Right.RECEIVE),
    Transition("package", "打包", (S.SCANNED,), S.PACKAGED, Right.RECEIVE),
    Transition("ship", "寄出", (S.PACKAGED,), S.SHIPPED, Right.RECEIVE),
    Transition("home_receive", "属地签收", (S.SHIPPED,), S.HOME_RECEIVED, Right.RECEIVE),
    Transition("decide", "办结", (S.HOME_RECEIVED,), S.DECIDED, Right.RECEIVE),
    Transition("return_result", "结果寄回", (S.DECIDED,), S.RESULT_RETURNED, Right.DELIVER),
    Transition("deliver", "送达", (S.DECIDED, S.RESULT_RETURNED), S.DELIVERED, Right.DELIVER),
    Transition("archive", "归档", (S.DELIVERED, S.REFUSED), S.ARCHIVED, Right.RECEIVE),
]}

def has_right(clerk: Clerk, right: Right, partner) -> bool:
    """True when the clerk holds ``right`` for ``partner`` (or for every partner)."""
    if not clerk.active:
        return False
    q = ClerkRight.select().where(
        ClerkRight.clerk == clerk, ClerkRight.right == right.value,
        (ClerkRight.partner.is_null()) | (ClerkRight.partner == partner))
    return q.exists()


def require_right(clerk: Clerk, right: Right, partner, action_label: str) -> None:
    if not has_right(clerk, right, partner):
        raise MissingRight(clerk=clerk.name, partner=getattr(partner, "name", "该地区"),
                           right=right.label, action=action_label)


def allowed_actions(case: Case) -> list[Transition]:
    """Transitions whose source is the case's status (rights and guards not checked)."""
    return [t for t in TRANSITIONS.values() if Status(case.status) in t.sources]


def precheck(case: Case, action: str, clerk: Clerk) -> None:
    """State, then right, for ``action`` — asked before an action's own input checks, so the
    clerk hears first that the case is in the wrong state or that the right is missing."""
    transition = TRANSITIONS[action]
    if Status(case.status) not in transition.sources:
        raise IllegalTransition(case_no=case.case_no, state=Status(case.status).label, action=transition.label)
    if transition.right is not None:
        require_right(clerk, transition.right, case.home, transition.label)


def record_event(case: Case, clerk: Clerk | None, action: str, from_status: str,
                 to_status: str, details: dict | None = None) -> CaseEvent:
    """Append one event to the case's timeline (never updated, never deleted)."""
    last = (CaseEvent.select(CaseEvent.seq).where(CaseEvent.case == case)
            .order_by(CaseEvent.seq.desc()).first())
    return CaseEvent.create(case=case, seq=(last.seq + 1) if last else 1, at=clock.now(),
                            clerk=clerk, action=action, from_status=from_status,
                            to_status=to_status, details=details or {})


def perform(case: Case, action: str, clerk: Clerk, details: dict | None = None,
            apply: Callable[[Case], None] | None = None) -> Case:
    """Run one transition: check state, right and guards, apply, record the event."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidInput(f"未知操作“{action}”")
    details = dict(details or {})
    with db_proxy.obj.atomic():
        case = locked_case(case.id)              # this transaction's row, locked where the server can
        state = Status(case.status)
        if state not in transition.sources:
            raise IllegalTransition(case_no=case.case_no, state=state.label, action=transition.label)
        if transition.right is not None:
            require_right(clerk, transition.right, case.home, transition.label)
        for check in GUARDS.get(action, []):
            check(case, details)
        if apply is not None:
            apply(case)
        case.status = transition.target.value
        case.updated_at = clock.now()
        case.save()
        record_event(case, clerk, action, state.value, transition.target.value, details)
    return case


def locked_case(case_id: int) -> Case:
    """The case row as this transaction sees it, locked ``FOR UPDATE`` where the server can
    lock rows (PostgreSQL); SQLite's ``BEGIN IMMEDIATE`` already holds the whole database."""
    from peewee import SqliteDatabase
    q = Case.select().where(Case.id == case_id)
    if not isinstance(db_proxy.obj, SqliteDatabase):
        q = q.for_update()          # no lost update between two windows of a hall
    return q.get()


# --- guards: what must hold before an action, checked inside its transaction ----------

def _notify_needs_missing(case, details):
    if not mat.missing_materials(case):
        raise InvalidInput("材料齐全，无需一次性告知")


def _accept_needs_materials(case, details):
    missing = mat.missing_materials(case)
    if missing:
        raise MaterialsIncomplete(mat.names(missing))


def _refuse_needs_reason(case, details):
    if not str(details.get("reason", "")).strip():
        raise InvalidInput("不予受理须写明理由")


def _verify_needs_originals(case, details):
    pending = mat.unverified_originals(case)
    if pending:
        raise OriginalsNotVerified(mat.names(pending))


def _scan_needs_pages(case, details):
    # Electronic materials (电子 form) travel as data, not as scanned paper.
    without = [m for m in mat.checklist(case) if m.state in mat.HAS_PAPER
               and not (m.requirement_id and m.requirement.form == "电子")
               and not Page.select().where(Page.material == m).exists()]
    if without:
        raise InvalidInput(f"以下材料还没有扫描页：{mat.names(without)}")


def _ship_needs_everything(case, details):
    missing = mat.missing_materials(case, for_shipping=True)
    if missing:
        raise MaterialsIncomplete(mat.names(missing))
    pending = mat.unverified_originals(case)
    if pending:
        raise OriginalsNotVerified(mat.names(pending))


GUARDS: dict[str, tuple[Callable[[Case, dict], None], ...]] = {
    "notify": (_notify_needs_missing,),
    "accept": (_accept_needs_materials,),
    "refuse": (_refuse_needs_reason,),
    "verify": (_verify_needs_originals,),
    "scan": (_scan_needs_pages,),
    "package": (_scan_needs_pages,),
    "ship": (_ship_needs_everything,),
}
