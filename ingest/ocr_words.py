"""Diacritics Tesseract lost in the words of Vietnamese administration, put back.

Tesseract's most frequent slip on Vietnamese is one diacritic: "thị trần" for "thị trấn", "triên
khai" for "triển khai", "kiêm tra", "Kiêm lâm", "XÃ HỌI". Such a word no longer matches a question,
an agency name or a duty verb. `repaired` compares each run of two or three words of an OCR'd
paragraph, across its line ends, with a short lexicon of administrative vocabulary
(ingest/data/ocr_lexicon.txt: units and bodies, the departments' fields, the verbs that assign
duties) with the diacritics folded away; where all letters agree, the lexicon's marks are put
back, the word's case and punctuation kept. Tone placement alone ("Uỷ ban" / "Ủy ban") is left as
printed. Only OCR'd words pass through here: born-digital text is never changed. Same length in
NFC, so no offset moves. `rejoined`, run before, glues a syllable Tesseract cut in two ("cơ q uan",
"P hiên họp") back together, by the syllable grammar of ingest/syllables.py.
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


# A lone consonant cluster is no Vietnamese word: "q" in "cơ q uan", "P" in "P hiên họp".
_CONSONANTS = re.compile(r"^[bcdđghklmnpqrstvx]{1,3}$", re.IGNORECASE)


def rejoined(words: list[Word]) -> list[Word]:
    """`words` with the syllables Tesseract cut in two put back together: a lone consonant cluster
    glued to the word just right of it on the same printed line (Tesseract may even put the two in
    different blocks), when the gap is narrow, the second part goes on in lower case and together
    they spell one Vietnamese syllable ("q" + "uan" = "quan", "P" + "hiên" = "Phiên")."""
    from ingest.syllables import is_syllable

    out = list(words)
    gone: set[int] = set()
    for i, w in enumerate(words):
        if i in gone or not _CONSONANTS.match(w.text):
            continue
        right = w.left + w.width
        near = [j for j, v in enumerate(words) if j != i and j not in gone
                and 0 <= v.left - right <= 0.6 * max(w.height, v.height)
                and min(w.top + w.height, v.top + v.height) - max(w.top, v.top) >= 0.5 * min(w.height, v.height)]
        if not near:
            continue
        j = min(near, key=lambda k: words[k].left)
        v = words[j]
        if not (v.text[:1].isalpha() and v.text[:1].islower() and is_syllable(w.text + _CORE.match(v.text).group(2))):
            continue
        top = min(w.top, v.top)
        out[i] = w._replace(text=w.text + v.text, width=v.left + v.width - w.left, top=top,
                            height=max(w.top + w.height, v.top + v.height) - top, conf=min(w.conf, v.conf))
        gone.add(j)
    return [w for k, w in enumerate(out) if k not in gone]


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
