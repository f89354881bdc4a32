"""Legacy Vietnamese encodings: decoding old .txt files and repairing PDF text layers.

Before Unicode, Vietnamese offices typed with 8-bit font encodings: TCVN3 ("ABC", fonts .VnTime
and the capitals-only .VnTimeH) and VNI (VNI-Times: a base letter followed by a mark byte). Their
bytes turn up in old .txt files and their glyphs in PDF text layers as Latin-1 letters ("Th«ng
b¸o", "Thoâng baùo"). text_quality() (ingest/syllables.py) measures how much of a text is
well-formed Vietnamese; decoding and repair keep the reading that measures best.
"""
from __future__ import annotations

import codecs
import re
from collections import Counter
from pathlib import Path

from core.errors import InputFileError
from core.text import nfc
from ingest.syllables import _TONES, _VOWELS, _word_ok, is_syllable, text_quality

# The syllable grammar lives in ingest/syllables.py; its public names stay importable from here.
from ingest.syllables import BAD as BAD
from ingest.syllables import MARKED as MARKED
from ingest.syllables import OTHER as OTHER
from ingest.syllables import PLAIN as PLAIN
from ingest.syllables import SKIP as SKIP
from ingest.syllables import diacritic_ratio as diacritic_ratio


def _toned(vowel: str, tone: int) -> str:
    return nfc(vowel + _TONES[tone - 1]) if tone else vowel


def _charmap(*tables: dict) -> str:
    """A 256-character decoding table for codecs.charmap_decode (fast on large files)."""
    chars = [chr(b) for b in range(256)]
    for table in tables:
        for code, char in table.items():
            chars[code if isinstance(code, int) else ord(code)] = char
    return "".join(chars)


_LOWER = tuple(_toned(v, t) for v in _VOWELS for t in range(6)) + ("đ",)
VIETNAMESE_LETTERS = tuple(c for c in _LOWER + tuple(c.upper() for c in _LOWER) if not c.isascii())  # 134

# TCVN3 (TCVN 5712:1993 VN3): the byte of each lowercase vowel, plain then with the five tones, written
# as the Latin-1 glyph a PDF shows for it. Checked against glibc's TCVN5712-1 in the tests.
_TCVN3_ROWS = {"a": "a¸µ¶·¹", "ă": "¨¾»¼½Æ", "â": "©ÊÇÈÉË", "e": "eÐÌÎÏÑ", "ê": "ªÕÒÓÔÖ", "i": "iÝ×ØÜÞ",
               "o": "oãßáâä", "ô": "«èåæçé", "ơ": "¬íêëìî", "u": "uóïñòô", "ư": "\xadøõö÷ù", "y": "yýúûüþ"}
_ABC = dict(zip("¡¢£¤¥¦§®", "ĂÂÊÔƠƯĐđ"))
_ABC.update((g, _toned(v, t)) for v, row in _TCVN3_ROWS.items() for t, g in enumerate(row) if g != v)
# Bytes ABC text never uses but the full standard (VN1) gives capitals or combining tones: harmless.
_TCVN3 = {**_ABC, **dict(zip("¯º¿ÀÁÂÃÄÅÍÙÚÛàðÿ", "ẰẲẴẮẦẨẪẤỀỂỄẾỒỔỖỐ")),
          **dict(zip("°±²³´", "\u0300\u0309\u0303\u0301\u0323"))}
_TCVN3_TABLE = str.maketrans(_TCVN3)

# VNI: base letter + mark byte, shown as Windows-1252 glyphs. Singles first: they win when encoding.
_VNI = {"ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}
for _base, _letter in zip("aeouyôö", "aeouyơư"):
    _VNI.update((_base + m, _toned(_letter, t)) for t, m in enumerate("ùøûõï", 1))
for _base, _hat in zip("aeo", "âêô"):
    _VNI.update((_base + m, _toned(_hat, t)) for t, m in enumerate("âáàåãä"))
_VNI.update(("a" + m, _toned("ă", t)) for t, m in enumerate("êéèúüë"))
for _seq, _letter in list(_VNI.items()):  # capitals: the letter takes the case of its base glyph
    _VNI.setdefault(_seq.upper(), _letter.upper())
    _VNI.setdefault(_seq[0].upper() + _seq[1:], _letter.upper())
_VNI_RE = re.compile("|".join(sorted(map(re.escape, _VNI), key=len, reverse=True)))
del _base, _letter, _hat, _seq

_VISCII = str.maketrans(dict(enumerate(
    "ẠẮẰẶẤẦẨẬẼẸẾỀỂỄỆỐỒỔỖỘỢỚỜỞỊỎỌỈỦŨỤỲÕắằặấầẩậẽẹếềểễệốồổỗỠƠộờởịỰỨỪỬơớƯÀÁÂÃẢĂẳẵÈÉÊẺÌÍĨỳĐứÒÓÔạỷừửÙÚỹỵÝỡư"
    "àáâãảăữẫèéêẻìíĩỉđựòóôõỏọụùúũủýợỮ", 0x80)) | {2: "Ẳ", 5: "Ẵ", 6: "Ẫ", 0x14: "Ỷ", 0x19: "Ỹ", 0x1E: "Ỵ"})
# Windows fonts (ABC, VNI) keep Windows-1252 punctuation (quotes, dashes) in 0x80-0x9F.
_WINDOWS = str.maketrans({b: bytes([b]).decode("cp1252") for b in range(0x80, 0xA0)
                          if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)})

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
LEGACY = ("cp1258", "tcvn3", "vni", "viscii")  # order breaks ties: Windows-1258 is the commonest
# The existing contract (tests/test_bad_input.py) refuses Windows-1258 files with a fix; VISCII goes
# with it. Drop a name here to accept that encoding instead.
_CHARMAPS = {"tcvn3": _charmap(_WINDOWS, _TCVN3), "vni": _charmap(_WINDOWS), "viscii": _charmap(_VISCII)}
NOTES = {"tcvn3": "lớp chữ TCVN3 đã chuyển sang Unicode / TCVN3 text converted to Unicode",
         "vni": "lớp chữ VNI đã chuyển sang Unicode / VNI text converted to Unicode",
         "glyph-fix": "ký tự sai mã phông đã sửa theo ngữ cảnh / misread font glyphs repaired from context"}


def decode_legacy(data: bytes, encoding: str) -> str:
    """Bytes in one of LEGACY -> NFC text."""
    if encoding == "cp1258":
        return nfc(data.decode("cp1258", errors="replace"))
    text = codecs.charmap_decode(data, "strict", _CHARMAPS[encoding])[0]
    if encoding == "tcvn3":
        return _restore_capitals(nfc(text))
    return nfc(text) if encoding == "viscii" else _from_glyphs(text, encoding)


def _from_glyphs(text: str, encoding: str, capitals: bool = True) -> str:
    if encoding == "tcvn3":
        text = nfc(text.translate(_TCVN3_TABLE))
        return _restore_capitals(text) if capitals else text
    return nfc(_VNI_RE.sub(lambda m: _VNI[m.group()], text))


def _restore_capitals(text: str) -> str:
    """TCVN3 has no toned capitals: .VnTimeH draws the lowercase bytes as capitals. A word whose
    ASCII letters are all capitals (at least two) is such a word; so is a whole line of them."""
    out = []
    for line in text.split("\n"):
        raised = [w for w in _CAPS_WORD.findall(line) if _raise_word(w) != w]
        if raised:
            line = _CAPS_WORD.sub(lambda m: _raise_word(m.group()), line)
            if len(raised) >= 2 and not re.search(r"[a-z]", line):
                line = line.upper()
        out.append(line)
    return "\n".join(out)


# Every word; _raise_word leaves those without two ASCII capitals alone. (A pattern that looked for
# the capital itself, "[^\sA-Z]*[A-Z]\S*", retried from every position of a long word without
# one: quadratic, minutes on a 64 KB line.)
_CAPS_WORD = re.compile(r"\S+")


def _raise_word(word: str) -> str:
    letters = [c for c in word if c.isascii() and c.isalpha()]
    return word.upper() if len(letters) >= 2 and all(c.isupper() for c in letters) else word


def encode_legacy(text: str, encoding: str) -> bytes:
    """Unicode -> TCVN3 or VNI bytes (tests and fixtures). TCVN3 writes toned capitals with the
    lowercase byte, as .VnTimeH documents do."""
    inverse: dict[str, str] = {}
    for glyph, letter in (_ABC if encoding == "tcvn3" else _VNI).items():
        inverse.setdefault(letter, glyph)
    out = []
    for ch in nfc(text):
        glyph = inverse.get(ch) or (inverse.get(ch.lower(), ch) if encoding == "tcvn3" else ch)
        out.append(glyph.encode("cp1252" if any(ord(c) > 255 for c in glyph) else "latin-1"))
    return b"".join(out)


def decode_text_bytes(raw: bytes, path: Path) -> tuple[str, str]:
    """(NFC text, encoding name) of a .txt/.md file: UTF-8 (BOM or not), UTF-16 with BOM, or a legacy
    8-bit Vietnamese encoding picked by text_quality. Anything else raises InputFileError."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text, name = raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as e:
            raise InputFileError(path, "tệp UTF-16 bị hỏng / corrupt UTF-16 file",
                                 "lưu lại tệp dưới dạng UTF-8 / re-save the file as UTF-8") from e
    else:
        bom = raw.startswith(codecs.BOM_UTF8)
        body = raw[len(codecs.BOM_UTF8):] if bom else raw
        if b"\x00" in body[:4096]:
            raise InputFileError(path, "tệp nhị phân, không phải văn bản / binary file, not text",
                                 "chỉ nạp tệp .txt hoặc .md / convert it to a UTF-8 .txt or .md file")
        try:
            text, name = body.decode("utf-8"), "utf-8-sig" if bom else "utf-8"
        except UnicodeDecodeError as e:
            text, name = _decode_legacy_file(body, path, e)
    text = nfc(text).replace("\ufeff", "")
    if len(_CONTROL.findall(text)) > 0.01 * max(len(text), 1):
        raise InputFileError(path, "tệp chứa ký tự điều khiển, có vẻ là tệp nhị phân / looks binary",
                             "chỉ nạp văn bản UTF-8 .txt hoặc .md / load UTF-8 .txt or .md text only")
    if name.startswith("utf") and not text.isascii() and text_quality(text[:65536]) < 0.7:
        fixed, mapping = repair_legacy_text(text)  # legacy glyphs pasted into a Unicode file
        if mapping in ("tcvn3", "vni"):
            text, name = fixed, f"{name}+{mapping}"
    return text, name


def _decode_legacy_file(raw: bytes, path: Path, error: UnicodeDecodeError) -> tuple[str, str]:
    sample = raw[:65536]
    quality, _, name = max((text_quality(decode_legacy(sample, n)), -i, n) for i, n in enumerate(LEGACY))
    if quality < 0.6:
        raise InputFileError(
            path, f"không phải mã UTF-8 (byte lỗi ở vị trí {error.start}) / not UTF-8 (bad byte at {error.start})",
            "lưu lại tệp dưới dạng UTF-8, ví dụ: iconv -f WINDOWS-1258 -t UTF-8 / re-save as UTF-8") from error
    return decode_legacy(raw, name), name


# ---- repair of text a PDF library already decoded ------------------------------------------
_LATIN1 = re.compile(r"[\u00a1-\u00ff]")
_LETTER_RUN = re.compile(r"[^\W\d_]+")
# The national motto heads every administrative document: context for a misread word in it.
_MOTTO = "cộng hòa xã hội chủ nghĩa việt nam cộng hoà xã hội độc lập tự do hạnh phúc".split()


def repair_legacy_text(text: str) -> tuple[str, str | None]:
    """Text whose glyphs follow a legacy font mapping -> (NFC Unicode text, "tcvn3" | "vni" |
    "glyph-fix"), or (text, None) when it is not legacy. Lines are kept: pass a whole document,
    one block per line, so that a misread word can be checked against the rest of it."""
    text = nfc(text)
    if not _LATIN1.search(text):
        return text, None
    base = text_quality(text)
    if base < 0.9:  # above it a whole-text conversion could not gain the 0.1 it must
        quality, name, converted = max((text_quality(c), n, c) for n in ("tcvn3", "vni")
                                       for c in [_convert_words(text, n)])
        if quality >= base + 0.1 and quality >= 0.5:
            return converted, name
    # a few lines in a legacy font inside a Unicode document (a header typed in .VnTime); one or
    # two odd words are more likely misread glyphs, handled below
    quality, name, converted = max((text_quality(c), n, c) for n in ("tcvn3", "vni")
                                   for c in [_convert_lines(text, n)])
    if quality > base and sum(a != b for a, b in zip(text.split(), converted.split())) >= 3:
        return converted, name
    fixed = _fix_misread_glyphs(text)
    return (fixed, "glyph-fix") if fixed != text else (text, None)


def _convert_lines(text: str, encoding: str) -> str:
    """Convert only lines with no letter past U+00FF (legacy glyphs are all Latin-1) that read much
    better converted."""
    def line(m: re.Match) -> str:
        old = m.group()
        if not _LATIN1.search(old) or any(ch > "\u00ff" and ch.isalpha() for ch in old):
            return old
        new = _convert_words(old, encoding)
        return new if text_quality(new) >= text_quality(old) + 0.3 else old
    return re.sub(r"[^\n]+", line, text)


def _convert_words(text: str, encoding: str) -> str:
    """Convert word by word. Legacy glyphs are all Latin-1, so a line with a letter past U+00FF was
    typed in Unicode (mixed-font pages): there only ill-formed words are converted, elsewhere
    every word but one that was well-formed and would not stay so."""
    def line(m: re.Match) -> str:
        unicode_line = any(ch > "\u00ff" and ch.isalpha() for ch in m.group())
        return re.sub(r"\S+", lambda w: word(w.group(), unicode_line), m.group())

    def word(old: str, unicode_line: bool) -> str:
        if not _LATIN1.search(old):
            return old
        new = _from_glyphs(old, encoding, capitals=False)
        old_ok, new_ok = _word_ok(old), _word_ok(_raise_word(new) if encoding == "tcvn3" else new)
        if unicode_line:
            return new if new_ok and not old_ok else old
        return old if old_ok and not new_ok else new
    converted = re.sub(r"[^\n]+", line, text)
    return _restore_capitals(converted) if encoding == "tcvn3" else converted


def _fix_misread_glyphs(text: str) -> str:
    """A PDF whose font maps a few glyphs to the wrong Latin-1 letter ('PHÖ' for 'PHÚ'): replace the
    letter in an ill-formed word by the one that yields a word seen in the same context elsewhere in
    the document. Once such a misread is confirmed, a well-formed but unattested word with a Latin-1
    letter ('HÕA') is replaced too when the replacement is attested on both sides."""
    spans = [(m.start(), m.end(), m.group()) for m in _LETTER_RUN.finditer(text)]
    if not any(_LATIN1.search(w) and not is_syllable(w) for *_, w in spans):
        return text
    words = [w.lower() for *_, w in spans]
    uni = Counter(w for w in words + _MOTTO if is_syllable(w))
    bi = Counter(zip(words, words[1:])) + Counter(zip(_MOTTO, _MOTTO[1:]))

    def sides(i: int, word: str) -> tuple[int, int]:
        return (bi[(words[i - 1], word)] if i else 0), (bi[(word, words[i + 1])] if i + 1 < len(words) else 0)

    def best(i: int, both_sides: bool) -> str | None:
        w = spans[i][2]
        scored: dict[str, tuple[int, int]] = {}
        for k, ch in enumerate(w):
            if _LATIN1.match(ch):
                for r in (VIETNAMESE_LETTERS + tuple("aeiouyAEIOUY")):
                    cand = w[:k] + r + w[k + 1:]
                    if r.isupper() == ch.isupper() and r != ch and is_syllable(cand):
                        left, right = sides(i, cand.lower())
                        if not both_sides or (left and right):
                            scored[cand] = (left + right, uni[cand.lower()])  # context first
        top = sorted(scored.items(), key=lambda kv: kv[1], reverse=True)[:2]
        return top[0][0] if top and top[0][1] > (0, 0) and (len(top) == 1 or top[1][1] < top[0][1]) else None

    fixes = {i: f for i, (_, _, w) in enumerate(spans)
             if _LATIN1.search(w) and not is_syllable(w) and (f := best(i, False))}
    if fixes:
        for i, (_, _, w) in enumerate(spans):
            if i not in fixes and _LATIN1.search(w) and uni[words[i]] <= 1 and max(sides(i, words[i])) <= 1:
                if f := best(i, True):
                    fixes[i] = f
    for i in sorted(fixes, reverse=True):
        start, end, _ = spans[i]
        text = text[:start] + fixes[i] + text[end:]
    return text
