"""Agencies recognised by form (ingest/actors.py), with the real Vietnamese tagger. The chat names
who must act from the duty table only (tests/test_duty_answers.py), so there is one recognizer."""
from __future__ import annotations

import pytest

from ingest.actors import agency_list, find_agencies
from ingest.tagging import default_tagger


@pytest.fixture(scope="module")
def tagger():
    found = default_tagger()
    assert found is not None, "underthesea is a requirement: its POS tagger bounds lower-case agency names"
    return found


@pytest.mark.parametrize("text, agencies", [
    # the predicate ends the name, whatever the verb (none of these verbs is listed anywhere)
    ("Sở Tài chính bố trí kinh phí thực hiện", ["Sở Tài chính"]),
    ("Sở Thông tin và Truyền thông trước ngày 15/4/2024 báo cáo", ["Sở Thông tin và Truyền thông"]),
    ("Trung tâm dịch vụ kỹ thuật nông nghiệp phủ sóng toàn tỉnh", ["Trung tâm dịch vụ kỹ thuật nông nghiệp"]),
    ("Sở Văn hóa, Thể thao và Du lịch chủ trì, phối hợp", ["Sở Văn hóa, Thể thao và Du lịch"]),
    ("Sở Xây dựng chuẩn bị mặt bằng", ["Sở Xây dựng"]),  # "Xây dựng" is a name here, a verb elsewhere
    # lists: commas, semicolons and "và" between agencies, groups kept whole
    (("Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Công an tỉnh, Thủ trưởng các cơ quan liên quan và các thành "
      "viên có tên tại Điều 1 chịu trách nhiệm"), ["Chánh Văn phòng Ủy ban nhân dân tỉnh", "Giám đốc Công an tỉnh",
                                                 "Thủ trưởng các cơ quan liên quan", "các thành viên có tên tại Điều 1"]),
    ("Thủ trưởng các sở, ban, ngành tỉnh; Chủ tịch UBND các huyện, thị xã, thành phố chịu trách nhiệm",
     ["Thủ trưởng các sở, ban, ngành tỉnh", "Chủ tịch UBND các huyện, thị xã, thành phố"]),
    ("Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương cập nhật số liệu",
     ["Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"]),
    ("phòng Nông nghiệp và PTNT phối hợp Hạt Kiểm lâm", ["phòng Nông nghiệp và PTNT"]),
    ("Văn phòng HĐND và UBND huyện bố trí lịch làm việc", ["Văn phòng HĐND và UBND huyện"]),
    ("Văn phòng UBND tỉnh, UBND các xã thực hiện", ["Văn phòng UBND tỉnh", "UBND các xã"]),
    # a body's own head inside a name; qualifiers in parentheses; one noun the tagger joins
    ("Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam phường tổ chức hội nghị",
     ["Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam phường"]),
    ("Phó Bí thư Đảng ủy phụ trách công tác dân vận", ["Phó Bí thư Đảng ủy"]),
    ("Hội Nông dân tỉnh Gia Lai (cũ) và Hội Nông dân tỉnh Bình Định (cũ) bàn giao hồ sơ",
     ["Hội Nông dân tỉnh Gia Lai (cũ)", "Hội Nông dân tỉnh Bình Định (cũ)"]),
    ("Văn phòng UBND tỉnh (Trung tâm Phục vụ hành chính công) hướng dẫn các xã",
     ["Văn phòng UBND tỉnh (Trung tâm Phục vụ hành chính công)"]),
    ("Đài truyền thanh huyện phát tin hằng ngày", []),        # the tagger does not join it here: left out
    # bodies named by what they are: a working group, the Front, an interim board
    ("Tổ giúp việc có trách nhiệm giúp Ban Chỉ đạo", ["Tổ giúp việc"]),
    ("Mặt trận tổ quốc huyện vận động nhân dân", ["Mặt trận tổ quốc huyện"]),
    ("Ban Chấp hành lâm thời có trách nhiệm tổ chức Đại hội", ["Ban Chấp hành lâm thời"]),
    # heads that share the last item's scope: two office holders of each commune
    ("Bí thư Đảng ủy, Chủ tịch UBND các phường, đặc khu chỉ đạo rà soát",
     ["Bí thư Đảng ủy các phường, đặc khu", "Chủ tịch UBND các phường, đặc khu"]),
    ("Giám đốc Sở Y tế, Chủ tịch UBND các xã kiểm tra", ["Giám đốc Sở Y tế", "Chủ tịch UBND các xã"]),
    # lower-case words that go on naming a body; an object or a qualifier's verb does not
    ("Phòng Tài nguyên môi trường chủ trì thẩm định", ["Phòng Tài nguyên môi trường"]),
    ("Các cơ quan báo chí đưa tin kịp thời", ["Các cơ quan báo chí"]),
    ("Các đơn vị liên quan tổ chức kiểm tra", ["Các đơn vị liên quan"]),
    ("UBND tỉnh Lâm Đồng tháng 5 năm 2026", ["UBND tỉnh Lâm Đồng"]),
    # bodies of every province whose names hold verbs: the name runs over them, and they keep no shared scope
    ("Ban Quản lý dự án đầu tư xây dựng số 2 chủ trì, phối hợp", ["Ban Quản lý dự án đầu tư xây dựng số 2"]),
    ("Trung tâm phát triển quỹ đất, Ban Tiếp công dân huyện giải quyết",
     ["Trung tâm phát triển quỹ đất", "Ban Tiếp công dân huyện"]),
    # a department's field is read whole, however cased or glued; "và" between departments still lists them
    ("Phòng nông nghiệp và phát triển nông thôn huyện tổ chức", ["Phòng nông nghiệp và phát triển nông thôn huyện"]),
    ("phòng Tài chính - Kế hoạch huyện bố trí kinh phí", ["phòng Tài chính - Kế hoạch huyện"]),
    ("Sở Tài chính và Sở Xây dựng chủ trì", ["Sở Tài chính", "Sở Xây dựng"]),
    # "khác" ends a group's name ("các thành viên khác"), not a body's ("Sở Nội vụ khác với …")
    ("Các cơ quan khác phối hợp thực hiện", ["Các cơ quan khác"]),
    ("Sở Nội vụ khác với Sở Tài chính ở điểm này", ["Sở Nội vụ"]),
    # a dashed compound naming a kind of body: "xã hội" is society there, not a commune
    ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh và các tổ chức chính trị - xã hội vận động nhân dân",
     ["Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "các tổ chức chính trị - xã hội"]),
    ("Các tổ chức chính trị - xã hội - nghề nghiệp tham gia giám sát",
     ["Các tổ chức chính trị - xã hội - nghề nghiệp"]),
    # not agencies: words that merely start like one
    ("Báo cáo kết quả thực hiện về Sở Nội vụ", []),
    ("Ban hành kế hoạch thực hiện", []),
    ("phòng học làm nhà hiệu bộ", []),
])
def test_agency_phrases_at_the_start(tagger, text, agencies):
    assert [s.text for s in agency_list(text, 0, tagger)] == agencies


@pytest.mark.parametrize("text, agencies", [
    # an ethnic place name ends at its last capitalised syllable, even where the segmenter joined the verb
    ("UBND huyện chỉ đạo phòng Tài nguyên môi trường, UBND xã ĐăkDrô lập các thủ tục hồ sơ",
     ["UBND huyện", "phòng Tài nguyên môi trường", "UBND xã ĐăkDrô"]),
    ("Từ những ý kiến nêu trên, UBND huyện ĐắkR'lắp nhận thấy:", ["UBND huyện ĐắkR'lắp"]),
    ("UBND huyện Krông Nô giao Sở Tài nguyên và Môi trường chủ trì",
     ["UBND huyện Krông Nô", "Sở Tài nguyên và Môi trường"]),
])
def test_a_place_name_of_no_vietnamese_syllable_ends_before_a_lower_case_word(tagger, text, agencies):
    assert [s.text for s in find_agencies(text, tagger)] == agencies


@pytest.mark.parametrize("text, agencies", [
    # statutory bodies named by what they do, whole, also under their head's title
    ("Hội đồng xét duyệt thực hiện nhiệm vụ được quy định tại Quyết định số 28/2025/QĐ-TTg", ["Hội đồng xét duyệt"]),
    ("Trưởng ban Vì sự tiến bộ của phụ nữ tỉnh Lâm Đồng ban hành Quy chế làm việc của Ban.",
     ["Trưởng ban Vì sự tiến bộ của phụ nữ tỉnh Lâm Đồng"]),
    ("Trưởng ban Quản lý dự án đầu tư xây dựng tỉnh chịu trách nhiệm",
     ["Trưởng ban Quản lý dự án đầu tư xây dựng tỉnh"]),
    ("Trưởng ban Tuyên giáo chủ trì", ["Trưởng ban Tuyên giáo"]),
])
def test_named_bodies_are_read_whole(tagger, text, agencies):
    assert [s.text for s in find_agencies(text, tagger)] == agencies


def test_every_agency_in_a_text_with_offsets(tagger):
    text = "giao phòng Nông nghiệp và PTNT phối hợp Hạt Kiểm lâm, UBND xã Đức Xuyên kiểm tra"
    found = find_agencies(text, tagger)
    assert [s.text for s in found] == ["phòng Nông nghiệp và PTNT", "Hạt Kiểm lâm", "UBND xã Đức Xuyên"]
    assert all(text[s.start:s.end] == s.text for s in found)


def test_a_name_the_tagger_reads_as_one_noun_runs_to_its_level_word(tagger):
    from ingest.tagging import Tokens

    text = "Giao Đài truyền thanh huyện tăng cường tuyên truyền"       # tagged whole, as the extractor does
    found = agency_list(text, len("Giao "), tokens=Tokens(text, tagger))
    assert [s.text for s in found] == ["Đài truyền thanh huyện"]


def test_without_a_tagger_capitalised_names_still_end_at_the_predicate():
    assert [s.text for s in agency_list("Sở Tài chính bố trí kinh phí", 0, None)] == ["Sở Tài chính"]


def test_what_a_body_is_given_is_not_part_of_its_name(tagger):
    from ingest.tagging import Tokens

    text = "Giao Sở Nội vụ nhiệm vụ tham mưu tổ chức hội nghị"
    found = agency_list(text, len("Giao "), tokens=Tokens(text, tagger))
    assert [s.text for s in found] == ["Sở Nội vụ"]


@pytest.mark.parametrize("holder, body", [
    ("Giám đốc Sở Tư pháp", "Sở Tư pháp"),
    ("Chánh Văn phòng Ủy ban nhân dân tỉnh", "Văn phòng Ủy ban nhân dân tỉnh"),
    ("Chánh Thanh tra tỉnh", "Thanh tra tỉnh"),
    ("Chủ tịch UBND các xã, phường, đặc khu", "UBND các xã, phường, đặc khu"),
    ("Phó Chủ tịch UBND tỉnh", "UBND tỉnh"),
    ("Thủ trưởng các cơ quan, đơn vị liên quan", "các cơ quan, đơn vị liên quan"),
    ("Sở Tư pháp", None),          # a body, not a holder
    ("Giám đốc", None),            # a title without its body
])
def test_the_body_an_office_holder_leads(holder, body):
    from ingest.actors import led_body

    assert led_body(holder) == body


def test_so_goes_on_naming_a_body_only_before_a_number():
    from ingest.actors import agency_list
    from ingest.tagging import default_tagger

    tagger = default_tagger()
    text = "Giao Văn phòng UBND tỉnh (Trung tâm Phục vụ hành chính công) số hóa hồ sơ thủ tục hành chính."
    assert [s.text for s in agency_list(text, 5, tagger)] == ["Văn phòng UBND tỉnh (Trung tâm Phục vụ hành chính công)"]
    numbered = "Giao Ban Quản lý dự án đầu tư xây dựng số 1 chủ trì thẩm định hồ sơ."
    assert [s.text for s in agency_list(numbered, 5, tagger)] == ["Ban Quản lý dự án đầu tư xây dựng số 1"]


@pytest.mark.parametrize("text, names", [
    # the governing board of an association, in lower case before it
    ("Đề nghị Ban chấp hành lâm thời Hội công chứng viên tỉnh Lâm Đồng khẩn trương tổ chức Đại hội",
     ["Ban chấp hành lâm thời Hội công chứng viên tỉnh Lâm Đồng"]),
    ("Ban giám đốc Công ty Cấp nước chủ trì", ["Ban giám đốc Công ty Cấp nước"]),
    # a board names the bodies it governs after "các"
    ("Đề nghị Ban Chủ nhiệm các Đoàn Luật sư tỉnh Đắk Nông khẩn trương thực hiện",
     ["Ban Chủ nhiệm các Đoàn Luật sư tỉnh Đắk Nông"]),
    ("UBND tỉnh ban hành quy chế", ["UBND tỉnh"]),   # "ban hành" is a verb, not a board
    # a district body whose name holds "và" and a verb
    ("Ban Quản lý dự án và phát triển quỹ đất tập trung đẩy nhanh tiến độ giải ngân",
     ["Ban Quản lý dự án và phát triển quỹ đất"]),
])
def test_boards_head_the_names_of_the_bodies_they_govern(tagger, text, names):
    assert [s.text for s in find_agencies(text, tagger)] == names
