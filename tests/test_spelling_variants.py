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


def test_the_tone_goes_back_on_the_vowel_that_carries_it():
    from core.text import tone_placed

    words = ("Sở Nội vụ của người quốc giải quyết quý gì thủy hòa ngoài hoàn chịu điều lược việc tuyến "
             "Ủy Đồng khuya giữ").split()
    assert [tone_placed(syllables(w)[0]) for w in words] == [w.lower() for w in words]
    assert tone_placed("ubnd") == "ubnd" and tone_placed("2026") == "2026"


def test_marks_are_put_back_as_the_documents_write_them():
    from index.accents import restore_marks
    from index.lexical import LexicalIndex

    texts = ["Giao Sở Nội vụ chủ trì kiểm tra cải cách hành chính tại tỉnh Lâm Đồng.",
             "Sở Nội vụ báo cáo UBND tỉnh Lâm Đồng kết quả kiểm tra.",
             "Các cơ quan làm việc đúng giờ; nội dung báo cáo gửi Sở Nội vụ.",
             "Trung tâm Lâm nghiệp phối hợp với Sở Nông nghiệp và Môi trường."]
    lexical = LexicalIndex.build([f"c{i}" for i in range(len(texts))], texts)
    assert restore_marks("So Noi vu phai lam gi o Lam Dong?", lexical) == "Sở Nội vụ phải làm gì ở Lâm Đồng?"
    assert restore_marks("ai chu tri kiem tra cai cach hanh chinh", lexical) == \
        "ai chủ trì kiểm tra cải cách hành chính"
    assert restore_marks("UBND tinh bao cao bao nhieu lan?", lexical) == "UBND tỉnh báo cáo bao nhiêu lần?" \
        or restore_marks("UBND tinh bao cao bao nhieu lan?", lexical).startswith("UBND tỉnh báo cáo bao nhiêu")
    assert restore_marks("Quyet dinh 2536/QD-UBND xyzw", lexical).endswith("2536/QD-UBND xyzw")  # unknown words kept
    assert restore_marks("Sở Nội vụ phai lam gi?", lexical) == "Sở Nội vụ phai lam gi?"   # typed with marks: as is
    assert restore_marks("hello world", lexical) == "hello world"
    # a name the corpus never writes is still read as the name, from the names known
    from index.accents import Names

    samples = LexicalIndex.build(["c0"], ["Giao Sở Nội vụ làm việc với các cơ quan; lâm nghiệp."])
    assert restore_marks("So Noi vu phai lam gi o Ba Ria Vung Tau?", samples,
                         Names.of(["Bà Rịa - Vũng Tàu", "Sở Nội vụ"])) == "Sở Nội vụ phải làm gì ở Bà Rịa Vũng Tàu?"


def test_a_question_typed_without_marks_is_answered_as_if_typed_with_them(real_assistant):
    """The embedding model reads unmarked Vietnamese poorly: before the marks were put back, the
    accentless question below was refused (its dense half found nothing the lexical half found)."""
    marked = real_assistant.ask("Sở Nội vụ phải làm gì ở Cao Bằng?")
    bare = real_assistant.ask("So Noi vu phai lam gi o Cao Bang?")
    assert not bare.refused and bare.standalone == "Sở Nội vụ phải làm gì ở Cao Bằng?"
    assert [c.clause for c in bare.citations] == [c.clause for c in marked.citations]
    follow_up = real_assistant.ask("Van ban do con hieu luc khong?", history=["Công văn 10331 yêu cầu gì?"])
    assert follow_up.standalone == "Công văn 10331 còn hiệu lực không?"   # "Van ban do" is "Văn bản đó"
    for question in ("Ai chu tri theo doi, don doc viec chap hanh ky luat, ky cuong hanh chinh?",
                     "Can bo, cong chuc phai deo the khi lam nhiem vu khong?"):
        answer = real_assistant.ask(question)
        assert answer.standalone and not answer.refused, (question, answer.text)
