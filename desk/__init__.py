"""The desk: one function per clerk action, called alike by the window and the command line.

Each action takes the clerk and plain arguments, checks the clerk's 授权 rights and the
workflow (forms.workflow, whose guards live beside its table), validates every input
(desk.inputs) before it writes, does its writes in one transaction (desk.tx: BEGIN
IMMEDIATE on SQLite, rows FOR UPDATE on PostgreSQL) together with the case event, and
returns a frozen result (desk.results) or raises a forms.errors.ClerkError in Chinese.

    reception  收件, checklist, 一次性告知, 受理 / 不予受理, 原件核验, 补正
    pages      store, move, reorder, turn, re-read, delete pages; 扫描 done
    shipping   打包, 寄出 with its waybill, 交寄清单
    homeside   属地签收, 办结, 结果寄回, 送达, 归档 as noted at the window
    documents  notices and labels made and recorded (inside the action's transaction)
    admin      clerks and rights, this window, catalog, partners, holidays
    intake     a whole case from an intake description (``main.py intake``)

No Tk here; long work (OCR, packaging) runs on the caller's worker thread.
"""
