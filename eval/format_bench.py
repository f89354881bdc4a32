"""Loader throughput on real documents: pages per second for .docx, text PDFs and scanned PDFs,
each file parsed the way ingest parses it (sandboxed child, real Tesseract OCR with an empty
cache), median of `repeat` runs with every run printed."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from core.settings import PROJECT_ROOT

REAL_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "real"


def _load(path: Path, ocr_dir: Path):
    from ingest.load import LoadOptions, load_directive
    return load_directive(path, options=LoadOptions(ocr_dir=ocr_dir))


def format_throughput(corpus: Path = REAL_CORPUS, repeat: int = 3, log=print) -> dict:
    """{"docx_pages_per_s", "pdf_text_pages_per_s", "pdf_scan_pages_per_s", … and their runs}."""
    files = sorted(p for p in corpus.iterdir() if p.suffix.lower() in (".docx", ".pdf"))
    groups: dict[str, list[Path]] = {"docx": [], "pdf_text": [], "pdf_scan": []}
    pages: dict[Path, int] = {}
    with tempfile.TemporaryDirectory(prefix="rag-ocr-probe-") as probe:
        for path in files:  # classify once: a PDF whose every page needed OCR is a scan
            doc = _load(path, Path(probe))
            kind = "docx" if path.suffix.lower() == ".docx" else "pdf_scan" if doc.format == "scan" else "pdf_text"
            groups[kind].append(path)
            pages[path] = doc.pages or 1
    out: dict = {}
    for kind, paths in groups.items():
        total = sum(pages[p] for p in paths)
        rates = []
        for _ in range(repeat):
            with tempfile.TemporaryDirectory(prefix="rag-ocr-bench-") as cache:  # cold OCR cache each run
                t0 = time.perf_counter()
                for path in paths:
                    _load(path, Path(cache))
                rates.append(total / (time.perf_counter() - t0))
        out[f"{kind}_files"] = len(paths)
        out[f"{kind}_pages"] = total
        out[f"{kind}_pages_per_s"] = round(sorted(rates)[len(rates) // 2], 2)
        out[f"{kind}_runs"] = " ".join(f"{r:.2f}" for r in rates)
        log(f"{kind}: {total} pages in {len(paths)} files, runs {out[f'{kind}_runs']} pages/s")
    return out
