"""The vector store's HNSW settings, and the in-place migration of a collection made with Chroma's
defaults (vectors moved over, nothing re-embedded, results unchanged)."""
import numpy as np

from index.store import COLLECTION, HNSW, VectorStore


def _chroma(path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))


def test_new_store_uses_our_hnsw_settings(tmp_path):
    store = VectorStore(tmp_path / "chroma")
    hnsw = store._col.configuration["hnsw"]
    assert {k: hnsw[k] for k in HNSW} == HNSW


def test_default_collection_is_rebuilt_with_vectors_kept(tmp_path):
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(300, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [f"c{i:03d}" for i in range(300)]
    old = _chroma(tmp_path / "chroma").create_collection(COLLECTION, metadata={"hnsw:space": "cosine"},
                                                           embedding_function=None)
    old.add(ids=ids, embeddings=vectors.tolist(), documents=[f"văn bản {i}" for i in ids],
            metadatas=[{"doc_id": "d", "document": "x.txt", "province": "", "kind": "clause"} for _ in ids])
    assert old.configuration["hnsw"]["max_neighbors"] != HNSW["max_neighbors"]

    store = VectorStore(tmp_path / "chroma")
    hnsw = store._col.configuration["hnsw"]
    assert {k: hnsw[k] for k in HNSW} == HNSW
    assert store.count() == 300
    kept = store.existing(ids)
    assert np.allclose(np.array([kept[i] for i in ids]), vectors, atol=1e-6)
    exact = [ids[j] for j in np.argsort(-(vectors @ vectors[5]))[:10]]
    assert [cid for cid, _ in store.query(vectors[5].tolist(), 10)] == exact
    got = store._col.get(ids=["c005"], include=["documents", "metadatas"])
    assert got["documents"] == ["văn bản c005"] and got["metadatas"][0]["document"] == "x.txt"


def test_a_store_opened_later_connects_on_first_use_and_once(tmp_path):
    """connect=False (a server building its page first): nothing is opened until a call needs the
    collection; threads asking at once share one client."""
    import threading

    VectorStore(tmp_path / "chroma").upsert([], [])  # the collection exists on disk
    store = VectorStore(tmp_path / "chroma", connect=False)
    assert store._connected is None
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(store._col)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store._connected is not None and all(col is seen[0] for col in seen)
    assert store.count() == 0 and store.open() is store


def test_a_chroma_server_address_is_checked_at_once_even_when_opened_later(tmp_path):
    """A wrong RAG_CHROMA_URL must fail at start with its fix, never at a user's first question."""
    import pytest

    from core.errors import ConfigError

    with pytest.raises(ConfigError, match="RAG_CHROMA_URL"):
        VectorStore(tmp_path / "chroma", url="ftp://nowhere", connect=False)


def test_warming_queries_the_graph_once_and_changes_nothing(tmp_path):
    store = VectorStore(tmp_path / "chroma")
    store.warm()  # empty: nothing to load, no error
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(20, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [f"c{i:02d}" for i in range(20)]
    store._col.add(ids=ids, embeddings=vectors.tolist(), documents=ids,
                   metadatas=[{"doc_id": "d", "document": "x.txt", "province": "", "kind": "clause"} for _ in ids])
    later = VectorStore(tmp_path / "chroma", connect=False)
    later.warm()  # opens on demand, then queries once
    assert later._connected is not None and later.count() == 20
    assert later.query(vectors[4].tolist(), 1)[0][0] == "c04"
