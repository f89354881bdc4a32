"""The quality bar on shared/eval/seed_dev.jsonl, with the real default embedder and index:
hit@5 >= 0.95 and hit@1 >= 0.85 over answerable questions; every negative refused; no
answerable question refused."""
import pytest

from eval.metrics import summarise
from eval.run import by_type, evaluate, format_table, load_jsonl
from tests.conftest import SEED_DEV

pytestmark = pytest.mark.skipif(not SEED_DEV.exists(), reason="../shared/eval/seed_dev.jsonl is absent")


def test_seed_dev_quality_bar(real_assistant):
    rows = load_jsonl(SEED_DEV)
    results = evaluate(real_assistant, rows)
    summary = summarise(results)
    print("\n" + format_table(summary, by_type(results)))
    assert summary["positives"] >= 50 and summary["negatives"] >= 5
    assert summary["hit@5"] >= 0.95, summary
    assert summary["hit@1"] >= 0.85, summary
    assert summary["negatives_refused"] == summary["negatives"], summary
    assert summary["positives_refused"] == 0, summary
