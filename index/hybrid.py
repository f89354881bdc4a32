"""Hybrid retrieval: the dense (ChromaDB) and lexical (BM25) result lists fused into one
ranking (score-normalised fusion by default, weighted reciprocal rank fusion on request), with
filters by document and province."""
from __future__ import annotations

from dataclasses import dataclass

from core.types import Chunk, Hit


@dataclass(frozen=True)
class FusionWeights:
    """How the two lists are fused. "score" (the default): each clause gets the BM25 score divided
    by the best BM25 score, times `lexical`, plus its cosine min-max scaled over the dense
    candidates, times `dense`. "rrf": weight / (k + rank) summed over both lists. The default
    keeps BM25's first result where it is confident and lets dense results add recall; the
    README (Evaluation) has the figures of each choice."""
    lexical: float = 1.0
    dense: float = 0.7
    method: str = "score"  # "score" or "rrf"
    k: int = 60            # RRF damping constant
    depth: int = 50        # how many results each side contributes


def fuse(lexical: list[tuple[str, float]], dense: list[tuple[str, float]], w: FusionWeights
         ) -> dict[str, float]:
    fused: dict[str, float] = {}
    if w.method == "rrf":
        for weight, ranked in ((w.lexical, lexical), (w.dense, dense)):
            for rank, (cid, _) in enumerate(ranked, 1):
                fused[cid] = fused.get(cid, 0.0) + weight / (w.k + rank)
        return fused
    if lexical:
        top = lexical[0][1]
        for cid, s in lexical:
            fused[cid] = fused.get(cid, 0.0) + w.lexical * s / top
    if dense:
        hi, lo = dense[0][1], dense[-1][1]
        for cid, s in dense:
            fused[cid] = fused.get(cid, 0.0) + w.dense * (s - lo) / max(hi - lo, 1e-6)
    return fused


class HybridSearcher:
    def __init__(self, chunks: dict[str, Chunk], lexical, vectors, embedder,
                 weights: FusionWeights = FusionWeights()):
        self.chunks = chunks
        self.lexical = lexical
        self.vectors = vectors
        self.embedder = embedder
        self.weights = weights

    def allowed_ids(self, documents: list[str] | None, provinces: list[str] | None) -> set[str] | None:
        if not documents and not provinces:
            return None
        docs, provs = set(documents or ()), set(provinces or ())
        return {cid for cid, c in self.chunks.items()
                if (not docs or c.document in docs) and (not provs or (c.province or "") in provs)}

    def search(self, question: str, k: int = 5, documents: list[str] | None = None,
               provinces: list[str] | None = None, mode: str = "hybrid") -> list[Hit]:
        w = self.weights
        allowed = self.allowed_ids(documents, provinces)
        lexical = self.lexical.search(question, w.depth, allowed) if mode in ("hybrid", "bm25") else []
        dense: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense") and self.vectors is not None:
            vec = self.embedder.embed_query(question)
            dense = self.vectors.query(vec, w.depth, documents, provinces)
        # The catalog is the truth: vectors of a document being replaced are ignored.
        lexical = [(cid, s) for cid, s in lexical if cid in self.chunks]
        dense = [(cid, s) for cid, s in dense if cid in self.chunks and (allowed is None or cid in allowed)]
        fused = fuse(lexical, dense, w)
        lex = {cid: (rank, s) for rank, (cid, s) in enumerate(lexical, 1)}
        den = {cid: (rank, s) for rank, (cid, s) in enumerate(dense, 1)}
        order = sorted(fused, key=lambda cid: (-fused[cid], cid))[:k]
        return [Hit(chunk=self.chunks[cid], score=fused[cid],
                    dense=den[cid][1] if cid in den else None, lexical=lex[cid][1] if cid in lex else None,
                    rank_dense=den[cid][0] if cid in den else None,
                    rank_lexical=lex[cid][0] if cid in lex else None) for cid in order]
