"""RAG_EMBED_PRECISION=auto, chosen by measurement: CPU flags say what a CPU *can* do, not what is
fastest on it (on an AVX512-BF16 EPYC, flags picked bf16 at 103 passages/s while int8 ran 141/s;
on AVX2-only CPUs torch's int8 kernels may still beat float32). So each candidate the CPU can
run is timed on the same realistic passages, interleaved, best of three, and the fastest whose
vectors stay within cosine 0.99 of float32 wins, unless one without torch (ONNX Runtime,
CTranslate2) is within 15% of it: that one is lighter to start and to keep. The choice is cached
per CPU model next to the converted model, so it is measured once (at install, by `python -m
index.embed`), never at a user's first question; without a cached choice the flags decide.
"""
from __future__ import annotations

import json
import platform
import time
from pathlib import Path

CACHE_FILE = "precision-choice.json"
MIN_COSINE = 0.99
ROUNDS = 3
MEASURE_VERSION = 4   # part of the cache key: 2 = ONNX Runtime joined the candidates, 3 = its int8
# graph, 4 = CTranslate2's int8
# A precision without torch within this share of the fastest wins: torch is never imported (a cold
# ingest then loads in ~1.5 s instead of ~7.5 s, and a server keeps ~0.5 GB less).
LIGHT_SLACK = 0.15


def cpu_key() -> str:
    """The CPU model and its relevant flags: what makes one precision faster than another (torch
    is pinned in requirements.txt; a new pin is measured again by deleting the cache file)."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model or platform.processor() or platform.machine()} [{_flag_summary()}] v{MEASURE_VERSION}"


def _flag_summary() -> str:
    from index.embed import cpu_has_bf16, cpu_has_vnni
    return ",".join(name for name, present in (("bf16", cpu_has_bf16()), ("vnni", cpu_has_vnni())) if present)


def _cached_record(model_dir: Path) -> dict:
    """This CPU's entry of the measurement cache ({} when there is none or it is unreadable)."""
    try:
        data = json.loads((Path(model_dir) / CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    record = data.get(cpu_key()) if isinstance(data, dict) else None
    return record if isinstance(record, dict) else {}


def cached_choice(model_dir: Path) -> str | None:
    from index.embed import PRECISIONS
    choice = _cached_record(model_dir).get("choice")
    return choice if choice in PRECISIONS and choice != "auto" else None


def cached_speeds(model_dir: Path) -> dict[str, float]:
    """precision -> passages per second measured on this CPU (empty before a measurement)."""
    try:
        return {k: float(v["passages_per_s"]) for k, v in _cached_record(model_dir).get("measured", {}).items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        return {}


def candidates() -> list[str]:
    """float32 on torch and on ONNX Runtime always; int8 wherever torch has an x86 quantised
    engine; CTranslate2's int8 where it is installed; bf16 only with native bf16 (emulated bf16
    measured 5-10x slower: not worth a conversion to time it)."""
    import torch

    from index.embed import cpu_has_bf16
    out = ["fp32", "onnx", "onnx-int8"]
    try:
        import ctranslate2  # noqa: F401
        out.append("ct2-int8")
    except ImportError:
        pass
    if "x86" in torch.backends.quantized.supported_engines or "fbgemm" in torch.backends.quantized.supported_engines:
        out.append("int8")
    if cpu_has_bf16():
        out.append("bf16")
    return out


def measure(model_dir: Path, log=None) -> dict:
    """Time every candidate on the calibration passages (repeated to realistic batches); returns
    the record cached for this CPU: passages/s and cosine to float32 per precision, and the choice."""
    import numpy as np

    from index.e5_int8 import CALIBRATION_TEXTS
    from index.embed import E5SmallEmbedder

    passages = [t for _ in range(6) for t in CALIBRATION_TEXTS]  # 48 passages, 3 batches of 16
    embedders = {p: E5SmallEmbedder(model_dir, precision=p) for p in candidates()}
    for embedder in embedders.values():
        embedder.encode(passages[:16], is_query=False)  # load, convert, warm up
    best = {p: float("inf") for p in embedders}
    vectors = {}
    for _ in range(ROUNDS):  # interleaved: a busy moment slows one round of each, not one precision
        for p, embedder in embedders.items():
            start = time.perf_counter()
            vectors[p] = embedder.encode(passages, is_query=False)
            best[p] = min(best[p], time.perf_counter() - start)
    reference = vectors["fp32"]
    results = {p: {"passages_per_s": round(len(passages) / best[p], 1),
                   "min_cosine_to_fp32": round(float(np.min(np.sum(vectors[p] * reference, axis=1))), 4)}
               for p in embedders}
    choice = choose(results)
    record = {"choice": choice, "measured": results, "at": time.strftime("%Y-%m-%d %H:%M")}
    if log:
        log(f"RAG_EMBED_PRECISION=auto → {choice} " + ", ".join(f"{p}: {r['passages_per_s']}/s"
                                                                for p, r in results.items()))
    return record


def choose(results: dict[str, dict]) -> str:
    """The fastest precision whose vectors stay within MIN_COSINE of float32, or one without torch
    within LIGHT_SLACK of it (the fastest of those)."""
    from index.embed import LIGHT_PRECISIONS
    eligible = {p: r["passages_per_s"] for p, r in results.items() if r["min_cosine_to_fp32"] >= MIN_COSINE}
    fastest = max(eligible, key=eligible.get)
    light = {p: v for p, v in eligible.items() if p in LIGHT_PRECISIONS and v >= (1 - LIGHT_SLACK) * eligible[fastest]}
    return max(light, key=light.get) if light else fastest


def measure_and_cache(model_dir: Path, log=None, force: bool = False) -> str:
    choice = None if force else cached_choice(model_dir)
    if choice:
        return choice
    record = measure(model_dir, log)
    path = Path(model_dir) / CACHE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data[cpu_key()] = record
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
    return record["choice"]
