"""Ingest fixtures: the bundled samples as a parameter, small real-format texts in tests/data,
and golden-file comparison that rewrites goldens only under --update-goldens."""
from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent
SAMPLES = sorted((TESTS.parent / "data" / "directives").glob("*.txt"))
DATA = TESTS / "data"
GOLDEN = DATA / "golden"


def sample_id(path: Path) -> str:
    """'thanh-hoa-2022-…' -> 'thanh-hoa'."""
    return "-".join(path.stem.split("-")[:2])


def pytest_generate_tests(metafunc):
    """A test that takes `sample` runs once per bundled directive."""
    if "sample" in metafunc.fixturenames:
        metafunc.parametrize("sample", SAMPLES, ids=[sample_id(p) for p in SAMPLES])


@pytest.fixture
def data_file():
    """Path of a small real-format text under tests/data."""
    def path(name: str) -> Path:
        found = DATA / name
        assert found.is_file(), f"missing test data file {found}"
        return found
    return path


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


@pytest.fixture
def golden(update_goldens):
    """check(file_name, actual, key=None): compare `actual` with tests/data/golden/<file_name>
    (or with its entry `key`); with --update-goldens, write it there instead."""
    def check(file_name: str, actual, key: str | None = None) -> None:
        actual = json.loads(json.dumps(actual))  # tuples -> lists, as stored
        path = GOLDEN / file_name
        stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
        where = file_name if key is None else f"{file_name}[{key!r}]"
        if update_goldens:
            if key is not None:
                actual = dict(sorted({**(stored or {}), key: actual}.items()))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_dump(actual) + "\n", encoding="utf-8")
            return
        expected = stored if key is None or stored is None else stored.get(key)
        if expected is None:
            pytest.fail(f"no golden {where}; review the output, then create it with "
                        "`python -m pytest tests/ingest --update-goldens`", pytrace=False)
        if expected != actual:
            diff = "\n".join(difflib.unified_diff(_dump(expected).splitlines(), _dump(actual).splitlines(),
                                                  f"golden {where}", "actual", lineterm=""))
            pytest.fail(f"output differs from golden {where}; if the change is intended, re-run with "
                        f"--update-goldens and review the diff\n{diff}", pytrace=False)
    return check
