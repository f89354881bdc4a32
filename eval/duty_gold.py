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


def split_files(split: str) -> set[str]:
    """'held-out', 'tuning' or 'all': the documents of tests/data/real/split.json's split."""
    data = json.loads((GOLD_DIR.parent / "split.json").read_text(encoding="utf-8"))
    held = set(data["heldout"])
    everything = set(load_gold())
    return {"held-out": held, "tuning": everything - held, "all": everything}[split]


def extract_real(documents: dict) -> list[Duty]:
    """Duties of every loaded real document (file name -> Document or the error it raised)."""
    from ingest.chunk import ClauseChunker
    from ingest.duties import DutyExtractor

    chunker, extractor = ClauseChunker(), DutyExtractor()
    out: list[Duty] = []
    for doc in documents.values():
        if not isinstance(doc, Exception):
            out.extend(extractor.extract(doc, chunker.chunk(doc)))
    return out


def load_real(folder: Path) -> dict:
    """Every .pdf/.docx/.doc of `folder` through the real loaders: file name -> Document, or the
    exception it raised (reported per file). OCR results are cached in the default data dir."""
    from core.settings import Settings
    from ingest.load import LoadOptions, load_directive

    options = LoadOptions(ocr_dir=Settings().data_dir / "ocr")
    out: dict = {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in (".pdf", ".docx", ".doc"):
            try:
                out[path.name] = load_directive(path, options=options)
            except Exception as e:  # noqa: BLE001 - the caller reports which file failed and why
                out[path.name] = e
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(description="duty accuracy on ../shared/corpus/real against its gold")
    p.add_argument("--corpus", default=str(PROJECT_ROOT.parent / "shared" / "corpus" / "real"))
    p.add_argument("--split", choices=("tuning", "held-out", "all", "both"), default="both")
    p.add_argument("--show", action="store_true", help="print misses and extras (tuning split only)")
    args = p.parse_args(argv)
    documents = load_real(Path(args.corpus))
    predicted = extract_real(documents)
    gold = load_gold()
    for split in (("tuning", "held-out") if args.split == "both" else (args.split,)):
        s = score(predicted, gold, split_files(split))
        print(f"{split:<9} documents {s['documents']:>2}  gold {s['gold']:>3}  predicted {s['predicted']:>3}  "
              f"matched {s['matched']:>3}  precision {s['precision']:.3f}  recall {s['recall']:.3f}  "
              f"role {s['role']:.3f}  deadline {s['deadline']:.3f}")
        if args.show and split != "held-out":
            for g in s["missing"]:
                print(f"  missing {g['file']} | {g['actor']} | {g['role']} | {g['evidence'][:90]}")
            for d in s["extra"]:
                print(f"  extra   {d.document} | {d.actor} | {d.role} | {d.clause} | {squash(d.quote)[:90]}")
    return 0


if __name__ == "__main__":
    import sys

    from core.settings import prepare_environment

    prepare_environment()
    sys.exit(main())
