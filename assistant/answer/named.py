"""The loaded document a question names by its number or title (pure): "Công văn số 1468/STP-BTTP
yêu cầu những gì?", "Quyết định 2536 giao ai thi hành?", "… trong Kế hoạch kiểm tra cải cách hành
chính năm 2026?". Such a question is about that document, so it is answered from that document
only, as if the document filter had been set.

A full số/ký hiệu ("1468/STP-BTTP") must equal the document's, letters compared folded; a bare
number must follow the word for the document's type ("Quyết định 2536", "công văn số 1468") and
begin its number; a title is what follows a type word that opens the question or comes after
"trong / theo / tại", every word of it in the document's trích yếu. Only what picks out exactly one
loaded document counts: a number the question cites from some other document ("theo Công văn
2388/C04-P6 của Bộ Công an") names none, nor does a title of another province's document ("Chỉ
thị … của Chủ tịch UBND tỉnh Phú Yên" is not Cao Bằng's Chỉ thị of the same title). A type and a
province name one too ("Chỉ thị của Cao Bằng"), when that province has one document of that type.
"""
from __future__ import annotations

import re

from core.text import fold, folded_words, initials_of
from core.types import Chunk, Header, filled_number
from ingest.provinces import province_key, provinces_named, same_province

_FULL = re.compile(r"\b(\d{1,6})\s*/\s*([^\W\d_][\w\-–/.]*\w)", re.UNICODE)
# the words a question names a document by; "văn bản" is any type
DOCUMENT_WORDS = ("công văn", "kế hoạch", "quyết định", "chỉ thị", "thông báo", "công điện", "tờ trình", "báo cáo",
                  "hướng dẫn", "văn bản")
TYPE_OF = {folded_words(w): None if w == "văn bản" else w[:1].upper() + w[1:] for w in DOCUMENT_WORDS}  # "cong van"
_BARE = re.compile(r"\b(" + "|".join(TYPE_OF) + r")\s+(?:so\s+)?(\d{2,6})\b(?!\s*/)")


def _key(number: str) -> str:
    return re.sub(r"[^a-z0-9/]", "", fold(number).lower().replace("đ", "d"))


def named_documents(question: str, headers: dict[str, Header], header_chunks: dict[str, Chunk]) -> list[str]:
    """File names of the one loaded document the question names by number, or else by its title
    ([] when none or several). `headers`: doc_id -> Header; `header_chunks`: doc_id -> its header
    clause, which carries the file name."""
    # a province the question names must be that of a document named by a bare number or its title
    # ("Chỉ thị … của tỉnh Phú Yên" is not Cao Bằng's); a ministry's has none, a full number is enough
    places = provinces_named(question)
    placed = {d: h for d, h in headers.items()
              if not places or h.province is None or any(same_province(h.province, p) for p in places)}
    wanted_full = {_key(f"{m.group(1)}/{m.group(2)}") for m in _FULL.finditer(question)}
    folded = folded_words(question)
    wanted_bare = [(TYPE_OF[m.group(1)], m.group(2)) for m in _BARE.finditer(folded)]
    if not wanted_full and not wanted_bare:
        return _titled(fold(question).lower(), placed, header_chunks) or _of_place(folded, placed, header_chunks)
    found = set()
    for doc_id, header in headers.items():
        number = filled_number(header.number)
        if not number or doc_id not in header_chunks:
            continue
        if _key(number) in wanted_full:
            found.add(header_chunks[doc_id].document)
            continue
        if doc_id not in placed:
            continue
        digits = re.match(r"\d+", number)
        if digits and any(n == digits.group() and kind in (None, header.doc_type) for kind, n in wanted_bare):
            found.add(header_chunks[doc_id].document)
    return sorted(found) if len(found) == 1 else []


# "… trong Kế hoạch kiểm tra cải cách hành chính năm 2026?": a type word after "trong / theo / tại"
# or opening the question ("Kế hoạch kiểm tra … giao những việc gì?"),
# then the title's words up to where the question goes on ("có", "phải", "giao", a comma …)
_TITLED = re.compile(r"(?:^|\b(?:trong|theo|tai)\s+)(" + "|".join(t for t in TYPE_OF if t != "van ban") + r")\s+"
                     r"((?:(?!(?:co|phai|giao|quy dinh|yeu cau|la|duoc|da|se|can|nhu the)\b)\w+\s*){2,16})")


def _titled(folded: str, headers: dict[str, Header], header_chunks: dict[str, Chunk]) -> list[str]:
    """The one document of the type named whose title holds every word the question gives of it
    (`folded`: the question folded, its punctuation kept: a comma ends the title)."""
    found = set()
    for m in _TITLED.finditer(folded):
        kind, words = TYPE_OF[m.group(1)], m.group(2).split()
        for doc_id, header in headers.items():
            title = re.findall(r"\w+", fold(header.subject or "").lower())
            if header.doc_type == kind and doc_id in header_chunks and all(
                    w in title or w in _LINKS or initials_of(w, title) for w in words):
                found.add(header_chunks[doc_id].document)
    return sorted(found) if len(found) == 1 else []


# words that join a title's words without naming anything ("… CCHC 2026 của tỉnh Lâm Đồng")
_LINKS = frozenset({"cua", "ve", "nam", "tai"})


# "Chỉ thị của Cao Bằng", "công văn của tỉnh Thanh Hóa": the one document of that type of a province
_OF_PLACE = re.compile(r"\b(" + "|".join(t for t in TYPE_OF if t != "van ban") + r")\s+(?:cua|do)\s+"
                       r"(?:ubnd\s+|uy ban nhan dan\s+)?(?:tinh\s+|thanh pho\s+|tp\s+)?((?:\w+\s*){1,4})")


def _of_place(folded: str, headers: dict[str, Header], header_chunks: dict[str, Chunk]) -> list[str]:
    """The one document of the type named whose province the words after "của" begin with."""
    found = set()
    for m in _OF_PLACE.finditer(folded):
        kind, words = TYPE_OF[m.group(1)], m.group(2).split()
        places = {province_key(" ".join(words[:n])) for n in range(1, len(words) + 1)}
        for doc_id, header in headers.items():
            if header.doc_type == kind and doc_id in header_chunks and header.province \
                    and province_key(header.province) in places:
                found.add(header_chunks[doc_id].document)
    return sorted(found) if len(found) == 1 else []


_TYPE_WORDS = "(?:" + "|".join(DOCUMENT_WORDS) + ")"
_MENTION = re.compile(r"(?:" + _TYPE_WORDS + r"\s+(?:số\s+)?)?\d{1,6}\s*/\s*[^\W\d_][\w\-–/.]*\w|"
                      + _TYPE_WORDS + r"\s+(?:số\s+)?\d{2,6}\b(?!\s*/)", re.IGNORECASE)


def document_mention(text: str) -> str | None:
    """The words of `text` that name a document by number ("Công văn số 1468/STP-BTTP", "Quyết định
    2536"), for a follow-up that says "văn bản đó"."""
    m = _MENTION.search(text or "")
    return m.group(0) if m else None
