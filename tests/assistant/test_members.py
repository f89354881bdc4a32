"""'Ban Chỉ đạo … gồm những ai?': the decision's whole list, cited once as one verbatim span."""
from __future__ import annotations

import pytest

from assistant.answer.members import asks_members
from assistant.ask import Assistant
from core.text import squash
from tests.conftest import library_of

DECISION = ("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\n\nSố: 15/QĐ-UBND\n\nLâm Đồng, ngày 05 tháng 01 năm 2026\n\n"
            "QUYẾT ĐỊNH\nThành lập Ban Chỉ đạo về dữ liệu tỉnh\n\n"
            "Điều 1. Thành lập Ban Chỉ đạo về dữ liệu tỉnh Lâm Đồng gồm các thành viên sau:\n"
            "1. Chủ tịch Ủy ban nhân dân tỉnh, Trưởng Ban Chỉ đạo.\n"
            "2. Giám đốc Công an tỉnh, Phó Trưởng Ban Chỉ đạo.\n"
            "3. Giám đốc Sở Nội vụ, thành viên.\n"
            "4. Giám đốc Sở Tài chính, thành viên.\n\n"
            "Điều 2. Sở Khoa học và Công nghệ là cơ quan thường trực của Ban Chỉ đạo.\n\n"
            "Điều 3. Quyết định này có hiệu lực kể từ ngày ký.\n")


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    return Assistant(library_of(tmp_path_factory.mktemp("members"), {"qd-15.txt": DECISION}))


@pytest.mark.parametrize("question", ["Ban Chỉ đạo về dữ liệu tỉnh gồm những ai?",
                                      "Thành phần Ban Chỉ đạo về dữ liệu tỉnh?"])
def test_who_a_body_is_made_of_is_the_whole_list_cited_as_one_span(assistant, question):
    answer = assistant.ask(question)
    assert not answer.refused
    lines = answer.text.splitlines()
    assert lines[0].startswith("15/QĐ-UBND, Lâm Đồng — Điều 1: Thành lập Ban Chỉ đạo") and lines[0].endswith("[1]")
    assert lines[1:] == ["- Chủ tịch Ủy ban nhân dân tỉnh, Trưởng Ban Chỉ đạo.",
                         "- Giám đốc Công an tỉnh, Phó Trưởng Ban Chỉ đạo.",
                         "- Giám đốc Sở Nội vụ, thành viên.", "- Giám đốc Sở Tài chính, thành viên."]
    [citation] = answer.citations
    assert citation.clause == "Điều 1" and "Giám đốc Sở Tài chính, thành viên." in citation.text
    assert citation.text in squash(DECISION)   # verbatim


def test_other_questions_are_no_member_questions():
    assert asks_members("Hội đồng gồm những thành viên nào?")
    assert not asks_members("Sở Nội vụ phải làm gì?") and not asks_members("Ban Chỉ đạo có nhiệm vụ gì?")


PLAN = ("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\n\nSố: 20/KH-UBND\n\nLâm Đồng, ngày 05 tháng 01 năm 2026\n\n"
        "KẾ HOẠCH\nKiểm tra công tác cải cách hành chính năm 2026\n\n"
        "I. MỤC ĐÍCH, YÊU CẦU\n1. Đánh giá kết quả cải cách hành chính của các cơ quan, đơn vị.\n\n"
        "II. ĐOÀN KIỂM TRA, THỜI GIAN KIỂM TRA\n"
        "1. Chủ tịch UBND tỉnh giao Sở Nội vụ chủ trì, phối hợp với các ngành có liên quan tổ chức kiểm tra.\n"
        "2. Thời gian kiểm tra: Quý III/2026.\n\n"
        "III. TỔ CHỨC THỰC HIỆN\n1. Các cơ quan, đơn vị được kiểm tra chuẩn bị báo cáo gửi Đoàn kiểm tra.\n")


def test_a_body_whose_members_no_document_lists_is_said_so_above_what_is_said_of_it(tmp_path):
    answer = Assistant(library_of(tmp_path, {"kh-20.txt": PLAN})).ask("Đoàn kiểm tra CCHC gồm những ai?")
    assert not answer.refused
    assert answer.text.startswith("Không tìm thấy danh sách thành viên của **Đoàn kiểm tra**")
    # the section headed by the body first, in the document's order
    assert [c.clause for c in answer.citations[:2]] == ["Phần II, Mục 1", "Phần II, Mục 2"]


def test_the_body_a_members_question_asks_about():
    from assistant.answer.members import asked_body

    assert asked_body("Đoàn kiểm tra CCHC gồm những ai?") == ("Đoàn kiểm tra", "doan kiem tra")
    assert asked_body("Thành phần Hội đồng thẩm định?") == ("Hội đồng thẩm định", "hoi dong tham dinh")
    assert asked_body("Văn bản thành lập Tổ công tác gồm những ai?") == ("Tổ công tác", "to cong tac")
    assert asked_body("Ban Chỉ đạo có nhiệm vụ gì?") is None      # not a members question
