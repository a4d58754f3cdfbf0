"""Fields from ID cards, business licences and household registers; repairs; cross-checks.

The four synthetic documents are read once, through the real pipeline and Tesseract.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from forms.ocrdata import OcrField, OcrWord
from scanner.fields import (cross_check, document_kind, extract_fields, field_warnings, iso_date,
                            repair_identifier)
from scanner.pipeline import process_pages

OCR_DIR = Path(__file__).parent / "resources" / "ocr"
SAMPLES = ["id_card_front.png", "id_card_confusable.png", "business_licence.png",
           "household_register.png"]


@pytest.fixture(scope="module")
def read(tmp_path_factory):
    """OcrPage per synthetic sample, all four OCRed in one pipeline run."""
    job = tmp_path_factory.mktemp("job")
    pages = list(process_pages([str(OCR_DIR / name) for name in SAMPLES], job_dir=job, workers=2))
    return dict(zip(SAMPLES, pages))


@pytest.fixture(scope="module")
def truth():
    return json.loads((OCR_DIR / "synthetic_truth.json").read_text(encoding="utf-8"))


def values(page) -> dict:
    return {f.kind: f.value for f in page.fields}


def _words(lines: list[str]) -> list[OcrWord]:
    """One OcrWord per line, 50 px apart, as if Tesseract had read the lines."""
    return [OcrWord(text=t, left=100, top=100 + 50 * i, width=20 * len(t), height=30,
                    confidence=90.0, block=1, par=1, line=i + 1) for i, t in enumerate(lines)]


# ---- read from real OCR ----------------------------------------------------------

def test_id_card_front_fields(read, truth):
    page = read["id_card_front.png"]
    expected = truth["id_card_front.png"]
    assert values(page) == expected
    number = next(f for f in page.fields if f.kind == "id_number")
    assert number.valid is True and number.corrected_from is None
    assert page.warnings == []


def test_id_card_fields_have_boxes_on_the_cleaned_page(read):
    page = read["id_card_front.png"]
    # The card was drawn at 600 dpi and cleaned to 300: the number sits at about (260, 505).
    number = next(f for f in page.fields if f.kind == "id_number")
    left, top, width, height = number.box
    assert abs(left - 260) < 15 and abs(top - 510) < 15
    assert 350 < width < 450 and 20 < height < 50


def test_confusable_id_is_repaired_only_because_the_check_passes(read, truth):
    page = read["id_card_confusable.png"]
    expected = truth["id_card_confusable.png"]
    number = next(f for f in page.fields if f.kind == "id_number")
    assert number.value == expected["id_number"]
    assert number.valid is True
    assert number.corrected_from is not None
    assert number.corrected_from != number.value
    assert "I" in number.corrected_from or "O" in number.corrected_from
    assert values(page)["name"] == expected["name"]


def test_business_licence_fields(read, truth):
    assert values(read["business_licence.png"]) == truth["business_licence.png"]
    code = next(f for f in read["business_licence.png"].fields if f.kind == "uscc")
    assert code.valid is True


def test_household_register_fields(read, truth):
    assert values(read["household_register.png"]) == truth["household_register.png"]


def test_cross_check_names_page_and_box(read):
    page = read["id_card_front.png"]
    typed = {"name": "张伟民", "id_number": "110101199003071233", "birth_date": "1990年3月7日"}
    warnings = cross_check(page.fields, typed, "第 2 页")
    number = next(f for f in page.fields if f.kind == "id_number")
    assert warnings == [f"第 2 页 (x={number.box[0]}, y={number.box[1]})："
                        "证件上的公民身份号码 1101…109X 与录入的不一致"]


# ---- repairs ----------------------------------------------------------------

def test_letters_read_for_digits_are_repaired_when_the_check_passes():
    assert repair_identifier("11010119900307109X") == ("id_number", "11010119900307109X", True)
    assert repair_identifier("1101O1199OO3071O9x") == ("id_number", "11010119900307109X", True)
    assert repair_identifier("32O5O2198511I2OO49") == ("id_number", "320502198511120049", True)
    # S read for a 3 would become 5: the check fails, so the reading stays as it was.
    assert repair_identifier("S20502198511120049") == ("id_number", "S20502198511120049", False)


def test_no_repair_when_the_check_still_fails():
    # One digit misread as another: no letter to repair, and the check fails.
    kind, value, valid = repair_identifier("11010119900307108X")
    assert (kind, value, valid) == ("id_number", "11010119900307108X", False)
    fields = extract_fields(_words(["公民身份号码 1101011990O307108X"]))
    number = next(f for f in fields if f.kind == "id_number")
    assert (number.value, number.valid, number.corrected_from) == ("1101011990O307108X", False, None)


def test_credit_code_repairs():
    assert repair_identifier("91110101697654321D") == ("uscc", "91110101697654321D", True)
    # O and I never occur in a credit code; in the first 8 positions they must be digits.
    assert repair_identifier("9111O1O1697654321D") == ("uscc", "91110101697654321D", True)
    assert repair_identifier("91110101697654321E")[2] is False


def test_ordinary_words_are_not_identifiers():
    assert repair_identifier("ABCDEFGHIJKLMNOPQR") == ("", None, False)


# ---- extraction from given text ----------------------------------------------------

def test_generic_page_finds_numbers_anywhere():
    fields = extract_fields(_words([
        "申请人联系电话138 0013 8000，单位电话010-65123456",
        "代办人身份证11010119900307109X，委托单位91110101697654321D",
        "身份证号1101011990O307109X（手写）"]))
    found = {(f.kind, f.value, f.valid, f.corrected_from) for f in fields}
    assert found == {
        ("phone", "13800138000", None, None),
        ("phone", "010-65123456", None, None),
        ("id_number", "11010119900307109X", True, None),
        ("uscc", "91110101697654321D", True, None),
    }


def test_a_number_split_by_a_space_is_joined_only_if_it_checks():
    fields = extract_fields(_words(["公民身份号码 1 1010119900307109X", "编号 1 2345678901234567X"]))
    assert [(f.kind, f.value, f.valid) for f in fields] == [("id_number", "11010119900307109X", True)]


def test_field_box_is_the_union_of_its_words():
    words = [OcrWord("住址", 100, 500, 80, 40, 95.0, 1, 1, 1),
             OcrWord("北京市东城区示例路12号", 260, 500, 500, 40, 95.0, 1, 1, 1),
             OcrWord("楼2单元401室", 260, 560, 260, 40, 95.0, 1, 1, 2),
             OcrWord("公民身份号码", 100, 800, 200, 40, 95.0, 1, 1, 3),
             OcrWord("11010119900307109X", 330, 800, 400, 40, 95.0, 1, 1, 3)]
    fields = {f.kind: f for f in extract_fields(words)}
    assert fields["address"].value == "北京市东城区示例路12号楼2单元401室"
    assert fields["address"].box == (260, 500, 500, 100)
    assert fields["id_number"].box == (330, 800, 400, 40)


def test_company_name_when_its_label_is_misread():
    fields = extract_fields(_words(["营业执照", "统一社会信用代码91110101697654321D",
                                    "名MM北京示例科技有限公司", "类型有限责任公司（自然人投资或控股）"]))
    assert {f.kind: f.value for f in fields}["company_name"] == "北京示例科技有限公司"


def test_document_kinds():
    assert document_kind("营业执照\n统一社会信用代码") == "licence"
    assert document_kind("常住人口登记卡\n户主或与户主关系") == "household"
    assert document_kind("姓名张三\n公民身份号码110") == "id_card"
    assert document_kind("申请表") == "generic"


def test_dates_in_any_common_form():
    assert iso_date("1990年3月7日") == "1990-03-07"
    assert iso_date("1990.03.07") == "1990-03-07"
    assert iso_date("19900307") == "1990-03-07"
    assert iso_date("1990年2月30日") is None


# ---- warnings ------------------------------------------------------------------

def test_cross_check_agrees_with_differently_written_values():
    fields = [OcrField("name", "张伟民", None, (10, 20, 90, 40)),
              OcrField("birth_date", "1990-03-07", None, (10, 80, 200, 40)),
              OcrField("id_number", "11010119900307109X", True, (10, 300, 400, 40)),
              OcrField("uscc", "91110101697654321D", True, (10, 400, 400, 40)),
              OcrField("phone", "010-65123456", None, (10, 500, 300, 40)),
              OcrField("phone", "13800138000", None, (10, 560, 300, 40))]
    typed = {"name": " 张伟民 ", "birth_date": "1990年3月7日", "id_number": "11010119900307109x",
             "uscc": "91110101697654321d", "sex": "", "phone": "+86 138-0013-8000"}
    assert cross_check(fields, typed, "第 1 页") == []


def test_cross_check_reports_each_mismatch():
    fields = [OcrField("name", "张伟民", None, (10, 20, 90, 40)),
              OcrField("birth_date", "1990-03-07", None, None),
              OcrField("uscc", "91110101697654321D", True, (120, 340, 400, 40))]
    typed = {"name": "张卫民", "birth_date": "1990-03-08", "uscc": "911101016976543210",
             "id_number": "11010119900307109X"}
    assert cross_check(fields, typed, "第 2 页") == [
        "第 2 页 (x=10, y=20)：证件上的姓名 张伟民 与录入的不一致",
        "第 2 页：证件上的出生日期 1990-03-07 与录入的不一致",
        "第 2 页 (x=120, y=340)：证件上的统一社会信用代码 91110101697654321D 与录入的不一致",
    ]


def test_page_warnings_for_failed_checks_and_inconsistent_birth_date():
    fields = [OcrField("id_number", "11010119900307108X", False, (5, 6, 7, 8)),
              OcrField("id_number", "11010119900307109X", True, (5, 60, 7, 8)),
              OcrField("birth_date", "1990-03-08", None, (5, 30, 7, 8))]
    assert field_warnings(fields, "第 3 页") == [
        "第 3 页 (x=5, y=6)：识别到的公民身份号码 1101…108X 未通过校验，请人工核对",
        "第 3 页 (x=5, y=30)：证件上的出生日期 1990-03-08 与公民身份号码中的 1990-03-07 不一致",
    ]
