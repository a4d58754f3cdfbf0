"""Receiving a case and keeping its material checklist (steps 1–3 at the window).

The GUI wizard and ``main.py intake`` both call these functions.
"""
from __future__ import annotations

from dataclasses import dataclass

from forms import clock, deadlines, workflow
from forms.errors import (
    InvalidInput, MaterialsIncomplete, NotFound, OriginalsNotVerified,
)
from forms.models import (
    Case, CaseMaterial, Clerk, MaterialRequirement, Page, Partner, PartnerItem, ServiceItem, db_proxy,
)
from forms.numbering import next_case_no
from forms.parties import PartyInput, check_party, save_party
from forms.workflow import Right, Status, guard

MATERIAL_STATES = {
    "provided": "已提供", "missing": "缺少", "deficient": "不符合要求", "rongque": "容缺后补",
    "e_license": "电子证照", "not_needed": "不适用",
}
_AGENT_WORDS = ("代理", "委托", "代办")
DEFAULT_CORRECTION_DAYS = 10   # working days the applicant is given to 补正


@dataclass
class MaterialInput:
    name: str
    provided: bool = False
    state: str | None = None          # overrides ``provided`` when given
    reason: str = ""
    original_verified: bool = False
    copies: int | None = None


def find_item(code_or_name: str) -> ServiceItem:
    """The current version of an item, by code or exact name."""
    key = (code_or_name or "").strip()
    item = (ServiceItem.select().where(ServiceItem.current,
                                       (ServiceItem.code == key) | (ServiceItem.name == key)).first())
    if item is None:
        raise NotFound(f"事项“{key}”（请按事项编码或完整名称查找）")
    return item


def find_partner(code_or_name: str) -> Partner:
    key = (code_or_name or "").strip()
    partner = Partner.select().where((Partner.code == key) | (Partner.name == key)).first()
    if partner is None:
        raise NotFound(f"合作地区“{key}”")
    return partner


def items_signed_with(partner: Partner):
    codes = PartnerItem.select(PartnerItem.item_code).where(PartnerItem.partner == partner)
    return ServiceItem.select().where(ServiceItem.current, ServiceItem.code.in_(codes))


def _condition_applies(req: MaterialRequirement, has_agent: bool) -> bool:
    return bool(req.condition) and has_agent and any(w in req.condition for w in _AGENT_WORDS)


def _initial_state(req: MaterialRequirement, given: MaterialInput | None, has_agent: bool) -> str:
    if given is not None:
        if given.state:
            if given.state not in MATERIAL_STATES:
                raise InvalidInput(f"材料“{req.name}”的状态“{given.state}”无效")
            return given.state
        if given.provided:
            return "provided"
        return "missing"
    if req.required and not req.condition:
        return "missing"
    return "missing" if _condition_applies(req, has_agent) else "not_needed"


def receive_case(clerk: Clerk, item_key: str, case_type: str, home_key: str,
                 applicant: dict, agent: dict | None = None, agent_authorization: str = "",
                 materials: list[MaterialInput] = (), delivery_method: str = "ems",
                 delivery_address: str = "") -> tuple[Case, list[str]]:
    """Create a case in 收件 with its checklist; returns the case and any warnings."""
    home = find_partner(home_key)
    item = find_item(item_key)
    workflow.require_right(clerk, Right.RECEIVE, home, "收件")
    if not PartnerItem.select().where(PartnerItem.partner == home, PartnerItem.item_code == item.code).exists():
        raise InvalidInput(f"{home.name}未签约“{item.name}”，本窗口不能代收")
    if case_type not in item.case_types:
        raise InvalidInput(f"“{item.name}”不提供“{case_type}”方式（可选：{'、'.join(item.case_types)}）")
    if delivery_method not in ("ems", "window"):
        raise InvalidInput("送达方式应为邮寄（ems）或窗口领取（window）")
    if delivery_method == "ems" and not delivery_address.strip():
        raise InvalidInput("选择邮寄送达时请填写收件地址")
    app = check_party(PartyInput.from_dict(applicant) or PartyInput(name=""), "申请人")
    agt = check_party(PartyInput.from_dict(agent), "代办人") if agent else None
    if agt is not None and not agent_authorization.strip():
        raise InvalidInput("代办人办理须有申请人的授权委托书，请登记授权内容")
    given = {m.name: m for m in materials}
    requirements = list(item.materials.order_by(MaterialRequirement.seq))
    unknown = set(given) - {r.name for r in requirements}
    if unknown:
        raise InvalidInput(f"“{item.name}”的材料清单中没有：{'、'.join(sorted(unknown))}")
    now = clock.now()
    with db_proxy.obj.atomic():
        case = Case.create(
            case_no=next_case_no(clerk.window, now.date()), window=clerk.window, item=item,
            case_type=case_type, home=home, applicant=save_party(app),
            agent=save_party(agt) if agt else None, agent_authorization=agent_authorization.strip(),
            status=Status.RECEIVED.value, delivery_method=delivery_method,
            delivery_address=delivery_address.strip(), received_at=now, created_by=clerk, updated_at=now)
        for req in requirements:
            g = given.get(req.name)
            CaseMaterial.create(case=case, requirement=req, seq=req.seq, name=req.name,
                                state=_initial_state(req, g, agt is not None),
                                reason=(g.reason if g else ""),
                                copies=(g.copies if g and g.copies is not None else req.copies))
        workflow.record_event(case, clerk, "receive", "", Status.RECEIVED.value,
                              {"item": item.code, "version": item.version, "home": home.code})
        for req in requirements:
            g = given.get(req.name)
            if g and g.original_verified and req.verify_original:
                verify_original(case, req.name, clerk)
    return case, app.warnings + (agt.warnings if agt else [])


def case_by_no(case_no: str) -> Case:
    case = Case.get_or_none(Case.case_no == (case_no or "").strip())
    if case is None:
        raise NotFound(f"办件 {case_no}")
    return case


def checklist(case: Case) -> list[CaseMaterial]:
    return list(case.materials.order_by(CaseMaterial.seq))


def _material(case: Case, name: str) -> CaseMaterial:
    m = CaseMaterial.get_or_none(CaseMaterial.case == case, CaseMaterial.name == name)
    if m is None:
        raise NotFound(f"办件 {case.case_no} 的材料“{name}”")
    return m


def set_material_state(case: Case, name: str, state: str, clerk: Clerk, reason: str = "") -> CaseMaterial:
    """Mark one material provided / missing / deficient / 容缺 / 电子证照 / not needed."""
    if state not in MATERIAL_STATES:
        raise InvalidInput(f"材料状态“{state}”无效")
    if Status(case.status) not in (Status.RECEIVED, Status.CORRECTION, Status.ACCEPTED):
        raise InvalidInput(f"办件已{Status(case.status).label}，材料清单不能再修改")
    m = _material(case, name)
    req = m.requirement
    if state == "rongque" and not (req and req.rongque_ok):
        raise InvalidInput(f"“{name}”不允许容缺受理")
    if state == "e_license" and not (req and req.e_license_ok):
        raise InvalidInput(f"“{name}”不接受电子证照代替")
    with db_proxy.obj.atomic():
        old = m.state
        m.state, m.reason = state, reason
        if state != "provided":
            m.original_verified_by, m.original_verified_at = None, None
        m.save()
        workflow.record_event(case, clerk, "material", case.status, case.status,
                              {"material": name, "from": old, "to": state, "reason": reason})
    return m


def verify_original(case: Case, name: str, clerk: Clerk) -> CaseMaterial:
    """Record 原件核验 of one material by a clerk holding 原件核验权."""
    workflow.require_right(clerk, Right.VERIFY, case.home, "原件核验")
    m = _material(case, name)
    if m.state != "provided":
        raise InvalidInput(f"“{name}”尚未提供，不能核验原件")
    with db_proxy.obj.atomic():
        m.original_verified_by, m.original_verified_at = clerk, clock.now()
        m.original_enclosed = bool(m.requirement and m.requirement.forward_original)
        m.save()
        workflow.record_event(case, clerk, "verify_original", case.status, case.status, {"material": name})
    return m


def missing_materials(case: Case, for_shipping: bool = False) -> list[CaseMaterial]:
    """Materials that block acceptance (missing/deficient) or shipping (also 容缺 pending)."""
    blocking = {"missing", "deficient"} | ({"rongque"} if for_shipping else set())
    return [m for m in checklist(case) if m.state in blocking]


def unverified_originals(case: Case) -> list[CaseMaterial]:
    return [m for m in checklist(case)
            if m.state == "provided" and m.requirement and m.requirement.verify_original
            and m.original_verified_by_id is None]


def _names(ms) -> str:
    return "、".join(m.name for m in ms)


# --- guards on the state machine -------------------------------------------------------

@guard("notify")
def _notify_needs_missing(case, details):
    if not missing_materials(case):
        raise InvalidInput("材料齐全，无需一次性告知")


@guard("accept")
def _accept_needs_materials(case, details):
    missing = missing_materials(case)
    if missing:
        raise MaterialsIncomplete(_names(missing))


@guard("refuse")
def _refuse_needs_reason(case, details):
    if not str(details.get("reason", "")).strip():
        raise InvalidInput("不予受理须写明理由")


@guard("verify")
def _verify_needs_originals(case, details):
    pending = unverified_originals(case)
    if pending:
        raise OriginalsNotVerified(_names(pending))


@guard("scan")
def _scan_needs_pages(case, details):
    # Electronic materials (电子 form) travel as data, not as scanned paper.
    without = [m for m in checklist(case) if m.state == "provided"
               and not (m.requirement and m.requirement.form == "电子")
               and not Page.select().where(Page.material == m).exists()]
    if without:
        raise InvalidInput(f"以下材料还没有扫描页：{_names(without)}")


@guard("ship")
def _ship_needs_everything(case, details):
    missing = missing_materials(case, for_shipping=True)
    if missing:
        raise MaterialsIncomplete(_names(missing))
    pending = unverified_originals(case)
    if pending:
        raise OriginalsNotVerified(_names(pending))


# --- the window's transitions ----------------------------------------------------------

def notify_missing(case: Case, clerk: Clerk, correction_days: int = DEFAULT_CORRECTION_DAYS) -> Case:
    """一次性告知: the case waits in 补正 with a date by which to supply the materials."""
    deadline = deadlines.due_after(clock.today(), correction_days)

    def apply(c):
        c.correction_due = deadline.due
    names = [m.name for m in missing_materials(case)]
    return workflow.perform(case, "notify", clerk, {"missing": names, "correction_due": deadline.due.isoformat()},
                            apply=apply)


def resubmit(case: Case, clerk: Clerk, materials: list[MaterialInput] = ()) -> Case:
    """The applicant is back: update what they brought and return the case to 收件."""
    case = workflow.perform(case, "resubmit", clerk, {"materials": [m.name for m in materials]})
    for m in materials:
        set_material_state(case, m.name, m.state or ("provided" if m.provided else "missing"), clerk, m.reason)
        if m.original_verified:
            verify_original(case, m.name, clerk)
    return Case.get_by_id(case.id)


def accept(case: Case, clerk: Clerk) -> Case:
    """受理: the committed and legal deadlines start the day after acceptance."""
    today = clock.today()
    promised = deadlines.due_after(today, case.item.promised_days)
    legal = deadlines.due_after(today, case.item.legal_days or case.item.promised_days)

    def apply(c):
        c.accepted_at = clock.now()
        c.due_date, c.legal_due_date = promised.due, legal.due
        c.deadline_warning = promised.warning or legal.warning
    return workflow.perform(case, "accept", clerk, {"due_date": promised.due.isoformat(),
                                                    "legal_due_date": legal.due.isoformat()}, apply=apply)


def refuse(case: Case, clerk: Clerk, reason: str) -> Case:
    def apply(c):
        c.refusal_reason = reason.strip()
    return workflow.perform(case, "refuse", clerk, {"reason": reason}, apply=apply)


def complete_verification(case: Case, clerk: Clerk) -> Case:
    return workflow.perform(case, "verify", clerk, {"verified": [m.name for m in checklist(case)
                                                                 if m.original_verified_by_id]})
