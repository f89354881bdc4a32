"""Shared fixtures: isolated RAG_* environment, temporary data dirs, and one real index
(default e5-small model, real ChromaDB on disk) built once per session over the sample corpus."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.settings import Settings, prepare_environment  # noqa: E402

prepare_environment()  # thread limits and offline flags, before anything loads numpy

SAMPLES = ROOT / "data" / "directives"
SHARED = ROOT.parent / "shared"
SEED_DEV = SHARED / "eval" / "seed_dev.jsonl"
ALQAC = SHARED / "data" / "alqac2022"


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite golden files in tests/data/golden from the current output")


@pytest.fixture
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """No RAG_* variable from the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("RAG_"):
            monkeypatch.delenv(key, raising=False)


@pytest.fixture
def hash_settings(tmp_path) -> Settings:
    """Unit-test settings: the deterministic hash embedder in a fresh data dir."""
    return Settings(data_dir=tmp_path / "data", corpus_dir=SAMPLES, embed_model="hash")


@pytest.fixture(scope="session")
def real_index_dir(tmp_path_factory) -> Path:
    """The sample corpus indexed once with the real default embedder (e5-small)."""
    from assistant.library import Library

    data_dir = tmp_path_factory.mktemp("real-index")
    library = Library(Settings(data_dir=data_dir, corpus_dir=SAMPLES))
    report = library.ingest([SAMPLES])
    assert not report.failed, report.failed
    library.close()
    return data_dir


@pytest.fixture
def real_settings(real_index_dir, tmp_path) -> Settings:
    """A private copy of the real index, so a test may change it freely."""
    target = tmp_path / "real"
    shutil.copytree(real_index_dir, target)
    return Settings(data_dir=target, corpus_dir=SAMPLES)


@pytest.fixture(scope="session")
def real_assistant(real_index_dir):
    from assistant.ask import Assistant
    from assistant.library import Library

    return Assistant(Library(Settings(data_dir=real_index_dir, corpus_dir=SAMPLES)))


def index_state(library) -> dict:
    """Everything a failed ingest must leave exactly as it was."""
    chunk_ids = [c.chunk_id for c in library.catalog.all_chunks()]
    return {
        "documents": [(d["doc_id"], d["name"], d["content_hash"]) for d in library.documents()],
        "chunk_ids": chunk_ids,
        "chroma_count": library.vectors.count(),
        "chroma_ids": sorted(library.vectors.existing(chunk_ids)),
        "lexical_ids": sorted(library.searcher.lexical.chunk_ids),
    }


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A writable copy of the sample corpus (tests edit and delete files in it)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for f in SAMPLES.glob("*.txt"):
        shutil.copyfile(f, folder / f.name)
    return folder


@pytest.fixture(scope="session")
def served_client(real_assistant):
    """The real Gradio app served on a free loopback port, and a gradio_client talking to it."""
    import socket

    from gradio_client import Client

    from app import build_app
    from ui.web import launch

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    demo = build_app(real_assistant.library.settings, assistant=real_assistant)
    launch(demo, "127.0.0.1", port, prevent_thread_lock=True, quiet=True)
    try:
        yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    finally:
        demo.close()


def library_of(root: Path, files: dict[str, str], **settings):
    """A library on the hash embedder over `files` ({file name: text}), written into root/docs and
    ingested; `settings` go to Settings (e.g. today="2026-04-10")."""
    from assistant.library import Library

    docs = root / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (docs / name).write_text(text, encoding="utf-8")
    library = Library(Settings(data_dir=root / "data", corpus_dir=docs, embed_model="hash", **settings))
    assert not library.ingest([docs]).failed
    return library


def edit_once(path: Path, old: str, new: str) -> None:
    """Replace a passage that occurs exactly once in a file (tests change one clause)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


REAL = SHARED / "corpus" / "real"
needs_real_corpus = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/corpus/real is absent")


@pytest.fixture(scope="session")
def real_documents() -> dict:
    """Every file of ../shared/corpus/real loaded once through the real loaders (sandboxed, real
    OCR): file name -> Document, or the exception it raised. The OCR cache lives in the default
    data dir (.rag/ocr), so scanned pages are OCR'd once per machine, not once per run."""
    from eval.duty_gold import load_real

    return load_real(REAL)
