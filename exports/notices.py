"""The written notices of the window: 一次性告知书, 受理通知书, 受理回执, 不予受理通知书.

Each is issued in the name of the home (属地) department by the window that
holds its 一次性告知权 / 收件受理权 (授权信任), on A4, with the case number as
Code 128. Builders write atomically and raise ExportError with a Chinese message.
"""
from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer

from exports.docmodel import CaseDoc
from exports.layout import (
    FRAME_WIDTH, BoldLine, build_document, case_barcode, cn_date, cn_datetime, doc_number,
    grid_table, kv_table, letterhead, para, signature_table,
)
from forms.errors import ExportError

LICENSING_ACT = "《中华人民共和国行政许可法》"


def _issuer(doc: CaseDoc) -> str:
    return doc.department or doc.home.department or doc.home.name


def _head(doc: CaseDoc, title: str, word: str) -> list:
    return [
        letterhead(_issuer(doc), case_barcode(doc.case_no)),
        Spacer(1, 2 * mm),
        BoldLine(title, 20, space_after=4),
        para(doc_number(word, doc.case_no, doc.issue_date), "center"),
        Spacer(1, 3 * mm),
    ]


def _addressee(doc: CaseDoc) -> str:
    return f"{doc.applicant.name}："


def _seal(doc: CaseDoc, signatures: bool = True) -> list:
    """Issuer, date and the sign-off lines, kept on one page."""
    block = [
        Spacer(1, 5 * mm),
        para(f"{_issuer(doc)}（盖章）", "right"),
        para(f"受托窗口：{doc.window.name}", "right"),
        para(cn_date(doc.issue_date), "right"),
    ]
    if signatures:
        block += [Spacer(1, 3 * mm), signature_table(["窗口经办人", "申请人（代理人）签收"])]
    return [KeepTogether(block)]


def _contacts(doc: CaseDoc, address: bool = True):
    window = [("受理窗口", doc.window.name), ("窗口地址", f"{doc.window.address}（邮编 {doc.window.postcode}）"),
              ("联系电话", doc.window.phone)] if address else []
    return kv_table(window + [
        ("经办人", f"{doc.clerk_name}（{doc.window.name}）" if not address else doc.clerk_name),
        ("属地部门", f"{doc.home.department or doc.department}　联系电话 {doc.home.phone}"),
    ])


def _who(doc: CaseDoc) -> str:
    text = doc.applicant.name
    if doc.agent is not None:
        text += f"（代理人：{doc.agent.name}）"
    return text


def _correction_text(m) -> str:
    """Why a material is listed and what the catalog requires of it (its 审查要点)."""
    need = m.requirement or f"{m.form}{m.copies}份"
    if m.problem == "不符合要求":
        text = f"原因：{m.missing_reason or '不符合要求'}；要求：{need}"
    else:
        text = f"请提交：{need}"
        if m.missing_reason:
            text += f"（{m.missing_reason}）"
    if m.condition and m.condition not in need:
        text += f"（适用情形：{m.condition}）"
    return text


def build_correction_notice(doc: CaseDoc, out_path) -> Path:
    """Write the 补正材料一次性告知书 listing every missing or deficient material; A4 PDF."""
    items = doc.corrections()
    if not items:
        raise ExportError(f"办件 {doc.case_no} 没有需要补正的材料，不能出具一次性告知书")
    if doc.correction_deadline is None:
        raise ExportError(f"办件 {doc.case_no} 未填写补正期限，不能出具一次性告知书")
    missing = any(m.problem == "缺少" for m in items)
    deficient = any(m.problem == "不符合要求" for m in items)
    problem = "、".join(w for w, on in (("不齐全", missing), ("不符合法定形式", deficient)) if on)
    # The 依据 column only when a material has a basis of its own; the item's basis is printed once below.
    with_basis = any(m.legal_basis for m in items)
    rows = [["序号", "材料名称", "问题", "原因及补正要求"] + (["依据"] if with_basis else [])]
    for n, m in enumerate(items, start=1):
        rows.append([str(n), m.name, m.problem, _correction_text(m)]
                    + ([m.legal_basis or doc.item_basis or "办事指南"] if with_basis else []))
    widths = ([10 * mm, 42 * mm, 22 * mm, 66 * mm, FRAME_WIDTH - 140 * mm] if with_basis
              else [10 * mm, 62 * mm, 22 * mm, FRAME_WIDTH - 94 * mm])
    w = doc.window
    place = doc.correction_place or "，".join(x for x in (
        w.name, w.address, f"邮编 {w.postcode}" if w.postcode else "", f"电话 {w.phone}" if w.phone else "") if x)
    story = _head(doc, "补正材料一次性告知书", "补正告字") + [
        para(_addressee(doc), "plain"),
        para(f"经审查，您于{cn_date(doc.received_at)}申请的“{doc.item_name}”事项"
             f"（办件编号：{doc.case_no}），申请材料{problem}，根据{LICENSING_ACT}"
             "第三十二条第一款第（四）项规定，现一次性告知您需要补正的全部内容如下：", "body"),
        grid_table(rows, widths),
        Spacer(1, 3 * mm),
        para(f"补正期限：请您于{cn_date(doc.correction_deadline)}前，将上述材料一次性补正。"
             f"提交地点：{place}。可现场提交，也可邮寄至上述地址（请在封面注明办件编号）。", "body"),
        para("补正的材料齐全、符合法定形式的，本机关自收到全部补正材料之日起予以受理，"
             "办理时限自受理之日起计算；逾期未补正且无正当理由的，视为撤回本次申请，已提交材料予以退还。"
             "本告知书所列以外的内容，不再要求补正。", "body"),
        para(f"设定依据：{doc.item_basis or LICENSING_ACT}", "body"),
        _contacts(doc, address=False),
        para("本告知书一式两份，申请人与受理窗口各执一份。", "small"),
    ] + _seal(doc)
    return build_document(out_path, story, "补正材料一次性告知书",
                          footer=f"办件编号 {doc.case_no}", subject=doc.item_name)


def _acceptance_facts(doc: CaseDoc) -> list[tuple[str, str]]:
    if doc.due_date is None:
        raise ExportError(f"办件 {doc.case_no} 未计算承诺办结日期，不能出具受理文书")
    if doc.delivery_method == "ems":
        delivery = f"{doc.delivery_label}：{doc.delivery_address or '（未填写地址）'}"
    else:
        delivery = f"{doc.delivery_label}：{doc.window.name}"
    facts = [
        ("办件编号", doc.case_no),
        ("事项名称", f"{doc.item_name}（{doc.item_code}）"),
        ("办理方式", "　".join(x for x in (doc.scope, doc.case_type_label) if x)),
        ("申请人", _who(doc)),
        ("属地审批部门", _issuer(doc)),
        ("收件时间", cn_datetime(doc.received_at)),
        ("承诺办结时限", f"{doc.promised_days}个工作日，{cn_date(doc.due_date)}前办结"),
    ]
    if doc.legal_days and doc.legal_due_date:
        facts.append(("法定办结时限", f"{doc.legal_days}个工作日，{cn_date(doc.legal_due_date)}前办结"))
    facts.append(("结果送达方式", delivery))
    return facts


def build_acceptance_notice(doc: CaseDoc, out_path) -> Path:
    """Write the 受理通知书 with case barcode, committed date and delivery method; A4 PDF."""
    facts = _acceptance_facts(doc)
    received = [["序号", "材料名称", "形式", "份数", "页数"]]
    for n, m in enumerate((m for m in doc.materials if m.provided), start=1):
        received.append([str(n), m.name, m.form, str(m.copies), str(m.pages or "")])
    widths = [12 * mm, FRAME_WIDTH - 72 * mm, 30 * mm, 15 * mm, 15 * mm]
    story = _head(doc, "受理通知书", "受理通字") + [
        para(_addressee(doc), "plain"),
        para(f"您于{cn_date(doc.received_at)}提交的“{doc.item_name}”申请，经审查，申请材料齐全、"
             f"符合法定形式，根据{LICENSING_ACT}第三十二条第一款第（五）项规定，决定予以受理。"
             "有关事项告知如下：", "body"),
        kv_table(facts),
        para("已收取的申请材料：", "heading"),
        grid_table(received, widths),
        Spacer(1, 2 * mm),
        para("时限按工作日计算，不含受理当日及法定节假日；依法需要听证、检验、检测、鉴定和专家评审的，"
             "所需时间不计算在时限内。", "small"),
        para(f"请凭办件编号查询办理进度，咨询电话：{doc.window.phone}。", "small"),
    ] + _seal(doc)
    return build_document(out_path, story, "受理通知书", footer=f"办件编号 {doc.case_no}",
                          subject=doc.item_name)


def build_acceptance_receipt(doc: CaseDoc, out_path) -> Path:
    """Write the short 受理回执 the applicant keeps to query and collect the result; A4 PDF."""
    facts = _acceptance_facts(doc)
    provided = [m for m in doc.materials if m.provided]
    facts.append(("收取材料", f"{len(provided)} 种，共 {sum(m.copies for m in provided)} 份"))
    facts.append(("经办人", f"{doc.clerk_name}　{doc.window.name}　电话 {doc.window.phone}"))
    story = _head(doc, "受理回执", "受理回字") + [
        kv_table(facts),
        Spacer(1, 3 * mm),
        para("请妥善保管本回执，凭办件编号查询办理进度、领取办理结果。", "body"),
    ] + _seal(doc, signatures=False)
    return build_document(out_path, story, "受理回执", footer=f"办件编号 {doc.case_no}",
                          subject=doc.item_name)


REFUSAL_CLAUSES = {
    "not_required": ("申请事项依法不需要取得行政许可", "第三十二条第一款第（一）项"),
    "not_competent": ("申请事项依法不属于本机关职权范围", "第三十二条第一款第（二）项"),
}


def reconsideration_body(doc: CaseDoc) -> str:
    """行政复议机关 for a department's decision: the people's government at the same level
    (行政复议法 2023 §24); a 新区 / 开发区 has a 管理委员会 instead of a government."""
    if doc.reconsideration_body:
        return doc.reconsideration_body
    name = doc.home.name
    if name.endswith(("新区", "开发区", "高新区")):
        return f"{name}管理委员会"
    return f"{name}人民政府"


def build_refusal_notice(doc: CaseDoc, out_path) -> Path:
    """Write the 不予受理决定书: the §32(1) clause, the reason and the 复议/诉讼 remedies; A4 PDF."""
    reason = doc.refusal_reason.strip().rstrip("。")
    if not reason:
        raise ExportError(f"办件 {doc.case_no} 未填写不予受理的理由，不能出具不予受理决定书")
    if doc.refusal_clause and doc.refusal_clause not in REFUSAL_CLAUSES:
        raise ExportError(f"办件 {doc.case_no} 的不予受理条款“{doc.refusal_clause}”无效")
    if doc.refusal_clause == "not_competent" and not doc.refusal_authority.strip():
        raise ExportError(f"办件 {doc.case_no} 不属于本机关职权范围，须写明应向哪个机关申请")
    if doc.refusal_clause:
        finding, clause = REFUSAL_CLAUSES[doc.refusal_clause]
        decision = (f"经审查，{finding}（{reason}）。根据{LICENSING_ACT}{clause}的规定，"
                    "本机关决定不予受理。")
        if doc.refusal_clause == "not_competent":
            decision += f"请您向{doc.refusal_authority.strip()}提出申请。"
    else:
        decision = f"经审查，{reason}。根据{LICENSING_ACT}第三十二条的规定，本机关决定不予受理。"
    court = doc.court or f"{doc.home.name}所在地有管辖权的人民法院"
    story = _head(doc, "不予受理决定书", "不予受理决字") + [
        para(_addressee(doc), "plain"),
        para(f"您于{cn_date(doc.received_at)}提交的“{doc.item_name}”申请（办件编号：{doc.case_no}），"
             + decision, "body"),
        para("您提交的申请材料已全部退还，请当面清点。", "body"),
        para(f"如不服本决定，您可以自收到本决定书之日起六十日内，依照《中华人民共和国行政复议法》"
             f"第二十条、第二十四条的规定向{reconsideration_body(doc)}申请行政复议；也可以自收到本决定书"
             f"之日起六个月内，依照《中华人民共和国行政诉讼法》第四十六条的规定，直接向{court}提起行政诉讼。", "body"),
        Spacer(1, 2 * mm),
        _contacts(doc),
    ] + _seal(doc)
    return build_document(out_path, story, "不予受理决定书", footer=f"办件编号 {doc.case_no}",
                          subject=doc.item_name)
