"""Writes to an index: one writer at a time, across threads and processes, and vectors that a
write may have left behind when it died midway settled by the next write.

The catalog is the truth; Chroma cannot join its transactions. So a write first records in the
catalog the clause ids whose vectors it is about to add, and the catalog transaction that drops
clauses records theirs too. Settling then deletes the vector of every recorded id the catalog
does not list, and forgets the record. A write killed anywhere (before the catalog swap: new
vectors of no clause; after it: stale ones) leaves recorded ids, which the next write settles.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

try:
    import fcntl
except ImportError:  # not POSIX: one process per index, the thread lock alone
    fcntl = None


class WriterLock:
    """Reentrant within a thread; held across processes through an advisory lock on a file, which
    the kernel releases when its holder dies (a SIGKILLed ingest never blocks the next one). Readers
    never take it."""

    def __init__(self, path: Path):
        self.path = path
        self.threads = threading.RLock()
        self._depth = 0
        self._file = None

    @contextmanager
    def held(self, on_wait: Callable[[], None] | None = None):
        """`on_wait`: called once if another process is writing (to say so on the page)."""
        self._acquire(on_wait)
        try:
            yield self
        finally:
            self._release()

    def __enter__(self) -> "WriterLock":
        self._acquire(None)
        return self

    def __exit__(self, *exc) -> None:
        self._release()

    def _acquire(self, on_wait) -> None:
        self.threads.acquire()
        if self._depth == 0 and fcntl is not None:
            try:
                self._file = open(self.path, "a+b")
                try:
                    fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if on_wait:
                        on_wait()
                    fcntl.flock(self._file, fcntl.LOCK_EX)  # until the other process's write ends
            except BaseException:
                if self._file is not None:
                    self._file.close()
                    self._file = None
                self.threads.release()
                raise
        self._depth += 1

    def _release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        self.threads.release()


def settle_vectors(catalog, vectors) -> int:
    """Delete the vectors of recorded clause ids that the catalog does not list; forget the record.
    Returns how many vectors went."""
    recorded = catalog.vector_intents()
    if not recorded:
        return 0
    dead = sorted(set(recorded) - catalog.listed_chunk_ids(recorded))
    if dead:
        vectors.delete(dead)
    catalog.forget_vector_intents(recorded)
    return len(dead)
