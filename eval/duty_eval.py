"""Duty extraction accuracy against a hand-labelled gold file (tests/data/duties_gold.jsonl).

Actor precision/recall over (document, clause, actor) triples; clause precision/recall over the
(document, clause) pairs that carry at least one duty; role accuracy over matched triples.

    python -m eval.duty_eval [--gold PATH]
"""
from __future__ import annotations

from core.settings import prepare_environment

if __name__ == "__main__":
    prepare_environment()  # run as a program: thread limits and offline flags before numpy loads

import argparse
import json
import sys
from pathlib import Path

from core.settings import PROJECT_ROOT
from core.types import Duty

GOLD = PROJECT_ROOT / "tests" / "data" / "duties_gold.jsonl"


def load_gold(path: Path = GOLD) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _pr(predicted: set, gold: set) -> dict:
    tp = len(predicted & gold)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(gold) if gold else 0.0
    return {"precision": precision, "recall": recall, "tp": tp, "predicted": len(predicted), "gold": len(gold)}


def score(predicted: list[Duty], gold: list[dict]) -> dict:
    pred_actor = {(d.document, d.clause, d.actor) for d in predicted}
    gold_actor = {(g["document"], g["clause"], g["actor"]) for g in gold}
    pred_role = {(d.document, d.clause, d.actor): d.role for d in predicted}
    gold_role = {(g["document"], g["clause"], g["actor"]): g["role"] for g in gold}
    matched = pred_actor & gold_actor
    return {
        "actor": _pr(pred_actor, gold_actor),
        "clause": _pr({k[:2] for k in pred_actor}, {k[:2] for k in gold_actor}),
        "role_accuracy": sum(pred_role[k] == gold_role[k] for k in matched) / len(matched) if matched else 0.0,
        "missing": sorted(gold_actor - pred_actor),
        "extra": sorted(pred_actor - gold_actor),
    }


def extract_samples(folder: Path) -> list[Duty]:
    from ingest.chunk import ClauseChunker
    from ingest.duties import DutyExtractor
    from ingest.load import find_directive_files, load_directive

    chunker, extractor = ClauseChunker(), DutyExtractor()
    duties: list[Duty] = []
    for path in find_directive_files([folder]):
        doc = load_directive(path)
        duties.extend(extractor.extract(doc, chunker.chunk(doc)))
    return duties


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="duty extraction accuracy")
    p.add_argument("--gold", default=str(GOLD))
    p.add_argument("--corpus", default=str(PROJECT_ROOT / "data" / "directives"))
    args = p.parse_args(argv)
    result = score(extract_samples(Path(args.corpus)), load_gold(Path(args.gold)))
    for level in ("actor", "clause"):
        r = result[level]
        print(f"{level:<7} precision {r['precision']:.3f}  recall {r['recall']:.3f}  "
              f"(tp {r['tp']}, predicted {r['predicted']}, gold {r['gold']})")
    print(f"role accuracy on matched duties {result['role_accuracy']:.3f}")
    for name in ("missing", "extra"):
        for item in result[name]:
            print(f"  {name}: {' | '.join(item)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
