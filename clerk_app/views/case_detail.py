"""One case: facts, materials, the timeline of events, every document (preview / reprint), next actions."""
from __future__ import annotations

import ttkbootstrap as ttk

from clerk_app import dialogs
from forms.board import ACTIVE_BEFORE_DECISION
from clerk_app.widgets import table, ui_scale
from desk import documents, homeside
from desk.reception import case_by_no, refuse as refuse_case
from forms import queries
from forms.materials import MATERIAL_STATES
from forms.storage import absolute
from forms.models import CaseDocument
from forms.workflow import TRANSITIONS, Status, allowed_actions, has_right

DOC_KINDS = {"notification": "一次性告知书", "receipt": "受理回执", "acceptance": "受理通知书",
             "refusal": "不予受理决定书", "transmittal": "流转单", "package_pdf": "打包 PDF",
             "package_zip": "交换包", "waybill": "面单"}
EVENT_LABELS = {"receive": "收件", "material": "材料状态", "verify_original": "核验原件", "page": "加入页面",
                "page_move": "页面归类", "page_rotate": "页面旋转", "page_delete": "删除页面", "page_order": "页面排序",
                **{k: t.label for k, t in TRANSITIONS.items()}}
WIZARD_ACTIONS = {"resubmit", "accept", "notify", "verify", "scan", "package", "ship"}


def describe_details(d: dict) -> str:
    """A short Chinese line for an event's details."""
    parts = []
    for key, label in (("material", "材料"), ("missing", "缺少"), ("tracking_number", "邮件号"),
                       ("reason", "理由"), ("due_date", "承诺办结"), ("correction_due", "补正期限"),
                       ("page", "第"), ("outcome", "结果")):
        if d.get(key) not in (None, "", []):
            value = d[key]
            if isinstance(value, list):
                value = "、".join(map(str, value))
            if key == "outcome":
                value = homeside.OUTCOMES.get(value, value)
            parts.append(f"第 {value} 页" if key == "page" else f"{label} {value}")
    if "to" in d and "from" in d and d.get("material"):
        parts.append(f"{MATERIAL_STATES.get(d['from'], d['from'])} → {MATERIAL_STATES.get(d['to'], d['to'])}")
    return "；".join(parts)


class CaseDetailView(ttk.Frame):
    """Opened from the board or a search; actions follow the case's state and the clerk's rights."""

    def __init__(self, master, services):
        super().__init__(master, padding=(14, 10))
        self.services = services
        self.case = None
        self.create_header()
        self.create_tabs()

    def create_header(self) -> None:
        self.title = ttk.Label(self, text="", style="Title.TLabel")
        self.title.pack(anchor="w")
        self.facts = ttk.Label(self, text="", justify="left", wraplength=int(1100 * ui_scale(self)))
        self.facts.pack(anchor="w", pady=(2, 6))
        self.actions = ttk.Frame(self)
        self.actions.pack(fill="x", pady=(0, 6))

    def create_tabs(self) -> None:
        self.tabs = ttk.Notebook(self)
        self.tabs.pack(fill="both", expand=True)
        self.tabs.enable_traversal()        # Ctrl+Tab moves between the tabs
        frames = {}
        for key, label in (("materials", "材料"), ("events", "时间线"), ("documents", "文书"), ("shipments", "寄递")):
            frames[key] = ttk.Frame(self.tabs, padding=6)
            self.tabs.add(frames[key], text=label)
        self.materials = table(frames["materials"], (("name", "材料", 300), ("state", "状态", 100),
                                                     ("pages", "页数", 60), ("verified", "原件核验", 220),
                                                     ("reason", "说明", 300)), height=10)
        self.events = table(frames["events"], (("seq", "#", 40), ("at", "时间", 150), ("clerk", "工作人员", 90),
                                               ("action", "操作", 110), ("state", "状态", 160),
                                               ("details", "内容", 460)), height=10)
        self.documents = table(frames["documents"], (("kind", "文书", 160), ("file", "文件", 480),
                                                     ("at", "生成时间", 160)), height=8)
        self.shipments = table(frames["shipments"], (("dir", "方向", 120), ("no", "邮件号", 160),
                                                     ("at", "寄出时间", 160), ("received", "签收", 160)), height=6)
        for t in (self.materials, self.events, self.documents, self.shipments):
            t.container.pack(fill="both", expand=True)
        bar = ttk.Frame(frames["documents"])
        bar.pack(fill="x", pady=(6, 0))
        ttk.Button(bar, text="预览 Enter", bootstyle="primary-outline", command=self.preview_document).pack(side="left")
        ttk.Button(bar, text="打印 Ctrl+P", bootstyle="primary", command=self.print_document).pack(side="left", padx=6)
        ttk.Button(bar, text="补打受理回执", bootstyle="secondary-outline",
                   command=lambda: self.regenerate("receipt", "受理回执")).pack(side="left", padx=6)
        self.documents.bind("<Return>", lambda e: self.preview_document())
        self.documents.bind("<Double-1>", lambda e: self.preview_document())

    # --- loading -------------------------------------------------------------------------

    def load(self, case_no: str) -> None:
        self.case = case_by_no(case_no)
        self.refresh()

    def refresh(self) -> None:
        if self.case is None:
            return
        case = self.case = type(self.case).get_by_id(self.case.id)
        d = queries.case_detail(case)
        self.title.configure(text=f"{d['case_no']}　{d['item']}　［{d['status_label']}］")
        app = d["applicant"]
        lines = [f"申请人：{app['name']}（{app['id_number']}）{app['phone']}　办理方式：{d['case_type']}　属地：{d['home']}"]
        if d["agent"]:
            lines.append(f"代办人：{d['agent']['name']}（{d['agent']['id_number']}）　授权：{d['agent_authorization']}")
        due = []
        if d["due_date"]:
            left = d["days_left"] if Status(case.status) in ACTIVE_BEFORE_DECISION else None
            tail = "" if left is None else (f"，已超期 {-left} 个工作日" if left < 0 else f"，还剩 {left} 个工作日")
            due.append(f"承诺办结 {d['due_date']}{tail}")
        if d["legal_due_date"]:
            due.append(f"法定期限 {d['legal_due_date']}")
        if d["correction_due"] and case.status == Status.CORRECTION.value:
            due.append(f"补正期限 {d['correction_due']}")
        lines.append(f"收件 {d['received_at'][:16]}　" + "　".join(due) +
                     f"　送达：{'邮寄' if d['delivery_method'] == 'ems' else '窗口领取'}")
        self.facts.configure(text="\n".join(lines))
        self.fill_tables(d)
        self.create_actions()

    def fill_tables(self, d: dict) -> None:
        for t in (self.materials, self.events, self.documents, self.shipments):
            t.delete(*t.get_children())
        for m in d["materials"]:
            who = f"{m['original_verified_by']} {m['original_verified_at'][:16]}" if m["original_verified_by"] else ""
            self.materials.insert("", "end", values=(m["name"], MATERIAL_STATES.get(m["state"], m["state"]),
                                                     m["pages"], who, m["reason"]))
        for e in d["events"]:
            state = queries.status_label(e["to"]) if e["from"] == e["to"] or not e["from"] else \
                f"{queries.status_label(e['from'])} → {queries.status_label(e['to'])}"
            self.events.insert("", "end", values=(e["seq"], e["at"][:19], e["clerk"],
                                                  EVENT_LABELS.get(e["action"], e["action"]), state,
                                                  describe_details(e["details"] or {})))
        for doc in self.case.documents.order_by(CaseDocument.id):
            self.documents.insert("", "end", iid=str(doc.id), values=(
                DOC_KINDS.get(doc.kind, doc.kind), doc.file_path, f"{doc.created_at:%Y-%m-%d %H:%M}"))
        for s in self.case.shipments:
            self.shipments.insert("", "end", values=(
                {"out": "寄往属地", "back": "结果寄回"}.get(s.direction, s.direction), s.tracking_number,
                f"{s.shipped_at:%Y-%m-%d %H:%M}", f"{s.received_at:%Y-%m-%d %H:%M}" if s.received_at else ""))

    def create_actions(self) -> None:
        for w in self.actions.winfo_children():
            w.destroy()
        case, clerk = self.case, self.services.clerk
        possible = [t for t in allowed_actions(case) if t.right is None or has_right(clerk, t.right, case.home)]
        if any(t.action in WIZARD_ACTIONS for t in possible):
            label = "补正收件（申请人已补齐）" if case.status == Status.CORRECTION.value else "在收件向导中继续"
            ttk.Button(self.actions, text=f"{label} Ctrl+E", bootstyle="success",
                       command=self.continue_in_wizard).pack(side="left", padx=(0, 6))
        handlers = {"refuse": self.refuse, "home_receive": self.home_receive, "decide": self.decide,
                    "return_result": self.return_result, "deliver": self.deliver, "archive": self.archive}
        for t in possible:
            if t.action in handlers:
                style = "danger-outline" if t.action == "refuse" else "primary-outline"
                ttk.Button(self.actions, text=t.label, bootstyle=style, command=handlers[t.action]).pack(
                    side="left", padx=(0, 6))
        blocked = [t for t in allowed_actions(case) if t not in possible]
        if blocked:
            ttk.Label(self.actions, text="无权限：" + "、".join(t.label for t in blocked),
                      bootstyle="secondary").pack(side="left", padx=8)
        ttk.Button(self.actions, text="返回查找 Ctrl+F", bootstyle="secondary-link",
                   command=lambda: self.services.post("<<ShowView>>", view="search")).pack(side="right")

    def shortcuts(self) -> dict:
        """Keys that act on this view while it is shown (dispatched by app.py)."""
        keys = {"<Control-p>": self.print_document}
        if self.case is not None and any(t.action in WIZARD_ACTIONS for t in allowed_actions(self.case)):
            keys["<Control-e>"] = self.continue_in_wizard
        return keys

    # --- actions -----------------------------------------------------------------------

    def continue_in_wizard(self) -> None:
        self.services.post("<<ContinueCase>>", case_no=self.case.case_no)

    def _do(self, title: str, fn, preview_title: str | None = None) -> None:
        """Run a service on a worker, then reload and tell the other views."""
        def done(result):
            self.refresh()
            self.services.post("<<CaseChanged>>", case_no=self.case.case_no)
            if preview_title and result is not None:
                self.services.preview(result, preview_title)
        self.services.run(lambda ctx: fn(), title=title, on_done=done, cancellable=False)

    def refuse(self) -> None:
        reason = dialogs.ask_text(self, "请写明不予受理的理由：", title="不予受理")
        if reason:
            case_no, clerk = self.case.case_no, self.services.clerk
            self._do("不予受理", lambda: refuse_case(clerk, case_no, reason).documents["refusal"],
                     "不予受理决定书")

    def home_receive(self) -> None:
        case_no, clerk = self.case.case_no, self.services.clerk
        self._do("属地签收", lambda: homeside.home_receive(clerk, case_no) and None)

    def decide(self) -> None:
        d = dialogs.Dialog(self, "办结", "属地的办理结果：", kind="question",
                           buttons=(("approved", "准予"), ("rejected", "不予批准"), ("cancel", "取消 Esc")),
                           default="approved")
        outcome = d.run()
        if outcome in homeside.OUTCOMES:
            case_no, clerk = self.case.case_no, self.services.clerk
            self._do("办结", lambda: homeside.decide(clerk, case_no, outcome) and None)

    def return_result(self) -> None:
        number = dialogs.ask_text(self, "结果寄回的邮件号（可扫码）：", title="结果寄回")
        if number:
            case_no, clerk = self.case.case_no, self.services.clerk
            self._do("结果寄回", lambda: homeside.return_result(clerk, case_no, number) and None)

    def deliver(self) -> None:
        case, clerk = self.case, self.services.clerk
        how = "window" if case.delivery_method == "window" else "ems"
        text = "申请人已在窗口领取结果？" if how == "window" else "结果已邮寄送达申请人？"
        if dialogs.ask_yes_no(self, text, title="送达"):
            case_no = case.case_no
            self._do("送达", lambda: homeside.deliver(clerk, case_no, how) and None)

    def archive(self) -> None:
        if dialogs.ask_yes_no(self, f"将办件 {self.case.case_no} 归档？归档后不能再修改。", title="归档"):
            case_no, clerk = self.case.case_no, self.services.clerk
            self._do("归档", lambda: homeside.archive(clerk, case_no) and None)

    # --- documents ------------------------------------------------------------------------

    def selected_document(self):
        sel = self.documents.selection()
        if not sel:
            return None
        doc = next((d for d in self.case.documents if str(d.id) == sel[0]), None)
        return (absolute(doc.file_path), DOC_KINDS.get(doc.kind, doc.kind), doc.kind) if doc else None

    def preview_document(self) -> None:
        doc = self.selected_document()
        if doc and doc[0].suffix.lower() == ".pdf":
            self.services.preview(doc[0], doc[1], "label" if doc[2] == "waybill" else "a4")

    def print_document(self) -> None:
        doc = self.selected_document()
        if doc and doc[0].suffix.lower() == ".pdf":
            self.services.print_file(doc[0], "label" if doc[2] == "waybill" else "a4")

    def regenerate(self, kind: str, title: str) -> None:
        case_no, clerk = self.case.case_no, self.services.clerk
        self._do(f"生成{title}", lambda: documents.issue(clerk, case_no, kind), title)
