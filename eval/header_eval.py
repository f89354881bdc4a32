"""Header accuracy on the real corpus against the hand-written gold (tests/data/real/headers_gold.jsonl).

Per field (type, number, date, issuer, subject, signer): the share of documents whose parsed value
equals the gold after normalisation (NFC, case, whitespace, tone placement, the " / " that joins
printed lines; for the free-text fields issuer and subject, a character similarity ≥ 0.95, which
tolerates one or two OCR slips in a long trích yếu). Reported on the held-out documents of
split.json and on the rest.

    python -m eval.header_eval [--corpus ../shared/corpus/real]
"""
from __future__ import annotations

from core.settings import prepare_environment

if __name__ == "__main__":
    prepare_environment()

import argparse
import json
import re
import sys
from difflib import SequenceMatcher
from pathlib import Path

from core.settings import PROJECT_ROOT
from core.text import tone_key

GOLD_DIR = PROJECT_ROOT / "tests" / "data" / "real"
REAL_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "real"
FIELDS = ("type", "number", "date", "issuer", "subject", "signer")
FUZZY = {"issuer", "subject"}


def load_gold(folder: Path = GOLD_DIR) -> tuple[list[dict], set[str]]:
    rows = [json.loads(line) for line in (folder / "headers_gold.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    heldout = set(json.loads((folder / "split.json").read_text(encoding="utf-8"))["heldout"])
    return rows, heldout


def normalise(field: str, value: str | None) -> str:
    if value is None:
        return ""
    text = value.replace("’", "'").replace("“", '"').replace("”", '"').replace(" / ", " ")
    if field == "number":
        text = re.sub(r"\s+", "", text)
    return tone_key(text).strip(" .;:")


def matches(field: str, predicted: str | None, gold: str | None) -> bool:
    a, b = normalise(field, predicted), normalise(field, gold)
    if a == b:
        return True
    if "[…]" in b:  # the reader redacted a private person's name: any short run stands for it
        pattern = ".{1,60}?".join(re.escape(part) for part in b.split("[…]"))
        return re.fullmatch(pattern, a) is not None
    if field in FUZZY and a and b:
        return SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.95
    return False


def predicted_fields(header) -> dict:
    return {"type": header.doc_type, "number": header.number, "date": header.date, "issuer": header.issuer,
            "subject": header.subject, "signer": header.signer}


def score(predicted: dict[str, dict], gold: list[dict], files: set[str]) -> dict:
    """{field: accuracy} over the gold rows whose file is in `files`, plus the misses."""
    rows = [g for g in gold if g["file"] in files]
    out: dict = {"documents": len(rows), "misses": []}
    for field in FIELDS:
        ok = 0
        for g in rows:
            p = predicted.get(g["file"], {}).get(field)
            if matches(field, p, g[field]):
                ok += 1
            else:
                out["misses"].append((g["file"], field, p, g[field]))
        out[field] = ok / len(rows) if rows else 0.0
    return out


def parse_corpus(corpus: Path, options=None) -> tuple[dict[str, dict], dict[str, str]]:
    from ingest.load import load_directive
    predicted, errors = {}, {}
    for path in sorted(corpus.iterdir()):
        if path.suffix.lower() not in (".pdf", ".docx", ".doc"):
            continue
        try:
            predicted[path.name] = predicted_fields(load_directive(path, options=options).header)
        except Exception as e:  # noqa: BLE001 - reported per file
            errors[path.name] = f"{e.__class__.__name__}: {e}"
    return predicted, errors


def main(argv: list[str] | None = None) -> int:
    from core.settings import Settings
    from ingest.load import LoadOptions
    p = argparse.ArgumentParser(description="header accuracy on the real corpus")
    p.add_argument("--corpus", default=str(REAL_CORPUS))
    p.add_argument("--misses", action="store_true", help="list every miss (prints document values)")
    p.add_argument("--split", choices=("both", "tuning", "held-out"), default="both",
                   help="which split to score (tuning alone while changing the loaders)")
    args = p.parse_args(argv)
    settings = Settings.from_env()
    options = LoadOptions(ocr_dir=Path(settings.data_dir) / "ocr")
    gold, heldout = load_gold()
    predicted, errors = parse_corpus(Path(args.corpus), options)
    for name, err in errors.items():
        print(f"FAILED {name}: {err}")
    everything = {g["file"] for g in gold}
    for label, files in (("held-out", heldout), ("tuning", everything - heldout)):
        if args.split not in ("both", label):
            continue
        s = score(predicted, gold, files)
        print(f"{label:<9} ({s['documents']} documents): " + "  ".join(f"{f} {s[f]:.3f}" for f in FIELDS))
        if args.misses and label == "tuning":  # never look at held-out misses while tuning
            for miss in s["misses"]:
                print("   ", miss)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
