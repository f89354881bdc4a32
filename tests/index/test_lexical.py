"""LexicalIndex: Vietnamese BM25 (accented and accent-folded) over the sample clauses."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings
from core.text import syllables
from index.lexical import LexicalIndex, query_tokens
from ingest.chunk import ClauseChunker
from ingest.load import load_directive

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "directives"
SECRET_CLAUSE = "Hồ sơ trình có nội dung mật"
THRESHOLD = Settings().refusal_threshold
QUESTIONS = ["ho so trinh co noi dung mat", "Hồ sơ trình có nội dung mật thì gửi thế nào?",
             "Sở Nội vụ phải làm gì?", "người đứng đầu chịu trách nhiệm", "10331/UBND-KSTT"]


@pytest.fixture(scope="module")
def chunks():
    chunker = ClauseChunker()
    return [c for f in sorted(SAMPLES.glob("*.txt")) for c in chunker.chunk(load_directive(f))]


@pytest.fixture(scope="module")
def index(chunks) -> LexicalIndex:
    return LexicalIndex.build([c.chunk_id for c in chunks], [c.index_text() for c in chunks])


@pytest.fixture(scope="module")
def by_id(chunks) -> dict:
    return {c.chunk_id: c for c in chunks}


def test_build_covers_every_chunk(index, chunks):
    assert len(index) == len(chunks)
    assert index.chunk_ids == [c.chunk_id for c in chunks]


@pytest.mark.parametrize("question", QUESTIONS)
def test_save_load_round_trip_gives_same_results(index, tmp_path, question):
    index.save(tmp_path / "lexical")
    loaded = LexicalIndex.load(tmp_path / "lexical")
    assert loaded.chunk_ids == index.chunk_ids
    assert loaded.search(question, 10) == index.search(question, 10)
    assert loaded.coverage(question) == index.coverage(question)


def test_save_twice_keeps_only_the_current_version(index, tmp_path, monkeypatch):
    import index.lexical as lexical

    monkeypatch.setattr(lexical, "STALE_AFTER_S", 0)
    root = tmp_path / "lexical"
    index.save(root)
    smaller = LexicalIndex.build(index.chunk_ids[:3], ["Sở Nội vụ", "Sở Tài chính", "Văn phòng UBND tỉnh"])
    smaller.save(root)
    assert len(list(root.glob("seg-*"))) == 1 and len(list(root.glob("state-*"))) == 1
    assert not list(root.glob("*.tmp*"))
    assert LexicalIndex.load(root).chunk_ids == index.chunk_ids[:3]


def test_a_save_leaves_young_files_of_another_writer(index, tmp_path):
    """Two workers may save at once: files another one wrote a moment ago are not removed."""
    root = tmp_path / "lexical"
    index.save(root)
    LexicalIndex.build(index.chunk_ids[:2], ["Sở Nội vụ", "Sở Tài chính"]).save(root)
    assert len(list(root.glob("seg-*"))) == 2 and len(list(root.glob("state-*"))) == 2
    assert LexicalIndex.load(root).chunk_ids == index.chunk_ids[:2]


def test_load_of_missing_folder_is_an_empty_index(tmp_path):
    empty = LexicalIndex.load(tmp_path / "nothing-here")
    assert len(empty) == 0
    assert empty.search("Sở Nội vụ", 5) == []
    assert empty.coverage("Sở Nội vụ") == 0.0


def test_empty_index_round_trips(tmp_path):
    LexicalIndex.build([], []).save(tmp_path / "lexical")
    assert LexicalIndex.load(tmp_path / "lexical").search("Sở Nội vụ", 5) == []


def test_accentless_query_finds_the_accented_clause(index, by_id):
    top_id, _ = index.search("ho so trinh co noi dung mat", 5)[0]
    assert by_id[top_id].text.startswith(SECRET_CLAUSE)


def test_accented_query_finds_the_clause(index, by_id):
    top_id, _ = index.search("Hồ sơ trình có nội dung mật thì gửi thế nào?", 5)[0]
    assert by_id[top_id].text.startswith(SECRET_CLAUSE)


def test_document_number_is_one_searchable_token(index, by_id):
    top_id, _ = index.search("10331/UBND-KSTT", 3)[0]
    assert by_id[top_id].number == "10331/UBND-KSTT"


def test_results_are_best_first_positive_and_at_most_k(index):
    results = index.search("trách nhiệm người đứng đầu cơ quan", 7)
    assert 0 < len(results) <= 7
    scores = [s for _, s in results]
    assert scores == sorted(scores, reverse=True)
    assert all(s > 0 for s in scores)


def test_allowed_restricts_results(index, by_id):
    allowed = {cid for cid, c in by_id.items() if c.province == "Nghệ An"}
    results = index.search("ho so trinh co noi dung mat", 10, allowed=allowed)
    assert results
    assert {cid for cid, _ in results} <= allowed


def test_unknown_words_and_question_words_find_nothing(index):
    assert index.search("xyzzy quux", 5) == []
    assert index.search("ai làm gì?", 5) == []


def test_query_tokens_drop_question_words_but_keep_topic():
    tokens = query_tokens("Sở Nội vụ phải làm gì?", folded=False)
    assert "gì" not in tokens and "làm" not in tokens
    assert "_".join(syllables("nội vụ")) in tokens  # in the tokens' canonical tone spelling ("nôị_vụ")
    assert "noi_vu" in query_tokens("So Noi vu phai lam gi", folded=True)


@pytest.mark.parametrize("question", ["Giá vé tàu Thống Nhất từ Hà Nội vào Sài Gòn?",
                                      "Lương tối thiểu vùng năm 2024 là bao nhiêu?",
                                      "Quy định về nồng độ cồn khi lái ô tô là gì?"])
def test_coverage_is_low_for_unrelated_questions(index, question):
    assert index.coverage(question) < THRESHOLD


@pytest.mark.xfail(strict=True, reason="known limit: 'giá', 'thống nhất' are common corpus words, so the "
                                       "short question covers 0.36 > threshold 0.33 (see report)")
def test_coverage_is_low_for_short_unrelated_question(index):
    assert index.coverage("Giá vé tàu Thống Nhất") < THRESHOLD


@pytest.mark.parametrize("question", ["Hồ sơ trình có nội dung mật thì gửi thế nào?",
                                      "ho so trinh co noi dung mat",
                                      "Người đứng đầu phải chịu trách nhiệm gì về kỷ luật, kỷ cương hành chính?"])
def test_coverage_is_high_for_on_topic_questions(index, question):
    assert index.coverage(question) > 0.6


def test_coverage_orders_on_topic_above_unrelated(index):
    assert index.coverage("Sở Nội vụ phải làm gì?") > index.coverage("Giá vé tàu Thống Nhất") + 0.3


# ---- incremental BM25, checked against bm25s rebuilt from scratch --------------------------------
EQUIVALENCE_QUESTIONS = ["Sở Nội vụ phải làm gì?", "ho so trinh co noi dung mat",
                         "báo cáo hằng tháng kết quả thực hiện", "người đứng đầu chịu trách nhiệm",
                         "10331/UBND-KSTT", "kiểm tra công vụ đột xuất"]


def _bm25s_scores(ids: list[str], texts: list[str], question: str) -> dict[str, float]:
    """What bm25s (the library this index replaced) scores over exactly these clauses."""
    import bm25s

    from core.text import has_diacritics, lexical_tokens

    folded = not has_diacritics(question)
    model = bm25s.BM25(k1=1.2, b=0.75)
    model.index([lexical_tokens(t, folded=folded) for t in texts], show_progress=False)
    tokens = [t for t in query_tokens(question, folded) if t in model.vocab_dict]
    if not tokens:
        return {}
    scores = model.get_scores(tokens)
    return {ids[i]: float(scores[i]) for i in range(len(ids)) if scores[i] > 0}


def _assert_same_as_bm25s(index: LexicalIndex, ids: list[str], texts: list[str]) -> None:
    assert sorted(index.chunk_ids) == sorted(ids)
    for question in EQUIVALENCE_QUESTIONS:
        want, got = _bm25s_scores(ids, texts, question), dict(index.search(question, 10**6))
        assert want.keys() == got.keys(), question
        assert all(abs(want[c] - got[c]) <= 1e-5 * abs(want[c]) for c in want), question


def test_scores_equal_bm25s_built_from_scratch(chunks):
    ids, texts = [c.chunk_id for c in chunks], [c.index_text() for c in chunks]
    _assert_same_as_bm25s(LexicalIndex.build(ids, texts), ids, texts)


def test_additions_and_removals_score_as_a_rebuild_would(chunks, tmp_path):
    """Half built, the rest added in small batches (segments pile up and get merged), some
    removed: every score equals bm25s over the clauses that are left, also after save and load."""
    import random

    rng = random.Random(3)
    order = list(range(len(chunks)))
    rng.shuffle(order)
    ids, texts = [c.chunk_id for c in chunks], [c.index_text() for c in chunks]
    half = order[:len(order) // 2]
    index = LexicalIndex.build([ids[i] for i in half], [texts[i] for i in half])
    before = index.chunk_ids
    for start in range(len(half), len(order), 7):
        index = index.changed([(ids[i], texts[i]) for i in order[start:start + 7]], set())
    assert len(index._segments) <= 8  # merged as they piled up
    removed = {ids[i] for i in order[:40]} | {ids[order[-1]]}
    index = index.changed([], removed)
    left = [i for i in range(len(ids)) if ids[i] not in removed]
    _assert_same_as_bm25s(index, [ids[i] for i in left], [texts[i] for i in left])
    index.save(tmp_path / "lexical")
    _assert_same_as_bm25s(LexicalIndex.load(tmp_path / "lexical"), [ids[i] for i in left], [texts[i] for i in left])
    assert LexicalIndex.build([ids[i] for i in half], [texts[i] for i in half]).chunk_ids == before  # unchanged


def test_a_change_leaves_the_index_it_came_from_untouched(index, by_id):
    """Readers keep searching the index they hold while a write makes the next one."""
    question = "Hồ sơ trình có nội dung mật thì gửi thế nào?"
    before = index.search(question, 5)
    smaller = index.changed([], {before[0][0]})
    assert index.search(question, 5) == before
    assert before[0][0] not in dict(smaller.search(question, 5))
    assert len(smaller) == len(index) - 1


def test_a_clause_removed_then_added_again_is_found_once(index):
    cid = index.chunk_ids[0]
    again = index.changed([], {cid}).changed([(cid, "Sở Nội vụ chủ trì kiểm tra công vụ")], set())
    hits = [c for c, _ in again.search("Sở Nội vụ chủ trì kiểm tra công vụ", 50)]
    assert hits.count(cid) == 1 and len(again) == len(index)


def test_an_index_of_the_previous_format_loads_as_empty(tmp_path):
    """Version 2 pointed CURRENT at a bm25s folder: the library rebuilds from the catalog."""
    root = tmp_path / "lexical"
    (root / "bm25-1234").mkdir(parents=True)
    (root / "CURRENT").write_text("bm25-1234", encoding="utf-8")
    assert len(LexicalIndex.load(root)) == 0


def test_loading_with_reuse_reads_only_segments_it_lacks(index, tmp_path):
    root = tmp_path / "lexical"
    index.save(root)
    held = LexicalIndex.load(root)
    grown = held.changed([("new-1", "Sở Xây dựng chủ trì kiểm định chất lượng công trình")], {index.chunk_ids[0]})
    grown.save(root)
    caught_up = LexicalIndex.load(root, reuse=held)
    assert caught_up._segments[0].variants is held._segments[0].variants  # the big one was not read again
    assert caught_up.chunk_ids == grown.chunk_ids
    question = "kiểm định chất lượng công trình"
    assert caught_up.search(question, 5) == grown.search(question, 5) and caught_up.search(question, 1)[0][0] == "new-1"
