"""The `python app.py ask --json` contract, run as a real subprocess over the real index."""
import json
import os
import re
import subprocess
import sys

import pytest

from core.text import squash
from ingest.load import load_directive
from tests.conftest import ROOT, SAMPLES

CITATION_KEYS = {"n": int, "document": str, "title": str, "clause": str, "text": str, "score": float}


def run_app(args, settings, stdin=None, extra_env=None):
    env = {**os.environ, "RAG_DATA_DIR": str(settings.data_dir), "RAG_CORPUS_DIR": str(settings.corpus_dir),
           **(extra_env or {})}
    return subprocess.run([sys.executable, "app.py", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=300)


def check_contract(obj: dict) -> None:
    assert set(obj) >= {"question", "answer", "refused", "citations"}
    assert isinstance(obj["question"], str) and isinstance(obj["answer"], str)
    assert isinstance(obj["refused"], bool) and isinstance(obj["citations"], list)
    numbers = [c["n"] for c in obj["citations"]]
    assert numbers == list(range(1, len(numbers) + 1))
    for c in obj["citations"]:
        for key, typ in CITATION_KEYS.items():
            assert isinstance(c[key], typ), (key, c)
        assert c["number"] is None or isinstance(c["number"], str)
        assert c["province"] is None or isinstance(c["province"], str)
        # Verbatim: the cited text is a span of its source document after NFC + whitespace squash.
        source = squash(load_directive(SAMPLES / c["document"]).text)
        assert c["text"] and c["text"] in source, c
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", obj["answer"])}
    assert markers <= set(numbers), (markers, numbers)
    if not obj["refused"]:
        assert markers, "an answer must cite its statements"


def test_ask_json_single_question(real_settings):
    proc = run_app(["ask", "--json", "Hồ sơ trình có nội dung mật gửi thế nào?"], real_settings)
    assert proc.returncode == 0, proc.stderr
    lines = [l for l in proc.stdout.splitlines() if l.strip()]
    assert len(lines) == 1
    obj = json.loads(lines[0])
    check_contract(obj)
    assert obj["refused"] is False
    first = obj["citations"][0]
    assert first["document"] == "long-an-2021-trach-nhiem-cong-vu.txt"
    assert first["clause"] == "Mục 4, điểm c"
    assert first["text"].startswith("Hồ sơ trình có nội dung mật thì chỉ gửi văn bản giấy")
    assert first["province"] == "Long An"


def test_ask_json_reads_questions_from_stdin_and_refuses_off_topic(real_settings):
    questions = ["Hồ sơ trình có nội dung mật gửi thế nào?",
                 "Sở Nội vụ phải làm gì theo công văn của Thanh Hóa?",
                 "Giá vé tàu Thống Nhất từ Hà Nội vào Sài Gòn?"]
    proc = run_app(["ask", "--json", "--k", "3"], real_settings, stdin="\n".join(questions) + "\n\n")
    assert proc.returncode == 0, proc.stderr
    objs = [json.loads(l) for l in proc.stdout.splitlines() if l.strip()]
    assert [o["question"] for o in objs] == questions
    for obj in objs:
        check_contract(obj)
    lookup, duty, off_topic = objs
    assert not lookup["refused"] and len(lookup["citations"]) == 3  # --k caps a clause lookup
    # "What must X do" is answered completely from the duty table, whatever --k says.
    assert not duty["refused"] and "Sở Nội vụ" in duty["answer"] and len(duty["citations"]) == 5
    assert {c["province"] for c in duty["citations"]} == {"Thanh Hóa"}
    assert duty["citations"][0]["clause"].startswith("Mục 3")
    assert off_topic["refused"] is True and off_topic["citations"] == []
    assert off_topic["answer"] == "Không tìm thấy nội dung này trong các văn bản đã nạp."


def test_ask_builds_empty_index_from_bundled_samples(tmp_path):
    from core.settings import Settings

    settings = Settings(data_dir=tmp_path / "fresh", corpus_dir=SAMPLES)
    proc = run_app(["ask", "--json", "ai ky cong van ve chap hanh ky luat ky cuong cua nghe an"], settings,
                   extra_env={"RAG_EMBED_MODEL": "hash"})
    assert proc.returncode == 0, proc.stderr
    assert "added" in proc.stderr  # per-file summary of the automatic first ingest
    obj = json.loads(proc.stdout.strip().splitlines()[-1])
    check_contract(obj)
    assert "Lê Ngọc Hoa" in obj["answer"]


@pytest.mark.parametrize("argv", [["ask", "--k", "nope"], ["bogus-command"]])
def test_bad_arguments_exit_nonzero(argv, real_settings):
    proc = run_app(argv, real_settings)
    assert proc.returncode != 0
    assert "usage" in proc.stderr.lower()
