"""Is the question answered by the loaded directives? Decided from the retrieved clauses, not
from the corpus vocabulary alone (a large corpus knows every word of an off-topic question).
The model applies to the embedder it was fitted with (its dense features); with another one the
assistant keeps the vocabulary gate alone.

Features, each normalised so that it means the same on any corpus:
  coverage        share of the question's syllables and bigrams the corpus knows (the old gate)
  idf_best        IDF-weighted share of the question's content terms in the best of the top clauses
                  (clause text plus its heading path and document title)
  idf_top1        the same for the first hit
  bigram_best     share of the question's syllable bigrams found in that best clause
  bm25_norm       the first hit's BM25 score over the score a clause holding every query term once
                  would get (the question's own maximum)
  dense_top1      cosine similarity of the first dense hit
  dense_gap       that similarity minus the mean of dense hits 2-10 (a clear winner, or a flat field)
  agree           the first lexical hit is among the first five dense hits
  rare_missing    IDF share of the question's content terms that the best clause lacks, among the
                  rarest three (a province, agency or year no clause names)
  terms           number of content terms (log)
  province_missing the question names a province (old or current) that none of the top clauses'
                  documents belongs to or mentions
  year_missing    the question names a year that none of the top clauses or their documents mention
  figure_missing  the question asks for a figure or a date (bao nhiêu, khi nào, thời hạn …) and the
                  first three clauses hold no digit
  type_missing    the question asks for an amount (bao nhiêu tiền, mức … bao nhiêu, tỷ lệ), a time
                  (khi nào, trước ngày nào, năm nào …) or a count of something (mấy lần, bao nhiêu
                  thành viên) and the first three clauses hold no expression of that type (an amount
                  with its unit, a date or period, a number before that noun): the corpus names the
                  body and the subject, but not the figure asked for
A logistic regression over them (fitted by `python -m eval.answerability fit`, kept as a versioned
JSON file) gives the probability that the question is answerable; below its threshold, chosen for
at most 3% false refusals, the question is refused.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from core.text import fold, has_diacritics, lexical_tokens
from core.types import Hit

MODEL_PATH = Path(__file__).resolve().parent / "data" / "answerability.json"
FEATURES = ("coverage", "idf_best", "idf_top1", "bigram_best", "bm25_norm", "dense_top1", "dense_gap", "agree",
            "rare_missing", "terms", "province_missing", "year_missing", "figure_missing", "type_missing")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_WANTS_FIGURE = re.compile(r"\b(?:bao nhiêu|mấy|khi nào|bao giờ|bao lâu|thời hạn|ngày nào|hạn chót|tỷ lệ|mức)\b",
                           re.IGNORECASE)
TOP = 5
# What a question's answer must look like, and what such an answer looks like in a clause.
_NUMBER = r"(?:\d[\d.,]*|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mươi|trăm)"
_WANTS_AMOUNT = re.compile(r"bao nhiêu (?:tiền|tỷ|triệu|đồng|phần trăm|%)|tỷ lệ|(?:kinh phí|tổng mức|phụ cấp|mức|"
                           r"lương|giá)\b.*\bbao nhiêu", re.IGNORECASE)
_AMOUNT = re.compile(r"\d[\d.,]*\s*(?:tỷ|triệu|nghìn|ngàn|đồng|%|phần trăm)", re.IGNORECASE)
_WANTS_TIME = re.compile(r"khi nào|bao giờ|ngày nào|hạn chót|thời hạn|lúc nào|tháng nào|năm nào|bao lâu|"
                         r"thời gian nào|trước ngày|mấy giờ|giờ nào", re.IGNORECASE)
_TIME = re.compile(r"\b(?:19|20)\d{2}\b|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|ngày \d{1,2}\b|tháng \d{1,2}\b|"
                   r"quý\s+[IV1-4]+|h[ằà]ng\s+(?:ngày|tuần|tháng|quý|năm)|định kỳ|chậm nhất|trước ngày|"
                   r"trong thời hạn|\d+\s*(?:ngày|tháng|năm|giờ)\b|\d{1,2}\s*giờ|\d{1,2}h\d*", re.IGNORECASE)
_WANTS_COUNT = re.compile(r"(?:mấy|bao nhiêu)\s+(\w+)", re.IGNORECASE)
_NOT_A_NOUN = {"từ", "cho", "để", "với", "trong", "trên", "của", "theo", "là", "và", "thì", "khi", "tại"}


def _clause_tokens(hit: Hit, folded: bool) -> set[str]:
    text = hit.chunk.index_text()
    return set(lexical_tokens(fold(text) if folded else text))


def features(question: str, hits: list[Hit], lexical, coverage: float) -> dict[str, float]:
    """The features of one question against its retrieved clauses (hits best first, with their
    lexical and dense scores) and the lexical index of the library."""
    from index.lexical import query_tokens

    folded = not has_diacritics(question)
    tokens = query_tokens(question, folded)
    unigrams = sorted({t for t in tokens if "_" not in t})
    bigrams = {t for t in tokens if "_" in t}
    idf = lexical.idf(unigrams, folded)
    total = sum(idf.values()) or 1.0
    top = hits[:TOP]
    clause_sets = [_clause_tokens(h, folded) for h in top]

    def idf_share(found: set[str]) -> float:
        return sum(w for t, w in idf.items() if t in found) / total

    shares = [idf_share(s) for s in clause_sets]
    best = max(range(len(shares)), key=shares.__getitem__) if shares else None
    best_set = clause_sets[best] if best is not None else set()
    rare = sorted(idf, key=idf.get, reverse=True)[:3]
    rare_total = sum(idf[t] for t in rare) or 1.0
    lexical_ranked = sorted((h for h in hits if h.lexical is not None), key=lambda h: h.rank_lexical)
    dense_ranked = sorted((h for h in hits if h.dense is not None), key=lambda h: h.rank_dense)
    dense_scores = [h.dense for h in dense_ranked]
    top_bm25 = lexical_ranked[0].lexical if lexical_ranked else 0.0
    return {
        "coverage": coverage,
        "idf_best": shares[best] if best is not None else 0.0,
        "idf_top1": shares[0] if shares else 0.0,
        "bigram_best": (len(bigrams & best_set) / len(bigrams)) if bigrams else (shares[best] if shares else 0.0),
        "bm25_norm": min(1.5, top_bm25 / (lexical.max_score(tokens, folded) or 1.0)),
        "dense_top1": dense_scores[0] if dense_scores else 0.0,
        "dense_gap": (dense_scores[0] - sum(dense_scores[1:10]) / len(dense_scores[1:10]))
        if len(dense_scores) > 1 else 0.0,
        "agree": float(bool(lexical_ranked) and lexical_ranked[0].chunk.chunk_id
                       in {h.chunk.chunk_id for h in dense_ranked[:5]}),
        "rare_missing": sum(idf[t] for t in rare if t not in best_set) / rare_total if rare else 1.0,
        "terms": math.log1p(len(unigrams)),
        "province_missing": _province_missing(question, top),
        "year_missing": _year_missing(question, top),
        "figure_missing": float(bool(_WANTS_FIGURE.search(question))
                                and not any(ch.isdigit() for h in top[:3] for ch in h.chunk.text)),
        "type_missing": _type_missing(question, " ".join(h.chunk.text for h in top[:3])),
    }


def _type_missing(question: str, text: str) -> float:
    """1.0 when the question asks for an amount, a time or a count that `text` holds nothing like."""
    if _WANTS_AMOUNT.search(question):
        return float(not _AMOUNT.search(text))
    if _WANTS_TIME.search(question):
        return float(not _TIME.search(text))
    m = _WANTS_COUNT.search(question)
    if not m:
        return 0.0
    noun = m.group(1).lower()
    if noun in _NOT_A_NOUN:   # "được cấp bao nhiêu từ …": an amount of something unnamed
        return float(not any(ch.isdigit() for ch in text))
    return float(not re.search(_NUMBER + r"\s+(?:\(\d+\)\s+)?" + re.escape(noun) + r"\b", text, re.IGNORECASE))


def _province_missing(question: str, top: list[Hit]) -> float:
    from ingest.provinces import province_key, provinces_in, provinces_named

    named = provinces_named(question)
    if not named:
        return 0.0
    for h in top:
        covered = provinces_in(h.chunk.province) if h.chunk.province else set()
        text = province_key(h.chunk.index_text())
        if named & covered or any(key in text for key in named):
            return 0.0
    return 1.0


def _year_missing(question: str, top: list[Hit]) -> float:
    years = set(_YEAR.findall(question))
    if not years:
        return 0.0
    seen = " ".join(f"{h.chunk.index_text()} {h.chunk.date or ''}" for h in top)
    return 0.0 if any(y in seen for y in years) else 1.0


@dataclass(frozen=True)
class AnswerabilityModel:
    version: str
    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float
    embedder: str = ""   # dense similarities mean something only for the embedder it was fitted with

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> AnswerabilityModel | None:
        """The fitted model, or None when there is none (the coverage gate is used then)."""
        if not Path(path).exists():
            return None
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(data["version"], tuple(data["features"]), tuple(data["mean"]), tuple(data["scale"]),
                   tuple(data["coef"]), float(data["intercept"]), float(data["threshold"]), data.get("embedder", ""))

    def probability(self, values: dict[str, float]) -> float:
        z = self.intercept + sum(c * (values[n] - m) / (s or 1.0)
                                 for n, m, s, c in zip(self.names, self.mean, self.scale, self.coef))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def answerable(self, values: dict[str, float]) -> bool:
        return self.probability(values) >= self.threshold
