"""Which directives are still in force: each relation kind from a small pair of documents, the
provision that says so, and answers that put the newer deadline first."""
import pytest

from assistant.ask import Assistant
from assistant.library import Library
from ingest.relations import find_relations, iso_date, number_key


@pytest.mark.parametrize("text, expected", [
    ("Quyết định này có hiệu lực kể từ ngày ký và thay thế Quyết định số 892/QĐ-BNV ngày 05 tháng 12 năm 2024 "
     "của Bộ trưởng Bộ Nội vụ.", [("replaced", "892/QĐ-BNV", "2024-12-05")]),
    ("Bãi bỏ Kế hoạch số 45/KH-UBND ngày 10/3/2023 của UBND tỉnh.", [("repealed", "45/KH-UBND", "2023-03-10")]),
    ("Chỉ thị số 12/CT-UBND ngày 01/02/2020 của Chủ tịch UBND tỉnh hết hiệu lực kể từ ngày Chỉ thị này có hiệu lực.",
     [("repealed", "12/CT-UBND", "2020-02-01")]),
    ("Sửa đổi, bổ sung một số điều của Quyết định số 3/2021/QĐ-UBND ngày 5/1/2021 như sau:",
     [("amended", "3/2021/QĐ-UBND", "2021-01-05")]),
    ("Sửa đổi khoản 2 Điều 3 của Quyết định số 15/2022/QĐ-UBND ngày 2/3/2022.",
     [("amended", "15/2022/QĐ-UBND", "2022-03-02")]),
    # legal bases and proposals change nothing
    ("Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ số 47/2019/QH14 ngày 22/11/2019;", []),
    ("Giao Sở Tư pháp rà soát, đề xuất bãi bỏ Quyết định số 7/2019/QĐ-UBND ngày 1/1/2019.", []),
    ("kịp thời công bố danh mục thủ tục hành chính mới ban hành, sửa đổi, bổ sung, thay thế và bãi bỏ", []),
])
def test_relations_found_in_the_text(text, expected):
    assert [(r.kind, r.number, r.date) for r in find_relations(text)] == expected


def test_numbers_and_dates_compare_loosely():
    assert number_key("892/QĐ-BNV ") == number_key("892/QD-BNV")
    assert iso_date("05 tháng 12 năm 2024") == "2024-12-05" and iso_date("31/13/2024") is None


def write(folder, name, number, date, body):
    day, month, year = date.split("/")
    (folder / name).write_text(
        f"ỦY BAN NHÂN DÂN TỈNH GIA LAI\n\nSố: {number}\n\nGia Lai, ngày {day} tháng {month} năm {year}\n\n"
        f"KẾ HOẠCH\nPhòng, chống thiên tai năm {year}\n\n{body}\n", encoding="utf-8")


@pytest.fixture
def plans(hash_settings, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    write(folder, "ke-hoach-cu.txt", "20/KH-UBND", "10/01/2027",
          "1. Giao Sở Nông nghiệp và Môi trường chủ trì rà soát phương án sơ tán dân vùng lũ, báo cáo "
          "trước ngày 30/4/2027.")
    write(folder, "ke-hoach-moi.txt", "35/KH-UBND", "15/02/2027",
          "1. Giao Sở Nông nghiệp và Môi trường chủ trì rà soát phương án sơ tán dân vùng lũ, báo cáo "
          "trước ngày 31/3/2027.\n\n2. Kế hoạch này thay thế Kế hoạch số 20/KH-UBND ngày 10/01/2027 của UBND tỉnh.")
    write(folder, "sua-doi.txt", "40/KH-UBND", "01/03/2027",
          "1. Sửa đổi, bổ sung mục 1 của Kế hoạch số 35/KH-UBND ngày 15/02/2027: bổ sung diễn tập tại các xã.")
    library = Library(hash_settings)
    library.ingest([folder])
    return library


def test_statuses_and_the_provision_that_says_so(plans):
    rows = {d["document"]: d for d in plans.document_list()}
    assert rows["ke-hoach-cu.txt"]["status"] == "replaced"
    assert rows["ke-hoach-cu.txt"]["replaced_by"] == ["Kế hoạch số 35/KH-UBND"]
    assert rows["ke-hoach-moi.txt"]["status"] == "amended"
    assert rows["ke-hoach-moi.txt"]["amended_by"] == ["Kế hoạch số 40/KH-UBND"]
    assert rows["sua-doi.txt"]["status"] == "in_force"
    old = plans.validity_of(rows["ke-hoach-cu.txt"]["id"])
    assert "thay thế Kế hoạch số 20/KH-UBND" in old.said[0].quote and not old.current


def test_newer_deadline_first_and_the_replaced_one_marked(plans):
    answer = Assistant(plans).ask("Hạn báo cáo rà soát phương án sơ tán dân vùng lũ là khi nào?")
    assert not answer.refused
    assert answer.citations[0].document == "ke-hoach-moi.txt"
    text = answer.text
    assert "31/3/2027" in text
    if "30/4/2027" in text:  # the replaced plan may be quoted, never as current
        assert text.index("31/3/2027") < text.index("30/4/2027") and "đã bị thay thế" in text
    replaced = [c for c in answer.to_json()["citations"] if c["document"] == "ke-hoach-cu.txt"]
    assert all(c["status"] == "replaced" for c in replaced)


def test_sources_panel_and_document_list_show_the_status(plans):
    from ui.chat import sources_html
    from ui.documents import DocumentHandlers

    assistant = Assistant(plans)
    answer = assistant.ask("Phương án sơ tán dân vùng lũ của kế hoạch số 20/KH-UBND?", include_replaced=True)
    old = [c for c in answer.citations if c.document == "ke-hoach-cu.txt"]
    assert old and old[0].status == "replaced"
    assert "đã bị thay thế bởi Kế hoạch số 35/KH-UBND" in answer.text
    panel = sources_html(answer, plans.document_text, None, plans.validity_of)
    assert "rag-validity" in panel and "thay thế Kế hoạch số 20/KH-UBND" in panel
    rows = {row[-2]: row for row in DocumentHandlers(plans, gate=None).table()}
    assert rows["ke-hoach-cu.txt"][6] == "đã bị thay thế bởi Kế hoạch số 35/KH-UBND"
    assert rows["sua-doi.txt"][6] == "còn hiệu lực"


def test_overdue_deadlines_and_the_upcoming_view(plans):
    from ui.duties import DutyHandlers

    march = plans.settings.with_(today="2027-03-20")
    plans.settings = march
    answer = Assistant(plans).ask("Hạn báo cáo rà soát phương án sơ tán dân vùng lũ là khi nào?")
    assert "31/3/2027" in answer.text and "đã quá hạn" not in answer.text.split("\n")[0]
    page = DutyHandlers(plans).calendar_html()
    soon = page.split("Sắp đến hạn (30 ngày tới)")[1].split("<h4>")[0]
    assert "31/03/2027" in soon and "30/04/2027" not in soon  # the next 30 days only
    plans.settings = march.with_(today="2027-05-02")
    answer = Assistant(plans).ask("Hạn báo cáo rà soát phương án sơ tán dân vùng lũ là khi nào?")
    assert "đã quá hạn" in answer.text
    page = DutyHandlers(plans).calendar_html()
    assert "quá hạn" in page and "Không có hạn nào trong 30 ngày tới" in page


def test_documents_listed_by_whether_they_are_still_in_force(plans):
    assistant = Assistant(plans)
    ended = assistant.ask("Những văn bản nào đã hết hiệu lực?")
    assert ended.text.startswith("Theo các văn bản đã nạp, 1 văn bản đã bị thay thế hoặc bãi bỏ")
    assert [c.document for c in ended.citations] == ["ke-hoach-cu.txt"]
    assert "— đã bị thay thế bởi Kế hoạch số 35/KH-UBND" in ended.text
    in_force = assistant.ask("Văn bản nào còn hiệu lực?")
    assert [c.document for c in in_force.citations] == ["sua-doi.txt", "ke-hoach-moi.txt"]   # newest first
    amended = assistant.ask("Những kế hoạch nào đã được sửa đổi?")
    assert [c.document for c in amended.citations] == ["ke-hoach-moi.txt"]
    assert "đã được sửa đổi, bổ sung bởi Kế hoạch số 40/KH-UBND" in amended.text
    none = assistant.ask("Những quyết định nào đã bị thay thế?")
    assert none.refused and none.text.startswith("Không có quyết định nào bị thay thế hoặc bãi bỏ")


def test_whether_a_named_document_is_in_force_is_answered_from_what_the_others_say(plans):
    assistant = Assistant(plans)
    old = assistant.ask("Kế hoạch số 20/KH-UBND còn hiệu lực không?")
    assert old.text == ("Theo các văn bản đã nạp, *Kế hoạch Phòng, chống thiên tai năm 2027* số 20/KH-UBND "
                        "đã bị thay thế bởi Kế hoạch số 35/KH-UBND. [1]")
    assert [(c.document, c.clause) for c in old.citations] == [("ke-hoach-cu.txt", "Phần đầu văn bản")]
    current = assistant.ask("Kế hoạch 40 có hiệu lực không?")
    assert "số 40/KH-UBND còn hiệu lực: không văn bản nào đã nạp thay thế" in current.text
    assert "sửa đổi, bổ sung bởi Kế hoạch số 40/KH-UBND" in assistant.ask("Kế hoạch 35 đã được sửa đổi chưa?").text
    effective = assistant.ask("Kế hoạch 40 có hiệu lực từ ngày nào?")   # a date asked: not this answer
    assert not effective.text.startswith("Theo các văn bản đã nạp")


def test_a_plan_named_by_its_title_with_an_abbreviation_is_found():
    """"Kế hoạch kiểm tra CCHC 2026 giao những nhiệm vụ gì?": CCHC is the initials of "cải cách hành
    chính", words that follow each other in the title; initials of words apart name nothing."""
    from types import SimpleNamespace

    from assistant.answer.named import named_documents

    def header(subject, kind="Kế hoạch"):
        return SimpleNamespace(subject=subject, doc_type=kind, number="", province="Lâm Đồng")

    headers = {"a": header("Kiểm tra công tác cải cách hành chính năm 2026 trên địa bàn tỉnh Lâm Đồng"),
               "b": header("Thi đua thực hiện cải cách hành chính năm 2026")}
    heads = {d: SimpleNamespace(document=f"{d}.docx") for d in headers}
    assert named_documents("Kế hoạch kiểm tra CCHC 2026 giao những nhiệm vụ gì?", headers, heads) == ["a.docx"]
    assert named_documents("Kế hoạch thi đua CCHC năm 2026 có mấy tiêu chí?", headers, heads) == ["b.docx"]
    assert named_documents("Kế hoạch kiểm tra HCT 2026 giao gì?", headers, heads) == []   # not the initials
    assert named_documents("Kế hoạch kiểm tra KTCC 2026 giao gì?", headers, heads) == []
    # the title of a document of another province names none of them
    assert named_documents("Kế hoạch kiểm tra CCHC 2026 của tỉnh Phú Yên giao gì?", headers, heads) == []
    assert named_documents("Kế hoạch kiểm tra CCHC 2026 của tỉnh Lâm Đồng giao gì?", headers, heads) == ["a.docx"]
    # a ministry's letter has no province, and its full number names it whatever province is asked of
    ministry = {"m": SimpleNamespace(subject="Bổ sung số liệu", doc_type="Công văn", number="5816/BNV-CCHC",
                                     province=None)}
    asked = "Công văn 5816/BNV-CCHC yêu cầu tỉnh Lâm Đồng làm gì?"
    assert named_documents(asked, ministry, {"m": SimpleNamespace(document="m.pdf")}) == ["m.pdf"]
    assert named_documents("Công văn 5816 yêu cầu tỉnh Lâm Đồng làm gì?", ministry,
                           {"m": SimpleNamespace(document="m.pdf")}) == ["m.pdf"]
