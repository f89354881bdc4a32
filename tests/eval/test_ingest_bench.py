"""The whole-ingest benchmark's plumbing (eval/ingest_bench.py) with real `app.py ingest`
processes over the invented mini laws: no timing assertions (speed is printed by
`python -m eval.ingest_bench`, never checked by a timed test)."""
from __future__ import annotations

from eval.ingest_bench import cold_ingest, ingest_throughput, write_law_corpus
from tests.eval.conftest import LAW_FILES, MINI_ALQAC


def test_the_law_corpus_takes_the_first_articles_of_each_law_with_their_headings(tmp_path):
    paths = write_law_corpus(tmp_path / "laws", 2, source=MINI_ALQAC)
    assert sorted(p.name for p in paths) == sorted(LAW_FILES)
    text = paths[0].read_text(encoding="utf-8")
    assert text.count("\nĐiều ") == 2 and "Số: " in text


def test_a_cold_ingest_is_timed_and_its_clauses_counted(tmp_path):
    write_law_corpus(tmp_path / "laws", 3, source=MINI_ALQAC)
    seconds, clauses = cold_ingest(tmp_path / "laws", tmp_path / "data")
    assert seconds > 0 and clauses >= 6


def test_without_the_laws_the_benchmark_says_so(monkeypatch, tmp_path):
    monkeypatch.setattr("eval.ingest_bench.ALQAC_2022", tmp_path / "absent")
    lines = []
    assert ingest_throughput(log=lines.append) == {} and "skipped" in lines[0]
