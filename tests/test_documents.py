"""The A4 case documents read, scan and print as a clerk and an applicant would check them."""
from datetime import date, datetime

import pytest

from exports import dispatch, notices, transmittal
from exports.docmodel import (
    CaseDoc, DispatchRow, MaterialLine, PartnerInfo, PartyInfo, WindowInfo,
)
from forms.errors import ExportError, InvalidIdentifier
from tests import pdfcheck

CASE_NO = "W3701020101-20250304-0007"
A4_MM = (210.0, 297.0)
MARGIN_PT = 10 * 72 / 25.4      # no text within 10 mm of the paper edge


def sample_case(n_materials: int = 0) -> CaseDoc:
    """A 全省通办 户口迁移 case with rare-character names, two problems and three originals."""
    verified = datetime(2025, 3, 4, 9, 40)
    materials = [
        MaterialLine("居民身份证", "原件及复印件", 1, 2, True, verified_by="李𠈌",
                     verified_at=verified),
        MaterialLine("户口簿", "原件及复印件", 1, 4, True, verified_by="李𠈌",
                     verified_at=verified, original_enclosed=True),
        MaterialLine("结婚证", "复印件", 1, 0, False, legal_basis="《婚姻登记条例》第五条"),
        MaterialLine("准予迁入证明", "原件", 1, 1, True, original_enclosed=True,
                     missing_reason="证明已超过有效期，请重新开具"),
        MaterialLine("授权委托书", "原件", 1, 1, True, verified_by="李𠈌", verified_at=verified,
                     original_enclosed=True, required=False, condition="委托他人代办的"),
    ]
    if n_materials:
        materials = [MaterialLine(f"附件材料第{i + 1}号", "复印件", 1, 1 + i % 3, True,
                                  verified_by="李𠈌", verified_at=verified,
                                  original_enclosed=i % 2 == 0) for i in range(n_materials)]
    return CaseDoc(
        case_no=CASE_NO, item_code="11370000MB0000000X-QT-0012", item_name="户口迁移（市内跨区）",
        case_type="proxy", scope="全省通办", department="天津市公安局河西分局",
        applicant=PartyInfo("张𪚥", id_number="37010219850315123X", phone="13800138000"),
        agent=PartyInfo("王㛃", id_number="120103199001010028", phone="13912345678"),
        agent_authorization="授权委托书（2025年3月1日签署）",
        window=WindowInfo("济南市历下区政务服务中心跨域通办专窗",
                          "山东省济南市历下区龙奥北路8号政务服务中心一楼A12窗口", "250101",
                          "0531-86001234", "山东省济南市历下区"),
        home=PartnerInfo("天津市河西区", "天津市河西区政务服务中心跨省通办专窗",
                         "天津市公安局河西分局户政科", "天津市河西区友谊路35号", "300201",
                         "赵晓明", "022-23456789"),
        materials=materials, clerk_name="李𠈌", received_at=datetime(2025, 3, 4, 9, 30),
        item_basis="《中华人民共和国户口登记条例》第十条", promised_days=5, legal_days=20,
        due_date=date(2025, 3, 11), legal_due_date=date(2025, 4, 1), delivery_method="ems",
        delivery_address="山东省济南市历下区泉城路1号", correction_deadline=date(2025, 3, 9),
        refusal_reason="您申请的事项依法不属于本机关职权范围，应向户籍所在地公安派出所申请",
        tracking_number="EA123456785CN",
    )


def assert_printable(pdf, pages_mm=A4_MM, margin_pt=MARGIN_PT):
    """Every font embedded, qpdf clean, paper size right, no text off the page or on other text."""
    fonts = pdfcheck.pdffonts(pdf)
    assert fonts and all(f.emb for f in fonts), fonts
    assert not any("Helvetica" in f.name for f in fonts)
    ok, out = pdfcheck.qpdf_check(pdf)
    assert ok, out
    assert set(pdfcheck.page_sizes_mm(pdf)) == {pages_mm}
    assert pdfcheck.words_outside(pdf, margin_pt) == []
    assert pdfcheck.overlapping_words(pdf) == []


def code128_on_page(pdf, tmp_path, page=1):
    png = pdfcheck.render_png(pdf, tmp_path / "png", 300, first=page, last=page)[0]
    return pdfcheck.zbar_values(png, "CODE-128"), pdfcheck.zbar_values(png, "QR-Code")


def test_correction_notice_lists_every_problem_once(tmp_path):
    pdf = notices.build_correction_notice(sample_case(), tmp_path / "bz.pdf")
    assert_printable(pdf)
    text = pdfcheck.squash(pdfcheck.pdftotext(pdf))
    assert "补正材料一次性告知书" in text
    assert "张𪚥：" in text and "李𠈌" in text
    assert ("申请材料不齐全、不符合法定形式，根据《中华人民共和国行政许可法》第三十二条第一款第（四）项规定，"
            "现一次性告知您需要补正的全部内容如下：") in text
    assert "1结婚证缺少请提交：复印件1份" in text
    assert "2准予迁入证明不符合要求" in text
    assert "原因：证明已超过有效期，请重新开具；" in text and "要求：原件1份" in text
    assert "户口簿" not in text and "授权委托书" not in text     # provided and fine
    assert "补正期限：请您于2025年3月9日前" in text
    assert ("提交地点：济南市历下区政务服务中心跨域通办专窗，山东省济南市历下区龙奥北路8号政务服务中心一楼A12窗口，"
            "邮编250101") in text
    assert pdfcheck.page_count(pdf) == 1           # seal and signatures on the same page
    assert "可现场提交，也可邮寄至上述地址" in text
    assert "本机关自收到全部补正材料之日起予以受理" in text
    assert "0531-86001234" in text and "补正告字〔2025〕第W3701020101-20250304-0007号" in text
    assert "申请人（代理人）签收（签字）：" in text
    assert code128_on_page(pdf, tmp_path) == ([CASE_NO], [])


def test_correction_notice_refuses_when_nothing_is_missing(tmp_path):
    doc = sample_case()
    doc.materials = [m for m in doc.materials if not m.needs_correction]
    out = tmp_path / "bz.pdf"
    with pytest.raises(ExportError, match="没有需要补正的材料"):
        notices.build_correction_notice(doc, out)
    assert list(tmp_path.iterdir()) == []


def test_acceptance_notice_and_receipt(tmp_path):
    doc = sample_case()
    for build, name in ((notices.build_acceptance_notice, "受理通知书"),
                        (notices.build_acceptance_receipt, "受理回执")):
        pdf = build(doc, tmp_path / f"{name}.pdf")
        assert_printable(pdf)
        assert pdfcheck.page_count(pdf) == 1
        text = pdfcheck.squash(pdfcheck.pdftotext(pdf))
        assert name in text
        assert "5个工作日，2025年3月11日前办结" in text
        assert "20个工作日，2025年4月1日前办结" in text
        assert "邮政EMS寄递送达：山东省济南市历下区泉城路1号" in text
        assert "张𪚥（代理人：王㛃）" in text
        assert code128_on_page(pdf, tmp_path / name) == ([CASE_NO], [])
    notice_text = pdfcheck.squash(pdfcheck.pdftotext(tmp_path / "受理通知书.pdf"))
    assert "第三十二条第一款第（五）项规定，决定予以受理" in notice_text
    assert "结婚证" not in notice_text          # not brought, so not listed as received


def test_window_pickup_names_the_window(tmp_path):
    doc = sample_case()
    doc.delivery_method = "window"
    pdf = notices.build_acceptance_receipt(doc, tmp_path / "hz.pdf")
    assert "窗口领取：济南市历下区政务服务中心跨域通办专窗" in pdfcheck.squash(pdfcheck.pdftotext(pdf))


def test_refusal_notice_states_reason_and_remedies(tmp_path):
    pdf = notices.build_refusal_notice(sample_case(), tmp_path / "refuse.pdf")
    assert_printable(pdf)
    text = pdfcheck.squash(pdfcheck.pdftotext(pdf))
    assert "不予受理决定书" in text and "不予受理决字〔2025〕" in text
    assert "经审查，您申请的事项依法不属于本机关职权范围，应向户籍所在地公安派出所申请。" in text
    assert "自收到本决定书之日起六十日内，依照《中华人民共和国行政复议法》第二十条、第二十四条的规定向天津市河西区人民政府申请行政复议" in text
    assert "自收到本决定书之日起六个月内，依照《中华人民共和国行政诉讼法》第四十六条的规定" in text
    assert code128_on_page(pdf, tmp_path) == ([CASE_NO], [])


@pytest.mark.parametrize("clause,authority,finding,item", [
    ("not_required", "", "申请事项依法不需要取得行政许可", "第三十二条第一款第（一）项"),
    ("not_competent", "天津市公安局和平分局", "申请事项依法不属于本机关职权范围", "第三十二条第一款第（二）项"),
])
def test_refusal_names_the_clause_the_authority_and_the_review_body(tmp_path, clause, authority, finding, item):
    doc = sample_case()
    doc.refusal_reason = "户籍不在本辖区"
    doc.refusal_clause, doc.refusal_authority = clause, authority
    pdf = notices.build_refusal_notice(doc, tmp_path / "refuse.pdf")
    assert_printable(pdf)
    assert pdfcheck.page_count(pdf) == 1
    text = pdfcheck.squash(pdfcheck.pdftotext(pdf))
    assert f"经审查，{finding}（户籍不在本辖区）。根据《中华人民共和国行政许可法》{item}的规定，本机关决定不予受理。" in text
    assert ("请您向天津市公安局和平分局提出申请。" in text) == (clause == "not_competent")
    assert "向天津市河西区人民政府申请行政复议" in text
    assert "直接向天津市河西区所在地有管辖权的人民法院提起行政诉讼" in text


def test_refusal_review_body_of_a_development_zone_is_its_committee(tmp_path):
    doc = sample_case()
    doc.home.name = "烟台黄渤海新区"
    text = pdfcheck.squash(pdfcheck.pdftotext(notices.build_refusal_notice(doc, tmp_path / "r.pdf")))
    assert "向烟台黄渤海新区管理委员会申请行政复议" in text


def test_not_competent_refusal_without_authority_writes_nothing(tmp_path):
    doc = sample_case()
    doc.refusal_clause = "not_competent"
    with pytest.raises(ExportError, match="须写明应向哪个机关申请"):
        notices.build_refusal_notice(doc, tmp_path / "r.pdf")
    assert list(tmp_path.iterdir()) == []


def test_refusal_without_reason_writes_nothing(tmp_path):
    doc = sample_case()
    doc.refusal_reason = "  "
    out = tmp_path / "refuse.pdf"
    out.write_bytes(b"old")
    with pytest.raises(ExportError, match="未填写不予受理的理由"):
        notices.build_refusal_notice(doc, out)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["refuse.pdf"]    # no temp file left


def test_transmittal_identifies_case_and_masks_ids(tmp_path):
    pdf = transmittal.build_transmittal(sample_case(), tmp_path / "lz.pdf")
    assert_printable(pdf)
    assert pdfcheck.page_count(pdf) == 1
    assert code128_on_page(pdf, tmp_path) == ([CASE_NO], [CASE_NO])
    text = pdfcheck.squash(pdfcheck.pdftotext(pdf))
    assert "张𪚥（居民身份证370102********123X）" in text
    assert "王㛃（居民身份证120103********0028）" in text
    assert "37010219850315123X" not in text and "120103199001010028" not in text
    assert "天津市公安局河西分局户政科" in text and "地址：天津市河西区友谊路35号" in text
    assert "2025年3月11日（5个工作日）" in text and "EA123456785CN" in text
    # the rows: 4 materials brought; 结婚证 was not and is not listed
    assert "居民身份证原件及复印件12李𠈌2025-03-0409:40否" in text
    assert "准予迁入证明原件11——是" in text
    assert "结婚证" not in text
    assert "合计4种材料483份" in text
    assert "寄出经办人：李𠈌" in text and "签收人（签字）：" in text and "签收窗口（盖章）" in text


def test_transmittal_fits_twelve_materials_on_one_page_with_number_return_and_receipt_boxes(tmp_path):
    doc = sample_case(12)
    doc.issued_on = date(2025, 3, 5)
    pdf = transmittal.build_transmittal(doc, tmp_path / "lz.pdf")
    assert_printable(pdf)
    assert pdfcheck.page_count(pdf) == 1
    text = pdfcheck.squash(pdfcheck.pdftotext(pdf))
    assert "EMS邮件号EA123456785CN" in text
    assert "EMS寄申请人：山东省济南市历下区泉城路" in text
    assert "寄出日期：2025年3月5日" in text and "寄出窗口（盖章）" in text
    assert "签收人（签字）" in text and "签收时间" in text and "□完好□短缺" in text
    assert "附件材料第12号" in text


def test_transmittal_prints_company_uscc_in_full_and_legal_representative(tmp_path):
    doc = sample_case()
    doc.applicant = PartyInfo("济南泉𪚥商贸有限公司", kind="enterprise", id_type="uscc",
                              id_number="91370102MA3C5XUL4Q", legal_rep="张𪚥")
    text = pdfcheck.squash(pdfcheck.pdftotext(transmittal.build_transmittal(doc, tmp_path / "lz.pdf")))
    assert "统一社会信用代码91370102MA3C5XUL4Q" in text
    assert "法定代表人：张𪚥" in text


def test_transmittal_long_table_repeats_header_on_next_page(tmp_path):
    pdf = transmittal.build_transmittal(sample_case(n_materials=45), tmp_path / "lz.pdf")
    assert_printable(pdf)
    pages = pdfcheck.page_count(pdf)
    assert pages >= 2
    header = "序号材料名称形式份数页数原件核验人核验时间原件随寄"
    all_text = ""
    for page in range(1, pages + 1):
        text = pdfcheck.squash(pdfcheck.pdftotext(pdf, first=page, last=page))
        assert f"第{page}页共{pages}页" in text
        if "附件材料第" in text:
            assert header in text, f"page {page} lacks the table header"
        all_text += text
    for i in range(1, 46):
        assert all_text.count(f"附件材料第{i}号") == 1
    assert "合计45种材料" in all_text
    assert code128_on_page(pdf, tmp_path / "p2", page=2) == ([], [])   # codes only on page 1


def dispatch_rows():
    return [
        DispatchRow("W3701020101-20250304-0001", "EA123456785CN", "天津市河西区政务服务中心跨省通办专窗",
                    "材料 4 份，原件 3 份", 350),
        DispatchRow("W3701020101-20250304-0002", "EA987654326CN", "福州市鼓楼区行政服务中心",
                    "材料 2 份，原件 0 份", 120),
        DispatchRow("W3701020101-20250304-0003", "1123456789012", "张𪚥", "办理结果 1 份", 80),
    ]


def test_dispatch_list_rows_totals_and_signatures(tmp_path):
    window = sample_case().window
    pdf = dispatch.build_dispatch_list(window, date(2025, 3, 4), dispatch_rows(),
                                       tmp_path / "jj.pdf", clerk_name="李𠈌")
    assert_printable(pdf)
    text = pdfcheck.squash(pdfcheck.pdftotext(pdf))
    assert "EMS邮件交寄清单" in text and "2025年3月4日" in text
    assert "1W3701020101-20250304-0001EA123456785CN天津市河西区政务服务中心跨省通办专窗" in text
    assert "3W3701020101-20250304-00031123456789012张𪚥办理结果1份0.080" in text
    assert "合计共3件0.550" in text
    assert "窗口交寄人（李𠈌）（签字）：" in text and "揽收人（EMS）（签字）：" in text


def test_dispatch_list_rejects_bad_or_repeated_numbers(tmp_path):
    window = sample_case().window
    rows = dispatch_rows()
    rows[1].tracking_number = "EA987654321CN"             # check digit should be 6
    with pytest.raises(InvalidIdentifier, match="第 2 行"):
        dispatch.build_dispatch_list(window, date(2025, 3, 4), rows, tmp_path / "a.pdf")
    rows = dispatch_rows()
    rows[2].tracking_number = "EA123456785CN"
    with pytest.raises(ExportError, match="重复"):
        dispatch.build_dispatch_list(window, date(2025, 3, 4), rows, tmp_path / "b.pdf")
    assert list(tmp_path.iterdir()) == []
