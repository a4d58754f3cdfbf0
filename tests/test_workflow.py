"""The case state machine through desk/: every illegal transition and missing right is refused."""
from __future__ import annotations

from datetime import date

import pytest
from PIL import Image

from desk import homeside, pages, reception, shipping
from desk.inputs import MaterialInput, NewCase
from forms import materials as mat, workflow
from forms.errors import (
    IllegalTransition, InvalidIdentifier, InvalidInput, MaterialsIncomplete, MissingRight,
    OriginalsNotVerified,
)
from forms.models import Case, CaseEvent
from forms.ocrdata import OcrPage
from forms.workflow import TRANSITIONS, Status
from tests.idgen import resident_id, s10

APPLICANT = {"kind": "person", "name": "张𪚥", "id_type": "resident_id",
             "id_number": resident_id(), "phone": "13812345678", "address": "山东省德州市德城区新湖路1号"}
ALL_PROVIDED = [MaterialInput("居民身份证", provided=True), MaterialInput("居民户口簿", provided=True),
                MaterialInput("近期免冠照片", provided=True)]


def new_case(clerk, materials=ALL_PROVIDED, item="T-GA-001", home="410927", applicant=APPLICANT, **kw):
    kw.setdefault("delivery_address", "山东省德州市德城区新湖路1号")
    result = reception.receive(clerk, NewCase(item=item, case_type="异地代收代办", home=home,
                                              applicant=applicant, materials=tuple(materials), **kw))
    return reception.case_by_no(result.case_no)


def page_image(tmp_path):
    img = tmp_path / "p.png"
    if not img.exists():
        Image.new("L", (248, 351), 255).save(img, dpi=(30, 30))
    return img


def add_pages(case, clerk, tmp_path):
    for m in mat.checklist(case):
        if m.state == "provided":
            pages.store_page(clerk, case.case_no, m.name,
                             OcrPage(image_path=str(page_image(tmp_path)), width=248, height=351, dpi=30))


def _c(case):
    return reception.case_by_no(case.case_no)


def drive_to(case, clerk, target: Status, tmp_path):
    """Walk a complete case along the main path until it reaches ``target``."""
    n = case.case_no
    steps = [
        (Status.ACCEPTED, lambda c: reception.accept(clerk, n)),
        (Status.VERIFIED, lambda c: ([reception.verify_original(clerk, n, m) for m in ("居民身份证", "居民户口簿")],
                                     reception.complete_verification(clerk, n))),
        (Status.SCANNED, lambda c: (add_pages(c, clerk, tmp_path), pages.finish_scanning(clerk, n))),
        (Status.PACKAGED, lambda c: shipping.build_package(clerk, n)),
        (Status.SHIPPED, lambda c: shipping.register_parcel(clerk, n, s10())),
        (Status.HOME_RECEIVED, lambda c: homeside.home_receive(clerk, n)),
        (Status.DECIDED, lambda c: homeside.decide(clerk, n, "approved")),
        (Status.RESULT_RETURNED, lambda c: homeside.return_result(clerk, n, s10(digits="87654321"))),
        (Status.DELIVERED, lambda c: homeside.deliver(clerk, n)),
        (Status.ARCHIVED, lambda c: homeside.archive(clerk, n)),
    ]
    for state, step in steps:
        if Status(case.status) == target:
            return case
        step(case)
        case = _c(case)
        assert Status(case.status) == state
    return case


def test_complete_case_goes_the_whole_way_with_one_event_per_step(clerks, tmp_path, monkeypatch):
    monkeypatch.setenv("CLERK_FAKE_NOW", "2026-09-30T09:30:00")
    clerk = clerks["full"]
    case = new_case(clerk)
    assert case.case_no == "TEST01-20260930-0001"
    case = drive_to(case, clerk, Status.ARCHIVED, tmp_path)
    # 5 working days after 2026-09-30 across National Day (10/1–10/7 off, 10/10 make-up Saturday)
    assert case.due_date == date(2026, 10, 13)
    actions = [e.action for e in CaseEvent.select().where(CaseEvent.case == case).order_by(CaseEvent.seq)]
    transitions = [a for a in actions if a in TRANSITIONS]
    assert transitions == ["accept", "verify", "scan", "package", "ship", "home_receive", "decide",
                           "return_result", "deliver", "archive"]
    assert actions[0] == "receive"
    assert all(e.clerk.name == "王芳" for e in CaseEvent.select().where(CaseEvent.case == case))


def test_missing_material_goes_to_correction_and_back(clerks, monkeypatch):
    monkeypatch.setenv("CLERK_FAKE_NOW", "2026-02-13T10:00:00")
    clerk = clerks["full"]
    case = new_case(clerk, materials=[MaterialInput("居民身份证", provided=True)])
    assert [m.name for m in mat.missing_materials(case)] == ["居民户口簿", "近期免冠照片"]
    with pytest.raises(MaterialsIncomplete, match="居民户口簿、近期免冠照片"):
        reception.accept(clerk, case.case_no)
    result = reception.notify(clerk, case.case_no)
    assert result.status == "correction" and result.documents["notification"].is_file()
    case = _c(case)
    # 2/14 (make-up Sat), 2/24–2/27, 2/28 (make-up Sat), 3/2–3/5: ten working days
    assert case.correction_due == date(2026, 3, 5)
    result = reception.resubmit(clerk, case.case_no, [MaterialInput("居民户口簿", provided=True),
                                                      MaterialInput("近期免冠照片", state="rongque")])
    assert result.status == "received"
    assert reception.accept(clerk, case.case_no).status == "accepted"


def test_rongque_material_blocks_shipping_until_provided(clerks, tmp_path):
    clerk = clerks["full"]
    case = new_case(clerk, materials=ALL_PROVIDED[:2] + [MaterialInput("近期免冠照片", state="rongque")])
    case = drive_to(case, clerk, Status.PACKAGED, tmp_path)
    with pytest.raises(MaterialsIncomplete, match="近期免冠照片"):
        shipping.register_parcel(clerk, case.case_no, s10())
    assert Case.get_by_id(case.id).status == "packaged"


def test_rongque_refused_where_catalog_does_not_allow_it(clerks):
    case = new_case(clerks["full"])
    with pytest.raises(InvalidInput, match="不允许容缺"):
        reception.set_material(clerks["full"], case.case_no, "居民户口簿", "rongque")


def test_agent_makes_the_authorisation_letter_required(clerks):
    agent = {"name": "李四", "id_number": resident_id("130433", "19851111", "456"), "phone": "13912345678"}
    case = new_case(clerks["full"], agent=agent, agent_authorization="全权代为办理户口迁移")
    states = {m.name: m.state for m in mat.checklist(case)}
    assert states["授权委托书"] == "missing"
    assert states["结婚证"] == "not_needed"


def test_agent_without_authorisation_is_refused(clerks):
    agent = {"name": "李四", "id_number": resident_id("130433", "19851111", "456")}
    with pytest.raises(InvalidInput, match="授权委托书"):
        new_case(clerks["full"], agent=agent)


def test_bad_applicant_id_is_refused_and_nothing_is_written(clerks):
    bad = dict(APPLICANT, id_number=resident_id()[:-1] + ("0" if resident_id()[-1] != "0" else "1"))
    with pytest.raises(InvalidInput, match="申请人"):
        new_case(clerks["full"], applicant=bad)
    assert Case.select().count() == 0


def test_item_not_signed_with_partner_is_refused(clerks):
    with pytest.raises(InvalidInput, match="未签约"):
        new_case(clerks["full"], materials=(), item="户口迁移", home="河北省馆陶县")


def test_case_type_not_offered_is_refused(clerks):
    with pytest.raises(InvalidInput, match="不提供"):
        reception.receive(clerks["full"], NewCase("T-GA-001", "全程网办", "410927", APPLICANT,
                                                  delivery_address="x"))


# --- every illegal transition -----------------------------------------------------------

ACTIONS = {
    "notify": lambda c, k: reception.notify(k, c.case_no),
    "resubmit": lambda c, k: reception.resubmit(k, c.case_no, [MaterialInput("居民身份证", provided=True)]),
    "accept": lambda c, k: reception.accept(k, c.case_no),
    "refuse": lambda c, k: reception.refuse(k, c.case_no, "不属于本窗口代收范围"),
    "verify": lambda c, k: reception.complete_verification(k, c.case_no),
    "scan": lambda c, k: pages.finish_scanning(k, c.case_no),
    "package": lambda c, k: shipping.build_package(k, c.case_no),
    "ship": lambda c, k: shipping.register_parcel(k, c.case_no, s10()),
    "home_receive": lambda c, k: homeside.home_receive(k, c.case_no),
    "decide": lambda c, k: homeside.decide(k, c.case_no, "approved"),
    "return_result": lambda c, k: homeside.return_result(k, c.case_no, s10()),
    "deliver": lambda c, k: homeside.deliver(k, c.case_no),
    "archive": lambda c, k: homeside.archive(k, c.case_no),
}
MAIN_PATH = [Status.RECEIVED, Status.ACCEPTED, Status.VERIFIED, Status.SCANNED, Status.PACKAGED,
             Status.SHIPPED, Status.HOME_RECEIVED, Status.DECIDED, Status.RESULT_RETURNED,
             Status.DELIVERED, Status.ARCHIVED]
ILLEGAL = [(state, action) for state in MAIN_PATH for action, t in TRANSITIONS.items()
           if state not in t.sources]


def test_actions_table_covers_every_transition():
    assert set(ACTIONS) == set(TRANSITIONS)


@pytest.mark.parametrize("state,action", ILLEGAL, ids=[f"{s.value}-{a}" for s, a in ILLEGAL])
def test_illegal_transition_is_refused_and_leaves_no_trace(clerks, tmp_path, state, action):
    clerk = clerks["full"]
    case = drive_to(new_case(clerk), clerk, state, tmp_path)
    events_before = CaseEvent.select().where(CaseEvent.case == case).count()
    with pytest.raises(IllegalTransition) as err:
        ACTIONS[action](case, clerk)
    assert state.label in str(err.value) and TRANSITIONS[action].label in str(err.value)
    assert Case.get_by_id(case.id).status == state.value
    assert CaseEvent.select().where(CaseEvent.case == case).count() == events_before


@pytest.mark.parametrize("state,action", [(Status.CORRECTION, a) for a, t in TRANSITIONS.items()
                                          if Status.CORRECTION not in t.sources]
                         + [(Status.REFUSED, a) for a, t in TRANSITIONS.items()
                            if Status.REFUSED not in t.sources])
def test_illegal_transition_from_side_states(clerks, state, action):
    clerk = clerks["full"]
    case = new_case(clerk, materials=[MaterialInput("居民身份证", provided=True)])
    if state == Status.CORRECTION:
        reception.notify(clerk, case.case_no)
    else:
        reception.refuse(clerk, case.case_no, "不符合条件")
    case = _c(case)
    with pytest.raises(IllegalTransition):
        ACTIONS[action](case, clerk)


def test_refusal_records_clause_and_authority_and_prints_them(clerks):
    from tests import pdfcheck
    clerk = clerks["full"]
    case = new_case(clerk, materials=[MaterialInput("居民身份证", provided=True)])
    with pytest.raises(InvalidInput, match="须写明申请人应向哪个机关申请"):
        reception.refuse(clerk, case.case_no, "户籍不在本辖区", clause="not_competent")
    with pytest.raises(InvalidInput, match="不予受理条款"):
        reception.refuse(clerk, case.case_no, "户籍不在本辖区", clause="other")
    assert _c(case).status == Status.RECEIVED.value
    res = reception.refuse(clerk, case.case_no, "户籍不在本辖区", clause="not_competent",
                           authority="户籍所在地公安派出所")
    c = _c(case)
    assert (c.refusal_clause, c.refusal_authority) == ("not_competent", "户籍所在地公安派出所")
    text = pdfcheck.squash(pdfcheck.pdftotext(res.documents["refusal"]))
    assert "第三十二条第一款第（二）项" in text and "请您向户籍所在地公安派出所提出申请。" in text
    assert "人民政府申请行政复议" in text and "第四十六条" in text


# --- every missing right ----------------------------------------------------------------

RIGHTS_CASES = [(a, t.right, s) for a, t in TRANSITIONS.items() for s in t.sources[:1] if t.right]


@pytest.mark.parametrize("action,right,state", RIGHTS_CASES, ids=[a for a, _, _ in RIGHTS_CASES])
@pytest.mark.parametrize("who", ["none", "wrong_right"])
def test_missing_right_is_refused(clerks, tmp_path, action, right, state, who):
    full = clerks["full"]
    if state == Status.CORRECTION:
        case = new_case(full, materials=[MaterialInput("居民身份证", provided=True)])
        reception.notify(full, case.case_no)
        case = _c(case)
    elif action in ("notify",):
        case = new_case(full, materials=[MaterialInput("居民身份证", provided=True)])
    else:
        case = drive_to(new_case(full), full, state, tmp_path)
    clerk = clerks["none"]
    if who == "wrong_right":
        clerk = clerks["verifier"] if right != workflow.Right.VERIFY else clerks["receiver"]
    with pytest.raises(MissingRight) as err:
        ACTIONS[action](case, clerk)
    assert right.label in str(err.value)
    assert Case.get_by_id(case.id).status == state.value


def test_rights_are_per_partner(clerks):
    zhou = clerks["taiqian_only"]
    new_case(zhou)   # 台前: granted
    with pytest.raises(MissingRight, match="馆陶"):
        new_case(zhou, materials=(), item="T-RS-001", home="130433")


def test_verifying_an_original_needs_the_right(clerks):
    case = new_case(clerks["full"])
    with pytest.raises(MissingRight, match="原件核验权"):
        reception.verify_original(clerks["receiver"], case.case_no, "居民身份证")
    reception.verify_original(clerks["verifier"], case.case_no, "居民身份证")


def test_verify_step_needs_every_original_checked(clerks):
    clerk = clerks["full"]
    case = new_case(clerk)
    reception.accept(clerk, case.case_no)
    reception.verify_original(clerk, case.case_no, "居民身份证")
    with pytest.raises(OriginalsNotVerified, match="居民户口簿"):
        reception.complete_verification(clerk, case.case_no)


def test_scan_needs_pages_for_every_provided_material(clerks, tmp_path):
    clerk = clerks["full"]
    case = drive_to(new_case(clerk), clerk, Status.VERIFIED, tmp_path)
    with pytest.raises(InvalidInput, match="还没有扫描页"):
        pages.finish_scanning(clerk, case.case_no)


def test_mistyped_tracking_number_is_caught_before_shipping(clerks, tmp_path):
    clerk = clerks["full"]
    case = drive_to(new_case(clerk), clerk, Status.PACKAGED, tmp_path)
    good = s10()
    bad = good[:10] + str((int(good[10]) + 1) % 10) + good[11:]
    with pytest.raises(InvalidIdentifier):
        shipping.register_parcel(clerk, case.case_no, bad)
    assert Case.get_by_id(case.id).status == "packaged"


def test_refusal_needs_a_reason(clerks):
    case = new_case(clerks["full"])
    with pytest.raises(InvalidInput, match="理由"):
        reception.refuse(clerks["full"], case.case_no, "  ")


def test_case_numbers_are_unique_and_never_reused(clerks, monkeypatch):
    monkeypatch.setenv("CLERK_FAKE_NOW", "2026-11-28T09:00:00")
    numbers = [new_case(clerks["full"]).case_no for _ in range(3)]
    assert numbers == ["TEST01-20261128-0001", "TEST01-20261128-0002", "TEST01-20261128-0003"]
    Case.delete().where(Case.case_no == numbers[-1]).execute()
    assert new_case(clerks["full"]).case_no == "TEST01-20261128-0004"
    monkeypatch.setenv("CLERK_FAKE_NOW", "2026-11-29T09:00:00")
    assert new_case(clerks["full"]).case_no == "TEST01-20261129-0001"


def test_events_are_append_only(clerks):
    case = new_case(clerks["full"])
    event = CaseEvent.get(CaseEvent.case == case)
    event.action = "tampered"
    with pytest.raises(RuntimeError):
        event.save()
