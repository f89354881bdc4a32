"""The e5 (XLM-R) tokenizer of the ONNX question path on sentencepiece, giving the same ids as
the converted model's tokenizer.json.

Why: loading that tokenizer.json with `tokenizers` builds a 250,002-piece Unigram model in
1.3-1.5 s with the GIL held, a third of a cold `app.py ask`. sentencepiece, Google's library that
XLM-R's tokenizer comes from, takes about as long but releases the GIL, so the load runs in a
background thread while the process imports chromadb and opens the index.

The model file is written once, at export, from tokenizer.json: the same pieces, scores and
special ids, and its Precompiled normalisation map, whose double-array trie is zero-padded to
sentencepiece's 1,024-byte blocks (units past the end never match a label, so lookups are
unchanged). One difference is made up here: tokenizer.json collapses runs of spaces but keeps a
trailing one as its own "▁" token, while sentencepiece strips it; a small second model that only
normalises tells when the text ends with a space.
"""
from __future__ import annotations

import base64
import json
import struct
from pathlib import Path

MODEL, NORMALISER = "tokenizer.model", "normaliser.model"
TRIE_BLOCK = 1024


def _padded_charsmap(blob: bytes) -> bytes:
    size = struct.unpack("<I", blob[:4])[0]
    padded = -(-size // TRIE_BLOCK) * TRIE_BLOCK
    return struct.pack("<I", padded) + blob[4:4 + size] + bytes(padded - size) + blob[4 + size:]


def write_sentencepiece(tokenizer_json: Path, folder: Path) -> list[str]:
    """Write MODEL and NORMALISER into `folder` from a Unigram tokenizer.json; returns their names."""
    from sentencepiece import sentencepiece_model_pb2 as pb

    spec = json.loads(Path(tokenizer_json).read_text(encoding="utf-8"))
    vocab = spec["model"]["vocab"]
    unk = spec["model"]["unk_id"]
    special = {t["content"]: t["id"] for t in spec["added_tokens"]}
    normalisers = spec["normalizer"]["normalizers"]
    charsmap = next(n["precompiled_charsmap"] for n in normalisers if n["type"] == "Precompiled")
    piece_type = pb.ModelProto.SentencePiece

    def model(pieces) -> bytes:
        proto = pb.ModelProto()
        for i, (piece, score) in enumerate(pieces):
            entry = proto.pieces.add()
            entry.piece, entry.score = piece, score
            entry.type = (piece_type.UNKNOWN if i == unk else
                          piece_type.CONTROL if piece in special else piece_type.NORMAL)
        trainer = proto.trainer_spec
        trainer.model_type = pb.TrainerSpec.UNIGRAM
        trainer.vocab_size = len(pieces)
        trainer.unk_id = unk
        trainer.bos_id, trainer.eos_id, trainer.pad_id = special["<s>"], special["</s>"], special["<pad>"]
        norm = proto.normalizer_spec
        norm.name = "nmt_nfkc"
        norm.precompiled_charsmap = _padded_charsmap(base64.b64decode(charsmap))
        norm.add_dummy_prefix = norm.remove_extra_whitespaces = norm.escape_whitespaces = True
        return proto.SerializeToString()

    folder = Path(folder)
    (folder / MODEL).write_bytes(model(vocab))
    (folder / NORMALISER).write_bytes(model(vocab[:4]))   # <s> <pad> </s> <unk>: only normalises
    return [MODEL, NORMALISER]


class E5Tokenizer:
    """Ids with <s> … </s>, never truncated; loading releases the GIL; safe from several threads."""

    def __init__(self, folder: Path):
        import sentencepiece as spm
        folder = Path(folder)
        self._pieces = spm.SentencePieceProcessor(model_file=str(folder / MODEL))
        self._normaliser = spm.SentencePieceNormalizer(
            model_file=str(folder / NORMALISER), add_dummy_prefix=False, escape_whitespaces=False,
            remove_extra_whitespaces=False)
        self.bos, self.eos = self._pieces.bos_id(), self._pieces.eos_id()
        self._space = self._pieces.piece_to_id("▁")

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        rows = self._pieces.encode(list(texts))
        return [[self.bos, *row, *([self._space] if self._normaliser.normalize(text).endswith(" ") else []),
                 self.eos] for text, row in zip(texts, rows)]
