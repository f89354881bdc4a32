"""What a worker answers from, derived from the catalog's documents, and kept up to date by the
documents that changed rather than rebuilt over the corpus at each reload (at 100k clauses the
rebuild was ~0.35 s of every upload and of every other worker's refresh)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from core.types import Chunk, Duty

ByDoc = dict[str, tuple[list[Chunk], list[Duty]]]  # doc_id -> (clauses, duties)


@dataclass(frozen=True)
class Served:
    """every: all clauses (BM25 indexes them all); chunks: the clauses cited, the extra files of a
    directive (copies) left out; duties_by_chunk, and the counts behind known_actors and
    provinces, over the cited documents only."""
    by_doc: ByDoc
    copies: dict[str, str]
    every: dict[str, Chunk]
    chunks: dict[str, Chunk]
    duties_by_chunk: dict[str, list[Duty]]
    actor_counts: Counter
    province_counts: Counter

    @classmethod
    def of(cls, by_doc: ByDoc, copies: dict[str, str]) -> "Served":
        served = cls(dict(by_doc), dict(copies), {}, {}, {}, Counter(), Counter())
        for doc_id in sorted(by_doc):
            served._add(doc_id, by_doc[doc_id], doc_id not in copies)
        return served

    def updated(self, by_doc: ByDoc, copies: dict[str, str], changed: set[str] | None) -> "Served":
        """The same for `by_doc` and `copies`, where only the documents in `changed` differ from
        this one's (None: any may); this one is left as it was, for readers still using it."""
        if changed is None:
            return Served.of(by_doc, copies)
        out = Served(dict(by_doc), dict(copies), dict(self.every), dict(self.chunks), dict(self.duties_by_chunk),
                     Counter(self.actor_counts), Counter(self.province_counts))
        for doc_id in sorted(set(changed) | (self.copies.keys() ^ copies.keys())):
            if doc_id in self.by_doc:
                out._remove(self.by_doc[doc_id], doc_id not in self.copies)
            if doc_id in by_doc:
                out._add(doc_id, by_doc[doc_id], doc_id not in copies)
        return out

    @property
    def known_actors(self) -> set:
        return set(self.actor_counts)

    @property
    def provinces(self) -> set[str]:
        return set(self.province_counts)

    # ---- in place, only while building a new one ---------------------------------------------
    def _add(self, doc_id: str, parts: tuple[list[Chunk], list[Duty]], cited: bool) -> None:
        chunks, duties = parts
        self.every.update((c.chunk_id, c) for c in chunks)
        if not cited:
            return
        self.chunks.update((c.chunk_id, c) for c in chunks)
        self.province_counts.update(c.province for c in chunks if c.province)
        for duty in duties:  # a new list: the one before may still be read through an older Served
            self.duties_by_chunk[duty.chunk_id] = [*self.duties_by_chunk.get(duty.chunk_id, ()), duty]
            self.actor_counts.update((duty.actor, duty.holder))

    def _remove(self, parts: tuple[list[Chunk], list[Duty]], cited: bool) -> None:
        chunks, duties = parts
        for c in chunks:
            self.every.pop(c.chunk_id, None)
        if not cited:
            return
        for c in chunks:
            self.chunks.pop(c.chunk_id, None)
        _discount(self.province_counts, [c.province for c in chunks if c.province])
        for duty in duties:
            self.duties_by_chunk.pop(duty.chunk_id, None)
        _discount(self.actor_counts, [name for d in duties for name in (d.actor, d.holder)])


def _discount(counts: Counter, items: list) -> None:
    for item in items:
        counts[item] -= 1
        if counts[item] <= 0:
            del counts[item]
