"""The new-case wizard driven end to end on real widgets under Xvfb, with a screenshot of every step.

A complete case goes to its waybill; an incomplete one to its 一次性告知书, then
comes back for 补正. Real Tesseract reads the ID card; real PDFs are checked with poppler.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests import pdfcheck
from tests.idgen import resident_id, s10

pytestmark = pytest.mark.slow

OCR = Path(__file__).parent / "resources" / "ocr"
ID_CARD = OCR / "id_card_front.png"          # 张伟民, 11010119900307109X (synthetic_truth.json)
HOUSEHOLD = OCR / "household_register.png"
TRACKING = s10("EA", "12345678", "CN")


def photo_page(path: Path) -> Path:
    """A small ID-photo sheet (grey rectangles), as a camera would give it."""
    im = Image.new("L", (1200, 1600), 255)
    d = ImageDraw.Draw(im)
    for x in (150, 650):
        d.rectangle((x, 300, x + 400, 860), fill=120)
    im.save(path, dpi=(300, 300))
    return path


def open_wizard(g):
    g.key(g.root, "Control-n")
    wizard = g.app.views["wizard"]
    assert wizard.winfo_ismapped()
    return wizard


def choose_item(g, wizard, query: str):
    item = wizard.steps[0]
    item.partner_var.set("河南省台前县（410927）")
    item.partner_box.event_generate("<<ComboboxSelected>>")
    g.pump(0.1)
    g.type(item.search, query)
    assert item.tree.get_children() == ("T-GA-001",), "pinyin initials find 户口迁移 and nothing else"
    g.key(item.search, "Down")
    assert g.root.focus_get() is item.tree
    return item


def test_complete_case_goes_to_its_waybill(gui, clerks, tmp_path):
    g = gui
    g.shot("login")
    g.login("wang")
    assert g.app.services.clerk.name == "王芳"
    g.shot("home-empty")

    wizard = open_wizard(g)
    item = choose_item(g, wizard, "hkqy")
    assert item.case_type.get() == "异地代收代办"
    g.shot("step1-item")
    g.key(item.tree, "Return")                       # Enter on the item moves on
    assert wizard.index == 1
    assert g.app.prefs.get("last_partner") == "410927"

    applicant = wizard.steps[1]
    form = applicant.applicant
    g.type(form.name_entry, "张为民")                # a typo the ID card will catch
    applicant.read_id_image(ID_CARD)                 # the photo the Ctrl+R dialog would pick
    g.idle()
    assert form.name.get() == "张为民", "what the clerk typed is never overwritten"
    assert applicant.ocr_note.cget("text") == (
        "已填入：证件号码、地址。与已填写不一致：姓名/名称：照片为“张伟民”，已填“张为民”")
    g.shot("step2-id-card-mismatch")
    form.name.set("张伟民")
    assert form.id_number.get() == "11010119900307109X"
    assert "出生 1990-03-07" in form.number.note.cget("text")
    g.type(form.phone_entry.entry, "13812345678")
    g.key(form.address_entry, "Return")              # copies the address to delivery, moves on
    assert applicant.delivery_address.get() == form.address.get() != ""
    g.shot("step2-applicant-from-id-card")
    g.key(applicant.address_entry, "Return")
    assert wizard.index == 2, g.dialog_messages()

    mats = wizard.steps[2]
    assert mats.tree.get_children() == ("居民身份证", "居民户口簿", "结婚证", "授权委托书", "近期免冠照片")
    g.key(mats.tree, "v")                            # 居民身份证: provided, original checked
    g.key(mats.tree, "v")                            # 居民户口簿
    g.key(mats.tree, "Down")
    g.key(mats.tree, "Down")
    g.key(mats.tree, "p")                            # 近期免冠照片 provided
    assert mats.save_button.cget("text") == "保存并受理 Ctrl+S"
    g.shot("step3-materials-complete")
    g.key(mats.tree, "Control-s")
    g.idle()
    case = wizard.draft.refresh_case()
    assert case.status == "verified", g.dialog_messages()
    assert case.due_date is not None
    assert wizard.index == 3

    pages = wizard.steps[3]
    assert pages.materials.get_children() == ("居民身份证", "居民户口簿", "近期免冠照片")
    assert pages.id_button.winfo_ismapped(), "the ID card read in step 2 can be added as a page"
    pages.id_button.invoke()
    g.idle()
    pages.materials.selection_set("居民户口簿")
    pages.import_files([HOUSEHOLD])
    g.idle()
    pages.materials.selection_set("近期免冠照片")
    pages.import_files([photo_page(tmp_path / "photo.png")])
    g.idle()
    assert [pages.cards[k]["title"] for k in pages.order] == [
        "第 1 页\n居民身份证", "第 2 页\n居民户口簿", "第 3 页\n近期免冠照片"]
    assert [pages.materials.set(m, "pages") for m in pages.materials.get_children()] == ["1", "1", "1"]
    id_page = case.pages.order_by(case.pages.model.seq).first()
    assert "张伟民" in id_page.ocr["text"].replace(" ", "")
    g.shot("step4-pages")
    g.key(pages.canvas, "Control-s")
    assert wizard.draft.refresh_case().status == "scanned"
    assert wizard.index == 4

    package = wizard.steps[4]
    g.key(package.package_button, "Control-t")
    g.idle()
    g.wait_for(lambda: g.previews() and g.previews()[0].photo is not None, 30, "transmittal preview")
    g.shot("step5-transmittal-preview")
    g.close_previews()
    g.key(package.package_button, "Control-b")
    g.idle()
    case = wizard.draft.refresh_case()
    assert case.status == "packaged", g.dialog_messages()
    assert float(package.progress.cget("value")) == float(package.progress.cget("maximum")) > 0
    expected = pdfcheck.page_count(package.transmittal) + 3          # 流转单 first, then the 3 pages
    assert pdfcheck.page_count(package.package_pdf) == expected
    assert f"（{expected} 页，" in package.status.cget("text")
    g.shot("step5-packaged")
    assert g.root.focus_get() is wizard.next_button
    g.key(wizard.next_button, "Return")              # Enter moves on
    assert wizard.index == 5

    waybill = wizard.steps[5]
    assert g.root.focus_get() is waybill.tracking_entry.entry
    g.type(waybill.tracking_entry.entry, TRACKING)   # what a keyboard-wedge scanner sends …
    g.key(waybill.tracking_entry.entry, "Return")   # … ending with Enter
    g.idle()
    g.wait_for(lambda: waybill.photo is not None, 30, "label preview")
    case = wizard.draft.refresh_case()
    assert case.status == "shipped"
    assert [s.tracking_number for s in case.shipments] == [TRACKING]
    label = waybill.label_pdf
    assert label.exists()
    assert TRACKING in pdfcheck.squash(pdfcheck.pdftotext(label))
    g.shot("step6-waybill")
    g.key(waybill.tracking_entry.entry, "Control-r")
    g.idle()
    g.wait_for(lambda: g.previews() and g.previews()[0].photo is not None, 30, "receipt preview")
    receipt = waybill.receipt_pdf
    assert case.case_no in pdfcheck.squash(pdfcheck.pdftotext(receipt))
    g.shot("step6-receipt-preview")
    g.close_previews()
    assert {d.kind for d in case.documents} >= {"transmittal", "package_pdf", "package_zip", "waybill", "receipt"}
    assert [b.cget("text")[:1] for b in wizard.step_buttons] == ["✔"] * 6
    assert g.dialog_messages() == []


def test_incomplete_case_gets_its_notice_and_comes_back_for_correction(gui, clerks):
    g = gui
    g.login("wang")
    wizard = open_wizard(g)
    item = choose_item(g, wizard, "户口")
    g.key(item.tree, "Return")

    form = wizard.steps[1].applicant
    g.type(form.name_entry, "李秀英")
    good = resident_id("410927", "19880512", "226")
    g.type(form.number.entry, good[:-1] + ("0" if good[-1] != "0" else "1"))
    assert form.number.note.cget("text").startswith("✖"), "a wrong check digit shows at once"
    form.id_number.set(good)
    assert form.number.note.cget("text").startswith("✔")
    g.type(form.phone_entry.entry, "13912345678")
    g.type(form.address_entry, "河南省濮阳市台前县示例街8号")
    g.key(form.address_entry, "Return")
    g.key(wizard.steps[1].address_entry, "Return")
    assert wizard.index == 2, g.dialog_messages()

    mats = wizard.steps[2]
    # A required material cannot be waved through by a key: the refusal names it, nothing changes.
    mats.tree.selection_set("居民户口簿")
    g.key(mats.tree, "n")
    assert mats.note.cget("text") == "“居民户口簿”是必需材料，不能标为不适用"
    g.key(mats.tree, "r")
    assert mats.note.cget("text") == "“居民户口簿”不允许容缺受理"
    assert mats.tree.set("居民户口簿", "state") == "缺少"
    g.shot("step3-required-material-refused")
    mats.tree.selection_set("居民身份证")
    g.key(mats.tree, "v")                            # 居民身份证 checked; 居民户口簿 is not here
    g.key(mats.tree, "m")
    mats.tree.selection_set("居民户口簿")
    g.key(mats.tree, "Return")                       # into the reason box
    g.type(mats.reason_entry, "户口簿原件未带")
    g.key(mats.reason_entry, "Return")
    mats.tree.selection_set("近期免冠照片")
    g.key(mats.tree, "p")
    assert mats.summary.cget("text") == "缺少 1 项：居民户口簿"
    assert mats.save_button.cget("text") == "保存并出具一次性告知书 Ctrl+S"
    g.shot("step3-materials-missing")
    g.key(mats.tree, "Control-s")
    g.idle()
    case = wizard.draft.refresh_case()
    assert case.status == "correction"
    notice = mats.last_document
    text = pdfcheck.squash(pdfcheck.pdftotext(notice))
    assert "李秀英" in text and "居民户口簿" in text and "户口簿原件未带" in text
    g.wait_for(lambda: g.previews() and g.previews()[0].photo is not None, 30, "notice preview")
    g.shot("step3-notice-preview")
    g.close_previews()
    assert wizard.steps[3].unavailable() == "办件尚未受理（补正），请先在第 3 步处理材料"
    assert str(wizard.step_buttons[3].cget("state")) == "disabled"

    g.key(g.root, "F2")
    home = g.app.views["home"]
    assert home.tables["correction"].get_children() == (case.case_no,)
    g.shot("home-with-case-in-correction")

    # The applicant is back with the household register: find the case by ID number, continue.
    g.key(g.root, "Control-f")
    search = g.app.views["search"]
    search.query.set(good)
    g.key(search.entry, "Return")                     # one hit opens the case
    detail = g.app.views["case"]
    assert detail.winfo_ismapped() and detail.case.case_no == case.case_no
    g.shot("case-detail-in-correction")
    g.key(detail.tabs, "Control-e")
    assert wizard.winfo_ismapped() and wizard.index == 2
    g.key(mats.tree, "Control-s")                    # nothing marked yet: nothing happens
    assert wizard.draft.refresh_case().status == "correction"
    assert "先在清单中标记" in mats.note.cget("text")
    mats.tree.selection_set("居民户口簿")
    g.key(mats.tree, "v")
    assert mats.tree.set("居民户口簿", "reason") == ""
    assert mats.save_button.cget("text") == "补正收件并受理 Ctrl+S"
    g.shot("step3-correction-brought")
    g.key(mats.tree, "Control-s")
    g.idle()
    assert wizard.draft.refresh_case().status == "verified"
    assert wizard.index == 3
    actions = [e.action for e in case.events.order_by(case.events.model.seq)]
    assert actions == ["receive", "verify_original", "notify", "resubmit", "material", "verify_original",
                       "accept", "verify"]
