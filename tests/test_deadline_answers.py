"""Deadline questions put the deadline first, with the day a period or a span resolves to, or say
plainly that the cited clause sets none."""
import pytest

from assistant.answer.extractive import is_deadline_question
from assistant.ask import Assistant
from assistant.library import Library

DOC = ("Số: 11/UBND-NV\n\nCao Bằng, ngày 02 tháng 3 năm 2026\n\nV/v báo cáo công tác cải cách hành chính\n\n"
       "Kính gửi: Sở Nội vụ.\n\n"
       "1. Giao Sở Nội vụ tổng hợp báo cáo kết quả cải cách hành chính quý I, gửi UBND tỉnh trong Quý II/2026.\n\n"
       "2. Giao Sở Nội vụ rà soát thủ tục hành chính về đăng ký kinh doanh trong thời hạn 10 ngày kể từ "
       "ngày ký.\n\n"
       "3. Giao Sở Nội vụ tuyên truyền về cải cách hành chính đến cán bộ, công chức.\n")


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    from core.settings import Settings

    root = tmp_path_factory.mktemp("deadlines")
    (root / "docs").mkdir()
    (root / "docs" / "cao-bang-cchc.txt").write_text(DOC, encoding="utf-8")
    library = Library(Settings(data_dir=root / "data", corpus_dir=root / "docs", embed_model="hash"))
    assert not library.ingest([root / "docs"]).failed
    return Assistant(library)


@pytest.mark.parametrize("question, expected", [
    ("Hạn báo cáo là khi nào?", True), ("Thời hạn rà soát thủ tục?", True), ("Nộp trước ngày nào?", True),
    ("Chỉ thị ban hành khi nào?", False), ("Sở Nội vụ phải làm gì?", False)])
def test_deadline_questions_are_recognised(question, expected):
    assert is_deadline_question(question) is expected


def test_a_period_deadline_comes_first_with_its_last_day(assistant):
    answer = assistant.ask("Hạn gửi báo cáo kết quả cải cách hành chính quý I là khi nào?")
    first = answer.text.splitlines()[0]
    assert "thời hạn **trong Quý II/2026** (đến ngày 30/06/2026)" in first, first


def test_a_span_from_the_signing_is_given_with_its_date(assistant):
    answer = assistant.ask("Thời hạn rà soát thủ tục hành chính về đăng ký kinh doanh là khi nào?")
    first = answer.text.splitlines()[0]
    assert "trong thời hạn 10 ngày kể từ ngày ký" in first and "(đến ngày 12/03/2026)" in first, first


def test_a_clause_without_a_deadline_says_so(assistant):
    """Each line says it, and when no line shown gives a time the answer says so first."""
    answer = assistant.ask("Hạn tuyên truyền về cải cách hành chính đến cán bộ, công chức là khi nào?")
    lead, first = answer.text.splitlines()[:2]
    assert lead.startswith("Các điều khoản tìm được không nêu thời hạn cho việc này"), answer.text
    assert "điều khoản này không nêu thời hạn" in first and "Mục 3" in first, first
    dated = assistant.ask("Hạn gửi báo cáo kết quả cải cách hành chính quý I là khi nào?")
    assert "không nêu thời hạn cho việc này" not in dated.text, dated.text


def _hit(n: int, text: str, score: float):
    from core.types import Chunk, Hit
    return Hit(chunk=Chunk(chunk_id=f"c{n}", doc_id="d", document="kh.docx", text=text, start=0, end=len(text),
                           clause=f"Mục {n}"), score=score)


def test_a_clause_holding_the_date_asked_for_is_shown_first():
    """Among the clauses an answer shows, one that holds a date comes before the best-scoring one
    that holds none; a question asking for no figure, or a date-holding clause far below, changes
    nothing."""
    from assistant.answer.focus import figure_first

    hits = [_hit(1, "Rà soát, đánh giá mức độ trọng điểm phức tạp về ma túy.", 1.0),
            _hit(2, "Kết quả rà soát gửi về Bộ Công an trước ngày 15/10/2025.", 0.9),
            _hit(3, "Các địa phương chủ động bố trí kinh phí.", 0.8)]
    order = lambda q, hs: [h.chunk.clause for h in figure_first(q, hs, k=5, relative_floor=0.55)]  # noqa: E731
    assert order("Kết quả rà soát phải gửi Bộ Công an trước ngày nào?", hits) == ["Mục 2", "Mục 1", "Mục 3"]
    assert order("Ai rà soát mức độ trọng điểm phức tạp về ma túy?", hits) == ["Mục 1", "Mục 2", "Mục 3"]
    far = [hits[0], _hit(2, hits[1].chunk.text, 0.4), hits[2]]
    assert order("Kết quả rà soát phải gửi Bộ Công an trước ngày nào?", far) == ["Mục 1", "Mục 2", "Mục 3"]
    money = [hits[0], _hit(4, "Tổng kinh phí là 1.200 triệu đồng.", 0.7)]
    assert order("Kinh phí rà soát là bao nhiêu tiền?", money) == ["Mục 4", "Mục 1"]


def test_a_clause_whose_section_gives_its_deadline_holds_the_date_asked_for():
    """"Trong tháng 12/2025, tập trung thực hiện các nhiệm vụ sau:" dates the points below it: the duty
    table carries that deadline, and a "khi nào" question shows such a point before an undated row."""
    from assistant.answer.focus import figure_first

    hits = [_hit(1, "TT: 12; Đơn vị: Sở Tài chính; Tỷ lệ %: 85,56", 1.0),
            _hit(2, "Hoàn thành tham mưu chính sách thu phí đối với dịch vụ công trực tuyến.", 0.9)]
    deadlines = {"c2": "Trong tháng 12/2025"}
    order = [h.chunk.clause for h in figure_first("Thời hạn của Sở Tài chính là khi nào?", hits, k=5,
                                                   relative_floor=0.55, deadline_of=lambda c: deadlines.get(c, ""))]
    assert order == ["Mục 2", "Mục 1"]
    count = figure_first("Sở Tài chính có bao nhiêu cán bộ?", hits, k=5, relative_floor=0.55,
                         deadline_of=lambda c: deadlines.get(c, ""))
    assert [h.chunk.clause for h in count] == ["Mục 1", "Mục 2"]   # a deadline is no count


# --- duties due in a span: "… phải làm gì trước ngày …?", "Nhiệm vụ nào đến hạn trong tháng …?" ------

DUE_DOC = ("Số: 21/UBND-TH\n\nLâm Đồng, ngày 02 tháng 3 năm 2026\n\nV/v triển khai nhiệm vụ năm 2026\n\n"
           "Kính gửi: Sở Tài chính; Sở Nội vụ.\n\n"
           "1. Giao Sở Tài chính tổng hợp dự toán kinh phí, báo cáo UBND tỉnh trước ngày 20/4/2026.\n\n"
           "2. Giao Sở Tài chính rà soát nguồn vốn đầu tư công trong Quý III/2026.\n\n"
           "3. Giao Sở Tài chính theo dõi việc giải ngân thường xuyên.\n\n"
           "4. Giao Sở Nội vụ báo cáo kết quả sắp xếp tổ chức bộ máy trước ngày 25/4/2026.\n")


@pytest.fixture(scope="module")
def due_assistant(tmp_path_factory):
    from tests.conftest import library_of

    return Assistant(library_of(tmp_path_factory.mktemp("due"), {"lamdong-21.txt": DUE_DOC}, today="2026-04-10"))


def test_an_agency_question_with_a_date_lists_only_what_is_due_by_then(due_assistant):
    answer = due_assistant.ask("Sở Tài chính phải làm gì trước ngày 30/6/2026?")
    assert not answer.refused
    assert answer.text.startswith("**Sở Tài chính** có 1 nhiệm vụ có hạn đến ngày 30/06/2026 trong 1 văn bản "
                                  "(2 nhiệm vụ khác không nêu hạn hoặc có hạn ngoài khoảng này)")
    assert "tổng hợp dự toán kinh phí" in answer.text.lower() and "rà soát nguồn vốn" not in answer.text.lower()
    assert [c.clause for c in answer.citations] == ["Mục 1"]


def test_every_agency_s_duties_due_in_a_month_earliest_first_each_naming_its_agency(due_assistant):
    answer = due_assistant.ask("Những nhiệm vụ nào đến hạn trong tháng 4/2026?")
    assert not answer.refused and answer.text.startswith("Có 2 nhiệm vụ có hạn trong tháng 4/2026")
    assert [c.clause for c in answer.citations] == ["Mục 1", "Mục 4"]
    assert "(Sở Tài chính: " in answer.text and "(Sở Nội vụ: " in answer.text


def test_who_must_do_a_thing_by_a_date_lists_the_duties_due_then_about_that_thing(due_assistant):
    """"Ai phải báo cáo kết quả sắp xếp tổ chức bộ máy trước ngày 30/4/2026?": of the duties due by
    then, those about it, with how many others are due then on other things."""
    answer = due_assistant.ask("Ai phải báo cáo kết quả sắp xếp tổ chức bộ máy trước ngày 30/4/2026?")
    assert [c.clause for c in answer.citations] == ["Mục 4"], answer.text
    assert answer.text.startswith("Có 1 nhiệm vụ có hạn đến ngày 30/04/2026 trong 1 văn bản (")
    assert "1 nhiệm vụ khác đến hạn nhưng không về nội dung hỏi" in answer.text.splitlines()[0]


def test_soon_and_overdue_count_from_today(due_assistant):
    soon = due_assistant.ask("Việc gì sắp đến hạn?")          # today 10/4/2026: the next 30 days
    assert [c.clause for c in soon.citations] == ["Mục 1", "Mục 4"]
    assert "trong 30 ngày tới" in soon.text
    assert due_assistant.ask("Nhiệm vụ nào đã quá hạn?").refused


def test_nothing_due_in_the_span_is_said_plainly(due_assistant):
    answer = due_assistant.ask("Sở Tài chính phải làm gì trong tháng 1/2027?")
    assert answer.refused
    assert answer.text == ("Không có nhiệm vụ nào của Sở Tài chính có hạn trong tháng 1/2027 trong các văn bản "
                           "đã nạp (3 nhiệm vụ khác không nêu hạn hoặc có hạn ngoài khoảng này).")


@pytest.mark.parametrize("question, label", [
    ("Sở Nội vụ phải làm gì trước ngày 15/5/2026?", "đến ngày 15/05/2026"),
    ("Nhiệm vụ nào đến hạn trong Quý II/2026?", "trong quý II/2026"),
    ("Những việc phải xong trong 6 tháng đầu năm 2026?", "trong 6 tháng đầu năm 2026"),
    ("Việc gì sắp đến hạn?", "trong 30 ngày tới"),
    ("Các nhiệm vụ nào đã quá hạn?", "đã quá hạn"),
    ("Tháng này có việc gì đến hạn?", "trong tháng 4/2026"),   # relative to today (10/4/2026, a Friday)
    ("Những việc nào đến hạn tháng sau?", "trong tháng 5/2026"),
    ("Việc gì đến hạn tuần tới?", "từ 13/04/2026 đến 19/04/2026"),
    ("Nhiệm vụ nào đến hạn trong quý này?", "trong quý II/2026"),
    ("Nhiệm vụ nào đến hạn hôm nay?", "hôm nay (10/04/2026)"),
    ("Những báo cáo nào phải gửi hằng tháng?", "hằng tháng"),   # duties that recur, by their period
    ("Những nhiệm vụ nào thực hiện định kỳ?", "định kỳ"),
    ("Sở Khoa học và Công nghệ phải làm trong tháng 5/2026 những gì?", "trong tháng 5/2026"),
    # a month, quarter or day named without its year: the next to come (this one included), the
    # last gone for overdue duties; "tháng 12 năm 2026" outside the deadline grammar's "trong tháng …"
    ("Tôi làm ở Sở Nội vụ, tháng 4 này tôi cần làm những việc gì?", "trong tháng 4/2026"),
    ("Sở Nội vụ cần làm những việc gì trong tháng 12?", "trong tháng 12/2026"),
    ("Những việc nào phải làm vào tháng 1?", "trong tháng 1/2027"),
    ("Nhiệm vụ nào đến hạn trong quý I?", "trong quý I/2027"),
    ("Nhiệm vụ nào đã quá hạn trong tháng 3?", "trong tháng 3/2026"),
    ("Việc nào đến hạn tháng 12 năm 2026?", "trong tháng 12/2026"),
    ("Những báo cáo nào phải gửi trước ngày 15 tháng 5?", "đến ngày 15/05/2026"),
    ("Việc nào phải xong trước 10/1?", "đến ngày 10/01/2027"),
    ("Kết luận giao ban tháng 5 yêu cầu những gì?", None),   # a title's month is no span asked for
    ("Báo cáo quý 3 gồm những gì?", None),
    ("Hạn báo cáo là khi nào?", None),                       # one deadline, not a list of duties
    ("Sở Nội vụ phải làm gì?", None),
    ("Việc trễ hạn thực hiện nhiệm vụ được giao có bị trừ điểm thi đua không?", None),
])
def test_due_windows_of_questions(question, label):
    from datetime import date

    from assistant.answer.due import due_window

    window = due_window(question, date(2026, 4, 10))
    assert (window.label if window else None) == label


def test_the_month_and_quarter_after_december_are_next_year_s():
    from datetime import date

    from assistant.answer.due import due_window

    december = date(2026, 12, 1)
    assert due_window("Những việc nào đến hạn tháng sau?", december).label == "trong tháng 1/2027"
    after = due_window("Quý sau có nhiệm vụ nào?", december)
    assert (after.first, after.last, after.label) == (date(2027, 1, 1), date(2027, 3, 31), "trong quý I/2027")
    this = due_window("Tháng này có việc gì đến hạn?", december)
    assert (this.first, this.last) == (date(2026, 12, 1), date(2026, 12, 31))


def test_a_title_asked_for_comes_before_its_deputy():
    from types import SimpleNamespace

    from assistant.answer.focus import title_first

    def hit(clause, text):
        return SimpleNamespace(chunk=SimpleNamespace(chunk_id=clause, clause=clause, text=text))

    hits = [hit("khoản 3", "Giám đốc Công an tỉnh, Phó Trưởng Ban Chỉ đạo."),
            hit("khoản 2", "Phó Chủ tịch UBND tỉnh, Phó Trưởng ban thường trực Ban Chỉ đạo."),
            hit("khoản 1", "Chủ tịch Ủy ban nhân dân tỉnh, Trưởng Ban Chỉ đạo.")]
    order = [h.chunk.clause for h in title_first("Ai là Trưởng ban Ban Chỉ đạo về dữ liệu tỉnh?", hits)]
    assert order == ["khoản 1", "khoản 3", "khoản 2"]
    assert title_first("Ai là Phó Trưởng ban thường trực?", hits) == hits     # the deputy asked for
    assert title_first("Ai ký quyết định?", hits) == hits                      # no title asked


def test_the_clause_that_gives_a_title_comes_before_one_that_names_it():
    from types import SimpleNamespace

    from assistant.answer.focus import asks_title_holder, gives_title, title_first

    def hit(clause, text):
        return SimpleNamespace(chunk=SimpleNamespace(chunk_id=clause, clause=clause, text=text))

    hits = [hit("Điều 3, khoản 4", "Thực hiện các nhiệm vụ khác theo yêu cầu của UBND tỉnh, Chủ tịch UBND tỉnh, "
                                   "Trưởng Ban Chỉ đạo."),
            hit("Điều 1, khoản 3", "Giám đốc Công an tỉnh, Phó Trưởng Ban Chỉ đạo."),
            hit("Điều 1, khoản 1", "Chủ tịch Ủy ban nhân dân tỉnh, Trưởng Ban Chỉ đạo.")]
    question = "Ban Chỉ đạo về dữ liệu tỉnh do ai làm Trưởng ban?"
    assert asks_title_holder(question) and asks_title_holder("Chủ tịch Hội đồng là ai?")
    assert not asks_title_holder("Trưởng ban phải làm gì?") and not asks_title_holder("Ai chủ trì kiểm tra?")
    assert [h.chunk.clause for h in title_first(question, hits)] == ["Điều 1, khoản 1", "Điều 3, khoản 4",
                                                                      "Điều 1, khoản 3"]
    assert gives_title("Trưởng ban: Ông Nguyễn Văn A - Phó Chủ tịch UBND tỉnh.", "truong ban")
    assert gives_title("Giao đồng chí Giám đốc Sở Nội vụ làm Trưởng ban.", "truong ban")
    assert not gives_title("Giám đốc Công an tỉnh, Phó Trưởng Ban Chỉ đạo.", "truong ban")
    assert not gives_title("Trưởng ban Quản lý các Khu công nghiệp tỉnh;", "truong ban")
    assert not gives_title("Báo cáo kết quả với UBND tỉnh, Trưởng ban Chỉ đạo.", "truong ban")


def test_recurring_duties_are_listed_by_their_period(tmp_path):
    from assistant.ask import Assistant
    from tests.conftest import library_of

    letter = ("Số: 30/UBND-TH\n\nLâm Đồng, ngày 02 tháng 3 năm 2026\n\nV/v chế độ báo cáo\n\n"
              "Kính gửi: Các sở, ngành.\n\n1. Sở Tài chính báo cáo UBND tỉnh tình hình giải ngân hằng tháng.\n\n"
              "2. Sở Nội vụ tổng hợp kết quả cải cách hành chính, báo cáo UBND tỉnh hằng năm.\n\n"
              "3. Sở Y tế báo cáo tình hình dịch bệnh trước ngày 30/4/2026.\n")
    assistant = Assistant(library_of(tmp_path, {"cv-30.txt": letter}, today="2026-04-10"))
    monthly = assistant.ask("Những báo cáo nào phải gửi hằng tháng?")
    assert monthly.text.startswith("Có 1 nhiệm vụ có hạn hằng tháng trong 1 văn bản")
    assert [c.clause for c in monthly.citations] == ["Mục 1"]
    recurring = assistant.ask("Những nhiệm vụ nào thực hiện định kỳ?")
    assert [c.clause for c in recurring.citations] == ["Mục 1", "Mục 2"]
    none = assistant.ask("Sở Y tế phải làm những việc gì hằng tuần?")
    assert none.refused and none.text.startswith("Không có nhiệm vụ nào của Sở Y tế có hạn hằng tuần")


def test_a_recurrence_of_a_plan_for_a_year_gone_by_is_no_longer_due(tmp_path):
    from assistant.ask import Assistant
    from tests.conftest import library_of

    plan = ("Số: 12/KH-UBND\n\nLâm Đồng, ngày 05 tháng 01 năm 2025\n\nKẾ HOẠCH\n\nKiểm tra công tác "
            "cải cách hành chính năm 2025\n\n1. Sở Tài chính báo cáo UBND tỉnh tình hình giải ngân hằng tháng.\n\n"
            "2. Sở Nội vụ báo cáo kết quả kiểm tra trước ngày 15 hằng tháng.\n")
    during = Assistant(library_of(tmp_path / "a", {"kh-12.txt": plan}, today="2025-04-10"))
    assert during.ask("Những báo cáo nào phải gửi hằng tháng?").text.startswith("Có 2 nhiệm vụ có hạn hằng tháng")
    after = Assistant(library_of(tmp_path / "b", {"kh-12.txt": plan}, today="2026-04-10"))
    monthly = after.ask("Những báo cáo nào phải gửi hằng tháng?")
    assert monthly.refused and "2 nhiệm vụ định kỳ của văn bản chỉ áp dụng đến hết năm 2025" in monthly.text
    may = after.ask("Nhiệm vụ nào đến hạn trong tháng 5/2026?")
    assert may.refused and "chỉ áp dụng đến hết năm 2025" in may.text
    assert not during.ask("Nhiệm vụ nào đến hạn trong tháng 5/2025?").refused
    # asked for the deadline, the answer gives it and says that it has run its course
    asked = after.ask("Hạn Sở Nội vụ báo cáo kết quả kiểm tra là khi nào?")
    assert "trước ngày 15 hằng tháng" in asked.text and "đã hết kỳ" in asked.text and "31/12/2025" in asked.text
    # the calendar page lists them apart, as over
    from ui.duties import DutyHandlers

    page = DutyHandlers(after.library).calendar_html()
    assert "Định kỳ đã hết kỳ" in page and "hằng tháng, đến 31/12/2025" in page
    assert "Định kỳ đã hết kỳ" not in DutyHandlers(during.library).calendar_html()


def test_the_deadline_asked_is_that_of_the_duty_the_question_speaks_of():
    from assistant.answer.extractive import _asked_deadline
    from core.types import Duty, DutyTime

    def duty(action, time):
        return Duty(duty_id=action, doc_id="d", document="a.txt", province=None, actor="Phòng Nông nghiệp",
                    actor_text="Phòng Nông nghiệp", role="thực hiện", action=action, quote="q", clause="Mục 1",
                    chunk_id="c", start=0, end=1, time=time)

    ongoing = DutyTime(text="theo tiến độ đề ra", kind="ongoing")
    weekly = DutyTime(text="vào thứ hai hằng tuần", kind="recurring", rrule="FREQ=WEEKLY;BYDAY=MO")
    duties = [duty("Tham mưu chỉ đạo các xã trồng rừng", ongoing), duty("Tổng hợp báo cáo tiến độ", weekly)]
    assert _asked_deadline("Hạn tổng hợp báo cáo là khi nào?", duties) == weekly
    assert _asked_deadline("Thời hạn là khi nào?", duties) == ongoing          # nothing told apart: the first
    assert _asked_deadline("Hạn là khi nào?", [duty("Tham mưu", DutyTime())]) is None


def test_a_quarterly_recurrence_is_read_from_its_rule_or_the_word_quy():
    from types import SimpleNamespace

    from assistant.answer.due import Recurrence

    def duty(text, rrule=None):
        return SimpleNamespace(time=SimpleNamespace(kind="recurring", text=text, rrule=rrule))

    quarterly = Recurrence("QUARTERLY", "hằng quý")
    assert quarterly.holds(duty("hằng quý")) and quarterly.holds(duty("định kỳ", "FREQ=MONTHLY;INTERVAL=3"))
    assert not quarterly.holds(duty("định kỳ theo quyết định")) and not quarterly.holds(duty("hằng tháng", "FREQ=MONTHLY"))


def test_the_act_a_who_question_asks_about():
    from assistant.answer.focus import asked_act

    assert asked_act("Ai chủ trì tổ chức kiểm tra cải cách hành chính?") == "chu tri"
    assert asked_act("Việc làm sạch dữ liệu do ai chủ trì?") == "chu tri"
    assert asked_act("Đơn vị nào phải báo cáo UBND tỉnh hằng tháng?") == "bao cao"
    assert asked_act("Sở nào có trách nhiệm thẩm định hồ sơ?") == "tham dinh"
    assert asked_act("Đề án AI do ai thẩm định?") == "tham dinh"      # the first "ai" is the acronym
    assert asked_act("Ai là Trưởng ban Ban Chỉ đạo?") is None          # a person, not an act
    assert asked_act("Trưởng ban là ai?") is None
    assert asked_act("Hồ sơ gồm những gì?") is None


def test_a_clause_whose_duty_is_the_act_asked_comes_first():
    """"Ai chủ trì …?" / "Ai thẩm định …?": a clause whose duty is that act (its role, or the act in
    its action) comes before better-scoring clauses that only speak of the matter; one far below
    the best, or a question asking for a person, changes nothing."""
    from assistant.answer.focus import acting_first
    from core.types import Duty

    hits = [_hit(1, "Để kiểm tra việc thực hiện cải cách hành chính năm 2026 của các cơ quan.", 1.0),
            _hit(2, "Đề nghị Nhà đầu tư nộp báo cáo đánh giá hiệu quả gửi Sở Nông nghiệp và Môi trường.", 0.9),
            _hit(3, "Giao Sở Nội vụ chủ trì tổ chức kiểm tra; Sở Xây dựng thẩm định hồ sơ.", 0.8)]

    def duty(role, action, actor="Sở Nội vụ"):
        return Duty(duty_id=action, doc_id="d", document="kh.docx", province=None, actor=actor, actor_text=actor,
                    role=role, action=action, quote=action, clause="", chunk_id="", start=0, end=0)

    duties = {"c2": [duty("thực hiện", "Nộp báo cáo đánh giá hiệu quả", "Nhà đầu tư")],
              "c3": [duty("chủ trì", "Chủ trì tổ chức kiểm tra"),
                     duty("thực hiện", "Thẩm định hồ sơ", "Sở Xây dựng")]}

    def order(question, hs=hits):
        return [h.chunk.clause for h in acting_first(question, hs, lambda c: duties.get(c, ()), 0.55)]

    assert order("Ai chủ trì tổ chức kiểm tra cải cách hành chính năm 2026?") == ["Mục 3", "Mục 1", "Mục 2"]
    assert order("Ai thẩm định báo cáo đánh giá hiệu quả?") == ["Mục 3", "Mục 1", "Mục 2"]
    assert order("Ai phối hợp kiểm tra cải cách hành chính?") == ["Mục 1", "Mục 2", "Mục 3"]   # no such duty
    assert order("Ai là Trưởng đoàn kiểm tra?") == ["Mục 1", "Mục 2", "Mục 3"]
    far = [hits[0], hits[1], _hit(3, hits[2].chunk.text, 0.4)]
    assert order("Ai chủ trì tổ chức kiểm tra cải cách hành chính năm 2026?", far) == ["Mục 1", "Mục 2", "Mục 3"]


def test_who_leads_is_answered_from_the_clause_that_gives_the_lead(tmp_path):
    """The plan's purpose repeats the question's words; the clause that names who leads the
    inspection is the answer, and comes first with its agency and role."""
    from core.settings import Settings

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "kh-kiem-tra.txt").write_text(
        "Số: 12/KH-UBND\n\nLâm Đồng, ngày 05 tháng 1 năm 2026\n\nKẾ HOẠCH\nKiểm tra cải cách hành chính năm 2026\n\n"
        "I. MỤC ĐÍCH\n1. Tổ chức kiểm tra việc thực hiện nhiệm vụ cải cách hành chính năm 2026 của các cơ quan; "
        "qua kiểm tra cải cách hành chính năm 2026, kịp thời chấn chỉnh các tồn tại.\n\n"
        "II. TỔ CHỨC THỰC HIỆN\n1. Giao Sở Nội vụ chủ trì, phối hợp với các ngành có liên quan triển khai "
        "Kế hoạch.\n\n2. Các cơ quan được kiểm tra chuẩn bị báo cáo.\n", encoding="utf-8")
    library = Library(Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path / "docs", embed_model="hash"))
    assert not library.ingest([tmp_path / "docs"]).failed
    question = "Ai chủ trì tổ chức kiểm tra cải cách hành chính năm 2026?"
    assert library.search(question)[0].chunk.clause == "Phần I, Mục 1"   # retrieval alone puts the purpose first
    answer = Assistant(library).ask(question)
    assert answer.citations[0].clause == "Phần II, Mục 1"
    assert answer.text.split("\n")[0].count("**Sở Nội vụ** (chủ trì)") == 1


def test_the_recipients_block_and_an_appendix_caption_come_last():
    from dataclasses import replace

    from assistant.answer.focus import asides_last

    sent = _hit(1, "Nơi nhận: - Như trên; - Sở Nội vụ; - Lưu: VT, NC.", 1.0)
    sent = replace(sent, chunk=replace(sent.chunk, kind="recipients"))
    hits = [sent, _hit(2, "Theo báo cáo của Sở Nội vụ tại Công văn số 1984/SNV-TCBC.", 0.9)]
    assert [h.chunk.clause for h in asides_last("Sở Nội vụ báo cáo về việc gì?", hits)] == ["Mục 2", "Mục 1"]
    assert asides_last("Công văn này gửi những cơ quan nào?", hits) == hits   # recipients asked for
    caption = [_hit(3, "(Kèm theo Quyết định số /QĐ-UBND ngày tháng 12 năm 2025", 1.0),
               _hit(4, "Các xã báo cáo kết quả xây dựng xã không ma túy về Công an tỉnh.", 0.8),
               _hit(5, "Bộ tiêu chí được nêu tại Bảng 1 (kèm theo Quyết định này).", 0.7)]
    assert [h.chunk.clause for h in asides_last("Các xã báo cáo khi nào?", caption)] == ["Mục 4", "Mục 5", "Mục 3"]


def test_a_recurring_duty_falls_in_a_span_its_rule_falls_in():
    from datetime import date

    from assistant.answer.due import DueWindow
    from core.types import Duty, DutyTime

    def recurring(rule):
        return Duty(duty_id=rule, doc_id="d", document="kh.docx", province=None, actor="Sở Xây dựng",
                    actor_text="Sở Xây dựng", role="báo cáo", action="Báo cáo", quote="", clause="", chunk_id="",
                    start=0, end=0, time=DutyTime(text="hằng tháng", kind="recurring", rrule=rule))

    may = DueWindow(date(2026, 5, 1), date(2026, 5, 31), "trong tháng 5/2026")
    late_may = DueWindow(date(2026, 5, 16), date(2026, 5, 31), "")
    week = DueWindow(date(2026, 5, 5), date(2026, 5, 10), "")            # Tuesday to Sunday
    fifteenth = recurring("FREQ=MONTHLY;BYMONTHDAY=15")
    assert may.holds(fifteenth) and not late_may.holds(fifteenth)
    assert may.holds(recurring("FREQ=MONTHLY")) and not week.holds(recurring("FREQ=MONTHLY"))
    assert not week.holds(recurring("FREQ=WEEKLY;BYDAY=MO")) and may.holds(recurring("FREQ=WEEKLY;BYDAY=MO"))
    assert not may.holds(recurring("FREQ=YEARLY")) and not may.holds(recurring(""))   # which month is not said
    assert not DueWindow(None, date(2026, 5, 31), "đã quá hạn").holds(recurring("FREQ=MONTHLY"))


def test_what_an_agency_must_do_in_a_month_includes_its_monthly_report(tmp_path):
    """"Những việc Sở Xây dựng phải làm trong tháng 5/2026?": the duty due in May and the report due on
    the 15th of every month, counted as the lines the list shows (one per clause)."""
    from tests.conftest import library_of

    plan = ("Số: 30/TB-UBND\n\nLâm Đồng, ngày 22 tháng 4 năm 2026\n\nV/v quy hoạch chung các xã\n\n"
            "1. Giao Sở Xây dựng thẩm định nhiệm vụ quy hoạch chung các xã, hoàn thành trong tháng 5/2026.\n\n"
            "2. Giao Sở Xây dựng theo dõi tiến độ, định kỳ trước ngày 15 hàng tháng báo cáo UBND tỉnh.\n\n"
            "3. Giao Sở Xây dựng tổng kết công tác quy hoạch trong Quý IV/2026.\n")
    assistant = Assistant(library_of(tmp_path, {"tb-30.txt": plan}, today="2026-04-25"))
    answer = assistant.ask("Những việc Sở Xây dựng phải làm trong tháng 5/2026?")
    assert answer.text.startswith("**Sở Xây dựng** có 2 nhiệm vụ có hạn trong tháng 5/2026 trong 1 văn bản "
                                  "(1 nhiệm vụ khác không nêu hạn hoặc có hạn ngoài khoảng này)"), answer.text
    assert sorted(c.clause for c in answer.citations) == ["Mục 1", "Mục 2"]


def test_a_clause_that_charges_no_one_still_gives_its_time():
    """A plan's schedule row ("Thời gian kiểm tra: Tháng 5/2026") sets no duty, but it says when:
    "khi nào" is answered with that time, not with "không nêu thời hạn"."""
    from assistant.answer.extractive import ExtractiveAnswerer

    row = _hit(15, "STT: 9; Đơn vị được kiểm tra: Xã Vĩnh Hảo; Thời gian kiểm tra: Tháng 5/2026", 1.0)
    answer = ExtractiveAnswerer().answer("Xã Vĩnh Hảo được kiểm tra khi nào?", [row], {}, {})
    assert answer.text.startswith("- kh.docx — Mục 15: thời gian **Tháng 5/2026** (đến ngày 31/05/2026); STT: 9")


def test_when_a_decision_takes_effect_is_its_signing_day_not_a_missing_deadline(tmp_path):
    """"Quyết định … có hiệu lực từ khi nào?": the article that says so first, with the signing day
    the header gives; an undated draft says the day is not written, never "no deadline"."""
    from assistant.answer.extractive import is_effect_question
    from tests.conftest import library_of

    decision = ("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\n\nSố: 2536/QĐ-UBND\n\nLâm Đồng, ngày 12 tháng 12 năm 2025\n\n"
                "QUYẾT ĐỊNH\nVề việc cho phép hợp nhất Đoàn Luật sư\n\n"
                "Điều 1. Cho phép hợp nhất Đoàn Luật sư các tỉnh thành Đoàn Luật sư tỉnh Lâm Đồng.\n\n"
                "Điều 2. Quyết định này có hiệu lực kể từ ngày ký ban hành.\n")
    draft = decision.replace("Số: 2536/QĐ-UBND", "Số:      /QĐ-UBND").replace("ngày 12 tháng 12", "ngày    tháng 12")
    assistant = Assistant(library_of(tmp_path / "a", {"qd-2536.txt": decision}))
    first = assistant.ask("Quyết định 2536/QĐ-UBND có hiệu lực từ khi nào?").text.splitlines()[0]
    assert "Điều 2: hiệu lực từ ngày ký, **12/12/2025**; Quyết định này có hiệu lực" in first, first
    assert "không nêu thời hạn" not in first
    undated = Assistant(library_of(tmp_path / "b", {"qd-du-thao.txt": draft}))
    first = undated.ask("Quyết định hợp nhất Đoàn Luật sư có hiệu lực khi nào?").text.splitlines()[0]
    assert "hiệu lực từ ngày ký (văn bản không ghi đủ ngày ký)" in first, first
    assert is_effect_question("Khi nào quyết định có hiệu lực?") and not is_effect_question("Hạn báo cáo là khi nào?")


def test_a_body_asked_of_as_a_partner_is_answered_from_the_clause_where_it_is_one(tmp_path):
    """"Sở Nội vụ phối hợp với ai …?": the clause where it is the partner comes before its own tasks."""
    from assistant.ask import Assistant
    from tests.conftest import library_of

    plan = ("Số: 45/KH-UBND\n\nQuảng Trị, ngày 10 tháng 02 năm 2026\n\nKẾ HOẠCH\nCải cách tài chính công\n\n"
            "1. Sở Nội vụ theo dõi, tổng hợp báo cáo UBND tỉnh về tài chính công trước ngày 15/12/2026.\n\n"
            "2. Sở Tài chính chủ trì, phối hợp với Sở Nội vụ giao dự toán ngân sách cho các đơn vị sự nghiệp.\n")
    assistant = Assistant(library_of(tmp_path, {"kh-45.txt": plan}))
    answer = assistant.ask("Sở Nội vụ phối hợp với ai để giao dự toán ngân sách?")
    assert answer.citations[0].clause == "Mục 2", answer.text
    assert assistant.ask("Sở Nội vụ tổng hợp báo cáo gì?").citations[0].clause == "Mục 1"


def test_when_and_where_a_meeting_is_held_are_each_answered_from_the_clause_that_says_it(tmp_path):
    """"Hội nghị … tổ chức khi nào, ở đâu?": two questions; "ở đâu" shares no word with "Địa điểm: …",
    which is searched for and shown first."""
    from assistant.answer.focus import asks_place
    from assistant.ask import Assistant
    from tests.conftest import library_of

    invitation = ("Số: 2003/CĐ-VPCP\n\nHà Nội, ngày 07 tháng 10 năm 2025\n\nCÔNG ĐIỆN\nMời dự Hội nghị triển khai "
                  "Chương trình phòng, chống ma túy\n\nVăn phòng Chính phủ trân trọng kính mời dự Hội nghị triển khai "
                  "Chương trình phòng, chống ma túy như sau:\n\nI. Thời gian: 08 giờ, ngày 09 tháng 10 năm 2025.\n\n"
                  "II. Địa điểm: Hội trường Trụ sở Chính phủ, số 1 Hoàng Hoa Thám, Hà Nội.\n\n"
                  "III. Thành phần: Lãnh đạo các Bộ, cơ quan ngang Bộ; Chủ tịch UBND các tỉnh.\n")
    assistant = Assistant(library_of(tmp_path, {"cd-2003.txt": invitation}))
    assert asks_place("Hội nghị tổ chức ở đâu?") and asks_place("Họp tại đâu?") and not asks_place("Họp khi nào?")
    answer = assistant.ask("Hội nghị triển khai Chương trình phòng, chống ma túy tổ chức khi nào, ở đâu?")
    assert not answer.refused, answer.text
    when, where = answer.text.split("\n\n**")[:2] if answer.text.startswith("**") else (answer.text, "")
    assert when.startswith("**Hội nghị triển khai Chương trình phòng, chống ma túy tổ chức khi nào?**"), answer.text
    assert "Phần I\n" in when + "\n" or "Phần I:" in when, answer.text   # cited (its rank is the test embedder's)
    assert where.startswith("Hội nghị triển khai Chương trình phòng, chống ma túy tổ chức ở đâu?**\n- "), answer.text
    assert "Địa điểm: Hội trường Trụ sở Chính phủ" in where.split("\n")[1], answer.text
