"""The Vietnamese syllable grammar and the text-quality score built on it.

is_syllable() accepts one written syllable (onset + rhyme, the tone on the right vowel);
text_quality() measures how much of a text is well-formed Vietnamese, so that legacy decoding and
repair (ingest/encoding.py) keep the reading that measures best and a PDF text layer that reads
badly goes to OCR; diacritic_ratio() is the share of syllables that carry marks.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from core.text import nfc

_TONES = "\u0301\u0300\u0309\u0303\u0323"  # sắc, huyền, hỏi, ngã, nặng: the column order of the tables
_HATS = "\u0302\u0306\u031b"  # circumflex, breve, horn
_VOWELS = "aăâeêioôơuưy"


# ---- text quality: the Vietnamese syllable grammar ----------------------------------------------
_ONSETS = ("ngh", "ng", "gh", "gi", "kh", "ph", "th", "tr", "ch", "nh", "qu",
           *"bcdđghklmnprstvx", "")
# nucleus -> codas ("" = open). Rows from "oa" on start with the glide o/u.
_RHYME_SPEC = {"a": " i o u y c ch m n ng nh p t", "ă": "c k m n ng p t", "â": "c m n ng p t u y",
               "e": " o c m n ng p t", "ê": " ch m n nh p t u", "i": " a ch m n nh p t u",
               "iê": "c m n ng p t u", "yê": "m n ng t u", "y": " ch n nh p t u", "o": " c i m n ng p t",
               "oo": "c ng", "ô": " c i m n ng p t", "ơ": " i m n p t", "u": " a c i m n ng p t",
               "uô": "c i m n ng t", "ư": " a c i m n ng t u", "ươ": "c i m n ng p t u",
               "oa": " c ch i m n ng nh p t y o", "oă": "c m n ng t", "oe": " n t o", "uâ": "n ng t y",
               "uê": " ch n nh u", "uy": " a ch n nh p t u", "uyê": "n t", "uơ": ""}
_GLIDED = {n + c for n in list(_RHYME_SPEC)[list(_RHYME_SPEC).index("oa"):] for c in _RHYME_SPEC[n].split(" ")}
_STOPS = ("c", "ch", "k", "p", "t")


def _tone_slots(rhyme: str) -> frozenset[int]:
    """Where the tone mark may sit in a rhyme; both the old (hòa, thủy) and new (hoà, thuỷ) styles."""
    n = next((k for k, ch in enumerate(rhyme) if ch not in _VOWELS), len(rhyme))
    hats = [k for k, ch in enumerate(rhyme[:n]) if ch in "ăâêôơư"]
    if hats:
        return frozenset({hats[-1]})
    if n == 1 or n < len(rhyme):
        return frozenset({n - 1})
    return frozenset({0, 1} if rhyme in ("oa", "oe", "uy") else {1} if n == 3 else {0})


_RHYMES = {n + c: _tone_slots(n + c) for n, codas in _RHYME_SPEC.items() for c in codas.split(" ")}
_ALPHABET = frozenset("abcdđeghiklmnopqrstuvxyăâêôơư")


def _onset_fits(onset: str, rhyme: str) -> bool:
    """Spelling rules: k/gh/ngh before e ê i, c/g/ng elsewhere, qu never before a glide."""
    first, glided = rhyme[0], rhyme in _GLIDED
    if rhyme.startswith("yê") and onset not in ("", "qu"):
        return False
    if onset == "c":
        return first not in "eêiy" and not glided
    if onset == "k":
        return first in "eêiy" and not glided
    if onset == "qu":
        return first not in "uưo" and not glided
    if onset in ("gh", "ngh"):
        return first in "eêi"
    if onset in ("g", "ng"):
        return first not in ("eêy" if onset == "g" else "eêiy")
    return not (onset == "gi" and first == "i")


@lru_cache(maxsize=1 << 16)
def is_syllable(word: str) -> bool:
    """One written Vietnamese syllable: onset + rhyme, at most one tone on the right vowel, a
    checked syllable (-c -ch -p -t) only with sắc or nặng; lower, Title or UPPER case."""
    low = word.lower()
    if word not in (low, word.upper(), low[:1].upper() + low[1:]):
        return False
    base: list[str] = []
    tone, at = "", -1
    for ch in unicodedata.normalize("NFD", low):
        if ch in _TONES and base and not tone:
            tone, at = ch, len(base) - 1
        elif ch in _HATS and base:
            base[-1] += ch
        elif unicodedata.combining(ch):
            return False
        else:
            base.append(ch)
    letters = [nfc(b) for b in base]
    if not all(b in _ALPHABET for b in letters):
        return False
    plain = "".join(letters)
    for onset in _ONSETS:
        rhyme = plain[len(onset):]
        if plain.startswith(onset) and rhyme in _RHYMES and _onset_fits(onset, rhyme):
            if not tone or (at - len(onset) in _RHYMES[rhyme]
                            and (tone in "\u0301\u0323" or not rhyme.endswith(_STOPS))):
                return True
    return False


_SPLIT = re.compile(r"[\s,;:!?()\[\]{}\"“”‘’„…–—•*<>|=+]+")
_NUMBER = re.compile(r"\d+(?:[.,:/\-h]\d+)*(?:%|h|ha|km|m2|m|kg|đ)?|\d+[A-Z]{1,2}|(?:[A-ZĐ]{1,6}|Km)\d+")
_URL = re.compile(r"(?:https?:|www\.)\S*|\S+@\S+\.\S+|\S+\.(?:vn|com|org|net)", re.I)
_CODE_PART = re.compile(r"\d+|[A-ZĐ][A-ZĐa-zđ]*\d*|[a-zđ]")  # 12, UBND, TTg, QH13, the v of V/v
_ABBREVIATION = re.compile(r"[A-ZĐ]{2,8}\d*")
_LATIN = frozenset("email website web internet online fax tel zalo facebook wifi video file pdf word excel "
                   "covid camera logo http https www gov com org net vn and of the for with to in on by is".split())
BAD, OTHER, PLAIN, MARKED, SKIP = 0, 1, 2, 3, -1


@lru_cache(maxsize=1 << 16)
def _verdict(token: str) -> int:
    """BAD, OTHER (number, code, abbreviation, Latin word), PLAIN or MARKED syllable, or SKIP."""
    token = token.strip(".'-/_")
    if not token:
        return SKIP
    if _NUMBER.fullmatch(token) or _URL.fullmatch(token):
        return OTHER
    if not any(ch.isalnum() for ch in token):
        return SKIP if token.isascii() else BAD  # '%', '##'; a legacy glyph like '¸' is not punctuation
    if re.search(r"[/\-.&]", token):
        parts = re.split(r"[/\-.&]", token)
        return OTHER if all(p and (_CODE_PART.fullmatch(p) or is_syllable(p)) for p in parts) else BAD
    if is_syllable(token):
        return PLAIN if token.isascii() else MARKED
    if len(token) == 1:
        return SKIP if token.isascii() and token.isalnum() or token in "đĐ" else BAD  # list letters a) đ)
    return OTHER if _ABBREVIATION.fullmatch(token) or token.lower() in _LATIN else BAD


def _word_ok(chunk: str) -> bool:
    return all(_verdict(t) != BAD for t in _SPLIT.split(chunk))


def _counts(text: str) -> Counter:
    return Counter(_verdict(t) for t in _SPLIT.split(text))


def diacritic_ratio(text: str) -> float:
    """Share of syllables that carry Vietnamese marks (0.8-0.9 in real directives, 0 when accentless)."""
    c = _counts(text)
    return c[MARKED] / (c[PLAIN] + c[MARKED]) if c[PLAIN] + c[MARKED] else 0.0


def text_quality(text: str) -> float:
    """0..1: the share of word tokens that are Vietnamese syllables, numbers, document codes,
    abbreviations or common Latin words, scaled down (to half at most) when the syllables carry no
    marks at all, as in a hidden OCR layer read without Vietnamese."""
    c = _counts(text)
    good = c[OTHER] + c[PLAIN] + c[MARKED]
    if not good + c[BAD]:
        return 0.0
    marked = (c[MARKED] + 1.2) / (c[PLAIN] + c[MARKED] + 2)  # prior: 60 % marked over two syllables
    return good / (good + c[BAD]) * (0.5 + 0.5 * min(1.0, marked / 0.4))
