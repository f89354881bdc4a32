"""eval.datasets: our JSONL format and the ALQAC format turned into ingestable law documents."""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from eval.datasets import (
    article_of,
    law_file_name,
    load_alqac,
    load_dataset,
    load_jsonl,
)
from ingest.chunk import ClauseChunker
from ingest.load import load_directive
from tests.eval.conftest import LAW_FILES, MINI_ALQAC, MINI_JSONL


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---- JSONL (seed_dev format) -------------------------------------------------------------------
def test_load_jsonl_parses_types_quotes_and_negatives():
    ds = load_jsonl(MINI_JSONL)
    assert ds.kind == "jsonl" and ds.name == "mini_dev"
    assert ds.corpus == []  # the app's own corpus
    assert [q.qid for q in ds.questions] == ["s1", "s2", "s3", "s4", "s5"]
    assert [q.qtype for q in ds.questions] == ["how", "who", "what", "what", "negative"]
    assert [q.negative for q in ds.questions] == [False, False, False, False, True]
    assert ds.questions[1].gold_quotes == ("Lê Ngọc Hoa",)
    assert ds.questions[4].gold_quotes == ()
    assert all(q.gold_articles == () for q in ds.questions)
    assert re.fullmatch(r"[0-9a-f]{12}", ds.fingerprint)


def test_load_jsonl_negative_rules_nfc_and_default_ids(tmp_path):
    nfd = unicodedata.normalize("NFD", "Sở Nội vụ làm gì?")
    path = write_lines(tmp_path / "d.jsonl", [
        json.dumps({"question": nfd, "gold_quotes": ["Chủ trì"]}),            # no id, no type
        "",                                                                   # blank lines are skipped
        json.dumps({"id": "n1", "question": "Giá vàng hôm nay?", "type": "what", "gold_quotes": []}),
        json.dumps({"id": "n2", "question": "Thời tiết?", "type": "negative", "gold_quotes": ["x"]}),
        json.dumps({"id": "n3", "question": "Không có trường gold?"}),
    ])
    qs = load_jsonl(path).questions
    assert [q.qid for q in qs] == ["1", "n1", "n2", "n3"]      # a missing id becomes the line number
    assert qs[0].text == unicodedata.normalize("NFC", nfd) and qs[0].qtype == "" and not qs[0].negative
    assert [q.negative for q in qs[1:]] == [True, True, True]  # empty gold or type 'negative'


def test_load_jsonl_fingerprint_follows_content(tmp_path):
    a = write_lines(tmp_path / "a.jsonl", [json.dumps({"question": "Một?", "gold_quotes": ["x"]})])
    b = write_lines(tmp_path / "b.jsonl", [json.dumps({"question": "Hai?", "gold_quotes": ["x"]})])
    assert load_jsonl(a).fingerprint == load_jsonl(a).fingerprint != load_jsonl(b).fingerprint


def test_load_jsonl_bad_json_names_file_and_line(tmp_path):
    path = write_lines(tmp_path / "bad.jsonl", [json.dumps({"question": "Một?"}), "", '{"question": "Hai?",'])
    with pytest.raises(ValueError, match=re.escape(f"{path}:3: not valid JSON")):
        load_jsonl(path)


def test_load_jsonl_missing_question_names_file_and_line(tmp_path):
    path = write_lines(tmp_path / "bad.jsonl", [json.dumps({"question": "Một?"}),
                                                json.dumps({"id": "x", "gold_quotes": ["y"]})])
    with pytest.raises(ValueError, match=re.escape(f"{path}:2: missing 'question'")):
        load_jsonl(path)


# ---- ALQAC -------------------------------------------------------------------------------------
@pytest.fixture
def laws() -> list[dict]:
    return json.loads((MINI_ALQAC / "law.json").read_text(encoding="utf-8"))


def test_load_alqac_writes_one_txt_per_law_into_the_work_dir(tmp_path):
    before = sorted(p.name for p in MINI_ALQAC.iterdir())
    work = tmp_path / "work"
    ds = load_alqac(MINI_ALQAC, work)
    assert ds.kind == "alqac" and ds.name == "mini_alqac"
    assert sorted(p.name for p in ds.corpus) == sorted(LAW_FILES)
    assert all(p.parent == work / "corpus" and p.is_file() for p in ds.corpus)
    assert ds.document_laws == LAW_FILES
    assert sorted(p.name for p in MINI_ALQAC.iterdir()) == before == ["law.json", "question.json"]
    assert re.fullmatch(r"[0-9a-f]{12}", ds.fingerprint)


def test_load_alqac_questions(tmp_path):
    ds = load_alqac(MINI_ALQAC, tmp_path)
    assert [q.qid for q in ds.questions] == ["m-1", "m-2", "m-3", "m-4", "m-5", "m-6"]
    assert ds.questions[0].gold_articles == ("10/2099/QH99#3",)
    assert ds.questions[5].gold_articles == ("11/2099/QH99#5a",)
    assert all(q.qtype == "alqac" and not q.negative and q.gold_quotes == () for q in ds.questions)


def test_load_alqac_reuses_unchanged_files(tmp_path):
    first = load_alqac(MINI_ALQAC, tmp_path)
    stamps = {p: p.stat().st_mtime_ns for p in first.corpus}
    second = load_alqac(MINI_ALQAC, tmp_path)
    assert second.fingerprint == first.fingerprint
    assert {p: p.stat().st_mtime_ns for p in second.corpus} == stamps


def test_generated_laws_parse_back_into_articles(tmp_path, laws):
    ds = load_alqac(MINI_ALQAC, tmp_path)
    by_id = {law["id"]: law for law in laws}
    chunker = ClauseChunker()
    for path in ds.corpus:
        law = by_id[ds.document_laws[path.name]]
        doc = load_directive(path)
        assert doc.header.number == law["id"]
        clauses = [c for c in chunker.chunk(doc) if c.kind == "clause"]
        assert clauses and all(c.clause.startswith("Điều ") for c in clauses)
        found = {re.match(r"Điều (\w+)", c.clause).group(1) for c in clauses}
        assert found == {a["id"] for a in law["articles"]}
        # Every clause maps back to an article of its law, and its text is verbatim.
        for c in clauses:
            assert article_of(c.clause, path.name, ds.document_laws).startswith(law["id"] + "#")
            assert doc.text[c.start:c.end] == c.text
    # Clause (khoản) and point (điểm) structure survives the round trip.
    doc = load_directive(tmp_path / "corpus" / law_file_name("10/2099/QH99"))
    labels = {c.clause: c.text for c in chunker.chunk(doc)}
    assert labels["Điều 3, khoản 1"] == "Giấy chứng nhận vườn ươm có thời hạn 05 năm kể từ ngày cấp."
    assert labels["Điều 2, khoản 1, điểm a"] == "Có diện tích đất tối thiểu 500 mét vuông;"


@pytest.mark.parametrize("clause, document, expected", [
    ("Điều 3, khoản 1", "alqac-10-2099-QH99.txt", "10/2099/QH99#3"),
    ("Điều 2, khoản 1, điểm a", "alqac-10-2099-QH99.txt", "10/2099/QH99#2"),
    ("Điều 12 (phần 1/2)", "alqac-11-2099-QH99.txt", "11/2099/QH99#12"),
    ("Điều 5a, đoạn 1", "alqac-11-2099-QH99.txt", "11/2099/QH99#5a"),
    ("Phần đầu văn bản", "alqac-10-2099-QH99.txt", None),
    ("Mục 3, điểm a", "alqac-10-2099-QH99.txt", None),
    ("Điều 3, khoản 1", "long-an-2021-trach-nhiem-cong-vu.txt", None),  # not a law of the dataset
])
def test_article_of(clause, document, expected):
    assert article_of(clause, document, LAW_FILES) == expected


def test_law_file_name_is_a_safe_file_name():
    assert law_file_name("10/2099/QH99") == "alqac-10-2099-QH99.txt"
    assert law_file_name("01/VBHN-VPQH") == "alqac-01-VBHN-VPQH.txt"


def test_missing_law_json_names_the_file(tmp_path):
    folder = tmp_path / "alqac"
    folder.mkdir()
    (folder / "question.json").write_text("[]", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match=re.escape(str(folder / "law.json"))):
        load_alqac(folder, tmp_path / "work")
    with pytest.raises(FileNotFoundError, match="law.json"):
        load_dataset(folder, tmp_path / "work")


def test_missing_question_json_names_the_file(tmp_path):
    folder = tmp_path / "alqac"
    folder.mkdir()
    (folder / "law.json").write_text("[]", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match=re.escape(str(folder / "question.json"))):
        load_alqac(folder, tmp_path / "work")


def test_malformed_alqac_files_give_a_clear_error(tmp_path):
    folder = tmp_path / "alqac"
    folder.mkdir()
    (folder / "question.json").write_text("[]", encoding="utf-8")
    (folder / "law.json").write_text('[\n{"id": "1/2099/QH99",\n', encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(str(folder / "law.json")) + r":\d+: not valid JSON"):
        load_alqac(folder, tmp_path / "work")
    (folder / "law.json").write_text('[{"id": "1/2099/QH99"}]', encoding="utf-8")  # no 'articles'
    with pytest.raises(ValueError, match=re.escape(str(folder / "law.json")) + ".*ALQAC format"):
        load_alqac(folder, tmp_path / "work")
    (folder / "law.json").write_text("[]", encoding="utf-8")
    (folder / "question.json").write_text('[{"id": "q", "text": "?"}]', encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(str(folder / "question.json")) + ".*relevant_articles"):
        load_alqac(folder, tmp_path / "work")


# ---- load_dataset ------------------------------------------------------------------------------
def test_load_dataset_dispatches_on_folder_or_jsonl(tmp_path):
    assert load_dataset(MINI_ALQAC, tmp_path).kind == "alqac"
    assert load_dataset(str(MINI_JSONL), tmp_path).kind == "jsonl"


def test_load_dataset_rejects_an_unknown_format(tmp_path):
    path = tmp_path / "questions.csv"
    path.write_text("question,type\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown dataset format") as e:
        load_dataset(path, tmp_path / "work")
    assert str(path) in str(e.value) and ".jsonl" in str(e.value) and "law.json" in str(e.value)


@pytest.mark.parametrize("name", ["no-such-folder", "no-such-file.jsonl"])
def test_load_dataset_missing_path_says_not_found(tmp_path, name):
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / name)) + " not found"):
        load_dataset(tmp_path / name, tmp_path / "work")
