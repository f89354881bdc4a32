"""Evaluation harness: a thin loop over the same retrieve and answer code the app uses.

    python app.py eval --dataset PATH [--mode hybrid|bm25|dense|all] [--limit N]

The dataset's index lives in a data dir of its own (RAG_DATA_DIR/eval/<name>-<fingerprint>),
built on first use and reused after. Retrieval metrics come from the ranked clauses (grouped
into articles for ALQAC); answer metrics (refusal, F2 of the cited set, citation validity)
come from the assistant's answer.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from core.errors import RagError
from core.settings import Settings
from core.text import squash
from eval.datasets import Dataset, Question, article_of
from eval.metrics import contains_gold, ndcg_at, percentile

MODES = ("hybrid", "bm25", "dense")
DEPTH = 100  # clauses retrieved to rank articles


@dataclass(frozen=True)
class Result:
    qid: str
    qtype: str
    negative: bool
    refused: bool
    rank: int | None                 # rank of the first relevant item (article or quote passage)
    recall: dict                     # {1: r, 5: r, 10: r}
    ndcg10: float
    f2: float | None                 # cited set vs gold articles (ALQAC)
    citations_valid: bool
    latency_ms: float


def eval_dir(settings: Settings, dataset: Dataset) -> Path:
    return Path(settings.data_dir) / "eval" / f"{dataset.name}-{dataset.fingerprint}"


def open_library(settings: Settings, dataset: Dataset, progress=None):
    from assistant.library import Library

    root = eval_dir(settings, dataset)
    corpus = dataset.corpus or [settings.corpus_dir]
    # one index per embedder, so comparing embedders never rebuilds (or refuses) the other's index
    embedder = re.sub(r"[^a-z0-9]+", "-", settings.embed_model.lower()).strip("-")[:60] or "default"
    library = Library(settings.with_(data_dir=root / f"index-{embedder}"))
    report = library.ingest(corpus, progress=progress)
    if report.failed:
        raise RagError("; ".join(f"{r.path}: {r.reason}" for r in report.failed))
    return library


def ranked_articles(hits, document_laws: dict[str, str], aggregate: str = "max") -> list[str]:
    """Clause hits -> articles, best first. 'max': an article ranks by its best clause;
    'sum2': by the sum of its two best clauses (rewards articles matched in several places)."""
    scores: dict[str, list[float]] = {}
    for h in hits:
        art = article_of(h.chunk.clause, h.chunk.document, document_laws)
        if art:
            scores.setdefault(art, []).append(h.score)
    key = (lambda a: max(scores[a])) if aggregate == "max" else (lambda a: sum(sorted(scores[a])[-2:]))
    first_seen = {a: i for i, a in enumerate(scores)}
    return sorted(scores, key=lambda a: (-key(a), first_seen[a]))


def _f2(returned: set[str], gold: set[str]) -> float:
    if not returned or not gold:
        return 0.0
    tp = len(returned & gold)
    if not tp:
        return 0.0
    p, r = tp / len(returned), tp / len(gold)
    return 5 * p * r / (4 * p + r)


def citations_valid(answer, library) -> bool:
    numbers = {c.n for c in answer.citations}
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", answer.text)}
    if not markers <= numbers:
        return False
    for c in answer.citations:
        source = library.document_text(c.doc_id)
        if source is None or c.text not in squash(source):
            return False
    return True


def evaluate_question(q: Question, dataset: Dataset, assistant, mode: str, k: int = 10,
                      aggregate: str = "max") -> Result:
    library = assistant.library
    start = time.perf_counter()
    answer = assistant.ask(q.text, k=k, mode=mode)
    latency = (time.perf_counter() - start) * 1000
    if dataset.kind == "alqac":
        hits = library.search(q.text, DEPTH, mode=mode)
        ranking = ranked_articles(hits, dataset.document_laws, aggregate)[:10]
        gold = set(q.gold_articles)
        relevances = [1 if a in gold else 0 for a in ranking]
        rank = next((i for i, rel in enumerate(relevances, 1) if rel), None)
        recall = {n: (len(set(ranking[:n]) & gold) / len(gold) if gold else 0.0) for n in (1, 5, 10)}
        cited = {article_of(c.clause, c.document, dataset.document_laws) for c in answer.citations} - {None}
        f2 = 0.0 if answer.refused else _f2(cited, gold)
        ndcg = ndcg_at(relevances, 10, len(gold))
    else:
        passages = [c.text for c in answer.citations]
        relevances = [1 if contains_gold(p, list(q.gold_quotes)) else 0 for p in passages]
        rank = next((i for i, rel in enumerate(relevances, 1) if rel), None) if q.gold_quotes else None
        found = lambda n: sum(any(squash(g) in squash(p) for p in passages[:n]) for g in q.gold_quotes)  # noqa: E731
        recall = {n: (found(n) / len(q.gold_quotes) if q.gold_quotes else 0.0) for n in (1, 5, 10)}
        f2 = None
        ndcg = ndcg_at(relevances, 10, min(len(q.gold_quotes), 10)) if q.gold_quotes else 0.0
    return Result(qid=q.qid, qtype=q.qtype, negative=q.negative, refused=answer.refused, rank=rank,
                  recall=recall, ndcg10=ndcg, f2=f2, citations_valid=citations_valid(answer, library),
                  latency_ms=latency)


def summarise(results: list[Result]) -> dict:
    pos = [r for r in results if not r.negative]
    neg = [r for r in results if r.negative]
    n = max(len(pos), 1)
    refused = [r for r in results if r.refused]
    f2s = [r.f2 for r in pos if r.f2 is not None]
    return {
        "questions": len(results), "positives": len(pos), "negatives": len(neg),
        **{f"hit@{k}": sum(1 for r in pos if r.rank and r.rank <= k) / n for k in (1, 5, 10)},
        **{f"recall@{k}": sum(r.recall[k] for r in pos) / n for k in (1, 5, 10)},
        "mrr@10": sum(1 / r.rank for r in pos if r.rank and r.rank <= 10) / n,
        "ndcg@10": sum(r.ndcg10 for r in pos) / n,
        "f2": sum(f2s) / len(f2s) if f2s else None,
        # Of the refused questions, how many should have been refused: 1.0 when nothing was refused
        # and nothing had to be (no wrong refusal); undefined when negatives went unrefused (see recall).
        "refusal_precision": (sum(r.negative for r in refused) / len(refused)) if refused else (None if neg else 1.0),
        "refusal_recall": (sum(r.refused for r in neg) / len(neg)) if neg else None,
        "positives_refused": sum(r.refused for r in pos),
        "citation_validity": sum(r.citations_valid for r in results) / max(len(results), 1),
        "latency_p50_ms": percentile([r.latency_ms for r in results], 50),
        "latency_p95_ms": percentile([r.latency_ms for r in results], 95),
    }


def by_type(results: list[Result]) -> dict[str, dict]:
    types = sorted({r.qtype for r in results})
    return {t: summarise([r for r in results if r.qtype == t]) for t in types}


def run(dataset: Dataset, assistant, modes: list[str], limit: int | None = None, aggregate: str = "max",
        progress=None) -> dict[str, list[Result]]:
    questions = dataset.questions[:limit] if limit else dataset.questions
    out = {}
    for mode in modes:
        results = []
        for i, q in enumerate(questions, 1):
            results.append(evaluate_question(q, dataset, assistant, mode, aggregate=aggregate))
            if progress:
                progress(i, len(questions), mode)
        out[mode] = results
    return out
