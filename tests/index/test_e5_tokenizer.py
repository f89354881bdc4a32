"""The question path's tokenizer on sentencepiece (index/e5_tokenizer.py) gives exactly the ids of
the converted model's tokenizer.json, read by the `tokenizers` library, on real Vietnamese text
and on random strings; and its load leaves the GIL to other threads."""
from __future__ import annotations

import json
import random
import struct
import threading
import time

import pytest

from core.settings import Settings
from index import e5_convert
from index.e5_onnx import SOURCE_TOKENIZER
from index.e5_tokenizer import TRIE_BLOCK, E5Tokenizer, _padded_charsmap, write_sentencepiece
from ingest.chunk import ClauseChunker
from ingest.load import find_directive_files, load_directive
from tests.conftest import ALQAC, SAMPLES

TRICKY = ["", " ", "  ", "\n", "a ", " a", "  nhiều   khoảng   trắng  ", "tab\tand\nnewline\n", "x\u00a0", "x\u3000",
          "Ｆｕｌｌ ｗｉｄｔｈ", "emoji 🚀 ☃", "ký tự lạ \u0378\u0379 và 𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "Số: 46/KH-UBND ngày 03/3/2023",
          "ctrl \x00\x01\x1f end\x01", "Sở Nội vụ hoà thuỷ", "So\u031b\u0309 No\u0323i vu\u0323 (NFD)", "“ngoặc” – gạch … ba chấm",
          "query: Sở Tài chính phải làm gì?", "passage: " + "rất dài " * 400]


@pytest.fixture(scope="module")
def tokenizers_pair(tmp_path_factory):
    from tokenizers import Tokenizer
    source = e5_convert.ensure_model(Settings().model_dir) / SOURCE_TOKENIZER
    folder = tmp_path_factory.mktemp("e5-spm")
    assert sorted(write_sentencepiece(source, folder)) == sorted(p.name for p in folder.iterdir())
    reference = Tokenizer.from_file(str(source))
    reference.no_truncation()
    reference.no_padding()
    return reference, E5Tokenizer(folder), folder


def _texts() -> list[str]:
    texts = [c.index_text() for f in find_directive_files([SAMPLES]) for c in ClauseChunker(1500).chunk(load_directive(f))]
    texts += [line for f in find_directive_files([SAMPLES]) for line in load_directive(f).text.split("\n")]
    if (ALQAC / "law.json").exists():
        laws = json.loads((ALQAC / "law.json").read_text(encoding="utf-8"))
        texts += [a["text"] for law in laws for a in law["articles"]]
    rnd = random.Random(7)
    alphabet = sorted(set("".join(texts)) | set(" \t\n\u00a0\u200b"))
    texts += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 60))) for _ in range(3000)]
    # any code point but surrogates: unknown runs, combining marks, other scripts, controls
    texts += ["".join(chr(rnd.choice([rnd.randint(1, 0xD7FF), rnd.randint(0xE000, 0x2FFFF)]))
                      for _ in range(rnd.randint(1, 20))) for _ in range(3000)]
    return TRICKY + texts


def test_same_ids_as_tokenizer_json(tokenizers_pair):
    reference, ours, _ = tokenizers_pair
    texts = _texts()
    assert len(texts) > 6000
    expected = [e.ids for e in reference.encode_batch(texts)]
    got = ours.token_ids(texts)
    wrong = [(t[:60], e[:10], g[:10]) for t, e, g in zip(texts, expected, got) if e != g]
    assert not wrong, (len(wrong), wrong[:5])
    assert (ours.bos, ours.eos) == (0, 2)


def test_charsmap_padding_keeps_trie_and_strings():
    trie, strings = bytes(range(256)) * 3 + b"\x07" * 4, "a\x00b\x00".encode()
    blob = struct.pack("<I", len(trie)) + trie + strings
    padded = _padded_charsmap(blob)
    size = struct.unpack("<I", padded[:4])[0]
    assert size % TRIE_BLOCK == 0 and size >= len(trie)
    assert padded[4:4 + len(trie)] == trie and padded[4 + len(trie):4 + size] == bytes(size - len(trie))
    assert padded[4 + size:] == strings
    assert _padded_charsmap(padded) == padded   # already a whole number of blocks: unchanged


def test_loading_leaves_the_gil_to_other_threads(tokenizers_pair):
    """What the background prefetch relies on: Python code keeps running during the load."""
    _, _, folder = tokenizers_pair
    done = threading.Event()
    loader = threading.Thread(target=lambda: (E5Tokenizer(folder), done.set()))
    ticks = 0
    loader.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0)
    loader.join()
    assert ticks > 100   # 16,000 measured; the `tokenizers` load of tokenizer.json holds the GIL: 1
