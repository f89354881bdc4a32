"""Duties from task-table rows: the column headers say who leads, who helps, who monitors, by when."""
import pytest

from core.types import Document, Header
from ingest.chunk import ClauseChunker
from ingest.duties import DutyExtractor
from ingest.layout import layout
from ingest.task_table import cells, column_kind, parse_row


@pytest.mark.parametrize("header, kind", [
    ("Cơ quan chủ trì", "lead"), ("Chủ trì", "lead"), ("Đơn vị thực hiện", "lead"),
    ("Cơ quan phối hợp", "partner"), ("Phối hợp", "partner"),
    ("Theo dõi, kiểm tra, đôn đốc", "monitor"),
    ("Thời gian hoàn thành", "deadline"), ("Thời gian thực hiện", "deadline"), ("Thời hạn", "deadline"),
    ("Nhiệm vụ", "task"), ("Nội dung thực hiện", "task"), ("Sản phẩm", "product"),
    ("STT", None), ("Họ và tên", None), ("Chủ trì, phối hợp", "lead+partner"),
    ("Cơ quan chủ trì/phối hợp", "lead+partner"),
])
def test_column_kinds_come_from_header_words(header, kind):
    assert column_kind(header) == kind


def test_cells_split_on_headers_not_on_every_semicolon():
    row = "STT: 2; Nhiệm vụ: Rà soát; cập nhật dữ liệu: dân cư; Cơ quan chủ trì: Sở Nội vụ"
    assert cells(row)[0] == ("STT", "2")
    assert ("Cơ quan chủ trì", "Sở Nội vụ") in cells(row)


def test_parse_row_reads_task_roles_and_deadline():
    row = parse_row("STT: 1; Nhiệm vụ: Rà soát thủ tục hành chính; Cơ quan chủ trì: Sở Nội vụ; "
                    "Cơ quan phối hợp: Các sở, ban, ngành; Thời gian hoàn thành: Quý II/2026")
    assert (row.task, row.deadline) == ("Rà soát thủ tục hành chính", "Quý II/2026")
    assert row.actors == (("chủ trì", "Sở Nội vụ"), ("phối hợp", "Các sở, ban, ngành"))
    assert row.is_assignment
    assert not parse_row("STT: 3; Họ và tên: X; Chức vụ: Phó Giám đốc").is_assignment


def _doc(lines: list[str], rows: dict[int, tuple[int, int]]) -> Document:
    text = "\n".join(lines)
    offsets, at = [], 0
    for line in lines:
        offsets.append(at)
        at += len(line) + 1
    row_marks = tuple((offsets[i], t, r) for i, (t, r) in rows.items())
    return Document(source="/x/ke-hoach.docx", name="ke-hoach.docx", text=text, header=Header(province="Lâm Đồng"),
                    content_hash="h", layout=layout(text, row_marks), format="docx", rows=row_marks)


def test_each_row_gives_one_duty_per_lead_partner_and_monitor_with_the_row_deadline():
    lines = ["KẾ HOẠCH", "Cải cách hành chính năm 2026", "I. NHIỆM VỤ", "Phân công như sau:",
             "STT: 1; Nhiệm vụ: Số hóa hồ sơ; Cơ quan chủ trì: Sở Khoa học và Công nghệ; "
             "Cơ quan phối hợp: Sở Nội vụ, Văn phòng UBND tỉnh; Thời gian hoàn thành: trước ngày 30/6/2026",
             "STT: 2; Nhiệm vụ: Đánh giá chỉ số; Chủ trì: Sở Nội vụ; Theo dõi, đôn đốc: Văn phòng UBND tỉnh; "
             "Thời gian hoàn thành: hằng năm",
             "STT: 3; Họ và tên: Nguyễn Văn A; Chức vụ: Giám đốc"]
    doc = _doc(lines, {4: (1, 1), 5: (1, 2), 6: (1, 3)})
    chunks = ClauseChunker().chunk(doc)
    duties = DutyExtractor().extract(doc, chunks)
    got = {(d.actor, d.role, d.time.text) for d in duties}
    assert ("Sở Khoa học và Công nghệ", "chủ trì", "trước ngày 30/6/2026") in got
    assert ("Sở Nội vụ", "phối hợp", "trước ngày 30/6/2026") in got
    assert ("Văn phòng UBND tỉnh", "phối hợp", "trước ngày 30/6/2026") in got
    assert ("Sở Nội vụ", "chủ trì", "hằng năm") in got
    assert ("Văn phòng UBND tỉnh", "theo dõi, đôn đốc", "hằng năm") in got
    assert not any(d.clause.endswith("dòng 3") for d in duties), "a table of names assigns nothing"
    assert all(d.action in ("Số hóa hồ sơ", "Đánh giá chỉ số") for d in duties)


@pytest.mark.parametrize("cell, actors", [
    ("Sở Nội vụ chủ trì, phối hợp với các sở, ngành", [("chủ trì", "Sở Nội vụ"), ("phối hợp", "các sở, ngành")]),
    ("Sở Nội vụ (chủ trì); Sở Tài chính (phối hợp); Văn phòng UBND tỉnh",
     [("chủ trì", "Sở Nội vụ"), ("phối hợp", "Sở Tài chính"), ("phối hợp", "Văn phòng UBND tỉnh")]),
    ("Sở Nội vụ; các sở, ngành, địa phương", [("chủ trì, phối hợp", "Sở Nội vụ; các sở, ngành, địa phương")]),
])
def test_a_cell_of_one_lead_and_partner_column_says_who_is_which(cell, actors):
    assert list(parse_row(f"STT: 1; Nhiệm vụ: Rà soát; Cơ quan chủ trì, phối hợp: {cell}").actors) == actors


def test_a_lead_and_partner_column_without_role_words_names_the_lead_first():
    lines = ["KẾ HOẠCH", "Cải cách hành chính năm 2026", "I. NHIỆM VỤ", "Phân công như sau:",
             "STT: 1; Nhiệm vụ: Số hóa hồ sơ; Cơ quan chủ trì, phối hợp: Sở Nội vụ; Văn phòng UBND tỉnh; "
             "Thời gian hoàn thành: Quý II/2026"]
    doc = _doc(lines, {4: (1, 1)})
    duties = DutyExtractor().extract(doc, ClauseChunker().chunk(doc))
    assert {(d.actor, d.role) for d in duties} == {("Sở Nội vụ", "chủ trì"), ("Văn phòng UBND tỉnh", "phối hợp")}


def test_a_cell_is_split_by_the_recognizer_that_reads_the_text():
    """Bodies the alias table does not list (any "Trung tâm …", "Tổ giúp việc") are split apart,
    a name the recognizer stops inside runs on to the next one, and a role word in the cell is not
    part of the name."""
    lines = ["KẾ HOẠCH", "Chuyển đổi số năm 2026", "I. NHIỆM VỤ", "Phân công như sau:",
             "STT: 1; Nhiệm vụ: Nâng cấp cổng dịch vụ công; Cơ quan chủ trì: Trung tâm Công nghệ thông tin tỉnh; "
             "Cơ quan phối hợp: Trung tâm Phục vụ hành chính công, Tổ giúp việc và các cơ quan liên quan; "
             "Thời gian hoàn thành: Quý III/2026",
             "STT: 2; Nhiệm vụ: Tập huấn chữ ký số; Cơ quan thực hiện: Sở Nội vụ chủ trì; các sở, ngành phối hợp; "
             "Thời gian hoàn thành: tháng 10/2026"]
    doc = _doc(lines, {4: (1, 1), 5: (1, 2)})
    duties = DutyExtractor().extract(doc, ClauseChunker().chunk(doc))
    first = [(d.actor_text, d.role) for d in duties if d.clause.endswith("dòng 1")]
    assert first == [("Trung tâm Công nghệ thông tin tỉnh", "chủ trì"),
                     ("Trung tâm Phục vụ hành chính công", "phối hợp"),
                     ("Tổ giúp việc", "phối hợp"), ("các cơ quan liên quan", "phối hợp")]
    assert [d.actor_text for d in duties if d.clause.endswith("dòng 2")] == ["Sở Nội vụ", "các sở, ngành"]


def test_a_task_whose_columns_are_labelled_lines_under_it_reads_as_a_row():
    """Kế hoạch of many provinces write a task table as list items: the task, then "- Đơn vị chủ trì:
    …", "- Đơn vị phối hợp: …", "- Thời gian hoàn thành: …". The lines belong to the task's clause, which
    reads on its own, and give its duties as a row would; "X là cơ quan thường trực, theo dõi …" charges X."""
    from ingest.task_table import attribute_line, labelled_task
    from tests.ingest.test_chunk import doc_from_text

    assert attribute_line("- Đơn vị chủ trì: Sở Nội vụ.") == ("Đơn vị chủ trì", "Sở Nội vụ")
    assert attribute_line("- Địa điểm: Hội trường UBND tỉnh.") is None        # no column of a task table
    assert labelled_task("Rà soát thủ tục\n- Thời gian hoàn thành: Quý II/2026.") is None   # nobody leads
    text = """ỦY BAN NHÂN DÂN
THÀNH PHỐ HÀ NỘI
Số: 112/KH-UBND
Hà Nội, ngày 15 tháng 3 năm 2026
KẾ HOẠCH
Chuyển đổi số năm 2026
I. NHIỆM VỤ CỤ THỂ
1. Xây dựng cơ sở dữ liệu cán bộ, công chức của Thành phố
- Đơn vị chủ trì: Sở Nội vụ.
- Đơn vị phối hợp: Sở Khoa học và Công nghệ; UBND các xã, phường.
- Thời gian hoàn thành: Quý III/2026.
2. Bảo đảm an toàn thông tin mạng
- Chủ trì: Công an Thành phố.
- Thời gian hoàn thành: Thường xuyên.
II. TỔ CHỨC THỰC HIỆN
1. Sở Khoa học và Công nghệ là cơ quan thường trực, theo dõi, đôn đốc, tổng hợp kết quả, báo cáo UBND Thành phố hằng năm.
"""
    doc = doc_from_text(text)
    chunks = ClauseChunker().chunk(doc)
    first = next(c for c in chunks if c.clause == "Phần I, Mục 1")
    assert first.text.endswith("- Thời gian hoàn thành: Quý III/2026.") and "Đơn vị chủ trì: Sở Nội vụ" in first.text
    assert not any(c.clause.startswith("Phần I, Mục 1, gạch đầu dòng") for c in chunks)
    got = {(d.actor, d.role, d.time.text, d.clause) for d in DutyExtractor().extract(doc, chunks)}
    assert ("Sở Nội vụ", "chủ trì", "Quý III/2026", "Phần I, Mục 1") in got
    assert ("Sở Khoa học và Công nghệ", "phối hợp", "Quý III/2026", "Phần I, Mục 1") in got
    assert ("UBND các xã, phường", "phối hợp", "Quý III/2026", "Phần I, Mục 1") in got
    assert ("Công an Thành phố", "chủ trì", "Thường xuyên", "Phần I, Mục 2") in got
    assert any(a == "Sở Khoa học và Công nghệ" and r == "theo dõi, đôn đốc" and c == "Phần II, Mục 1"
               for a, r, _, c in got), got
    assert not any(a.startswith("Đơn vị") for a, *_ in got)
