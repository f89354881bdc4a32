"""Evaluation reports: a one-screen table on stdout, and Markdown, JSON and a PNG chart on disk."""
from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

from eval.harness import by_type, summarise

ROWS = ("hit@1", "hit@5", "hit@10", "recall@10", "mrr@10", "ndcg@10", "f2", "refusal_precision", "refusal_recall",
        "positives_refused", "citation_validity", "latency_p50_ms", "latency_p95_ms")


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.0f}" if value >= 10 else f"{value:.3f}"
    return str(value)


def table(summaries: dict[str, dict]) -> str:
    modes = list(summaries)
    width = max(len(r) for r in ROWS)
    lines = [f"{'':<{width}}" + "".join(f"{m:>10}" for m in modes)]
    for row in ROWS:
        lines.append(f"{row:<{width}}" + "".join(f"{_fmt(summaries[m].get(row)):>10}" for m in modes))
    return "\n".join(lines)


def markdown(dataset_name: str, summaries: dict[str, dict], per_type: dict[str, dict[str, dict]], meta: dict) -> str:
    modes = list(summaries)
    out = [f"# Evaluation: {dataset_name}", "",
           "| " + " | ".join(f"{k}: {v}" for k, v in meta.items()) + " |", "|" + "---|" * len(meta), "",
           "| metric | " + " | ".join(modes) + " |", "|---|" + "---|" * len(modes)]
    for row in ROWS:
        out.append(f"| {row} | " + " | ".join(_fmt(summaries[m].get(row)) for m in modes) + " |")
    for mode in modes:
        out += ["", f"## By question type ({mode})", "", "| type | n | hit@1 | hit@5 | mrr@10 | refused |",
                "|---|---|---|---|---|---|"]
        for t, s in per_type[mode].items():
            refused = s["positives_refused"] + round((s["refusal_recall"] or 0) * s["negatives"])
            out.append(f"| {t or '—'} | {s['questions']} | {_fmt(s['hit@1'])} | {_fmt(s['hit@5'])} | "
                       f"{_fmt(s['mrr@10'])} | {refused} |")
    return "\n".join(out) + "\n"


def chart(summaries: dict[str, dict], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = ["hit@1", "hit@5", "recall@10", "mrr@10", "ndcg@10"]
    modes = list(summaries)
    fig, ax = plt.subplots(figsize=(8, 4.2), dpi=110)
    width = 0.8 / max(len(modes), 1)
    for i, mode in enumerate(modes):
        values = [summaries[mode].get(m) or 0.0 for m in metrics]
        xs = [x + i * width for x in range(len(metrics))]
        bars = ax.bar(xs, values, width, label=mode)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks([x + width * (len(modes) - 1) / 2 for x in range(len(metrics))], metrics)
    ax.set_ylim(0, 1.08)
    ax.set_title(title)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write(dataset_name: str, results: dict, out_dir: Path, meta: dict) -> dict[str, Path]:
    summaries = {mode: summarise(rs) for mode, rs in results.items()}
    per_type = {mode: by_type(rs) for mode, rs in results.items()}
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{dataset_name}-{'-'.join(results)}-{time.strftime('%Y%m%d-%H%M%S')}"
    paths = {"md": out_dir / f"{stem}.md", "json": out_dir / f"{stem}.json", "png": out_dir / f"{stem}.png"}
    paths["md"].write_text(markdown(dataset_name, summaries, per_type, meta), encoding="utf-8")
    paths["json"].write_text(json.dumps({"meta": meta, "summary": summaries, "by_type": per_type,
                                         "questions": {m: [asdict(r) for r in rs] for m, rs in results.items()}},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
    chart(summaries, paths["png"], f"{dataset_name} ({meta.get('questions')} questions)")
    return paths
