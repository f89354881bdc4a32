"""Deadline wording -> DutyTime: exact dates, days of a period, quarters, months, years, halves,
recurrences, spans from the signing, events and 'ongoing' words; references are not deadlines."""
from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from core.types import DutyTime
from ingest.deadlines import parse_deadline, recurrence_end

SIGNED = date(2026, 1, 2)  # a Friday


def in_clause(phrase: str) -> DutyTime:
    return parse_deadline(f"Sở Nội vụ chủ trì tổng hợp, báo cáo Ủy ban nhân dân tỉnh {phrase}.")


# ---- exact dates ---------------------------------------------------------------------------------
@pytest.mark.parametrize("phrase, iso", [
    ("trước ngày 10 tháng 5 năm 2026", "2026-05-10"),
    ("trước ngày 05/5/2026", "2026-05-05"),
    ("chậm nhất ngày 15/12/2025", "2025-12-15"),
    ("chậm nhất là ngày 5/3/2023", "2023-03-05"),
    ("hoàn thành trước ngày 31/10/2019", "2019-10-31"),
    ("trước ngày 15-3-2026", "2026-03-15"),
    ("xong trước ngày 29/02/2024", "2024-02-29"),
])
def test_date_after_a_deadline_word(phrase, iso):
    assert in_clause(phrase) == DutyTime(text=phrase, kind="date", date=iso)


@pytest.mark.parametrize("phrase, iso", [
    ("hoàn thành trước 30/9", "2026-09-30"),            # the first such day from the signing (02/01/2026) on
    ("trước ngày 15 tháng 12", "2026-12-15"),
    ("xong trước ngày 01/01", "2027-01-01"),
])
def test_a_day_and_month_without_its_year_is_the_next_one_after_the_signing(phrase, iso):
    text = f"Sở Nội vụ chủ trì tổng hợp, báo cáo Ủy ban nhân dân tỉnh {phrase}."
    assert parse_deadline(text, SIGNED).date == iso
    assert parse_deadline(text).kind == "none"                      # no signing date: no year to give it
    yearly = parse_deadline("Sở Nội vụ báo cáo trước 15/12 hằng năm.", SIGNED)
    assert (yearly.kind, yearly.rrule) == ("recurring", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=15")


@pytest.mark.parametrize("phrase, kind, iso", [
    ("trong Quý II", "quarter", "2026-06-30"),              # signed 02/01/2026: this year's
    ("hoàn thành trong tháng 9", "month", "2026-09-30"),
    ("hoàn thành trong 6 tháng cuối năm", "half", "2026-12-31"),
    ("xong trong 6 tháng đầu năm nay", "half", "2026-06-30"),
    ("hoàn thành trước quý IV", "date", "2026-09-30"),      # before it begins
])
def test_a_period_without_its_year_is_the_next_one_not_over_at_the_signing(phrase, kind, iso):
    text = f"Sở Nội vụ chủ trì tổng hợp, báo cáo Ủy ban nhân dân tỉnh {phrase}."
    time = parse_deadline(text, SIGNED)
    assert (time.text, time.kind, time.date) == (phrase, kind, iso)
    assert parse_deadline(text).kind == "none"              # no signing date: no year to give it
    later = parse_deadline("Sở Nội vụ báo cáo trong Quý I.", date(2026, 5, 4))
    assert later.date == "2027-03-31"                       # this year's first quarter was over


@pytest.mark.parametrize("text", [
    "Sở Nội vụ báo cáo kết quả trong tháng 9 vừa qua.",    # the past
    "Sở Nội vụ tổng hợp báo cáo sơ kết 6 tháng đầu năm.",   # the report's subject, not its time
    "Sở Nội vụ báo cáo trong tháng 9 năm trước.",
    "Sở Nội vụ đánh giá kết quả trong 6 tháng đầu năm.",   # what a review covers
])
def test_a_period_without_its_year_that_is_not_a_deadline(text):
    assert parse_deadline(text, SIGNED).kind == "none"


@pytest.mark.parametrize("phrase, kind, iso", [
    ("từ ngày 01/4/2026 đến ngày 30/4/2026", "date", "2026-04-30"),
    ("từ 01/4 đến 30/4/2026", "date", "2026-04-30"),
    ("từ tháng 3 đến tháng 6/2026", "month", "2026-06-30"),
    ("từ quý II đến quý IV/2026", "quarter", "2026-12-31"),
])
def test_a_span_from_one_day_or_period_to_another_is_due_at_its_end(phrase, kind, iso):
    time = in_clause(f"thực hiện {phrase}")
    assert (time.text, time.kind, time.date) == (f"thực hiện {phrase}", kind, iso)
    time = parse_deadline(f"Kiểm tra công tác cải cách hành chính. Thời gian: {phrase}.")
    assert (time.text, time.kind, time.date) == (f"Thời gian: {phrase}", kind, iso)


def test_a_span_that_is_what_a_report_covers_is_no_deadline():
    assert in_clause("số liệu từ ngày 15/12/2025 đến ngày 14/12/2026").kind == "none"
    time = in_clause("số liệu từ ngày 15/12/2025 đến ngày 14/12/2026 trước ngày 20/12/2026")
    assert time.date == "2026-12-20"


def test_a_span_of_years_stays_a_plans_scope():
    time = in_clause("tổng kết giai đoạn từ năm 2021 đến năm 2025 trước ngày 30/6/2026")
    assert (time.kind, time.date) == ("date", "2026-06-30")


@pytest.mark.parametrize("phrase, iso, due", [
    ("trước 14 giờ, ngày 08 tháng 10 năm 2025", "2025-10-08", "2025-10-08T14:00"),
    ("trước 14 giờ ngày 08 tháng 10 năm 2025", "2025-10-08", "2025-10-08T14:00"),
    ("trước 17h00 ngày 10/5/2026", "2026-05-10", "2026-05-10T17:00"),
    ("trước 16 giờ 30 phút, thứ Sáu, ngày 15/5/2026", "2026-05-15", "2026-05-15T16:30"),
    ("trước 5 giờ chiều ngày 10/5/2026", "2026-05-10", "2026-05-10T17:00"),
])
def test_date_with_an_hour(phrase, iso, due):
    assert in_clause(phrase) == DutyTime(text=phrase, kind="date", date=iso, due=due)


@pytest.mark.parametrize("phrase", ["trước ngày 30/02/2026", "trước ngày 31/04/2026", "trước ngày 15/13/2026",
                                    "trước ngày 00/01/2026", "30/02/2026", "trước 30/02 hằng năm",
                                    "trước ngày 32 hằng tháng", "tháng 13/2026", "trong quý V/2026"])
def test_an_impossible_date_is_never_returned(phrase):
    time = in_clause(phrase)
    assert time.date is None and time.rrule in (None, "FREQ=YEARLY", "FREQ=MONTHLY")


def test_a_table_cell_with_only_a_date_is_that_date():
    assert parse_deadline(" 15/5/2026 ") == DutyTime(text="15/5/2026", kind="date", date="2026-05-15")
    assert parse_deadline("Ngày 10 tháng 5 năm 2026.").date == "2026-05-10"


def test_nfd_input_and_line_breaks_read_like_nfc():
    phrase = unicodedata.normalize("NFD", "trước\nngày 10   tháng 5 năm 2026")
    assert parse_deadline(phrase) == DutyTime(text="trước ngày 10 tháng 5 năm 2026", kind="date", date="2026-05-10")


# ---- references are not deadlines ----------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Triển khai Quyết định số 12/QĐ-UBND ngày 05/3/2025 của UBND tỉnh.",
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015.",
    "Rà soát các văn bản được ban hành trước ngày 01/7/2025.",
    "Rà soát các quyết định ban hành trước ngày 01/7/2025.",
    "Thống kê số liệu tính đến hết ngày 30/9/2025.",
    "Xây dựng báo cáo tổng kết công tác năm 2025 gửi Sở Nội vụ.",
    "Tổng hợp kết quả thực hiện tháng 11/2025 của các xã.",
    "Thời gian qua, năm 2025 các cơ quan đã cố gắng.",
])
def test_a_referenced_or_narrative_date_is_not_a_deadline(text):
    assert parse_deadline(text).date is None


@pytest.mark.parametrize("text, iso", [
    ("STT: 9; Đơn vị được kiểm tra: Xã Vĩnh Hảo; Thời gian kiểm tra: Tháng 5/2026", "2026-05-31"),
    ("Thời gian thực hiện: Quý II/2026", "2026-06-30"),
    ("Thời gian tổ chức hội nghị: ngày 15/10/2025", "2025-10-15"),
])
def test_a_labelled_time_field_is_a_time(text, iso):
    """"Thời gian <việc>: …", the field a plan's table or paragraph gives the time of each step in."""
    assert parse_deadline(text).date == iso


def test_the_duty_deadline_wins_over_a_referenced_documents_date():
    text = ("Thực hiện Quyết định số 12/QĐ-UBND ngày 05/3/2025 và Kế hoạch số 7/KH-UBND ngày 10/3/2025, "
            "giao Sở Tài chính rà soát các văn bản được ban hành trước ngày 01/01/2025, báo cáo trước ngày "
            "20/3/2025; chậm nhất ngày 30/3/2025 hoàn thành.")
    assert parse_deadline(text) == DutyTime(text="trước ngày 20/3/2025", kind="date", date="2025-03-20")


def test_the_first_deadline_of_several_is_taken():
    text = "Hoàn thành dự thảo trong tháng 4/2026, trình UBND tỉnh trước ngày 15/5/2026."
    assert parse_deadline(text) == DutyTime(text="trong tháng 4/2026", kind="month", date="2026-04-30",
                                            period="2026-04")


def test_a_period_after_a_referenced_plan_is_the_deadline():
    text = "Đôn đốc thực hiện nhiệm vụ tại Kế hoạch 02-KH/BCĐTW ngày 19/6/2025 trong Quý IV/2025."
    assert (parse_deadline(text).kind, parse_deadline(text).date) == ("quarter", "2025-12-31")


def test_a_document_number_does_not_read_as_a_reference_when_it_is_data():
    assert in_clause("số liệu trước ngày 15/5/2026").date == "2026-05-15"


# ---- a stated day of a period ----------------------------------------------------------------------
@pytest.mark.parametrize("phrase, rrule", [
    ("trước 15/12 hằng năm", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=15"),
    ("trước ngày 31/01 năm liền kề", "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=31"),
    ("trước ngày 15 tháng 12 hàng năm", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=15"),
    ("trước ngày 05 của tháng liền kề", "FREQ=MONTHLY;BYMONTHDAY=5"),
    ("trước ngày 20 hằng tháng", "FREQ=MONTHLY;BYMONTHDAY=20"),
    ("định kỳ trước ngày 15 hàng tháng", "FREQ=MONTHLY;BYMONTHDAY=15"),
    ("trước ngày 15 của tháng đầu quý sau", "FREQ=YEARLY;BYMONTH=1,4,7,10;BYMONTHDAY=15"),
    ("trước ngày 25 tháng cuối quý", "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=25"),
    ("vào thứ hai hàng tuần", "FREQ=WEEKLY;BYDAY=MO"),
    ("vào các ngày thứ 6 hàng tuần", "FREQ=WEEKLY;BYDAY=FR"),
    ("hằng tuần vào thứ Sáu", "FREQ=WEEKLY;BYDAY=FR"),          # the day after its period
    ("hằng tuần, trước 16 giờ thứ Năm", "FREQ=WEEKLY;BYDAY=TH"),
    ("hàng tuần vào ngày chủ nhật", "FREQ=WEEKLY;BYDAY=SU"),
])
def test_a_stated_day_of_a_period_recurs_on_that_day(phrase, rrule):
    assert in_clause(phrase) == DutyTime(text=phrase, kind="recurring", rrule=rrule)


def test_a_day_stated_apart_from_its_period():
    time = parse_deadline("Hằng tháng, các sở gửi báo cáo về Sở Nội vụ trước ngày 20.")
    assert (time.kind, time.rrule, time.date) == ("recurring", "FREQ=MONTHLY;BYMONTHDAY=20", None)
    assert parse_deadline("Hằng năm, gửi báo cáo trước ngày 15/12.").rrule == "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=15"


# ---- periods: quarter, month, half, year -------------------------------------------------------------
@pytest.mark.parametrize("text, kind, iso, period", [
    ("Quý II/2026", "quarter", "2026-06-30", "2026-Q2"),
    ("quý I năm 2026", "quarter", "2026-03-31", "2026-Q1"),
    ("quý 4/2025", "quarter", "2025-12-31", "2025-Q4"),
    ("tháng 9/2024", "month", "2024-09-30", "2024-09"),
    ("tháng 4 năm 2026", "month", "2026-04-30", "2026-04"),
    ("tháng 02/2024", "month", "2024-02-29", "2024-02"),
    ("năm 2026", "year", "2026-12-31", "2026"),
    ("6 tháng đầu năm 2026", "half", "2026-06-30", "2026-H1"),
    ("6 tháng cuối năm 2026", "half", "2026-12-31", "2026-H2"),
])
def test_a_deadline_cell_with_only_a_period(text, kind, iso, period):
    assert parse_deadline(text) == DutyTime(text=text, kind=kind, date=iso, period=period)


@pytest.mark.parametrize("phrase, kind, iso", [
    ("trong quý III/2025", "quarter", "2025-09-30"),
    ("trong Quý I/2026", "quarter", "2026-03-31"),
    ("trong tháng 12/2025", "month", "2025-12-31"),
    ("hoàn thành trong tháng 6/2019", "month", "2019-06-30"),
    ("xong trong tháng 9/2019", "month", "2019-09-30"),
    ("trong tháng 5 năm 2026", "month", "2026-05-31"),
    ("trong năm 2026", "year", "2026-12-31"),
    ("đến hết năm 2026", "year", "2026-12-31"),
    ("vào cuối năm 2026", "year", "2026-12-31"),
    ("trong 6 tháng đầu năm 2026", "half", "2026-06-30"),
])
def test_a_period_after_a_deadline_word(phrase, kind, iso):
    time = in_clause(phrase)
    assert (time.text, time.kind, time.date, time.rrule) == (phrase, kind, iso, None)


def test_a_period_opening_a_sentence_is_its_deadline():
    time = parse_deadline("Quý I/2027, các cơ quan, đơn vị đánh giá kết quả thực hiện phong trào thi đua.")
    assert (time.text, time.kind, time.date) == ("Quý I/2027", "quarter", "2027-03-31")


def test_before_a_period_is_the_day_before_it_begins():
    assert in_clause("hoàn thành trước quý IV/2025") == DutyTime(text="hoàn thành trước quý IV/2025", kind="date",
                                                                 date="2025-09-30")


def test_a_range_of_years_is_not_a_year():
    assert in_clause("trong giai đoạn năm 2026-2030").kind == "none"


# ---- recurrences without a stated day ------------------------------------------------------------------
@pytest.mark.parametrize("phrase, rrule", [
    ("hằng ngày", "FREQ=DAILY"),
    ("hàng ngày", "FREQ=DAILY"),
    ("hằng tuần", "FREQ=WEEKLY"),
    ("hằng tháng", "FREQ=MONTHLY"),
    ("Định kỳ hàng tháng", "FREQ=MONTHLY"),
    ("hằng quý", "FREQ=MONTHLY;INTERVAL=3"),
    ("6 tháng một lần", "FREQ=MONTHLY;INTERVAL=6"),
    ("định kỳ 6 tháng", "FREQ=MONTHLY;INTERVAL=6"),
    ("hằng năm", "FREQ=YEARLY"),
    ("định kỳ", None),
])
def test_recurrence_has_its_frequency_and_no_invented_day(phrase, rrule):
    time = in_clause(phrase)
    assert (time.kind, time.rrule, time.date) == ("recurring", rrule, None)
    assert time.text.lower() == phrase.lower()
    assert "BYMONTHDAY" not in (time.rrule or "") and "BYDAY" not in (time.rrule or "")


def test_the_first_half_of_a_year_is_not_a_recurrence():
    assert in_clause("trong 6 tháng đầu năm 2026").kind == "half"
    assert parse_deadline("Sở Nội vụ báo cáo trong 6 tháng cuối năm.").kind == "none"   # not "cuối năm", yearly


# ---- spans ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("phrase, iso", [
    ("trong thời hạn 10 ngày kể từ ngày ký", "2026-01-12"),
    ("trong thời hạn 10 ngày kể từ ngày ký văn bản này", "2026-01-12"),
    ("trong thời hạn 10 ngày kể từ ngày ký Kết luận", "2026-01-12"),           # the document named, "này" left out
    ("trong thời hạn 10 ngày kể từ ngày ban hành Thông báo kết luận này", "2026-01-12"),
    ("trong vòng 07 ngày làm việc kể từ ngày ban hành", "2026-01-13"),  # Fri + 7 working days skips a weekend
    ("trong thời hạn 05 (năm) ngày làm việc kể từ ngày Quyết định này được ký", "2026-01-09"),
    ("trong thời hạn 02 tuần kể từ ngày ký", "2026-01-16"),
    ("trong thời hạn 03 tháng kể từ ngày ký", "2026-04-02"),
    ("trong thời hạn 60 ngày kể từ ngày Quyết định có hiệu lực", None),
    ("trong thời hạn 10 ngày kể từ ngày ký hợp đồng", None),
    ("trong thời hạn 60 ngày làm việc", None),
    ("chậm nhất không quá 04 (bốn) giờ làm việc sau khi cấp bản giấy", None),
])
def test_span_is_dated_only_from_the_signing(phrase, iso):
    assert parse_deadline(f"Các sở ban hành kế hoạch {phrase}.", signed=SIGNED) == DutyTime(
        text=phrase, kind="relative", date=iso)


def test_a_span_without_the_signing_date_has_no_date():
    time = parse_deadline("Ban hành kế hoạch trong thời hạn 10 ngày kể từ ngày ký.")
    assert (time.kind, time.date) == ("relative", None)


def test_a_span_from_a_stated_date_is_dated():
    time = parse_deadline("Hoàn thành trong thời hạn 30 ngày kể từ ngày 01/7/2025.")
    assert (time.kind, time.date) == ("relative", "2025-07-31")


def test_a_span_of_the_past_is_not_a_deadline():
    assert parse_deadline("Kết quả đạt được trong 5 năm qua là đáng ghi nhận.").kind == "none"


# ---- events and no fixed time ----------------------------------------------------------------------------
@pytest.mark.parametrize("text, phrase", [
    ("Gửi tài liệu đến các điểm cầu địa phương trước Hội nghị.", "trước Hội nghị"),
    ("Trước khi tiến hành kiểm tra, gửi báo cáo theo Đề cương.", "Trước khi tiến hành kiểm tra"),
    ("Trước khi tiến hành kiểm tra: Sở Nội vụ có văn bản gửi các xã.", "Trước khi tiến hành kiểm tra"),
    # the lunar new year: a date the text does not give
    ("Giải quyết dứt điểm các vụ việc tồn đọng trước Tết Nguyên đán Bính Ngọ.", "trước Tết Nguyên đán Bính Ngọ"),
    ("Hỗ trợ các hộ nghèo trước Tết Nguyên đán để người dân vui Xuân.", "trước Tết Nguyên đán"),
])
def test_before_an_event_is_relative_without_a_date(text, phrase):
    assert parse_deadline(text) == DutyTime(text=phrase, kind="relative")


@pytest.mark.parametrize("phrase", ["thường xuyên", "thường xuyên, liên tục", "theo tiến độ",
                                    "bảo đảm tiến độ theo kế hoạch đề ra"])
def test_ongoing_words_keep_their_text_and_no_date(phrase):
    assert in_clause(phrase) == DutyTime(text=phrase, kind="ongoing")


def test_a_dated_deadline_wins_over_ongoing_and_recurring_words():
    text = "Thường xuyên theo dõi, hằng tháng tổng hợp; báo cáo kết quả trước ngày 15/6/2026."
    assert parse_deadline(text).date == "2026-06-15"
    assert parse_deadline("Thường xuyên theo dõi, hằng tháng tổng hợp.").rrule == "FREQ=MONTHLY"


def test_nothing_said_is_none():
    assert parse_deadline("Tuyên truyền, phổ biến đến cán bộ, công chức.") == DutyTime()
    assert parse_deadline("") == DutyTime()


def test_to_json_keeps_the_old_keys_and_adds_due_period_and_until():
    data = parse_deadline("Quý II/2026").to_json()
    assert data == {"text": "Quý II/2026", "kind": "quarter", "date": "2026-06-30", "rrule": None,
                    "due": None, "period": "2026-Q2", "until": None}


@pytest.mark.parametrize("cell, date, period", [
    ("2026 - 2030", "2030-12-31", "2026-2030"),
    ("Giai đoạn 2026-2030", "2030-12-31", "2026-2030"),
    ("Từ năm 2026 đến năm 2030", "2030-12-31", "2026-2030"),
    ("2027", "2027-12-31", "2027"),
    ("Năm 2026 và các năm tiếp theo", "2026-12-31", "2026"),
])
def test_a_task_tables_time_cell_of_years_is_due_by_the_last(cell, date, period):
    from ingest.deadlines import parse_cell_deadline

    assert parse_cell_deadline(cell) == DutyTime(text=cell, kind="year", date=date, period=period)


def test_years_in_running_text_are_a_plans_scope_not_a_deadline():
    assert parse_deadline("Triển khai Kế hoạch cải cách hành chính giai đoạn 2026 - 2030 của tỉnh.").kind == "none"


def test_a_time_cell_is_read_as_running_text_first():
    from ingest.deadlines import parse_cell_deadline

    assert parse_cell_deadline("Quý II/2026").date == "2026-06-30"
    assert parse_cell_deadline("Thường xuyên").kind == "ongoing"
    assert parse_cell_deadline("2030 - 2026").kind == "none" and parse_cell_deadline("Sở Nội vụ").kind == "none"


@pytest.mark.parametrize("title, signed, until", [
    ("Kết luận tại Hội nghị giao ban tháng 5/2019", date(2019, 5, 20), "2019-12-31"),
    ("V/v chấp hành kỷ luật, kỷ cương hành chính trong các cơ quan, đơn vị năm 2022", date(2021, 12, 31), "2022-12-31"),
    ("Kế hoạch cải cách hành chính giai đoạn 2021 - 2025", None, "2025-12-31"),
    ("Kế hoạch thực hiện nhiệm vụ năm học 2025-2026", date(2025, 9, 5), "2026-12-31"),
    ("Kế hoạch kiểm tra Quý II/2026", date(2026, 3, 2), "2026-12-31"),
    # a report on a past year whose forward tasks run in the year it is signed
    ("Báo cáo kết quả công tác năm 2024", date(2025, 1, 10), "2025-12-31"),
    # the dates and numbers of cited documents and a law's name are not the document's period
    ("V/v triển khai Công điện số 131/CĐ-TTg ngày 11/12/2024 của Thủ tướng Chính phủ", date(2025, 1, 3), None),
    ("Kế hoạch thực hiện Nghị quyết số 12/2021/NQ-HĐND ngày 10 tháng 5 năm 2021", date(2021, 6, 1), None),
    ("Kế hoạch triển khai thi hành Luật Đất đai năm 2024", date(2024, 3, 1), None),
    ("V/v nâng cao trách nhiệm của người đứng đầu", date(2022, 1, 1), None),
    (None, None, None),
])
def test_a_recurrence_ends_with_the_period_its_documents_title_names(title, signed, until):
    assert recurrence_end(title, signed) == until
