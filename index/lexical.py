"""Lexical BM25 for Vietnamese: syllables plus syllable bigrams, with an accent-folded twin so
questions typed without diacritics still match.

Incremental: the index is a list of immutable segments, each an inverted index of term
frequencies over its own clauses, plus the clauses deleted since. Scores are computed at query
time from those frequencies and the live statistics (clauses, average length, document
frequency), by the same formula bm25s scores with (Lucene's; k1 1.2, b 0.75), so adding or
removing a document tokenises only that document and writes only a small segment; a rebuild
never rescores the corpus. Small segments are merged as they pile up (tiered, like Lucene's).
"""
from __future__ import annotations

import json
import math
import os
import shutil
import time
import uuid
from pathlib import Path
from weakref import WeakKeyDictionary

import numpy as np

from core.text import fold, has_diacritics, lexical_tokens, syllables
from index.segments import VARIANTS, Inverted, Segment, merge_policy

# Question words carry no topic; dropping them keeps BM25 from matching on "phải làm gì".
QUERY_STOPWORDS = frozenset("""ai gì nào sao không có được thì là bao nhiêu như thế mấy hay hoặc
những các của và với cho về theo ra làm hỏi nào vậy""".split())


QUERY_STOPWORDS = frozenset(t for w in QUERY_STOPWORDS for t in syllables(w))  # in the tokens' tone spelling
_FOLDED_STOPWORDS = frozenset(fold(w) for w in QUERY_STOPWORDS)
# Bumped when tokens or files change (2: canonical tone placement; 3: segments of term
# frequencies); an index of another version is rebuilt from the catalog.
LEXICAL_VERSION = "3"
K1, B = 1.2, 0.75
STALE_AFTER_S = 60        # files of no current state older than this are removed at a save


# per accented inverted index (immutable, shared by the indexes that keep its segment): each syllable
# of its vocabulary under its unaccented form, built when a question typed without marks first needs it
_SPELLINGS: WeakKeyDictionary = WeakKeyDictionary()


def _spellings_of(inverted: Inverted) -> dict[str, list[str]]:
    table = _SPELLINGS.get(inverted)
    if table is None:
        table = {}
        for token in inverted.vocab:
            if "_" not in token and fold(token).isalpha():
                table.setdefault(fold(token), []).append(token)
        _SPELLINGS[inverted] = table
    return table


def query_tokens(question: str, folded: bool) -> list[str]:
    tokens = lexical_tokens(question, folded=folded)
    stop = _FOLDED_STOPWORDS if folded else QUERY_STOPWORDS
    return [t for t in tokens if t not in stop]


class LexicalIndex:
    """BM25 over live clauses, accented and accent-folded; immutable (changes return a new index,
    so a reader keeps searching the one it holds)."""

    def __init__(self, segments: list[Segment] | None = None):
        self._segments = list(segments or [])
        alive = [s.alive() for s in self._segments]
        self._alive = np.concatenate(alive) if alive else np.zeros(0, dtype=bool)
        self._offsets = np.cumsum([0] + [len(s.chunk_ids) for s in self._segments])
        self._slots = [cid for s in self._segments for cid in s.chunk_ids]
        self.chunk_ids = [cid for cid, live in zip(self._slots, self._alive) if live]
        self._n = len(self.chunk_ids)
        self._norm = {}  # per slot: k1 * (1 - b + b * length / average length), as bm25s computes it
        for variant, _ in VARIANTS:
            lengths = [np.asarray(s.variants[variant].lengths) for s in self._segments]
            live = sum(float(ls[m].sum()) for ls, m in zip(lengths, alive))
            avgdl = np.float32(live / self._n if self._n else 1.0)
            every = np.concatenate(lengths) if lengths else np.zeros(0, np.float32)
            self._norm[variant] = np.float32(K1) * (np.float32(1 - B) + np.float32(B) * every / avgdl)

    @classmethod
    def build(cls, chunk_ids: list[str], texts: list[str]) -> "LexicalIndex":
        return cls([Segment.of(chunk_ids, texts)] if chunk_ids else [])

    def changed(self, added: list[tuple[str, str]], removed: set[str]) -> "LexicalIndex":
        """A new index with `removed` clause ids deleted and `added` (id, text) indexed (an id
        already live is replaced); this one is left as it was."""
        gone = set(removed) | {cid for cid, _ in added}
        segments = []
        for s, start in zip(self._segments, self._offsets):
            dead = {p for p, cid in enumerate(s.chunk_ids) if cid in gone and self._alive[start + p]}
            segments.append(Segment(s.name, s.chunk_ids, s.variants, s.dead | dead) if dead else s)
        segments = [s for s in segments if len(s.dead) < len(s.chunk_ids)]
        if added:
            segments.append(Segment.of([cid for cid, _ in added], [text for _, text in added]))
        return LexicalIndex(merge_policy(segments))

    # ---- persistence ---------------------------------------------------------------------
    def save(self, root: Path) -> None:
        """Write the segments not on disk yet and a state file naming them all with their deleted
        positions, then switch the CURRENT pointer to it atomically; files no state uses go."""
        root.mkdir(parents=True, exist_ok=True)
        for s in self._segments:
            if not (root / s.name / "DONE").exists():
                tmp = root / f"{s.name}.tmp{os.getpid()}"
                shutil.rmtree(tmp, ignore_errors=True)
                tmp.mkdir()
                (tmp / "chunk_ids.json").write_text(json.dumps(s.chunk_ids), encoding="utf-8")
                for variant, inv in s.variants.items():
                    inv.save(tmp / variant)
                (tmp / "DONE").write_text("", encoding="utf-8")
                os.replace(tmp, root / s.name)
        state = f"state-{uuid.uuid4().hex[:8]}.json"
        (root / state).write_text(json.dumps({"version": LEXICAL_VERSION, "segments": [
            {"name": s.name, "dead": sorted(s.dead)} for s in self._segments]}), encoding="utf-8")
        tmp = root / f"CURRENT.tmp{os.getpid()}"  # several workers may save at once
        tmp.write_text(state, encoding="utf-8")
        os.replace(tmp, root / "CURRENT")
        used = {state, "CURRENT"} | {s.name for s in self._segments}
        for old in root.iterdir():
            # another worker may be writing its own segment or state right now: leave young files
            if old.name in used or ".tmp" in old.name or time.time() - old.stat().st_mtime < STALE_AFTER_S:
                continue
            shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)

    @classmethod
    def load(cls, root: Path, reuse: "LexicalIndex | None" = None) -> "LexicalIndex":
        """The saved index; empty when there is none or it was written by another version (the
        library then rebuilds it from the catalog). Missing or damaged files raise. Segments that
        `reuse` holds already are taken from it, not read again (a worker catching up with another
        one's save reads only the new segment)."""
        pointer = root / "CURRENT"
        if not pointer.exists():
            return cls()
        state_file = root / pointer.read_text(encoding="utf-8").strip()
        if not state_file.name.startswith("state-"):
            return cls()  # an index of version 2 or older: a folder, not a state file
        state = json.loads(state_file.read_text(encoding="utf-8"))
        if state.get("version") != LEXICAL_VERSION:
            return cls()
        segments, known = [], {seg.name: seg for seg in (reuse._segments if reuse is not None else [])}
        for entry in state["segments"]:
            if entry["name"] in known:
                seg = known[entry["name"]]
                segments.append(Segment(seg.name, seg.chunk_ids, seg.variants, frozenset(entry["dead"])))
                continue
            folder = root / entry["name"]
            ids = json.loads((folder / "chunk_ids.json").read_text(encoding="utf-8"))
            variants = {v: Inverted.load(folder / v) for v, _ in VARIANTS}
            segments.append(Segment(entry["name"], ids, variants, frozenset(entry["dead"])))
        return cls(segments)

    @staticmethod
    def saved_files(root: Path) -> tuple[list[Path], set[str]]:
        """The pointer, state file and segment folders of the saved index, and the clause ids it
        holds (for backups: one read of the pointer, no vocabulary loaded)."""
        state_file = root / (root / "CURRENT").read_text(encoding="utf-8").strip()
        entries = json.loads(state_file.read_text(encoding="utf-8"))["segments"]
        ids: set[str] = set()
        for entry in entries:
            chunk_ids = json.loads((root / entry["name"] / "chunk_ids.json").read_text(encoding="utf-8"))
            dead = set(entry["dead"])
            ids.update(cid for p, cid in enumerate(chunk_ids) if p not in dead)
        return [root / "CURRENT", state_file, *(root / e["name"] for e in entries)], ids

    # ---- scoring ---------------------------------------------------------------------------
    def _term(self, term: str, variant: str) -> tuple[np.ndarray, np.ndarray]:
        """(global live slots, frequencies) of a term over every segment."""
        slots, tfs = [], []
        for s, start in zip(self._segments, self._offsets):
            found = s.variants[variant].postings(term)
            if found is None:
                continue
            docs, tf = found
            docs = np.add(docs, start, dtype=np.int64)
            if s.dead:  # most segments have none: no mask to build
                live = self._alive[docs]
                docs, tf = docs[live], np.asarray(tf)[live]
            slots.append(docs)
            tfs.append(np.asarray(tf))
        if not slots:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        return (slots[0], tfs[0]) if len(slots) == 1 else (np.concatenate(slots), np.concatenate(tfs))

    def _df(self, term: str, variant: str) -> int:
        return len(self._term(term, variant)[0])

    def coverage(self, question: str) -> float:
        """How much of the question the loaded directives talk about at all: the share of its
        syllables (weight 0.3) and syllable bigrams (weight 0.7) found in the corpus
        vocabulary. Questions on absent topics ("lương tối thiểu vùng") score low."""
        if not self._n:
            return 0.0
        folded = not has_diacritics(question)
        variant = "folded" if folded else "accented"
        tokens = query_tokens(question, folded)
        known = {t: self._df(t, variant) > 0 for t in set(tokens)}
        uni = [t for t in tokens if "_" not in t]
        bi = [t for t in tokens if "_" in t]
        cov_uni = sum(known[t] for t in uni) / len(uni) if uni else 0.0
        cov_bi = sum(known[t] for t in bi) / len(bi) if bi else cov_uni
        return 0.3 * cov_uni + 0.7 * cov_bi

    def _idf(self, df: int) -> float:
        return math.log(1 + (self._n - df + 0.5) / (df + 0.5))

    def idf(self, tokens: list[str], folded: bool) -> dict[str, float]:
        """BM25's IDF of each token the corpus knows (Lucene's form), for weighting the question's
        terms; unknown tokens are left out."""
        variant = "folded" if folded else "accented"
        dfs = {t: self._df(t, variant) for t in set(tokens)} if self._n else {}
        return {t: self._idf(dfs[t]) for t in tokens if dfs.get(t)}

    def max_score(self, tokens: list[str], folded: bool) -> float:
        """The BM25 score of a clause of average length holding each known token once: the most
        a question's own terms can score, to normalise a hit's score across corpora."""
        return sum(self.idf(tokens, folded).values())

    def __len__(self) -> int:
        return self._n

    # ---- spelling: what a question typed without marks most likely means ---------------------
    def spellings(self, folded: str) -> dict[str, int]:
        """The corpus's syllables (tone-last tokens) that read `folded` without their marks, each
        with the number of clauses that hold it ('noi' -> {'nôị': 40, 'nôi': 25, …})."""
        out: dict[str, int] = {}
        for segment in self._segments:
            inverted = segment.variants["accented"]
            for token in _spellings_of(inverted).get(folded, ()):
                out[token] = out.get(token, 0) + inverted.count(token)
        return out

    def clauses_with(self, term: str) -> int:
        """How many clauses hold an accented token or bigram (deleted ones not yet merged away
        included: a count for weighing spellings, not for scoring)."""
        return sum(segment.variants["accented"].count(term) for segment in self._segments)

    def search(self, question: str, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score) best first; folded index when the question has no diacritics."""
        if not self._n:
            return []
        folded = not has_diacritics(question)
        variant = "folded" if folded else "accented"
        norm = self._norm[variant]
        scores = np.zeros(len(self._slots), dtype=np.float32)
        found = False
        for term in query_tokens(question, folded):  # a repeated term counts again, as in bm25s
            slots, tf = self._term(term, variant)
            if len(slots):
                found = True
                scores[slots] += np.float32(self._idf(len(slots))) * (tf / (norm[slots] + tf))
        if not found:
            return []
        if allowed is not None:
            scores[[i for i, cid in enumerate(self._slots) if cid not in allowed]] = 0.0
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self._slots[i], float(scores[i])) for i in top if scores[i] > 0]
