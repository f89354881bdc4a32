"""Pure metrics over verbatim gold quotes (seed_dev) or stable ids."""
from __future__ import annotations

import math

from core.text import squash


def contains_gold(passage: str, gold_quotes: list[str]) -> bool:
    """A passage is a hit when it contains one of the gold quotes after NFC and whitespace
    normalisation."""
    text = squash(passage)
    return any(squash(q) in text for q in gold_quotes)


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
