"""The real documents of ../shared/corpus/real through the real loaders: every file loads, and
the parsed headers match the gold a separate reader wrote (tests/data/real/headers_gold.jsonl),
on the held-out documents and on the rest (scored by eval.header_eval)."""
import json
import re

import pytest

from eval.header_eval import FIELDS, load_gold, predicted_fields, score
from core.settings import PROJECT_ROOT
from tests.conftest import needs_real_corpus

pytestmark = needs_real_corpus
FLOORS = json.loads((PROJECT_ROOT / "eval" / "floors.json").read_text(encoding="utf-8"))["real_headers"]


def test_every_real_file_loads(real_documents):
    assert len(real_documents) == 46
    failed = {name: str(doc) for name, doc in real_documents.items() if isinstance(doc, Exception)}
    assert failed == {}


def test_no_loader_artefacts_in_real_text(real_documents):
    for name, doc in real_documents.items():
        if isinstance(doc, Exception):
            continue
        assert not re.search(r"\d{12,}", doc.text), name   # drawing-anchor offsets; no phone number is this long
        assert not re.search(r"^_{4,}$", doc.text, re.M), name                          # rules
        assert doc.text.strip() and doc.format in ("docx", "doc", "pdf", "scan")


@pytest.fixture(scope="module")
def header_scores(real_documents) -> dict:
    gold, heldout = load_gold()
    predicted = {name: predicted_fields(doc.header) for name, doc in real_documents.items()
                 if not isinstance(doc, Exception)}
    everything = {g["file"] for g in gold}
    scores = {"held-out": score(predicted, gold, heldout), "tuning": score(predicted, gold, everything - heldout)}
    for split, s in scores.items():
        print(f"\n{split} ({s['documents']} documents): " + "  ".join(f"{f} {s[f]:.3f}" for f in FIELDS), end="")
    return scores


@pytest.mark.parametrize("split", ["held-out", "tuning"])
@pytest.mark.parametrize("field", FIELDS)
def test_header_field_accuracy_meets_recorded_floors(header_scores, split, field):
    """Floors in eval/floors.json are the figures measured when the loaders were written; the
    target for the held-out split is 0.95 per field (README, Real documents, says where it falls short)."""
    assert header_scores["held-out"]["documents"] >= 15
    floor = FLOORS[split][field]
    assert header_scores[split][field] >= floor - 1e-9, (split, field, header_scores[split][field], floor)
