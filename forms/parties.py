"""Applicants and agents: checked as a window would before a case is created."""
from __future__ import annotations

from dataclasses import dataclass, field

from forms import identifiers
from forms.errors import InvalidInput
from forms.models import Party

PERSON_ID_TYPES = {
    "resident_id": "居民身份证", "passport": "护照", "hk_macau_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证", "residence_permit": "港澳台居民居住证",
    "mainland_travel_permit": "往来港澳通行证",
}
ENTERPRISE_ID_TYPES = {"uscc": "统一社会信用代码"}


@dataclass
class PartyInput:
    name: str
    kind: str = "person"
    id_type: str = "resident_id"
    id_number: str = ""
    phone: str = ""
    address: str = ""
    legal_rep: str = ""
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, d: dict | None) -> "PartyInput | None":
        if not d:
            return None
        kind = (d.get("kind") or "person").strip()
        default_type = "uscc" if kind == "enterprise" else "resident_id"
        return cls(name=str(d.get("name") or "").strip(), kind=kind,
                   id_type=str(d.get("id_type") or default_type).strip(),
                   id_number=str(d.get("id_number") or "").strip(),
                   phone=str(d.get("phone") or "").strip(), address=str(d.get("address") or "").strip(),
                   legal_rep=str(d.get("legal_rep") or "").strip())


def check_party(p: PartyInput, role: str) -> PartyInput:
    """Validate name, ID and phone; returns the input normalised, warnings attached."""
    if p.kind not in ("person", "enterprise"):
        raise InvalidInput(f"{role}类型应为个人或企业（现为“{p.kind}”）")
    if not p.name:
        raise InvalidInput(f"请填写{role}姓名或名称")
    types = ENTERPRISE_ID_TYPES if p.kind == "enterprise" else PERSON_ID_TYPES
    if p.id_type not in types:
        raise InvalidInput(f"{role}证件类型“{p.id_type}”不适用于{'企业' if p.kind == 'enterprise' else '个人'}")
    if not p.id_number:
        raise InvalidInput(f"请填写{role}的{types[p.id_type]}号码")
    result = identifiers.check(p.id_number, p.id_type)
    if not result.valid:
        raise InvalidInput(f"{role}{types[p.id_type]}号码有误：{result.error}")
    p.id_number = result.normalized
    p.warnings.extend(f"{role}：{w}" for w in result.warnings)
    if p.phone:
        phone = identifiers.check(p.phone, "mobile")
        if not phone.valid:
            phone = identifiers.check(p.phone, "landline")
        if not phone.valid:
            raise InvalidInput(f"{role}联系电话有误：{p.phone}")
        p.phone = phone.normalized
    return p


def save_party(p: PartyInput) -> Party:
    return Party.create(kind=p.kind, name=p.name, id_type=p.id_type, id_number=p.id_number,
                        phone=p.phone, address=p.address, legal_rep=p.legal_rep)
