"""forms.identifiers against third-party test vectors and the window's own policy.

Vectors copied (numbers only) from python-stdnum and validator.js are listed with their
sources and licences in tests/resources/README.md, section "Identifier test vectors".
Where our policy differs from a source on purpose, the test says so and asserts ours.
"""
from __future__ import annotations

import re

import pytest
from stdnum.cn import ric

from forms import identifiers
from forms.errors import InvalidIdentifier, InvalidInput
from forms.identifiers import (
    IdCheck, KINDS, birth_date_error, check, check_landline, check_mobile, check_passport, check_permit,
    check_postcode, check_resident_id, check_tracking, check_uscc, detect_kind, mask_id,
    resident_id_check_char, s10_check_digit, uscc_check_char,
)

CJK = re.compile(r"[\u4e00-\u9fff]")

# --- python-stdnum 2.2, tests/test_cn_ric.doctest ------------------------------------------
STDNUM_RIC_VALID = [
    # number, normalized, birth date, county named by stdnum, sex from digit 17
    ("360426199101010071", "360426199101010071", "1991-01-01", "江西省九江市德安县", "男"),
    ("44011320141005001x", "44011320141005001X", "2014-10-05", "广东省广州市番禺区", "男"),
]
STDNUM_RIC_INVALID = [
    ("T60426199101010078", "身份证号码前17位应全部为数字"),          # InvalidFormat
    ("360426199113010079", "出生日期 1991年13月01日 不存在"),      # InvalidComponent (date)
    ("36042619910102009X", "校验码不正确"),                      # InvalidChecksum
    ("990426199112010074", "地区码 990426 无效：省级代码 99 不存在"),  # unknown birth place
]

# --- python-stdnum 2.2, tests/test_cn_uscc.doctest ("found online and should all be valid") --
STDNUM_USCC_VALID = """
121200004013590816 911522010783762860 91152201078377449P 9115220107837941X1 91152201078382010M
911522010783917502 91152201078394644D 91152201078395188Q 91310112087994932F 91310115MA1K3BTP2B
91310116052958608G 91310116076409427L 913101203509708598 913205056082348768 91340600MA2PBM9HXD
91340600MA2PBMA74B 91340600MA2PBN188W 91340600MA2PBN831R 91340600MA2PBNE723 91340600MA2PBP2120
91340600MA2PBP6A1W 91340600MA2PENCC7K 91340600MA2PENWF9P 91340600MA2PEP518T 91340600MA2PEP7F5B
91340600MA2PERLJ2D 91340600MA2UJYG49B 91340602MA2UJY3J9W 91340602MA2UJYD90G 91340603MA2UJYN78Q
91340603MA2UJYNU67 91340604MA2PBQBH3P 91340604MA2PEL1X3M 91340621MA2PBPLU08 91340621MA2PEMUHX8
91340621MA2PEN6Q3Y 91340621MA2PEPJB9F 91371082775260043P 914112810713741814 9144030071526726XG
91620100719023721L 91620105224521729E 91620105556273987U 91620105556284969Y 91620105556287545F
91620105571630591E 91620105585923360D 91620105665404165K 9162010567592034XQ 91620105750906995R
91620105750935948X 91620105756580826D 91620105767728304H 91620105784023285J 91620105789620900B
91620105794891756D 91620105L015101280 92340602MA2PBQAH7E 92340602MA2PEL3T3X 92340602MA2PEL605A
92340602MA2UK2TH6F 92340602MA2UK33127 92340603MA2PBMCG0U 92340603MA2PBMD304 92340603MA2PBMQL04
92340603MA2PBMUF7M 92340603MA2PBN17X5 92340603MA2PBN2W0N 92340603MA2PBNK461 92340603MA2PBNLR0R
92340603MA2PBQ7J4K 92340603MA2PBQ7X9E 92340603MA2PBQFT7J 92340603MA2PBQGB6M 92340603MA2PBQHD9N
92340603MA2PBQUC3U 92340603MA2PBQX04X 92340603MA2PBQY862 92340603MA2PEL613K 92340603MA2PELE65C
92340603MA2PELFF5B 92340603MA2PELHL72 92340603MA2PEM480D 92340603MA2PEN9F2E 92340603MA2PENAP06
92340603MA2PENCQ1M 92340603MA2PEP42XF 92340603MA2PEPBN6L 92340603MA2PEPM83M 92340603MA2UJXYJ3P
92340603MA2UJY0W68 92340603MA2UJY2M7F 92340603MA2UJYUM57 92340603MA2UK0KQ72 92340603MA2UK0ME1G
92340603MA2UK0T79E 92340603MA2UK1NC4L 92340603MA2UK1PX9B 92340603MA2UK1TD00 92340603MA2UK1UE56
92340603MA2UK28G4G 92340603MA2UK2P79U 92340603MA2UK2WX6M 92340603MA2UK2XD94 92340603MA2UK31A3N
92340603MA2UK3CP6U 92340603MA2UK3D673 92340603MA2UK3DF0N 92340603MA2UK3DT5H 92340604MA2PBME53K
92340604MA2PBMQK2P 92340604MA2PBMXF6C 92340604MA2PBNDT64 92340604MA2PBNKR4Y 92340604MA2PBNQNXM
92340604MA2PBNR83C 92340604MA2PBNUL9N 92340604MA2PBNWH99 92340604MA2PBNXH5J 92340604MA2PBP1U3Y
92340604MA2PBP7U1T 92340604MA2PBPHC8R 92340604MA2PBPXJ71 92340604MA2PEM4L7X 92340604MA2PEM5Q4E
92340604MA2PENA300 92340604MA2UJYCE59 92340604MA2UJYPN1K 92340604MA2UK03G7D 92340604MA2UK04L4X
92340604MA2UK07529 92340604MA2UK08Y65 92340621MA2PBKRXXG 92340621MA2PBL318W 92340621MA2PBLW63G
92340621MA2PBLWT1Y 92340621MA2PBLX27E 92340621MA2PBM6286 92340621MA2PBMA318 92340621MA2PBMKK45
92340621MA2PBMNMXM 92340621MA2PBMUH3D 92340621MA2PBN0KXX 92340621MA2PBN145R 92340621MA2PBN1962
92340621MA2PBN1H1T 92340621MA2PBN559X 92340621MA2PBNFH07 92340621MA2PBNJ232 92340621MA2PBNTY9Y
92340621MA2PBP431L 92340621MA2PELD34J 92340621MA2PELFR3H 92340621MA2UJRKE7N 92340621MA2UJRL762
92340621MA2UJT9WXP 92340621MA2UJTCK0M 92340621MA2UJTM785 92340621MA2UJTQ22E 92340621MA2UJTTF8R
92340621MA2UJTY74U 92340621MA2UJW4UXQ 92340621MA2UJW690P 92340621MA2UJW703D 92340621MA2UJWA961
92340621MA2UJWCT2H 92340621MA2UJWEE2G 92340621MA2UJWFB49 92340621MA2UJWGB0J 92340621MA2UJWYPX8
92340621MA2UJX6C8T 92340621MA2UJX968M 92340621MA2UJXLD1M 92340621MA2UJY477E 92340621MA2UJYE11E
92340621MA2UJYG57G 92340621MA2UK02XXW 92340621MA2UK08G9K 92340621MA2UK0DA11 92340621MA2UK0G256
92340621MA2UK0J08Q 92340621MA2UK0JX8N 92340621MA2UK0KR5Y 92340621MA2UK1JY92 92340621MA2UK1L38E
92340621MA2UK1MK35 92340621MA2UK1MN8P 92340621MA2UK1PRX7 92340621MA2UK22G6N 92340621MA2UK25H3F
92340621MA2UK2BU8B 92340621MA2UK2CD59 92340621MA2UK2EP62 92340621MA2UK2GJXF 92340621MA2UK2Q24Y
92340621MA2UK2XX21 92340621MA2UK30C35 92340621MA2UK338XJ 92340621MA2UK3C369 92340621MA2UK3CE6L
""".split()
STDNUM_USCC_INVALID = [
    ("12345", "统一社会信用代码应为18位，当前为5位"),                       # InvalidLength
    # stdnum: InvalidFormat (it wants 8 leading digits). GB 32100 allows a letter authority
    # (A/N/Y), so for us the format is fine and the check character is what is wrong.
    ("A1110000600037341L", "校验码不正确"),
    ("9111000060003IOZSV", "统一社会信用代码不使用字母 I、O、Z、S、V，号码中有“I”"),  # InvalidFormat
    ("91110000600037341N", "校验码不正确"),                              # InvalidChecksum
]

# --- validator.js test/validators.test.js, isIdentityCard zh-CN -------------------------------
VALIDATORJS_ID_VALID = ["235407195106112745", "210203197503102721", "520323197806058856"]
VALIDATORJS_ID_VALID_15 = "110101491001001"      # old 15-digit: validator.js accepts, we explain
VALIDATORJS_ID_INVALID = [
    "160323197806058856", "010203197503102721", "520323297806058856", "520323197802318856",
    "235407195106112742", "010101491001001", "110101491041001", "160101491001001", "110101940231001",
    "xx1234567", "135407195106112742", "123456789546", "123456789", "023456789", "12345678A", "12345",
    "1234578A", "123 578A", "12345 678Z", "12345678-Z", "1234*6789", "1234*678Z", "GE9800as98",
    "X231071922", "12345678!", "235407207006112742",
]

# --- validator.js test/validators.test.js, isPassportNumber CN --------------------------------
VALIDATORJS_PASSPORT_VALID = ["G25352389", "E00160027", "EA1234567"]
VALIDATORJS_PASSPORT_INVALID = ["K0123456", "E-1234567", "G.1234567", "GA1234567", "EI1234567", "GO1234567"]

# --- validator.js test/validators.test.js, isMobilePhone zh-CN --------------------------------
VALIDATORJS_MOBILE_VALID = [
    "13523333233", "13838389438", "14899230918", "14999230918", "15323456787", "15052052020",
    "16237108167", "008616238234822", "+8616238234822", "16565600001", "17269427292", "17469427292",
    "18199617480", "19151751717", "19651751717", "+8613238234822", "+8613487234567", "+8617823492338",
    "+8616637108167", "+8616712341234", "+8619912341234", "+8619812341234", "+8619712341234",
    "+8619612341234", "+8619512341234", "+8619312341234", "+8619212341234", "+8619112341234",
    "+8617269427292", "008618812341234", "008617269427292",
]
# validator.js also accepts 92x/98x "reserve number segments in the future"; the spec is 1[3-9].
VALIDATORJS_MOBILE_RESERVED = ["92138389438", "+8692138389438", "008692138389438", "98199649964",
                               "+8698099649964", "008698099649964"]
VALIDATORJS_MOBILE_INVALID = [
    "12345", "", "12038389438", "12838389438", "013838389438", "+08613811211114", "+008613811211114",
    "08613811211114", "Vml2YW11cyBmZXJtZtesting123", "010-38238383",
]
# validator.js rejects dashes; a window strips them (clerks and forms write 138-1121-1114).
VALIDATORJS_MOBILE_DASHED = [("+86-13838389438", "13838389438"), ("0086-13811211114", "13811211114"),
                             ("0086-138-1121-1114", "13811211114")]

# --- validator.js test/validators/isPostalCode.test.js, CN -------------------------------------
VALIDATORJS_POSTCODE_VALID = ["150237", "100000"]
VALIDATORJS_POSTCODE_INVALID = ["141234", "386789", "ab1234"]


# ============================================================================================
# Third-party vectors

@pytest.mark.parametrize("number,normalized,birth,region,sex", STDNUM_RIC_VALID)
def test_stdnum_ric_valid_numbers(number, normalized, birth, region, sex):
    r = check_resident_id(number)
    assert (r.valid, r.normalized, r.error, r.warnings) == (True, normalized, None, [])
    assert r.info["birth_date"] == birth and r.info["region"] == region and r.info["sex"] == sex


@pytest.mark.parametrize("number,error", STDNUM_RIC_INVALID)
def test_stdnum_ric_invalid_numbers(number, error):
    r = check_resident_id(number)
    assert (r.valid, r.error, r.normalized) == (False, error, "")


@pytest.mark.parametrize("number", STDNUM_USCC_VALID)
def test_stdnum_uscc_numbers_found_online(number):
    r = check_uscc(number)
    assert (r.valid, r.normalized, r.error, r.warnings) == (True, number, None, [])


def test_stdnum_uscc_vector_list_is_complete():
    assert len(STDNUM_USCC_VALID) == 200 and len(set(STDNUM_USCC_VALID)) == 200   # as in the doctest


@pytest.mark.parametrize("number,error", STDNUM_USCC_INVALID)
def test_stdnum_uscc_invalid_numbers(number, error):
    r = check_uscc(number)
    assert (r.valid, r.error) == (False, error)


def test_stdnum_uscc_spaces_are_separators():
    assert check_uscc("91 110000 600037341L").normalized == "91110000600037341L"


@pytest.mark.parametrize("number", VALIDATORJS_ID_VALID)
def test_validatorjs_identity_cards_valid(number):
    r = check(number)
    assert (r.kind, r.valid, r.normalized, r.error) == ("resident_id", True, number, None)


def test_validatorjs_fifteen_digit_id_is_explained_and_converted():
    r = check(VALIDATORJS_ID_VALID_15)
    assert (r.kind, r.valid, r.normalized) == ("resident_id", False, "110101491001001")
    assert r.error == ("这是旧版15位身份证号码（第一代身份证，已停止使用），对应的18位号码为 "
                       "11010119491001001X，请核对现行证件后录入")
    assert r.info["converted_18"] == "11010119491001001X"
    assert r.info["birth_date"] == "1949-10-01" and r.info["region"] == "北京市东城区"
    assert check_resident_id("11010119491001001X").valid


@pytest.mark.parametrize("number", VALIDATORJS_ID_INVALID)
def test_validatorjs_identity_cards_invalid(number):
    r = check_resident_id(number)
    assert r.valid is False and CJK.search(r.error)


@pytest.mark.parametrize("number,error", [
    ("160323197806058856", "地区码 160323 无效：省级代码 16 不存在"),
    ("520323297806058856", "出生日期 2978年06月05日 晚于今天"),
    ("520323197802318856", "出生日期 1978年02月31日 不存在"),
    ("110101491041001", "出生日期 1949年10月41日 不存在"),
    ("110101940231001", "出生日期 1994年02月31日 不存在"),
    ("010101491001001", "地区码 010101 无效：省级代码 01 不存在"),
    ("12345678-Z", "身份证号码应为18位，当前为9位"),
    ("1234*678Z", "号码含有无效字符“*”"),
])
def test_validatorjs_identity_cards_invalid_reasons(number, error):
    assert check_resident_id(number).error == error


@pytest.mark.parametrize("number", VALIDATORJS_PASSPORT_VALID)
def test_validatorjs_cn_passports_valid(number):
    r = check_passport(number, issuer="CN")
    assert (r.valid, r.normalized, r.info) == (True, number, {"issuer": "CN", "passport_type": "普通护照"})


@pytest.mark.parametrize("number", VALIDATORJS_PASSPORT_INVALID)
def test_validatorjs_cn_passports_invalid(number):
    r = check_passport(number, issuer="CN")
    assert r.valid is False and CJK.search(r.error)


@pytest.mark.parametrize("number", VALIDATORJS_MOBILE_VALID)
def test_validatorjs_mobiles_valid(number):
    r = check_mobile(number)
    assert (r.valid, r.normalized) == (True, number[-11:])


@pytest.mark.parametrize("number", VALIDATORJS_MOBILE_RESERVED)
def test_validatorjs_reserved_9x_segments_are_not_mobiles_here(number):
    assert check_mobile(number).valid is False


@pytest.mark.parametrize("number", VALIDATORJS_MOBILE_INVALID)
def test_validatorjs_mobiles_invalid(number):
    r = check_mobile(number)
    assert r.valid is False and CJK.search(r.error)


@pytest.mark.parametrize("number,normalized", VALIDATORJS_MOBILE_DASHED)
def test_validatorjs_dashed_mobiles_are_accepted_here(number, normalized):
    assert (check_mobile(number).valid, check_mobile(number).normalized) == (True, normalized)


@pytest.mark.parametrize("code,zone", [("150237", "黑龙江省"), ("100000", "北京市")])
def test_validatorjs_postcodes_valid(code, zone):
    r = check_postcode(code)
    assert (r.valid, r.normalized, r.info) == (True, code, {"province": zone})


@pytest.mark.parametrize("code,error", [("141234", "邮政编码前两位 14 不对应任何邮区"),
                                        ("386789", "邮政编码前两位 38 不对应任何邮区"),
                                        ("ab1234", "邮政编码应为6位数字")])
def test_validatorjs_postcodes_invalid(code, error):
    assert (check_postcode(code).valid, check_postcode(code).error) == (False, error)


# ============================================================================================
# The window's policy on resident IDs

def test_region_created_after_birth_year_is_valid():
    # 371402 德城区 exists from 1994; someone born 1950 was numbered there later. stdnum says no.
    n = "371402195001011230"
    assert not ric.is_valid(n)
    r = check_resident_id(n)
    assert (r.valid, r.error, r.warnings) == (True, None, [])
    assert r.info == {"birth_date": "1950-01-01", "sex": "男", "region_code": "371402",
                      "region": "山东省德州市德城区", "province": "山东省"}


def test_validatorjs_vector_rejected_by_stdnum_for_region_history_is_valid():
    # 520323 绥阳县 is listed from 1997; the holder was born in 1978.
    assert not ric.is_valid("520323197806058856")
    assert check_resident_id("520323197806058856").info["region"] == "贵州省遵义市绥阳县"


def test_abolished_region_is_valid_and_named():
    r = check_resident_id("371421198001011233")      # 陵县, abolished 2014 (now 陵城区)
    assert (r.valid, r.warnings, r.info["region"]) == (True, [], "山东省德州市陵县")


def test_region_abolished_before_birth_is_a_warning():
    r = check_resident_id("371421201506011233")
    assert r.valid is True
    assert r.warnings == ["地区码 371421（陵县）在行政区划表中 2014 年后已不再使用，早于出生年份 2015，请核对"]


@pytest.mark.parametrize("number,region,warning", [
    ("379999198001011238", "山东省", "地区码 379999 未在行政区划表中找到（省份：山东省）"),
    ("371499198001011233", "山东省德州市", "地区码 371499 未在行政区划表中找到（省份：山东省）"),
    ("235407195106112745", "黑龙江省", "地区码 235407 未在行政区划表中找到（省份：黑龙江省）"),
])
def test_unknown_county_in_known_province_is_valid_with_warning(number, region, warning):
    r = check_resident_id(number)
    assert (r.valid, r.warnings, r.info["region"]) == (True, [warning], region)


def test_unknown_province_is_invalid_even_with_right_check_digit():
    n = "99" + "0426199112010" + "07"
    n += resident_id_check_char(n)
    r = check_resident_id(n)
    assert (r.valid, r.error) == (False, "地区码 990426 无效：省级代码 99 不存在")


@pytest.mark.parametrize("number,error", [
    ("371402199002301238", "出生日期 1990年02月30日 不存在"),
    ("371402189912311233", "出生日期 1899年12月31日 早于1900年"),
    ("371402299901011232", "出生日期 2999年01月01日 晚于今天"),   # stdnum 2.2 accepts this one
])
def test_birth_date_checks(number, error):
    assert check_resident_id(number).error == error


def test_born_today_is_valid_born_tomorrow_is_not(monkeypatch):
    monkeypatch.setenv("CLERK_FAKE_NOW", "2026-09-30T10:00:00")
    today = "37140220260930123"
    assert check_resident_id(today + resident_id_check_char(today)).valid
    tomorrow = "37140220261001123"
    assert check_resident_id(tomorrow + resident_id_check_char(tomorrow)).error == "出生日期 2026年10月01日 晚于今天"
    assert birth_date_error("20261001") == "出生日期 2026年10月01日 晚于今天"
    assert birth_date_error("20000229") is None and birth_date_error("19000229") == "出生日期 1900年02月29日 不存在"


def test_wrong_check_digit_does_not_reveal_the_right_one():
    r = check_resident_id("371402195001011231")
    assert r.error == "校验码不正确" and "0" not in r.error
    assert check_uscc("91110000600037341M").error == "校验码不正确"


def test_check_chars_match_stdnum_and_the_standard():
    assert resident_id_check_char("37140219500101123") == "0"
    assert resident_id_check_char("11010119491001001") == "X"
    assert uscc_check_char("91110000600037341") == "L"
    with pytest.raises(InvalidIdentifier):
        resident_id_check_char("3714021950")
    with pytest.raises(InvalidIdentifier):
        uscc_check_char("9111000060003734I")


@pytest.mark.parametrize("number,sex,place", [
    ("810000199001011230", "男", "香港"),
    ("820000198512310029", "女", "澳门"),
    ("83000020000229004X", "女", "台湾"),
])
def test_residence_permits(number, sex, place):
    r = check_permit(number)
    assert (r.kind, r.valid, r.warnings) == ("residence_permit", True, [])
    assert (r.info["sex"], r.info["region"], r.info["permit"]) == (sex, place, "港澳台居民居住证")
    via_id = check_resident_id(number)
    assert (via_id.kind, via_id.valid) == ("residence_permit", True)
    assert via_id.warnings == [f"此号码为港澳台居民居住证号码（{place}），不是居民身份证号码"]


def test_residence_permit_with_bad_check_digit():
    assert check_permit("810000199001011231").error == "校验码不正确"


# ============================================================================================
# Odd input never raises

ODD_INPUTS = [None, "", "   ", "😀", "３６０４２６😀", "\u200b", "x" * 1000, b"\xff\xfe", "\x00", "١٢٣٤٥٦"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("value", ODD_INPUTS, ids=range(len(ODD_INPUTS)))
def test_odd_input_becomes_a_chinese_error(kind, value):
    r = check(value, kind)
    assert isinstance(r, IdCheck) and r.valid is False
    assert CJK.search(r.error), r.error


@pytest.mark.parametrize("value", ODD_INPUTS, ids=range(len(ODD_INPUTS)))
def test_odd_input_without_kind(value):
    r = check(value)
    assert (r.kind, r.valid) == ("", False)
    assert r.error in ("号码为空", "无法识别号码类型，请选择号码类型后再核对")
    assert detect_kind(value) is None


@pytest.mark.parametrize("value,normalized", [
    ("３６０４２６１９９１０１０１００７１", "360426199101010071"),     # full-width digits
    ("360426 19910101 0071", "360426199101010071"),                   # spaces
    ("360426-19910101-0071", "360426199101010071"),                   # dashes
    ("44011320141005001x", "44011320141005001X"),                     # lower-case x
    ("４４０１１３２０１４１００５００１ｘ", "44011320141005001X"),      # full-width lower-case x
    ("\u3000360426199101010071\u200b", "360426199101010071"),         # ideographic space, zero width
])
def test_normalization(value, normalized):
    r = check(value)
    assert (r.kind, r.valid, r.normalized) == ("resident_id", True, normalized)


def test_emoji_in_id_is_named_in_the_error():
    assert check_resident_id("36042619910101007😀").error == "号码含有无效字符“😀”"


def test_library_failure_becomes_an_error_not_an_exception(monkeypatch):
    import stdnum.cn.ric

    def broken(number):
        raise RuntimeError("boom")
    monkeypatch.setattr(stdnum.cn.ric, "calc_check_digit", broken)
    r = check("360426199101010071", "resident_id")
    assert (r.valid, r.error) == (False, "号码无法解析（内部错误，详见日志），请人工核对")


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(InvalidInput):
        check("13812345678", "phone")


# ============================================================================================
# USCC details

@pytest.mark.parametrize("number,authority,entity,region_code,region", [
    ("91110000600037341L", "工商（市场监管）", "企业", "110000", "北京市"),
    ("121200004013590816", "机构编制", "事业单位", "120000", "天津市"),
    ("92340602MA2PBQAH7E", "工商（市场监管）", "个体工商户", "340602", "安徽省淮北市杜集区"),
    ("911522010783762860", "工商（市场监管）", "企业", "152201", "内蒙古自治区兴安盟乌兰浩特市"),
    ("N2370102MA3C12346Q", "农业", "村级集体经济组织", "370102", "山东省济南市历下区"),
    ("Y1370102MA3C12346K", "其他", "其他", "370102", "山东省济南市历下区"),
])
def test_uscc_tells_authority_type_and_region(number, authority, entity, region_code, region):
    r = check_uscc(number)
    assert (r.valid, r.warnings) == (True, [])
    assert (r.info["registration_authority"], r.info["entity_type"], r.info["region_code"],
            r.info["region"]) == (authority, entity, region_code, region)


@pytest.mark.parametrize("number,warning", [
    ("B1370102MA3C123467", "登记管理部门代码“B”不在 GB 32100 的代码表中，请核对"),
    ("95370102MA3C12346W", "机构类别代码“5”不属于登记管理部门“工商（市场监管）”，请核对"),
    ("91370102MA3C12340N", "第9至17位（组织机构代码）的校验位不符，请核对"),
])
def test_uscc_odd_parts_are_warnings(number, warning):
    r = check_uscc(number)
    assert (r.valid, r.warnings) == (True, [warning])


def test_uscc_fifteen_digit_registration_number_hint():
    assert check_uscc("110108012345678").error == \
        "统一社会信用代码应为18位，当前为15位（15位数字可能是旧的工商注册号，请提供18位统一社会信用代码）"


# ============================================================================================
# Tracking numbers (UPU S10 and China Post domestic)

@pytest.mark.parametrize("eight,check_digit", [
    ("12345678", "5"),   # 8+12+12+8+15+30+63+56 = 204, 204 mod 11 = 6, 11-6 = 5 (RB123456785GB)
    ("00000000", "5"),   # r = 0 → 5
    ("00060000", "0"),   # 6×2 = 12, r = 1 → 0
    ("20315678", "4"),   # 16+0+12+2+15+30+63+56 = 194, r = 7 → 4
    ("10086001", "6"),   # 8+16+18+7 = 49, r = 5 → 6
    ("31415926", "8"),   # 24+6+16+2+15+45+18+42 = 168, r = 3 → 8
    ("88888888", "5"),   # 8×44 = 352, r = 0 → 5
])
def test_s10_check_digit(eight, check_digit):
    assert s10_check_digit(eight) == check_digit


@pytest.mark.parametrize("number,service,country", [
    ("RB123456785GB", "挂号函件", "GB"),     # the S10 example in the domain glossary
    ("EA123456785CN", "EMS", "CN"),
    ("EE000000005CN", "EMS", "CN"),
    ("EE000600000CN", "EMS", "CN"),
    ("EA203156784CN", "EMS", "CN"),
    ("EB100860016CN", "EMS", "CN"),
    ("CP314159268CN", "包裹", "CN"),
    ("ea 1234 5678 5 cn", "EMS", "CN"),
])
def test_s10_numbers(number, service, country):
    r = check_tracking(number)
    assert r.valid is True and r.normalized == re.sub(r"\s", "", number).upper()
    assert (r.info["service"], r.info["country"], r.info["format"]) == (service, country, "S10")


def test_s10_wrong_check_digit_says_the_right_one():
    r = check_tracking("EA123456784CN")
    assert (r.valid, r.error) == (False, "邮件号校验位应为 5")


@pytest.mark.parametrize("number,service,warnings", [
    ("1012345678901", "EMS", []),
    ("9812345678901", "邮政快递包裹", []),
    ("5012345678901", "邮政国内邮件", ["以 5 开头的13位单号不常见，请核对是否为邮政单号"]),
])
def test_domestic_tracking_numbers_by_format(number, service, warnings):
    r = check_tracking(number)
    assert (r.valid, r.info, r.warnings) == (True, {"service": service, "country": "CN", "format": "domestic"},
                                             warnings)


@pytest.mark.parametrize("number,error", [
    ("EA12345678CN", "国际格式邮件号应为 2 个字母 + 9 位数字 + 2 个字母（如 EA123456785CN）"),
    ("101234567890", "国内邮件号应为13位数字，当前为12位"),
    ("EA123456785XX", "邮件号末尾的国家代码 XX 不是有效的国家/地区代码"),   # rule 8: ISO 3166-1 only
])
def test_bad_tracking_numbers(number, error):
    assert check_tracking(number).error == error


# ============================================================================================
# Phones, postcodes, permits, passports

@pytest.mark.parametrize("value,normalized,area,local,ext", [
    ("0534-2345678", "0534-2345678", "0534", "2345678", None),
    ("0534 234 5678", "0534-2345678", "0534", "2345678", None),
    ("(010)62345678", "010-62345678", "010", "62345678", None),
    ("010-62345678-801", "010-62345678-801", "010", "62345678", "801"),
    ("010-62345678转801", "010-62345678-801", "010", "62345678", "801"),
    ("（０５３４）２３４５６７８分机12", "0534-2345678-12", "0534", "2345678", "12"),
    ("+86 10 6234 5678", "010-62345678", "010", "62345678", None),
    ("02987654321", "029-87654321", "029", "87654321", None),
    ("075523456789", "0755-23456789", "0755", "23456789", None),
])
def test_landlines(value, normalized, area, local, ext):
    r = check_landline(value)
    assert (r.valid, r.normalized) == (True, normalized)
    assert (r.info["area_code"], r.info["local_number"], r.info["extension"]) == (area, local, ext)


@pytest.mark.parametrize("value,error", [
    ("2345678", "缺少区号：固定电话应写作“区号-号码”，如 0534-2345678"),
    ("010-2345678", "区号 010 的本地号码应为8位，当前为7位"),
    ("0200-1234567", "区号 0200 无效"),
    ("01012345678", "本地号码不能以 0 或 1 开头"),
    ("0534-23456", "区号 0534 的本地号码应为7位或8位，当前为5位"),
    ("13812345678", "这是手机号码，不是固定电话"),
])
def test_bad_landlines(value, error):
    assert check_landline(value).error == error


def test_service_numbers_400_are_landlines():
    r = check_landline("400-810-8888")
    assert (r.valid, r.normalized) == (True, "400-810-8888")


@pytest.mark.parametrize("value,kind,normalized,info", [
    ("H12345678", "hk_macau_permit", "H12345678", {"permit": "港澳居民来往内地通行证", "holder_region": "香港"}),
    ("m1234567801", "hk_macau_permit", "M1234567801", {"permit": "港澳居民来往内地通行证", "holder_region": "澳门"}),
    ("H12345678(01)", "hk_macau_permit", "H1234567801", {"permit": "港澳居民来往内地通行证", "holder_region": "香港"}),
    ("12345678", "taiwan_permit", "12345678", {"permit": "台湾居民来往大陆通行证", "holder_region": "台湾"}),
    ("1234567801", "taiwan_permit", "1234567801", {"permit": "台湾居民来往大陆通行证", "holder_region": "台湾"}),
    ("C12345678", "mainland_travel_permit", "C12345678", {"permit": "往来港澳通行证"}),
    ("CA1234567", "mainland_travel_permit", "CA1234567", {"permit": "往来港澳通行证"}),
    ("L12345678", "mainland_travel_permit", "L12345678", {"permit": "大陆居民往来台湾通行证"}),
])
def test_permits_by_format(value, kind, normalized, info):
    r = check_permit(value)
    assert (r.kind, r.valid, r.normalized, r.info) == (kind, True, normalized, info)
    assert check(value, kind).valid


@pytest.mark.parametrize("value,kind,error", [
    ("H1234567", "hk_macau_permit", "港澳居民来往内地通行证号码应为 H（香港）或 M（澳门）加8位数字（旧版为10位）"),
    ("1234567", "taiwan_permit", "台湾居民来往大陆通行证号码应为8位数字（旧版为10位）"),
    ("CI1234567", "mainland_travel_permit",
     "往来港澳通行证号码应为 C 加8位（数字，或一个字母加7位数字）；往来台湾通行证为 L 加8位数字"),
    ("QQ1234567", "permit", "无法识别的通行证或居住证号码格式"),
])
def test_bad_permits(value, kind, error):
    r = check_permit(value)
    assert (r.kind, r.valid, r.error) == (kind, False, error)


def test_permit_of_the_wrong_kind_is_rejected():
    assert check("H12345678", "taiwan_permit").valid is False


@pytest.mark.parametrize("value,passport_type", [
    ("E12345678", "普通护照"), ("G25352389", "普通护照"), ("EA1234567", "普通护照"),
    ("DE1234567", "外交护照"), ("SE1234567", "公务护照"), ("PE1234567", "公务普通护照"),
])
def test_chinese_passports(value, passport_type):
    r = check_passport(value)
    assert (r.valid, r.info) == (True, {"issuer": "CN", "passport_type": passport_type})


@pytest.mark.parametrize("value,valid,warnings", [
    ("X1234567", True, []),
    ("P 1630837", True, []),
    ("EI1234567", True, ["以 E 或 G 开头但不符合中国护照号码格式；如为中国护照请核对"]),
    ("A123", False, []),
    ("ABCDEFGH", False, []),
    ("A12345678901234567", False, []),
])
def test_foreign_passports_by_length(value, valid, warnings):
    r = check_passport(value)
    assert (r.valid, r.warnings) == (valid, warnings)


# ============================================================================================
# Detection, masking, the dict form

@pytest.mark.parametrize("value,kind", [
    ("360426199101010071", "resident_id"), ("110101491001001", "resident_id"),
    ("91110000600037341L", "uscc"), ("911522010783762860", "uscc"),
    ("EA123456785CN", "tracking"), ("1012345678901", "tracking"),
    ("13812345678", "mobile"), ("+86 138 1234 5678", "mobile"), ("0086-138-1121-1114", "mobile"),
    ("0534-2345678", "landline"), ("010-62345678-801", "landline"), ("010-62345678转801", "landline"),
    ("253000", "postcode"),
    ("H12345678", "hk_macau_permit"), ("M1234567801", "hk_macau_permit"),
    ("C12345678", "mainland_travel_permit"), ("L12345678", "mainland_travel_permit"),
    ("12345678", "taiwan_permit"), ("810000199001011230", "residence_permit"),
    ("E12345678", "passport"), ("X1234567", "passport"),
    ("hello", None), ("😀", None), ("", None), (None, None),
])
def test_detect_kind(value, kind):
    assert detect_kind(value) == kind


@pytest.mark.parametrize("value,masked", [
    ("371402195001011230", "371402********1230"),
    ("11010119491001001x", "110101********001X"),
    ("13812345678", "138****5678"),
    ("E12345678", "E1*****78"),
    ("1234", "****"),
    (None, ""),
])
def test_mask_id(value, masked):
    assert mask_id(value) == masked


def test_to_dict_is_flat_with_info():
    d = check("371402195001011230").to_dict()
    assert d == {"kind": "resident_id", "valid": True, "normalized": "371402195001011230", "error": None,
                 "warnings": [], "birth_date": "1950-01-01", "sex": "男", "region_code": "371402",
                 "region": "山东省德州市德城区", "province": "山东省"}


def test_kinds_cover_the_cli_choices():
    assert set(KINDS) >= {"resident_id", "uscc", "tracking", "mobile", "postcode", "passport", "landline",
                          "permit"}
    assert set(identifiers.KIND_LABELS) == set(KINDS)
