"""The 流转单 (transmittal sheet) that travels with the materials to the home jurisdiction.

It identifies the case by Code 128 and QR (both the bare case number), names
both windows, lists every material with its original-check record, and has
sign-off lines for each hand it passes through. Long material lists flow to
further pages with the table header repeated. A4, written atomically.
"""
from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from exports.barcodes import QRFlowable
from exports.docmodel import CaseDoc, PartyInfo
from exports.layout import (
    FRAME_WIDTH, BoldLine, build_document, case_barcode, cn_date, cn_datetime, grid_table,
    kv_table, para, table,
)
from forms.identifiers import mask_id


def _party_text(p: PartyInfo | None) -> str:
    if p is None:
        return "无"
    text = p.name
    if p.kind == "enterprise":
        # The USCC is public (GB 32100-2015): printed in full, with the 法定代表人.
        if p.id_number:
            text += f"（统一社会信用代码 {p.id_number}）"
        if p.legal_rep:
            text += f"　法定代表人：{p.legal_rep}"
    elif p.id_number:
        text += f"（{p.id_type_label} {mask_id(p.id_number)}）"
    return text


def _header(doc: CaseDoc) -> Table:
    qr = QRFlowable(doc.case_no, side=22 * mm)
    left = [BoldLine("跨域通办材料流转单", 20, align="left", space_after=2),
            para(f"寄往：{doc.home.receiving_window or doc.home.name}", "plain"),
            Spacer(1, 1 * mm),
            case_barcode(doc.case_no, height=20)]
    left[-1].hAlign = "LEFT"
    return table([[left, qr]], [FRAME_WIDTH - qr.width, qr.width], [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ])


def _case_facts(doc: CaseDoc):
    due = f"{cn_date(doc.due_date)}（{doc.promised_days}个工作日）" if doc.due_date else "未计算"
    legal = f"{cn_date(doc.legal_due_date)}（{doc.legal_days}个工作日）" if doc.legal_due_date else "—"
    return kv_table([
        ("办件编号", doc.case_no), ("收件时间", cn_datetime(doc.received_at)),
        ("事项名称", doc.item_name), ("事项编码", doc.item_code),
        ("通办类型", " ".join(x for x in (doc.scope, doc.case_type_label) if x)),
        ("属地部门", doc.department or doc.home.department),
        ("申请人", _party_text(doc.applicant)), ("申请人电话", doc.applicant.phone),
        ("代理人", _party_text(doc.agent)), ("授权委托", doc.agent_authorization or "—"),
        ("承诺办结", due), ("法定办结", legal),
        ("结果送达", _return_to(doc)), ("EMS邮件号", doc.tracking_number or "（寄出时填写）"),
    ], col_widths=[20 * mm, 72 * mm, 22 * mm, FRAME_WIDTH - 114 * mm], columns=2)


def _return_to(doc: CaseDoc) -> str:
    """Where and how the home side returns the result."""
    if doc.delivery_method == "ems":
        return f"EMS寄申请人：{doc.delivery_address or '（未填写地址）'}"
    w = doc.window
    return f"寄回{w.name}，申请人窗口领取"


def _handover(doc: CaseDoc):
    """Sender's seal place and date sent; the receiver's 签收 and condition boxes."""
    sent = cn_date(doc.issued_on) if doc.issued_on else "　　年　　月　　日"
    w, h = doc.window, doc.home
    sender = "\n".join([w.name, f"地址：{w.address}（邮编 {w.postcode}）",
                        f"电话：{w.phone}　寄出经办人：{doc.clerk_name}",
                        f"寄出日期：{sent}　寄出窗口（盖章）："])
    receiver = "\n".join([h.receiving_window or h.name, f"地址：{h.address}（邮编 {h.postcode}）",
                          f"电话：{h.phone}　联系人：{h.contact}（{h.department}）",
                          "签收人（签字）：　　　　　签收窗口（盖章）：",
                          "签收时间：__月__日__时__分　材料：□完好 □短缺",
                          ])
    return grid_table([["寄出窗口", "属地接收窗口签收"], [sender, receiver]],
                      [FRAME_WIDTH / 2, FRAME_WIDTH / 2])


def _addresses(doc: CaseDoc):
    w, h = doc.window, doc.home
    sender = "\n".join([w.name, f"地址：{w.address}（邮编 {w.postcode}）",
                        f"电话：{w.phone}　收件人员：{doc.clerk_name}"])
    receiver = "\n".join([h.receiving_window or h.name, f"地址：{h.address}（邮编 {h.postcode}）",
                          f"电话：{h.phone}　联系人：{h.contact}"])
    return grid_table([["寄出窗口", "属地接收"], [sender, receiver]],
                      [FRAME_WIDTH / 2, FRAME_WIDTH / 2])


def _materials(doc: CaseDoc):
    rows = [["序号", "材料名称", "形式", "份数", "页数", "原件核验人", "核验时间", "原件随寄"]]
    listed = [m for m in doc.materials if m.provided]
    for n, m in enumerate(listed, start=1):
        rows.append([str(n), m.name, m.form, str(m.copies), str(m.pages or ""),
                     m.verified_by or "—",
                     f"{m.verified_at:%Y-%m-%d %H:%M}" if m.verified_at else "—",
                     "是" if m.original_enclosed else "否"])
    copies = sum(m.copies for m in listed)
    pages = sum(m.pages for m in listed)
    originals = sum(1 for m in listed if m.original_enclosed)
    rows.append(["合计", f"{len(listed)} 种材料", "", str(copies), str(pages), "", "",
                 f"{originals} 份"])
    widths = [11 * mm, FRAME_WIDTH - 127 * mm, 24 * mm, 11 * mm, 11 * mm, 20 * mm, 33 * mm,
              17 * mm]
    grid = grid_table(rows, widths)
    grid.setStyle(TableStyle([("SPAN", (1, -1), (2, -1))]))
    return grid


def build_transmittal(doc: CaseDoc, out_path) -> Path:
    """Write the 流转单 for ``doc`` (A4, Code 128 + QR of the case number); return its path."""
    story = [
        _header(doc),
        Spacer(1, 1 * mm),
        para("一、办件信息", "heading"),
        _case_facts(doc),
        para("二、材料清单", "heading"),
        _materials(doc),
        KeepTogether([
            para("三、寄递与交接签收", "heading"),
            _handover(doc),
        ]),
    ]
    return build_document(out_path, story, "跨域通办材料流转单",
                          footer=f"流转单 · 办件编号 {doc.case_no}", subject=doc.item_name)
