"""Working-day deadlines with 调休, checked date by date as a clerk would.

2026 dates follow 国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号,
2025-11-04, https://www.gov.cn/zhengce/content/202511/content_7047090.htm).
The 2027 schedule is not in chinesecalendar 1.11.0; the 2027 files written
below are test data shaped like a notice, NOT the official 2027 schedule.
"""
import json
from datetime import date, datetime, timedelta

import pytest

from forms import workdays
from forms.errors import InvalidInput
from forms.workdays import (
    DayOverride, Deadline, HolidayFileError, WorkCalendar,
    dump_overrides_file, load_overrides_file,
)

WARN_2027 = "2027 年的节假日安排尚未导入，已按周末和固定日期法定节日估算，请核对"


@pytest.fixture
def cal():
    return WorkCalendar()


def _days(first, last):
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


def test_2026_matches_the_state_council_notice_day_by_day(cal):
    off = set()
    for first, last in [((1, 1), (1, 3)), ((2, 15), (2, 23)), ((4, 4), (4, 6)), ((5, 1), (5, 5)),
                        ((6, 19), (6, 21)), ((9, 25), (9, 27)), ((10, 1), (10, 7))]:
        off |= set(_days(date(2026, *first), date(2026, *last)))
    make_up = {date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
               date(2026, 9, 20), date(2026, 10, 10)}
    wrong = [d for d in _days(date(2026, 1, 1), date(2026, 12, 31))
             if cal.is_working_day(d) != (d in make_up or (d.weekday() < 5 and d not in off))]
    assert wrong == []
    assert cal.has_data(2026)
    # 261 weekdays − 19 weekday holidays + 6 make-up days
    assert sum(cal.is_working_day(d) for d in _days(date(2026, 1, 1), date(2026, 12, 31))) == 248


def test_spring_festival_2026_with_make_up_saturday(cal):
    assert cal.add_working_days(date(2026, 2, 13), 1) == Deadline(date(2026, 2, 14), None)
    assert cal.add_working_days(date(2026, 2, 13), 2).due == date(2026, 2, 24)
    # 2/24 Tue (1) … 2/27 Fri (4), 2/28 Sat make-up (5), 3/2 Mon (6)
    assert cal.add_working_days(date(2026, 2, 13), 6).due == date(2026, 2, 28)
    assert cal.add_working_days(date(2026, 2, 13), 7).due == date(2026, 3, 2)
    assert cal.day_name(date(2026, 2, 14)) == "春节调休上班"
    assert cal.day_name(date(2026, 2, 17)) == "春节"


def test_national_day_2026_with_make_up_sunday_and_saturday(cal):
    assert cal.add_working_days(date(2026, 9, 18), 1).due == date(2026, 9, 20)
    assert cal.day_name(date(2026, 9, 20)) == "国庆节调休上班"
    # 中秋 9/25–9/27: Thu 9/24 + 1 skips the long weekend
    assert cal.add_working_days(date(2026, 9, 24), 1).due == date(2026, 9, 28)
    # 10/1–10/7 off: 10/8 Thu (1), 10/9 Fri (2), 10/10 Sat make-up (3), 10/12 Mon (4)
    assert cal.add_working_days(date(2026, 9, 30), 1).due == date(2026, 10, 8)
    assert cal.add_working_days(date(2026, 9, 30), 3).due == date(2026, 10, 10)
    assert cal.add_working_days(date(2026, 9, 30), 4).due == date(2026, 10, 12)
    assert cal.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3


def test_start_day_is_not_counted(cal):
    assert cal.add_working_days(date(2026, 3, 2), 1).due == date(2026, 3, 3)     # Mon → Tue
    assert cal.add_working_days(date(2026, 3, 2), 5).due == date(2026, 3, 9)     # Mon → next Mon
    assert cal.add_working_days(date(2026, 3, 7), 1).due == date(2026, 3, 9)     # Saturday start
    assert cal.add_working_days(datetime(2026, 3, 2, 16, 30), 1).due == date(2026, 3, 3)


def test_start_on_a_holiday(cal):
    assert cal.add_working_days(date(2026, 10, 1), 1).due == date(2026, 10, 8)
    assert cal.add_working_days(date(2026, 2, 16), 1).due == date(2026, 2, 24)
    assert cal.add_working_days(date(2026, 1, 1), 1).due == date(2026, 1, 4)     # Sunday make-up


def test_zero_days_returns_the_start_itself(cal):
    assert cal.add_working_days(date(2026, 2, 15), 0) == Deadline(date(2026, 2, 15), None)
    assert cal.add_working_days(date(2027, 3, 1), 0) == Deadline(date(2027, 3, 1), None)


def test_bad_day_counts_are_refused(cal):
    for n in (-1, 1.5, "3", True, workdays.MAX_WORKING_DAYS + 1):
        with pytest.raises(InvalidInput, match="工作日天数"):
            cal.add_working_days(date(2026, 3, 2), n)


def test_days_left_and_overdue(cal):
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert cal.working_days_between(date(2026, 2, 24), date(2026, 2, 13)) == -2
    assert cal.working_days_between(date(2026, 2, 24), date(2026, 2, 24)) == 0
    assert cal.working_days_between(date(2026, 2, 14), date(2026, 2, 23)) == 0


def test_crossing_into_2027_without_data_warns(cal):
    assert not cal.has_data(2027)
    # 12/31 Thu (1), 1/1 元旦 (fixed date), weekend, 1/4 Mon (2), 1/5 Tue (3)
    d = cal.add_working_days(date(2026, 12, 30), 3)
    assert d == Deadline(date(2027, 1, 5), WARN_2027)
    assert d.to_dict() == {"due": "2027-01-05", "warning": WARN_2027}
    assert cal.add_working_days(date(2026, 12, 1), 5) == Deadline(date(2026, 12, 8), None)
    assert cal.day_name(date(2027, 1, 1)) == "元旦"
    assert not cal.is_working_day(date(2027, 10, 3))
    assert not cal.is_working_day(date(2027, 5, 2))      # 劳动节 is two days since 2025


def _write_2027_json(path):
    path.write_text(json.dumps({
        "year": 2027, "source": "测试数据（非官方）",
        "days": [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}]
        + [{"date": f"2027-02-{d:02d}", "kind": "holiday", "name": "春节"} for d in range(5, 12)]
        + [{"date": "2027-02-20", "kind": "workday", "name": "春节调休上班"}],
    }, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def test_importing_2027_removes_the_warning_and_changes_the_result(tmp_path, cal):
    assert cal.add_working_days(date(2027, 2, 4), 1) == Deadline(date(2027, 2, 5), WARN_2027)
    assert cal.add_working_days(date(2027, 2, 19), 1) == Deadline(date(2027, 2, 22), WARN_2027)

    days = load_overrides_file(_write_2027_json(tmp_path / "holidays-2027.json"))
    assert len(days) == 9
    assert days[-1] == DayOverride(date(2027, 2, 20), "workday", "春节调休上班", "测试数据（非官方）")
    imported = WorkCalendar(overrides=days)
    assert imported.has_data(2027)
    assert imported.add_working_days(date(2027, 2, 4), 1) == Deadline(date(2027, 2, 12), None)
    assert imported.add_working_days(date(2027, 2, 19), 1) == Deadline(date(2027, 2, 20), None)
    assert imported.add_working_days(date(2026, 12, 30), 3) == Deadline(date(2027, 1, 5), None)


def test_override_beats_library(cal):
    assert not cal.is_working_day(date(2026, 10, 7))
    duty = WorkCalendar([DayOverride(date(2026, 10, 7), "workday", "本地值班")])
    assert duty.add_working_days(date(2026, 9, 30), 1).due == date(2026, 10, 7)
    assert duty.day_name(date(2026, 10, 7)) == "本地值班"
    closed = WorkCalendar([DayOverride(date(2026, 2, 14), "holiday")])
    assert closed.add_working_days(date(2026, 2, 13), 1).due == date(2026, 2, 24)
    # later overrides win over earlier ones (DB rows after shipped tables)
    both = WorkCalendar([DayOverride(date(2026, 2, 14), "holiday"),
                         DayOverride(date(2026, 2, 14), "workday")])
    assert both.add_working_days(date(2026, 2, 13), 1).due == date(2026, 2, 14)


def test_without_library_every_year_warns():
    bare = WorkCalendar(use_library=False)
    assert not bare.has_data(2026)
    d = bare.add_working_days(date(2026, 2, 13), 1)
    assert d.due == date(2026, 2, 16)
    assert d.warning.startswith("2026 年的节假日安排尚未导入")


def test_far_years_never_crash_and_warn(cal):
    # 12/31 Fri (1), 2101-01-01 元旦 on a Saturday, Sunday, 1/3 Mon (2), 1/4 Tue (3)
    d = cal.add_working_days(date(2100, 12, 30), 3)
    assert d == Deadline(date(2101, 1, 4),
                         "2100、2101 年的节假日安排尚未导入，已按周末和固定日期法定节日估算，请核对")
    # 1990: 国庆 was 10/1–10/2; Fri 9/28 → 10/3 Wed (1), 10/4 Thu (2)
    assert cal.add_working_days(date(1990, 9, 28), 2).due == date(1990, 10, 4)
    assert "1990 年" in cal.add_working_days(date(1990, 9, 28), 2).warning
    long = cal.add_working_days(date(2026, 1, 5), 5000)
    assert long.warning.startswith("2027—")
    assert cal.working_days_between(date(2100, 1, 1), date(2100, 1, 8)) == 5
    with pytest.raises(InvalidInput, match="超出可计算的日期范围"):
        cal.add_working_days(date(9999, 12, 30), 5)


def test_bad_csv_rows_are_all_reported_and_nothing_is_imported(tmp_path):
    f = tmp_path / "2027.csv"
    f.write_text("date,kind,name\n"
                 "2027-01-01,holiday,元旦\n"
                 "2027-02-30,holiday,春节\n"
                 "2027-02-20,班,春节调休上班\n"
                 "2027-02-21,半天,\n"
                 "2027-01-01,休,重复\n", encoding="utf-8")
    with pytest.raises(HolidayFileError) as info:
        load_overrides_file(f)
    assert isinstance(info.value, InvalidInput)
    assert info.value.lines == [3, 5, 6]
    text = str(info.value)
    assert "第 3 行：日期“2027-02-30”无效" in text
    assert "第 5 行：类型“半天”无效" in text
    assert "第 6 行：日期 2027-01-01 与第 2 行重复" in text


def test_bad_json_rows_report_their_line(tmp_path):
    f = tmp_path / "2027.json"
    f.write_text('{"year": 2027,\n'
                 ' "days": [\n'
                 '  {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},\n'
                 '  {"date": "2072-02-05", "kind": "holiday", "name": "春节"},\n'
                 '  {"date": "2027-02-20", "kind": "rest"}\n'
                 ']}\n', encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        load_overrides_file(f)
    assert info.value.lines == [4, 5]
    assert "第 4 行：日期 2072-02-05 不在 2027 年前后" in str(info.value)
    assert "第 5 行：类型“rest”无效" in str(info.value)

    f.write_text('{"days": [\n {"date": "2027-01-01",}\n]}', encoding="utf-8")
    with pytest.raises(InvalidInput, match="第 2 行不是有效的 JSON"):
        load_overrides_file(f)


def test_csv_from_excel_in_gbk_with_chinese_headers_and_kinds(tmp_path):
    f = tmp_path / "放假安排.csv"
    f.write_bytes("日期,类型,名称\r\n2027/1/1,休,元旦\r\n2027-2-20,调休上班,春节调休上班\r\n"
                  "\r\n".encode("gbk"))
    assert load_overrides_file(f) == [DayOverride(date(2027, 1, 1), "holiday", "元旦"),
                                      DayOverride(date(2027, 2, 20), "workday", "春节调休上班")]


def test_missing_header_empty_and_unknown_files(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("2027-01-01,holiday,元旦\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="第 1 行应为表头"):
        load_overrides_file(f)
    f.write_text("date,kind,name\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="没有任何日期"):
        load_overrides_file(f)
    with pytest.raises(InvalidInput, match="只支持"):
        load_overrides_file(tmp_path / "a.xlsx")
    with pytest.raises(InvalidInput, match="无法读取"):
        load_overrides_file(tmp_path / "missing.json")


@pytest.mark.parametrize("name", ["out.json", "out.csv"])
def test_dump_then_load_round_trip(tmp_path, name):
    days = load_overrides_file(_write_2027_json(tmp_path / "in.json"))
    days.append(DayOverride(date(2027, 3, 1), "holiday", "本地停办", "县政务服务中心"))
    dump_overrides_file(days, tmp_path / name)
    assert load_overrides_file(tmp_path / name) == sorted(days, key=lambda o: o.day)


def test_shipped_tables_are_loaded_automatically(tmp_path, monkeypatch):
    _write_2027_json(tmp_path / "holidays-2027.json")
    (tmp_path / "holidays-2027-sample.json").write_text("not json", encoding="utf-8")  # ignored
    monkeypatch.setattr(workdays, "DATA_DIR", tmp_path)
    cal = WorkCalendar()
    assert cal.has_data(2027)
    assert cal.add_working_days(date(2027, 2, 4), 1) == Deadline(date(2027, 2, 12), None)
    assert not WorkCalendar(use_library=False).has_data(2027)

