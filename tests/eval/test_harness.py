"""eval.metrics and eval.harness: pure metrics on hand-computed examples, then one end-to-end run
with the hash embedder over the synthetic mini ALQAC dataset."""
from __future__ import annotations

import math
import unicodedata

import pytest

from core.errors import RagError
from core.types import Answer, Chunk, Citation, Hit
from eval import harness
from eval.datasets import Dataset, load_alqac, load_jsonl
from eval.harness import (
    Result,
    _f2,
    by_type,
    citations_valid,
    ranked_articles,
    summarise,
)
from eval.metrics import contains_gold, ndcg_at, percentile
from index.embed import HashEmbedder
from tests.eval.conftest import LAW_FILES, MINI_ALQAC, MINI_JSONL

LAW10, LAW11 = "alqac-10-2099-QH99.txt", "alqac-11-2099-QH99.txt"


# ---- eval.metrics ------------------------------------------------------------------------------
def test_ndcg_at_hand_computed():
    # Relevant at ranks 2 and 4 of two relevant items: (1/log2 3 + 1/log2 5) / (1 + 1/log2 3).
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert ndcg_at([0, 1, 0, 1], 10, 2) == pytest.approx(expected) == pytest.approx(0.650921, abs=1e-6)
    assert ndcg_at([1], 10, 1) == 1.0
    assert ndcg_at([0, 1], 10, 1) == pytest.approx(1 / math.log2(3))
    # Three relevant items, only the first one retrieved: the ideal ranking counts all three.
    assert ndcg_at([1, 0, 0], 10, 3) == pytest.approx(1 / (1 + 1 / math.log2(3) + 0.5))
    # The ideal is capped at k, and nothing past k counts.
    assert ndcg_at([1, 1, 1], 2, 3) == pytest.approx(1.0)
    assert ndcg_at([0, 0, 1], 2, 1) == 0.0
    # Without n_relevant the ideal comes from the relevances given.
    assert ndcg_at([0, 1]) == pytest.approx(1 / math.log2(3))
    assert ndcg_at([], 10) == 0.0 and ndcg_at([0, 0], 10) == 0.0


def test_percentile_nearest_rank():
    values = [float(v) for v in range(10, 0, -1)]  # unsorted on purpose: 10 … 1
    assert percentile(values, 50) == 5.0
    assert percentile(values, 95) == 10.0
    assert percentile(values, 90) == 9.0
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 10.0
    assert percentile([30.0, 10.0, 20.0], 50) == 20.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) == 0.0


def test_contains_gold_normalises_unicode_and_whitespace():
    passage = "Hồ sơ trình có nội dung mật\nthì  chỉ gửi văn bản giấy."
    assert contains_gold(passage, [unicodedata.normalize("NFD", "nội dung mật thì chỉ gửi")])
    assert contains_gold(unicodedata.normalize("NFD", passage), ["mật thì chỉ gửi văn bản giấy"])
    assert contains_gold(passage, ["không có", "văn bản giấy"])  # any one quote is enough
    assert not contains_gold(passage, ["văn bản điện tử"])
    assert not contains_gold(passage, [])


@pytest.mark.parametrize("returned, gold, expected", [
    ({"a"}, {"a"}, 1.0),
    ({"a", "b"}, {"a"}, 5 * 0.5 * 1 / (4 * 0.5 + 1)),        # p=1/2, r=1 -> 0.8333
    ({"a"}, {"a", "b"}, 5 * 1 * 0.5 / (4 * 1 + 0.5)),        # p=1, r=1/2 -> 0.5556
    ({"a", "b", "c", "d"}, {"a", "e"}, 5 * 0.25 * 0.5 / (4 * 0.25 + 0.5)),  # p=1/4, r=1/2 -> 0.4167
    ({"b"}, {"a"}, 0.0),
    (set(), {"a"}, 0.0),
    ({"a"}, set(), 0.0),
])
def test_f2_hand_computed(returned, gold, expected):
    assert _f2(returned, gold) == pytest.approx(expected)


def test_f2_weighs_recall_over_precision():
    assert _f2({"a", "b"}, {"a"}) == pytest.approx(5 / 6)
    assert _f2({"a"}, {"a", "b"}) == pytest.approx(5 / 9)


# ---- ranked_articles ---------------------------------------------------------------------------
def chunk(document: str, clause: str, text: str = "…", doc_id: str = "d") -> Chunk:
    return Chunk(chunk_id=f"{document}:{clause}", doc_id=doc_id, document=document, text=text, start=0,
                 end=len(text), clause=clause)


def hit(document: str, clause: str, score: float) -> Hit:
    return Hit(chunk=chunk(document, clause), score=score)


HITS = [
    hit(LAW10, "Điều 1, khoản 1", 0.9),
    hit(LAW10, "Điều 2, khoản 1", 0.8),
    hit(LAW10, "Phần đầu văn bản", 0.85),            # not an article: ignored
    hit(LAW11, "Điều 2, đoạn 1", 0.6),
    hit(LAW10, "Điều 2, khoản 2, điểm a", 0.7),
    hit("other.txt", "Điều 9", 0.99),                 # not a law of the dataset: ignored
    hit(LAW11, "Điều 3", 0.6),                        # ties with 11#2: first seen wins
    hit(LAW10, "Điều 1, khoản 2", 0.1),
    hit(LAW10, "Điều 2, khoản 3", 0.65),
]


def test_ranked_articles_max_ranks_by_best_clause():
    assert ranked_articles(HITS, LAW_FILES, "max") == \
        ["10/2099/QH99#1", "10/2099/QH99#2", "11/2099/QH99#2", "11/2099/QH99#3"]
    assert ranked_articles(HITS, LAW_FILES) == ranked_articles(HITS, LAW_FILES, "max")


def test_ranked_articles_sum2_rewards_articles_matched_twice():
    # 10#2: 0.8 + 0.7 (the third clause, 0.65, does not count) = 1.5; 10#1: 0.9 + 0.1 = 1.0.
    assert ranked_articles(HITS, LAW_FILES, "sum2") == \
        ["10/2099/QH99#2", "10/2099/QH99#1", "11/2099/QH99#2", "11/2099/QH99#3"]


def test_ranked_articles_empty():
    assert ranked_articles([], LAW_FILES) == []
    assert ranked_articles([hit("other.txt", "Điều 1", 1.0)], LAW_FILES, "sum2") == []


# ---- citations_valid ---------------------------------------------------------------------------
SOURCE = "Điều 3. Thời hạn\n\n1. Giấy chứng nhận có thời hạn\n05 năm kể từ ngày cấp.\n2. Gia hạn  trước 60 ngày."


class FakeLibrary:
    def __init__(self, texts: dict[str, str]):
        self.texts = texts

    def document_text(self, doc_id: str) -> str | None:
        return self.texts.get(doc_id)


def citation(n: int, text: str, doc_id: str = "law10") -> Citation:
    return Citation(n=n, document=LAW10, title="Luật", number=None, province=None, clause="Điều 3",
                    text=text, score=1.0, doc_id=doc_id)


LIBRARY = FakeLibrary({"law10": SOURCE})
GOOD = (citation(1, "Giấy chứng nhận có thời hạn 05 năm kể từ ngày cấp."), citation(2, "Gia hạn trước 60 ngày."))


def test_citations_valid_accepts_resolved_verbatim_citations():
    answer = Answer(question="?", text="Thời hạn 05 năm [1]; gia hạn trước 60 ngày [2].", refused=False,
                    citations=GOOD)
    assert citations_valid(answer, LIBRARY)
    assert citations_valid(Answer(question="?", text="Không tìm thấy.", refused=True), LIBRARY)


def test_citations_valid_detects_an_unresolved_marker():
    answer = Answer(question="?", text="Thời hạn 05 năm [1], xem thêm [3].", refused=False, citations=GOOD)
    assert not citations_valid(answer, LIBRARY)


def test_citations_valid_detects_non_verbatim_text():
    altered = (GOOD[0], citation(2, "Gia hạn trước 90 ngày."))
    answer = Answer(question="?", text="Thời hạn 05 năm [1] [2].", refused=False, citations=altered)
    assert not citations_valid(answer, LIBRARY)


def test_citations_valid_detects_an_unknown_document():
    answer = Answer(question="?", text="[1]", refused=False, citations=(citation(1, "05 năm", doc_id="gone"),))
    assert not citations_valid(answer, LIBRARY)


# ---- summarise / by_type -----------------------------------------------------------------------
def result(qid, qtype, negative, refused, rank, recall, ndcg, f2, valid, latency) -> Result:
    return Result(qid=qid, qtype=qtype, negative=negative, refused=refused, rank=rank,
                  recall=dict(zip((1, 5, 10), recall)), ndcg10=ndcg, f2=f2, citations_valid=valid,
                  latency_ms=latency)


RESULTS = [
    result("r1", "who", False, False, 1, (1, 1, 1), 1.0, 1.0, True, 10.0),
    result("r2", "what", False, False, 3, (0, 0.5, 1), 0.5, 0.5, True, 20.0),
    result("r3", "what", False, True, None, (0, 0, 0), 0.0, 0.0, True, 30.0),  # a positive refused
    result("r4", "negative", True, True, None, (0, 0, 0), 0.0, None, True, 40.0),
    result("r5", "negative", True, False, None, (0, 0, 0), 0.0, None, False, 50.0),  # a negative answered
]


def test_summarise_hand_computed():
    s = summarise(RESULTS)
    assert (s["questions"], s["positives"], s["negatives"]) == (5, 3, 2)
    assert s["hit@1"] == pytest.approx(1 / 3)
    assert s["hit@5"] == pytest.approx(2 / 3) and s["hit@10"] == pytest.approx(2 / 3)
    assert s["recall@1"] == pytest.approx(1 / 3)
    assert s["recall@5"] == pytest.approx(0.5)
    assert s["recall@10"] == pytest.approx(2 / 3)
    assert s["mrr@10"] == pytest.approx((1 + 1 / 3) / 3)
    assert s["ndcg@10"] == pytest.approx(0.5)
    assert s["f2"] == pytest.approx(0.5)                   # over positives only
    assert s["refusal_precision"] == pytest.approx(0.5)    # refused r3 (wrong) and r4 (right)
    assert s["refusal_recall"] == pytest.approx(0.5)       # r4 refused, r5 answered
    assert s["positives_refused"] == 1
    assert s["citation_validity"] == pytest.approx(0.8)
    assert s["latency_p50_ms"] == 30.0 and s["latency_p95_ms"] == 50.0


def test_summarise_without_negatives_or_results():
    s = summarise(RESULTS[:2])
    assert s["refusal_recall"] is None and s["refusal_precision"] == 1.0 and s["positives_refused"] == 0
    empty = summarise([])
    assert empty["questions"] == 0 and empty["hit@1"] == 0.0 and empty["f2"] is None
    assert empty["latency_p50_ms"] == 0.0 and empty["citation_validity"] == 0.0


def test_summarise_jsonl_results_have_no_f2():
    r = result("j", "how", False, False, 1, (1, 1, 1), 1.0, None, True, 1.0)
    assert summarise([r])["f2"] is None


def test_by_type_splits_by_question_type():
    per = by_type(RESULTS)
    assert list(per) == ["negative", "what", "who"]
    what, who, neg = per["what"], per["who"], per["negative"]
    assert (what["questions"], what["hit@1"], what["hit@5"], what["positives_refused"]) == (2, 0.0, 0.5, 1)
    assert what["refusal_precision"] == 0.0 and what["refusal_recall"] is None
    assert (who["questions"], who["hit@1"], who["mrr@10"], who["refusal_precision"]) == (1, 1.0, 1.0, 1.0)
    assert (neg["positives"], neg["negatives"], neg["refusal_recall"], neg["refusal_precision"]) == (0, 2, 0.5, 1.0)
    assert neg["latency_p50_ms"] == 40.0


# ---- end to end with the hash embedder ---------------------------------------------------------
class CountingEmbedder(HashEmbedder):
    def __init__(self):
        super().__init__()
        self.embedded = 0

    def embed_documents(self, texts):
        self.embedded += len(texts)
        return super().embed_documents(texts)


@pytest.fixture
def instrumented(monkeypatch):
    """Every Library the harness opens gets a counting hash embedder; every ingest report is kept."""
    import assistant.library

    embedders, reports = [], []

    def make(spec, *_model_dir_and_precision):
        assert spec.startswith("hash")
        embedders.append(CountingEmbedder())
        return embedders[-1]

    real_ingest = assistant.library.Library.ingest

    def ingest(self, *args, **kwargs):
        reports.append(real_ingest(self, *args, **kwargs))
        return reports[-1]

    monkeypatch.setattr(assistant.library, "make_embedder", make)
    monkeypatch.setattr(assistant.library.Library, "ingest", ingest)
    return embedders, reports


@pytest.fixture
def mini_alqac(hash_settings) -> Dataset:
    return load_alqac(MINI_ALQAC, hash_settings.data_dir / "eval" / "mini_alqac-work")


def test_open_library_builds_then_reuses_the_dataset_index(hash_settings, mini_alqac, instrumented):
    embedders, reports = instrumented
    library = harness.open_library(hash_settings, mini_alqac)
    root = hash_settings.data_dir / "eval" / f"mini_alqac-{mini_alqac.fingerprint}"
    assert harness.eval_dir(hash_settings, mini_alqac) == root
    assert library.data_dir == root / "index-hash" and (root / "index-hash" / "catalog.sqlite").exists()
    assert not (hash_settings.data_dir / "catalog.sqlite").exists()  # the app's own index is untouched
    assert sorted(d["name"] for d in library.documents()) == sorted(LAW_FILES)
    assert [r.status for r in reports[0].results] == ["added", "added"]
    assert embedders[0].embedded == sum(r.chunks for r in reports[0].results) > 0
    library.close()

    again = harness.open_library(hash_settings, mini_alqac)
    assert again.data_dir == root / "index-hash"
    assert [r.status for r in reports[1].results] == ["unchanged", "unchanged"]
    assert embedders[1].embedded == 0
    assert len(again.searcher.chunks) == len(library.chunks())
    again.close()
    other = harness.open_library(hash_settings.with_(embed_model="hash:64"), mini_alqac)
    assert other.data_dir == root / "index-hash-64"   # another embedder gets its own index, no refusal
    other.close()


def test_open_library_reports_failed_ingest_as_rag_error(hash_settings, tmp_path):
    missing = tmp_path / "gone.txt"
    dataset = Dataset(name="broken", kind="alqac", questions=[], corpus=[missing], fingerprint="0" * 12)
    with pytest.raises(RagError, match="gone.txt"):
        harness.open_library(hash_settings, dataset)


def test_run_alqac_hybrid_and_bm25(hash_settings, mini_alqac):
    from assistant.ask import Assistant

    library = harness.open_library(hash_settings, mini_alqac)
    calls = []
    results = harness.run(mini_alqac, Assistant(library), ["hybrid", "bm25"],
                          progress=lambda i, n, mode: calls.append((i, n, mode)))
    qids = [q.qid for q in mini_alqac.questions]
    assert list(results) == ["hybrid", "bm25"]
    for rs in results.values():
        assert [r.qid for r in rs] == qids
        for r in rs:
            assert set(r.recall) == {1, 5, 10} and 0.0 <= r.ndcg10 <= 1.0
            assert r.f2 is not None and 0.0 <= r.f2 <= 1.0
            assert r.citations_valid and not r.negative and r.latency_ms > 0
    assert calls[-1] == (6, 6, "bm25") and len(calls) == 12
    # BM25 over six invented questions, each worded after its article: measured 6/6 at rank 1.
    at_one = [r.qid for r in results["bm25"] if r.rank == 1]
    assert len(at_one) >= 5, [(r.qid, r.rank) for r in results["bm25"]]
    summary = summarise(results["bm25"])
    assert summary["hit@1"] >= 5 / 6 and summary["recall@10"] >= 5 / 6 and summary["positives_refused"] <= 1
    library.close()


def test_run_limit_and_sum2(hash_settings, mini_alqac):
    from assistant.ask import Assistant

    library = harness.open_library(hash_settings, mini_alqac)
    results = harness.run(mini_alqac, Assistant(library), ["bm25"], limit=2, aggregate="sum2")
    assert [r.qid for r in results["bm25"]] == ["m-1", "m-2"]
    assert all(r.rank == 1 for r in results["bm25"])
    library.close()


def test_run_jsonl_over_the_sample_corpus(hash_settings):
    from assistant.ask import Assistant

    dataset = load_jsonl(MINI_JSONL)
    library = harness.open_library(hash_settings, dataset)
    assert library.data_dir == hash_settings.data_dir / "eval" / f"mini_dev-{dataset.fingerprint}" / "index-hash"
    assert len(library.documents()) == len(list(hash_settings.corpus_dir.glob("*.txt")))
    results = harness.run(dataset, Assistant(library), ["bm25"])["bm25"]
    assert [r.qid for r in results] == ["s1", "s2", "s3", "s4", "s5"]
    negative = results[-1]
    assert negative.negative and negative.refused and negative.rank is None and negative.f2 is None
    positives = results[:-1]
    # Measured with the hash embedder: ranks 1, 2, 1, 1 (the signer comes after the header).
    assert all(not r.refused and r.rank is not None and r.rank <= 5 for r in positives), positives
    assert all(r.citations_valid for r in results)
    summary = summarise(results)
    assert summary["refusal_recall"] == 1.0 and summary["refusal_precision"] == 1.0
    assert summary["hit@5"] == 1.0
    library.close()
