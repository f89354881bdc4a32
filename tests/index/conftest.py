"""Fixtures the e5 engine tests share: the models folder and the samples' clause texts."""
from __future__ import annotations

import pytest

from core.settings import Settings
from ingest.chunk import ClauseChunker
from ingest.load import find_directive_files, load_directive
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def model_dir():
    return Settings().model_dir


@pytest.fixture(scope="module")
def clauses() -> list[str]:
    return [c.index_text() for f in find_directive_files([SAMPLES])
            for c in ClauseChunker(1500).chunk(load_directive(f))]
