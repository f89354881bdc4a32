"""Diacritics Tesseract lost in the words of Vietnamese administration, put back.

Tesseract's most frequent slip on Vietnamese is one diacritic: "thị trần" for "thị trấn", "triên
khai" for "triển khai", "kiêm tra", "Kiêm lâm", "XÃ HỌI". Such a word no longer matches a question,
an agency name or a duty verb. `repaired` compares each run of two or three words of an OCR'd
paragraph, across its line ends, with a short lexicon of administrative vocabulary
(ingest/data/ocr_lexicon.txt: units and bodies, the departments' fields, the verbs that assign
duties) with the diacritics folded away; where all letters agree, the lexicon's marks are put
back, the word's case and punctuation kept. Tone placement alone ("Uỷ ban" / "Ủy ban") is left as
printed. Only OCR'd words pass through here: born-digital text is never changed. Same length in
NFC, so no offset moves.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from core.text import fold, nfc, tone_key
from ingest.ocr_layout import Word

LEXICON = Path(__file__).parent / "data" / "ocr_lexicon.txt"
_CORE = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)


@lru_cache(maxsize=1)
def lexicon_id() -> str:
    """Names the lexicon (part of the OCR cache key: an edited lexicon repairs pages again)."""
    import hashlib

    return hashlib.sha256(LEXICON.read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=1)
def _lexicon() -> dict[tuple[str, ...], tuple[str, ...]]:
    """folded syllables -> the accented syllables, for every entry of two or more syllables."""
    out: dict[tuple[str, ...], tuple[str, ...]] = {}
    for line in LEXICON.read_text(encoding="utf-8").splitlines():
        line = nfc(line.strip().lower())
        if line and not line.startswith("#") and len(line.split()) >= 2:
            words = tuple(line.split())
            out[tuple(fold(w) for w in words)] = words
    return out


def _cased(target: str, like: str) -> str:
    if len(like) > 1 and like.isupper():
        return target.upper()
    return target[:1].upper() + target[1:] if like[:1].isupper() else target


def repaired(words: list[Word]) -> list[Word]:
    """`words` (one page of Tesseract's output) with the lexicon's diacritics put back."""
    lexicon = _lexicon()
    lengths = sorted({len(k) for k in lexicon}, reverse=True)
    out = list(words)
    # A paragraph's lines in reading order: "… UBND các xã, thị" / "trấn …" is one run across a line's end.
    paragraphs: dict[tuple[int, int], list[int]] = {}
    for i, w in enumerate(words):
        paragraphs.setdefault((w.block, w.par), []).append(i)
    for members in paragraphs.values():
        members.sort(key=lambda i: (words[i].line, words[i].left))
        parts = [_CORE.match(words[i].text).groups() for i in members]
        keys = [fold(core.lower()) if core.isalpha() else None for _, core, _ in parts]
        at = 0
        while at < len(members):
            for n in lengths:
                window = keys[at:at + n]
                target = lexicon.get(tuple(window)) if len(window) == n and None not in window else None
                if target and (any(parts[at + k][2] for k in range(n - 1)) or
                               any(parts[at + k][0] for k in range(1, n))):
                    target = None          # "xã, hội": punctuation between them, not one word
                if target:
                    for k, syllable in enumerate(target):
                        lead, core, trail = parts[at + k]
                        if tone_key(core) != tone_key(syllable):
                            index = members[at + k]
                            out[index] = out[index]._replace(text=lead + _cased(syllable, core) + trail)
                    at += n
                    break
            else:
                at += 1
    return out
