"""A question naming a loaded document by its number is answered from that document only."""
from types import SimpleNamespace

import pytest

from assistant.answer.named import named_documents
from assistant.ask import Assistant
from core.types import Header
from tests.conftest import library_of

HEADERS = {"a": Header(number="1468/STP-BTTP", doc_type="Công văn"),
           "b": Header(number="2536/QĐ-UBND", doc_type="Quyết định"),
           "c": Header(number="/UBND-NC", doc_type="Công văn"),
           "d": Header(number="58/CĐ-VPCP", doc_type="Công điện"),
           "e": Header(number="58/KH-UBND", doc_type="Kế hoạch")}
NAMES = {"a": "stp.pdf", "b": "qd.pdf", "c": "cv.docx", "d": "cd.pdf", "e": "kh.docx"}


def heads_of(names: dict[str, str]) -> dict:
    """Header clauses as named_documents reads them: only their file name matters here."""
    return {doc_id: SimpleNamespace(document=name) for doc_id, name in names.items()}


@pytest.mark.parametrize("question, named", [
    ("Công văn số 1468/STP-BTTP yêu cầu những gì?", ["stp.pdf"]),
    ("cong van 1468/stp-bttp yeu cau gi", ["stp.pdf"]),                       # without diacritics
    ("Công văn 1468 của Sở Tư pháp ký ngày nào?", ["stp.pdf"]),               # a bare number after its type
    ("Quyết định số 2536 giao ai thi hành?", ["qd.pdf"]),
    ("Công điện 58 yêu cầu gì?", ["cd.pdf"]),                                 # the type tells 58/CĐ from 58/KH
    ("Văn bản số 58 yêu cầu gì?", []),                                        # two documents numbered 58
    ("Kế hoạch 2536 là gì?", []),                                             # 2536 is a decision
    ("Theo Công văn 2388/C04-P6 của Bộ Công an, Sở Tài chính phải làm gì?", []),   # not a loaded document
    ("Sở Tài chính phải làm gì trước ngày 30/6/2026?", []),
])
def test_documents_named_by_number(question, named):
    assert named_documents(question, HEADERS, heads_of(NAMES)) == named


CV_12 = ("UBND TỈNH LÂM ĐỒNG\nSỞ NỘI VỤ\n\nSố: 12/SNV-TCBC\n\nLâm Đồng, ngày 05 tháng 3 năm 2026\n\n"
         "V/v báo cáo tổ chức bộ máy\n\nKính gửi: Các sở, ban, ngành.\n\n"
         "Đề nghị các sở, ban, ngành báo cáo tổ chức bộ máy trước ngày 20/3/2026.\n")
CV_30 = ("UBND TỈNH LÂM ĐỒNG\nSỞ TÀI CHÍNH\n\nSố: 30/STC-NS\n\nLâm Đồng, ngày 10 tháng 3 năm 2026\n\n"
         "V/v báo cáo dự toán\n\nKính gửi: Các sở, ban, ngành.\n\n"
         "Đề nghị các sở, ban, ngành báo cáo dự toán kinh phí năm 2027 trước ngày 15/7/2026.\n")


def test_a_question_naming_a_document_is_answered_from_it(tmp_path):
    assistant = Assistant(library_of(tmp_path, {"snv-12.txt": CV_12, "stc-30.txt": CV_30}))
    answer = assistant.ask("Công văn số 30/STC-NS yêu cầu các sở, ban, ngành báo cáo gì?")
    assert answer.citations and {c.document for c in answer.citations} == {"stc-30.txt"}
    # a filter the user set is kept, even if the question names another document
    filtered = assistant.ask("Công văn số 30/STC-NS yêu cầu báo cáo gì?", documents=["snv-12.txt"])
    assert {c.document for c in filtered.citations} <= {"snv-12.txt"}


def test_what_the_named_document_does_not_say_is_said_of_it(tmp_path):
    library = library_of(tmp_path, {"snv-12.txt": CV_12, "stc-30.txt": CV_30})
    answer = Assistant(library).ask("Công văn số 30/STC-NS nói gì về giá vé máy bay khứ hồi mùa hè tới Phú Quốc?")
    assert answer.refused
    assert answer.text == ("Không tìm thấy nội dung này trong văn bản được hỏi: *Công văn V/v báo cáo dự toán* "
                           "số 30/STC-NS.")


QD_7 = ("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\n\nSố: 7/QĐ-UBND\n\nLâm Đồng, ngày 02 tháng 3 năm 2026\n\n"
        "QUYẾT ĐỊNH\nVề việc thành lập Tổ công tác chuyển đổi số\n\nQUYẾT ĐỊNH:\n\n"
        "Điều 1. Thành lập Tổ công tác chuyển đổi số tỉnh Lâm Đồng.\n\n"
        "Điều 2. Quyết định này có hiệu lực kể từ ngày 15 tháng 3 năm 2026.\n")


def test_when_a_document_takes_effect_is_its_own_article_not_its_signing_date(tmp_path):
    """'… ban hành ngày nào?' is answered by the header; '… có hiệu lực từ ngày nào?' by the article."""
    assistant = Assistant(library_of(tmp_path, {"qd-7.txt": QD_7}))
    assert assistant.ask("Quyết định 7/QĐ-UBND ban hành ngày nào?").citations[0].clause == "Phần đầu văn bản"
    effect = assistant.ask("Quyết định 7/QĐ-UBND có hiệu lực từ ngày nào?")
    assert "có hiệu lực kể từ ngày 15 tháng 3 năm 2026" in effect.citations[0].text


TITLED = {"k": Header(number="/KH-UBND", doc_type="Kế hoạch",
                      subject="Kiểm tra công tác cải cách hành chính năm 2026 trên địa bàn tỉnh Lâm Đồng"),
          "t": Header(number="/KH-UBND", doc_type="Kế hoạch",
                      subject="Phát động Phong trào thi đua “Đẩy mạnh cải cách hành chính nhà nước” năm 2026"),
          "c": Header(doc_type="Công điện", subject="Về việc tập trung chỉ đạo phòng, chống dịch tả lợn Châu Phi")}
TITLED_NAMES = {"k": "kh-kiem-tra.docx", "t": "kh-thi-dua.docx", "c": "cd-ta-lon.pdf"}


@pytest.mark.parametrize("question, named", [
    ("Sở Y tế có nhiệm vụ gì trong Kế hoạch kiểm tra cải cách hành chính năm 2026?", ["kh-kiem-tra.docx"]),
    ("Theo kế hoạch thi đua cải cách hành chính năm 2026, ai được khen thưởng?", ["kh-thi-dua.docx"]),
    ("Theo Công điện về dịch tả lợn châu Phi, các xã phải làm gì?", ["cd-ta-lon.pdf"]),
    ("Trong kế hoạch cải cách hành chính, Sở Nội vụ phải làm gì?", []),     # both plans fit
    ("Theo Kế hoạch phòng chống dịch tả lợn, xã phải làm gì?", []),          # the công điện is no kế hoạch
    ("Sở Nội vụ phải làm gì trong năm 2026?", []),
    ("Kế hoạch kiểm tra cải cách hành chính năm 2026 giao những việc gì?", ["kh-kiem-tra.docx"]),  # opening
    ("Báo cáo tiến độ thực hiện gửi ai?", []),                               # a verb, no title
])
def test_documents_named_by_title(question, named):
    assert named_documents(question, TITLED, heads_of(TITLED_NAMES)) == named


KH_TITLED = ("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\n\nSố: 41/KH-UBND\n\nLâm Đồng, ngày 02 tháng 3 năm 2026\n\n"
             "KẾ HOẠCH\nKiểm tra công tác cải cách hành chính năm 2026\n\n"
             "1. Giao Sở Nội vụ chủ trì kiểm tra công tác cải cách hành chính tại các sở, ngành.\n")


def test_a_plan_named_by_title_that_gives_an_agency_nothing_says_so(tmp_path):
    assistant = Assistant(library_of(tmp_path, {
        "kh-41.txt": KH_TITLED, "stc-30.txt": CV_30.replace("Đề nghị các sở, ban, ngành", "Giao Sở Y tế")}))
    assert assistant.ask("Sở Y tế phải làm gì?").text.startswith("**Sở Y tế** có 1 nhiệm vụ")
    answer = assistant.ask("Sở Y tế có nhiệm vụ gì trong Kế hoạch kiểm tra cải cách hành chính năm 2026?")
    assert answer.refused
    assert answer.text == ("*Kế hoạch Kiểm tra công tác cải cách hành chính năm 2026* không giao nhiệm vụ nào "
                           "cho Sở Y tế. Các văn bản khác giao Sở Y tế nhiệm vụ (1 văn bản): hỏi «Sở Y tế phải "
                           "làm gì?» để xem.")


def test_a_count_asked_of_a_named_plan_that_gives_the_agency_nothing_names_the_plan(tmp_path):
    assistant = Assistant(library_of(tmp_path, {
        "kh-41.txt": KH_TITLED, "stc-30.txt": CV_30.replace("Đề nghị các sở, ban, ngành", "Giao Sở Y tế")}))
    answer = assistant.ask("Sở Y tế được giao bao nhiêu nhiệm vụ trong Kế hoạch kiểm tra công tác cải cách "
                           "hành chính?")
    assert answer.refused
    assert answer.text.startswith("*Kế hoạch Kiểm tra công tác cải cách hành chính năm 2026* không giao nhiệm "
                                  "vụ nào cho Sở Y tế. Các văn bản khác")


def test_what_a_named_document_assigns_is_its_duty_table_in_its_own_order(tmp_path):
    plan = KH_TITLED + ("2. Giao Sở Tài chính bố trí kinh phí kiểm tra trước ngày 30/4/2026.\n"
                        "3. Sở Nội vụ phối hợp với Văn phòng UBND tỉnh tổng hợp kết quả, báo cáo UBND tỉnh.\n")
    assistant = Assistant(library_of(tmp_path, {"kh-41.txt": plan, "stc-30.txt": CV_30}))
    for question in ("Kế hoạch 41 giao những nhiệm vụ nào?",
                     "Kế hoạch kiểm tra cải cách hành chính năm 2026 có bao nhiêu nhiệm vụ?"):
        answer = assistant.ask(question)
        assert not answer.refused
        assert answer.text.startswith("Văn bản giao 3 nhiệm vụ cho 3 cơ quan, đơn vị (theo thứ tự trong văn bản):")
        assert {c.document for c in answer.citations} == {"kh-41.txt"}
        assert [c.clause for c in answer.citations] == ["Mục 1", "Mục 2", "Mục 3"]
        assert "Sở Tài chính: thực hiện" in answer.text and "thời hạn: trước ngày 30/4/2026" in answer.text
    # an agency named: that agency's duties in it, as before
    assert assistant.ask("Sở Tài chính có nhiệm vụ gì trong Kế hoạch 41?").text.startswith("**Sở Tài chính** có 1")


def test_the_gist_of_a_named_document_is_its_header_then_what_it_assigns(tmp_path):
    plan = KH_TITLED + "2. Giao Sở Tài chính bố trí kinh phí kiểm tra trước ngày 30/4/2026.\n"
    assistant = Assistant(library_of(tmp_path, {"kh-41.txt": plan, "stc-30.txt": CV_30}))
    for question in ("Tóm tắt Kế hoạch 41", "Kế hoạch 41 nói về việc gì?"):
        answer = assistant.ask(question)
        assert [c.clause for c in answer.citations] == ["Phần đầu văn bản", "Mục 1", "Mục 2"]
        first, rest = answer.text.split("\n\n", 1)
        assert "Kiểm tra công tác cải cách hành chính năm 2026" in first and "số 41/KH-UBND" in first
        assert first.endswith("[1]") and rest.startswith("Văn bản giao 2 nhiệm vụ cho 2 cơ quan, đơn vị")
        assert "[2]" in rest and "[3]" in rest


PLACED = {"c": Header(number="/CT-UBND", doc_type="Chỉ thị", province="Cao Bằng"),
          "n": Header(number="10331/UBND-KSTT", doc_type="Công văn", province="Nghệ An"),
          "t": Header(number="/UBND-NC", doc_type="Công văn", province="Thanh Hóa"),
          "t2": Header(number="12/UBND-VX", doc_type="Công văn", province="Thanh Hóa"),
          "k": Header(number="5/KH-UBND", doc_type="Kế hoạch", province="Thanh Hóa")}
PLACED_NAMES = {"c": "cb.txt", "n": "na.txt", "t": "th.txt", "t2": "th2.txt", "k": "th-kh.txt"}


@pytest.mark.parametrize("question, named", [
    ("Chỉ thị của Cao Bằng giao những nhiệm vụ gì?", ["cb.txt"]),
    ("Công văn của tỉnh Nghệ An nói về việc gì?", ["na.txt"]),
    ("cong van cua nghe an yeu cau gi", ["na.txt"]),
    ("Kế hoạch của Thanh Hóa giao ai chủ trì?", ["th-kh.txt"]),
    ("Sở Nội vụ phải làm gì theo công văn của Thanh Hóa?", []),   # two letters of Thanh Hóa
    ("Chỉ thị của Long An yêu cầu gì?", []),                       # none of Long An
])
def test_documents_named_by_type_and_province(question, named):
    assert named_documents(question, PLACED, heads_of(PLACED_NAMES)) == named
