"""The million-clause benchmark's plumbing (eval/million.py) at a small size, with the real stores
(BM25 segments on disk, embedded Chroma) and a real probe process: no timing assertions."""
from __future__ import annotations

import numpy as np

from eval.million import build, probe, synthetic_clauses, synthetic_vectors


def test_synthetic_clauses_are_distinct_and_carry_their_heading():
    rows = list(synthetic_clauses(120))
    assert len({cid for cid, *_ in rows}) == 120 and len({doc for _, doc, *_ in rows}) == 3
    assert all(text.count("\n") >= 2 and province for _, _, province, text in rows)
    assert rows == list(synthetic_clauses(120))        # deterministic


def test_synthetic_vectors_are_unit_and_clustered():
    v = synthetic_vectors(20_000)                       # ~5 per topic
    assert v.shape == (20_000, 384) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    plain = np.random.default_rng(0).standard_normal((20_000, 384))
    plain /= np.linalg.norm(plain, axis=1, keepdims=True)
    nearest = np.sort(v[:200] @ v.T, axis=1)[:, -2]      # the best other vector: often of the same topic
    unclustered = np.sort(plain[:200] @ plain.T, axis=1)[:, -2]
    assert float(np.median(nearest)) > 2 * float(np.median(unclustered))


def test_stores_are_built_then_opened_and_timed_by_a_fresh_process(tmp_path):
    lines = []
    figures = build(tmp_path, 1500, log=lines.append)
    assert figures["clauses"] == 1500 and figures["disk_lexical_mb"] >= 0 and "disk_chroma_mb" in figures
    assert any(line.startswith("BM25: 1,500") for line in lines)
    measured = probe(tmp_path, ["Sở Nội vụ phải làm gì?", "Hạn báo cáo là khi nào?"], 1500)
    assert {"bm25_p50_ms", "vectors_p50_ms", "clause_map_rss_mb", "peak_rss_mb"} <= set(measured)
    assert measured["peak_rss_mb"] > 50
