"""The .ics export is read back by an independent RFC 5545 parser, as a calendar application would."""
from datetime import date

import icalendar

from assistant.library import Library
from core.types import Duty, DutyTime
from tests.conftest import SAMPLES
from ui.exports import calendar_duties, first_occurrence, to_ics


def test_ics_export_parses_with_dated_events_and_undated_recurrences_as_tasks(hash_settings, tmp_path):
    library = Library(hash_settings)
    extra = tmp_path / "docs"
    extra.mkdir()
    (extra / "ke-hoach.txt").write_text(
        "Số: 5/KH-UBND\n\nHà Nội, ngày 02 tháng 01 năm 2023\n\nKính gửi:\n\n- Sở Tài chính.\n\n"
        "1. Giao Sở Tài chính chủ trì tổng hợp dự toán, hoàn thành trước ngày 15/03/2023.\n"
        "2. Giao Sở Nội vụ báo cáo kết quả trong Quý II/2023.\n"
        "3. Giao Sở Tư pháp báo cáo trước ngày 20 hằng tháng.\n", encoding="utf-8")
    assert not library.ingest([SAMPLES, extra]).failed
    duties = library.duties()
    text = to_ics(duties, today=date(2024, 1, 10))
    cal = icalendar.Calendar.from_ical(text.encode("utf-8"))
    events, todos = list(cal.walk("VEVENT")), list(cal.walk("VTODO"))
    assert len(events) + len(todos) == len(calendar_duties(duties, date(2024, 1, 10))) >= 4
    dated = [e for e in events if "RRULE" not in e]
    recurring = [e for e in events if "RRULE" in e]
    assert any(e["DTSTART"].dt == date(2023, 3, 15) and "Sở Tài chính" in str(e["SUMMARY"]) for e in dated)
    # a quarter is due on its last day, its wording kept
    quarter = next(e for e in dated if "Sở Nội vụ" in str(e["SUMMARY"]) and "Quý II/2023" in str(e["DESCRIPTION"]))
    assert quarter["DTSTART"].dt == date(2023, 6, 30)
    # a stated day repeats from its next occurrence, never from an invented 1st of the month
    monthly = next(e for e in recurring if "Sở Tư pháp" in str(e["SUMMARY"]))
    assert monthly["DTSTART"].dt == date(2024, 1, 20) and monthly["RRULE"]["BYMONTHDAY"] == [20]
    # "hằng tháng" with no day is a task, not an event on a day nobody wrote
    assert todos and all("DTSTART" not in t for t in todos)
    assert all("BYMONTHDAY" in e["RRULE"] or "BYDAY" in e["RRULE"] or e["RRULE"]["FREQ"] == ["DAILY"]
               for e in recurring)
    assert len({str(c["UID"]) for c in events + todos}) == len(events) + len(todos)


def duty(time: DutyTime) -> Duty:
    return Duty(duty_id="x", doc_id="d", document="a.docx", province=None, actor="Sở Nội vụ", actor_text="Sở Nội vụ",
                role="thực hiện", action="Báo cáo", quote="q", clause="Mục 1", chunk_id="c", start=0, end=0, time=time)


def test_first_occurrence_of_stated_days():
    assert first_occurrence("FREQ=MONTHLY;BYMONTHDAY=5", date(2026, 3, 6)) == date(2026, 4, 5)
    assert first_occurrence("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=15", date(2026, 3, 6)) == date(2026, 12, 15)
    assert first_occurrence("FREQ=WEEKLY;BYDAY=MO", date(2026, 11, 29)) == date(2026, 11, 30)


def test_ongoing_and_undated_relative_duties_stay_out_of_the_calendar():
    kept = calendar_duties([duty(DutyTime(text="thường xuyên", kind="ongoing")),
                            duty(DutyTime(text="trước Hội nghị", kind="relative")),
                            duty(DutyTime(text="trong 10 ngày kể từ ngày ký", kind="relative", date="2026-03-11"))])
    assert [d.time.text for d in kept] == ["trong 10 ngày kể từ ngày ký"]


def test_a_recurrence_stops_with_its_documents_period():
    weekly = duty(DutyTime(text="thứ hai hằng tuần", kind="recurring", rrule="FREQ=WEEKLY;BYDAY=MO",
                           until="2026-12-31"))
    monthly = duty(DutyTime(text="hằng tháng", kind="recurring", rrule="FREQ=MONTHLY", until="2026-12-31"))
    during = icalendar.Calendar.from_ical(to_ics([weekly, monthly], today=date(2026, 11, 29)).encode("utf-8"))
    event = next(iter(during.walk("VEVENT")))
    assert event["DTSTART"].dt == date(2026, 11, 30) and event["RRULE"]["UNTIL"] == [date(2026, 12, 31)]
    assert "(đến 31/12/2026)" in str(next(iter(during.walk("VTODO")))["DESCRIPTION"])
    assert calendar_duties([weekly, monthly], today=date(2027, 1, 4)) == []    # the plan's year is over
    after = icalendar.Calendar.from_ical(to_ics([weekly, monthly], today=date(2027, 1, 4)).encode("utf-8"))
    assert not list(after.walk("VEVENT")) and not list(after.walk("VTODO"))


def test_the_duty_tables_deadline_gives_its_day_as_the_documents_write_dates():
    from ui.exports import deadline_text

    assert deadline_text(duty(DutyTime(text="Quý II/2026", kind="quarter", date="2026-06-30"))) \
        == "Quý II/2026 (đến 30/06/2026)"
    assert deadline_text(duty(DutyTime(text="hằng tháng", kind="recurring", rrule="FREQ=MONTHLY",
                                       until="2022-12-31"))) == "hằng tháng (đến 31/12/2022)"
    assert deadline_text(duty(DutyTime(text="trước ngày 15/3/2026", kind="date", date="2026-03-15"))) \
        == "trước ngày 15/3/2026"
