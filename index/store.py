"""Persistent index: a SQLite catalog (the source of truth for documents and chunks, plus the
manifest of what built the index) and ChromaDB holding the vectors we compute ourselves.

Replacing a document is atomic for readers: new vectors are added first, then one SQLite
transaction swaps the document's chunk list, then stale vectors are deleted. Readers only
trust chunk ids that the catalog lists, so a crash at any step leaves the old or the new
version visible, never a mix. The ids of vectors being added or made stale are recorded in
`vector_intents` first (the stale ones in the swap's own transaction), so the next write
deletes whatever a crash left of them (assistant.writing.settle_vectors).
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from core.errors import ConfigError, IndexMismatchError
from core.types import Chunk, Document, Duty, Header

COLLECTION = "clauses"
# Chroma's defaults (ef 100, 16 neighbours) returned as little as 0% of the exact top-50 for some
# ALQAC questions (mean overlap 0.96). These settings gave 0.9996 (min 0.98) at ~3.4 ms/query.
HNSW = {"space": "cosine", "ef_construction": 400, "ef_search": 400, "max_neighbors": 48}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
  doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, name TEXT NOT NULL, content_hash TEXT NOT NULL,
  header TEXT NOT NULL, text TEXT NOT NULL, ingested_at REAL NOT NULL, info TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS chunks (
  chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, ord INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, ord);
CREATE TABLE IF NOT EXISTS duties (
  duty_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, ord INTEGER NOT NULL, actor TEXT NOT NULL,
  role TEXT NOT NULL, province TEXT, document TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS duties_doc ON duties(doc_id, ord);
CREATE INDEX IF NOT EXISTS duties_actor ON duties(actor);
CREATE TABLE IF NOT EXISTS embeddings (text_hash TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS relations (doc_id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes (generation INTEGER PRIMARY KEY, doc_id TEXT);
CREATE TABLE IF NOT EXISTS vector_intents (chunk_id TEXT PRIMARY KEY);
"""
CHANGES_KEPT = 10_000  # generations the change log remembers; a reader further behind reloads all


class Catalog:
    """One SQLite connection per thread (WAL: readers never wait for the ingest worker's
    transaction, and never see half of it)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = str(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._parsed_headers: dict[tuple[str, str], tuple[Header, dict]] = {}
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(documents)")}
        if "info" not in columns:  # catalogs from before paged formats: provenance defaults to plain text
            self._db.execute("ALTER TABLE documents ADD COLUMN info TEXT NOT NULL DEFAULT '{}'")

    @property
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None, timeout=30)
            self._local.db = db
            with self._connections_lock:
                self._connections.append(db)
        return db

    def close(self) -> None:
        with self._connections_lock:
            for db in self._connections:
                db.close()
            self._connections.clear()
        self._local = threading.local()

    # ---- embeddings by clause text: moving a folder or uploading the same text re-embeds nothing
    def _rows_where_in(self, select: str, column: str, keys: list[str]):
        """Rows of `select … WHERE column IN keys`, 500 keys per query (SQLite bounds the parameters)."""
        for i in range(0, len(keys), 500):
            part = keys[i:i + 500]
            yield from self._db.execute(f"{select} WHERE {column} IN ({','.join('?' * len(part))})", part)

    def cached_vectors(self, text_hashes: list[str]) -> dict[str, bytes]:
        return dict(self._rows_where_in("SELECT text_hash, vector FROM embeddings", "text_hash", text_hashes))

    def cache_vectors(self, items: dict[str, bytes]) -> None:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT OR IGNORE INTO embeddings VALUES (?, ?)", items.items())

    def manifest(self) -> dict:
        return {k: v for k, v in self._db.execute("SELECT key, value FROM meta")}

    def check_manifest(self, expected: dict, where: Path, derived: tuple[str, ...] = ()) -> set[str]:
        """Record what builds this index, or refuse when another embedder/chunker built it.
        Keys in `derived` name data the caller can rebuild from the catalog itself; their
        changes are returned instead of refused."""
        current = self.manifest()
        diff = {k: (current.get(k), v) for k, v in expected.items() if current.get(k) != v}
        hard = {k: ab for k, ab in diff.items() if k not in derived}
        if hard and current and self.count_documents():
            what = "; ".join(f"{k}: index has {a!r}, settings ask for {b!r}" for k, (a, b) in hard.items())
            fix = "rebuild it with 'python app.py ingest --rebuild <files>', or point RAG_DATA_DIR to another folder"
            if "embedder" in hard:
                fix += ", or set RAG_EMBED_MODEL to the model that built it"
            raise IndexMismatchError(f"The index in {where} was built differently ({what}). Fix: {fix}.")
        # Derived keys are recorded by the caller once it has rebuilt that data (record_manifest), so a
        # crash halfway through the rebuild is redone on the next open instead of passing for done.
        pending = set(diff) & set(derived) if current else set()
        if diff:
            self.record_manifest({k: v for k, v in expected.items() if k not in pending})
        return pending

    def generation(self) -> int:
        """Bumped by every change to documents, clauses or duties, in the same transaction, so
        other processes sharing this catalog (app workers) know to reload."""
        row = self._db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def _bump(self, doc_id: str | None) -> None:
        """Next generation, logged with the one document it changed (None: any number of them)."""
        self._db.execute("INSERT INTO meta VALUES ('generation', '1') ON CONFLICT(key) "
                         "DO UPDATE SET value = CAST(value AS INTEGER) + 1")
        now = self.generation()
        self._db.execute("INSERT OR REPLACE INTO changes VALUES (?, ?)", (now, doc_id))
        self._db.execute("DELETE FROM changes WHERE generation <= ?", (now - CHANGES_KEPT,))

    def changed_documents(self, since: int, until: int) -> set[str] | None:
        """Documents changed after generation `since` up to `until`, from the change log; None when
        it cannot tell (a change of many documents, or generations it has not logged: a catalog
        from before the log, or a reader more than CHANGES_KEPT behind)."""
        rows = self._db.execute("SELECT generation, doc_id FROM changes WHERE generation > ? AND generation <= ?",
                                (since, until)).fetchall()
        if len(rows) != until - since or any(doc_id is None for _, doc_id in rows):
            return None
        return {doc_id for _, doc_id in rows}

    @contextmanager
    def snapshot(self):
        """Reads inside see one state of the catalog, however writers commit meanwhile (WAL)."""
        self._db.execute("BEGIN")
        try:
            yield self
        finally:
            self._db.execute("COMMIT")

    def duties_of(self, doc_id: str) -> list[Duty]:
        rows = self._db.execute("SELECT data FROM duties WHERE doc_id=? ORDER BY ord", (doc_id,))
        return [Duty.from_dict(json.loads(r[0])) for r in rows]

    def record_manifest(self, items: dict) -> None:
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", items.items())

    def stored_documents(self) -> list[Document]:
        rows = self._db.execute("SELECT source, name, text, content_hash, info FROM documents ORDER BY name")
        headers = {d["source"]: d["header"] for d in self.documents()}
        return [Document(source=src, name=name, text=text, header=headers[src], content_hash=h,
                         **Document.info_fields(json.loads(info)))
                for src, name, text, h, info in rows]

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        rows = self._db.execute("SELECT data FROM chunks WHERE doc_id=? ORDER BY ord", (doc_id,))
        return [Chunk.from_dict(json.loads(r[0])) for r in rows]

    def replace_duties(self, doc_id: str, duties: list[Duty]) -> None:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM duties WHERE doc_id=?", (doc_id,))
            self._insert_duties(doc_id, duties)
            self._bump(doc_id)

    def _insert_duties(self, doc_id: str, duties: list[Duty]) -> None:
        self._db.executemany("INSERT OR REPLACE INTO duties VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             [(d.duty_id, doc_id, i, d.actor, d.role, d.province, d.document,
                               json.dumps(d.to_dict(), ensure_ascii=False)) for i, d in enumerate(duties)])

    def relations(self) -> dict[str, list[dict]]:
        """doc_id -> what that document says it replaces, repeals or amends."""
        return {doc_id: json.loads(data) for doc_id, data in self._db.execute("SELECT doc_id, data FROM relations")}

    def replace_relations(self, doc_id: str, relations: list[dict]) -> None:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("INSERT OR REPLACE INTO relations VALUES (?, ?)",
                             (doc_id, json.dumps(list(relations), ensure_ascii=False)))
            self._bump(doc_id)

    def delete_orphan_rows(self) -> None:
        """Clauses, duties and relations of documents the catalog no longer lists."""
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            for table in ("chunks", "duties", "relations"):
                self._db.execute(f"DELETE FROM {table} WHERE doc_id NOT IN (SELECT doc_id FROM documents)")
            self._bump(None)

    # ---- vectors a write is adding or making stale (Chroma cannot join these transactions)
    def intend_vectors(self, chunk_ids: list[str]) -> None:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT OR IGNORE INTO vector_intents VALUES (?)", [(c,) for c in chunk_ids])

    def _record_stale_vectors(self, doc_id: str) -> None:
        """Inside a transaction that drops a document's clauses: their vectors are to go."""
        self._db.execute("INSERT OR IGNORE INTO vector_intents SELECT chunk_id FROM chunks WHERE doc_id=?", (doc_id,))

    def vector_intents(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT chunk_id FROM vector_intents")]

    def forget_vector_intents(self, chunk_ids: list[str]) -> None:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("DELETE FROM vector_intents WHERE chunk_id=?", [(c,) for c in chunk_ids])

    def listed_chunk_ids(self, chunk_ids: list[str]) -> set[str]:
        """Which of these clause ids the catalog lists."""
        return {r[0] for r in self._rows_where_in("SELECT chunk_id FROM chunks", "chunk_id", chunk_ids)}

    def count_documents(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    def document_hash(self, doc_id: str) -> str | None:
        row = self._db.execute("SELECT content_hash FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def document_info(self, doc_id: str) -> dict:
        """The stored provenance of one document ({} when absent): format, pages, OCR'd pages, reader."""
        row = self._db.execute("SELECT info FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else {}

    def forget_readings(self) -> None:
        """Mark every document as read by no current reading, so that the next ingest of its file
        reads and cuts it again (a newer chunker: its clauses are then cut the new way)."""
        with self._db:
            self._db.execute("UPDATE documents SET info = json_set(COALESCE(NULLIF(info, ''), '{}'), '$.reader', '')")

    def chunk_ids_of(self, doc_id: str) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT chunk_id FROM chunks WHERE doc_id=? ORDER BY ord", (doc_id,))]

    def replace_document(self, doc: Document, chunks: list[Chunk], duties: list[Duty] = (),
                         relations: list[dict] = ()) -> None:
        """Document, clauses, duties and what it says of other documents change together in one transaction."""
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("INSERT OR REPLACE INTO relations VALUES (?, ?)",
                             (doc.doc_id, json.dumps(list(relations), ensure_ascii=False)))
            self._record_stale_vectors(doc.doc_id)
            self._db.execute("DELETE FROM chunks WHERE doc_id=?", (doc.doc_id,))
            self._db.execute("DELETE FROM duties WHERE doc_id=?", (doc.doc_id,))
            self._insert_duties(doc.doc_id, duties)
            self._db.execute("INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (doc.doc_id, doc.source, doc.name, doc.content_hash,
                              json.dumps(asdict(doc.header), ensure_ascii=False), doc.text, time.time(),
                              json.dumps(doc.info(), ensure_ascii=False)))
            self._db.executemany("INSERT INTO chunks VALUES (?, ?, ?, ?)",
                                 [(c.chunk_id, doc.doc_id, i, json.dumps(c.to_dict(), ensure_ascii=False))
                                  for i, c in enumerate(chunks)])
            self._bump(doc.doc_id)

    def remove_document(self, doc_id: str) -> None:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._record_stale_vectors(doc_id)
            self._db.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
            self._db.execute("DELETE FROM duties WHERE doc_id=?", (doc_id,))
            self._db.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
            self._db.execute("DELETE FROM relations WHERE doc_id=?", (doc_id,))
            self._bump(doc_id)

    def documents(self) -> list[dict]:
        rows = self._db.execute("SELECT doc_id, source, name, content_hash, header, info, ingested_at "
                                "FROM documents ORDER BY name")
        # Parsed headers are kept by their JSON text: an ingest asks for the list several times, and
        # at 2,000 documents parsing them all took 0.1-0.4 s each time.
        known, parsed = self._parsed_headers, {}
        out = []
        for doc_id, source, name, content_hash, header, info, ingested_at in rows:
            key = (header, info)
            fields = parsed[key] = known.get(key) or (
                Header(**{k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(header).items()}),
                json.loads(info))
            out.append({"doc_id": doc_id, "source": source, "name": name, "content_hash": content_hash,
                        "header": fields[0], "info": dict(fields[1]), "ingested_at": ingested_at})
        self._parsed_headers = parsed  # only what the catalog still holds
        return out

    def counts(self) -> dict[str, tuple[int, int]]:
        """doc_id -> (clauses, duties)."""
        clauses = dict(self._db.execute("SELECT doc_id, COUNT(*) FROM chunks GROUP BY doc_id"))
        duties = dict(self._db.execute("SELECT doc_id, COUNT(*) FROM duties GROUP BY doc_id"))
        return {d: (clauses.get(d, 0), duties.get(d, 0)) for d in clauses.keys() | duties.keys()}

    def text_lengths(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT doc_id, length(text) FROM documents"))

    def document_text(self, doc_id: str) -> str | None:
        row = self._db.execute("SELECT text FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def duties(self, actor: str | None = None, document: str | None = None, province: str | None = None,
               role: str | None = None) -> list[Duty]:
        sql, args = "SELECT d.data FROM duties d JOIN documents doc ON doc.doc_id = d.doc_id WHERE 1=1", []
        for column, value in (("d.actor", actor), ("d.document", document), ("d.province", province), ("d.role", role)):
            if value:
                sql += f" AND {column} = ?"
                args.append(value)
        rows = self._db.execute(sql + " ORDER BY doc.name, d.ord", args)
        return [Duty.from_dict(json.loads(r[0])) for r in rows]

    def all_chunks(self) -> list[Chunk]:
        # only clauses of listed documents: rows a crash or a bad repair left behind are never served
        rows = self._db.execute("SELECT c.data FROM chunks c JOIN documents d ON d.doc_id = c.doc_id "
                                "ORDER BY c.doc_id, c.ord")
        return [Chunk.from_dict(json.loads(r[0])) for r in rows]


class VectorStore:
    """ChromaDB in cosine space, vectors passed in by us: embedded (PersistentClient in the data
    dir) by default, or a Chroma server (HttpClient) when `url` is given (RAG_CHROMA_URL)."""

    def __init__(self, path: Path, url: str = "", collection: str = COLLECTION, connect: bool = True):
        """connect=False: the embedded store opens on first use or on open(), so a server's page can
        answer while Chroma imports (1.4 s). A Chroma server is checked at once all the same: a wrong
        address fails at start, not at the first question."""
        self.name = collection
        self._path, self._url = path, url
        self._connected: tuple | None = None  # (client, collection)
        self._connecting = threading.Lock()
        if connect or url:
            self.open()

    def open(self) -> "VectorStore":
        with self._connecting:
            if self._connected is not None:
                return self
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
            if self._url:
                client = _http_client(self._url, chroma_settings)
            else:
                client = chromadb.PersistentClient(path=str(self._path), settings=chroma_settings)
            col = client.get_or_create_collection(self.name, configuration={"hnsw": HNSW}, embedding_function=None)
            current = (col.configuration or {}).get("hnsw") or {}
            if any(current.get(k) != v for k, v in HNSW.items()):
                col = self._rebuild_graph(client, col)
            self._connected = (client, col)  # published once usable: other threads read it unlocked
        return self

    def warm(self) -> None:
        """Make Chroma load its HNSW graph now (it does on the first query: 3.9 s at 100k clauses),
        by one query with a stored vector. For a server's background start."""
        got = self._col.get(limit=1, include=["embeddings"])
        if got["ids"]:
            self._col.query(query_embeddings=[list(got["embeddings"][0])], n_results=1, include=[])

    @property
    def _client(self):
        return (self._connected or self.open()._connected)[0]

    @property
    def _col(self):
        return (self._connected or self.open()._connected)[1]

    def _rebuild_graph(self, client, col):
        """Re-create the collection with our HNSW settings, moving the stored vectors over (no
        re-embedding); returns the new one. Graph parameters cannot change in place."""
        rows: dict[str, list] = {"ids": [], "embeddings": [], "documents": [], "metadatas": []}
        total = col.count()
        for offset in range(0, total, 2000):
            got = col.get(limit=2000, offset=offset, include=["embeddings", "documents", "metadatas"])
            for key in rows:
                rows[key].extend(list(got[key]))
        client.delete_collection(self.name)
        col = client.create_collection(self.name, configuration={"hnsw": HNSW}, embedding_function=None)
        for i in range(0, len(rows["ids"]), 1000):
            col.add(**{k: [list(x) if k == "embeddings" else x for x in v[i:i + 1000]] for k, v in rows.items()})
        return col

    def count(self) -> int:
        return self._col.count()

    def drop(self) -> None:
        """Delete this collection and every vector in it."""
        self._client.delete_collection(self.name)

    def ids(self) -> list[str]:
        """Every vector id stored, in pages (no vectors fetched)."""
        out: list[str] = []
        total = self._col.count()
        for offset in range(0, total, 5000):
            out.extend(self._col.get(limit=5000, offset=offset, include=[])["ids"])
        return out

    def existing(self, ids: list[str]) -> dict[str, list[float]]:
        """Vectors already stored for these ids (unchanged clauses are never re-embedded)."""
        out: dict[str, list[float]] = {}
        for i in range(0, len(ids), 500):
            got = self._col.get(ids=ids[i:i + 500], include=["embeddings"])
            for cid, vec in zip(got["ids"], got["embeddings"]):
                out[cid] = list(vec)
        return out

    def upsert(self, chunks: list[Chunk], vectors: list[list[float]]) -> None:
        for i in range(0, len(chunks), 1000):
            part = chunks[i:i + 1000]
            self._col.upsert(
                ids=[c.chunk_id for c in part], embeddings=vectors[i:i + 1000],
                documents=[c.text for c in part],
                metadatas=[{"doc_id": c.doc_id, "document": c.document, "province": c.province or "",
                            "kind": c.kind} for c in part])

    def delete(self, ids: list[str]) -> None:
        for i in range(0, len(ids), 1000):
            self._col.delete(ids=ids[i:i + 1000])

    def query(self, vector: list[float], k: int, documents: list[str] | None = None,
              provinces: list[str] | None = None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) best first."""
        clauses = []
        if documents:
            clauses.append({"document": {"$in": list(documents)}})
        if provinces:
            clauses.append({"province": {"$in": list(provinces)}})
        where = clauses[0] if len(clauses) == 1 else ({"$and": clauses} if clauses else None)
        # no count() first (6% of a served question's GIL time): Chroma returns fewer than k,
        # or none, from a smaller or empty collection
        res = self._col.query(query_embeddings=[vector], n_results=k, where=where, include=["distances"])
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0])]


def _http_client(url: str, chroma_settings):
    """A Chroma server client for `url` (http[s]://host:port), checked with a heartbeat so a
    wrong address fails at startup with a fix-it message instead of at the first question."""
    from urllib.parse import urlparse

    import chromadb

    parsed = urlparse(url if "://" in url else f"http://{url}")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(f"RAG_CHROMA_URL={url!r} is not a server address; write it like http://127.0.0.1:8000")
    port = parsed.port or (443 if parsed.scheme == "https" else 8000)
    try:
        client = chromadb.HttpClient(host=parsed.hostname, port=port, ssl=parsed.scheme == "https",
                                     settings=chroma_settings)
        client.heartbeat()
    except Exception as e:  # connection errors differ by transport: one message for all
        raise ConfigError(
            f"Không kết nối được máy chủ Chroma / cannot reach the Chroma server at {url} ({e.__class__.__name__}). "
            "Fix: start it (chroma run --path <folder> --host 127.0.0.1 --port 8000), check RAG_CHROMA_URL, "
            "or unset RAG_CHROMA_URL to use the embedded store in the data dir.") from e
    return client
