"""What a clerk hands the desk, and the checks it passes before anything is saved.

Every text a clerk or an intake file supplies goes through forms.textcheck (length,
control characters, bidi overrides; every CJK character incl. Ext B–H accepted);
every number through its range. Nothing here writes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from forms import clock, materials as mat, privacy, textcheck
from forms.errors import InvalidInput, NotFound
from forms.models import MaterialRequirement, Partner, PartnerItem, ServiceItem
from forms.parties import PartyInput, check_party

NAME_MAX = {"person": 50, "enterprise": 100}
ADDRESS_MAX = 200
REASON_MAX = 500
REFUSAL_MAX = 1000
AUTHORIZATION_MAX = 500
COPIES = (1, 99)
WEIGHT_G = (1, 40_000)          # EMS domestic parcels: at most 40 kg
DELIVERY_METHODS = {"ems": "邮寄送达", "window": "窗口领取"}


@dataclass(frozen=True)
class MaterialInput:
    """One line of the checklist as the clerk (or an intake file) sets it."""

    name: str
    provided: bool = False
    state: str | None = None          # overrides ``provided`` when given
    reason: str = ""
    original_verified: bool = False
    copies: int | None = None

    @property
    def resolved_state(self) -> str:
        return self.state or ("provided" if self.provided else "missing")


@dataclass(frozen=True)
class NewCase:
    """Everything receive_case needs; copied from the wizard's draft or read from an intake file."""

    item: str                               # item code or exact name
    case_type: str
    home: str                               # partner code or name
    applicant: dict
    agent: dict | None = None
    agent_authorization: str = ""
    delivery_method: str = "ems"
    delivery_address: str = ""
    materials: tuple[MaterialInput, ...] = ()
    intake_key: str = ""                    # the same intake run twice makes one case


@dataclass
class CheckedCase:
    """A NewCase that passed every check, with the rows it refers to."""

    item: ServiceItem
    home: Partner
    applicant: PartyInput
    agent: PartyInput | None
    agent_authorization: str
    delivery_method: str
    delivery_address: str
    requirements: list[MaterialRequirement]
    states: dict[str, str]
    given: dict[str, MaterialInput]
    warnings: list[str] = field(default_factory=list)


def find_item(code_or_name: str) -> ServiceItem:
    """The current version of an item, by code or exact name."""
    key = (code_or_name or "").strip()
    item = (ServiceItem.select().where(ServiceItem.current,
                                       (ServiceItem.code == key) | (ServiceItem.name == key)).first())
    if item is None:
        raise NotFound(f"事项“{key[:60]}”（请按事项编码或完整名称查找）")
    return item


def find_partner(code_or_name: str) -> Partner:
    key = (code_or_name or "").strip()
    partner = Partner.select().where((Partner.code == key) | (Partner.name == key)).first()
    if partner is None:
        raise NotFound(f"合作地区“{key[:60]}”")
    return partner


def items_signed_with(partner: Partner):
    """Current items the partner has signed, for the item search."""
    codes = PartnerItem.select(PartnerItem.item_code).where(PartnerItem.partner == partner)
    return ServiceItem.select().where(ServiceItem.current, ServiceItem.code.in_(codes))


def check_agreement(partner: Partner, today: date | None = None) -> None:
    """A partner takes new cases only while its agreement is in force."""
    today = today or clock.today()
    if not partner.active:
        raise InvalidInput(f"与{partner.name}的合作已停用，本窗口不能再收新件")
    if partner.agreement_start and today < partner.agreement_start:
        raise InvalidInput(f"与{partner.name}的合作协议自 {partner.agreement_start:%Y-%m-%d} 起生效，目前还不能收件")
    if partner.agreement_end and today > partner.agreement_end:
        raise InvalidInput(f"与{partner.name}的合作协议已于 {partner.agreement_end:%Y-%m-%d} 到期，不能再收新件；"
                           "请联系管理员续签后再办理")


def check_signed(partner: Partner, item: ServiceItem) -> None:
    if not PartnerItem.select().where(PartnerItem.partner == partner, PartnerItem.item_code == item.code).exists():
        raise InvalidInput(f"{partner.name}未签约“{item.name}”，本窗口不能代收")


def check_party_input(d: dict | None, role: str) -> PartyInput | None:
    """Text limits first (a 10,000-character name gets a message, not a layout error), then IDs."""
    p = PartyInput.from_dict(d)
    if p is None:
        return None
    label = "名称" if p.kind == "enterprise" else "姓名"
    p.name = textcheck.check_text(p.name, f"{role}{label}", NAME_MAX.get(p.kind, 100))
    p.address = textcheck.check_text(p.address, f"{role}地址", ADDRESS_MAX)
    p.legal_rep = textcheck.check_text(p.legal_rep, f"{role}法定代表人", NAME_MAX["person"])
    p.id_number = textcheck.check_text(p.id_number, f"{role}证件号码", 32)
    p.phone = textcheck.check_text(p.phone, f"{role}联系电话", 32)
    _remember(p)                      # before the checks below can put it into a message
    return check_party(p, role)


def _remember(p: PartyInput) -> None:
    """Names and addresses seen here are masked in every log line from now on."""
    privacy.remember(p.name, p.address, p.legal_rep)


def check_deficiency(name: str, state: str, reason: str) -> None:
    """A material marked 不符合要求 needs the clerk's reason: the 一次性告知书 prints it (§32(1)(4))."""
    if state == "deficient" and not reason.strip():
        raise InvalidInput(f"材料“{name}”标为不符合要求，须写明不符合的原因")


def check_reason(text: str, label: str = "说明", max_len: int = REASON_MAX) -> str:
    return textcheck.check_text(text or "", label, max_len, multiline=True)


def check_materials(item: ServiceItem, given: list[MaterialInput], has_agent: bool
                    ) -> tuple[list[MaterialRequirement], dict[str, str]]:
    """The checklist's states as they will be saved; refuses any the catalog does not allow."""
    requirements = list(item.materials.order_by(MaterialRequirement.seq))
    by_name = {r.name: r for r in requirements}
    unknown = [g.name for g in given if g.name not in by_name]
    if unknown:
        raise InvalidInput(f"“{item.name}”的材料清单中没有：{'、'.join(n[:60] for n in unknown)}")
    seen = set()
    states = {}
    for g in given:
        if g.name in seen:
            raise InvalidInput(f"材料“{g.name}”重复出现，请只保留一项")
        seen.add(g.name)
    for req in requirements:
        g = next((x for x in given if x.name == req.name), None)
        if g is None:
            states[req.name] = mat.default_state(req, has_agent)
            continue
        state = mat.check_state(req, g.resolved_state, has_agent)
        check_reason(g.reason, f"{req.name}的说明")
        check_deficiency(req.name, state, g.reason)
        if g.copies is not None:
            textcheck.check_int(g.copies, f"{req.name}的份数", *COPIES)
        if g.original_verified and state != "provided":
            raise InvalidInput(f"“{req.name}”标为{mat.MATERIAL_STATES[state]}，不能同时记为原件已核验")
        states[req.name] = state
    return requirements, states


def check_new_case(new: NewCase) -> CheckedCase:
    """Every check receive_case makes, in the order a clerk would fix them; writes nothing."""
    home = find_partner(new.home)
    item = find_item(new.item)
    check_agreement(home)
    check_signed(home, item)
    if new.case_type not in item.case_types:
        raise InvalidInput(f"“{item.name}”不提供“{new.case_type}”方式（可选：{'、'.join(item.case_types)}）")
    if new.delivery_method not in DELIVERY_METHODS:
        raise InvalidInput("送达方式应为邮寄（ems）或窗口领取（window）")
    address = textcheck.check_text(new.delivery_address or "", "收件地址", ADDRESS_MAX)
    if new.delivery_method == "ems" and not address:
        raise InvalidInput("选择邮寄送达时请填写收件地址")
    applicant = check_party_input(new.applicant or {"name": ""}, "申请人")
    if applicant is None:
        raise InvalidInput("请填写申请人姓名或名称")
    agent = check_party_input(new.agent, "代办人") if new.agent else None
    authorization = textcheck.check_text(new.agent_authorization or "", "授权委托内容", AUTHORIZATION_MAX,
                                         multiline=True)
    if agent is not None and not authorization:
        raise InvalidInput("代办人办理须有申请人的授权委托书，请登记授权内容")
    requirements, states = check_materials(item, list(new.materials), agent is not None)
    warnings = applicant.warnings + (agent.warnings if agent else [])
    return CheckedCase(item=item, home=home, applicant=applicant, agent=agent,
                       agent_authorization=authorization, delivery_method=new.delivery_method,
                       delivery_address=address, requirements=requirements, states=states,
                       given={m.name: m for m in new.materials}, warnings=warnings)


def check_weight(weight_g) -> int:
    if weight_g in (None, "", 0):
        return 0
    return textcheck.check_int(weight_g, "邮件重量（克）", *WEIGHT_G)
