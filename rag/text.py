"""Vietnamese text helpers: NFC, whitespace, accent folding, syllable tokens."""
from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[\w]+(?:[/\-.][\w]+)*", re.UNICODE)
_SPACE = re.compile(r"\s+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def squash(text: str) -> str:
    """NFC and collapse every whitespace run to one space: how quotes and citations compare."""
    return _SPACE.sub(" ", nfc(text)).strip()


def fold(text: str) -> str:
    """Remove Vietnamese diacritics ('Sở Nội vụ' -> 'So Noi vu') so accentless queries match."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def has_diacritics(text: str) -> bool:
    return fold(text) != text


def syllables(text: str) -> list[str]:
    """Lower-cased syllables; document numbers like '10331/UBND-KSTT' stay one token and
    are also split into their parts so either form matches."""
    out: list[str] = []
    for match in _WORD.finditer(nfc(text).lower()):
        word = match.group()
        out.append(word)
        if any(sep in word for sep in "/-."):
            out.extend(p for p in re.split(r"[/\-.]", word) if p)
    return out


def lexical_tokens(text: str, folded: bool = False) -> list[str]:
    """Syllables plus adjacent-syllable bigrams: measured best for Vietnamese BM25
    (Vietnamese words are mostly two syllables, e.g. 'nội vụ')."""
    sylls = syllables(fold(text) if folded else text)
    return sylls + [f"{a}_{b}" for a, b in zip(sylls, sylls[1:])]
