"""The day's 交寄清单: every EMS package a window hands to the courier, with totals and signatures.

A4, written atomically. Each tracking number is checked first (a wrong check
digit or a repeated number raises before anything is written).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, TableStyle

from exports.docmodel import DispatchRow, WindowInfo
from exports.layout import (
    FRAME_WIDTH, BoldLine, build_document, cn_date, grid_table, kv_table, para, signature_table,
)
from exports.waybill import check_tracking_number
from forms.errors import ExportError, InvalidIdentifier


def _checked(rows: list[DispatchRow]) -> list[DispatchRow]:
    if not rows:
        raise ExportError("当天没有待交寄的邮件，无需打印交寄清单")
    seen: dict[str, int] = {}
    for n, row in enumerate(rows, start=1):
        try:
            row.tracking_number = check_tracking_number(row.tracking_number)
        except InvalidIdentifier as e:
            raise InvalidIdentifier(f"第 {n} 行（办件 {row.case_no}）：{e}") from e
        if row.tracking_number in seen:
            raise ExportError(f"邮件号 {row.tracking_number} 在清单第 {seen[row.tracking_number]} 行"
                              f"和第 {n} 行重复")
        seen[row.tracking_number] = n
    return rows


def _kg(grams: int) -> str:
    return f"{grams / 1000:.3f}"


def build_dispatch_list(window: WindowInfo, day: date, rows: list[DispatchRow], out_path,
                        clerk_name: str = "") -> Path:
    """Write the A4 交寄清单 of ``rows`` shipped by ``window`` on ``day``; return its path."""
    rows = _checked(list(rows))
    table_rows = [["序号", "办件编号", "邮件号", "收件方", "内件", "重量(kg)"]]
    for n, r in enumerate(rows, start=1):
        recipient = r.recipient + (f"（{r.recipient_region}）" if r.recipient_region else "")
        table_rows.append([str(n), r.case_no, r.tracking_number, recipient, r.contents,
                           _kg(r.weight_g) if r.weight_g else "—"])
    total_g = sum(r.weight_g for r in rows)
    table_rows.append(["合计", f"共 {len(rows)} 件", "", "", "", _kg(total_g)])
    widths = [10 * mm, 47 * mm, 26 * mm, FRAME_WIDTH - 134 * mm, 35 * mm, 16 * mm]
    table = grid_table(table_rows, widths, style="cell_small")
    table.setStyle(TableStyle([("SPAN", (1, -1), (4, -1))]))
    story = [
        BoldLine("EMS 邮件交寄清单", 20, space_after=4),
        para(f"{window.name}　{cn_date(day)}", "center"),
        Spacer(1, 3 * mm),
        kv_table([("交寄单位", window.name), ("地址", f"{window.address}（邮编 {window.postcode}）"),
                  ("联系电话", window.phone), ("交寄日期", cn_date(day))]),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 3 * mm),
        KeepTogether([
            para(f"本清单共列邮件 {len(rows)} 件，总重量 {_kg(total_g)} kg。请揽收人员当面清点件数、"
                 "逐件核对邮件号后签字；本清单一式两份，窗口与揽收方各执一份。", "body"),
            Spacer(1, 4 * mm),
            signature_table([f"窗口交寄人{('（' + clerk_name + '）') if clerk_name else ''}",
                             "揽收人（EMS）"]),
        ]),
    ]
    return build_document(out_path, story, "EMS 邮件交寄清单",
                          footer=f"交寄清单 · {window.name} · {day:%Y-%m-%d}")
