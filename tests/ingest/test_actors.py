"""Who must act on a clause: heading, inline assignment, or the document's addressees."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.actors import actor_from_heading, actor_inline, actor_of
from ingest.chunk import ClauseChunker
from ingest.load import load_directive

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "data" / "directives").glob("*.txt"))
ADDRESSEES = ("Giám đốc các sở, cơ quan ngang sở", "Chủ tịch UBND các huyện, thị xã, thành phố")


def sample_clause(prefix: str, clause: str):
    doc = load_directive(next(p for p in SAMPLES if p.name.startswith(prefix)))
    chunk = next(c for c in ClauseChunker().chunk(doc) if c.clause == clause)
    return doc, chunk


# --- actor_from_heading ---------------------------------------------------------------------------

@pytest.mark.parametrize("heading, actor", [
    ("3. Giao Sở Nội vụ", "Sở Nội vụ"),
    ("3. Sở Nội vụ", "Sở Nội vụ"),
    ("2. Giao Văn phòng Ủy ban nhân dân tỉnh", "Văn phòng Ủy ban nhân dân tỉnh"),
    ("5. Chủ tịch UBND các huyện, thị xã, thành phố:", "Chủ tịch UBND các huyện, thị xã, thành phố"),
    ("2. Đối với cán bộ, công chức, viên chức, người lao động", "cán bộ, công chức, viên chức, người lao động"),
    ("1. Thủ trưởng các sở, ban, ngành; Chủ tịch UBND các huyện, thành phố",
     "Thủ trưởng các sở, ban, ngành; Chủ tịch UBND các huyện, thành phố"),
    ("b) Yêu cầu Thủ trưởng các cơ quan chuyên môn thực hiện", "Thủ trưởng các cơ quan chuyên môn"),
    ("- Sở Tài chính:", "Sở Tài chính"),
])
def test_actor_from_heading(heading, actor):
    assert actor_from_heading(heading) == actor


@pytest.mark.parametrize("heading", [
    "II. NHIỆM VỤ TRỌNG TÂM",
    "1. Mục đích",
    "1. Tiếp tục quán triệt đến toàn thể cán bộ, công chức.",
    "- Chỉ đạo UBND cấp xã thực hiện các biện pháp sau:",
    "Điều 2. Trách nhiệm thi hành",
])
def test_heading_without_actor(heading):
    assert actor_from_heading(heading) is None


# --- actor_inline ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, actor", [
    ("Giao Sở Nội vụ chủ trì, phối hợp với Văn phòng UBND tỉnh theo dõi, đôn đốc các sở, ngành.", "Sở Nội vụ"),
    ("Sở Nội vụ chủ trì, phối hợp với các cơ quan, đơn vị theo dõi việc thực hiện Kế hoạch này.", "Sở Nội vụ"),
    ("Yêu cầu Chủ tịch UBND các huyện, thị xã, thành phố thực hiện nghiêm túc Công văn này.",
     "Chủ tịch UBND các huyện, thị xã, thành phố"),
    ("Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh phối hợp giám sát.", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"),
    ("Các cơ quan hành chính nhà nước trên địa bàn tỉnh chủ động, tích cực triển khai thực hiện Chỉ thị này.",
     "Các cơ quan hành chính nhà nước trên địa bàn tỉnh"),
])
def test_actor_inline(text, actor):
    assert actor_inline(text) == actor


@pytest.mark.parametrize("text", [
    "Tăng cường quán triệt các quy định về kỷ luật, kỷ cương hành chính.",
    "Chủ trì, phối hợp các ngành, đơn vị liên quan tổ chức kiểm tra công vụ đột xuất.",
    "Quyết định này có hiệu lực kể từ ngày 01 tháng 7 năm 2023.",
    "",
])
def test_clause_without_inline_actor(text):
    assert actor_inline(text) is None


# --- actor_of -------------------------------------------------------------------------------------

def test_bullet_under_heading_takes_the_heading_actor():
    actor = actor_of("Chủ trì, phối hợp các ngành, đơn vị liên quan tổ chức kiểm tra công vụ đột xuất.",
                     ("3. Giao Sở Nội vụ",), ADDRESSEES, "clause")
    assert actor == "Sở Nội vụ"


def test_inline_actor_wins_over_heading():
    actor = actor_of("Giao Văn phòng UBND tỉnh chủ trì, theo dõi việc thực hiện.", ("3. Giao Sở Nội vụ",),
                     ADDRESSEES, "clause")
    assert actor == "Văn phòng UBND tỉnh"


def test_nearest_heading_with_an_actor_wins():
    headings = ("I. TỔ CHỨC THỰC HIỆN", "1. Sở Y tế", "- Giao Trung tâm Kiểm soát bệnh tật tỉnh:")
    assert actor_of("Theo dõi diễn biến dịch bệnh.", headings, ADDRESSEES, "clause") == \
        "Trung tâm Kiểm soát bệnh tật tỉnh"


def test_heading_without_actor_is_skipped_for_an_outer_one():
    headings = ("2. UBND các huyện, thị xã, thành phố", "- Chỉ đạo UBND cấp xã thực hiện các biện pháp sau:")
    assert actor_of("Tuyên truyền để người dân chủ động phòng bệnh.", headings, ADDRESSEES, "clause") == \
        "UBND các huyện, thị xã, thành phố"


def test_body_clause_without_actor_falls_back_to_addressees():
    assert actor_of("Tăng cường quán triệt các quy định.", (), ADDRESSEES, "clause") == \
        "Giám đốc các sở, cơ quan ngang sở; Chủ tịch UBND các huyện, thị xã, thành phố"


@pytest.mark.parametrize("kind", ["preamble", "closing", "header", "recipients", "signature"])
def test_no_addressee_fallback_outside_the_body(kind):
    assert actor_of("Tăng cường quán triệt các quy định.", (), ADDRESSEES, kind) is None


def test_no_actor_without_addressees():
    assert actor_of("Tăng cường quán triệt các quy định.", (), (), "clause") is None


# --- on the samples -------------------------------------------------------------------------------

def test_thanh_hoa_bullet_under_giao_so_noi_vu():
    doc, chunk = sample_clause("thanh-hoa", "Mục 3, gạch đầu dòng 1")
    assert actor_of(chunk.text, chunk.headings, doc.header.recipients, chunk.kind) == "Sở Nội vụ"


def test_cao_bang_point_under_bare_agency_heading():
    doc, chunk = sample_clause("cao-bang", "Mục 3, điểm b")
    assert actor_of(chunk.text, chunk.headings, doc.header.recipients, chunk.kind) == "Sở Nội vụ"


def test_nghe_an_numbered_item_falls_back_to_kinh_gui():
    doc, chunk = sample_clause("nghe-an", "Mục 1")
    assert actor_of(chunk.text, chunk.headings, doc.header.recipients, chunk.kind) == \
        "Giám đốc các Sở, Thủ trưởng các ban, ngành cấp tỉnh; Chủ tịch UBND các huyện, thành phố, thị xã, tỉnh Nghệ An"
