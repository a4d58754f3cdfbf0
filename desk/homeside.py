"""After 寄出: 属地签收, 办结, 结果寄回, 送达, 归档 — as noted at the receiving window today.

(The home window's own receiving of a package and its decision come with the round-trip
work; these are the sending window's records of what the home side reported.)
"""
from __future__ import annotations

from forms import clock, workflow
from forms.errors import InvalidInput
from forms.models import Clerk, Shipment

from desk import tx
from desk.inputs import check_reason
from desk.reception import case_by_no
from desk.results import CaseResult, case_result
from desk.shipping import check_tracking, check_unused

OUTCOMES = {"approved": "准予", "rejected": "不予批准"}
DELIVERY = {"window": "窗口领取", "ems": "邮寄送达"}


def _perform(clerk: Clerk, case_no: str, action: str, details: dict, apply=None) -> CaseResult:
    case = case_by_no(case_no)
    with tx.action():
        workflow.perform(tx.locked_case(case.id), action, clerk, details, apply=apply)
    return case_result(case, action)


def home_receive(clerk: Clerk, case_no: str) -> CaseResult:
    def apply(c):
        Shipment.update(received_at=clock.now()).where(
            Shipment.case == c, Shipment.direction == "out", Shipment.received_at.is_null()).execute()
    return _perform(clerk, case_no, "home_receive", {}, apply)


def decide(clerk: Clerk, case_no: str, outcome: str, note: str = "") -> CaseResult:
    if outcome not in OUTCOMES:
        raise InvalidInput("办理结果应为 approved（准予）或 rejected（不予批准）")
    note = check_reason(note, "办结说明")

    def apply(c):
        c.outcome = outcome
    return _perform(clerk, case_no, "decide", {"outcome": outcome, "note": note}, apply)


def return_result(clerk: Clerk, case_no: str, tracking_number: str) -> CaseResult:
    number = check_tracking(tracking_number)
    workflow.precheck(case_by_no(case_no), "return_result", clerk)
    check_unused(number)

    def apply(c):
        Shipment.create(case=c, direction="back", tracking_number=number, shipped_at=clock.now())
    return _perform(clerk, case_no, "return_result", {"tracking_number": number}, apply)


def deliver(clerk: Clerk, case_no: str, how: str = "window", tracking_number: str = "") -> CaseResult:
    if how not in DELIVERY:
        raise InvalidInput("送达方式应为窗口领取（window）或邮寄（ems）")
    details = {"how": how}
    if tracking_number:
        details["tracking_number"] = check_tracking(tracking_number)
    return _perform(clerk, case_no, "deliver", details)


def archive(clerk: Clerk, case_no: str) -> CaseResult:
    return _perform(clerk, case_no, "archive", {})
