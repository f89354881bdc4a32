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
