"""Writes that die midway leave nothing behind once the next write runs, and two processes never
write one index at once (real ChromaDB and SQLite on disk; the hash embedder, since the point is
bookkeeping)."""
from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from assistant import integrity, writing
from assistant.library import Library
from assistant.writing import WriterLock
from core.settings import Settings
from index.embed import HashEmbedder
from tests.conftest import ROOT, SAMPLES


class Killed(BaseException):
    """Stands for SIGKILL at one point of a write: nothing after it runs (not even except blocks)."""


def folder_of(tmp_path: Path, n: int) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir(exist_ok=True)
    for path in sorted(SAMPLES.glob("*.txt"))[:n]:
        shutil.copyfile(path, folder / path.name)
    return folder


def problems(library: Library) -> list[str]:
    """What `check` finds, the hash embedder (not the configured model) aside."""
    return [p.kind for p in integrity.check(library.settings) if p.kind != "manifest"]


def stored_ids(library: Library) -> set[str]:
    return set(library.vectors.ids())


def listed_ids(library: Library) -> set[str]:
    return {c.chunk_id for c in library.catalog.all_chunks()}


@pytest.fixture
def library(tmp_path):
    lib = Library(Settings(data_dir=tmp_path / "index"), embedder=HashEmbedder())
    yield lib
    lib.close()


def test_a_write_killed_after_its_catalog_swap_leaves_stale_vectors_the_next_write_deletes(library, tmp_path,
                                                                                          monkeypatch):
    folder = folder_of(tmp_path, 2)
    assert not library.ingest([folder]).failed
    edited = sorted(folder.glob("*.txt"))[0]
    edited.write_text(edited.read_text(encoding="utf-8").replace("báo cáo", "báo cáo bằng văn bản"), encoding="utf-8")

    calls = []

    def killed(catalog, vectors):
        calls.append(1)
        if len(calls) > 1:   # the first settles before the write; the second follows the catalog swap
            raise Killed
        return writing.settle_vectors(catalog, vectors)

    monkeypatch.setattr("assistant.library.settle_vectors", killed)
    with pytest.raises(Killed):
        library.ingest([folder])
    monkeypatch.undo()
    assert stored_ids(library) > listed_ids(library)  # the old version's vectors, no longer listed
    assert "vectors_orphan" in problems(library)  # and BM25 behind the catalog, which the next write mends
    orphan = next(p for p in integrity.check(library.settings) if p.kind == "vectors_orphan")
    assert "stopped midway" in orphan.detail and orphan.repairable

    report = library.ingest([folder])  # nothing changed on disk since: every file is unchanged
    assert {r.status for r in report.results} == {"unchanged"}
    assert stored_ids(library) == listed_ids(library)
    assert library.catalog.vector_intents() == []
    assert problems(library) == []


def test_a_write_killed_before_its_catalog_swap_leaves_vectors_the_next_write_deletes(library, tmp_path,
                                                                                     monkeypatch):
    folder = folder_of(tmp_path, 1)
    assert not library.ingest([folder]).failed
    before = stored_ids(library)
    extra = sorted(SAMPLES.glob("*.txt"))[1]
    shutil.copyfile(extra, folder / extra.name)

    def killed(*_a, **_k):
        raise Killed

    monkeypatch.setattr(library.catalog, "replace_document", killed)  # vectors written, catalog not yet
    with pytest.raises(Killed):
        library.ingest([folder])
    monkeypatch.undo()
    assert stored_ids(library) > before == listed_ids(library)

    (folder / extra.name).unlink()  # the user takes the new file away before the next write
    library.remove(["no-such-document"])
    assert stored_ids(library) == listed_ids(library) == before
    assert problems(library) == []


def test_settling_keeps_vectors_the_catalog_lists(library, tmp_path):
    assert not library.ingest([folder_of(tmp_path, 1)]).failed
    listed = sorted(listed_ids(library))
    library.catalog.intend_vectors(listed[:3])
    assert writing.settle_vectors(library.catalog, library.vectors) == 0
    assert stored_ids(library) == set(listed) and library.catalog.vector_intents() == []


def test_removing_a_document_deletes_its_vectors_through_the_record(library, tmp_path):
    folder = folder_of(tmp_path, 2)
    assert not library.ingest([folder]).failed
    name = sorted(folder.glob("*.txt"))[0].name
    assert [r.status for r in library.remove([name])] == ["removed"]
    assert stored_ids(library) == listed_ids(library) and library.catalog.vector_intents() == []


HOLDER = """
import sys, time
from pathlib import Path
from assistant.writing import WriterLock
with WriterLock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(600)
"""


def test_one_writer_at_a_time_across_processes_and_a_killed_holder_frees_the_lock(tmp_path):
    path = tmp_path / "writer.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        entered = threading.Event()

        def write():
            with WriterLock(path):
                entered.set()

        waiting = threading.Thread(target=write, daemon=True)
        waiting.start()
        assert not entered.wait(0.5)  # the other process holds it
        holder.kill()                 # SIGKILL: the kernel drops its lock
        assert entered.wait(30)
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_is_reentrant_within_a_thread_and_frees_on_error(tmp_path):
    lock = WriterLock(tmp_path / "writer.lock")
    with lock, lock:
        pass
    with pytest.raises(RuntimeError), lock:
        raise RuntimeError("a failed write")
    done = []
    other = threading.Thread(target=lambda: (lock.__enter__(), done.append(1), lock.__exit__()))
    other.start()
    other.join(10)
    assert done == [1]


def test_an_ingest_says_it_waits_while_another_process_writes_then_loads(library, tmp_path):
    folder = folder_of(tmp_path, 1)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(library.data_dir / "writer.lock")], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        said, reports = [], []
        waiting = threading.Thread(target=lambda: reports.append(
            library.ingest([folder], progress=lambda done, total, what: said.append(what))), daemon=True)
        waiting.start()
        waiting.join(1.0)
        assert not reports and any("waiting for another ingest" in s for s in said)
        assert library.is_empty()
        holder.kill()
        waiting.join(60)
        assert reports and [r.status for r in reports[0].results] == ["added"]
    finally:
        holder.kill()
        holder.wait()
