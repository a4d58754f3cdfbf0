"""Postal numbers: UPU S10 item identifiers, China Post's all-digit domestic numbers, postcodes."""
from __future__ import annotations

import re

from forms.errors import InvalidIdentifier
from forms.identifiers.base import IdCheck, cleaned_or_failure, clean, fail, never_raises, ok
from forms.identifiers.countries import ISO_3166_ALPHA2

_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_S10 = re.compile(r"^([A-Z]{2})([0-9]{8})([0-9])([A-Z]{2})$")
_S10_LOOSE = re.compile(r"^[A-Z]{2}[0-9]+[A-Z]{2}$")

# First letter of the S10 service indicator (UPU S10 annex), in the clerk's words.
S10_SERVICES = {
    "E": "EMS", "R": "挂号函件", "C": "包裹", "V": "保价函件", "L": "跟踪函件",
    "U": "平常函件（带条码）", "H": "电商小包",
}

# Domestic China Post numbers are recognised by shape only: no public check-digit rule.
DOMESTIC_SERVICES = {"1": "EMS", "9": "邮政快递包裹"}

# First two digits of a postcode → 邮区 (province-level postal zone).
POSTCODE_ZONES = {
    "01": "内蒙古自治区", "02": "内蒙古自治区", "03": "山西省", "04": "山西省",
    "05": "河北省", "06": "河北省", "07": "河北省", "10": "北京市", "11": "辽宁省", "12": "辽宁省",
    "13": "吉林省", "15": "黑龙江省", "16": "黑龙江省", "20": "上海市", "21": "江苏省", "22": "江苏省",
    "23": "安徽省", "24": "安徽省", "25": "山东省", "26": "山东省", "27": "山东省", "30": "天津市",
    "31": "浙江省", "32": "浙江省", "33": "江西省", "34": "江西省", "35": "福建省", "36": "福建省",
    "40": "重庆市", "41": "湖南省", "42": "湖南省", "43": "湖北省", "44": "湖北省",
    "45": "河南省", "46": "河南省", "47": "河南省", "51": "广东省", "52": "广东省",
    "53": "广西壮族自治区", "54": "广西壮族自治区", "55": "贵州省", "56": "贵州省", "57": "海南省",
    "61": "四川省", "62": "四川省", "63": "四川省", "64": "四川省",
    "65": "云南省", "66": "云南省", "67": "云南省", "71": "陕西省", "72": "陕西省",
    "73": "甘肃省", "74": "甘肃省", "75": "宁夏回族自治区", "81": "青海省",
    "83": "新疆维吾尔自治区", "84": "新疆维吾尔自治区", "85": "西藏自治区",
    "99": "港澳台及境外（如 999077）",
}


def s10_check_digit(eight_digits: str) -> str:
    """UPU S10 check digit: weights 8 6 4 2 3 5 9 7, r = sum mod 11, 11 − r (r=0 → 5, r=1 → 0)."""
    digits = clean(eight_digits)
    if not re.fullmatch(r"[0-9]{8}", digits):
        raise InvalidIdentifier("计算邮件号校验位需要8位数字")
    r = sum(int(d) * w for d, w in zip(digits, _S10_WEIGHTS)) % 11
    return "5" if r == 0 else "0" if r == 1 else str(11 - r)


@never_raises("tracking")
def check_tracking(value) -> IdCheck:
    """Check a tracking number: S10 (EA123456785CN; ISO country code, check digit) or 13-digit domestic."""
    kind = "tracking"
    n, failure = cleaned_or_failure(kind, value)
    if failure:
        return failure
    m = _S10.match(n)
    if m:
        service_code, serial, check, country = m.groups()
        # Before the check digit: a made-up ending (XX, ZZ) says the number is not real at all.
        if country not in ISO_3166_ALPHA2:
            return fail(kind, value, f"邮件号末尾的国家代码 {country} 不是有效的国家/地区代码", normalized=n)
        expected = s10_check_digit(serial)
        if check != expected:
            return fail(kind, value, f"邮件号校验位应为 {expected}", normalized=n)
        info = {"service": S10_SERVICES.get(service_code[0], "其他邮件"), "country": country, "format": "S10",
                "service_indicator": service_code}
        return ok(kind, value, n, info)
    if _S10_LOOSE.match(n):
        return fail(kind, value, "国际格式邮件号应为 2 个字母 + 9 位数字 + 2 个字母（如 EA123456785CN）")
    if re.fullmatch(r"[0-9]+", n):
        if len(n) != 13:
            return fail(kind, value, f"国内邮件号应为13位数字，当前为{len(n)}位")
        warnings = []
        service = DOMESTIC_SERVICES.get(n[0])
        if service is None:
            service = "邮政国内邮件"
            warnings.append(f"以 {n[0]} 开头的13位单号不常见，请核对是否为邮政单号")
        return ok(kind, value, n, {"service": service, "country": "CN", "format": "domestic"}, warnings)
    return fail(kind, value, "邮件号格式不对：应为 EA123456785CN 式的国际格式或13位数字的国内单号")


@never_raises("postcode")
def check_postcode(value) -> IdCheck:
    """Check a 6-digit postcode and name its postal zone."""
    kind = "postcode"
    n = clean(value)
    if not n:
        return fail(kind, value, "号码为空")
    if not re.fullmatch(r"[0-9]{6}", n):
        return fail(kind, value, "邮政编码应为6位数字")
    zone = POSTCODE_ZONES.get(n[:2])
    if zone is None:
        return fail(kind, value, f"邮政编码前两位 {n[:2]} 不对应任何邮区")
    return ok(kind, value, n, {"province": zone})
