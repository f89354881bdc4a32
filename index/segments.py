"""BM25 segments: immutable inverted indexes of term frequencies over a batch of clauses, with
the positions deleted since they were written, and the policy that merges them (index/lexical.py
scores over them)."""
from __future__ import annotations

import json
import uuid
from array import array
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.text import lexical_tokens

VARIANTS = (("accented", False), ("folded", True))
MAX_SEGMENTS = 8          # more than this: the small ones are merged into one
MERGE_DEAD_SHARE = 0.3    # a segment with this share of its clauses deleted is merged (rewritten)


@dataclass(frozen=True, eq=False)  # compared by identity: its arrays have no single truth value
class Inverted:
    """One variant of one segment: term -> (clause positions, frequencies), in CSR form."""
    vocab: dict[str, int]
    indptr: np.ndarray   # int64, len(vocab) + 1
    docs: np.ndarray     # int32 positions in the segment, ascending within a term
    tfs: np.ndarray      # float32
    lengths: np.ndarray  # float32 tokens per clause

    @classmethod
    def of(cls, token_lists: list[list[str]]) -> "Inverted":
        vocab: dict[str, int] = {}
        terms, docs, tfs = array("i"), array("i"), array("f")
        lengths = np.fromiter((len(t) for t in token_lists), dtype=np.float32, count=len(token_lists))
        for position, tokens in enumerate(token_lists):
            counts = Counter(tokens)
            terms.extend(vocab.setdefault(t, len(vocab)) for t in counts)
            tfs.extend(counts.values())
            docs.extend([position] * len(counts))
        return cls._sorted(vocab, np.frombuffer(terms, np.int32), np.frombuffer(docs, np.int32),
                           np.frombuffer(tfs, np.float32), lengths)

    @classmethod
    def _sorted(cls, vocab, terms, docs, tfs, lengths) -> "Inverted":
        order = np.argsort(terms, kind="stable")  # positions were appended in ascending order
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms, minlength=len(vocab)), out=indptr[1:])
        return cls(vocab, indptr, docs[order].astype(np.int32), tfs[order].astype(np.float32), lengths)

    def count(self, term: str) -> int:
        """How many of the segment's clauses hold the term (deleted ones included)."""
        tid = self.vocab.get(term)
        return 0 if tid is None else int(self.indptr[tid + 1] - self.indptr[tid])

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        tid = self.vocab.get(term)
        if tid is None:
            return None
        a, b = self.indptr[tid], self.indptr[tid + 1]
        return self.docs[a:b], self.tfs[a:b]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True)
        (folder / "vocab.json").write_text(json.dumps(list(self.vocab), ensure_ascii=False), encoding="utf-8")
        for name in ("indptr", "docs", "tfs", "lengths"):
            np.save(folder / f"{name}.npy", getattr(self, name))

    @classmethod
    def load(cls, folder: Path) -> "Inverted":
        terms = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        arrays = {n: np.load(folder / f"{n}.npy", mmap_mode="r") for n in ("indptr", "docs", "tfs", "lengths")}
        return cls({t: i for i, t in enumerate(terms)}, **arrays)


@dataclass(frozen=True, eq=False)  # compared by identity, as merge_policy picks segments
class Segment:
    name: str                      # its folder under the index root
    chunk_ids: list[str]
    variants: dict[str, Inverted]
    dead: frozenset[int] = field(default=frozenset())  # positions deleted since it was written

    def alive(self) -> np.ndarray:
        """One flag per position: not deleted."""
        mask = np.ones(len(self.chunk_ids), dtype=bool)
        mask[list(self.dead)] = False
        return mask

    @classmethod
    def of(cls, chunk_ids: list[str], texts: list[str]) -> "Segment":
        variants = {v: Inverted.of([lexical_tokens(t, folded=f) for t in texts]) for v, f in VARIANTS}
        return cls(f"seg-{uuid.uuid4().hex[:10]}", list(chunk_ids), variants)

    @classmethod
    def merged(cls, segments: list["Segment"]) -> "Segment":
        """One segment of the live clauses of `segments`, from their term frequencies (nothing is
        tokenised again)."""
        ids, variants = [], {}
        keep = [s.alive() for s in segments]
        for s, alive in zip(segments, keep):
            ids += [cid for cid, live in zip(s.chunk_ids, alive) if live]
        for variant, _ in VARIANTS:
            vocab: dict[str, int] = {}
            terms, docs, tfs, lengths, base = [], [], [], [], 0
            for s, alive in zip(segments, keep):
                inv = s.variants[variant]
                renumber = np.cumsum(alive) - 1 + base
                local = np.fromiter((vocab.setdefault(t, len(vocab)) for t in inv.vocab), dtype=np.int32,
                                    count=len(inv.vocab))
                term_of = np.repeat(local, np.diff(inv.indptr))
                live = alive[inv.docs]
                terms.append(term_of[live])
                docs.append(renumber[inv.docs[live]].astype(np.int32))
                tfs.append(np.asarray(inv.tfs)[live])
                lengths.append(np.asarray(inv.lengths)[alive])
                base += int(alive.sum())
            variants[variant] = Inverted._sorted(vocab, _cat(terms, np.int32), _cat(docs, np.int32),
                                                  _cat(tfs, np.float32), _cat(lengths, np.float32))
        return cls(f"seg-{uuid.uuid4().hex[:10]}", ids, variants)


def _cat(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)


def merge_policy(segments: list[Segment]) -> list[Segment]:
    """Tiered merging: segments with many deletions are rewritten, and past MAX_SEGMENTS all but
    the largest are merged into one, so a change costs about its own size most of the time."""
    rewrite = [s for s in segments if len(s.dead) > MERGE_DEAD_SHARE * len(s.chunk_ids)]
    keep = [s for s in segments if s not in rewrite]
    if len(keep) + (1 if rewrite else 0) > MAX_SEGMENTS:
        largest = max(keep, key=lambda s: len(s.chunk_ids) - len(s.dead))
        rewrite += [s for s in keep if s is not largest]
        keep = [largest]
    if not rewrite:
        return segments
    merged = Segment.merged([s for s in segments if s in rewrite])  # in their order
    return keep + ([merged] if merged.chunk_ids else [])
