"""Lexical BM25 for Vietnamese: syllables plus syllable bigrams, with an accent-folded twin so
questions typed without diacritics still match. Built once per ingest and persisted."""
from __future__ import annotations

import json
import math
import os
import shutil
import uuid
from pathlib import Path

import numpy as np

from core.text import fold, has_diacritics, lexical_tokens, syllables

# Question words carry no topic; dropping them keeps BM25 from matching on "phải làm gì".
QUERY_STOPWORDS = frozenset("""ai gì nào sao không có được thì là bao nhiêu như thế mấy hay hoặc
những các của và với cho về theo ra làm hỏi nào vậy""".split())


QUERY_STOPWORDS = frozenset(t for w in QUERY_STOPWORDS for t in syllables(w))  # in the tokens' tone spelling
_FOLDED_STOPWORDS = frozenset(fold(w) for w in QUERY_STOPWORDS)
# Bumped when tokens change (2: canonical tone placement); an index of another version is rebuilt.
LEXICAL_VERSION = "2"


def query_tokens(question: str, folded: bool) -> list[str]:
    tokens = lexical_tokens(question, folded=folded)
    stop = _FOLDED_STOPWORDS if folded else QUERY_STOPWORDS
    return [t for t in tokens if t not in stop]


class LexicalIndex:
    """Two bm25s models over the same chunk order: accented and accent-folded."""

    def __init__(self, chunk_ids: list[str], models: dict):
        self.chunk_ids = chunk_ids
        self._models = models
        self._pos = {cid: i for i, cid in enumerate(chunk_ids)}

    @classmethod
    def build(cls, chunk_ids: list[str], texts: list[str]) -> "LexicalIndex":
        import bm25s
        models = {}
        for variant, folded in (("accented", False), ("folded", True)):
            model = bm25s.BM25(k1=1.2, b=0.75)
            if texts:
                model.index([lexical_tokens(t, folded=folded) for t in texts], show_progress=False)
            models[variant] = model
        return cls(list(chunk_ids), models)

    def save(self, root: Path) -> None:
        """Write to a fresh folder, then switch the CURRENT pointer atomically."""
        root.mkdir(parents=True, exist_ok=True)
        target = root / f"bm25-{uuid.uuid4().hex[:8]}"
        target.mkdir()
        (target / "chunk_ids.json").write_text(json.dumps(self.chunk_ids), encoding="utf-8")
        (target / "VERSION").write_text(LEXICAL_VERSION, encoding="utf-8")
        if self.chunk_ids:
            for variant, model in self._models.items():
                model.save(str(target / variant), show_progress=False)
        tmp = root / f"CURRENT.tmp{os.getpid()}"  # several workers may save at once
        tmp.write_text(target.name, encoding="utf-8")
        os.replace(tmp, root / "CURRENT")
        for old in root.glob("bm25-*"):
            if old.name != target.name:
                shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, root: Path) -> "LexicalIndex":
        import bm25s
        pointer = root / "CURRENT"
        if not pointer.exists():
            return cls([], {})
        folder = root / pointer.read_text(encoding="utf-8").strip()
        version = folder / "VERSION"
        if not version.exists() or version.read_text(encoding="utf-8").strip() != LEXICAL_VERSION:
            return cls([], {})  # built with other tokens: the library rebuilds it from the catalog
        chunk_ids = json.loads((folder / "chunk_ids.json").read_text(encoding="utf-8"))
        models = {}
        if chunk_ids:
            for variant in ("accented", "folded"):
                models[variant] = bm25s.BM25.load(str(folder / variant), show_progress=False)
        return cls(chunk_ids, models)

    def coverage(self, question: str) -> float:
        """How much of the question the loaded directives talk about at all: the share of its
        syllables (weight 0.3) and syllable bigrams (weight 0.7) found in the corpus
        vocabulary. Questions on absent topics ("lương tối thiểu vùng") score low."""
        if not self.chunk_ids:
            return 0.0
        folded = not has_diacritics(question)
        vocab = self._models["folded" if folded else "accented"].vocab_dict
        tokens = query_tokens(question, folded)
        uni = [t for t in tokens if "_" not in t]
        bi = [t for t in tokens if "_" in t]
        cov_uni = sum(t in vocab for t in uni) / len(uni) if uni else 0.0
        cov_bi = sum(t in vocab for t in bi) / len(bi) if bi else cov_uni
        return 0.3 * cov_uni + 0.7 * cov_bi

    def idf(self, tokens: list[str], folded: bool) -> dict[str, float]:
        """BM25's IDF of each token the corpus knows (Lucene's form, as bm25s scores), for weighting
        the question's terms; unknown tokens are left out."""
        if not self.chunk_ids:
            return {}
        model = self._models["folded" if folded else "accented"]
        vocab, indptr = model.vocab_dict, model.scores["indptr"]
        n = len(self.chunk_ids)
        out = {}
        for t in tokens:
            if t in vocab:
                df = int(indptr[vocab[t] + 1] - indptr[vocab[t]])
                out[t] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        return out

    def max_score(self, tokens: list[str], folded: bool) -> float:
        """The BM25 score of a clause of average length holding each known token once: the most
        a question's own terms can score, to normalise a hit's score across corpora."""
        return sum(self.idf(tokens, folded).values())

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def search(self, question: str, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score) best first; folded index when the question has no diacritics."""
        if not self.chunk_ids:
            return []
        folded = not has_diacritics(question)
        model = self._models["folded" if folded else "accented"]
        vocab = model.vocab_dict
        tokens = [t for t in query_tokens(question, folded) if t in vocab]
        if not tokens:
            return []
        scores = np.asarray(model.get_scores(tokens), dtype=np.float32)
        if allowed is not None:
            mask = np.fromiter((cid in allowed for cid in self.chunk_ids), dtype=bool, count=len(self.chunk_ids))
            scores = np.where(mask, scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.chunk_ids[i], float(scores[i])) for i in top if scores[i] > 0]
