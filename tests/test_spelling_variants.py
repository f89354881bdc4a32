"""Old and new tone placement (hoà/hòa, thuỷ/thủy) and misplaced marks (Nôị) match each other in
questions, documents and filters: tokens carry the tone in one canonical place."""
from assistant.ask import Assistant
from assistant.library import Library
from core.text import lexical_tokens, syllables
from index.lexical import query_tokens
from tests.conftest import SAMPLES


def test_tone_placements_give_the_same_tokens():
    assert syllables("hoà bình, thuỷ lợi, Thanh Hoá") == syllables("hòa bình, thủy lợi, Thanh Hóa")
    assert syllables("Sở Nôị vụ") == syllables("Sở Nội vụ")
    assert syllables("10331/UBND-KSTT") == ["10331/ubnd-kstt", "10331", "ubnd", "kstt"]
    assert lexical_tokens("hòa bình", folded=True) == lexical_tokens("hoa binh", folded=True)
    assert query_tokens("phải làm gì hỏi", folded=False) == query_tokens("phaỉ làm gì hoỉ", folded=False)


def test_misplaced_marks_and_other_placements_are_answered(hash_settings, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "thuy-loi.txt").write_text(
        "Số: 15/UBND-NN\n\nThanh Hoá, ngày 02 tháng 3 năm 2027\n\nV/v bảo đảm an toàn hồ đập thuỷ lợi\n\n"
        "1. Giao Sở Nông nghiệp và Môi trường chủ trì kiểm tra an toàn các hồ chứa thuỷ lợi, hoàn thành "
        "trước ngày 30/4/2027.\n", encoding="utf-8")
    library = Library(hash_settings)
    library.ingest([SAMPLES, folder])
    assistant = Assistant(library)
    answer = assistant.ask("Ai kiểm tra an toàn hồ chứa thủy lợi?")  # new placement against the old
    assert not answer.refused and answer.citations[0].document == "thuy-loi.txt"
    assert not assistant.ask("Sở Nôị vụ phải lam gì").refused
    assert library.duties(province="Thanh Hoá") == library.duties(province="Thanh Hóa")
    assert library.resolve_actor("Sở Nôị vụ") == "Sở Nội vụ"


def test_fold_equals_nfd_without_marks_on_any_text():
    """fold() translates character by character: the same as decomposing the whole text and
    dropping its combining marks, for Vietnamese, decomposed input and any other code point."""
    import random
    import unicodedata

    from core.text import fold

    def reference(text: str) -> str:
        decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
        return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")

    rnd = random.Random(3)
    texts = ["Sở Nội vụ ĐẮK R'LẤP", unicodedata.normalize("NFD", "Thủy hoà Nôị Đ"), "Ｆｕｌｌ ①", "한국어 中文", ""]
    texts += ["".join(chr(rnd.choice([rnd.randint(1, 0xD7FF), rnd.randint(0xE000, 0x2FFFF)]))
                      for _ in range(rnd.randint(1, 12))) for _ in range(20000)]
    assert [fold(t) for t in texts] == [reference(t) for t in texts]
    assert fold("Sở Nội vụ") == "So Noi vu"
