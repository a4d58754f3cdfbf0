"""The other screens on real widgets: rights, search and case detail to archive, remembered settings,
administrator screens, the one error display, and ``python main.py`` on a fresh data folder."""
from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desk import reception, shipping
from desk.inputs import MaterialInput, NewCase
from forms import accounts
from desk import pages
from forms.errors import InvalidInput
from forms.models import ClerkRight, HolidayOverride, PartnerItem, ServiceItem
from forms.workflow import Right
from tests import pdfcheck
from tests.idgen import resident_id, s10
from tests.make_pages import render_page

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def shipped_case(clerk, tmp_path, tracking: str):
    """A case taken through the services to 寄出 (pages without OCR, a real package)."""
    given = [MaterialInput("居民身份证", state="provided", original_verified=True),
             MaterialInput("居民户口簿", state="provided", original_verified=True),
             MaterialInput("近期免冠照片", state="provided")]
    n = reception.receive(clerk, NewCase(
        "T-GA-001", "异地代收代办", "410927", {"name": "赵丽华", "id_number": resident_id("410927", "19750101", "022"),
                                         "phone": "13700001111"}, materials=tuple(given),
        delivery_method="window")).case_no
    reception.accept(clerk, n)
    reception.complete_verification(clerk, n)
    for i, m in enumerate(("居民身份证", "居民户口簿", "近期免冠照片")):
        page = render_page(tmp_path / f"page{i}.png", [m, "测试页面"], dpi=150)
        store(clerk, n, m, page)
    pages.finish_scanning(clerk, n)
    shipping.build_package(clerk, n)
    shipping.register_parcel(clerk, n, tracking, 300)
    return reception.case_by_no(n)


def store(clerk, case_no, material, image_path, dpi=150):
    from PIL import Image
    from forms.ocrdata import OcrPage
    with Image.open(image_path) as im:
        w, h = im.size
    pages.store_page(clerk, case_no, material, OcrPage(image_path=str(image_path), width=w, height=h, dpi=dpi))


def fill_item_and_applicant(g):
    g.key(g.root, "Control-n")
    wizard = g.app.views["wizard"]
    item = wizard.steps[0]
    item.partner_var.set("河南省台前县（410927）")
    item.partner_box.event_generate("<<ComboboxSelected>>")
    g.type(item.search, "hkqy")
    g.key(item.search, "Down")
    g.key(item.tree, "Return")
    return wizard


def test_rights_decide_what_a_clerk_can_do(gui, clerks):
    g = gui
    g.login("sun")                                   # 孙立: an account without any right
    assert set(g.app.nav_buttons) == {"home", "wizard", "search", "stats", "settings"}
    g.key(g.root, "Control-n")
    wizard = g.app.views["wizard"]
    item = wizard.steps[0]
    item.partner_var.set("河南省台前县（410927）")
    item.partner_box.event_generate("<<ComboboxSelected>>")
    g.pump(0.1)
    assert item.rights_note.cget("text") == "您没有对河南省台前县的“收件受理权”，只能查看，不能收件。"
    g.key(item.tree, "Return")
    assert wizard.index == 0, "no right to receive: the wizard does not move on"
    g.shot("no-right-to-receive")

    g.key(g.root, "Control-l")                       # sign out, sign in as 李强 (收件受理权 only)
    g.login("li")
    wizard = fill_item_and_applicant(g)
    form = wizard.steps[1].applicant
    g.type(form.name_entry, "王小明")
    g.type(form.number.entry, resident_id("371402", "20000101", "011"))
    g.type(form.address_entry, "山东省德州市德城区示例路2号")
    g.key(form.address_entry, "Return")
    g.key(wizard.steps[1].address_entry, "Return")
    mats = wizard.steps[2]
    assert str(mats.verify_button.cget("state")) == "disabled"
    g.key(mats.tree, "v")
    assert mats.note.cget("text") == "您没有原件核验权"
    g.key(mats.tree, "p")
    g.key(mats.tree, "m")                            # 居民户口簿 missing: the notice needs 一次性告知权
    assert mats.save_button.cget("text") == "仅保存收件（无一次性告知权） Ctrl+S"
    g.key(mats.tree, "Control-s")
    g.idle()
    assert g.dialog_messages() == []
    case = wizard.draft.refresh_case()
    assert case.status == "received", "the case is kept, waiting for a colleague with the right"
    assert [e.action for e in case.events] == ["receive"]
    assert "您没有一次性告知权" in mats.result.winfo_children()[0].cget("text")
    g.shot("saved-without-right-to-notify")

    # The service refuses too, whatever the window shows: one error place, Chinese message.
    g.app.services.run(lambda ctx: reception.notify(clerks["receiver"], case.case_no), title="告知")
    g.idle()
    assert g.dialog_messages() == ["工作人员 李强 没有对 河南省台前县 的“一次性告知权”，不能执行“一次性告知”"]


def test_search_opens_a_case_whose_actions_follow_it_to_the_archive(gui, clerks, tmp_path):
    g = gui
    tracking = s10("EA", "87654321", "CN")
    case = shipped_case(clerks["full"], tmp_path, tracking)
    g.login("wang")
    g.key(g.root, "Control-f")
    search = g.app.views["search"]
    assert g.root.focus_get() is search.entry
    g.type(search.entry, tracking.lower())           # a scanned barcode, any case
    g.key(search.entry, "Return")
    detail = g.app.views["case"]
    assert detail.winfo_ismapped() and detail.case.case_no == case.case_no
    assert [detail.documents.set(d, "kind") for d in detail.documents.get_children()] == [
        "受理回执", "流转单", "打包 PDF", "交换包", "面单", "流转单"]   # the last with the EMS number
    detail.tabs.select(1)
    g.shot("case-detail-timeline")
    detail.tabs.select(2)
    waybill = detail.documents.get_children()[-1]
    detail.documents.selection_set(waybill)
    g.key(detail.documents, "Return")
    g.wait_for(lambda: g.previews() and g.previews()[0].photo is not None, 30, "waybill preview")
    preview = g.previews()[0]
    assert preview.status.get() == "第 1 / 1 页"
    g.key(preview, "Escape")
    assert g.previews() == []

    def press(label, answer=None):
        from clerk_app import dialogs
        if answer:
            dialogs.ANSWERS.append(answer)
        button = next(b for b in detail.actions.winfo_children() if getattr(b, "cget", None)
                      and str(b.winfo_class()) == "TButton" and b.cget("text") == label)
        button.invoke()
        g.idle()
        return reception.case_by_no(case.case_no).status

    assert press("属地签收") == "home_received"
    assert press("办结", "approved") == "decided"
    g.key(g.root, "F2")
    home = g.app.views["home"]
    assert home.tables["results"].get_children() == (case.case_no,)
    g.shot("home-result-waiting")
    g.app.services.post("<<OpenCase>>", case_no=case.case_no)
    g.pump(0.2)
    assert press("送达", "yes") == "delivered"
    assert press("归档", "yes") == "archived"
    assert detail.title.cget("text").endswith("［归档］")
    labels = [detail.events.set(e, "action") for e in detail.events.get_children()]
    assert labels[-4:] == ["属地签收", "办结", "送达", "归档"]
    g.shot("case-archived")
    g.key(g.root, "F6")
    stats = g.app.views["stats"]
    g.pump(0.3)
    assert stats.data["status"] == [("归档", 1)] and stats.data["deadline"] == [("按期办结", 1)]
    assert [stats.charts["status"].type(i) for i in stats.charts["status"].find_all()].count("rectangle") == 1
    g.shot("stats-with-a-case")


def test_documents_print_from_the_preview_on_the_chosen_printer(gui, clerks, tmp_path, cups_pdf_printer):
    g = gui
    tracking = s10("EB", "11223344", "CN")
    case = shipped_case(clerks["full"], tmp_path, tracking)
    g.app.prefs.set("printer_a4", cups_pdf_printer.name)
    g.login("wang")
    g.key(g.root, "F2")
    home = g.app.views["home"]
    next(b for b in home.winfo_children()[0].winfo_children() if "交寄清单" in str(b.cget("text"))).invoke()
    g.idle()
    g.wait_for(lambda: g.previews() and g.previews()[0].photo is not None, 30, "dispatch list preview")
    preview = g.previews()[0]
    g.shot("dispatch-list-preview")
    before = cups_pdf_printer.pdfs()
    g.key(preview, "Control-p")
    g.idle()
    printed = cups_pdf_printer.wait_for_output(before)
    text = pdfcheck.squash(pdfcheck.pdftotext(printed))
    assert case.case_no in text and tracking in text
    assert preview.status.get() == "已送往打印机"


def test_window_remembers_size_position_partner_and_devices(gui, clerks):
    from clerk_app.app import ClerkApp
    g = gui
    g.login("wang")
    fill_item_and_applicant(g)                       # chooses 河南省台前县
    g.key(g.root, "F9")
    settings = g.app.views["settings"]
    settings.scanner.set("test:0")
    settings.printer_a4.set("TongbanPDF")
    settings.printer_label.set("LabelPrinter")
    settings.label_size.set("76×130 mm EMS 一联单")
    settings.resolution.set("200")
    g.key(settings, "Control-s")
    assert settings.saved.cget("text") == "已保存"
    g.shot("settings-saved")
    g.root.geometry("1200x660+40+30")
    g.pump(0.3)
    g.app.quit()

    again = ClerkApp()
    try:
        again.root.update()
        assert again.root.geometry() == "1200x660+40+30"
        prefs = again.prefs
        assert (prefs.get("scanner"), prefs.get("printer_a4"), prefs.get("printer_label"),
                prefs.get("label_size"), prefs.get("scan_resolution"), prefs.get("last_partner")) == (
            "test:0", "TongbanPDF", "LabelPrinter", "76x130", 200, "410927")
        assert again.login.username.get() == "wang", "the last account is offered"
        again.login.password.set("")
        again.login.submit()
        again.root.update()
        view = again.show("wizard")
        view.start_new()
        again.root.update()
        assert view.steps[0].partner_var.get() == "河南省台前县（410927）"
    finally:
        again.root.destroy()


def test_administrator_screens_edit_catalog_partners_holidays_and_clerks(gui, window):
    from clerk_app import dialogs
    g = gui
    accounts.create_clerk("boss", "周主任", window, is_admin=True, rights={r: None for r in Right})
    g.login("boss")
    assert {"catalog", "partners", "holidays", "clerks"} <= set(g.app.nav_buttons)

    catalog = g.app.show("catalog")
    catalog.tree.selection_set("T-RS-001")
    g.pump(0.2)
    assert catalog.vars["name"].get() == "社会保障卡补换"
    catalog.vars["promised_days"].set("7")
    g.key(catalog.tree, "Control-s")
    current = ServiceItem.get(ServiceItem.code == "T-RS-001", ServiceItem.current)
    assert (current.version, current.promised_days) == (2, 7)
    assert "更新 1 项" in g.dialog_messages()[-1]
    g.close_dialogs()
    g.shot("admin-catalog")

    partners = g.app.show("partners")
    partners.tree.selection_set("130433")
    g.pump(0.2)
    index = [c for c, _n in partners.codes].index("T-GA-001")
    partners.items.selection_set(index)
    g.key(partners.tree, "Control-s")
    assert {p.item_code for p in PartnerItem.select().where(PartnerItem.partner == 2)} == {"T-GA-001", "T-RS-001"}
    g.close_dialogs()
    g.shot("admin-partners")

    holidays = g.app.show("holidays")
    holidays.day.set("2026-10-10")
    holidays.kind.set("调休上班")
    holidays.name.set("国庆节调休")
    holidays.add()
    assert HolidayOverride.get(HolidayOverride.day == "2026-10-10").kind == "workday"
    holidays.days.set("5")
    holidays.calculate()
    assert holidays.answer.get().startswith("5个工作日后：")
    g.shot("admin-holidays")

    clerks_view = g.app.show("clerks")
    clerks_view.username.set("qian")
    clerks_view.name.set("钱多多")
    clerks_view.password.set("secret1")
    clerks_view.create()
    clerks_view.right.set("原件核验权")
    clerks_view.partner.set("河南省台前县")
    clerks_view.grant()
    qian = accounts.login("qian", "secret1")
    assert [(r.right, r.partner.code) for r in ClerkRight.select().where(ClerkRight.clerk == qian)] == [
        ("verify", "410927")]
    g.shot("admin-clerks")

    stats = g.app.show("stats")
    g.pump(0.3)
    assert stats.total.cget("text") == "共 0 件"
    assert stats.charts["status"].find_all(), "an empty chart still says so"
    g.shot("stats")
    assert [m for m in g.dialog_messages() if "错误" in m] == []
    dialogs.close_all()


def test_errors_show_chinese_messages_and_unexpected_ones_are_logged(gui, clerks, caplog):
    g = gui
    g.login("wang")
    with caplog.at_level(logging.INFO):
        try:
            raise InvalidInput("邮政编码应为 6 位数字")
        except InvalidInput as e:
            g.root.report_callback_exception(type(e), e, e.__traceback__)
        g.app.services.run(lambda ctx: 1 / 0, title="测试")
        g.idle()
    assert g.dialog_messages() == ["邮政编码应为 6 位数字",
                                   "内部错误，详见日志。\n请重试；如果再次出现，请联系管理员。"]
    unexpected = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(unexpected) == 1 and unexpected[0].exc_info[0] is ZeroDivisionError
    g.shot("internal-error-dialog")


def _wait_window(name: str, timeout: float = 60) -> str:
    """The X window whose title contains ``name`` (xdotool's own regex misses Chinese titles)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ids = subprocess.run(["xdotool", "search", "--name", "."], capture_output=True, text=True).stdout.split()
        for wid in ids:
            title = subprocess.run(["xdotool", "getwindowname", wid], capture_output=True).stdout
            if name in title.decode("utf-8", "replace"):
                return wid
        time.sleep(0.3)
    raise AssertionError(f"no window named {name!r} within {timeout}s")


def test_main_py_on_a_fresh_data_folder_opens_the_window_with_the_demo_catalog(xvfb, tmp_path):
    from PIL import ImageGrab
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed")
    data = tmp_path / "fresh"
    env = {**os.environ, "CLERK_DATA_DIR": str(data), "DISPLAY": xvfb}
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py")], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    shots = Path("/tmp/gui_shots") / "test_main_py_on_a_fresh_data_folder"
    shots.mkdir(parents=True, exist_ok=True)
    try:
        win = _wait_window("通办收件台")
        time.sleep(1.5)
        ImageGrab.grab(xdisplay=xvfb).save(shots / "01-login.png")
        subprocess.run(["xdotool", "windowfocus", "--sync", win], check=False)
        subprocess.run(["xdotool", "type", "--delay", "30", "admin"], check=True)
        subprocess.run(["xdotool", "key", "Return", "Return"], check=True)   # to the password, then sign in
        _wait_window("系统管理员", 30)
        subprocess.run(["xdotool", "key", "ctrl+n"], check=True)
        time.sleep(1.5)
        ImageGrab.grab(xdisplay=xvfb).save(shots / "02-wizard-demo-catalog.png")
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    with sqlite3.connect(data / "clerk.db") as con:
        items = con.execute("select count(*) from service_item where current").fetchone()[0]
        window = con.execute("select code from window").fetchall()
    assert items == 41 and window == [("DZTQ01",)]
    assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")
