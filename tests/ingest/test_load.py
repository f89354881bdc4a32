"""Loading and cleaning: decoding, conversion artefacts, page breaks, NFC."""
from __future__ import annotations

import codecs
import unicodedata

import pytest

from core.errors import InputFileError
from ingest.load import clean_text, find_directive_files, load_directive, scan_directive_files

TEXT = "Số: 10331/UBND-KSTT\nNghệ An, ngày 31 tháng 12 năm 2021\nV/v chấp hành kỷ luật, kỷ cương\n" \
       "Kính gửi: Các sở, ban, ngành\n1. Giao Sở Nội vụ chủ trì, phối hợp với Văn phòng UBND tỉnh.\n"


def cleaned(text: str) -> str:
    return clean_text(text)[0]


# --- conversion artefacts -----------------------------------------------------------------------

def test_bookmarks_removed_at_line_start_and_inline():
    text = cleaned("[bookmark: bookmark2]3. Sở Nội vụ\n- Chủ trì, tổng hợp; [bookmark: _GoBack]báo cáo kết quả.")
    assert text == "3. Sở Nội vụ\n- Chủ trì, tổng hợp; báo cáo kết quả."


def test_markdown_heading_mark_removed_and_line_recorded():
    text, headings = clean_text("Mở đầu văn bản.\n\n## 2. Giao Văn phòng UBND tỉnh\n\n- Theo dõi, đôn đốc.")
    assert "#" not in text
    assert [text[o:].split("\n")[0] for o in headings] == ["2. Giao Văn phòng UBND tỉnh"]


def test_whole_bold_line_unmarked_and_recorded_as_heading():
    text, headings = clean_text("Mở đầu văn bản.\n**1. Yêu cầu Giám đốc các sở**\n- Tăng cường quán triệt.")
    assert "*" not in text
    assert [text[o:].split("\n")[0] for o in headings] == ["1. Yêu cầu Giám đốc các sở"]


def test_heading_and_bold_together():
    text, headings = clean_text("## **3. Giao Sở Nội vụ**\n- Chủ trì kiểm tra công vụ.")
    assert text == "3. Giao Sở Nội vụ\n- Chủ trì kiểm tra công vụ."
    assert headings == (0,)


def test_bold_inside_a_line_unmarked_but_not_a_heading():
    text, headings = clean_text("Mở đầu.\n**4. Báo Thanh Hóa** phối hợp với các cơ quan đưa tin kịp thời.")
    assert text == "Mở đầu.\n4. Báo Thanh Hóa phối hợp với các cơ quan đưa tin kịp thời."
    assert headings == ()


def test_bold_spanning_two_lines_is_unmarked():
    assert cleaned("**KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH**\n\nLê Ngọc Hoa") == "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nLê Ngọc Hoa"


def test_heading_offsets_follow_removed_lines(data_file):
    doc = load_directive(data_file("cong-van-loi-chuyen-doi.txt"))
    assert [doc.text[o:].split("\n")[0] for o in doc.heading_lines] == ["1. Giao Sở Nội vụ"]


@pytest.mark.parametrize("line", ["CD_trachnhiemcongvu", "CV_chan_chinh_ky_luat", "bao_cao.docx", "Chi-thi-12.pdf"])
def test_stray_file_name_line_removed(line):
    assert cleaned(f"Yêu cầu các cơ quan thực hiện./.\n\n{line}\n\nNơi nhận:") == \
        "Yêu cầu các cơ quan thực hiện./.\n\nNơi nhận:"


@pytest.mark.parametrize("line", ["Lê Ngọc Hoa", "Nguyễn Văn Út", "CHỦ TỊCH", "Lưu: VT, KSTT (Nam).",
                                  "- Phòng: THKSTTHC+KTTC+VHXH;", "ICTlongan", "Số: 10331/UBND-KSTT"])
def test_ordinary_line_kept(line):
    assert cleaned(f"Mở đầu.\n{line}\nKết thúc.") == f"Mở đầu.\n{line}\nKết thúc."


def test_blank_line_runs_collapsed_and_ends_trimmed():
    assert cleaned("\n\n\nSố: 1/UBND-VP\n\n\n\nV/v kỷ luật\n \n\n") == "Số: 1/UBND-VP\n\nV/v kỷ luật"


def test_tabs_and_non_breaking_spaces_become_spaces():
    assert cleaned("Kính\tgửi:\u00a0Các sở") == "Kính gửi: Các sở"


def test_zero_width_characters_removed():
    assert cleaned("Sở\u200b Nội\u200d vụ") == "Sở Nội vụ"


# --- page breaks --------------------------------------------------------------------------------

def test_paragraph_cut_by_page_break_rejoined():
    text = cleaned("- Thường xuyên tổ chức kiểm tra việc\n\nthực hiện kỷ luật, kỷ cương hành chính.")
    assert text == "- Thường xuyên tổ chức kiểm tra việc thực hiện kỷ luật, kỷ cương hành chính."


def test_paragraph_cut_without_blank_line_rejoined():
    assert cleaned("các cơ quan, đơn vị trực\nthuộc; kiểm tra những vấn đề.") == \
        "các cơ quan, đơn vị trực thuộc; kiểm tra những vấn đề."


@pytest.mark.parametrize("item", ["a) Nội dung, công việc trình phải đúng thẩm quyền.",
                                  "đ) Đối với hồ sơ trình yêu cầu ý kiến.",
                                  "- Văn bản trình của cơ quan chuyên môn.",
                                  "+ Tuyên truyền để người dân chủ động phòng bệnh."])
def test_list_item_after_unfinished_line_not_joined(item):
    text = cleaned(f"4. Lưu ý một số nội dung cụ thể như sau\n\n{item}")
    assert text == f"4. Lưu ý một số nội dung cụ thể như sau\n\n{item}"


def test_line_starting_in_upper_case_not_joined():
    assert cleaned("1. Thủ trưởng các sở, ban, ngành\nChủ tịch UBND các huyện") == \
        "1. Thủ trưởng các sở, ban, ngành\nChủ tịch UBND các huyện"


def test_finished_sentence_not_joined():
    assert cleaned("Chấp hành nghiêm quy định.\n\nthực hiện tốt nhiệm vụ.") == \
        "Chấp hành nghiêm quy định.\n\nthực hiện tốt nhiệm vụ."


# --- encodings and Unicode ----------------------------------------------------------------------

def _write(tmp_path, raw: bytes, name: str = "cong-van.txt"):
    path = tmp_path / name
    path.write_bytes(raw)
    return path


@pytest.mark.parametrize("encode", [
    pytest.param(lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), id="utf-8-bom"),
    pytest.param(lambda t: t.encode("utf-16"), id="utf-16"),
    pytest.param(lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"), id="utf-16-le-bom"),
    pytest.param(lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), id="utf-16-be-bom"),
])
def test_bom_encodings_decode_like_utf8(tmp_path, encode):
    plain = load_directive(_write(tmp_path, TEXT.encode("utf-8"), "plain.txt"))
    other = load_directive(_write(tmp_path, encode(TEXT), "other.txt"))
    assert other.text == plain.text
    assert other.header == plain.header
    assert "\ufeff" not in other.text


def test_output_is_nfc_for_nfd_input(tmp_path):
    nfd = unicodedata.normalize("NFD", TEXT)
    assert nfd != TEXT
    doc = load_directive(_write(tmp_path, nfd.encode("utf-8")))
    assert unicodedata.is_normalized("NFC", doc.text)
    assert doc.text == load_directive(_write(tmp_path, TEXT.encode("utf-8"), "nfc.txt")).text


def test_crlf_and_cr_become_lf(tmp_path):
    crlf = load_directive(_write(tmp_path, TEXT.replace("\n", "\r\n").encode("utf-8"), "crlf.txt"))
    cr = load_directive(_write(tmp_path, TEXT.replace("\n", "\r").encode("utf-8"), "cr.txt"))
    lf = load_directive(_write(tmp_path, TEXT.encode("utf-8"), "lf.txt"))
    assert "\r" not in crlf.text
    assert crlf.text == cr.text == lf.text


def test_sample_is_clean(sample):
    doc = load_directive(sample)
    assert unicodedata.is_normalized("NFC", doc.text)
    for artefact in ("[bookmark", "**", "## ", "\r", "\t", "CD_trachnhiemcongvu"):
        assert artefact not in doc.text


def test_document_fields(data_file):
    path = data_file("cong-van-loi-chuyen-doi.txt")
    doc = load_directive(path)
    assert (doc.name, doc.source) == (path.name, str(path.resolve()))
    assert len(doc.content_hash) == 64
    assert doc.header.number == "305/UBND-VP"
    assert "kiểm tra việc thực hiện kỷ luật" in doc.text


# --- refused input ------------------------------------------------------------------------------

def test_windows_1258_bytes_are_converted_to_unicode(tmp_path):
    from tests.test_bad_input import cp1258  # base letter + combining tone byte, as Windows-1258 stores it
    doc = load_directive(_write(tmp_path, cp1258("Công văn gửi Sở Tài chính về kiểm tra công vụ")))
    assert doc.text == "Công văn gửi Sở Tài chính về kiểm tra công vụ"
    assert any("CP1258" in note for note in doc.notes)


def test_binary_file_refused(tmp_path):
    with pytest.raises(InputFileError, match="nhị phân|binary"):
        load_directive(_write(tmp_path, b"PK\x03\x04\x00\x00binary"))


def test_empty_file_refused(tmp_path):
    with pytest.raises(InputFileError, match="rỗng|empty"):
        load_directive(_write(tmp_path, "\n [bookmark: x] \n\n".encode("utf-8")))


def test_unsupported_suffix_refused(tmp_path):
    with pytest.raises(InputFileError, match=r"\.docx"):
        load_directive(_write(tmp_path, b"x", "cong-van.docx"))


def test_missing_file_refused(tmp_path):
    with pytest.raises(InputFileError):
        load_directive(tmp_path / "khong-co.txt")


def test_find_directive_files_sorted_supported_and_not_hidden(tmp_path):
    for name in ("b.txt", "a.md", "c.pdf", "e.docx", ".git/x.txt", "sub/d.txt", "map.json", "bang.xlsx",
                 "anh/thumb.png"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = find_directive_files([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.md", "b.txt", "c.pdf", "e.docx", "sub/d.txt"]
    found, skipped = scan_directive_files([tmp_path])
    assert sorted(p.relative_to(tmp_path).as_posix() for p, _ in skipped) == ["anh/thumb.png", "bang.xlsx", "map.json"]
    assert all(reason for _, reason in skipped)
