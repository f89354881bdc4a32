"""The .ics export is read back by an independent RFC 5545 parser, as a calendar application would."""
from datetime import date

import icalendar

from assistant.library import Library
from tests.conftest import SAMPLES
from ui.exports import calendar_duties, to_ics


def test_ics_export_parses_with_dated_and_recurring_events(hash_settings, tmp_path):
    library = Library(hash_settings)
    extra = tmp_path / "docs"
    extra.mkdir()
    (extra / "ke-hoach.txt").write_text(
        "Số: 5/KH-UBND\n\nHà Nội, ngày 02 tháng 01 năm 2023\n\nKính gửi:\n\n- Sở Tài chính.\n\n"
        "1. Giao Sở Tài chính chủ trì tổng hợp dự toán, hoàn thành trước ngày 15/03/2023.\n", encoding="utf-8")
    assert not library.ingest([SAMPLES, extra]).failed
    duties = library.duties()
    text = to_ics(duties, start_of_recurrence=date(2024, 1, 1))
    cal = icalendar.Calendar.from_ical(text.encode("utf-8"))
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(calendar_duties(duties)) >= 2
    dated = [e for e in events if "RRULE" not in e]
    recurring = [e for e in events if "RRULE" in e]
    assert any(e["DTSTART"].dt == date(2023, 3, 15) and "Sở Tài chính" in str(e["SUMMARY"]) for e in dated)
    assert {r["RRULE"]["FREQ"][0] for r in recurring} >= {"MONTHLY", "YEARLY"}
    assert all(e["DTSTART"].dt == date(2024, 1, 1) for e in recurring)
    assert len({str(e["UID"]) for e in events}) == len(events)
