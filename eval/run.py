"""Evaluate the assistant on a JSONL question set (the format of shared/eval/seed_dev.jsonl).

A question is a hit at k when one of its first k *cited* passages contains one of its gold
quotes (after NFC and whitespace normalisation). Negative questions must be refused.

    python -m eval.run [--dataset PATH] [--json]
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import rag  # noqa: F401
from eval.metrics import QuestionResult, first_hit_rank, summarise
from rag.settings import PROJECT_ROOT, Settings

DEFAULT_DATASET = PROJECT_ROOT.parent / "shared" / "eval" / "seed_dev.jsonl"


def load_jsonl(path: str | Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{line_no}: not valid JSON ({e.msg})") from e
            if "question" not in row:
                raise ValueError(f"{path}:{line_no}: missing 'question'")
            rows.append(row)
    return rows


def evaluate(assistant, rows: list[dict]) -> list[QuestionResult]:
    results = []
    for row in rows:
        answer, ms = assistant.timed_ask(row["question"])
        negative = row.get("type") == "negative" or not row.get("gold_quotes")
        rank = None if answer.refused else first_hit_rank([c.text for c in answer.citations],
                                                          row.get("gold_quotes") or [])
        results.append(QuestionResult(qid=row.get("id", ""), qtype=row.get("type", ""), question=row["question"],
                                      refused=answer.refused, rank=rank, latency_ms=ms, negative=negative))
    return results


def by_type(results: list[QuestionResult]) -> dict[str, dict]:
    groups: dict[str, list[QuestionResult]] = defaultdict(list)
    for r in results:
        groups[r.qtype].append(r)
    return {t: summarise(rs) for t, rs in sorted(groups.items())}


def format_table(summary: dict, per_type: dict[str, dict]) -> str:
    lines = [f"questions {summary['questions']} (positives {summary['positives']}, negatives {summary['negatives']})",
             f"hit@1 {summary['hit@1']:.3f}   hit@5 {summary['hit@5']:.3f}   MRR@10 {summary['mrr@10']:.3f}",
             f"negatives refused {summary['negatives_refused']}/{summary['negatives']}   "
             f"positives refused {summary['positives_refused']}/{summary['positives']}",
             f"latency p50 {summary['latency_p50_ms']:.0f} ms   p95 {summary['latency_p95_ms']:.0f} ms",
             "", f"{'type':<12}{'n':>4}{'hit@1':>8}{'hit@5':>8}{'refused':>9}"]
    for t, s in per_type.items():
        n = s["questions"]
        refused = s["negatives_refused"] + s["positives_refused"]
        lines.append(f"{t:<12}{n:>4}{s['hit@1']:>8.3f}{s['hit@5']:>8.3f}{refused:>9}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from rag.cli import open_assistant

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default=str(DEFAULT_DATASET))
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if not Path(args.dataset).exists():
        print(f"dataset not found: {args.dataset}", file=sys.stderr)
        return 2
    assistant = open_assistant(Settings.from_env())
    results = evaluate(assistant, load_jsonl(args.dataset))
    summary, per_type = summarise(results), by_type(results)
    if args.json:
        print(json.dumps({"summary": summary, "by_type": per_type}, ensure_ascii=False, indent=2))
    else:
        print(format_table(summary, per_type))
        for r in results:
            if r.refused != r.negative or (not r.negative and r.rank != 1):
                print(f"  {r.qid} [{r.qtype}] rank={r.rank} refused={r.refused}: {r.question}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
