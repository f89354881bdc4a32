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


# ---- duties ---------------------------------------------------------------------------------------
DUTY_FLOORS = json.loads((PROJECT_ROOT / "eval" / "floors.json").read_text(encoding="utf-8"))["real_duties"]


@pytest.fixture(scope="module")
def duty_scores(real_documents) -> dict:
    from eval.duty_gold import extract_real, load_gold as load_duty_gold, score as score_duties, split_files

    predicted = extract_real(real_documents)
    gold = load_duty_gold()
    out = {split: score_duties(predicted, gold, split_files(split)) for split in ("held-out", "tuning")}
    for split, s in out.items():
        print(f"\nduties {split}: precision {s['precision']:.3f} recall {s['recall']:.3f} role {s['role']:.3f} "
              f"deadline {s['deadline']:.3f} (gold {s['gold']}, predicted {s['predicted']})", end="")
    return out


@pytest.mark.parametrize("split", ["held-out", "tuning"])
@pytest.mark.parametrize("measure", ["precision", "recall", "role", "deadline"])
def test_duty_accuracy_meets_recorded_floors(duty_scores, split, measure):
    """Floors in eval/floors.json are the figures measured when the extractor was rebuilt on the
    tuning split; the held-out documents were never looked at while tuning."""
    assert duty_scores[split][measure] >= DUTY_FLOORS[split][measure], (split, measure, duty_scores[split][measure])


def test_real_duties_are_verbatim_and_well_formed(real_documents):
    from eval.duty_gold import extract_real

    for d in extract_real(real_documents):
        doc = real_documents[d.document]
        assert d.quote and d.quote in " ".join(doc.text.split()), (d.document, d.quote[:80])
        assert d.actor and d.role in ("chủ trì", "phối hợp", "thực hiện", "tham mưu", "theo dõi, đôn đốc", "báo cáo")
        assert d.holder and (d.time.date is None or len(d.time.date) == 10)
