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
    ("Long An có những văn bản nào?", ("long an", None)),
    ("Sở Tư pháp có những công văn nào?", ("so tu phap", "Công văn")),
    ("Sở Nội vụ có những nhiệm vụ nào?", None),                      # duties, not documents
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
    assert "số 12/SNV-TCBC, ngày 05/03/2026" in answer.text   # dates as the documents write them, dd/mm/yyyy


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


DAKNONG = ("ỦY BAN NHÂN DÂN\nTỈNH ĐẮK NÔNG\n\nSố: 7/CT-UBND\n\nĐắk Nông, ngày 02 tháng 4 năm 2024\n\n"
           "CHỈ THỊ\nVề phòng, chống dịch bệnh\n\n1. Giao Sở Y tế chủ trì phòng, chống dịch bệnh.\n")
MINISTRY = ("BỘ NỘI VỤ\n\nSố: 5816/BNV-CCHC\n\nHà Nội, ngày 31 tháng 7 năm 2025\n\nV/v bổ sung số liệu\n\n"
            "Kính gửi: Ủy ban nhân dân các tỉnh.\n\nĐề nghị Ủy ban nhân dân các tỉnh bổ sung số liệu.\n")


@pytest.fixture(scope="module")
def provinces(tmp_path_factory):
    return Assistant(library_of(tmp_path_factory.mktemp("provinces"), {
        "snv-12.txt": SNV, "kh-40.txt": KH, "daknong-7.txt": DAKNONG, "bnv-5816.txt": MINISTRY}))


def test_a_province_s_documents_include_those_of_the_provinces_merged_into_it(provinces):
    answer = provinces.ask("Những văn bản nào của Lâm Đồng?")
    assert answer.text.startswith("Các văn bản đã nạp có 3 văn bản của Lâm Đồng (mới nhất trước):")
    assert [c.document for c in answer.citations] == ["kh-40.txt", "snv-12.txt", "daknong-7.txt"]
    assert "số 7/CT-UBND, ngày 02/04/2024 (Đắk Nông)" in answer.text
    old = provinces.ask("Có những văn bản nào của Đắk Nông?")   # a former province: only its own
    assert [c.document for c in old.citations] == ["daknong-7.txt"]
    assert provinces.ask("van ban nao cua dak nong").text.startswith("Các văn bản đã nạp có 1 văn bản của Đắk Nông")


@pytest.mark.parametrize("question, listed", [
    ("Có bao nhiêu văn bản của tỉnh Lâm Đồng?", ["kh-40.txt", "snv-12.txt", "daknong-7.txt"]),
    ("Có bao nhiêu văn bản của Đắk Nông?", ["daknong-7.txt"]),
    ("Có bao nhiêu văn bản của Lâm Đồng ban hành năm 2024?", ["daknong-7.txt"]),
    ("Cho tôi danh sách kế hoạch của tỉnh Lâm Đồng", ["kh-40.txt"]),
])
def test_how_many_documents_a_province_has_is_a_listing_of_them(provinces, question, listed):
    answer = provinces.ask(question)
    assert not answer.refused and [c.document for c in answer.citations] == listed
    assert answer.text.startswith("Các văn bản đã nạp có")


def test_a_province_and_year_with_nothing_loaded_is_said_so(provinces):
    answer = provinces.ask("Có bao nhiêu kế hoạch của Lâm Đồng ban hành năm 2019?")
    assert answer.refused
    assert answer.text == "Không có kế hoạch nào của Lâm Đồng ban hành năm 2019 trong các văn bản đã nạp."


def test_a_province_with_no_document_loaded_is_said_so_and_a_ministry_is_no_province(provinces):
    answer = provinces.ask("Những văn bản nào của Hà Nội?")    # the ministry's letter is signed in Hà Nội
    assert answer.refused
    assert answer.text == "Không có văn bản nào của Hà Nội trong các văn bản đã nạp."


@pytest.mark.parametrize("question, listed", [
    ("Văn bản nào ban hành năm 2024?", ["daknong-7.txt"]),
    ("Những kế hoạch nào ban hành năm 2026?", ["kh-40.txt"]),
    ("Có bao nhiêu chỉ thị?", ["daknong-7.txt"]),
    ("Có những văn bản nào?", ["kh-40.txt", "snv-12.txt", "bnv-5816.txt", "daknong-7.txt"]),
])
def test_the_library_is_listed_by_type_and_year(provinces, question, listed):
    answer = provinces.ask(question)
    assert not answer.refused and [c.document for c in answer.citations] == listed


def test_a_type_or_year_with_nothing_loaded_is_said_so(provinces):
    answer = provinces.ask("Những chỉ thị nào ban hành năm 2010?")
    assert answer.refused
    assert answer.text == "Không có chỉ thị nào ban hành năm 2010 trong các văn bản đã nạp."


def test_documents_about_a_topic_are_listed_each_with_the_clause_that_speaks_of_it(provinces):
    answer = provinces.ask("Có văn bản nào về phòng, chống dịch bệnh không?")
    assert not answer.refused
    assert answer.text.startswith("1 văn bản đã nạp nói về «phòng, chống dịch bệnh»")
    assert [c.document for c in answer.citations] == ["daknong-7.txt"]
    assert "số 7/CT-UBND, ngày 02/04/2024 — " in answer.text
    several = provinces.ask("Những văn bản nào về cải cách hành chính?")
    assert several.citations[0].document == "kh-40.txt"
    none = provinces.ask("Có văn bản nào về giá vàng không?")
    assert none.refused and none.text == "Không có văn bản nào về «giá vàng» trong các văn bản đã nạp."
    plans = provinces.ask("Những chỉ thị nào về cải cách hành chính?")   # the plan is no chỉ thị
    assert plans.refused
    # a province the question opens with is the listing's scope (Đắk Nông is in Lâm Đồng since 2025)
    merged = provinces.ask("Lâm Đồng có những văn bản nào về phòng, chống dịch bệnh?")
    assert [c.document for c in merged.citations] == ["daknong-7.txt"]
    assert provinces.ask("Cao Bằng có văn bản nào về phòng, chống dịch bệnh không?").refused


@pytest.mark.parametrize("question, topic", [
    ("Có văn bản nào về phòng, chống ma túy không?", ("phòng, chống ma túy", None)),
    ("Những chỉ thị nào về kỷ luật hành chính?", ("kỷ luật hành chính", "Chỉ thị")),
    ("Có quyết định về thành lập ban chỉ đạo không?", ("thành lập ban chỉ đạo", "Quyết định")),
    # a title, not a listing: it names one document (and asks its duties)
    ("Chỉ thị về tăng cường kỷ luật, kỷ cương hành chính giao Sở Nội vụ làm gì?", None),
    # a province before the listing is its scope (`listing_province`); an agency is not one
    ("Lâm Đồng có những văn bản nào về ma túy?", ("ma túy", None)),
    ("Ở tỉnh Cao Bằng có chỉ thị nào về kỷ luật không?", ("kỷ luật", "Chỉ thị")),
    ("Sở Nội vụ có những văn bản nào về cải cách?", None),
])
def test_which_documents_are_about_a_topic_is_asked_as_a_listing(question, topic):
    from assistant.answer.issued import listing_province, topic_asked

    assert topic_asked(question) == topic
    assert listing_province(question) == ("Lâm Đồng" if question.startswith("Lâm Đồng") else
                                          "Cao Bằng" if "Cao Bằng" in question else None)


def test_what_became_of_a_province_is_answered_from_the_reorganisation_data(provinces):
    """"Đắk Nông sáp nhập vào tỉnh nào?": from the data the province filter uses, said to be that,
    with the loaded documents of the old province counted; a body's question is not this one."""
    merged = provinces.ask("Đắk Nông sáp nhập vào tỉnh nào?")
    assert not merged.refused and not merged.citations
    assert merged.text.startswith("- Tỉnh Đắk Nông (cũ) đã hợp nhất vào **tỉnh Lâm Đồng** (cùng Bình Thuận) từ ngày "
                                  "01/07/2025; văn bản đã nạp của tỉnh Đắk Nông (cũ): 1.")
    assert "không phải từ các văn bản đã nạp" in merged.text
    made_of = provinces.ask("Tỉnh Lâm Đồng mới gồm những tỉnh nào?")
    assert made_of.text.startswith("- **Tỉnh Lâm Đồng** từ ngày 01/07/2025 gồm tỉnh Lâm Đồng và các tỉnh Bình Thuận, "
                                   "Đắk Nông (cũ)")
    assert provinces.ask("Cao Bằng có sáp nhập không?").text.startswith("- **Tỉnh Cao Bằng** giữ nguyên")
    from assistant.answer.reorganised import province_reorganised
    assert province_reorganised("Sở Nội vụ tỉnh Lâm Đồng hợp nhất những phòng nào?", {}) is None
    assert province_reorganised("Sở Nội vụ Lâm Đồng phải làm gì?", {}) is None
