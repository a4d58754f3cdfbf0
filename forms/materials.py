"""The material rules, defined once: which states exist, which clear a material, which block.

A required material leaves the missing list only as 已提供, as 电子证照 or 容缺 where the
catalog allows it for that material, or as 不适用 where its condition does not apply.
``check_state`` is the one place that says so; the desk calls it for every change and the
window asks it before it shows a key press as done.
"""
from __future__ import annotations

from forms.errors import InvalidInput
from forms.models import CaseMaterial, MaterialRequirement

MATERIAL_STATES = {
    "provided": "已提供", "missing": "缺少", "deficient": "不符合要求", "rongque": "容缺后补",
    "e_license": "电子证照", "not_needed": "不适用",
}
BLOCKS_ACCEPTANCE = frozenset({"missing", "deficient"})
BLOCKS_SHIPPING = BLOCKS_ACCEPTANCE | {"rongque"}
HAS_PAPER = frozenset({"provided"})          # states whose material travels as scanned pages
_AGENT_WORDS = ("代理", "委托", "代办")


def condition_applies(req: MaterialRequirement, has_agent: bool) -> bool:
    """True when a conditional material's condition is known to apply (an agent is recorded)."""
    return bool(req.condition) and has_agent and any(w in req.condition for w in _AGENT_WORDS)


def is_needed(req: MaterialRequirement | None, has_agent: bool) -> bool:
    """True when the material must be there: required without condition, or its condition applies."""
    if req is None:
        return False
    if req.condition:
        return condition_applies(req, has_agent)
    return bool(req.required)


def default_state(req: MaterialRequirement, has_agent: bool) -> str:
    """What an untouched line of the checklist says."""
    return "missing" if is_needed(req, has_agent) else "not_needed"


def allowed_states(req: MaterialRequirement | None, has_agent: bool) -> list[str]:
    """The states this material may take, in the order the window offers them."""
    return [s for s in MATERIAL_STATES if _refusal(req, s, has_agent) is None]


def _refusal(req: MaterialRequirement | None, state: str, has_agent: bool) -> str | None:
    name = req.name if req is not None else ""
    if state not in MATERIAL_STATES:
        return f"材料“{name}”的状态“{state}”无效（可选：{'、'.join(MATERIAL_STATES)}）"
    if state == "rongque" and not (req is not None and req.rongque_ok):
        return f"“{name}”不允许容缺受理"
    if state == "e_license" and not (req is not None and req.e_license_ok):
        return f"“{name}”不接受电子证照代替"
    if state == "not_needed" and is_needed(req, has_agent):
        why = "（已登记代办人）" if req.condition else ""
        return f"“{name}”是必需材料{why}，不能标为不适用"
    return None


def check_state(req: MaterialRequirement | None, state: str, has_agent: bool) -> str:
    """``state`` if the catalog allows it for this material, else InvalidInput naming the material."""
    reason = _refusal(req, state, has_agent)
    if reason:
        raise InvalidInput(reason)
    return state


def blocking(materials, for_shipping: bool = False) -> list:
    """Materials that block 受理 (missing / deficient) or 寄出 (also 容缺 still pending)."""
    states = BLOCKS_SHIPPING if for_shipping else BLOCKS_ACCEPTANCE
    return [m for m in materials if m.state in states]


def checklist(case) -> list[CaseMaterial]:
    return list(CaseMaterial.select().where(CaseMaterial.case == case).order_by(CaseMaterial.seq))


def missing_materials(case, for_shipping: bool = False) -> list[CaseMaterial]:
    return blocking(checklist(case), for_shipping)


def unverified_originals(case) -> list[CaseMaterial]:
    """Provided materials whose original the catalog asks to see and nobody has checked yet."""
    return [m for m in checklist(case)
            if m.state == "provided" and m.requirement_id and m.requirement.verify_original
            and m.original_verified_by_id is None]


def names(materials) -> str:
    return "、".join(m.name for m in materials)


def original_enclosed(m) -> bool:
    """True when the material's original travels in the package: verified and kept, or simply
    collected because the catalog says its original is forwarded (no 原件核验 mark needed)."""
    return bool(m.original_enclosed or (m.state == "provided" and m.requirement_id is not None
                                         and m.requirement.forward_original))
