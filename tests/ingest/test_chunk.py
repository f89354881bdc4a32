"""Clause chunking: goldens over the samples, invariants, and the clause tree on small
real-format texts (Phần I/II, Điều/khoản/điểm, gạch đầu dòng, headings, long clauses)."""
from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest

from core.types import Document
from ingest.chunk import ClauseChunker
from ingest.header import parse_header
from ingest.load import clean_text, load_directive

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "data" / "directives").glob("*.txt"))


def chunks_of(path: Path, **kwargs):
    return ClauseChunker(**kwargs).chunk(load_directive(path))


def doc_from_text(text: str) -> Document:
    cleaned, headings = clean_text(text)
    return Document(source="/virtual/van-ban.txt", name="van-ban.txt", text=cleaned,
                    header=parse_header(cleaned), content_hash="", heading_lines=headings)


def by_clause(chunks) -> dict:
    return {c.clause: c for c in chunks}


def body_clauses(chunks) -> list[str]:
    return [c.clause for c in chunks if c.kind == "clause"]


def summary(chunks) -> list[dict]:
    return [{"clause": c.clause, "kind": c.kind, "start": c.start, "end": c.end, "headings": list(c.headings),
             "text_head": c.text[:60]} for c in chunks]


def fingerprint(chunks) -> list[tuple]:
    return [(c.chunk_id, c.clause, c.start, c.end, c.text, c.headings) for c in chunks]


def rewrite_and_chunk(path: Path, text: str):
    path.write_text(text, encoding="utf-8", newline="")
    return ClauseChunker().chunk(load_directive(path))


# --- golden -------------------------------------------------------------------------------------

def test_chunks_match_golden(sample, golden):
    golden(f"{sample.stem}.chunks.json", summary(chunks_of(sample)))


# --- invariants over the samples ------------------------------------------------------------------

def test_chunk_text_is_the_slice_it_cites(sample):
    doc = load_directive(sample)
    for c in ClauseChunker().chunk(doc):
        assert doc.text[c.start:c.end] == c.text, c.clause


def test_nfd_file_gives_identical_chunks(sample, tmp_path):
    text = sample.read_text(encoding="utf-8")
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    path = tmp_path / sample.name  # same path both times: the doc id derives from it
    assert fingerprint(rewrite_and_chunk(path, nfd)) == fingerprint(rewrite_and_chunk(path, text))


def test_crlf_file_gives_identical_chunks(sample, tmp_path):
    text = sample.read_text(encoding="utf-8").replace("\r\n", "\n")
    path = tmp_path / sample.name
    crlf = rewrite_and_chunk(path, text.replace("\n", "\r\n"))
    assert fingerprint(crlf) == fingerprint(rewrite_and_chunk(path, text))


def test_chunk_ids_stable_across_runs(sample):
    assert [c.chunk_id for c in chunks_of(sample)] == [c.chunk_id for c in chunks_of(sample)]


def test_chunk_ids_unique(sample):
    ids = [c.chunk_id for c in chunks_of(sample)]
    assert len(ids) == len(set(ids))


def test_no_chunk_empty_or_padded(sample):
    for c in chunks_of(sample):
        assert c.text.strip(), c.clause
        assert c.text == c.text.strip(), c.clause


def test_chunks_in_order_and_disjoint(sample):
    spans = [(c.start, c.end) for c in chunks_of(sample)]
    assert spans == sorted(spans)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))


def test_no_line_lost(sample):
    """Every non-blank line is cited by some chunk, or is a heading carried by one."""
    doc = load_directive(sample)
    chunks = ClauseChunker().chunk(doc)
    headings = {h for c in chunks for h in c.headings}
    offset = 0
    for line in doc.text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        if line.strip():
            last = start + len(line.rstrip()) - 1
            assert line in headings or any(c.start <= last < c.end for c in chunks), line


def test_chunks_carry_document_metadata(sample):
    doc = load_directive(sample)
    h = doc.header
    assert h.province and h.doc_type
    for c in ClauseChunker().chunk(doc):
        assert (c.doc_id, c.document) == (doc.doc_id, doc.name)
        assert (c.title, c.number, c.province, c.date) == (h.title, h.number, h.province, h.date)


def test_parts_of_document_in_reading_order(sample):
    kinds = [c.kind for c in chunks_of(sample)]
    order = ["header", "preamble", "clause", "closing", "recipients", "signature"]
    assert kinds[0] == "header"
    assert [order.index(k) for k in kinds] == sorted(order.index(k) for k in kinds)


def test_chunk_id_changes_with_clause_text(tmp_path):
    sample = next(p for p in SAMPLES if p.name.startswith("long-an"))
    text = sample.read_text(encoding="utf-8")
    path = tmp_path / sample.name
    before = by_clause(rewrite_and_chunk(path, text))
    after = by_clause(rewrite_and_chunk(path, text.replace("Hồ sơ trình có nội dung mật", "Hồ sơ trình có nội dung tối mật")))
    assert after["Mục 4, điểm c"].chunk_id != before["Mục 4, điểm c"].chunk_id
    assert after["Mục 4, điểm a"].chunk_id == before["Mục 4, điểm a"].chunk_id


# --- the samples' clause paths --------------------------------------------------------------------

def sample_chunks(prefix: str) -> dict:
    return by_clause(chunks_of(next(p for p in SAMPLES if p.name.startswith(prefix))))


def test_thanh_hoa_bullet_under_bold_heading():
    c = sample_chunks("thanh-hoa")["Mục 3, gạch đầu dòng 1"]
    assert c.text.startswith("Chủ trì, phối hợp các ngành")
    assert "kiểm tra việc thực hiện kỷ luật" in c.text  # re-joined across the page break
    assert c.headings == ("3. Giao Sở Nội vụ",)


def test_thanh_hoa_item_with_bold_actor_is_one_clause():
    c = sample_chunks("thanh-hoa")["Mục 4"]
    assert c.text.startswith("Báo Thanh Hóa, Đài Phát thanh và Truyền hình Thanh Hóa")


def test_long_an_point_c_of_item_4():
    c = sample_chunks("long-an")["Mục 4, điểm c"]
    assert c.text.startswith("Hồ sơ trình có nội dung mật")
    assert c.headings[0].startswith("4. Có biện pháp, giải pháp cụ thể")


def test_long_an_bullets_under_point_d():
    chunks = sample_chunks("long-an")
    c = chunks["Mục 4, điểm d, gạch đầu dòng 4"]
    assert c.text.startswith("Các tài liệu cần thiết khác")
    assert c.headings[-1].startswith("d) Các cơ quan chuyên môn khi trình")
    assert "Mục 4, điểm d, gạch đầu dòng 5" not in chunks


def test_cao_bang_paragraph_after_3c_belongs_to_item_3():
    chunks = sample_chunks("cao-bang")
    assert chunks["Mục 3, đoạn 1"].text.startswith("Tiếp tục theo dõi, cập nhật thường xuyên")
    assert not any(clause.startswith("Mục 4") for clause in chunks)
    assert chunks["Mục 5, đoạn 1"].headings[0].startswith("5. Đài Phát thanh - Truyền hình tỉnh")


def test_nghe_an_preamble_bullets_hang_under_lead_in():
    chunks = chunks_of(next(p for p in SAMPLES if p.name.startswith("nghe-an")))
    bullets = [c for c in chunks if c.kind == "preamble" and "gạch đầu dòng" in c.clause]
    assert [c.clause for c in bullets] == [f"Phần mở đầu, đoạn 2, gạch đầu dòng {n}" for n in range(1, 6)]
    assert bullets[0].text.startswith("Một số cơ quan, đơn vị, tổ chức không có văn bản")
    assert all(c.headings[0].endswith("tồn tại, hạn chế như sau:") for c in bullets)


# --- structure on small real-format texts ---------------------------------------------------------

def test_paragraphs_after_a_point_ending_in_a_colon_hang_under_it():
    """"đ) Đối với việc …:" introduces the paragraphs below it: they are cited under the point and
    carry it as a heading; a paragraph after a point that does not end in ":" still belongs to the
    enclosing item."""
    chunks = by_clause(ClauseChunker().chunk(doc_from_text(
        "2. Về các kiến nghị của Nhà đầu tư\n"
        "a) Điều chỉnh tiến độ cấp vốn theo kế hoạch đã được phê duyệt.\n"
        "b) Đối với việc đánh giá hiệu quả kinh tế xã hội khi thu hồi khoáng sản trong phạm vi dự án:\n"
        "Đề nghị Nhà đầu tư khẩn trương nộp báo cáo đánh giá hiệu quả kinh tế xã hội.\n"
        "Giao Sở Nông nghiệp và Môi trường có trách nhiệm thẩm định hồ sơ do Nhà đầu tư nộp.\n"
        "c) Sở Tài chính rà soát nguồn vốn.\n"
        "Các cơ quan báo cáo kết quả trước ngày 30/6/2026.\n")))
    assert chunks["Mục 2, điểm b, đoạn 2"].text.startswith("Giao Sở Nông nghiệp và Môi trường")
    assert chunks["Mục 2, điểm b, đoạn 2"].headings[-1].startswith("b) Đối với việc đánh giá hiệu quả")
    assert chunks["Mục 2, đoạn 1"].text.startswith("Các cơ quan báo cáo kết quả")



def test_roman_sections_numbered_items_and_letters(data_file):
    chunks = chunks_of(data_file("ke-hoach-phan-muc.txt"))
    letters = ["a", "b", "c", "d", "đ", "e"]
    assert body_clauses(chunks) == (
        ["Phần I, Mục 1, điểm a", "Phần I, Mục 1, điểm b", "Phần I, Mục 2, đoạn 1"]
        + [f"Phần II, Mục 1, điểm {x}" for x in letters]
        + ["Phần II, Mục 2, đoạn 1", "Phần III, Mục 1", "Phần III, Mục 2"])
    c = by_clause(chunks)["Phần II, Mục 1, điểm đ"]
    assert c.text.startswith("Đẩy mạnh phổ biến, giáo dục pháp luật")
    assert c.headings == ("II. NHIỆM VỤ TRỌNG TÂM", "1. Cải cách thể chế")


def test_dieu_khoan_diem(data_file):
    chunks = chunks_of(data_file("quyet-dinh-dieu-khoan.txt"))
    assert body_clauses(chunks) == ["Điều 1", "Điều 2, khoản 1, điểm a", "Điều 2, khoản 1, điểm b",
                                    "Điều 2, khoản 2", "Điều 3"]
    c = by_clause(chunks)["Điều 2, khoản 1, điểm a"]
    assert c.text.startswith("Tiếp nhận phản ánh, kiến nghị qua Cổng dịch vụ công")
    assert c.headings == ("Điều 2. Trách nhiệm thi hành", "1. Văn phòng Ủy ban nhân dân tỉnh có trách nhiệm:")
    assert by_clause(chunks)["Điều 3"].text == "Quyết định này có hiệu lực kể từ ngày 01 tháng 7 năm 2023."


def test_can_cu_lines_are_preamble(data_file):
    chunks = chunks_of(data_file("quyet-dinh-dieu-khoan.txt"))
    preamble = [c.text for c in chunks if c.kind == "preamble"]
    assert preamble[0].startswith("Căn cứ Luật Tổ chức chính quyền địa phương")


def test_bullet_kinds_and_plus_sub_bullets(data_file):
    chunks = chunks_of(data_file("cong-van-gach-dau-dong.txt"))
    assert body_clauses(chunks) == [
        "Mục 1, gạch đầu dòng 1", "Mục 1, gạch đầu dòng 2",                        # •
        "Mục 2, gạch đầu dòng 1, gạch đầu dòng 1", "Mục 2, gạch đầu dòng 1, gạch đầu dòng 2",  # +
        "Mục 2, gạch đầu dòng 2"]                                                    # - after the + list
    sub = by_clause(chunks)["Mục 2, gạch đầu dòng 1, gạch đầu dòng 1"]
    assert sub.text == "Tuyên truyền để người dân chủ động phòng bệnh."
    assert sub.headings == ("2. UBND các huyện, thị xã, thành phố",
                            "- Chỉ đạo UBND cấp xã thực hiện các biện pháp sau:")
    assert by_clause(chunks)["Mục 1, gạch đầu dòng 1"].text.startswith("Theo dõi chặt chẽ diễn biến dịch bệnh")


def test_unnumbered_headings_from_markdown_and_bold(data_file):
    chunks = chunks_of(data_file("cong-van-tieu-de.md"))
    body = [c for c in chunks if c.kind == "clause"]
    assert [(c.clause, c.headings) for c in body] == [
        ("tiêu đề 1, đoạn 1", ("Về thời gian làm việc",)),
        ("tiêu đề 1, đoạn 2", ("Về thời gian làm việc",)),
        ("tiêu đề 2, gạch đầu dòng 1", ("Về văn hóa công sở",)),
        ("tiêu đề 2, gạch đầu dòng 2", ("Về văn hóa công sở",)),
    ]
    assert not any(c.text in ("Về thời gian làm việc", "Về văn hóa công sở") for c in chunks)


def test_bare_numbered_heading_is_not_a_chunk_of_its_own():
    chunks = by_clause(sample_chunks("thanh-hoa").values())
    assert "Mục 3" not in chunks
    assert "Mục 3, gạch đầu dòng 1" in chunks


# --- long clauses ---------------------------------------------------------------------------------

def test_long_clause_split_into_sentence_aligned_parts(data_file):
    path = data_file("cong-van-diem-dai.txt")
    whole = by_clause(chunks_of(path))["Mục 1, điểm a"]
    assert len(whole.text) > 300
    parts = [c for c in chunks_of(path, max_chars=300) if c.clause.startswith("Mục 1, điểm a")]
    assert [c.clause for c in parts] == ["Mục 1, điểm a (phần 1/2)", "Mục 1, điểm a (phần 2/2)"]
    doc = load_directive(path)
    assert (parts[0].start, parts[-1].end) == (whole.start, whole.end)
    for a, b in zip(parts, parts[1:]):
        assert doc.text[a.end:b.start].isspace()
    for c in parts:
        assert len(c.text) <= 300
        assert c.text.endswith(".") and c.text[0].isupper()
        assert c.headings == whole.headings == ("1. Giao Văn phòng UBND tỉnh",)


def test_sentence_longer_than_max_chars_stays_whole(data_file):
    path = data_file("cong-van-diem-dai.txt")
    whole = by_clause(chunks_of(path))["Mục 1, điểm a"]
    parts = [c for c in chunks_of(path, max_chars=60) if c.clause.startswith("Mục 1, điểm a")]
    sentences = [s if s.endswith(".") else s + "." for s in whole.text.split(". ")]
    assert [c.text for c in parts] == sentences  # each sentence > 60 chars: one part each, none cut


def test_short_clause_not_split(data_file):
    chunks = chunks_of(data_file("cong-van-diem-dai.txt"), max_chars=300)
    assert "Mục 1, điểm b" in by_clause(chunks)


def test_split_parts_have_distinct_ids(data_file):
    chunks = chunks_of(data_file("cong-van-diem-dai.txt"), max_chars=60)
    assert len({c.chunk_id for c in chunks}) == len(chunks)


# --- no structure / degenerate input --------------------------------------------------------------

def test_text_without_structure_still_chunked(data_file):
    chunks = chunks_of(data_file("ghi-chu-khong-cau-truc.txt"))
    assert [c.text for c in chunks] == [
        "Ghi chú cuộc họp giao ban tuần",
        "Các đơn vị báo cáo tiến độ công việc trong tuần và kế hoạch tuần tới.",
        "Văn phòng tổng hợp ý kiến, trình lãnh đạo xem xét."]


@pytest.mark.parametrize("text", [
    "CHỈ THỊ", "Kính gửi:", "Nơi nhận:\n- Như trên;", "1.\n2)\na)\n-", "Nguyễn Văn A", "./.",
    "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nLê Ngọc Hoa", "## **Tiêu đề**", "I.\nII.\nĐiều 1.",
    "- " + "rất dài không có dấu câu " * 300,
])
def test_degenerate_text_never_crashes(text):
    doc = doc_from_text(text)
    chunks = ClauseChunker(max_chars=200).chunk(doc)
    assert chunks
    for c in chunks:
        assert c.text.strip() and doc.text[c.start:c.end] == c.text


def test_shuffled_sample_lines_keep_the_invariants():
    lines = [line for p in SAMPLES for line in p.read_text(encoding="utf-8").splitlines()]
    lines += ["## **1. Tiêu đề đậm**", "+ Gạch cộng.", "• Gạch chấm.", "Điều 5. Hiệu lực", "II. NHIỆM VỤ", ""]
    rng = random.Random(20240601)
    for _ in range(150):
        doc = doc_from_text("\n".join(rng.sample(lines, rng.randint(1, 30))))
        if not doc.text:
            continue
        chunks = ClauseChunker(max_chars=rng.choice([120, 1500])).chunk(doc)
        assert len({c.chunk_id for c in chunks}) == len(chunks)
        for c in chunks:
            assert c.text.strip() and doc.text[c.start:c.end] == c.text


def test_an_appendix_is_cited_as_such_not_as_the_body():
    text = """ỦY BAN NHÂN DÂN
TỈNH MẪU SƠN
Số: 45/KH-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Mẫu Sơn, ngày 10 tháng 1 năm 2026
KẾ HOẠCH
Cải cách hành chính năm 2026
I. MỤC ĐÍCH
1. Nâng cao chất lượng phục vụ người dân.
II. TỔ CHỨC THỰC HIỆN
1. Sở Nội vụ theo dõi việc thực hiện Kế hoạch.
Nơi nhận:
- Như trên;
- Lưu: VT.
CHỦ TỊCH
Nguyễn Văn A
PHỤ LỤC I
DANH MỤC NHIỆM VỤ
I. CẢI CÁCH THỂ CHẾ
1. Rà soát văn bản quy phạm pháp luật.
PHỤ LỤC II
BIỂU MẪU BÁO CÁO
1. Mẫu báo cáo quý.
"""
    clauses = body_clauses(ClauseChunker().chunk(doc_from_text(text)))
    assert "Phần II, Mục 1" in clauses
    assert {"Phụ lục I, Phần I, Mục 1", "Phụ lục II, Mục 1"} <= set(clauses), clauses
    assert not any(c.startswith("Phần I, Mục 1") and "Rà soát" in c for c in clauses)


def test_an_appendix_after_a_signature_without_noi_nhan_is_cited_as_the_appendix():
    """A plan typed without its Nơi nhận: the signer's block ("TM. ỦY BAN NHÂN DÂN", the title, the
    name) still ends the body, and the "PHỤ LỤC" after it is the appendix, not more of the last item."""
    text = """ỦY BAN NHÂN DÂN
TỈNH MẪU SƠN
Số: 45/KH-UBND
Mẫu Sơn, ngày 10 tháng 2 năm 2026
KẾ HOẠCH
Cải cách hành chính năm 2026
I. TỔ CHỨC THỰC HIỆN
1. Sở Nội vụ theo dõi, tổng hợp báo cáo UBND tỉnh trước ngày 15/12/2026.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Nguyễn Văn A
PHỤ LỤC
DANH MỤC NHIỆM VỤ
1. Sở Tư pháp rà soát văn bản quy phạm pháp luật.
"""
    doc = doc_from_text(text)
    chunks = ClauseChunker().chunk(doc)
    assert doc.header.signer == "Nguyễn Văn A"
    assert [c.text for c in chunks if c.kind == "signature"] == ["TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nNguyễn Văn A"]
    clauses = body_clauses(chunks)
    assert "Phụ lục, Mục 1" in clauses and not any("CHỦ TỊCH" in c.text for c in chunks if c.kind == "clause")
    no_signer = text.replace("TM. ỦY BAN NHÂN DÂN\n", "")   # no authority line: "PHỤ LỤC" alone proves nothing
    assert not any(c.startswith("Phụ lục") for c in body_clauses(ClauseChunker().chunk(doc_from_text(no_signer))))
