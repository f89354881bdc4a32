"""`python app.py eval` as a real subprocess with the hash embedder: stdout table, and Markdown,
JSON and PNG reports written where --out says (never into the repository)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.eval.conftest import MINI_ALQAC, MINI_JSONL

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MODES = ["hybrid", "bm25", "dense"]


def run_eval(args: list[str], data_dir: Path, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "RAG_DATA_DIR": str(data_dir), "RAG_EMBED_MODEL": "hash", **(extra_env or {})}
    return subprocess.run([sys.executable, "app.py", "eval", *args], check=False, cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def table_rows(stdout: str) -> dict[str, list[str]]:
    """The stdout table: {'': [modes…], 'hit@1': [values…], …}."""
    lines = stdout.splitlines()
    start = next(i for i, l in enumerate(lines) if l.split() == MODES)
    rows = {"": lines[start].split()}
    for line in lines[start + 1:]:
        parts = line.split()
        if not parts or parts[0].endswith(":"):  # "md: /path" lines follow the table
            break
        rows[parts[0]] = parts[1:]
    return rows


def reports(out: Path) -> dict[str, Path]:
    files = sorted(out.iterdir())
    assert sorted(p.suffix for p in files) == [".json", ".md", ".png"], files
    return {p.suffix[1:]: p for p in files}


def check_reports(proc, out: Path, n_questions: int, qids: list[str]) -> dict:
    assert proc.returncode == 0, proc.stderr
    rows = table_rows(proc.stdout)
    assert rows[""] == MODES
    for name in ("hit@1", "mrr@10", "hit@5", "citation_validity", "latency_p50_ms"):
        assert len(rows[name]) == 3, (name, rows)
    for value in rows["hit@1"] + rows["mrr@10"]:
        assert 0.0 <= float(value) <= 1.0
    paths = reports(out)
    for kind, path in paths.items():
        assert f"{kind}: {path}" in proc.stdout
    assert paths["png"].read_bytes().startswith(PNG_MAGIC)
    report = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert list(report["summary"]) == MODES and list(report["questions"]) == MODES
    assert report["meta"]["questions"] == n_questions and report["meta"]["embedder"] == "hash-fake:256"
    for mode in MODES:
        assert report["summary"][mode]["questions"] == n_questions
        assert [q["qid"] for q in report["questions"][mode]] == qids
        assert set(report["questions"][mode][0]) >= {"rank", "refused", "recall", "ndcg10", "f2", "latency_ms"}
        # The table on stdout shows the same numbers as the JSON summary.
        assert float(rows["hit@1"][MODES.index(mode)]) == pytest.approx(report["summary"][mode]["hit@1"], abs=1e-3)
    md = paths["md"].read_text(encoding="utf-8")
    assert "| metric | hybrid | bm25 | dense |" in md
    assert any(l.startswith("| hit@1 | ") for l in md.splitlines())
    assert any(l.startswith("| mrr@10 | ") for l in md.splitlines())
    assert "## By question type (bm25)" in md
    return report


def test_eval_alqac_all_modes(tmp_path):
    before = sorted(p.name for p in MINI_ALQAC.iterdir())
    out = tmp_path / "out"
    proc = run_eval(["--dataset", "tests/data/mini_alqac", "--mode", "all", "--limit", "4", "--out", str(out)],
                    tmp_path / "data")
    report = check_reports(proc, out, 4, ["m-1", "m-2", "m-3", "m-4"])
    assert report["meta"]["aggregate"] == "max"
    for mode in MODES:  # one progress bar per mode, each run to the end
        assert f"evaluating ({mode}): 100%" in proc.stderr
    bm25 = report["summary"]["bm25"]
    assert bm25["hit@1"] >= 0.75 and bm25["f2"] is not None and bm25["refusal_recall"] is None
    # The generated corpus and its index live in the data dir, not next to the dataset.
    assert sorted(p.name for p in MINI_ALQAC.iterdir()) == before
    assert list((tmp_path / "data" / "eval").glob("mini_alqac-*/index-*/catalog.sqlite"))
    assert len(list((tmp_path / "data" / "eval" / "mini_alqac-work" / "corpus").glob("*.txt"))) == 2


def test_eval_jsonl_all_modes(tmp_path):
    out = tmp_path / "out"
    proc = run_eval(["--dataset", str(MINI_JSONL), "--mode", "all", "--out", str(out)], tmp_path / "data")
    report = check_reports(proc, out, 5, ["s1", "s2", "s3", "s4", "s5"])
    for mode in MODES:
        s = report["summary"][mode]
        assert (s["positives"], s["negatives"]) == (4, 1)
        assert s["f2"] is None and s["refusal_recall"] == 1.0
    assert set(report["by_type"]["bm25"]) == {"how", "who", "what", "negative"}


def test_eval_single_mode(tmp_path):
    out = tmp_path / "out"
    proc = run_eval(["--dataset", "tests/data/mini_alqac", "--mode", "bm25", "--limit", "2",
                     "--aggregate", "sum2", "--out", str(out)], tmp_path / "data")
    assert proc.returncode == 0, proc.stderr
    header, hit1 = proc.stdout.splitlines()[:2]
    assert header.split() == ["bm25"] and hit1.split()[0] == "hit@1" and len(hit1.split()) == 2
    report = json.loads(reports(out)["json"].read_text(encoding="utf-8"))
    assert list(report["summary"]) == ["bm25"] and report["meta"]["aggregate"] == "sum2"


@pytest.mark.parametrize("dataset, words", [
    ("tests/data/no-such-dataset", ["no-such-dataset", "not found"]),
    ("tests/data/no-such-file.jsonl", ["no-such-file.jsonl", "not found"]),
    ("tests/data/cong-van-thoi-han.txt", ["unknown dataset format", ".jsonl"]),
])
def test_eval_bad_dataset_exits_nonzero_with_a_clear_message(tmp_path, dataset, words):
    out = tmp_path / "out"
    proc = run_eval(["--dataset", dataset, "--out", str(out)], tmp_path / "data")
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    for word in words:
        assert word in proc.stderr, proc.stderr
    assert not out.exists()


def test_eval_folder_without_law_json_names_the_file(tmp_path):
    folder = tmp_path / "alqac"
    folder.mkdir()
    (folder / "question.json").write_text("[]", encoding="utf-8")
    proc = run_eval(["--dataset", str(folder), "--out", str(tmp_path / "out")], tmp_path / "data")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert str(folder / "law.json") in proc.stderr


def test_eval_missing_corpus_is_a_message_not_a_traceback(tmp_path):
    proc = run_eval(["--dataset", str(MINI_JSONL), "--out", str(tmp_path / "out")], tmp_path / "data",
                    extra_env={"RAG_CORPUS_DIR": str(tmp_path / "no-corpus")})
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "no-corpus" in proc.stderr
