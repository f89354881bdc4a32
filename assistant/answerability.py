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
                  documents belongs to or mentions ("tỉnh X (cũ)": only X itself, not the province it joined)
  place_missing   the question names a district, commune or town that none of the top clauses or their
                  documents' issuers name
  year_missing    the question names a year (not the year in a law's name) that none of the top clauses
                  or their documents mention
  period_missing  the question names a quarter or month that none of the top clauses names
  figure_missing  the question asks for a figure or a date (bao nhiêu, khi nào, thời hạn …) and the
                  first three clauses hold no digit
  type_missing    the question asks for an amount (bao nhiêu tiền, mức … bao nhiêu, tỷ lệ), a time
                  (khi nào, trước ngày nào, năm nào …) or a count of something (mấy lần, bao nhiêu
                  thành viên) and the first three clauses hold no expression of that type (an amount
                  with its unit, a date or period, a number before that noun): the corpus names the
                  body and the subject, but not the figure asked for
  type_missing_best the same for the clause holding most of the question's terms, with its headings
  type_missing_all both of the above: no clause the answer could come from holds what is asked for
                  (the two apart fire on many answerable questions; together, on almost none)
  noun_unknown    a noun of two or more syllables (underthesea's tagger) whose syllables the corpus knows
                  but never writes side by side ("hồ điệp", "sinh viên"): a thing the directives never name
  foreign_unknown the question has a word that is not a Vietnamese syllable (a brand, a foreign name or
                  term: "pickleball", "Nobel", "VinFast") that no loaded clause holds, nor spells out
                  in full where it is an acronym ("QPPL": "quy phạm pháp luật" in a retrieved clause):
                  what it asks about is not in the directives
A logistic regression over them (fitted by `python -m eval.answerability fit`, kept as a versioned
JSON file) gives the probability that the question is answerable; below its threshold, chosen for
at most 3% false refusals, the question is refused.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.text import fold, has_diacritics, initials_of, lexical_tokens, nfc, syllables
from core.types import Hit

MODEL_PATH = Path(__file__).resolve().parent / "data" / "answerability.json"
FEATURES = ("coverage", "idf_best", "idf_top1", "bigram_best", "bm25_norm", "dense_top1", "dense_gap", "agree",
            "rare_missing", "terms", "province_missing", "place_missing", "year_missing", "period_missing",
            "figure_missing", "type_missing", "type_missing_best", "type_missing_all", "foreign_unknown",
            "noun_unknown")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
# a year that is part of a law's name ("Bộ luật Hình sự năm 2017", "Luật Đất đai 2013") says which law,
# not which period: the law's own text need not repeat it
_LAW_NAME_YEAR = re.compile(r"\b[Ll]uật(?:\s+[A-ZĐÀ-Ỹa-zà-ỹđ]+){1,8}?\s+(?:năm\s+)?(?:19|20)\d{2}\b")
_WANTS_FIGURE = re.compile(r"\b(?:bao nhiêu|mấy|khi nào|bao giờ|bao lâu|ngày nào|hạn chót|tỷ lệ|mức)\b",
                           re.IGNORECASE)
TOP = 5
# What a question's answer must look like, and what such an answer looks like in a clause.
_NUMBER = r"(?:\d[\d.,]*|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mươi|lăm|trăm|nghìn|nửa)"
# "phí" is any fee or cost ("kinh phí", "lệ phí", "học phí", "chi phí"); "vốn", "ngân sách", "thuế" are money too
_WANTS_AMOUNT = re.compile(r"bao nhiêu (?:phần trăm|%)|tỷ lệ|(?:phí|tổng mức|phụ cấp|mức|lương|giá|thuế|vốn|ngân sách)"
                           r"\b.*\bbao nhiêu", re.IGNORECASE)
_MONEY = {"tiền", "tỷ", "triệu", "nghìn", "ngàn", "đồng", "phần trăm"}   # "bao nhiêu tiền": an amount, whatever else
# an amount: money, a share, or (as laws give fines and compensation) a number of months' salary
# A table row as a clause reads "Tỷ lệ (%): 96.55", "Kinh phí (triệu đồng): 500": the unit in the column's label.
_LABELLED_MONEY = r"\((?:tỷ|triệu|nghìn|ngàn)?\s*đồng\)[^;:]{0,40}:\s*\d"
_LABELLED = r"\((?:%|phần trăm)\)[^;:]{0,40}:\s*\d|" + _LABELLED_MONEY
_AMOUNT = re.compile(r"\d[\d.,]*\s*(?:tỷ|triệu|nghìn|ngàn|đồng|%|phần trăm)|\b" + _NUMBER + r"\s+phần\s+" + _NUMBER
                     + r"|\b" + _NUMBER + r"\s+(?:tháng\s+(?:tiền\s+)?lương|lần\s+mức\s+lương)|" + _LABELLED,
                     re.IGNORECASE)
# a sum of money asked for ("tổng kinh phí … bao nhiêu", "bao nhiêu tiền"), not a share ("tỷ lệ", "phần trăm")
_WANTS_MONEY = re.compile(r"\b(?:phí|tiền|lương|giá|vốn|ngân sách|phụ cấp|tổng mức|tỷ đồng|triệu đồng)\b",
                          re.IGNORECASE)
_WANTS_SHARE = re.compile(r"tỷ lệ|phần trăm|%", re.IGNORECASE)
_MONEY_SUM = re.compile(r"\d[\d.,]*\s*(?:tỷ|triệu|nghìn|ngàn|đồng)\b|\b" + _NUMBER
                        + r"\s+(?:tháng\s+(?:tiền\s+)?lương|lần\s+mức\s+lương)"
                        + r"|" + _LABELLED_MONEY, re.IGNORECASE)
# "thời hạn" alone names a subject ("giao tài sản không đúng thời hạn thì …"), it does not ask for one
_WANTS_TIME = re.compile(r"khi nào|bao giờ|ngày nào|hạn chót|lúc nào|tháng nào|năm nào|bao lâu|"
                         r"thời gian nào|trước ngày|mấy giờ|giờ nào|thứ mấy|thứ nào", re.IGNORECASE)
_WANTS_WHEN = re.compile(r"khi nào|bao giờ|lúc nào", re.IGNORECASE)   # a date, or the event or case it hangs on
_CONDITION = re.compile(r"\b(?:khi|nếu|trường hợp)\b", re.IGNORECASE)
# a time is a date or period, and also what a law dates by: an event ("kể từ thời điểm …", "trước khi …")
_TIME = re.compile(r"\b(?:19|20)\d{2}\b|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|ngày \d{1,2}\b|tháng \d{1,2}\b|"
                   r"quý\s+[IV1-4]+|h[ằà]ng\s+(?:ngày|tuần|tháng|quý|năm)|định kỳ|chậm nhất|trước ngày|"
                   r"trong thời hạn|\b" + _NUMBER + r"\s*(?:ngày|tuần|tháng|năm|giờ|phút|giây)\b|\d{1,2}h\d*|"
                   r"thời điểm|kể từ|trước khi|sau khi|ngay\b|"
                   r"\bthứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])\b|chủ nhật", re.IGNORECASE)   # a weekday
_WANTS_COUNT = re.compile(r"(?:mấy|bao nhiêu)\s+(phần trăm|\w+)", re.IGNORECASE)
# after "bao nhiêu" these name no unit: "từ bao nhiêu đến bao nhiêu", "bao nhiêu trở lên", "cấp bao nhiêu từ …"
_NOT_A_NOUN = {"từ", "cho", "để", "với", "trong", "trên", "của", "theo", "là", "và", "thì", "khi", "tại", "đến",
               "trở", "một", "mỗi", "lấy"}


def _clause_tokens(hit: Hit, folded: bool) -> set[str]:
    text = hit.chunk.index_text()
    return set(lexical_tokens(fold(text) if folded else text))


def features(question: str, hits: list[Hit], lexical, coverage: float,
             headers: Mapping | None = None) -> dict[str, float]:
    """The features of one question against its retrieved clauses (hits best first, with their
    lexical and dense scores), the lexical index of the library and its documents' headers
    (doc_id -> Header: who issued each)."""
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
    type_missing = _type_missing(question, " ".join(h.chunk.text for h in top[:3]))
    # the first clause, or the one holding most of the question, must hold the answer too (with
    # their headings: a point's penalty or deadline is in its khoản), beyond the question's own figures
    type_missing_best = min(_type_missing(question, _beyond_question(question, top[i].chunk.index_text()))
                            for i in {0, best}) if best is not None else 1.0
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
        "place_missing": _place_missing(question, top, headers),
        "year_missing": _year_missing(question, top),
        "period_missing": _period_missing(question, top),
        "figure_missing": float(bool(_WANTS_FIGURE.search(question))
                                and not any(ch.isdigit() for h in top[:3] for ch in h.chunk.text)),
        "type_missing": type_missing,
        "type_missing_best": type_missing_best,
        "type_missing_all": type_missing * type_missing_best,
        "foreign_unknown": _foreign_unknown(question, hits, lexical),
        "noun_unknown": _noun_unknown(question, lexical),
    }


_LATIN = re.compile(r"[A-Za-z]{2,}")   # words of unmarked Latin letters only: one with a Vietnamese mark
# is a Vietnamese word, misspelt perhaps ("đièu"); one with digits is a code ("Km78", "LBP2900")


def _foreign_unknown(question: str, hits: list[Hit], lexical) -> float:
    from ingest.syllables import is_syllable

    folded = not has_diacritics(question)
    retrieved = None
    for word in re.findall(r"\w+", nfc(question)):
        if not _LATIN.fullmatch(word) or is_syllable(word) or lexical.idf(syllables(word)[:1], folded):
            continue
        if word.isupper():   # an acronym the clauses spell out in full is known
            if retrieved is None:
                retrieved = [syllables(fold(h.chunk.text)) for h in hits]
            if any(initials_of(fold(word).lower(), words) for words in retrieved):
                continue
        return 1.0
    return 0.0


_NOUN_TAGS = frozenset({"N", "Np", "Nc", "Nb", "Ny"})


def _noun_unknown(question: str, lexical) -> float:
    """1.0 when a noun of two or more syllables in the question (underthesea's segmenter and tagger)
    is made of syllables the corpus knows that it never writes side by side: "hồ điệp", "sinh
    viên", "Thái Lan" name a thing the directives never speak of. Questions typed without marks are
    not tagged reliably: 0.0."""
    from ingest.tagging import default_tagger

    tagger = default_tagger()
    if tagger is None or not has_diacritics(question):
        return 0.0
    for word, tag in tagger(question):
        parts = word.split()
        if tag not in _NOUN_TAGS or len(parts) < 2 or not all(p.isalpha() for p in parts):
            continue
        sylls = syllables(word)
        if len(lexical.idf(sylls, False)) == len(set(sylls)) and \
                len(lexical.idf([f"{a}_{b}" for a, b in zip(sylls, sylls[1:])], False)) < len(sylls) - 1:
            return 1.0
    return 0.0


def _beyond_question(question: str, text: str) -> str:
    """`text` without the numbers the question gives: a clause or title that repeats the question's
    own year does not hold the date it asks for."""
    given = set(re.findall(r"\d+", question))
    return re.sub(r"\d+", lambda m: " " if m.group() in given else m.group(), text) if given else text


def asks_for_a_figure(question: str) -> bool:
    """Whether the question asks for an amount, a time or a count ("khi nào", "bao nhiêu người")."""
    return bool(_type_missing(question, ""))


def holds_the_figure(question: str, text: str) -> bool:
    """Whether `text` holds something like the amount, time or count the question asks for."""
    return not _type_missing(question, text)


# dates that belong to another document, not to the duty asked about: a legal basis ("Căn cứ Luật … ngày
# 25 tháng 6 năm 2015;") and a document cited by its number ("Quyết định số 766/QĐ-TTg ngày 23/6/2022")
_LEGAL_BASIS = re.compile(r"(?:^|(?<=[.;:]\s))Căn cứ\b[^;.]*", re.MULTILINE)
_CITED_DATE = re.compile(r"\bsố\s+\d+[\w/.-]*\s+ngày\s+"
                         r"(?:\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})", re.IGNORECASE)


def asked_for(question: str) -> tuple[str, str | None] | None:
    """What kind of figure the question asks for: ("amount", "money" | "share" | None), ("time", None),
    ("count", noun) ("mấy lần" -> "lần"; None when it names no noun), or None when it asks for none."""
    m = _WANTS_COUNT.search(question)
    noun = m.group(1).lower() if m else None
    unnamed = noun is None or noun in _NOT_A_NOUN
    if noun in _MONEY or (unnamed and _WANTS_AMOUNT.search(question)):
        share, money = _WANTS_SHARE.search(question), noun in _MONEY or _WANTS_MONEY.search(question)
        return "amount", "share" if share else "money" if money else None
    if unnamed and _WANTS_TIME.search(question):
        return "time", None
    if noun is None:
        return None
    return "count", None if unnamed else noun


def _type_missing(question: str, text: str) -> float:
    """1.0 when the question asks for an amount, a time or a count that `text` holds nothing like."""
    asked = asked_for(question)
    if asked is None:
        return 0.0
    kind, noun = asked
    if kind == "amount":   # a sum of money is not answered by a share
        return float(not (_MONEY_SUM if noun == "money" else _AMOUNT).search(text))
    if kind == "time":
        text = _CITED_DATE.sub(" ", _LEGAL_BASIS.sub(" ", text))
        return float(not (_TIME.search(text) or (_WANTS_WHEN.search(question) and _CONDITION.search(text))))
    if noun is None:   # "phạt tiền từ bao nhiêu …": a figure of something the question does not name
        return float(not re.search(r"\b" + _NUMBER + r"\b", text, re.IGNORECASE))
    # "10 người lao động", "03 (ba) thành viên": a classifier or the number in words may come between;
    # or a share of them ("20% đơn vị hành chính cấp xã", "100% số xã")
    return float(not re.search(r"\b" + _NUMBER + r"\s+(?:\(\w+\)\s+)?(?:người\s+|cái\s+|con\s+|chiếc\s+)?"
                               + re.escape(noun) + r"\b|\d[\d,.]*\s*%\s+(?:\w+\s+){0,6}?" + re.escape(noun) + r"\b",
                               text, re.IGNORECASE))


_FORMER = re.compile(r"((?:\S+\s+){0,3}\S+)\s*\((?:cũ|trước (?:khi )?sáp nhập)\)", re.IGNORECASE)


def _province_missing(question: str, top: list[Hit]) -> float:
    """1.0 when the question names a province that none of the top clauses' documents belongs to
    or mentions. A province today covers the ones merged into it in 2025; one named as former
    ("tỉnh Lâm Đồng (cũ)") only itself."""
    from ingest.provinces import province_key, provinces_in, provinces_named

    named = provinces_named(question)
    if not named:
        return 0.0
    former = set().union(*(provinces_named(m.group(1)) for m in _FORMER.finditer(question)))
    for h in top:
        province = h.chunk.province
        covered = {key for key in named if province and (province_key(province) == key if key in former
                                                         else key in provinces_in(province))}
        text = province_key(h.chunk.index_text())
        if covered or any(key in text for key in named):
            return 0.0
    return 1.0


# a local unit named in capitals: "xã Quảng Phú", "huyện Đắk R'lấp", "thị trấn Kiến Đức"
_LOCAL_UNIT = re.compile(r"\b(?:huyện|xã|phường|thị trấn|thị xã|thành phố|quận|đặc khu)((?:\s+[\w'’-]+){1,4})")


def _local_units(question: str) -> set[str]:
    names = set()
    for m in _LOCAL_UNIT.finditer(question):
        words = m.group(1).split()
        n = next((i for i, w in enumerate(words) if not w[0].isupper()), len(words))
        if n:
            names.add(" ".join(words[:n]))
    return names


def _place_missing(question: str, top: list[Hit], headers: Mapping | None) -> float:
    """1.0 when the question names a district, commune or town that none of the top clauses or their
    documents' issuers name (provinces have their own feature: they merged in 2025)."""
    from ingest.provinces import province_key, provinces_named

    names = {province_key(n) for n in _local_units(question)}
    names = {n for n in names if len(n) > 2} - provinces_named(question)
    if not names:
        return 0.0
    issuers = [getattr((headers or {}).get(h.chunk.doc_id), "issuer", None) or "" for h in top]
    seen = province_key(" ".join([h.chunk.index_text() for h in top] + issuers))
    return float(not all(n in seen for n in names))


_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
_QUARTER = re.compile(r"\bquý\s+(IV|III|II|I|[1-4])\b", re.IGNORECASE)
_MONTH = re.compile(r"\btháng\s+0?(\d{1,2})\b", re.IGNORECASE)


def _periods(text: str) -> set[str]:
    """The quarters and months a text names: {"q3", "m8"}."""
    return ({"q" + _ROMAN.get(m.group(1).lower(), m.group(1)) for m in _QUARTER.finditer(text)}
            | {"m" + str(int(m.group(1))) for m in _MONTH.finditer(text) if 1 <= int(m.group(1)) <= 12})


def _period_missing(question: str, top: list[Hit]) -> float:
    """1.0 when the question names a quarter or month ("quý III", "tháng 8/2019") that none of the
    top clauses names."""
    wanted = _periods(question)
    if not wanted:
        return 0.0
    seen = _periods(" ".join(h.chunk.index_text() for h in top))
    return float(not wanted <= seen)


def _year_missing(question: str, top: list[Hit]) -> float:
    years = set(_YEAR.findall(_LAW_NAME_YEAR.sub(" ", question)))
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
