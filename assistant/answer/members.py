"""Who a body is made of: "Ban Chỉ đạo … gồm những ai?", "Thành phần Hội đồng …?" answered with the
whole list a decision gives ("Thành lập Ban …, gồm các ông, bà có tên sau:" and every line under
it), cited once as one verbatim span, instead of the three member lines retrieval ranks highest."""
from __future__ import annotations

import re
from dataclasses import replace

from assistant.answer.extractive import cite, where_of
from assistant.prompts import render
from core.text import fold, squash
from core.types import Answer, Chunk, Hit

# "gồm những ai", "những ai là thành viên", "thành phần (của) Ban/Hội đồng/Tổ/Đoàn …", "danh sách thành viên"
_ASKS_MEMBERS = re.compile(r"\b(?:gom nhung ai|gom (?:nhung )?(?:thanh vien|thanh phan) nao|nhung ai la thanh vien|"
                           r"danh sach thanh vien|"
                           r"thanh vien (?:cua )?(?:ban|hoi dong|to|doan)\b.*\b(?:gom|la ai|nhung ai)|"
                           r"thanh phan (?:cua )?(?:ban|hoi dong|to|doan)\b)")
_TABLE = re.compile(r"(.*?\bbảng \d+), dòng \d+")   # "Phụ lục, tiêu đề 2, bảng 1, dòng 9"
MAX_LINES = 60   # a list longer than this is cut, with where to read the rest


def asks_members(question: str) -> bool:
    return bool(_ASKS_MEMBERS.search(fold(question).lower()))


# the body asked about: "Đoàn kiểm tra CCHC gồm những ai?" -> "doan kiem tra"; its kind and two words
_BODY = re.compile(r"(?<!van )\b(ban|hoi dong|to|doan|uy ban) (\w+)(?: (\w+))?")


def asked_body(question: str) -> tuple[str, str] | None:
    """(the body as the question writes it, its folded head) of a members question: "Đoàn kiểm tra
    CCHC gồm những ai?" -> ("Đoàn kiểm tra", "doan kiem tra")."""
    folded = fold(question).lower()
    m = _BODY.search(folded)
    if not m or not asks_members(question):
        return None
    head = " ".join(w for w in m.groups() if w)
    words = question.split()
    start = len(folded[:m.start()].split())
    return " ".join(words[start:start + len(head.split())]).strip("?,.:;"), head


def body_first(hits: list[Hit], head: str) -> list[Hit]:
    """The clauses under a heading that names the body ("IV. ĐOÀN KIỂM TRA, …"), read in the
    document's order; then those that name it themselves; then the rest, each in rank order."""
    def order(ranked: tuple[int, Hit]) -> tuple:
        rank, hit = ranked
        if any(head in fold(h).lower() for h in hit.chunk.headings):
            return 0, hit.chunk.doc_id != hits[0].chunk.doc_id, hit.chunk.doc_id, hit.chunk.start
        return (1 if head in fold(hit.chunk.text).lower() else 2), rank
    return [hit for _, hit in sorted(enumerate(hits), key=order)]


def member_list(hits: list[Hit], clauses_of) -> tuple[Chunk | None, list[Chunk]] | None:
    """(the clause that opens a list, the clauses under it) for the best of the first hits that lies
    in such a list or opens one: its outermost ancestor clause that ends with ":" and has at least
    two clauses under it; or (None, every row) of a table one of whose rows was hit (members are
    often a table in an appendix: "STT; Họ và tên; Chức vụ; …"). `clauses_of(doc_id)`: a document's
    clauses in order."""
    for hit in hits[:5]:
        c = hit.chunk
        if c.kind != "clause":
            continue
        clauses = clauses_of(c.doc_id)
        table = _TABLE.match(c.clause)
        if table:
            rows = [x for x in clauses if x.clause.startswith(table.group(1) + ", ")]
            if len(rows) >= 2:
                return None, rows
            continue
        by_path = {x.clause: x for x in clauses}
        parts = c.clause.split(", ")
        for depth in range(1, len(parts) + 1):   # outermost first: "Điều 1" before "Điều 1, khoản 3"
            path = ", ".join(parts[:depth])
            parent = by_path.get(path)
            if parent is None or not parent.text.rstrip().endswith(":"):
                continue
            under = [x for x in clauses if x.clause.startswith(path + ", ")]
            if len(under) >= 2:
                return parent, under
    return None


def members_answer(question: str, parent: Chunk | None, under: list[Chunk], document_text: str | None) -> Answer:
    """The list as the document gives it, its opening line first (a table has none), one line per
    clause under it; the citation is the whole span, verbatim."""
    shown = under[:MAX_LINES]
    first = parent or replace(shown[0], clause=_TABLE.match(shown[0].clause).group(1))
    end = max(x.end for x in shown)
    text = document_text[first.start:end] if document_text and end <= len(document_text) else None
    span = replace(first, text=text, end=end) if text else first
    lines = [f"- {squash(x.text)}" for x in shown]
    if len(under) > len(shown):
        lines.append(render("members_more", count=str(len(under) - len(shown)), clause=first.clause))
    body = render("members_answer", where=where_of(first), opening=f" {squash(parent.text)}" if parent else "",
                  lines="\n".join(lines))
    return Answer(question=question, text=body, refused=False, citations=(cite(1, span, 1.0),),
                  hits=(Hit(chunk=span, score=1.0),))


def without_list(answer: Answer, body: tuple[str, str] | None) -> Answer:
    """A members question no loaded list answers: said first, then what the clauses say of the body."""
    if body is None or answer.refused:
        return answer
    return replace(answer, text=render("members_none", body=body[0], answer=answer.text))
