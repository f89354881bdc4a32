"""Parsers run in a child with time and memory limits: a hang, a memory hog and a hard crash each
become a clear per-file error, and the parent (the server) goes on."""
import os
import signal
import time
from pathlib import Path

import pytest

from core.errors import InputFileError
from ingest.sandbox import run_limited


def _sleeps(seconds, progress=None):
    progress(1, 2, "trang")
    time.sleep(seconds)
    return "done"


def _hogs(progress=None):
    blocks = []
    while True:
        blocks.append(bytearray(64 * 1024 * 1024))


def _crashes(progress=None):
    os.kill(os.getpid(), signal.SIGSEGV)


def _refuses(progress=None):
    raise InputFileError("x.pdf", "PDF được mã hóa / encrypted PDF", "gỡ mật khẩu / remove the password")


def _returns(value, progress=None):
    progress(1, 1, "xong")
    return value


def test_result_and_progress_cross_the_process_boundary():
    seen = []
    assert run_limited(_returns, ({"a": [1, 2]},), Path("ok.pdf"), 30, 512, lambda *a: seen.append(a)) == {"a": [1, 2]}
    assert seen == [(1, 1, "xong")]


def test_a_hang_is_stopped_at_the_time_limit():
    started = time.monotonic()
    with pytest.raises(InputFileError, match="RAG_PARSE_TIMEOUT") as err:
        run_limited(_sleeps, (60,), Path("treo.pdf"), 2, 512)
    assert time.monotonic() - started < 15
    assert err.value.path == "treo.pdf"


def test_a_memory_hog_is_stopped_at_the_memory_limit():
    with pytest.raises(InputFileError, match="RAG_PARSE_MEMORY_MB|crashed"):
        run_limited(_hogs, (), Path("bom.docx"), 60, 512)


def test_a_crashing_parser_becomes_an_error_not_a_dead_server():
    with pytest.raises(InputFileError, match="crashed"):
        run_limited(_crashes, (), Path("hong.pdf"), 30, 512)
    assert run_limited(_returns, ("still here",), Path("ok.pdf"), 30, 512) == "still here"


def test_a_parser_error_keeps_its_message():
    with pytest.raises(InputFileError, match="encrypted PDF") as err:
        run_limited(_refuses, (), Path("x.pdf"), 30, 512)
    assert err.value.fix.startswith("gỡ mật khẩu")
