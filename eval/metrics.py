"""Pure metrics over verbatim gold quotes (seed_dev) or stable ids."""
from __future__ import annotations

import math
from dataclasses import dataclass

from rag.text import squash


def contains_gold(passage: str, gold_quotes: list[str]) -> bool:
    """A passage is a hit when it contains one of the gold quotes after NFC and whitespace
    normalisation."""
    text = squash(passage)
    return any(squash(q) in text for q in gold_quotes)


def first_hit_rank(passages: list[str], gold_quotes: list[str]) -> int | None:
    """1-based rank of the first passage containing a gold quote, or None."""
    for rank, passage in enumerate(passages, 1):
        if contains_gold(passage, gold_quotes):
            return rank
    return None


def hit_at(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None, k: int = 10) -> float:
    return 1.0 / rank if rank is not None and rank <= k else 0.0


def ndcg_at(relevances: list[int], k: int = 10, n_relevant: int | None = None) -> float:
    dcg = sum(rel / math.log2(i + 2) for i, rel in enumerate(relevances[:k]))
    ideal_n = min(k, n_relevant if n_relevant is not None else sum(1 for r in relevances if r))
    idcg = sum(1.0 / math.log2(i + 2) for i in range(ideal_n))
    return dcg / idcg if idcg else 0.0


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, math.ceil(pct / 100 * len(ordered)) - 1))
    return ordered[idx]


@dataclass(frozen=True)
class QuestionResult:
    qid: str
    qtype: str
    question: str
    refused: bool
    rank: int | None            # first cited passage with a gold quote
    latency_ms: float
    negative: bool


def summarise(results: list[QuestionResult]) -> dict:
    pos = [r for r in results if not r.negative]
    neg = [r for r in results if r.negative]
    lat = [r.latency_ms for r in results]
    return {
        "questions": len(results),
        "positives": len(pos),
        "negatives": len(neg),
        "hit@1": sum(hit_at(r.rank, 1) for r in pos) / max(len(pos), 1),
        "hit@5": sum(hit_at(r.rank, 5) for r in pos) / max(len(pos), 1),
        "mrr@10": sum(reciprocal_rank(r.rank) for r in pos) / max(len(pos), 1),
        "negatives_refused": sum(r.refused for r in neg),
        "positives_refused": sum(r.refused for r in pos),
        "latency_p50_ms": percentile(lat, 50),
        "latency_p95_ms": percentile(lat, 95),
    }
