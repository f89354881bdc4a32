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
