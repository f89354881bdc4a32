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


def test_save_twice_keeps_only_the_current_version(index, tmp_path):
    root = tmp_path / "lexical"
    index.save(root)
    smaller = LexicalIndex.build(index.chunk_ids[:3], ["Sở Nội vụ", "Sở Tài chính", "Văn phòng UBND tỉnh"])
    smaller.save(root)
    assert len(list(root.glob("bm25-*"))) == 1
    assert not (root / "CURRENT.tmp").exists()
    assert LexicalIndex.load(root).chunk_ids == index.chunk_ids[:3]


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
