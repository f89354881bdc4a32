"""Fusion of lexical and dense rankings, and the hybrid searcher over a real ChromaDB."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from index.embed import HashEmbedder
from index.hybrid import FusionWeights, HybridSearcher, fuse
from index.lexical import LexicalIndex
from index.retriever import ClauseRetriever
from index.store import VectorStore
from ingest.chunk import ClauseChunker
from ingest.load import load_directive

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "directives"
RRF = FusionWeights(method="rrf")
SCORE = FusionWeights(method="score")


def best(fused: dict[str, float]) -> str:
    return max(fused, key=fused.get)


# ---- fuse(): reciprocal rank fusion ----------------------------------------------------------
def test_rrf_doc_first_in_both_lists_ranks_first():
    fused = fuse([("a", 9.0), ("b", 5.0), ("c", 1.0)], [("a", 0.9), ("c", 0.8), ("b", 0.1)], RRF)
    assert best(fused) == "a"


def test_rrf_uses_ranks_not_raw_scores():
    one = fuse([("a", 100.0), ("b", 1.0)], [("b", 0.9), ("a", 0.1)], RRF)
    other = fuse([("a", 2.0), ("b", 1.9)], [("b", 0.9), ("a", 0.89)], RRF)
    assert one == other


def test_rrf_score_is_weighted_reciprocal_rank():
    w = FusionWeights(method="rrf", lexical=2.0, dense=0.5, k=10)
    fused = fuse([("a", 3.0), ("b", 2.0)], [("b", 0.7)], w)
    assert fused["a"] == pytest.approx(2.0 / 11)
    assert fused["b"] == pytest.approx(2.0 / 12 + 0.5 / 11)


@pytest.mark.parametrize("weights, winner", [((1.0, 0.5), "lex"), ((0.5, 1.0), "den")])
def test_rrf_weights_decide_between_the_two_lists(weights, winner):
    w = FusionWeights(method="rrf", lexical=weights[0], dense=weights[1])
    fused = fuse([("lex", 5.0), ("den", 1.0)], [("den", 0.9), ("lex", 0.2)], w)
    assert best(fused) == winner


def test_rrf_keeps_docs_found_by_only_one_side():
    fused = fuse([("a", 1.0)], [("b", 0.5)], RRF)
    assert set(fused) == {"a", "b"}


# ---- fuse(): score normalisation (the default) -----------------------------------------------
def test_score_doc_first_in_both_lists_ranks_first():
    fused = fuse([("a", 9.0), ("b", 5.0), ("c", 1.0)], [("a", 0.9), ("c", 0.8), ("b", 0.1)], SCORE)
    assert best(fused) == "a"
    assert fused["a"] == pytest.approx(SCORE.lexical + SCORE.dense)


def test_score_normalises_bm25_by_best_and_cosine_by_range():
    w = FusionWeights(method="score", lexical=1.0, dense=1.0)
    fused = fuse([("a", 8.0), ("b", 4.0)], [("c", 0.9), ("d", 0.7), ("e", 0.5)], w)
    assert fused["a"] == pytest.approx(1.0)
    assert fused["b"] == pytest.approx(0.5)
    assert fused["c"] == pytest.approx(1.0)
    assert fused["d"] == pytest.approx(0.5)
    assert fused["e"] == pytest.approx(0.0)


def test_score_is_invariant_to_bm25_scale():
    dense = [("b", 0.9), ("a", 0.4)]
    assert fuse([("a", 10.0), ("b", 5.0)], dense, SCORE) == pytest.approx(fuse([("a", 1.0), ("b", 0.5)], dense, SCORE))


@pytest.mark.parametrize("weights, winner", [((1.0, 0.5), "lex"), ((0.5, 1.0), "den")])
def test_score_weights_decide_between_the_two_lists(weights, winner):
    w = FusionWeights(method="score", lexical=weights[0], dense=weights[1])
    fused = fuse([("lex", 5.0), ("den", 1.0)], [("den", 0.9), ("lex", 0.2)], w)
    assert best(fused) == winner


def test_zero_weight_silences_a_side():
    w = FusionWeights(method="score", lexical=1.0, dense=0.0)
    fused = fuse([("a", 2.0), ("b", 1.0)], [("b", 0.9), ("a", 0.1)], w)
    assert best(fused) == "a"


@pytest.mark.parametrize("method", ["score", "rrf"])
def test_empty_inputs_fuse_to_nothing(method):
    assert fuse([], [], FusionWeights(method=method)) == {}


# ---- HybridSearcher over a real ChromaDB -----------------------------------------------------
class QueryCountingEmbedder(HashEmbedder):
    def __init__(self):
        super().__init__()
        self.queries = 0

    def embed_query(self, text):
        self.queries += 1
        return super().embed_query(text)


@pytest.fixture
def parts(tmp_path):
    chunker = ClauseChunker()
    chunks = [c for f in sorted(SAMPLES.glob("*.txt")) for c in chunker.chunk(load_directive(f))]
    embedder = QueryCountingEmbedder()
    vectors = VectorStore(tmp_path / "chroma")
    vectors.upsert(chunks, embedder.embed_documents([c.index_text() for c in chunks]))
    lexical = LexicalIndex.build([c.chunk_id for c in chunks], [c.index_text() for c in chunks])
    return {c.chunk_id: c for c in chunks}, lexical, vectors, embedder


def test_hybrid_hits_carry_both_signals(parts):
    chunks, lexical, vectors, embedder = parts
    hits = HybridSearcher(chunks, lexical, vectors, embedder).search("Hồ sơ trình có nội dung mật", k=3)
    top = hits[0]
    assert top.chunk.text.startswith("Hồ sơ trình có nội dung mật")
    assert top.rank_lexical == 1 and top.lexical > 0
    assert top.dense is not None and top.rank_dense is not None


def test_bm25_mode_does_not_embed_the_question(parts):
    chunks, lexical, vectors, embedder = parts
    hits = HybridSearcher(chunks, lexical, vectors, embedder).search("nội dung mật", k=3, mode="bm25")
    assert hits and all(h.dense is None for h in hits)
    assert embedder.queries == 0


def test_dense_mode_uses_only_vectors(parts):
    chunks, lexical, vectors, embedder = parts
    hits = HybridSearcher(chunks, lexical, vectors, embedder).search("nội dung mật", k=3, mode="dense")
    assert hits and all(h.lexical is None for h in hits)
    assert embedder.queries == 1


def test_vectors_not_in_the_catalog_are_ignored(parts):
    """While a document is being replaced Chroma may hold vectors the catalog does not list."""
    chunks, lexical, vectors, embedder = parts
    clause = next(c for c in chunks.values() if c.text.startswith("Hồ sơ trình có nội dung mật"))
    orphan = replace(clause, chunk_id="orphan-0001")
    vectors.upsert([orphan], embedder.embed_documents([orphan.index_text()]))
    hits = HybridSearcher(chunks, lexical, vectors, embedder).search(clause.text, k=10, mode="dense")
    assert hits[0].chunk.chunk_id == clause.chunk_id
    assert "orphan-0001" not in {h.chunk.chunk_id for h in hits}


def test_allowed_ids_combines_document_and_province(parts):
    chunks, lexical, vectors, embedder = parts
    searcher = HybridSearcher(chunks, lexical, vectors, embedder)
    assert searcher.allowed_ids(None, None) is None
    nghe_an = searcher.allowed_ids(None, ["Nghệ An"])
    assert nghe_an and all(chunks[cid].province == "Nghệ An" for cid in nghe_an)
    assert searcher.allowed_ids(["long-an-2021-trach-nhiem-cong-vu.txt"], ["Nghệ An"]) == set()


def test_clause_retriever_returns_langchain_documents_with_citation_metadata(parts):
    chunks, lexical, vectors, embedder = parts
    retriever = ClauseRetriever(searcher=HybridSearcher(chunks, lexical, vectors, embedder), k=2)
    docs = retriever.invoke("Hồ sơ trình có nội dung mật")
    assert len(docs) == 2
    meta = docs[0].metadata
    assert docs[0].page_content == chunks[meta["chunk_id"]].text
    assert meta["document"] == "long-an-2021-trach-nhiem-cong-vu.txt"
    assert meta["end"] > meta["start"]
