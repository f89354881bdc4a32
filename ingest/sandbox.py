"""Parse untrusted files in a child process with a time and a memory limit.

A crafted PDF, a .docx zip bomb or an image of a billion pixels must not hang or kill the
server, and must leave the index alone. The parser runs in a process forked from a small,
clean server process (multiprocessing "forkserver": never from the app's own process, which
holds threads of torch and Gradio), with RLIMIT_AS capping its memory; the parent waits at most
`timeout_s`, kills it past that, and turns every way of failing into an InputFileError.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import queue
import resource
import signal
from collections.abc import Callable
from pathlib import Path

from core.errors import InputFileError, RagError

_context = None


def _ctx():
    global _context
    if _context is None:
        _context = mp.get_context("forkserver")
        # loaded once in the server, so each parse forks with them already imported
        _context.set_forkserver_preload(["ingest.load", "ingest.word", "ingest.pdf", "ingest.ocr",
                                         "ingest.webpage", "ingest.encoding"])
    return _context


def _child(target: Callable, args: tuple, memory_mb: int, out) -> None:
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # children of the parser (tesseract, soffice) are killed with it: one process group
    os.setpgid(0, 0)

    def progress(done: int, total: int, label: str) -> None:
        out.put(("progress", (done, total, label)))

    try:
        out.put(("ok", target(*args, progress=progress)))
    except RagError as e:
        out.put(("rag", e))
    except MemoryError:
        out.put(("memory", None))
    except BaseException as e:  # noqa: BLE001 - whatever the parser hit becomes a per-file error
        out.put(("error", f"{e.__class__.__name__}: {e}"[:400]))


def run_limited(target: Callable, args: tuple, path: Path, timeout_s: float, memory_mb: int,
                progress: Callable[[int, int, str], None] | None = None):
    """target(*args, progress=callback) in a child; its return value, or InputFileError."""
    ctx = _ctx()
    out = ctx.Queue()
    child = ctx.Process(target=_child, args=(target, args, memory_mb, out), daemon=True)
    child.start()
    try:
        deadline_left = timeout_s
        while True:
            try:
                kind, value = out.get(timeout=min(1.0, max(deadline_left, 0.01)))
            except queue.Empty:
                deadline_left -= 1.0
                if not child.is_alive():
                    raise InputFileError(path, f"trình đọc tệp dừng bất thường (mã {child.exitcode}) / "
                                         f"the parser crashed (exit code {child.exitcode})",
                                         "kiểm tra tệp có hỏng không, hoặc lưu lại bằng Word/PDF khác / "
                                         "check the file is not damaged, or re-save it") from None
                if deadline_left <= 0:
                    raise InputFileError(path, f"đọc tệp quá {timeout_s:.0f} giây / parsing took longer than "
                                         f"{timeout_s:.0f} s", "tách tệp nhỏ hơn hoặc tăng RAG_PARSE_TIMEOUT / "
                                         "split the file or raise RAG_PARSE_TIMEOUT") from None
                continue
            if kind == "progress":
                if progress:
                    progress(*value)
                continue
            if kind == "ok":
                return value
            if kind == "rag":
                raise value
            if kind == "memory":
                raise InputFileError(path, f"đọc tệp cần hơn {memory_mb} MB bộ nhớ / parsing needs more than "
                                     f"{memory_mb} MB", "tệp có thể hỏng hoặc quá lớn; tăng RAG_PARSE_MEMORY_MB "
                                     "nếu tệp đúng / the file may be damaged; raise RAG_PARSE_MEMORY_MB if it is fine")
            raise InputFileError(path, f"không đọc được tệp / cannot parse the file ({value})",
                                 "kiểm tra tệp có hỏng không / check that the file opens in Word or a PDF reader")
    finally:
        if child.is_alive():
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                child.kill()
        child.join(timeout=5)
        out.close()
