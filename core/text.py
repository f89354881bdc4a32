"""Vietnamese text helpers: NFC, whitespace, accent folding, syllable tokens, sentences."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"[\w]+(?:[/\-.][\w]+)*", re.UNICODE)
_SPACE = re.compile(r"\s+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def squash(text: str) -> str:
    """NFC and collapse every whitespace run to one space: how quotes and citations compare."""
    return _SPACE.sub(" ", nfc(text)).strip()


_FOLD_CACHED_BELOW = 0x3000


class _FoldTable(dict):
    """str.translate table: each character to itself without combining marks ("ộ" -> "o", "đ" ->
    "d"), worked out the first time it is seen. Per character equals NFD-and-strip of the whole text
    (canonical reordering only moves the marks that are dropped), at a third of the cost."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFD", chr(code).replace("đ", "d").replace("Đ", "D"))
        out = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
        if code < _FOLD_CACHED_BELOW:   # Latin, Vietnamese and marks; hostile text cannot grow it
            self[code] = out
        return out


_FOLD = _FoldTable()
_PARTS = re.compile(r"[/\-.]")


def vn_date(iso: str) -> str:
    """'2027-06-30' -> '30/06/2027', as the documents write dates; a month or a year as given."""
    parts = iso[:10].split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else iso


def fold(text: str) -> str:
    """Remove Vietnamese diacritics ('Sở Nội vụ' -> 'So Noi vu') so accentless queries match."""
    return text.translate(_FOLD)


def folded_words(text: str) -> str:
    """'Sở Nội vụ, UBND tỉnh?' -> 'so noi vu ubnd tinh': the words, lower-case and unaccented, one
    space apart (what the question rules of the assistant match on)."""
    return " ".join(re.findall(r"\w+", fold(text or "").lower()))


def has_diacritics(text: str) -> bool:
    return fold(text) != text


def syllables(text: str) -> list[str]:
    """Lower-cased syllables with their tone mark in one canonical place (old and new placement,
    "hoà"/"hòa", and misplaced marks, "Nôị", give the same token); document numbers like
    '10331/UBND-KSTT' stay one token and are also split into their parts so either form matches."""
    out: list[str] = []
    for word in _WORD.findall(nfc(text).lower()):
        word = _tone_last(word)
        out.append(word)
        if "/" in word or "-" in word or "." in word:
            out.extend(p for p in _PARTS.split(word) if p)
    return out


def lexical_tokens(text: str, folded: bool = False) -> list[str]:
    """Syllables plus adjacent-syllable bigrams: measured best for Vietnamese BM25
    (Vietnamese words are mostly two syllables, e.g. 'nội vụ')."""
    sylls = syllables(fold(text) if folded else text)
    return sylls + [f"{a}_{b}" for a, b in zip(sylls, sylls[1:])]


# A sentence ends at . ! ? … or ; (or a citation marker "[n]" after one) when a capital letter,
# a quote or an opening bracket follows. Lower case after a full stop ("số 12/CT-UBND ngày …")
# and list items after a semicolon ("…; phối hợp với …") continue the sentence.
_UPPER_NEXT = r"\s+(?=[A-ZĐÀ-Ỹ\"“(])"
_SENTENCE_END = re.compile(r"(?<=[.;!?…\]])" + _UPPER_NEXT)
_SENTENCE_END_KEEP_LISTS = re.compile(r"(?<=[.!?…\]])" + _UPPER_NEXT)


def sentence_starts(text: str, keep_lists: bool = False) -> list[int]:
    """Offsets where a new sentence begins (after the first). `keep_lists` keeps a
    semicolon-separated enumeration ("Thủ trưởng các sở; Chủ tịch UBND các huyện") in one sentence."""
    pattern = _SENTENCE_END_KEEP_LISTS if keep_lists else _SENTENCE_END
    return [m.end() for m in pattern.finditer(text)]


def split_sentences(text: str, keep_lists: bool = False) -> list[str]:
    """The sentences of `text`, stripped; a line break always ends a sentence."""
    out: list[str] = []
    for line in text.split("\n"):
        bounds = [0, *sentence_starts(line, keep_lists), len(line)]
        out.extend(s for a, b in zip(bounds, bounds[1:]) if (s := line[a:b].strip()))
    return out


_TONES = "\u0300\u0301\u0303\u0309\u0323"   # huyền, sắc, ngã, hỏi, nặng (combining)


@lru_cache(maxsize=1 << 16)   # Vietnamese has ~7,000 syllables: every clause and question reuses them
def _tone_last(word: str) -> str:
    """One word with its tone mark moved to the end (then NFC): a canonical spelling for matching."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = "".join(ch for ch in decomposed if ch in _TONES)
    if not tones:
        return word
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES) + tones)


_HATTED = "ăâêôơư"


@lru_cache(maxsize=1 << 14)
def tone_placed(word: str) -> str:
    """The inverse of the canonical tone-last spelling ('nôị' -> 'nội', 'hoà' -> 'hòa'): the tone on
    the vowel that carries it in writing. A hatted vowel takes it (the last one: 'người'); otherwise
    the only vowel, the middle of three, the first of two at the end of an open syllable ('của',
    'thủy', the older placement) or the last before a final consonant ('hoàn'). The u of 'qu' and
    the i of 'gi' belong to the onset."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = "".join(ch for ch in decomposed if ch in _TONES)
    if not tones:
        return word
    letters = list(unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES)))
    vowels = [i for i, ch in enumerate(letters) if fold(ch).lower() in "aeiouy"]
    if len(vowels) > 1 and "".join(letters[:2]).lower() in ("qu", "gi") and vowels[0] == 1:
        vowels = vowels[1:]
    if not vowels:
        return word
    hatted = [i for i in vowels if letters[i].lower() in _HATTED]
    if hatted:
        at = hatted[-1]
    elif len(vowels) == 1:
        at = vowels[0]
    elif vowels[-1] == len(letters) - 1:   # an open syllable: "của", "ngoài"
        at = vowels[-2] if len(vowels) == 2 else vowels[1]
    else:
        at = vowels[-1]
    letters[at] += tones
    return unicodedata.normalize("NFC", "".join(letters))


def tone_key(text: str) -> str:
    """Lower-cased NFC text in which each word's tone mark is moved to the word's end, so the old
    and new tone placements ("hoà"/"hòa", "thuỷ"/"thủy") and misplaced marks ("Nôị") compare equal."""
    out = []
    for word in nfc(text).lower().split():
        decomposed = unicodedata.normalize("NFD", word)
        tones = "".join(ch for ch in decomposed if ch in _TONES)
        bare = "".join(ch for ch in decomposed if ch not in _TONES)
        out.append(unicodedata.normalize("NFC", bare) + tones)
    return " ".join(out)


def initials_of(word: str, words: list[str]) -> bool:
    """Whether `word` is the initials of words that follow each other in `words` (both folded):
    "cchc" of "cải cách hành chính"; "ddci" of "đánh giá năng lực cạnh tranh cấp sở …" is not
    (not consecutive)."""
    size = len(word)
    return 2 <= size <= 8 and word.isalpha() and any(
        "".join(w[0] for w in words[i:i + size]) == word for i in range(len(words) - size + 1))
