"""Which loaded documents a body issued (pure): "Những văn bản nào của Bộ Nội vụ?", "Văn bản nào do
Sở Tư pháp ban hành?", "UBND tỉnh Lâm Đồng đã ban hành những kế hoạch nào?".

The issuing body is the last block of the header's top-left lines ("UBND TỈNH LÂM ĐỒNG / SỞ NỘI VỤ"
is Sở Nội vụ's; a department's letter is not the People's Committee's), or the whole block when
its last line only names the place ("ỦY BAN NHÂN DÂN / TỈNH LÂM ĐỒNG"). Names are compared folded,
with "Ủy ban nhân dân" and "UBND" alike; a province written in the question must be the document's.
A province asked about alone ("Văn bản nào của Đắk Nông?") lists that province's documents, and the
library can be listed by type and year ("Những kế hoạch nào ban hành năm 2026?"). Dates are written
dd/mm/yyyy, as the documents' own text cites them.
"""
from __future__ import annotations

import re

from assistant.answer.extractive import cite
from assistant.answer.named import TYPE_OF
from assistant.prompts import render
from core.text import folded_words
from core.types import Answer, Chunk, Header, filled_number
from ingest.header import PROVINCES
from ingest.provinces import current_province, province_key, provinces_named, same_province

_KIND = "(" + "|".join(TYPE_OF) + ")"
LISTED_MAX = 40   # documents a listing shows; the «Văn bản» tab has them all
# "văn bản nào của X", "những kế hoạch nào do X ban hành", "X đã ban hành / X có những văn bản nào"
_OF = re.compile(r"^(?:co )?(?:nhung |cac )?" + _KIND + r" (?:nao|gi) (?:cua|do) (.+?)(?: ban hanh| phat hanh)?$")
_BY = re.compile(r"^(.+?) (?:da )?(?:ban hanh|phat hanh|co) (?:nhung |cac )?" + _KIND + r" (?:nao|gi)$")
_PLACE_LINE = re.compile(r"^(?:tinh|thanh pho|huyen|thi xa|xa|phuong|quan)\b")
_UBND = re.compile(r"\b(?:uy ban nhan dan|uy ban nd)\b")


def folded_key(text: str) -> str:
    """Folded words, "Ủy ban nhân dân" as "ubnd": 'SỞ NỘI VỤ' -> 'so noi vu' (ask.py's question rules
    match on it too)."""
    return _UBND.sub("ubnd", folded_words(text))


def asked_issuer(question: str) -> tuple[str, str | None] | None:
    """(the body asked about, the document type asked for or None) of an issuer question."""
    q = folded_key(question)
    m = _OF.match(q)
    if m:
        return m.group(2), TYPE_OF[m.group(1)]
    m = _BY.match(q)
    if m:
        return m.group(1), TYPE_OF[m.group(2)]
    return None


def issuing_body(issuer: str | None) -> str:
    """The folded name of the body that issued a document, from its header's issuer lines."""
    lines = [folded_key(line) for line in (issuer or "").split(" / ") if folded_key(line)]
    if not lines:
        return ""
    if len(lines) > 1 and _PLACE_LINE.match(lines[-1]):
        return f"{lines[-2]} {lines[-1]}"
    return lines[-1]


def same_issuer(issuer: str, body: str) -> bool:
    """Whether a document's issuing body (`issuing_body`) is the body a question names (folded, as
    `folded_key` writes it): one within the other, in two words or more ("ubnd tinh" is "ubnd tinh lam dong")."""
    shorter, longer = sorted((issuer, body), key=len)
    return len(shorter.split()) >= 2 and f" {shorter} " in f" {longer} "


def issued_by(question: str, headers: dict[str, Header], header_chunks: dict[str, Chunk],
              documents: list[str] | None = None) -> Answer | None:
    """The documents the body a question asks about issued, each cited by its header, newest first;
    that there are none of the kind asked; or None when the question is not of that kind or names
    no body that issued a loaded document."""
    asked = asked_issuer(question)
    if asked is None:
        return None
    body, kind = asked
    if current_province(body) and len(province_key(body)) > 3:   # "Văn bản nào của Đắk Nông?": a place
        return _of_province(question, body, kind, headers, header_chunks, documents)
    named = provinces_named(question)
    found, known = [], False
    for doc_id, header in headers.items():
        issuer = issuing_body(header.issuer)
        head = header_chunks.get(doc_id)
        if not issuer or head is None or (documents and head.document not in documents):
            continue
        if not same_issuer(issuer, body):
            continue
        known = True
        if named and not any(same_province(header.province, p) for p in named):
            continue
        if kind and header.doc_type != kind:
            continue
        found.append((header.date or "", head, header))
    if not found:   # a body that issued other loaded documents: say so; else not an issuer question
        if not known:
            return None
        return Answer(question=question, refused=True, text=render(
            "issued_none", issuer=_as_written(question, body), kind=(kind or "văn bản").lower()))
    found.sort(key=lambda f: f[0], reverse=True)   # the newest first
    lines, citations = _listed(found)
    text = render("issued_answer", issuer=_as_written(question, body), count=str(len(lines)),
                  kind=(kind or "văn bản").lower(), lines="\n".join(lines))
    return Answer(question=question, text=text.strip(), refused=False, citations=tuple(citations))


def _of_province(question: str, body: str, kind: str | None, headers: dict[str, Header],
                 header_chunks: dict[str, Chunk], documents: list[str] | None, year: str | None = None) -> Answer:
    """The documents of a province (today's covers those merged into it in 2025; an old one only
    itself), of a year when asked, newest first (the first LISTED_MAX), or that none is loaded. A
    ministry's letters signed in Hà Nội are no documents of Hà Nội."""
    key = province_key(body)
    found = [(header.date or "", header_chunks[doc_id], header) for doc_id, header in headers.items()
             if doc_id in header_chunks and same_province(header.province, body)
             and (not kind or header.doc_type == kind) and (not year or (header.date or "")[:4] == year)
             and not (documents and header_chunks[doc_id].document not in documents)]
    place, kinds = _province_name(key) or _as_written(question, body), (kind or "văn bản").lower()
    place += f" ban hành năm {year}" if year else ""
    if not found:
        return Answer(question=question, refused=True, text=render("province_none", kind=kinds, place=place))
    found.sort(key=lambda f: f[0], reverse=True)
    lines, citations = _listed(found[:LISTED_MAX], with_province=key)
    more = len(found) - len(lines)
    text = render("province_answer", place=place, count=str(len(found)), kind=kinds, lines="\n".join(lines),
                  more=f"\n… và {more} văn bản khác: xem thẻ «Văn bản» (lọc theo tỉnh)." if more > 0 else "")
    return Answer(question=question, text=text.strip(), refused=False, citations=tuple(citations))


def _province_name(key: str) -> str | None:
    """'daknong' -> 'Đắk Nông' (the 63 provinces before 2025 and the 34 after)."""
    return next((p for p in PROVINCES if province_key(p) == key), None) or \
        (current_province(key) if province_key(current_province(key) or "") == key else None)


def _listed(found: list[tuple[str, Chunk, Header]], with_province: str | None = None) -> tuple[list[str], list]:
    """One line per document ("- *Công văn V/v …* số 12/SNV-TCBC, ngày 05/03/2026 [n]") and its
    citation; `with_province`: the key of the province asked about, to name the others (merged into it)."""
    lines, citations = [], []
    for _, head, header in found:
        citations.append(cite(len(citations) + 1, head, 1.0))
        number, when = _number_and_date(header)
        if with_province and header.province and province_key(header.province) != with_province:
            when += f" ({header.province})"
        lines.append(render("issued_line", title=header.title, number=number, when=when, n=str(len(citations))))
    return lines, citations


def _number_and_date(header: Header) -> tuple[str, str]:
    """(" số 12/SNV-TCBC", ", ngày 05/03/2026") of a document's line in a list; "" for what is blank."""
    number = f" số {header.number}" if filled_number(header.number) else ""
    return number, f", {issued_on(header.date)}" if header.date else ""


def issued_on(iso: str) -> str:
    """'2026-03-05' -> 'ngày 05/03/2026'; a blank day or month as printed: 'tháng 04/2026', 'năm 2025'."""
    parts = iso.split("-")
    if len(parts) == 3:
        return f"ngày {parts[2]}/{parts[1]}/{parts[0]}"
    return f"tháng {parts[1]}/{parts[0]}" if len(parts) == 2 else f"năm {parts[0]}"


def _as_written(question: str, body: str) -> str:
    """The words of the question that name `body` ('bo noi vu' -> 'Bộ Nội vụ')."""
    words = re.findall(r"\w+", question)
    for i in range(len(words)):
        for j in range(i + 1, len(words) + 1):
            if folded_key(" ".join(words[i:j])) == body:
                return " ".join(words[i:j])
    return body


# "Cho tôi danh sách văn bản đã nạp", "Có bao nhiêu văn bản?", "Những kế hoạch nào ban hành năm 2026?":
# the library itself, of a type or a year, nothing else asked
_LISTING = re.compile(r"\b(?:danh sach|liet ke|nhung|cac|bao nhieu|may) (?:cac )?" + _KIND + r"\b"
                      r"|^" + _KIND + r" nao\b")
_LISTING_WORDS = set("cho toi xin hay liet ke danh sach cac nhung bao nhieu may da nap hien co dang "
                     "trong he thong nao gi tat ca toan bo duoc tai len ban hanh ky nam".split())
_YEAR = re.compile(r"^(?:19|20)\d{2}$")
_PLACE_WORDS = set("cua o tai tren dia ban tinh thanh pho".split())


def _province_asked(question: str) -> tuple[str, set[str]] | None:
    """The one province a listing names ("Có bao nhiêu văn bản của tỉnh Lâm Đồng?") as written, with
    the folded words that name it; None when it names none or several."""
    keys = provinces_named(question)
    if len(keys) != 1:
        return None
    words = re.findall(r"\w+", question)
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + 4) + 1):
            if province_key(" ".join(words[i:j])) in keys:
                return " ".join(words[i:j]), {folded_key(w) for w in words[i:j]}
    return None


def library_listing(question: str, headers: dict[str, Header], header_chunks: dict[str, Chunk]) -> Answer | None:
    """'Có những văn bản nào?': every loaded document (of the type, year and province asked, if any),
    newest first, each cited by its header (the first LISTED_MAX; the «Văn bản» tab has them all).
    A province of today includes the documents of those merged into it. None for any other question."""
    q = folded_key(question)
    m = _LISTING.search(q)
    kinds = {w for k in TYPE_OF for w in k.split()}
    place = _province_asked(question)
    allowed = _LISTING_WORDS | kinds | ((place[1] | _PLACE_WORDS) if place else set())
    if not m or any(w not in allowed and not _YEAR.match(w) for w in q.split()):
        return None
    kind = TYPE_OF[m.group(1) or m.group(2)]
    year = next((w for w in q.split() if _YEAR.match(w)), None)
    if place:   # "Có bao nhiêu văn bản của tỉnh Lâm Đồng?": as "Văn bản nào của Lâm Đồng?"
        return _of_province(question, place[0], kind, headers, header_chunks, None, year)
    found = sorted(((h.date or "", head, h) for d, head in header_chunks.items() if (h := headers.get(d))
                    and (not kind or h.doc_type == kind) and (not year or (h.date or "")[:4] == year)),
                   key=lambda f: f[0], reverse=True)
    lines, citations = _listed(found[:LISTED_MAX])
    more = len(found) - len(lines)
    what = (kind or "văn bản").lower() + (f" ban hành năm {year}" if year else "")
    if not found and (kind or year):
        return Answer(question=question, refused=True, text=render(
            "listing_none", kind=(kind or "văn bản").lower(), year=f" ban hành năm {year}" if year else ""))
    text = render("listing_answer", count=str(len(found)), what=what, lines="\n".join(lines),
                  more=f"\n… và {more} văn bản khác: xem thẻ «Văn bản»." if more > 0 else "")
    return Answer(question=question, text=text.strip(), refused=not found, citations=tuple(citations))


# "Văn bản nào còn hiệu lực?", "Những quyết định nào đã bị thay thế?": the documents of that status,
# as far as the loaded documents say of each other (assistant/validity.py)
_ASKS_DOCUMENTS = re.compile(r"\b" + _KIND + r" nao\b|\b(?:nhung|cac) " + _KIND + r"\b")
_IN_FORCE = re.compile(r"\b(?:con|dang co|dang con|van con) hieu luc\b")
_ENDED = re.compile(r"\b(?:het hieu luc|khong con hieu luc|(?:bi|da|da bi|duoc) (?:thay the|bai bo))\b")
_AMENDED = re.compile(r"\b(?:bi|da|da bi|duoc|da duoc) sua doi\b")
STATUSES = {"in_force": ("in_force", "amended", "unknown"), "ended": ("replaced", "repealed"), "amended": ("amended",)}


def validity_listing(question: str, headers: dict[str, Header], header_chunks: dict[str, Chunk],
                     validity_of) -> Answer | None:
    """The documents in force, replaced or repealed, or amended, each with what says so; None for
    any other question. `validity_of`: doc_id -> Validity."""
    q = folded_key(question)
    asked = _ASKS_DOCUMENTS.search(q)
    which = "ended" if _ENDED.search(q) else "amended" if _AMENDED.search(q) else \
        "in_force" if _IN_FORCE.search(q) else None
    if not asked or which is None:
        return None
    kind = TYPE_OF[next(g for g in asked.groups() if g)]
    found = sorted(((h.date or "", head, h) for d, head in header_chunks.items() if (h := headers.get(d))
                    and validity_of(d).status in STATUSES[which] and (not kind or h.doc_type == kind)),
                   key=lambda f: f[0], reverse=True)
    kinds = (kind or "văn bản").lower()
    if not found:
        return Answer(question=question, refused=True, text=render(f"validity_none_{which}", kind=kinds))
    lines, citations = _listed(found[:LISTED_MAX])
    if which != "in_force":
        lines = [f"{line} — {validity_of(head.doc_id).note()}" for line, (_, head, _) in zip(lines, found)]
    more = len(found) - len(lines)
    text = render(f"validity_{which}", count=str(len(found)), kind=kinds, lines="\n".join(lines),
                  more=f"\n… và {more} văn bản khác: xem thẻ «Văn bản»." if more > 0 else "")
    return Answer(question=question, text=text.strip(), refused=False, citations=tuple(citations))


# "Công văn 1468 còn hiệu lực không?", "Kế hoạch 20 đã bị thay thế chưa?" (not "có hiệu lực từ ngày nào?")
_STATUS_ASKED = re.compile(r"\b(?:con |co |van con |da het |het )?hieu luc (?:khong|chua)\b|"
                           r"\b(?:bi|da bi|da|duoc|da duoc) (?:thay the|bai bo|sua doi)(?: \w+)* (?:chua|khong)\b")


def document_validity(question: str, head: Chunk | None, header: Header | None, validity) -> Answer | None:
    """Whether the one document the question names is still in force, as far as the loaded documents
    say, cited by its header; None for any other question. `validity`: its Validity."""
    if head is None or header is None or not _STATUS_ASKED.search(folded_key(question)):
        return None
    number, _ = _number_and_date(header)
    said = validity.note() or {"in_force": "còn hiệu lực: không văn bản nào đã nạp thay thế, bãi bỏ hay sửa đổi "
                                           "nó", "unknown": "chưa rõ hiệu lực: văn bản không ghi số, nên không "
                                           "văn bản nào có thể dẫn chiếu tới nó"}.get(validity.status, "")
    text = render("document_validity", title=header.title, number=number, said=said)
    return Answer(question=question, text=text.strip(), refused=False, citations=(cite(1, head, 1.0),))


# "Có văn bản nào về phòng, chống ma túy không?", "Những văn bản nào quy định về kỷ luật hành chính?"
_ABOUT = re.compile(r"^(?P<has>co )?(?P<many>nhung |cac |bao nhieu |may )?" + _KIND + r" (?P<which>nao )?"
                    r"(?:ve|quy dinh ve|noi ve|lien quan den|lien quan toi|de cap den|de cap toi|huong dan ve)\s+"
                    r"(?P<topic>.+?)(?P<ask> khong| nao)?$")


# "Lâm Đồng có những văn bản nào về …", "Ở tỉnh Cao Bằng có …": a province before the listing
_LEADING_PLACE = re.compile(r"^(?:o |tai )?(?:tinh |thanh pho )?(?P<place>(?:\w+ ){1,4}?)(?=co )")


def listing_province(question: str) -> str | None:
    """The province a documents-about question opens with ("Lâm Đồng có những văn bản nào về ma túy?"),
    as written; None when it opens with none."""
    from ingest.provinces import provinces_named

    m = _LEADING_PLACE.match(folded_key(question))
    if not m:
        return None
    words = re.findall(r"\w+", question)[:len(m.group(0).split())]
    place = " ".join(w for w in words if folded_key(w) not in ("o", "tai", "tinh", "thanh", "pho"))
    return place if place and provinces_named(place) and _ABOUT.match(folded_key(question)[m.end():]) else None


def topic_asked(question: str) -> tuple[str, str | None] | None:
    """(the topic as written, the document type asked or None) of a question asking which documents
    are about something, a province it opens with aside (`listing_province`); None for any other question."""
    q = folded_key(question)
    place = _LEADING_PLACE.match(q) if listing_province(question) else None
    m = _ABOUT.match(q[place.end():] if place else q)
    # a listing asks which or whether ("Có văn bản nào về …", "Những chỉ thị về … nào?"); "Chỉ thị về X
    # … giao Sở Nội vụ làm gì?" names one document by its title
    if not m or not (m.group("many") or m.group("which") or (m.group("has") and m.group("ask"))):
        return None
    words = m.group("topic").split()
    spans = [x for x in re.finditer(r"\w+", question) if folded_key(x.group()) in words]
    topic = question[spans[-len(words)].start():spans[-1].end()] if len(spans) >= len(words) else m.group("topic")
    return topic, TYPE_OF[m.group(3)]   # group 3: the document type (_KIND)


def speaks_of(text: str, pairs: set[str]) -> bool:
    """Does `text` hold at least half of a topic's word pairs (folded, "phong chong", "chong dich")?"""
    folded = f" {folded_key(text)} "
    return 2 * sum(f" {p} " in folded for p in pairs) >= len(pairs)


def documents_about(question: str, topic: str, kind: str | None, hits: list, headers: dict[str, Header]) -> Answer:
    """The documents whose retrieved clauses speak of `topic` (at least half of its word pairs, or its
    one word), best first, each cited by that clause; or that none does."""
    words = folded_key(topic).split()
    pairs = {f"{a} {b}" for a, b in zip(words, words[1:])} or set(words)
    best: dict[str, object] = {}
    for hit in hits:
        c = hit.chunk
        header = headers.get(c.doc_id)
        if c.doc_id in best or header is None or (kind and header.doc_type != kind):
            continue
        if speaks_of(" ".join([c.text, *c.headings, header.subject or ""]), pairs):
            best[c.doc_id] = hit
    kinds = (kind or "văn bản").lower()
    if not best:
        return Answer(question=question, refused=True, text=render("about_none", kind=kinds, topic=topic))
    lines, citations = [], []
    for doc_id, hit in list(best.items())[:LISTED_MAX]:
        header = headers[doc_id]
        citations.append(cite(len(citations) + 1, hit.chunk, hit.score))
        number, when = _number_and_date(header)
        lines.append(render("about_line", title=header.title, number=number, when=when, clause=hit.chunk.clause,
                            n=str(len(citations))))
    text = render("about_answer", count=str(len(best)), kind=kinds, topic=topic, lines="\n".join(lines))
    return Answer(question=question, text=text.strip(), refused=False, citations=tuple(citations))
