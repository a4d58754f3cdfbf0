"""The case state machine: which action leads where, who may do it, what must hold.

收件 → 补正 (一次性告知) → 受理 or 不予受理 → 原件核验 → 扫描 → 打包 → 寄出 →
属地签收 → 办结 (approved / rejected) → 结果寄回 or 送达 → 归档.
Every transition goes through ``perform``: state checked, right checked,
guards checked, then one event appended — all in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Callable

from forms import clock
from forms.errors import IllegalTransition, InvalidInput, MissingRight
from forms.models import Case, CaseEvent, Clerk, ClerkRight, db_proxy


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

# Guards per action, registered by forms.cases (they need the materials logic).
GUARDS: dict[str, list[Callable[[Case, dict], None]]] = {}


def guard(action: str):
    """Decorator registering a check that raises a ClerkError when ``action`` must not happen."""
    def register(fn):
        GUARDS.setdefault(action, []).append(fn)
        return fn
    return register


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
        case = Case.get_by_id(case.id)     # fresh row inside the transaction
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
