"""Plain data the document builders print; the lead fills it from the database.

Nothing here touches the database or reportlab, so builders are testable with
literal values. Dates are ``datetime.date``, times ``datetime.datetime``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

ID_TYPE_LABELS = {
    "resident_id": "居民身份证", "passport": "护照", "hk_macau_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证", "residence_permit": "港澳台居民居住证",
    "mainland_travel_permit": "往来港澳通行证", "uscc": "统一社会信用代码",
}
CASE_TYPE_LABELS = {"online": "全程网办", "proxy": "异地代收代办", "joint": "多地联办"}
DELIVERY_LABELS = {"ems": "邮政EMS寄递送达", "window": "窗口领取"}


@dataclass
class WindowInfo:
    """The 通办 window that receives the application (sender of the EMS package)."""
    name: str
    address: str = ""
    postcode: str = ""
    phone: str = ""
    region: str = ""          # e.g. "山东省济南市历下区"


@dataclass
class PartnerInfo:
    """The home jurisdiction (属地) side that decides the case."""
    name: str                 # e.g. "天津市河西区"
    receiving_window: str = ""  # its 专窗 that signs for mailed materials
    department: str = ""      # its approving department
    address: str = ""
    postcode: str = ""
    contact: str = ""
    phone: str = ""


@dataclass
class PartyInfo:
    """An applicant or agent as printed (full ID number; builders mask where needed)."""
    name: str
    kind: str = "person"      # person | enterprise
    id_type: str = "resident_id"   # a key of ID_TYPE_LABELS or a Chinese label
    id_number: str = ""
    phone: str = ""
    address: str = ""
    legal_rep: str = ""       # enterprise: 法定代表人

    @property
    def id_type_label(self) -> str:
        """Return the Chinese name of the ID type."""
        return ID_TYPE_LABELS.get(self.id_type, self.id_type)


@dataclass
class MaterialLine:
    """One material of the case's checklist as brought (or not) by the applicant."""
    name: str
    form: str = "复印件"       # 原件 | 复印件 | 原件及复印件 | 电子
    copies: int = 1
    pages: int = 0
    provided: bool = True
    missing_reason: str = ""  # why missing or deficient (empty when fine)
    legal_basis: str = ""     # the clause that requires it, if the guide names one
    verified_by: str = ""     # clerk who checked the original
    verified_at: datetime | None = None
    original_enclosed: bool = False   # original goes in the EMS package
    required: bool = True
    condition: str = ""       # for conditional materials: when it is needed
    requirement: str = ""     # the catalog's 审查要点 for this material (form, copies, what is checked)
    deficient: bool = False   # brought but 不符合要求 (the reason in missing_reason)

    @property
    def needs_correction(self) -> bool:
        """True when the 一次性告知书 must list it: required and missing, or deficient."""
        return (self.required and not self.provided) or self.deficient or bool(self.missing_reason)

    @property
    def problem(self) -> str:
        """缺少 for a material not brought, 不符合要求 for one brought but deficient."""
        return "不符合要求" if self.deficient or (self.provided and self.missing_reason) else "缺少"


@dataclass
class CaseDoc:
    """Everything any case document prints."""
    case_no: str
    item_code: str
    item_name: str
    case_type: str            # a key of CASE_TYPE_LABELS or a Chinese label
    department: str           # approving department (属地)
    applicant: PartyInfo
    window: WindowInfo
    home: PartnerInfo
    clerk_name: str
    received_at: datetime
    agent: PartyInfo | None = None
    agent_authorization: str = ""     # e.g. "授权委托书（2025年3月1日签署）"
    materials: list[MaterialLine] = field(default_factory=list)
    scope: str = ""                   # 跨省通办 | 全省通办 | 同城通办
    item_basis: str = ""              # the item's 设定依据
    promised_days: int = 0            # 承诺时限, working days
    legal_days: int = 0               # 法定时限, working days
    due_date: date | None = None      # committed completion date
    legal_due_date: date | None = None
    delivery_method: str = "ems"      # ems | window
    delivery_address: str = ""
    correction_deadline: date | None = None
    correction_place: str = ""        # where 补正 materials are brought or sent; default the window
    refusal_reason: str = ""
    refusal_clause: str = ""          # not_required | not_competent | "" (行政许可法 §32(1)(1)/(2), or other)
    refusal_authority: str = ""       # not_competent: the authority to apply to instead
    issued_on: date | None = None     # date printed on notices; default received_at's date
    tracking_number: str = ""         # EMS number of the package, on the transmittal
    reconsideration_body: str = ""    # 行政复议机关, if known
    court: str = ""                   # 人民法院 for 行政诉讼, if known

    @property
    def case_type_label(self) -> str:
        """Return the Chinese name of the case type."""
        return CASE_TYPE_LABELS.get(self.case_type, self.case_type)

    @property
    def delivery_label(self) -> str:
        """Return how the result reaches the applicant, in Chinese."""
        return DELIVERY_LABELS.get(self.delivery_method, self.delivery_method)

    @property
    def issue_date(self) -> date:
        """Return the date printed on notices."""
        return self.issued_on or self.received_at.date()

    def corrections(self) -> list[MaterialLine]:
        """Return the materials a 一次性告知书 must list, in checklist order."""
        return [m for m in self.materials if m.needs_correction]


@dataclass
class DispatchRow:
    """One EMS package on the day's 交寄清单."""
    case_no: str
    tracking_number: str
    recipient: str            # receiving window / department of the partner
    contents: str             # e.g. "材料 5 份，原件 2 份"
    weight_g: int = 0
    recipient_region: str = ""
