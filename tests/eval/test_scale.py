"""The scale benchmark's parts: realistic synthetic directives, growing corpora, and a full
small run (hash embedder: this checks the plumbing; the figures come from the real model)."""
from __future__ import annotations

import json
import random
from pathlib import Path

from eval import bench, scale
from ingest.chunk import ClauseChunker
from ingest.header import PROVINCES
from ingest.load import load_directive


def test_synthetic_directive_parses_like_a_real_one(tmp_path):
    pool = scale.clause_pool()
    assert len(pool) > 50
    name, text = scale.synth_directive(pool, random.Random(3), 4242)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    doc = load_directive(path)
    assert doc.header.province in PROVINCES and doc.header.number.startswith("4242/")
    assert doc.header.doc_type in ("Kế hoạch", "Chỉ thị", "Quyết định", "Công văn")
    chunks = ClauseChunker(1500).chunk(doc)
    assert len(chunks) >= 12 and any(c.clause.startswith("Mục") for c in chunks)
    assert scale.synth_directive(pool, random.Random(3), 4242) == (name, text)   # reproducible


def test_write_corpus_grows_to_the_target(tmp_path):
    pool = scale.clause_pool()
    first = scale.write_corpus(tmp_path, 200, pool)
    assert 200 <= first < 300
    files = len(list(tmp_path.iterdir()))
    second = scale.write_corpus(tmp_path, 500, pool, start=first)
    assert 500 <= second < 600 and len(list(tmp_path.iterdir())) > files   # added, none overwritten


def test_scale_run_end_to_end(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RAG_EMBED_MODEL", "hash")   # the serving probe is a subprocess: env, not Settings
    code = bench.main(["--chunks", "150,400", "--repeat", "1", "--work", str(tmp_path / "work"),
                       "--out", str(tmp_path / "reports")])
    assert code == 0
    report = next((tmp_path / "reports").glob("scale-*.json"))
    rows = json.loads(report.read_text())
    assert [r["chunks"] >= size for r, size in zip(rows, (150, 400))] == [True, True]
    assert rows[1]["chunks"] > rows[0]["chunks"] and rows[1]["new_chunks"] < rows[1]["chunks"]  # grew in place
    for row in rows:
        assert row["failed"] == 0 and row["serve_peak_rss_mb"] > 50 and row["disk_mb"] > 0
        assert 0 < row["search_p50_ms"] <= row["search_p95_ms"]
        assert row["ingest_embed_s"] + row["ingest_vector_upsert_s"] + row["ingest_bm25_s"] <= row["ingest_s"] + 0.2
    assert report.with_suffix(".png").stat().st_size > 10_000
    assert "search_p50_ms" in capsys.readouterr().out


def test_incremental_benchmark_adds_and_removes_one_document(tmp_path, monkeypatch, capsys):
    """eval.incremental's plumbing over a small index: a document added through one worker is seen
    by a second, then removed from both (its figures are printed, never asserted)."""
    from assistant.library import Library
    from core.settings import Settings
    from eval import incremental

    monkeypatch.setenv("RAG_EMBED_MODEL", "hash")
    settings = Settings.from_env().with_(data_dir=tmp_path / "data")
    library = Library(settings)
    library.ingest([Path(scale.__file__).resolve().parent.parent / "data" / "directives"])
    library.close()
    figures = incremental.measure(tmp_path / "data", runs=1)
    assert figures["index_clauses"] > 50
    assert figures["add_s"] > 0 and figures["remove_s"] > 0
    assert all(figures[k] >= 0 for k in ("reader_sees_add_s", "reader_sees_remove_s"))  # may round to 0
    assert "second worker" in capsys.readouterr().out
