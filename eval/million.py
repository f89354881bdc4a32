"""One measured point at a million clauses: the stores a worker holds, built and opened at that
size (prints figures; not a timed test).

    python -m eval.million [--clauses 1000000] [--work DIR] [--no-vectors] [--probe-only]

A full ingest of a million clauses takes hours on 2 cores (embedding alone ~3 h at ~100 clauses/s),
so this builds what grows with the corpus directly, from synthetic clauses (real sample and law
clauses recombined under varied headings by eval/scale.py's generator) and, for time, synthetic
vectors (unit vectors scattered around 4,096 random topic centres, 384 dimensions like e5-small):

- the lexical index (index/lexical.py): built in steps of 100k clauses through `changed`, the path
  an ingest takes (segments and tiered merges), then saved;
- the vector store (index/store.py's VectorStore: embedded Chroma, HNSW, clause text and metadata
  stored as the app stores them), upserted 10,000 at a time (`--no-vectors` skips it: its inserts
  slow down as the graph grows, 14 s for the first 10k and 37 s for the third on 2 cores, so a
  million takes hours);
- the clause map every worker keeps in memory (Chunk objects of the catalog, as Library holds them).

Then a fresh process opens each as a worker would and times the seed_dev questions against it:
open time, BM25 p50/p95, vector query p50/p95 (k = 50), and the resident memory each adds.
"""
from __future__ import annotations

from core.settings import prepare_environment

if __name__ == "__main__":
    prepare_environment()

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from core.settings import PROJECT_ROOT

STEP = 100_000
DIM = 384
TOPICS = 4096


def synthetic_clauses(n: int, seed: int = 3):
    """(chunk_id, doc_id, province, heading-and-clause text) for n clauses, 40 per directive."""
    from eval.scale import AGENCIES, DOC_TYPES, _vary, clause_pool
    from eval.scale import TOPICS as SUBJECTS
    from ingest.header import PROVINCES

    pool, rng = clause_pool(), random.Random(seed)
    for i in range(n):
        doc = i // 40
        if i % 40 == 0:
            kind, province, subject = rng.choice(DOC_TYPES), rng.choice(PROVINCES), rng.choice(SUBJECTS)
        head = f"{kind} về {subject} tỉnh {province}\n{(i % 40) // 5 + 1}. {rng.choice(AGENCIES)}"
        yield f"m{i:07d}", f"d{doc:06d}", province, f"{head}\n{_vary(rng.choice(pool), rng)}"


def synthetic_vectors(n: int, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((TOPICS, DIM)).astype(np.float32)
    out = centres[rng.integers(0, TOPICS, n)] + 0.6 * rng.standard_normal((n, DIM)).astype(np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def build(work: Path, n: int, vectors: bool = True, log=print) -> dict:
    from core.types import Chunk
    from index.lexical import LexicalIndex
    from index.store import VectorStore

    figures: dict = {"clauses": n}
    rows = list(synthetic_clauses(n))
    lexical, started = LexicalIndex(), time.perf_counter()
    for at in range(0, n, STEP):
        lexical = lexical.changed([(cid, text) for cid, _, _, text in rows[at:at + STEP]], set())
        log(f"BM25: {min(at + STEP, n):,} clauses after {time.perf_counter() - started:.0f} s")
    lexical.save(work / "lexical")
    figures["bm25_build_s"] = round(time.perf_counter() - started, 1)
    figures["bm25_segments"] = len(lexical._segments)
    del lexical
    if not vectors:
        figures["disk_lexical_mb"] = _mb(work / "lexical")
        return figures
    store, started = VectorStore(work / "chroma"), time.perf_counter()
    points = synthetic_vectors(n)
    for at in range(0, n, 10_000):
        part = rows[at:at + 10_000]
        chunks = [Chunk(chunk_id=cid, doc_id=doc, document=f"{doc}.txt", text=text.split("\n", 2)[-1], start=0,
                        end=len(text), clause=f"Mục {k}", province=province)
                  for k, (cid, doc, province, text) in enumerate(part)]
        store.upsert(chunks, points[at:at + len(part)].tolist())
        if (at + len(part)) % STEP == 0 or at + len(part) == n:
            log(f"vectors: {at + len(part):,} after {time.perf_counter() - started:.0f} s")
    figures["vectors_build_s"] = round(time.perf_counter() - started, 1)
    for name in ("lexical", "chroma"):
        figures[f"disk_{name}_mb"] = _mb(work / name)
    return figures


def _mb(folder: Path) -> int:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6)


PROBE = """
import json, sys, time, numpy as np
from pathlib import Path
from core.settings import prepare_environment; prepare_environment()
from eval.metrics import percentile
from eval.million import synthetic_clauses, synthetic_vectors
from core.types import Chunk
from index.lexical import LexicalIndex
from index.store import VectorStore

def rss():
    return int(next(l.split()[1] for l in open("/proc/self/status") if l.startswith("VmRSS"))) / 1024

work, questions, n = Path(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
out, base = {}, rss()
t = time.perf_counter(); lexical = LexicalIndex.load(work / "lexical")
out["bm25_open_s"] = round(time.perf_counter() - t, 2)
times = []
for q in questions * 3:
    t = time.perf_counter(); lexical.search(q, 50); times.append((time.perf_counter() - t) * 1000)
out["bm25_p50_ms"], out["bm25_p95_ms"] = round(percentile(times, 50), 1), round(percentile(times, 95), 1)
out["bm25_rss_mb"] = round(rss() - base); base = rss()
if (work / "chroma").is_dir():
    t = time.perf_counter(); store = VectorStore(work / "chroma").open(); store.warm()
    out["vectors_open_s"] = round(time.perf_counter() - t, 2)
    probes, times = synthetic_vectors(len(questions) * 3, seed=17), []
    for v in probes:
        t = time.perf_counter(); store.query(v.tolist(), 50); times.append((time.perf_counter() - t) * 1000)
    out["vectors_p50_ms"], out["vectors_p95_ms"] = round(percentile(times, 50), 1), round(percentile(times, 95), 1)
    out["vectors_rss_mb"] = round(rss() - base); base = rss()
t = time.perf_counter()
chunks = {cid: Chunk(chunk_id=cid, doc_id=doc, document=doc + ".txt", text=text.split("\\n", 2)[-1], start=0,
                     end=len(text), clause="Mục 1", headings=tuple(text.split("\\n")[:2]), province=province)
          for cid, doc, province, text in synthetic_clauses(n)}
out["clause_map_s"] = round(time.perf_counter() - t, 1)
out["clause_map_rss_mb"] = round(rss() - base)
out["peak_rss_mb"] = round(int(next(l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM"))) / 1024)
print(json.dumps(out))
"""


def probe(work: Path, questions: list[str], n: int) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, str(work), json.dumps(questions), str(n)], cwd=PROJECT_ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    from eval.bench import FALLBACK_QUESTIONS
    from eval.datasets import SEED_DEV, load_jsonl

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clauses", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, help="folder for the stores (default: a temp dir, removed after)")
    parser.add_argument("--probe-only", action="store_true", help="only open and time stores already in --work")
    parser.add_argument("--no-vectors", action="store_true", help="skip the vector store (its HNSW inserts take hours)")
    args = parser.parse_args(argv)
    questions = [q.text for q in load_jsonl(SEED_DEV).questions] if SEED_DEV.exists() else FALLBACK_QUESTIONS
    with tempfile.TemporaryDirectory(prefix="rag-million-") as tmp:
        work = args.work or Path(tmp)
        figures = {"clauses": args.clauses} if args.probe_only else build(work, args.clauses, not args.no_vectors)
        figures.update(probe(work, questions, args.clauses))
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
