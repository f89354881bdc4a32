"""The 2025 reorganisation: departments that merged and provinces that merged. Older directives
name the old bodies; the duty table, its filters, the chat and the exports follow the successions
both ways (ingest/data/successions.json, provinces from vietnamadminunits)."""
import csv
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.ask import Assistant
from assistant.library import Library
from core.settings import PROJECT_ROOT
from ingest.provinces import current_province, provinces_in, same_province
from ingest.successions import Successions
from ui.duties import DutyHandlers

OLD = ("Số: 7/UBND-KT\n\nĐắk Nông, ngày 05 tháng 3 năm 2024\n\nV/v bố trí kinh phí\n\n"
       "Kính gửi:\n\n- Sở Kế hoạch và Đầu tư;\n- Sở Tài nguyên và Môi trường.\n\n"
       "1. Giao Sở Kế hoạch và Đầu tư chủ trì, phối hợp với Sở Tài nguyên và Môi trường tổng hợp nhu cầu vốn, "
       "báo cáo UBND tỉnh trước ngày 30/4/2024.\n\n"
       "2. Giám đốc Sở Kế hoạch và Đầu tư chịu trách nhiệm trước Chủ tịch UBND tỉnh về tiến độ.\n")
NEW = ("Số: 9/UBND-KT\n\nLâm Đồng, ngày 10 tháng 9 năm 2025\n\nV/v thẩm định dự án\n\n"
       "Kính gửi: Sở Tài chính.\n\n1. Giao Sở Tài chính thẩm định hồ sơ dự án trong Quý IV/2025.\n")


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    from core.settings import Settings

    root = tmp_path_factory.mktemp("reorg")
    docs = root / "docs"
    docs.mkdir()
    (docs / "daknong-2024.txt").write_text(OLD, encoding="utf-8")
    (docs / "lamdong-2025.txt").write_text(NEW, encoding="utf-8")
    lib = Library(Settings(data_dir=root / "data", corpus_dir=docs, embed_model="hash"))
    assert not lib.ingest([docs]).failed
    return lib


def test_successions_are_data_with_dates():
    s = Successions.load()
    assert s.current("Sở Kế hoạch và Đầu tư") == "Sở Tài chính"
    assert s.current("Giám đốc Sở Kế hoạch và Đầu tư") == "Giám đốc Sở Tài chính"
    assert s.current("SỞ LAO ĐỘNG – THƯƠNG BINH VÀ XÃ HỘI") == "Sở Nội vụ"
    assert s.current("Sở Nội vụ") == "Sở Nội vụ"
    assert set(s.former("Sở Nông nghiệp và Môi trường")) == {"Sở Nông nghiệp và Phát triển nông thôn",
                                                             "Sở Tài nguyên và Môi trường"}
    assert all(x.since == "2025-03-01" for x in s.items)


def test_provinces_come_from_the_maintained_package():
    assert current_province("Đắk Nông") == current_province("Bình Thuận") == "Lâm Đồng"
    assert current_province("Cao Bằng") == "Cao Bằng" and current_province("Nowhere") is None
    assert provinces_in("Lâm Đồng") == {"lamdong", "daknong", "binhthuan"}
    assert same_province("Đăk Nông", "Lâm Đồng") and not same_province("Cao Bằng", "Lâm Đồng")
    # a former province is only itself: Lâm Đồng's own directives are not what Bình Thuận asked
    assert same_province("Bình Thuận", "Bình Thuận") and same_province("Bình Thuận", "tỉnh Bình Thuận")
    assert not same_province("Lâm Đồng", "Bình Thuận") and not same_province("Đắk Nông", "Bình Thuận")
    assert same_province("Cao Bằng", "Cao Bằng") and not same_province(None, "Cao Bằng")
    assert same_province("Nowhere", "Nowhere") and not same_province("Cao Bằng", "Nowhere")


def test_a_duty_keeps_its_documents_name_and_gains_todays(library):
    old = [d for d in library.duties() if d.document == "daknong-2024.txt"]
    lead = next(d for d in old if d.role == "chủ trì")
    assert (lead.actor, lead.actor_current, lead.formerly) == ("Sở Kế hoạch và Đầu tư", "Sở Tài chính",
                                                               "Sở Kế hoạch và Đầu tư")
    partner = next(d for d in old if d.role == "phối hợp")
    assert partner.actor_current == "Sở Nông nghiệp và Môi trường"
    head = next(d for d in old if d.actor.startswith("Giám đốc"))
    assert head.actor_current == "Giám đốc Sở Tài chính"
    assert lead.to_json()["actor_current"] == "Sở Tài chính"


@pytest.mark.parametrize("name", ["Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở KH&ĐT"])
def test_filters_follow_successions_both_ways(library, name):
    docs = {d.document for d in library.duties(actor=library.resolve_actor(name) or name)}
    assert docs == {"daknong-2024.txt", "lamdong-2025.txt"}


def test_province_filter_includes_the_provinces_merged_into_it(library):
    assert {d.document for d in library.duties(province="Lâm Đồng")} == {"daknong-2024.txt", "lamdong-2025.txt"}
    # a former province's name finds its own documents, not those of the province it joined
    assert {d.document for d in library.duties(province="Đắk Nông")} == {"daknong-2024.txt"}
    assert {h.chunk.document for h in library.search("thẩm định hồ sơ dự án", 10, provinces=["Lâm Đồng"])} >= \
        {"daknong-2024.txt", "lamdong-2025.txt"}


def test_chat_answers_for_todays_body_with_the_old_name_marked(library):
    answer = Assistant(library).ask("Sở Tài chính phải làm gì?")
    assert not answer.refused
    assert "(trước đây: Sở Kế hoạch và Đầu tư)" in answer.text
    assert "thẩm định hồ sơ dự án" in answer.text.lower()


def test_a_former_province_asking_is_its_own_documents_only(library):
    """"Đắk Nông yêu cầu …": what Đắk Nông's documents ask, not what Lâm Đồng (which it joined) asked
    of the same body afterwards; today's name covers both."""
    old = Assistant(library).ask("Đắk Nông yêu cầu Sở Tài chính làm gì?")
    assert not old.refused and {c.document for c in old.citations} == {"daknong-2024.txt"}
    today = Assistant(library).ask("Lâm Đồng yêu cầu Sở Tài chính làm gì?")
    assert {c.document for c in today.citations} == {"daknong-2024.txt", "lamdong-2025.txt"}


def test_table_and_exports_carry_both_names(library):
    handlers = DutyHandlers(library)
    rows, _ = handlers.table("Sở Tài chính", ["Lâm Đồng"])
    assert any(r[0] == "Sở Tài chính (trước đây: Sở Kế hoạch và Đầu tư)" for r in rows)
    assert any(r[5] == "Lâm Đồng (trước đây: Đắk Nông)" for r in rows)
    with open(handlers.export_csv("Sở Tài chính"), encoding="utf-8-sig", newline="") as fh:
        exported = list(csv.DictReader(fh))
    assert {(r["Cơ quan (theo văn bản)"], r["Cơ quan hiện nay"]) for r in exported} >= {
        ("Sở Kế hoạch và Đầu tư", "Sở Tài chính"), ("Sở Tài chính", "Sở Tài chính")}
    assert {r["Tỉnh hiện nay"] for r in exported} == {"Lâm Đồng"}


def test_which_documents_were_sent_to_a_body_follows_successions(library):
    answer = Assistant(library).ask("Văn bản nào gửi Sở Tài chính?")
    assert not answer.refused and answer.text.startswith("**Sở Tài chính** là nơi nhận của 2 văn bản")
    assert {c.document for c in answer.citations} == {"daknong-2024.txt", "lamdong-2025.txt"}
    assert all(c.clause == "Phần đầu văn bản" for c in answer.citations)  # cited by the header's Kính gửi
    assert "Kính gửi; giao" in answer.text


def test_a_body_no_document_is_sent_to_is_said_so(library):
    answer = Assistant(library).ask("Những văn bản nào gửi Sở Nông nghiệp và Môi trường?")
    # the 2024 letter went to Sở Tài nguyên và Môi trường, merged into it
    assert {c.document for c in answer.citations} == {"daknong-2024.txt"}
    none = Assistant(library).ask("Văn bản nào gửi Sở Y tế?")
    assert none.refused and "Không có văn bản nào" in none.text and "Sở Y tế" in none.text


def test_province_tables_come_from_the_installed_package_without_importing_its_parser():
    """The data folder is the one `import vietnamadminunits` uses; reading it imports neither the
    package nor geopy/aiohttp, which its parser pulls in."""
    code = ("import sys; from ingest.provinces import current_province, package_data; "
            "assert current_province('Đắk Nông') == 'Lâm Đồng'; "
            "print(package_data()); "
            "print(sorted(m for m in ('vietnamadminunits', 'geopy', 'aiohttp') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    folder, imported = out.stdout.strip().splitlines()
    import vietnamadminunits
    assert Path(folder) == Path(vietnamadminunits.__file__).resolve().parent / "data"
    assert imported == "[]"


TODAY_ONLY = ("Số: 15/UBND-KT\n\nLâm Đồng, ngày 10 tháng 10 năm 2025\n\nV/v chuyển đổi số\n\n"
              "Kính gửi: Các sở, ngành.\n\n"
              "1. Giao Sở Khoa học và Công nghệ hướng dẫn các đơn vị kết nối hệ thống quản lý văn bản.\n\n"
              "2. Giao Văn phòng UBND tỉnh (Trung tâm Phục vụ hành chính công) số hóa hồ sơ thủ tục "
              "hành chính trong Quý IV/2025.\n")


def test_a_body_asked_by_its_name_before_2025_is_answered_for_the_body_that_holds_its_work(tmp_path):
    from tests.conftest import library_of

    library = library_of(tmp_path, {"lamdong-15.txt": TODAY_ONLY})
    assert library.agencies_named_in("Sở TT&TT phải làm gì?") == ["Sở Khoa học và Công nghệ"]
    answer = Assistant(library).ask("Sở Thông tin và Truyền thông phải làm gì?")
    assert not answer.refused
    assert answer.text.startswith("Lưu ý: từ ngày 01/03/2025, Sở Thông tin và Truyền thông đã hợp nhất vào "
                                  "**Sở Khoa học và Công nghệ** (một phần nhiệm vụ chuyển sang Sở Văn hóa, "
                                  "Thể thao và Du lịch)")
    assert "**Sở Khoa học và Công nghệ** có 1 nhiệm vụ" in answer.text
    assert "kết nối hệ thống quản lý văn bản" in answer.text
    # today's name alone gets no note
    assert not Assistant(library).ask("Sở Khoa học và Công nghệ phải làm gì?").text.startswith("Lưu ý")


DISTRICT = ("ỦY BAN NHÂN DÂN\nHUYỆN KRÔNG NÔ\n\nSố: 217/TB-UBND\n\nKrông Nô, ngày 18 tháng 6 năm 2019\n\n"
            "THÔNG BÁO\nKết luận tại Hội nghị giao ban\n\n1. Giao Phòng Tài chính - Kế hoạch huyện tham mưu "
            "bố trí vốn cho các công trình.\n\n2. Yêu cầu UBND các xã, thị trấn rà soát đất lấn chiếm.\n")


@pytest.mark.parametrize("question, noted", [
    ("UBND huyện Krông Nô phải làm gì?", True),
    ("Phòng Tài chính - Kế hoạch huyện phải làm gì?", True),
    ("Chủ tịch UBND các huyện, thị xã có trách nhiệm gì?", True),
    ("Ủy ban nhân dân cấp huyện phải báo cáo gì?", True),
    ("Sở Nội vụ phải làm gì?", False),
    ("Đắk R'lấp thuộc huyện nào?", False),          # a place, no body of the district level
])
def test_a_body_of_the_district_level_gets_a_note_that_it_is_gone(question, noted):
    from assistant.answer.reorganised import district_note

    note = district_note(question)
    assert bool(note) == noted
    assert not note or note.startswith("Lưu ý: từ ngày 01/07/2025 chính quyền địa phương chỉ còn hai cấp")


def test_a_district_bodys_duties_are_answered_below_that_note(tmp_path):
    from tests.conftest import library_of

    answer = Assistant(library_of(tmp_path, {"krongno-217.txt": DISTRICT})).ask(
        "Phòng Tài chính - Kế hoạch huyện phải làm gì?")
    assert not answer.refused
    assert answer.text.startswith("Lưu ý: từ ngày 01/07/2025") and "bố trí vốn" in answer.text


def test_a_unit_named_in_brackets_after_its_parent_body_is_found_by_its_own_name(tmp_path):
    from tests.conftest import library_of

    library = library_of(tmp_path, {"lamdong-15.txt": TODAY_ONLY})
    unit = "Văn phòng UBND tỉnh (Trung tâm Phục vụ hành chính công)"
    assert library.agencies_named_in("Trung tâm Phục vụ hành chính công phải làm gì?") == [unit]
    answer = Assistant(library).ask("Trung tâm phục vụ hành chính công phải làm gì?")
    assert answer.text.startswith(f"**{unit}** có 1 nhiệm vụ") and "số hóa hồ sơ" in answer.text.lower()

