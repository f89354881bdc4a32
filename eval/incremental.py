"""How long one document takes to add or remove in a large index, and for a second worker to see
it (prints figures; not a timed test).

    python -m eval.incremental --data-dir DIR [--runs 3]

Over an existing index in DIR (e.g. the 100k-clause one `eval.bench --chunks` builds; set
RAG_EMBED_MODEL to the embedder that built it), two workers are opened as two app processes would
be (untimed). Each run adds one new synthetic directive through the first (parse, embed, catalog,
vectors, BM25, reload), times the second's refresh until it answers from the new document, then
removes it and times both again. Each run is printed; the median is reported.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from eval.scale import clause_pool, synth_directive


def _timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def measure(data_dir: Path, runs: int = 3, log=print) -> dict:
    from assistant.library import Library
    from core.settings import Settings

    settings = Settings.from_env().with_(data_dir=data_dir)
    opened, writer = _timed(lambda: Library(settings))
    _, reader = _timed(lambda: Library(settings))
    clauses = len(writer.searcher.chunks)
    log(f"{clauses:,} clauses; a worker opened in {opened:.1f} s")
    pool, rng = clause_pool(), random.Random(11)
    rows = []
    with tempfile.TemporaryDirectory(prefix="rag-incremental-") as tmp:
        for run in range(1, runs + 1):
            name, text = synth_directive(pool, rng, 9_000_000 + run)
            path = Path(tmp) / name
            path.write_text(text, encoding="utf-8")
            add_s, report = _timed(lambda: writer.ingest([path]))
            added = report.results[0]
            if added.status != "added":
                raise RuntimeError(f"{name}: {added.status} {added.reason}")
            seen_s, _ = _timed(reader.refresh)
            assert any(c.document == name for c in reader.searcher.chunks.values()), "the reader missed it"
            remove_s, _ = _timed(lambda: writer.remove([name]))
            unseen_s, _ = _timed(reader.refresh)
            assert not any(c.document == name for c in reader.searcher.chunks.values()), "the reader kept it"
            rows.append({"clauses": added.chunks, "add_s": add_s, "reader_sees_add_s": seen_s,
                         "remove_s": remove_s, "reader_sees_remove_s": unseen_s})
            log(f"run {run}: add {added.chunks} clauses {add_s:.2f} s, second worker {seen_s:.2f} s; "
                f"remove {remove_s:.2f} s, second worker {unseen_s:.2f} s")
    writer.close()
    reader.close()
    out = {"index_clauses": clauses, "open_s": round(opened, 1)}
    for key in ("add_s", "reader_sees_add_s", "remove_s", "reader_sees_remove_s"):
        out[key] = round(statistics.median(r[key] for r in rows), 3)
    return out


def main(argv: list[str] | None = None) -> int:
    from core.settings import prepare_environment

    prepare_environment()
    p = argparse.ArgumentParser(description="add/remove one document in a large index, and a second worker")
    p.add_argument("--data-dir", required=True, help="an existing RAG_DATA_DIR")
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args(argv)
    for key, value in measure(Path(args.data_dir), args.runs).items():
        print(f"{key:22s}{value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
