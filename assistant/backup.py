"""`app.py backup PATH` and `app.py restore PATH`: a consistent snapshot of the index, taken while
the app serves.

The catalog is copied with SQLite's online backup API, which yields one transaction-consistent
state even while an ingest writes. Everything else is then taken *for that state*: the vectors of
exactly the clauses it lists (from Chroma, or from the catalog's own embedding cache when a
concurrent replace has just deleted them), the BM25 files when they match it (else restore
rebuilds them), and the uploaded originals it names. Copying Chroma's folder instead could catch
its files mid-write. A manifest with checksums lets restore refuse a damaged or foreign backup.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import time
import uuid
from array import array
from pathlib import Path

from assistant.uploads import UploadArea, is_upload
from core.errors import RagError
from core.settings import Settings
from core.types import Chunk, content_id, file_sha256

FORMAT = "directive-index-backup/1"


def backup(settings: Settings, target: Path) -> dict:
    """Write a snapshot to the folder `target` (new or empty); returns its manifest."""
    from index.embed import make_embedder
    from index.store import VectorStore

    target, data_dir = Path(target), Path(settings.data_dir)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise RagError(f"{target}: đã tồn tại và không trống / exists and is not empty — chọn thư mục mới / "
                       "choose a new folder")
    source = data_dir / "catalog.sqlite"
    if not source.exists():
        raise RagError(f"{data_dir}: chưa có chỉ mục để sao lưu / no index to back up — nạp văn bản trước / "
                       "ingest documents first (python app.py ingest PATH)")
    partial = target.with_name(f".{target.name}.partial-{uuid.uuid4().hex[:6]}")
    partial.mkdir(parents=True)
    try:
        snapshot = partial / "catalog.sqlite"
        src, dst = sqlite3.connect(source), sqlite3.connect(snapshot)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        db = sqlite3.connect(snapshot)
        chunks = [Chunk.from_dict(json.loads(d)) for (d,) in db.execute("SELECT data FROM chunks ORDER BY doc_id, ord")]
        embedder = dict(db.execute("SELECT key, value FROM meta")).get("embedder") or make_embedder(
            settings.embed_model, settings.model_dir, settings.embed_precision).name
        ids = [c.chunk_id for c in chunks]
        found = VectorStore(data_dir / "chroma", settings.chroma_url, settings.chroma_collection).existing(ids)
        hashes = {c.chunk_id: content_id(embedder, c.index_text(), size=32) for c in chunks if c.chunk_id not in found}
        cache = dict(db.execute(f"SELECT text_hash, vector FROM embeddings WHERE text_hash IN "
                                f"({','.join('?' * len(hashes))})", list(hashes.values()))) if hashes else {}
        uploads = [(h, name) for source_, name, h in db.execute("SELECT source, name, content_hash FROM documents")
                   if is_upload(source_)]
        db.close()
        vectors = {cid: array("f", vec) for cid, vec in found.items()}
        vectors.update((cid, array("f", cache[h])) for cid, h in hashes.items() if h in cache)
        kept = [cid for cid in ids if cid in vectors]
        (partial / "vector_ids.json").write_text(json.dumps(kept), encoding="utf-8")
        with open(partial / "vectors.f32", "wb") as out:
            for cid in kept:
                vectors[cid].tofile(out)
        lexical = _copy_lexical(data_dir / "lexical", partial / "lexical", set(ids))
        area, copied = UploadArea(data_dir), 0
        for h, name in uploads:
            original = area.path_for(h, name)
            if original.is_file():
                destination = partial / original.relative_to(data_dir)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(original, destination)
                copied += 1
        manifest = {"format": FORMAT, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "embedder": embedder,
                    "documents": len({c.doc_id for c in chunks}), "clauses": len(ids), "vectors": len(kept),
                    "vectors_missing": len(ids) - len(kept), "bm25": lexical, "originals": copied,
                    "files": {str(p.relative_to(partial)): file_sha256(p)
                              for p in sorted(partial.rglob("*")) if p.is_file()}}
        (partial / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        if target.exists():
            target.rmdir()
        partial.rename(target)  # a backup folder is whole, or absent
        return manifest
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _copy_lexical(root: Path, destination: Path, ids: set[str]) -> bool:
    """Copy the BM25 files when they index exactly the snapshot's clauses (a concurrent ingest
    may have moved on); otherwise restore rebuilds them from the catalog."""
    from index.lexical import LexicalIndex

    try:
        files, saved_ids = LexicalIndex.saved_files(root)
        if saved_ids != ids:
            return False
        destination.mkdir(parents=True)
        for path in files[1:]:  # the state file and its segments, then the pointer to them
            (shutil.copytree if path.is_dir() else shutil.copy2)(path, destination / path.name)
        shutil.copy2(files[0], destination / files[0].name)
        return True
    except (OSError, ValueError, KeyError):  # swapped or removed while copying
        shutil.rmtree(destination, ignore_errors=True)
        return False


def restore(settings: Settings, source: Path) -> dict:
    """Bring a backup back into RAG_DATA_DIR (the app stopped). The catalog, BM25 and originals
    there are moved aside to `replaced-<time>/`, never deleted, so a wrong restore can be undone by
    hand (its vectors are derived again from that catalog by `check --repair`)."""
    from index.store import VectorStore

    source, data_dir = Path(source), Path(settings.data_dir)
    manifest = _verified_manifest(source)
    from index.embed import make_embedder
    wanted = make_embedder(settings.embed_model, settings.model_dir, settings.embed_precision).name
    if manifest["embedder"] != wanted:
        raise RagError(f"{source}: sao lưu dùng mô hình khác / the backup was built by {manifest['embedder']}, "
                       f"settings ask for {wanted} — đặt RAG_EMBED_MODEL cho đúng / set RAG_EMBED_MODEL to match")
    data_dir.mkdir(parents=True, exist_ok=True)
    aside = data_dir / f"replaced-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:4]}"
    # The vector collection is emptied and refilled in place, not moved: a Chroma client may hold
    # its folder open in this process, and the moved-aside catalog can derive its vectors again.
    VectorStore(data_dir / "chroma", settings.chroma_url, settings.chroma_collection).drop()
    for name in ("catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm", "lexical", "originals"):
        if (data_dir / name).exists():
            aside.mkdir(exist_ok=True)
            shutil.move(str(data_dir / name), aside / name)
    shutil.copyfile(source / "catalog.sqlite", data_dir / "catalog.sqlite")
    if (source / "lexical").is_dir():
        shutil.copytree(source / "lexical", data_dir / "lexical")
    if (source / "originals").is_dir():
        shutil.copytree(source / "originals", data_dir / "originals")
    db = sqlite3.connect(data_dir / "catalog.sqlite")
    chunks = {c.chunk_id: c for c in (Chunk.from_dict(json.loads(d)) for (d,) in db.execute("SELECT data FROM chunks"))}
    db.close()
    ids = json.loads((source / "vector_ids.json").read_text(encoding="utf-8"))
    flat = array("f")
    with open(source / "vectors.f32", "rb") as f:
        flat.frombytes(f.read())
    dim = len(flat) // len(ids) if ids else 0
    store = VectorStore(data_dir / "chroma", settings.chroma_url, settings.chroma_collection)
    kept = [cid for cid in ids if cid in chunks]
    rows = {cid: flat[i * dim:(i + 1) * dim].tolist() for i, cid in enumerate(ids)}
    for start in range(0, len(kept), 1000):
        part = kept[start:start + 1000]
        store.upsert([chunks[c] for c in part], [rows[c] for c in part])
    return {**manifest, "moved_aside": str(aside) if aside.exists() else None}


def _verified_manifest(source: Path) -> dict:
    path = source / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise RagError(f"{source}: không phải bản sao lưu / not a backup (manifest.json unreadable: {e}) — "
                       "chọn thư mục do 'python app.py backup' tạo / choose a folder made by backup") from e
    if manifest.get("format") != FORMAT:
        raise RagError(f"{source}: định dạng sao lưu lạ / unknown backup format {manifest.get('format')!r}")
    for name, digest in manifest["files"].items():
        file = source / name
        if not file.is_file() or file_sha256(file) != digest:
            raise RagError(f"{source}: tệp {name} thiếu hoặc hỏng / missing or damaged — dùng bản sao lưu khác / "
                           "use another backup")
    return manifest

