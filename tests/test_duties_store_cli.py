"""The duty table on disk (real SQLite catalog + ChromaDB, hash embedder) and the
`python app.py duties` command run as a real subprocess in every export format."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.library import Library
from core.text import squash
from index.embed import HashEmbedder
from ingest.duties import DUTIES_VERSION
from ingest.load import load_directive
from tests.conftest import ROOT, SAMPLES
from tests.conftest import edit_once as edit
from ui import exports as duty_export

THANH_HOA = "thanh-hoa-2022-trach-nhiem-nguoi-dung-dau.txt"
CAO_BANG = "cao-bang-2022-chi-thi-ky-luat-cai-cach-hanh-chinh.txt"
NGHE_AN = "nghe-an-10331-UBND-KSTT-2021-ky-luat-ky-cuong.txt"
# The clauses that give Sở Nội vụ a duty (one duty per sentence part; the receiver of the closing
# "gửi về Sở Nội vụ để tổng hợp" is not an actor, and Cao Bằng's paragraph after 3c is under "3. Sở Nội vụ").
SO_NOI_VU_CLAUSES = {
    (THANH_HOA, "Mục 2, gạch đầu dòng 2"), (THANH_HOA, "Mục 3, gạch đầu dòng 1"),
    (THANH_HOA, "Mục 3, gạch đầu dòng 2"), (THANH_HOA, "Mục 3, gạch đầu dòng 3"),
    (CAO_BANG, "Mục 3, điểm a"), (CAO_BANG, "Mục 3, điểm b"), (CAO_BANG, "Mục 3, điểm c"),
    (CAO_BANG, "Mục 3, đoạn 1"),
}


class CountingEmbedder:
    """Wraps the hash embedder: counts embed_documents calls and can be told to fail."""

    def __init__(self):
        self.inner = HashEmbedder()
        self.name = self.inner.name
        self.document_calls = 0
        self.fail = False

    def embed_documents(self, texts):
        if self.fail:
            raise RuntimeError("embedding backend is down")
        self.document_calls += 1
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


@pytest.fixture
def embedder() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture
def library(hash_settings, embedder, corpus):
    lib = Library(hash_settings, embedder=embedder)
    report = lib.ingest([corpus])
    assert report.count("added") == 4, report.results
    yield lib
    lib.close()


def duty_rows(data_dir: Path) -> list[tuple]:
    """The duty table exactly as stored, read through a separate connection."""
    with sqlite3.connect(data_dir / "catalog.sqlite") as db:
        return db.execute("SELECT duty_id, doc_id, ord, actor, role, province, document, data FROM duties "
                          "ORDER BY doc_id, ord").fetchall()


def chunk_ids(library: Library, name: str) -> set[str]:
    return {c.chunk_id for c in library.catalog.all_chunks() if c.document == name}


# ---- the duty table in the library ----------------------------------------------------------------
def test_so_noi_vu_has_eight_duties_in_two_documents(library):
    duties = library.duties(actor="Sở Nội vụ")
    assert len(duties) >= len(SO_NOI_VU_CLAUSES)
    assert {d.document for d in duties} == {THANH_HOA, CAO_BANG}
    assert {(d.document, d.clause) for d in duties} == SO_NOI_VU_CLAUSES
    texts = {d["doc_id"]: squash(library.document_text(d["doc_id"])) for d in library.documents()}
    for d in duties:
        assert d.quote in texts[d.doc_id]
        assert d.quote in squash(library.document_text(d.doc_id)[d.start:d.end])
    assert library.resolve_actor("Sở NV") == "Sở Nội vụ"
    assert library.resolve_actor("so noi vu") == "Sở Nội vụ"
    assert library.resolve_actor("Không Có Cơ Quan Này") is None
    assert "Sở Nội vụ" in library.known_actors
    assert {d.chunk_id for d in duties} <= set(library.duties_by_chunk)


def test_duty_filters(library):
    assert {d.role for d in library.duties(actor="Sở Nội vụ", role="chủ trì")} == {"chủ trì"}
    assert len(library.duties(actor="Sở Nội vụ", role="chủ trì")) >= 4
    assert {d.document for d in library.duties(actor="Sở Nội vụ", province="Cao Bằng")} == {CAO_BANG}
    assert {d.document for d in library.duties(document=NGHE_AN)} == {NGHE_AN}
    assert library.duties(actor="Sở Nội vụ", province="Long An") == []


def test_edited_actor_heading_replaces_the_documents_duties_with_its_clauses(library, corpus, embedder):
    others_before = [r for r in duty_rows(library.data_dir) if r[6] != THANH_HOA]
    old_ids = chunk_ids(library, THANH_HOA)
    noi_vu_before = library.duties(actor="Sở Nội vụ")

    edit(corpus / THANH_HOA, "## **3. Giao Sở Nội vụ**", "## **3. Giao Sở Tư pháp**")
    report = library.ingest([corpus / THANH_HOA])

    assert [r.status for r in report.results] == ["updated"]
    moved = library.duties(actor="Sở Tư pháp")
    assert {(d.document, d.clause) for d in moved} == {(THANH_HOA, f"Mục 3, gạch đầu dòng {i}") for i in (1, 2, 3)}
    assert {d.clause for d in library.duties(actor="Sở Nội vụ", document=THANH_HOA)} == \
        {"Mục 2, gạch đầu dòng 2"}  # still named in another clause
    assert len(library.duties(actor="Sở Nội vụ")) == len(noi_vu_before) - len(moved)
    # Every duty of the document points at one of its current clauses, none at a replaced one.
    new_ids = chunk_ids(library, THANH_HOA)
    mine = library.duties(document=THANH_HOA)
    assert {d.chunk_id for d in mine} <= new_ids
    assert not {d.chunk_id for d in mine} & (old_ids - new_ids)
    assert [r for r in duty_rows(library.data_dir) if r[6] != THANH_HOA] == others_before
    assert "Sở Tư pháp" in library.known_actors
    assert set(library.duties_by_chunk) == {d.chunk_id for d in library.duties()}


def test_failing_embedder_during_update_leaves_duty_table_exactly_as_before(library, corpus, embedder):
    before = duty_rows(library.data_dir)
    by_chunk_before = {k: list(v) for k, v in library.duties_by_chunk.items()}

    edit(corpus / THANH_HOA, "## **3. Giao Sở Nội vụ**", "## **3. Giao Sở Tư pháp**")
    embedder.fail = True
    report = library.ingest([corpus / THANH_HOA])

    assert [r.status for r in report.results] == ["failed"]
    assert duty_rows(library.data_dir) == before
    assert library.duties_by_chunk == by_chunk_before
    assert library.duties(actor="Sở Tư pháp") == []
    embedder.fail = False
    assert [r.status for r in library.ingest([corpus / THANH_HOA]).results] == ["updated"]
    assert {d.clause for d in library.duties(actor="Sở Tư pháp")} == {f"Mục 3, gạch đầu dòng {i}" for i in (1, 2, 3)}


def test_failure_inside_the_catalog_transaction_keeps_clauses_and_duties_together(library, corpus, monkeypatch):
    """Clauses and duties change in one transaction: a failure writing the duties rolls back the clauses too."""
    rows_before = duty_rows(library.data_dir)
    chunks_before = [c.chunk_id for c in library.catalog.all_chunks()]
    edit(corpus / THANH_HOA, "## **3. Giao Sở Nội vụ**", "## **3. Giao Sở Tư pháp**")

    def broken(doc_id, duties):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(library.catalog, "_insert_duties", broken)
    report = library.ingest([corpus / THANH_HOA])

    assert [r.status for r in report.results] == ["failed"]
    assert "disk I/O error" in report.results[0].reason
    assert duty_rows(library.data_dir) == rows_before
    assert [c.chunk_id for c in library.catalog.all_chunks()] == chunks_before


def test_sync_after_deleting_a_file_removes_its_duties(library, corpus):
    assert library.duties(document=CAO_BANG)
    (corpus / CAO_BANG).unlink()
    report = library.ingest([corpus], sync=True)
    assert report.count("removed") == 1
    assert library.duties(document=CAO_BANG) == []
    assert CAO_BANG not in {r[6] for r in duty_rows(library.data_dir)}
    assert {d.document for d in library.duties(actor="Sở Nội vụ")} == {THANH_HOA}
    assert not any(d.document == CAO_BANG for ds in library.duties_by_chunk.values() for d in ds)


def _tamper(data_dir: Path, sql: list[str]) -> None:
    with sqlite3.connect(data_dir / "catalog.sqlite") as db:
        for statement in sql:
            db.execute(statement)


def test_older_duty_version_is_reextracted_on_open_without_embedding(hash_settings, library, embedder):
    expected = duty_rows(hash_settings.data_dir)
    assert library.catalog.manifest()["duties"] == DUTIES_VERSION
    noi_vu = len(library.duties(actor="Sở Nội vụ"))
    library.close()

    # Same version: the stored table is trusted as it is (nothing is re-extracted).
    _tamper(hash_settings.data_dir, ["DELETE FROM duties"])
    calls = embedder.document_calls
    same = Library(hash_settings, embedder=embedder)
    assert same.duties() == [] and same.known_actors == set()
    same.close()

    # An older extractor built it: rebuilt from the stored clauses, no embedding.
    _tamper(hash_settings.data_dir, ["UPDATE meta SET value='duties-v1' WHERE key='duties'"])
    reopened = Library(hash_settings, embedder=embedder)
    try:
        assert embedder.document_calls == calls
        assert duty_rows(hash_settings.data_dir) == expected
        assert reopened.catalog.manifest()["duties"] == DUTIES_VERSION
        assert len(reopened.duties(actor="Sở Nội vụ")) == noi_vu
        assert "Sở Nội vụ" in reopened.known_actors
    finally:
        reopened.close()


def test_interrupted_reextraction_is_redone_on_the_next_open(hash_settings, library, embedder, monkeypatch):
    """A crash halfway through rebuilding the duty table must not leave it marked as current."""
    from ingest.duties import DutyExtractor

    expected = duty_rows(hash_settings.data_dir)
    library.close()
    _tamper(hash_settings.data_dir, ["UPDATE meta SET value='duties-v1' WHERE key='duties'",
                                     "UPDATE duties SET actor='Cơ quan cũ'"])
    real_extract, seen = DutyExtractor.extract, []

    def crash_on_second(self, doc, chunks):
        seen.append(doc.name)
        if len(seen) == 2:
            raise KeyboardInterrupt  # the user gives up while a large index is being upgraded
        return real_extract(self, doc, chunks)

    monkeypatch.setattr(DutyExtractor, "extract", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        Library(hash_settings, embedder=embedder)
    monkeypatch.setattr(DutyExtractor, "extract", real_extract)

    reopened = Library(hash_settings, embedder=embedder)
    try:
        assert duty_rows(hash_settings.data_dir) == expected
        assert reopened.catalog.manifest()["duties"] == DUTIES_VERSION
    finally:
        reopened.close()


def test_index_from_before_the_duty_table_gets_one_on_open(hash_settings, library, embedder):
    """An index built before duties existed (no table, no manifest keys) is upgraded in place."""
    expected = duty_rows(hash_settings.data_dir)
    library.close()
    _tamper(hash_settings.data_dir, ["DROP TABLE duties", "DELETE FROM meta WHERE key IN ('duties', 'schema')"])
    calls = embedder.document_calls
    reopened = Library(hash_settings, embedder=embedder)
    try:
        assert embedder.document_calls == calls
        assert duty_rows(hash_settings.data_dir) == expected
    finally:
        reopened.close()


# ---- `python app.py duties` -----------------------------------------------------------------------
JSON_KEYS = {"actor", "actor_current", "role", "action", "time", "document", "province", "clause", "quote"}
TIME_KEYS = {"text", "kind", "date", "rrule", "due", "period", "until"}


def cli_env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    return {**env, "RAG_DATA_DIR": str(data_dir), "RAG_EMBED_MODEL": "hash", "RAG_CORPUS_DIR": "data/directives"}


def duties_cli(data_dir: Path, *args: str, text: bool = True, today: str | None = None) -> subprocess.CompletedProcess:
    env = {**cli_env(data_dir), **({"RAG_TODAY": today} if today else {})}
    return subprocess.run([sys.executable, "app.py", "duties", *args], cwd=ROOT, env=env,
                          capture_output=True, text=text, timeout=300, check=False)


@pytest.fixture(scope="module")
def cli_index(tmp_path_factory):
    """The first run builds the index from RAG_CORPUS_DIR; later runs reuse it."""
    data_dir = tmp_path_factory.mktemp("cli") / "data"
    first = duties_cli(data_dir, "--actor", "Sở NV", "--format", "json")
    return data_dir, first


@pytest.fixture(scope="module")
def all_duties(cli_index) -> list[dict]:
    proc = duties_cli(cli_index[0], "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def source_text(name: str) -> str:
    return squash(load_directive(SAMPLES / name).text)


def test_first_run_builds_the_index_and_prints_json_lines(cli_index):
    data_dir, proc = cli_index
    assert proc.returncode == 0, proc.stderr
    assert "4 added" in proc.stderr and (data_dir / "catalog.sqlite").exists()
    lines = proc.stdout.splitlines()
    assert len(lines) >= len(SO_NOI_VU_CLAUSES) and all(line.strip() for line in lines)
    objs = [json.loads(line) for line in lines]
    for obj in objs:
        assert set(obj) == JSON_KEYS
        assert set(obj["time"]) == TIME_KEYS
        assert obj["actor"] == "Sở Nội vụ"
        assert obj["quote"] in source_text(obj["document"])
        assert obj["time"]["kind"] in ("none", "date", "quarter", "month", "half", "year", "recurring", "relative",
                                       "ongoing")
    assert {(o["document"], o["clause"]) for o in objs} == SO_NOI_VU_CLAUSES


def test_second_run_reuses_the_index(cli_index):
    proc = duties_cli(cli_index[0], "--actor", "VP UBND tỉnh", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "added" not in proc.stderr
    objs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert objs and {o["actor"] for o in objs} == {"Văn phòng UBND tỉnh"}


def test_csv_has_header_and_one_row_per_duty(cli_index, all_duties):
    proc = duties_cli(cli_index[0], "--actor", "Sở NV", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows[0] == list(duty_export.COLUMNS)
    assert len(rows) == 1 + sum(d["actor"] == "Sở Nội vụ" for d in all_duties)
    assert {r[0] for r in rows[1:]} == {"Sở Nội vụ"}
    quote = duty_export.COLUMNS.index("Trích dẫn")
    document = duty_export.COLUMNS.index("Văn bản")
    assert all(r[quote] in source_text(r[document]) for r in rows[1:])

    everything = list(csv.reader(io.StringIO(duties_cli(cli_index[0], "--format", "csv").stdout)))
    assert len(everything) == 1 + len(all_duties)


def unfold(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line.startswith(" "):
            out[-1] += line[1:]
        else:
            out.append(line)
    return out


@pytest.mark.parametrize("today", ["2022-06-01", "2026-12-02"])   # within the samples' plans, and after them
def test_ics_is_a_valid_folded_crlf_calendar(cli_index, all_duties, today):
    proc = duties_cli(cli_index[0], "--format", "ics", text=False, today=today)
    assert proc.returncode == 0, proc.stderr
    raw = proc.stdout
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n")
    assert raw.endswith(b"END:VCALENDAR\r\n")
    assert raw.count(b"\n") == raw.count(b"\r\n"), "every line ends with CRLF"
    physical = raw[:-2].split(b"\r\n")
    assert all(len(line) <= 75 for line in physical), max(physical, key=len)
    lines = unfold([line.decode("utf-8") for line in physical])  # folding never splits a character
    events = [i for i, line in enumerate(lines) if line == "BEGIN:VEVENT"]
    ends = [i for i, line in enumerate(lines) if line == "END:VEVENT"]
    assert len(events) == len(ends) and all(b < e for b, e in zip(events, ends))
    assert all(e < b for e, b in zip(ends, events[1:])), "events do not nest"
    todos = [i for i, line in enumerate(lines) if line == "BEGIN:VTODO"]
    # a recurrence whose document's period is over ("… năm 2022") is not scheduled after it
    calendar = [d for d in all_duties if d["time"]["date"] or d["time"]["rrule"]
                and not (d["time"]["until"] and d["time"]["until"] < today)]
    assert len(events) + len(todos) == len(calendar) > 0
    # an RRULE appears only where the day is stated; "hằng tháng" alone is a task
    rrules = [line.split(":", 1)[1] for line in lines if line.startswith("RRULE:")]
    assert all("BYMONTHDAY=" in r or "BYDAY=" in r or r.startswith("FREQ=DAILY") for r in rrules)
    for b, e in zip(events, ends):
        props = {line.split(":", 1)[0].split(";", 1)[0] for line in lines[b + 1:e]}
        assert {"UID", "DTSTAMP", "DTSTART", "SUMMARY"} <= props
    uids = [line for line in lines if line.startswith("UID:")]
    assert len(uids) == len(set(uids))
    summaries = [line for line in lines if line.startswith("SUMMARY:")]
    assert any("Văn phòng UBND tỉnh" in s for s in summaries) or not events


def test_xlsx_written_to_output_file(cli_index, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "f.xlsx"
    proc = duties_cli(cli_index[0], "--actor", "Sở NV", "--format", "xlsx", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert proc.stdout == "" and f"{len(rows) - 1} nhiệm vụ" in proc.stderr
    assert list(rows[0]) == list(duty_export.COLUMNS)
    assert len(rows) - 1 >= len(SO_NOI_VU_CLAUSES)
    assert {r[0] for r in rows[1:]} == {"Sở Nội vụ"} and {r[1] for r in rows[1:]} == {"Sở Nội vụ"}
    assert all(r[-1] in source_text(r[7]) for r in rows[1:])


def test_xlsx_without_output_is_refused(cli_index):
    proc = duties_cli(cli_index[0], "--format", "xlsx")
    assert proc.returncode == 2 and "--output" in proc.stderr


def test_unknown_agency_exits_2_with_a_message(cli_index):
    proc = duties_cli(cli_index[0], "--actor", "Không Có Cơ Quan Này", "--format", "json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Không Có Cơ Quan Này" in proc.stderr and "Không nhận ra cơ quan" in proc.stderr
    assert "Sở Nội vụ" in proc.stderr  # lists the agencies it does know


def test_role_filter(cli_index, all_duties):
    proc = duties_cli(cli_index[0], "--actor", "Sở NV", "--role", "chủ trì", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    objs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(objs) >= 4 and {(o["actor"], o["role"]) for o in objs} == {("Sở Nội vụ", "chủ trì")}

    proc = duties_cli(cli_index[0], "--role", "phối hợp", "--format", "json")
    objs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert objs and {o["role"] for o in objs} == {"phối hợp"}
    assert len(objs) == sum(d["role"] == "phối hợp" for d in all_duties)


def test_unknown_role_is_a_usage_error(cli_index):
    proc = duties_cli(cli_index[0], "--role", "làm ngơ")
    assert proc.returncode != 0 and "usage" in proc.stderr.lower()


def test_table_format_groups_by_document(cli_index):
    proc = duties_cli(cli_index[0], "--actor", "Sở NV")
    assert proc.returncode == 0, proc.stderr
    assert re.search(rf"^{re.escape(THANH_HOA)} \(\d+ nhiệm vụ\)$", proc.stdout, re.MULTILINE)
    assert re.search(rf"^{re.escape(CAO_BANG)} \(\d+ nhiệm vụ\)$", proc.stdout, re.MULTILINE)
