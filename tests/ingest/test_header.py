"""Header and signature block: golden output over the samples, plus focused cases."""
from __future__ import annotations

from dataclasses import asdict

import pytest

from ingest.header import layout, parse_header
from ingest.load import clean_text, load_directive


def header_of(text: str):
    return parse_header(clean_text(text)[0])


# --- golden ---------------------------------------------------------------------------------

def test_header_matches_golden(sample, golden):
    golden("headers.json", asdict(load_directive(sample).header), key=sample.name)


# --- số hiệu ---------------------------------------------------------------------------------

def test_number_with_so_filled_in():
    assert header_of("Số: 10331/UBND-KSTT\nNghệ An, ngày 31 tháng 12 năm 2021\nV/v kỷ luật").number \
        == "10331/UBND-KSTT"


def test_number_keeps_symbol_when_so_is_blank():
    assert header_of("Số: /UBND-THKH\n\nThanh Hóa, ngày tháng năm 2022\n\nV/v kỷ luật").number == "/UBND-THKH"


def test_number_and_place_on_one_line():
    h = header_of("Số: /UBND-THKSTTHC Long An, ngày tháng 12 năm 2021\nV/v trách nhiệm công vụ")
    assert (h.number, h.place, h.province) == ("/UBND-THKSTTHC", "Long An", "Long An")


def test_no_number_line_gives_none():
    assert header_of("CHỈ THỊ\nVỀ TĂNG CƯỜNG KỶ LUẬT\nNội dung chỉ thị.").number is None


# --- ngày ban hành ----------------------------------------------------------------------------

def test_full_date_is_iso():
    h = header_of("Số: 1/UBND-VP\nNghệ An, ngày 31 tháng 12 năm 2021\nV/v kỷ luật")
    assert (h.date, h.date_text) == ("2021-12-31", "ngày 31 tháng 12 năm 2021")


def test_blank_day_gives_year_and_month():
    assert header_of("Số: /UBND-VP\nLong An, ngày tháng 12 năm 2021\nV/v kỷ luật").date == "2021-12"


def test_blank_day_and_month_gives_year_only():
    h = header_of("Số: /UBND-THKH\nThanh Hóa, ngày tháng năm 2022\nV/v kỷ luật")
    assert (h.date, h.date_text) == ("2022", "ngày tháng năm 2022")


# --- loại văn bản, trích yếu --------------------------------------------------------------------

def test_cong_van_subject_from_v_v_line_without_final_full_stop():
    h = header_of("Số: /UBND-THKH\nThanh Hóa, ngày tháng năm 2022\n"
                  "V/v nâng cao trách nhiệm của người đứng đầu.\nKính gửi: Các sở, ngành")
    assert (h.doc_type, h.subject) == ("Công văn", "nâng cao trách nhiệm của người đứng đầu")


def test_subject_wrapped_over_lines_is_joined():
    h = header_of("Số: 10331/UBND-KSTT\n\nNghệ An, ngày 31 tháng 12 năm 2021\n\n"
                  "V/v chấp hành kỷ luật, kỷ cương\nhành chính trong các cơ quan,\nđơn vị năm 2022\n\n"
                  "Kính gửi: Các sở, ban, ngành")
    assert h.subject == "chấp hành kỷ luật, kỷ cương hành chính trong các cơ quan, đơn vị năm 2022"


def test_chi_thi_title_in_sentence_case_keeps_province_capitalised():
    h = header_of("CHỈ THỊ\nVỀ TĂNG CƯỜNG KỶ LUẬT, KỶ CƯƠNG TỈNH CAO BẰNG\nTrong những năm qua, tỉnh đã làm tốt.")
    assert (h.doc_type, h.subject) == ("Chỉ thị", "về tăng cường kỷ luật, kỷ cương tỉnh Cao Bằng")


def test_doc_type_from_symbol_when_no_type_line():
    h = header_of("Số: 15/KH-UBND\nBắc Giang, ngày 02 tháng 3 năm 2023\nCác cơ quan triển khai thực hiện.")
    assert h.doc_type == "Kế hoạch"


def test_quoc_hieu_and_tieu_ngu_do_not_end_the_header(data_file):
    doc = load_directive(data_file("quyet-dinh-dieu-khoan.txt"))
    h = doc.header
    assert (h.number, h.doc_type, h.date, h.province) == ("27/2023/QĐ-UBND", "Quyết định", "2023-06-12", "Hà Tĩnh")
    assert h.subject == "ban hành quy chế tiếp nhận, xử lý phản ánh, kiến nghị của người dân"


def test_first_roman_section_is_not_swallowed_by_the_header(data_file):
    doc = load_directive(data_file("ke-hoach-phan-muc.txt"))
    assert layout(doc.text).header_end <= doc.text.index("I. MỤC ĐÍCH, YÊU CẦU")
    assert doc.header.subject == "triển khai công tác cải cách hành chính năm 2023"


# --- kính gửi, nơi nhận, người ký ----------------------------------------------------------------

def test_recipients_from_kinh_gui_list():
    h = header_of("Số: 1/UBND-VP\nV/v kỷ luật\n\nKính gửi:\n\n- Giám đốc các sở;\n"
                  "- Chủ tịch UBND các huyện, thị xã.\n\nThời gian qua, các cơ quan đã làm tốt.")
    assert h.recipients == ("Giám đốc các sở", "Chủ tịch UBND các huyện, thị xã")


def test_recipient_inline_after_kinh_gui():
    h = header_of("Số: 1/UBND-VP\nV/v kỷ luật\nKính gửi: Các sở, ban, ngành tỉnh\nThời gian qua, các cơ quan đã làm tốt.")
    assert h.recipients == ("Các sở, ban, ngành tỉnh",)


def test_body_is_not_taken_for_recipients():
    h = header_of("Số: 1/UBND-VP\nV/v kỷ luật\nKính gửi:\n- Các sở.\n\n"
                  "Thời gian qua, việc chấp hành kỷ luật, kỷ cương hành chính trong các cơ quan, đơn vị trên địa "
                  "bàn tỉnh đã có chuyển biến rõ nét trong nhận thức và hành động của người đứng đầu cơ quan.")
    assert h.recipients == ("Các sở",)


def test_signer_and_deputy_title():
    h = header_of("Số: 1/UBND-VP\nV/v kỷ luật\nKính gửi: Các sở\nNội dung văn bản./.\n"
                  "Nơi nhận:\n- Như trên;\n- Lưu: VT.\n\n**KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH**\n\nLê Ngọc Hoa")
    assert (h.signer, h.signer_title) == ("Lê Ngọc Hoa", "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH")
    assert h.cc == ("Như trên", "Lưu: VT")


def test_a_scanned_signature_read_as_noise_lies_between_title_and_name():
    """Tesseract reads a signature's scribble as a short line or two of noise (names made up); OCR'd
    pages keep their lines, so the text goes to the parser as laid out."""
    h = parse_header("Số: 1/TB-HĐND\nV/v kết luận\nNội dung văn bản./.\n"
                  "Nơi nhận:\n- TT. HĐND huyện;\n- Lưu: VT.\nTM. THƯỜNG TRỰC HĐND\nKT.CHU TỊCH\nPHÓ CHU TỊCH\n"
                  "dướt\nZ+t/Z Z\nTrần Văn Bình")
    assert (h.signer, h.signer_title) == ("Trần Văn Bình", "TM. THƯỜNG TRỰC HĐND / KT.CHU TỊCH / PHÓ CHU TỊCH")
    # noise alone is never taken for a name, nor a long line after it
    for tail in ("dướt\nZ+t/Z Z", "dướt\nPhụ lục kèm theo văn bản này gồm các biểu mẫu"):
        h = parse_header("Số: 1/TB-HĐND\nV/v kết luận\nNội dung văn bản./.\nNơi nhận:\n- Lưu: VT.\n"
                      "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n" + tail)
        assert h.signer is None, tail


def test_no_signature_block_gives_no_signer():
    h = header_of("CHỈ THỊ\nVỀ KỶ LUẬT\nCác cơ quan triển khai thực hiện nghiêm túc Chỉ thị này./.")
    assert (h.signer, h.signer_title, h.cc) == (None, None, ())


def test_province_from_place_of_issue():
    assert header_of("Số: 1/UBND-VP\nThanh Hóa, ngày 02 tháng 3 năm 2023\nV/v kỷ luật").province == "Thanh Hóa"


def test_province_from_text_when_no_place():
    text = "CHỈ THỊ\nVỀ KỶ LUẬT\nCác cơ quan hành chính nhà nước tỉnh Cao Bằng thực hiện nghiêm túc."
    assert header_of(text).province == "Cao Bằng"


@pytest.mark.parametrize("place, province", [
    ("Đắk R'lấp", "Đắk Nông"), ("Đăk R lấp", "Đắk Nông"),   # OCR's spellings of one district
    ("Krông Nô", "Đắk Nông"), ("Đà Lạt", "Lâm Đồng"),
    ("Quảng Phú", None),                                     # a commune name many provinces have
    ("Lâm Đồng", None),                                      # a province, not a district
])
def test_the_province_of_a_district_place(place, province):
    from ingest.provinces import district_province

    assert district_province(place) == province


def test_a_district_letter_belongs_to_its_province_not_to_the_one_its_text_names_most():
    from ingest.header import find_province

    text = "Dịch tả lợn Châu Phi đã xuất hiện tại tỉnh Bình Phước, tỉnh Bình Phước giáp ranh huyện."
    assert find_province("Đắk R lắp", text) == "Đắk Nông"
    assert find_province(None, text) == "Bình Phước"


def test_a_central_body_s_document_belongs_to_no_province_wherever_it_is_signed():
    from ingest.header import find_province, is_central, parse_header

    text = ("BỘ NỘI VỤ\nSố: 5816/BNV-CCHC\nV/v bổ sung số liệu\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "Độc lập - Tự do - Hạnh phúc\nHà Nội, ngày 12 tháng 8 năm 2025\n"
            "Kính gửi: Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương.\n\n"
            "Đề nghị Ủy ban nhân dân tỉnh Lâm Đồng cập nhật số liệu.\n")
    header = parse_header(text)
    assert header.place == "Hà Nội" and header.issuer == "BỘ NỘI VỤ"
    assert header.province is None  # not Hà Nội, and not the province its text names
    for central in ("BỘ CÔNG AN / CỤC CẢNH SÁT ĐIỀU TRA TỘI PHẠM VỀ MA TÚY", "VĂN PHÒNG CHÍNH PHỦ",
                    "BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "BỘ CÔNG AN / TỔ CÔNG TÁC LIÊN NGÀNH TW",
                    "BAN CHỈ ĐẠO QUỐC GIA VỀ CHUYỂN ĐỔI SỐ"):
        assert is_central(central), central
    for local in ("BỘ CHỈ HUY QUÂN SỰ TỈNH LÂM ĐỒNG", "ỦY BAN NHÂN DÂN / TỈNH BÌNH THUẬN", "SỞ NỘI VỤ",
                  "UBND TỈNH LÂM ĐỒNG / BAN CHỈ ĐẠO QUỐC GIA", "HỘI ĐỒNG NHÂN DÂN / HUYỆN KRÔNG NÔ", None):
        assert not is_central(local), local
    assert find_province("Hà Nội", "", "ỦY BAN NHÂN DÂN / THÀNH PHỐ HÀ NỘI") == "Hà Nội"


def test_a_kinh_gui_list_that_runs_over_the_line_end_is_one_recipient():
    from ingest.header import parse_header

    text = ("BỘ CÔNG AN\nSố: 12/BCA-C04\nV/v rà soát cơ sở cai nghiện\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "Độc lập - Tự do - Hạnh phúc\nHà Nội, ngày 12 tháng 8 năm 2025\n"
            "Kính gửi: Ủy ban nhân dân các tỉnh, thành phố An Giang, Cần Thơ, Cà Mau, Cao Bằng, Bắc Ninh, "
            "Tuyên Quang, Sơn La, Phú\nThọ, Hưng Yên, Đồng Tháp.\n\n"
            "Thực hiện Nghị quyết số 163/2024/QH15, Bộ Công an đề nghị Ủy ban nhân dân các tỉnh rà soát.\n")
    header = parse_header(text)
    assert header.recipients == ("Ủy ban nhân dân các tỉnh, thành phố An Giang, Cần Thơ, Cà Mau, Cao Bằng, Bắc Ninh, "
                                 "Tuyên Quang, Sơn La, Phú Thọ, Hưng Yên, Đồng Tháp",)
    # a short single addressee without a closing mark is followed by the body, as before
    short = parse_header(text.replace(text[text.index("Kính gửi"):text.index("\n\nThực")], "Kính gửi: Sở Tài chính"))
    assert short.recipients == ("Sở Tài chính",)
    body_first = text.replace("Phú\nThọ, Hưng Yên, Đồng Tháp.", "Phú Thọ\nThực hiện Nghị quyết số 163/2024/QH15.")
    assert parse_header(body_first).recipients[-1].endswith("Sơn La, Phú Thọ")


def test_a_header_block_lost_is_told_by_the_signature_block():
    """A copy without its issuer lines: "TM. ỦY BAN NHÂN DÂN", or the Chủ tịch signing a letter of
    UBND's symbol, dated in a province, is that province's committee; nothing else is guessed."""
    from ingest.header import signed_for

    assert signed_for("TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH", "/UBND-THKSTTHC", "Long An", "Long An") \
        == "ỦY BAN NHÂN DÂN / TỈNH LONG AN"
    assert signed_for("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH", "10331/UBND-KSTT", "Nghệ An", "Nghệ An") \
        == "ỦY BAN NHÂN DÂN / TỈNH NGHỆ AN"
    assert signed_for("TM. HỘI ĐỒNG NHÂN DÂN / CHỦ TỊCH", "12/NQ-HĐND", "Hải Phòng", "Hải Phòng") \
        == "HỘI ĐỒNG NHÂN DÂN / THÀNH PHỐ HẢI PHÒNG"
    assert signed_for("KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC", "1468/STP-BTTP", "Lâm Đồng", "Lâm Đồng") is None  # which Sở?
    assert signed_for("CHỦ TỊCH", "15/BC-BCĐ", "Lâm Đồng", "Lâm Đồng") is None       # the Chủ tịch of what?
    assert signed_for("TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH", "/UBND", "Krông Nô", "Đắk Nông") is None   # a district's
    assert signed_for(None, "10/UBND", "Long An", "Long An") is None
    text = "Số: 12/UBND-VX\nLong An, ngày 05 tháng 3 năm 2026\nV/v kiểm tra\n1. Giao Sở Nội vụ kiểm tra.\n" \
           "Nơi nhận:\n- Như trên;\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nNguyễn Văn A\n"
    assert parse_header(text).issuer == "ỦY BAN NHÂN DÂN / TỈNH LONG AN"
    printed = "ỦY BAN NHÂN DÂN\nHUYỆN CẦN GIUỘC\n" + text   # a printed issuer is never replaced
    assert parse_header(printed).issuer == "ỦY BAN NHÂN DÂN / HUYỆN CẦN GIUỘC"


def test_a_cable_s_addressees_are_the_list_after_its_calls_line():
    """A công điện has no "Kính gửi": "CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN điện:" and the list after it
    are whom it is sent to."""
    text = ("ỦY BAN NHÂN DÂN\nHUYỆN ĐẮK R'LẤP\nSố: 34/CĐ-UBND\nĐắk R'lấp, ngày 17 tháng 5 năm 2019\n"
            "CÔNG ĐIỆN KHẨN\nVề việc tập trung chỉ đạo phòng, chống dịch tả lợn Châu Phi\n"
            "CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN điện:\n- Thủ trưởng các phòng, ban, đơn vị;\n- Trưởng Công an huyện;\n"
            "- Chủ tịch UBND các xã, thị trấn.\nBệnh Dịch tả lợn Châu Phi là bệnh truyền nhiễm nguy hiểm.\n"
            "1. Phòng Nông nghiệp tham mưu thành lập Ban chỉ đạo.\n")
    assert parse_header(text).recipients == ("Thủ trưởng các phòng, ban, đơn vị", "Trưởng Công an huyện",
                                             "Chủ tịch UBND các xã, thị trấn")
