"""Deadline questions put the deadline first, with the day a period or a span resolves to, or say
plainly that the cited clause sets none."""
import pytest

from assistant.answer.extractive import is_deadline_question
from assistant.ask import Assistant
from assistant.library import Library

DOC = ("Số: 11/UBND-NV\n\nCao Bằng, ngày 02 tháng 3 năm 2026\n\nV/v báo cáo công tác cải cách hành chính\n\n"
       "Kính gửi: Sở Nội vụ.\n\n"
       "1. Giao Sở Nội vụ tổng hợp báo cáo kết quả cải cách hành chính quý I, gửi UBND tỉnh trong Quý II/2026.\n\n"
       "2. Giao Sở Nội vụ rà soát thủ tục hành chính về đăng ký kinh doanh trong thời hạn 10 ngày kể từ "
       "ngày ký.\n\n"
       "3. Giao Sở Nội vụ tuyên truyền về cải cách hành chính đến cán bộ, công chức.\n")


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    from core.settings import Settings

    root = tmp_path_factory.mktemp("deadlines")
    (root / "docs").mkdir()
    (root / "docs" / "cao-bang-cchc.txt").write_text(DOC, encoding="utf-8")
    library = Library(Settings(data_dir=root / "data", corpus_dir=root / "docs", embed_model="hash"))
    assert not library.ingest([root / "docs"]).failed
    return Assistant(library)


@pytest.mark.parametrize("question, expected", [
    ("Hạn báo cáo là khi nào?", True), ("Thời hạn rà soát thủ tục?", True), ("Nộp trước ngày nào?", True),
    ("Chỉ thị ban hành khi nào?", False), ("Sở Nội vụ phải làm gì?", False)])
def test_deadline_questions_are_recognised(question, expected):
    assert is_deadline_question(question) is expected


def test_a_period_deadline_comes_first_with_its_last_day(assistant):
    answer = assistant.ask("Hạn gửi báo cáo kết quả cải cách hành chính quý I là khi nào?")
    first = answer.text.splitlines()[0]
    assert "thời hạn **trong Quý II/2026** (đến ngày 30/06/2026)" in first, first


def test_a_span_from_the_signing_is_given_with_its_date(assistant):
    answer = assistant.ask("Thời hạn rà soát thủ tục hành chính về đăng ký kinh doanh là khi nào?")
    first = answer.text.splitlines()[0]
    assert "trong thời hạn 10 ngày kể từ ngày ký" in first and "(đến ngày 12/03/2026)" in first, first


def test_a_clause_without_a_deadline_says_so(assistant):
    answer = assistant.ask("Hạn tuyên truyền về cải cách hành chính đến cán bộ, công chức là khi nào?")
    first = answer.text.splitlines()[0]
    assert "điều khoản này không nêu thời hạn" in first and "Mục 3" in first, first


def _hit(n: int, text: str, score: float):
    from core.types import Chunk, Hit
    return Hit(chunk=Chunk(chunk_id=f"c{n}", doc_id="d", document="kh.docx", text=text, start=0, end=len(text),
                           clause=f"Mục {n}"), score=score)


def test_a_clause_holding_the_date_asked_for_is_shown_first():
    """Among the clauses an answer shows, one that holds a date comes before the best-scoring one
    that holds none; a question asking for no figure, or a date-holding clause far below, changes
    nothing."""
    from assistant.ask import figure_first

    hits = [_hit(1, "Rà soát, đánh giá mức độ trọng điểm phức tạp về ma túy.", 1.0),
            _hit(2, "Kết quả rà soát gửi về Bộ Công an trước ngày 15/10/2025.", 0.9),
            _hit(3, "Các địa phương chủ động bố trí kinh phí.", 0.8)]
    order = lambda q, hs: [h.chunk.clause for h in figure_first(q, hs, k=5, relative_floor=0.55)]  # noqa: E731
    assert order("Kết quả rà soát phải gửi Bộ Công an trước ngày nào?", hits) == ["Mục 2", "Mục 1", "Mục 3"]
    assert order("Ai rà soát mức độ trọng điểm phức tạp về ma túy?", hits) == ["Mục 1", "Mục 2", "Mục 3"]
    far = [hits[0], _hit(2, hits[1].chunk.text, 0.4), hits[2]]
    assert order("Kết quả rà soát phải gửi Bộ Công an trước ngày nào?", far) == ["Mục 1", "Mục 2", "Mục 3"]
    money = [hits[0], _hit(4, "Tổng kinh phí là 1.200 triệu đồng.", 0.7)]
    assert order("Kinh phí rà soát là bao nhiêu tiền?", money) == ["Mục 4", "Mục 1"]
