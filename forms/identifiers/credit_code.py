"""统一社会信用代码 (GB 32100-2015): 18 characters, mod-31 check character.

The check character is python-stdnum's (stdnum.cn.uscc). stdnum also insists that
the first 8 characters are digits, but GB 32100 lets the registering authority be a
letter (A 军队, N 农业, Y 其他), so we check the authority against the standard's table.
"""
from __future__ import annotations

import re

from forms.errors import InvalidIdentifier
from forms.identifiers import regions
from forms.identifiers.base import IdCheck, cleaned_or_failure, bad_chars, clean, fail, never_raises, ok

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"   # no I, O, Z, S, V

# 登记管理部门代码 → (name, {机构类别代码: name}), GB 32100-2015 and later assignments.
AUTHORITIES = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": ("司法行政", {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构",
                     "5": "仲裁委员会", "9": "其他"}),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商（市场监管）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_check_char(seventeen: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    body = clean(seventeen)
    if len(body) != 17 or any(c not in ALPHABET for c in body):
        raise InvalidIdentifier("计算统一社会信用代码校验码需要17位数字或字母（不含 I、O、Z、S、V）")
    from stdnum.cn import uscc
    return uscc.calc_check_digit(body)


def _organization_code_ok(code9: str) -> bool:
    """GB 11714 check of the 9-character organization code inside the credit code."""
    def value(c):
        return int(c) if c.isdigit() else ord(c) - 55
    rest = 11 - sum(value(c) * w for c, w in zip(code9[:8], _ORG_WEIGHTS)) % 11
    expected = "X" if rest == 10 else "0" if rest == 11 else str(rest)
    return code9[8] == expected


def _region(code6: str) -> tuple[str, list[str]]:
    if code6 == "100000":
        return "国家级", []
    region = regions.lookup(code6)
    if region is None:
        return "", [f"登记管理机关行政区划码 {code6} 未在行政区划表中找到"]
    return region.name, region.warnings


@never_raises("uscc")
def check_uscc(value) -> IdCheck:
    """Check a 统一社会信用代码 and tell its registering authority, entity type and region."""
    kind = "uscc"
    n, failure = cleaned_or_failure(kind, value)
    if failure:
        return failure
    if len(n) != 18:
        hint = "（15位数字可能是旧的工商注册号，请提供18位统一社会信用代码）" if re.fullmatch(r"[0-9]{15}", n) else ""
        return fail(kind, value, f"统一社会信用代码应为18位，当前为{len(n)}位{hint}")
    unused = bad_chars(n, f"[{ALPHABET}]")
    if unused:
        return fail(kind, value, f"统一社会信用代码不使用字母 I、O、Z、S、V，号码中有“{unused[0]}”")
    if not re.fullmatch(r"[0-9]{6}", n[2:8]):
        return fail(kind, value, "第3至8位（登记管理机关行政区划码）应为数字")
    if n[17] != uscc_check_char(n[:17]):
        return fail(kind, value, "校验码不正确")
    warnings = []
    authority, types = AUTHORITIES.get(n[0], (None, {}))
    if authority is None:
        warnings.append(f"登记管理部门代码“{n[0]}”不在 GB 32100 的代码表中，请核对")
    entity_type = types.get(n[1])
    if authority is not None and entity_type is None:
        warnings.append(f"机构类别代码“{n[1]}”不属于登记管理部门“{authority}”，请核对")
    region_name, region_warnings = _region(n[2:8])
    warnings += region_warnings
    if not _organization_code_ok(n[8:17]):
        warnings.append("第9至17位（组织机构代码）的校验位不符，请核对")
    info = {"registration_authority": authority, "entity_type": entity_type, "region_code": n[2:8],
            "region": region_name, "organization_code": n[8:17]}
    return ok(kind, value, n, info, warnings)
