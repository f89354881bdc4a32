"""Marks put back on a question typed without them ("So Noi vu phai lam gi o Lam Dong?" ->
"Sở Nội vụ phải làm gì ở Lâm Đồng?"), from the loaded documents' own words.

BM25 already matches such a question on its accent-folded twin, but the embedding model reads
unmarked Vietnamese poorly (its best cosine falls from ~0.90 to ~0.83, below the clauses BM25
finds), so retrieval loses the dense half, and the answerability judge, the province and agency
lookups all read a question the corpus never writes. Each word's candidates are the corpus
syllables that fold to it, and the words questions are made of, which directives seldom write
("gì", "đâu"); the most likely sequence weighs how many clauses hold each syllable and, more,
each adjacent pair (Viterbi over the words, pairs as the index keeps them). The pairs of names the
caller knows (agencies, provinces) weigh as the question words do: "so noi vu" is "Sở Nội vụ"
although "một số nội dung" puts more clauses behind "số nội". A word the corpus does not know is
kept as typed."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from core.text import fold, has_diacritics, syllables, tone_placed

_WORD = re.compile(r"\w+")
CANDIDATES = 6      # the most frequent spellings of a word kept for the search
PAIR_WEIGHT = 2.0   # a pair the corpus writes counts more than its two syllables alone
# what questions are made of, weighed as if every clause held them, words and usual pairs ("lam gi":
# "làm gì", while the pair "Lâm Đồng" still wins in "o Lam Dong"; chosen on the fit split over a
# weight of one clause: 81 against 76 of 135 accentless negatives refused when chosen, the same 117
# of 148 answerable questions answering clause first)
QUESTION_WORDS = ("ai gì nào đâu sao bao nhiêu mấy khi thế như làm là có không phải được chưa rồi hay "
                  "hoặc những các của và với cho về theo ở đã sẽ cần ra nó đó này ấy họ")
QUESTION_PAIRS = ("bao nhiêu", "có mấy", "khi nào", "lúc nào", "ngày nào", "thế nào", "làm gì", "là gì", "ở đâu",
                  "đến đâu", "là ai", "vì sao", "tại sao", "được không", "hay không", "có phải", "có không",
                  "của nó", "việc đó", "văn bản đó", "văn bản này")
_ASKING: dict[str, list[str]] = {}
for _token in syllables(QUESTION_WORDS):
    _ASKING.setdefault(fold(_token), []).append(_token)
_ASKED_PAIRS = frozenset("_".join(syllables(pair)) for pair in QUESTION_PAIRS)
# a pair's words are candidates too, weighed by the corpus alone ("lúc" of "lúc nào" is no
# "lực" of "hiệu lực" in a small corpus)
_PAIRED: dict[str, list[str]] = {}
for _token in syllables(" ".join(QUESTION_PAIRS)):
    if _token not in _ASKING.get(fold(_token), ()):
        _PAIRED.setdefault(fold(_token), []).append(_token)


@dataclass(frozen=True)
class Names:
    """Names a question may use whether or not the corpus writes them (agencies, provinces): their
    adjacent-syllable pairs, as the lexical index writes pairs, and their syllables by folded form."""
    pairs: frozenset = frozenset()
    words: dict = field(default_factory=dict)

    @classmethod
    def of(cls, names) -> "Names":
        pairs, words = set(), {}
        for name in names:
            tokens = syllables(name)
            pairs.update(f"{a}_{b}" for a, b in zip(tokens, tokens[1:]))
            for token in tokens:
                if token.isalpha() or fold(token).isalpha():
                    words.setdefault(fold(token), set()).add(token)
        return cls(frozenset(pairs), {k: tuple(sorted(v)) for k, v in words.items()})


def restore_marks(question: str, lexical, names: Names = Names()) -> str:
    """`question` with each unmarked word written as the corpus most likely writes it there;
    unchanged when it has marks already or the corpus knows none of its words. `lexical`: the
    index's `spellings(folded)`, `clauses_with(token)` and its number of clauses (`len`); `names`:
    whose pairs weigh as if every clause held them, and whose words are candidates even where
    the corpus does not write them ("Lam Dong" over the samples alone)."""
    if not question or has_diacritics(question):
        return question
    words = list(_WORD.finditer(question))
    everywhere = len(lexical)
    options = []
    for match in words:
        word = match.group().lower()
        found = lexical.spellings(word) if word.isalpha() else {}
        found.update((token, everywhere) for token in _ASKING.get(word, ()))
        found.update((token, found.get(token, 0)) for token in (*_PAIRED.get(word, ()), *names.words.get(word, ())))
        best = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[:CANDIDATES]
        options.append(best or [(word, 0)])
    if all(count == 0 for choices in options for _, count in choices):
        return question
    chosen = _likeliest(options, lambda pair: everywhere if pair in _ASKED_PAIRS or pair in names.pairs
                        else lexical.clauses_with(pair))
    out, end = [], 0
    for match, token in zip(words, chosen):
        out.append(question[end:match.start()])
        out.append(_cased(tone_placed(token), match.group()))
        end = match.end()
    out.append(question[end:])
    return "".join(out)


def _likeliest(options: list[list[tuple[str, int]]], pair_count) -> list[str]:
    """Viterbi: score = sum of log(1 + clauses with the syllable) + PAIR_WEIGHT x log(1 + clauses
    with the pair); `pair_count("a_b")` counts the clauses of a pair."""
    scores = {token: math.log1p(count) for token, count in options[0]}
    back: list[dict[str, str]] = []
    for choices in options[1:]:
        step, links = {}, {}
        for token, count in choices:
            prev, score = max(((p, s + PAIR_WEIGHT * math.log1p(pair_count(f"{p}_{token}")))
                               for p, s in scores.items()), key=lambda ps: ps[1])
            step[token], links[token] = score + math.log1p(count), prev
        scores = step
        back.append(links)
    token = max(scores, key=scores.get)
    path = [token]
    for links in reversed(back):
        token = links[token]
        path.append(token)
    return path[::-1]


def _cased(word: str, like: str) -> str:
    """`word` in the case the user typed: 'UBND', 'Lam' -> 'Lâm', 'lam' -> 'lâm'."""
    if like.isupper() and len(like) > 1:
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
