"""The benchmark's pure helpers, so that bench/run.py cannot rot unseen (no timing here: benchmarks are not tests)."""
from __future__ import annotations

import json
import random

from bench import cer, db_bench, hall_db, report
from bench.run import SECTION_KEYS, parse
from scanner.ocr import character_error_rate


def test_fast_cer_equals_the_apps_definition_on_random_strings():
    rng = random.Random(4)
    for _ in range(300):
        a = "".join(rng.choice("ab 张王李\n") for _ in range(rng.randint(0, 25)))
        b = "".join(rng.choice("ab 张王李\n") for _ in range(rng.randint(0, 25)))
        assert cer.cer(a, b, strict=True) == character_error_rate(a, b)


def test_cer_on_known_strings():
    assert cer.distance("申请人张伟民", "申请人张伟民") == 0
    assert cer.distance("申请人张伟民", "申请入张伟") == 2          # one substitution, one deletion
    assert cer.cer("公民身份号码", "公 民 身 份 号 码") == 0.0       # Tesseract's spaces do not count
    # Full-width punctuation read as ASCII is a reading of the same text, unless strict.
    assert cer.cer("（临时挂失）；", "(临时挂失);") == 0.0
    assert cer.cer("（临时挂失）；", "(临时挂失);", strict=True) == 3 / 7
    assert cer.pooled_cer([("甲乙丙丁", "甲乙丙"), ("戊己", "戊己"), (None, "x")]) == 1 / 6


def test_every_row_prints_with_value_reference_and_goal_even_when_skipped():
    rows = {"pipeline_vs_tesseract": report.Row("pipeline_vs_tesseract", 1.02, 70.5),
            "bytes_per_page": report.Row("bytes_per_page", 111.3, 943.0)}
    data = json.loads(report.as_json(rows))
    assert list(data) == list(report.KEYS)
    assert data["pipeline_vs_tesseract"] == {"value": 1.02, "reference": 70.5, "goal": 1.05}
    assert data["gui_start_s"]["value"] is None and data["gui_start_s"]["note"]
    table = report.as_table(rows)
    assert "pipeline_vs_tesseract" in table and "yes" in table.splitlines()[1]
    assert report.Row("bytes_per_page", 111.3).met is False
    # Every key a section promises is a row of the report, and every row belongs to a section.
    assert sorted(k for keys in SECTION_KEYS.values() for k in keys) == sorted(report.KEYS)


def test_quick_is_four_pages_and_a_hundred_thousand_cases():
    args = parse(["--quick"])
    assert (args.pages, args.cases, args.rounds) == (4, 100_000, 1)
    args = parse([])
    assert (args.pages, args.cases) == (20, 1_000_000)


def test_p95_is_the_nearest_rank():
    assert db_bench.p95(list(range(1, 101))) == 95
    assert db_bench.p95([3.0]) == 3.0


def test_generated_tracking_numbers_pass_the_apps_s10_check():
    from forms import identifiers
    for serial in (10_000_001, 123_456_789, 2_599_999_999):
        assert identifiers.check(hall_db.s10(serial), "tracking").valid


def test_generated_day_plan_has_exactly_the_cases_asked_for():
    gen = hall_db.Generator({"max_party": 0}, 1234)
    days = gen.days()
    assert sum(n for _, n in days) == 1234
    assert days[-1][0] == hall_db.TODAY
