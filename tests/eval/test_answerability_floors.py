"""The refusal model against recorded floors, on the held-out questions (never used to fit it or to
choose its threshold), over a corpus it was not fitted on: the samples and ../shared/corpus/real
without the ALQAC laws (real OCR, the real e5 model)."""
import json

import pytest

from tests.conftest import REAL, ROOT, needs_real_corpus

pytestmark = needs_real_corpus


@pytest.fixture(scope="module")
def measured(tmp_path_factory, real_documents):  # real_documents: the scans are OCR'd once per session
    from assistant.answerability import AnswerabilityModel
    from core.settings import Settings
    from eval.answerability import SAMPLES, figures, load_items, measure, open_library

    work_dir = tmp_path_factory.mktemp("answerability-ci")
    items, _, _ = load_items(work_dir)
    items = [i for i in items if i.source != "alqac" and i.split == "heldout"]
    files = sorted(SAMPLES.glob("*.txt")) + sorted(p for p in REAL.iterdir() if p.suffix.lower() != ".md")
    library = open_library(Settings(), files, work_dir)
    measure(items, library, {})
    return figures(items, AnswerabilityModel.load(), ("heldout",))["heldout"]


def test_refusals_meet_the_recorded_floors(measured):
    floors = json.loads((ROOT / "eval" / "floors.json").read_text(encoding="utf-8"))["answerability_heldout"]
    print(json.dumps(measured, indent=1))
    assert measured["negatives_refused"] >= floors["negatives_refused_min"]
    assert measured["answerable_refused"] <= floors["answerable_refused_max"]
    assert measured["refused_off_topic"] >= floors["refused_off_topic_min"]
