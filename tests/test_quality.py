"""The quality bar on shared/eval/seed_dev.jsonl, run through the eval harness with the real
default embedder and index: hit@5 >= 0.95 and hit@1 >= 0.85 over answerable questions; every
negative refused; no answerable question refused; every citation valid."""
import json

import pytest

from core.settings import PROJECT_ROOT
from eval.datasets import SEED_DEV, load_jsonl
from eval.harness import by_type, run, summarise
from eval.report import table

pytestmark = pytest.mark.skipif(not SEED_DEV.exists(), reason="../shared/eval/seed_dev.jsonl is absent")


FLOORS = json.loads((PROJECT_ROOT / "eval" / "floors.json").read_text(encoding="utf-8"))["seed_dev"]["hybrid"]


def test_seed_dev_quality_bar(real_assistant):
    results = run(load_jsonl(SEED_DEV), real_assistant, ["hybrid"])["hybrid"]
    summary = summarise(results)
    print("\n" + table({"hybrid": summary}))
    for qtype, s in by_type(results).items():
        print(f"  {qtype:<11} n={s['questions']:>2} hit@1={s['hit@1']:.3f} hit@5={s['hit@5']:.3f}")
    assert summary["positives"] >= 50 and summary["negatives"] >= 5
    assert summary["hit@5"] >= FLOORS["hit@5"] >= 0.95, summary
    assert summary["hit@1"] >= FLOORS["hit@1"] >= 0.85, summary
    assert summary["refusal_recall"] == FLOORS["refusal_recall"] == 1.0, summary
    # one known refusal since answerability-v3 (d46, a reworded question on the smallest corpus; held out
    # from the model's fit, so not tuned away): see eval/answerability/README.md
    assert summary["positives_refused"] <= FLOORS["positives_refused_max"] <= 1, summary
    assert summary["citation_validity"] == FLOORS["citation_validity"] == 1.0, summary
