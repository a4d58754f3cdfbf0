"""The case state machine: every illegal transition and missing right is refused."""
from __future__ import annotations

from datetime import date

import pytest

from forms import cases, casework, workflow
from forms.cases import MaterialInput
from forms.errors import (
    IllegalTransition, InvalidIdentifier, InvalidInput, MaterialsIncomplete, MissingRight,
    OriginalsNotVerified,
)
from forms.models import Case, CaseEvent
from forms.workflow import TRANSITIONS, Status
from tests.idgen import resident_id, s10

APPLICANT = {"kind": "person", "name": "张𪚥", "id_type": "resident_id",
             "id_number": resident_id(), "phone": "13812345678", "address": "山东省德州市德城区新湖路1号"}
ALL_PROVIDED = [MaterialInput("居民身份证", provided=True), MaterialInput("居民户口簿", provided=True),
                MaterialInput("近期免冠照片", provided=True)]


def new_case(clerk, materials=ALL_PROVIDED, **kw):
    case, _ = cases.receive_case(clerk, "T-GA-001", "异地代收代办", "410927", APPLICANT,
                                 materials=materials, delivery_address="山东省德州市德城区新湖路1号", **kw)
    return case


def add_pages(case, clerk, tmp_path):
    img = tmp_path / "p.png"
    img.write_bytes(b"\x89PNG fake")
    for m in cases.checklist(case):
        if m.state == "provided":
            casework.add_page(case, clerk, img, m.name)


def drive_to(case, clerk, target: Status, tmp_path):
    """Walk a complete case along the main path until it reaches ``target``."""
    steps = [
        (Status.ACCEPTED, lambda c: cases.accept(c, clerk)),
        (Status.VERIFIED, lambda c: ([cases.verify_original(c, n, clerk) for n in ("居民身份证", "居民户口簿")],
                                     cases.complete_verification(c, clerk))[-1]),
        (Status.SCANNED, lambda c: (add_pages(c, clerk, tmp_path), casework.mark_scanned(c, clerk))[-1]),
        (Status.PACKAGED, lambda c: casework.mark_packaged(c, clerk)),
        (Status.SHIPPED, lambda c: (casework.ship(c, clerk, s10()), Case.get_by_id(c.id))[-1]),
        (Status.HOME_RECEIVED, lambda c: casework.home_receive(c, clerk)),
        (Status.DECIDED, lambda c: casework.decide(c, clerk, "approved")),
        (Status.RESULT_RETURNED, lambda c: casework.return_result(c, clerk, s10(digits="87654321"))),
        (Status.DELIVERED, lambda c: casework.deliver(c, clerk)),
        (Status.ARCHIVED, lambda c: casework.archive(c, clerk)),
    ]
    for state, step in steps:
        if Status(case.status) == target:
            return case
        case = step(case)
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
    assert [m.name for m in cases.missing_materials(case)] == ["居民户口簿", "近期免冠照片"]
    with pytest.raises(MaterialsIncomplete, match="居民户口簿、近期免冠照片"):
        cases.accept(case, clerk)
    case = cases.notify_missing(case, clerk)
    assert case.status == "correction"
    # 2/14 (make-up Sat), 2/24–2/27, 2/28 (make-up Sat), 3/2–3/5: ten working days
    assert case.correction_due == date(2026, 3, 5)
    case = cases.resubmit(case, clerk, [MaterialInput("居民户口簿", provided=True),
                                        MaterialInput("近期免冠照片", state="rongque")])
    assert case.status == "received"
    case = cases.accept(case, clerk)
    assert case.status == "accepted"


def test_rongque_material_blocks_shipping_until_provided(clerks, tmp_path):
    clerk = clerks["full"]
    case = new_case(clerk, materials=ALL_PROVIDED[:2] + [MaterialInput("近期免冠照片", state="rongque")])
    case = drive_to(case, clerk, Status.PACKAGED, tmp_path)
    with pytest.raises(MaterialsIncomplete, match="近期免冠照片"):
        casework.ship(case, clerk, s10())
    assert Case.get_by_id(case.id).status == "packaged"


def test_rongque_refused_where_catalog_does_not_allow_it(clerks):
    case = new_case(clerks["full"])
    with pytest.raises(InvalidInput, match="不允许容缺"):
        cases.set_material_state(case, "居民户口簿", "rongque", clerks["full"])


def test_agent_makes_the_authorisation_letter_required(clerks):
    agent = {"name": "李四", "id_number": resident_id("130433", "19851111", "456"), "phone": "13912345678"}
    case = new_case(clerks["full"], agent=agent, agent_authorization="全权代为办理户口迁移")
    states = {m.name: m.state for m in cases.checklist(case)}
    assert states["授权委托书"] == "missing"
    assert states["结婚证"] == "not_needed"


def test_agent_without_authorisation_is_refused(clerks):
    agent = {"name": "李四", "id_number": resident_id("130433", "19851111", "456")}
    with pytest.raises(InvalidInput, match="授权委托书"):
        new_case(clerks["full"], agent=agent)


def test_bad_applicant_id_is_refused_and_nothing_is_written(clerks):
    bad = dict(APPLICANT, id_number=resident_id()[:-1] + ("0" if resident_id()[-1] != "0" else "1"))
    with pytest.raises(InvalidInput, match="申请人"):
        new_case(clerks["full"])  if False else cases.receive_case(
            clerks["full"], "T-GA-001", "异地代收代办", "410927", bad, delivery_address="x")
    assert Case.select().count() == 0


def test_item_not_signed_with_partner_is_refused(clerks):
    with pytest.raises(InvalidInput, match="未签约"):
        cases.receive_case(clerks["full"], "户口迁移", "异地代收代办", "河北省馆陶县", APPLICANT,
                           delivery_address="x")


def test_case_type_not_offered_is_refused(clerks):
    with pytest.raises(InvalidInput, match="不提供"):
        cases.receive_case(clerks["full"], "T-GA-001", "全程网办", "410927", APPLICANT, delivery_address="x")


# --- every illegal transition -----------------------------------------------------------

ACTIONS = {
    "notify": lambda c, k: cases.notify_missing(c, k),
    "resubmit": lambda c, k: cases.resubmit(c, k),
    "accept": lambda c, k: cases.accept(c, k),
    "refuse": lambda c, k: cases.refuse(c, k, "不属于本窗口代收范围"),
    "verify": lambda c, k: cases.complete_verification(c, k),
    "scan": lambda c, k: casework.mark_scanned(c, k),
    "package": lambda c, k: casework.mark_packaged(c, k),
    "ship": lambda c, k: casework.ship(c, k, s10()),
    "home_receive": lambda c, k: casework.home_receive(c, k),
    "decide": lambda c, k: casework.decide(c, k, "approved"),
    "return_result": lambda c, k: casework.return_result(c, k, s10()),
    "deliver": lambda c, k: casework.deliver(c, k),
    "archive": lambda c, k: casework.archive(c, k),
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
    case = cases.notify_missing(case, clerk) if state == Status.CORRECTION else cases.refuse(case, clerk, "不符合条件")
    with pytest.raises(IllegalTransition):
        ACTIONS[action](case, clerk)


# --- every missing right ----------------------------------------------------------------

RIGHTS_CASES = [(a, t.right, s) for a, t in TRANSITIONS.items() for s in t.sources[:1] if t.right]


@pytest.mark.parametrize("action,right,state", RIGHTS_CASES, ids=[a for a, _, _ in RIGHTS_CASES])
@pytest.mark.parametrize("who", ["none", "wrong_right"])
def test_missing_right_is_refused(clerks, tmp_path, action, right, state, who):
    full = clerks["full"]
    if state == Status.CORRECTION:
        case = cases.notify_missing(new_case(full, materials=[MaterialInput("居民身份证", provided=True)]), full)
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
        cases.receive_case(zhou, "T-RS-001", "异地代收代办", "130433", APPLICANT, delivery_address="x")


def test_verifying_an_original_needs_the_right(clerks):
    case = new_case(clerks["full"])
    with pytest.raises(MissingRight, match="原件核验权"):
        cases.verify_original(case, "居民身份证", clerks["receiver"])
    cases.verify_original(case, "居民身份证", clerks["verifier"])


def test_verify_step_needs_every_original_checked(clerks):
    clerk = clerks["full"]
    case = cases.accept(new_case(clerk), clerk)
    cases.verify_original(case, "居民身份证", clerk)
    with pytest.raises(OriginalsNotVerified, match="居民户口簿"):
        cases.complete_verification(case, clerk)


def test_scan_needs_pages_for_every_provided_material(clerks, tmp_path):
    clerk = clerks["full"]
    case = drive_to(new_case(clerk), clerk, Status.VERIFIED, tmp_path)
    with pytest.raises(InvalidInput, match="还没有扫描页"):
        casework.mark_scanned(case, clerk)


def test_mistyped_tracking_number_is_caught_before_shipping(clerks, tmp_path):
    clerk = clerks["full"]
    case = drive_to(new_case(clerk), clerk, Status.PACKAGED, tmp_path)
    good = s10()
    bad = good[:10] + str((int(good[10]) + 1) % 10) + good[11:]
    with pytest.raises(InvalidIdentifier):
        casework.ship(case, clerk, bad)
    assert Case.get_by_id(case.id).status == "packaged"


def test_refusal_needs_a_reason(clerks):
    case = new_case(clerks["full"])
    with pytest.raises(InvalidInput, match="理由"):
        cases.refuse(case, clerks["full"], "  ")


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
