"""'Văn bản nào do Sở Nội vụ ban hành?', 'UBND tỉnh Lâm Đồng đã ban hành những kế hoạch nào?': the
documents a body issued, from the headers' issuer lines."""
import pytest

from assistant.answer.issued import asked_issuer, issuing_body
from assistant.ask import Assistant
from tests.conftest import library_of

SNV = ("UBND TỈNH LÂM ĐỒNG\nSỞ NỘI VỤ\n\nSố: 12/SNV-TCBC\n\nLâm Đồng, ngày 05 tháng 3 năm 2026\n\n"
       "V/v báo cáo tổ chức bộ máy\n\nKính gửi: Các sở, ban, ngành.\n\n"
       "Đề nghị các sở, ban, ngành báo cáo tổ chức bộ máy trước ngày 20/3/2026.\n")
KH = ("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\n\nSố: 40/KH-UBND\n\nLâm Đồng, ngày 10 tháng 3 năm 2026\n\n"
      "KẾ HOẠCH\nCải cách hành chính năm 2026\n\n1. Giao Sở Nội vụ chủ trì triển khai Kế hoạch này.\n")


@pytest.mark.parametrize("question, asked", [
    ("Những văn bản nào của Bộ Nội vụ?", ("bo noi vu", None)),
    ("Văn bản nào do Sở Tư pháp ban hành?", ("so tu phap", None)),
    ("UBND tỉnh Lâm Đồng đã ban hành những kế hoạch nào?", ("ubnd tinh lam dong", "Kế hoạch")),
    ("Có những công văn nào của Ủy ban nhân dân tỉnh?", ("ubnd tinh", "Công văn")),
    ("Văn bản nào quy định trách nhiệm của người đứng đầu?", None),   # "của" names no issuer here
    ("Văn bản nào gửi Sở Y tế?", None),
])
def test_issuer_questions(question, asked):
    assert asked_issuer(question) == asked


@pytest.mark.parametrize("issuer, body", [
    ("UBND TỈNH LÂM ĐỒNG / SỞ NỘI VỤ", "so noi vu"),            # a department's letter is not the UBND's
    ("ỦY BAN NHÂN DÂN / TỈNH LÂM ĐỒNG", "ubnd tinh lam dong"),  # the last line only names the place
    ("BỘ CÔNG AN", "bo cong an"), (None, ""),
])
def test_issuing_body(issuer, body):
    assert issuing_body(issuer) == body


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    return Assistant(library_of(tmp_path_factory.mktemp("issued"), {"snv-12.txt": SNV, "kh-40.txt": KH}))


def test_documents_a_body_issued_are_listed_from_the_headers(assistant):
    answer = assistant.ask("Văn bản nào do Sở Nội vụ ban hành?")
    assert not answer.refused
    assert answer.text.startswith("**Sở Nội vụ** đã ban hành 1 văn bản")
    assert [(c.document, c.clause) for c in answer.citations] == [("snv-12.txt", "Phần đầu văn bản")]
    assert "số 12/SNV-TCBC, ngày 05 tháng 3 năm 2026" in answer.text


def test_the_people_s_committee_s_plans_are_not_its_departments_letters(assistant):
    answer = assistant.ask("UBND tỉnh Lâm Đồng đã ban hành những kế hoạch nào?")
    assert answer.text.startswith("**UBND tỉnh Lâm Đồng** đã ban hành 1 kế hoạch")
    assert [c.document for c in answer.citations] == ["kh-40.txt"]
    none = assistant.ask("UBND tỉnh Lâm Đồng đã ban hành những công văn nào?")
    assert none.refused
    assert none.text == "Không có công văn nào do **UBND tỉnh Lâm Đồng** ban hành trong các văn bản đã nạp."


def test_a_body_that_issued_nothing_loaded_is_not_answered_by_this_route(assistant):
    answer = assistant.ask("Những văn bản nào của Bộ Y tế?")
    assert "đã ban hành" not in answer.text


@pytest.mark.parametrize("question", ["Cho tôi danh sách văn bản đã nạp", "Có bao nhiêu văn bản?",
                                      "Có những văn bản nào?"])
def test_the_library_itself_is_listed_newest_first(assistant, question):
    answer = assistant.ask(question)
    assert answer.text.startswith("Đã nạp 2 văn bản (mới nhất trước):")
    assert [c.document for c in answer.citations] == ["kh-40.txt", "snv-12.txt"]   # 10/3 then 5/3/2026


def test_a_question_about_documents_on_a_topic_is_not_a_listing(assistant):
    assert not assistant.ask("Có những văn bản nào về tổ chức bộ máy?").text.startswith("Đã nạp")
