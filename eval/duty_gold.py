"""Duty accuracy on the real corpus against the gold of tests/data/real/duties_gold/ (one JSONL
file per document, written by readers who saw only the documents; see LABELLING.md there).

The readers could not know the system's clause paths, so a gold duty names its place by a short
verbatim evidence quote. A predicted duty matches a gold one when
- both are of the same document,
- the gold evidence lies in the predicted duty's clause text (after NFC, case, whitespace, tone
  placement and punctuation spacing are normalised; for OCR'd text a window of at least 0.9
  character similarity counts), and
- the actors agree after normalisation (case, "Ủy ban nhân dân" = "UBND", a leading "các",
  tone placement), through `same_actor`.
Matching is one to one, greedy in gold order. Then:
- actor precision = matched predictions / predictions; recall = matched gold / gold;
- role agreement over matched pairs;
- deadline agreement over matched pairs: both without a deadline, or the same ISO date, or
  (no date on either side) the gold deadline text inside the predicted one.
"""
from __future__ import annotations

import json
import re
from difflib import SequenceMatcher
from pathlib import Path

from core.settings import PROJECT_ROOT
from core.text import squash, tone_key
from core.types import Duty

GOLD_DIR = PROJECT_ROOT / "tests" / "data" / "real" / "duties_gold"


def load_gold(folder: Path = GOLD_DIR) -> dict[str, list[dict]]:
    """file name -> its gold duties (an empty list for a document that assigns none)."""
    out: dict[str, list[dict]] = {}
    for path in sorted(folder.glob("*.jsonl")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        out[path.name[: -len(".jsonl")]] = rows
    return out


def norm(text: str | None) -> str:
    text = squash(text or "").replace("’", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"\s*([,;:.)])", r"\1", text)
    text = re.sub(r"([(])\s*", r"\1", text)
    return tone_key(text)


def actor_key(name: str) -> str:
    text = norm(name).replace("ủy ban nhân dân", "ubnd").replace("uỷ ban nhân dân", "ubnd")
    text = re.sub(r"[^\w\s]", " ", text)
    text = re.sub(r"^\s*(?:các\s+)", "", text)
    return " ".join(text.split())


def same_actor(predicted: Duty, gold: dict) -> bool:
    want = actor_key(gold["actor"])
    return want in (actor_key(predicted.actor), actor_key(predicted.actor_text))


def contains(haystack: str, needle: str, fuzzy: float = 0.9) -> bool:
    if needle in haystack:
        return True
    if not needle or len(haystack) < len(needle) * fuzzy:
        return False
    matcher = SequenceMatcher(None, needle, haystack, autojunk=False)
    # the best block of the needle in the haystack, then the window around it
    size = len(needle)
    for block in matcher.get_matching_blocks():
        if block.size < 8:
            continue
        start = max(0, block.b - block.a)
        window = haystack[start:start + size + 10]
        if SequenceMatcher(None, needle, window, autojunk=False).ratio() >= fuzzy:
            return True
    return False


def deadline_agrees(predicted: Duty, gold: dict) -> bool:
    if not gold.get("deadline_text"):
        return not predicted.time.text
    if gold.get("deadline_date") and predicted.time.date:
        return gold["deadline_date"] == predicted.time.date
    return bool(predicted.time.text) and norm(gold["deadline_text"]) in norm(predicted.time.text)


def score(predicted: list[Duty], gold: dict[str, list[dict]], files: set[str]) -> dict:
    """Scores over the documents in `files`; misses and extras for reading."""
    preds = [d for d in predicted if d.document in files]
    by_doc: dict[str, list[Duty]] = {}
    for d in preds:
        by_doc.setdefault(d.document, []).append(d)
    quotes = {id(d): norm(d.quote) for d in preds}
    used: set[int] = set()
    pairs: list[tuple[Duty, dict]] = []
    missing: list[dict] = []
    gold_rows = [g for f in sorted(files) for g in gold.get(f, [])]
    for g in gold_rows:
        evidence = norm(g["evidence"])
        match = next((d for d in by_doc.get(g["file"], []) if id(d) not in used and same_actor(d, g)
                      and contains(quotes[id(d)], evidence)), None)
        if match is None:
            missing.append(g)
        else:
            used.add(id(match))
            pairs.append((match, g))
    tp = len(pairs)
    return {
        "documents": len(files), "gold": len(gold_rows), "predicted": len(preds), "matched": tp,
        "precision": tp / len(preds) if preds else 0.0,
        "recall": tp / len(gold_rows) if gold_rows else 0.0,
        "role": sum(d.role == g["role"] for d, g in pairs) / tp if tp else 0.0,
        "deadline": sum(deadline_agrees(d, g) for d, g in pairs) / tp if tp else 0.0,
        "missing": missing,
        "extra": [d for d in preds if id(d) not in used],
    }
