"""`app.py check`: is the index whole? The SQLite catalog is the source of truth; the vectors
(Chroma), the BM25 files, the duty table and the kept originals are checked against it. Every
problem says what is wrong and how to fix it; `repair` fixes what can be derived again from the
catalog (vectors from the embedding cache or the model, BM25, duties, orphans).

Checking never changes anything: it reads the stores directly instead of opening a Library,
whose start-up would already rebuild BM25 or duties it finds stale.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from assistant.uploads import UploadArea, is_upload
from core.settings import Settings

REBUILD = "python app.py ingest --rebuild <thư mục văn bản / folders>"
RESTORE = "python app.py restore <bản sao lưu / backup>"


@dataclass(frozen=True)
class Problem:
    kind: str        # a stable key: catalog, manifest, orphan_rows, duties, vectors_missing, ...
    detail: str      # what is wrong, with counts and a few examples
    fix: str         # what to do (the repair command, or the manual step)
    repairable: bool  # `check --repair` can derive it again from the catalog

    def to_json(self) -> dict:
        return {"kind": self.kind, "detail": self.detail, "fix": self.fix, "repairable": self.repairable}


def _examples(ids, n: int = 3) -> str:
    ids = sorted(ids)
    return ", ".join(ids[:n]) + (f" … (+{len(ids) - n})" if len(ids) > n else "")


def check(settings: Settings) -> list[Problem]:
    data_dir = Path(settings.data_dir)
    path = data_dir / "catalog.sqlite"
    if not path.exists():
        return []  # no index yet: nothing to be inconsistent
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        verdict = [r[0] for r in db.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as e:
        return [Problem("catalog", f"catalog.sqlite không đọc được / unreadable ({e})",
                        f"khôi phục bản sao lưu / restore a backup: {RESTORE}; hoặc / or rebuild: {REBUILD}", False)]
    try:
        if verdict != ["ok"]:
            return [Problem("catalog", "SQLite integrity_check: " + "; ".join(verdict[:5]),
                            f"khôi phục bản sao lưu / restore a backup: {RESTORE}; hoặc / or rebuild: {REBUILD}",
                            False)]
        return _check_stores(settings, data_dir, db)
    finally:
        db.close()


def _check_stores(settings: Settings, data_dir: Path, db: sqlite3.Connection) -> list[Problem]:
    from assistant.library import expected_manifest
    from index.embed import make_embedder

    problems: list[Problem] = []
    manifest = dict(db.execute("SELECT key, value FROM meta"))
    expected = expected_manifest(make_embedder(settings.embed_model, settings.model_dir,
                                               settings.embed_precision).name)
    docs = {doc_id: (source, name, h) for doc_id, source, name, h
            in db.execute("SELECT doc_id, source, name, content_hash FROM documents")}
    chunk_docs = dict(db.execute("SELECT chunk_id, doc_id FROM chunks"))
    for key in ("embedder", "chunker"):
        if docs and manifest.get(key) != expected[key]:
            fix = f"dựng lại chỉ mục / rebuild: {REBUILD}"
            if key == "embedder":
                fix += f", hoặc đặt / or set RAG_EMBED_MODEL to the model that built it ({manifest.get(key)})"
            problems.append(Problem("manifest", f"{key}: index has {manifest.get(key)!r}, settings ask for "
                                    f"{expected[key]!r}", fix, False))
    for key in ("duties", "relations"):
        if docs and manifest.get(key) != expected[key]:
            problems.append(Problem(key, f"{key} built by {manifest.get(key)!r}, the code is {expected[key]!r}",
                                    "python app.py check --repair", True))

    orphan_rows = {table: {r[0] for r in db.execute(f"SELECT doc_id FROM {table}")} - set(docs)
                   for table in ("chunks", "duties", "relations")}
    if any(orphan_rows.values()):
        detail = "; ".join(f"{t}: {len(ids)} document(s) missing ({_examples(ids)})"
                           for t, ids in orphan_rows.items() if ids)
        problems.append(Problem("orphan_rows", f"rows of documents the catalog lacks: {detail}",
                                "python app.py check --repair", True))
    empty = set(docs) - set(chunk_docs.values())
    if empty:
        problems.append(Problem("empty_documents", f"{len(empty)} document(s) without clauses "
                                f"({_examples(docs[d][1] for d in empty)})",
                                "nạp lại hoặc xóa / re-ingest or remove them (python app.py remove NAME)", False))
    stray = [(d, c) for d, c in db.execute("SELECT doc_id, json_extract(data, '$.chunk_id') FROM duties")
             if chunk_docs.get(c) != d and d in docs]
    if stray:
        problems.append(Problem("duties", f"{len(stray)} duty row(s) cite a clause their document lacks "
                                f"({_examples({c for _, c in stray})})", "python app.py check --repair", True))

    live = {c for c, d in chunk_docs.items() if d in docs}
    try:   # clause ids a write was adding or making stale when it stopped (older catalogs lack the table)
        recorded = {r[0] for r in db.execute("SELECT chunk_id FROM vector_intents")}
    except sqlite3.OperationalError:
        recorded = set()
    problems += _check_vectors(settings, data_dir, live, recorded)
    problems += _check_lexical(data_dir, live)
    problems += _check_originals(data_dir, docs)
    return problems


def _check_vectors(settings: Settings, data_dir: Path, live: set[str], recorded: set[str] = frozenset()
                   ) -> list[Problem]:
    from index.store import VectorStore

    try:
        stored = set(VectorStore(data_dir / "chroma", settings.chroma_url, settings.chroma_collection).ids())
    except Exception as e:  # noqa: BLE001 - any failure of the vector store is a finding, not a crash
        return [Problem("vectors", f"kho vector không đọc được / the vector store cannot be read "
                        f"({e.__class__.__name__}: {e})", f"python app.py check --repair; nếu vẫn lỗi / if it "
                        f"persists: {RESTORE}", True)]
    out = []
    if live - stored:
        out.append(Problem("vectors_missing", f"{len(live - stored)} clause(s) without a vector "
                           f"({_examples(live - stored)})", "python app.py check --repair", True))
    if stored - live:
        why = " — left by a write that stopped midway; the next ingest removes them" \
            if stored - live <= recorded else ""
        out.append(Problem("vectors_orphan", f"{len(stored - live)} vector(s) of no catalog clause "
                           f"({_examples(stored - live)}){why}", "python app.py check --repair", True))
    return out


def _check_lexical(data_dir: Path, live: set[str]) -> list[Problem]:
    from index.lexical import LexicalIndex

    try:
        ids = set(LexicalIndex.load(data_dir / "lexical").chunk_ids)
    except Exception as e:  # noqa: BLE001 - unreadable BM25 files are rebuilt from the catalog
        return [Problem("bm25", f"BM25 files unreadable ({e.__class__.__name__})",
                        "python app.py check --repair", True)]
    if ids == live:
        return []
    return [Problem("bm25", f"BM25 out of step with the catalog: {len(live - ids)} clause(s) missing, "
                    f"{len(ids - live)} extra (or built by another version)", "python app.py check --repair", True)]


def _check_originals(data_dir: Path, docs: dict) -> list[Problem]:
    area = UploadArea(data_dir)
    wanted = {area.path_for(h, name) for _, (source, name, h) in docs.items() if is_upload(source)}
    missing = sorted(docs[d][1] for d, (source, name, h) in docs.items()
                     if is_upload(source) and not area.path_for(h, name).is_file())
    present = {p for p in area.root.glob("*/*") if p.is_file()} if area.root.is_dir() else set()
    out = []
    if missing:
        out.append(Problem("originals_missing", f"{len(missing)} uploaded original(s) missing ({_examples(missing)}); "
                           "answers still work, downloads of these files do not",
                           "tải lên lại các tệp này / upload these files again", False))
    if present - wanted:
        out.append(Problem("originals_orphan", f"{len(present - wanted)} kept file(s) no document uses",
                           "python app.py check --repair", True))
    return out


def repair(settings: Settings, library=None) -> list[Problem]:
    """Derive again what the catalog determines; returns what is still wrong afterwards."""
    from assistant.library import Library

    found = check(settings)
    if not any(p.repairable for p in found):
        return found
    own = library is None
    library = library or Library(settings)  # its start-up already redoes stale duties and BM25
    try:
        library.repair_derived()
    finally:
        if own:
            library.close()
    return check(settings)


def report_text(problems: list[Problem]) -> str:
    if not problems:
        return "Chỉ mục toàn vẹn / the index is consistent."
    lines = [f"{len(problems)} vấn đề / problem(s):"]
    for p in problems:
        lines.append(f"  - [{p.kind}] {p.detail}\n      sửa / fix: {p.fix}")
    return "\n".join(lines)


def report_json(problems: list[Problem]) -> str:
    return json.dumps({"ok": not problems, "problems": [p.to_json() for p in problems]}, ensure_ascii=False)
