"""OCR character error rate on the hand-transcribed scan pages (tests/data/real/ocr/<file>.p<n>.txt).

For each setting (dpi × preprocessing) every page is recognised by ingest.ocr.Ocr exactly as
ingestion does it (blocks in reading order, one per line), then compared with its transcription:
CER = edit distance / reference length, after NFC and collapsing every whitespace run (line
breaks included) to one space. Prints CER per page, the mean, and seconds per page (wall clock
with `--jobs` pages in parallel, fresh cache: every page really recognised).

    python -m eval.ocr_eval [--corpus ../shared/corpus/real] [--dpi 200 300] [--psm 4] [--jobs 2] [--cache DIR]
"""
from __future__ import annotations

from core.settings import prepare_environment

if __name__ == "__main__":
    prepare_environment()

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from core.settings import PROJECT_ROOT
from core.text import squash

GOLD = PROJECT_ROOT / "tests" / "data" / "real" / "ocr"
REAL_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "real"
# name -> Ocr keyword arguments; "clean" = red ink (stamps, seals) dropped by colour.
SETTINGS = {"plain": {"clean": False, "deskew": False}, "deskew": {"clean": False, "deskew": True},
            "clean": {"clean": True, "deskew": False}, "clean+deskew": {"clean": True, "deskew": True}}


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one row at a time in numpy (pages are ~3,000 characters)."""
    import numpy as np

    if not a or not b:
        return len(a) + len(b)
    codes = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    steps = np.arange(len(b) + 1)
    prev = steps.copy()
    for i, ch in enumerate(a, 1):
        cur = np.empty_like(prev)
        cur[0] = i
        cur[1:] = np.minimum(prev[:-1] + (codes != ord(ch)), prev[1:] + 1)
        prev = np.minimum.accumulate(cur - steps) + steps     # insertions, left to right
    return int(prev[-1])


def cer(hypothesis: str, reference: str) -> float:
    ref = squash(reference)                   # NFC, every whitespace run (line breaks too) one space
    return edit_distance(squash(hypothesis), ref) / max(1, len(ref))


def gold_pages(gold: Path = GOLD) -> list[tuple[str, int, str]]:
    """(pdf file name, 1-based page, reference text) for every transcription."""
    out = []
    for path in sorted(gold.glob("*.p*.txt")):
        name, page = path.name[:-4].rsplit(".p", 1)
        out.append((name, int(page), path.read_text(encoding="utf-8")))
    return out


def run_setting(corpus: Path, pages, dpi: int, options: dict, jobs: int, cache: Path) -> tuple[dict, float, float]:
    """({(file, page): CER}, wall seconds per page, CPU seconds per page (this process and its
    tesseract children: what the page costs whatever else loads the machine)). Pages of all files
    go through one pool."""
    from concurrent.futures import ThreadPoolExecutor

    from ingest.ocr import Ocr

    ocr = Ocr(cache, dpi=dpi, jobs=1, **options)
    start, cpu = time.perf_counter(), _cpu()

    def one(item):
        name, page, ref = item
        blocks = ocr.pdf_pages(corpus / name, [page])[page]
        return (name, page), cer("\n".join(b.text for b in blocks), ref)

    with ThreadPoolExecutor(jobs) as pool:
        scores = dict(pool.map(one, pages))
    n = max(1, len(pages))
    return scores, (time.perf_counter() - start) / n, (_cpu() - cpu) / n


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=REAL_CORPUS)
    parser.add_argument("--dpi", type=int, nargs="+", default=[200, 300])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--psm", type=int, help="Tesseract page segmentation mode (default: ingest.ocr.PSM)")
    parser.add_argument("--cache", type=Path, help="reuse this OCR cache (timings then are not OCR times)")
    args = parser.parse_args(argv)
    from ingest.ocr import Ocr

    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    if not Ocr(Path(tempfile.gettempdir())).available():
        print("tesseract with the 'vie' model is not installed: apt-get install tesseract-ocr tesseract-ocr-vie",
              file=sys.stderr)
        return 2
    pages = gold_pages()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for dpi in args.dpi:
            for name in args.settings:
                cache = args.cache or Path(tmp) / f"{dpi}-{name}"
                options = {**SETTINGS[name], **({"psm": args.psm} if args.psm else {})}
                results[(dpi, name)] = run_setting(args.corpus, pages, dpi, options, args.jobs, cache)
                scores, wall, cpu = results[(dpi, name)]
                print(f"{dpi} dpi {name:13s} mean CER {sum(scores.values()) / len(scores):.4f}  "
                      f"{wall:.2f} s/page wall, {cpu:.2f} CPU s/page", file=sys.stderr)
    columns = list(results)
    print("page".ljust(52) + "".join(f"{f'{d}/{n}':>18s}" for d, n in columns))
    for name, page, _ in pages:
        print(f"{name[:46]}.p{page}".ljust(52) + "".join(f"{results[c][0][(name, page)]:18.4f}" for c in columns))
    print("mean CER".ljust(52) + "".join(f"{sum(results[c][0].values()) / len(pages):18.4f}" for c in columns))
    print(f"s/page wall, jobs={args.jobs}".ljust(52) + "".join(f"{results[c][1]:18.2f}" for c in columns))
    print("CPU s/page (both cores' share)".ljust(52) + "".join(f"{results[c][2]:18.2f}" for c in columns))
    return 0


if __name__ == "__main__":
    sys.exit(main())
