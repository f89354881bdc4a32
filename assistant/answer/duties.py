"""Complete "what must X do" answers from the duty table: every duty of the agency across the
loaded documents, grouped by document, each with its [n] citation, and the count."""
from __future__ import annotations

from datetime import date

from assistant.answer.extractive import cite, due_note
from assistant.prompts import render
from core.types import Answer, Chunk, Citation, Duty, filled_number

ROLE_ORDER = {"chủ trì": 0, "thực hiện": 1, "tham mưu": 2, "theo dõi, đôn đốc": 3, "báo cáo": 4, "phối hợp": 5}


NAMES_SHOWN = 3   # a plural ("các sở") can name many bodies; the heading names a few, each line all of its own


def listed_actors(actors: list[str]) -> str:
    """'Sở Nội vụ, Sở Tài chính'; past NAMES_SHOWN names: 'A, B, C và 5 tên gọi khác'."""
    if len(actors) <= NAMES_SHOWN:
        return ", ".join(actors)
    return f"{', '.join(actors[:NAMES_SHOWN])} và {len(actors) - NAMES_SHOWN} tên gọi khác"


def order_duties(duties: list[Duty], relevance: dict[str, int], provinces_first: set[str],
                 topical: bool = False) -> list[Duty]:
    """Documents of a named province first, then documents with more duties; inside a document
    the agency's own duties before coordination, then by relevance to the question (the rank of
    the duty's clause among the retrieved ones). A `topical` question ("Sở Tư pháp được giao việc
    gì trong báo cáo Đề án 06?") asks about some duties only: the documents and duties closest
    to it come first."""
    per_doc: dict[str, int] = {}
    best: dict[str, int] = {}
    far = len(relevance) + 1
    for d in duties:
        per_doc[d.document] = per_doc.get(d.document, 0) + 1
        best[d.document] = min(best.get(d.document, far), relevance.get(d.chunk_id, far))
    if topical:
        return sorted(duties, key=lambda d: (d.province not in provinces_first, best[d.document], -per_doc[d.document],
                                             d.document, relevance.get(d.chunk_id, far), ROLE_ORDER.get(d.role, 9),
                                             d.start))
    return sorted(duties, key=lambda d: (d.province not in provinces_first, -per_doc[d.document], d.document,
                                         ROLE_ORDER.get(d.role, 9), relevance.get(d.chunk_id, far), d.start))


class DutyAnswerer:
    """Lists the duties clause by clause, grouped by document. A large archive can give an agency
    thousands: the chat shows the first `max_lines` (the most relevant, as ordered) with the
    true totals, and points to the full table and its export."""
    name = "duty-table"

    def __init__(self, max_lines: int = 40, today=None):
        self.max_lines = max_lines
        self.today = today or date.today

    def answer(self, question: str, actors: list[str], duties: list[Duty], chunks: dict[str, Chunk],
               heading: str | None = None, more: str | None = None, name_each: bool = False) -> Answer:
        """`heading` replaces "**X** có N nhiệm vụ …" and `more` names the template of the note on
        what was cut (ask.py's due dates); `name_each`: every line names its agencies (a list of
        every agency's duties)."""
        by_document: dict[str, dict[str, list[Duty]]] = {}   # document -> clause -> duties, in order
        for d in duties:
            if d.chunk_id in chunks:
                by_document.setdefault(d.document, {}).setdefault(d.chunk_id, []).append(d)
        citations: list[Citation] = []
        groups, shown = [], 0
        for clauses in by_document.values():
            if shown >= self.max_lines:
                break
            lines = []
            for chunk_id, same in clauses.items():
                if shown >= self.max_lines:
                    break
                citations.append(cite(len(citations) + 1, chunks[chunk_id], 1.0))
                shown += 1
                first = same[0]
                # each actor once, with its roles; a body renamed since is named as the document names it
                roles: dict[str, list[str]] = {}
                for d in same:
                    name = d.named
                    if d.role not in roles.setdefault(name, []):
                        roles[name].append(d.role)
                named = len(actors) > 1 or name_each or any(d.formerly for d in same)
                who = "; ".join(f"{name}: {', '.join(r)}" if named else ", ".join(r) for name, r in roles.items())
                lines.append(render("duty_line", role=f"({who}) ", action=first.action,
                                    when=(f" — thời hạn: {first.time.text}"
                                          + due_note(first.time, self.today()) if first.time.text else ""),
                                    clause=first.clause, n=str(len(citations))))
            head = chunks[next(iter(clauses))]
            where = ", ".join(x for x in (filled_number(head.number), head.province) if x)
            groups.append(render("duty_group", title=head.title or head.document, where=where or head.document,
                                 lines="\n".join(lines)))
        total = sum(len(clauses) for clauses in by_document.values())
        text = (heading + "\n" + "".join(groups)) if heading else \
            render("duty_answer", actors=listed_actors(actors), count=str(total), documents=str(len(by_document)),
                   groups="".join(groups))
        if total > shown and more:
            text += render(more, more=str(total - shown))
        elif total > shown:
            listed = {c.doc_id + c.clause for c in citations}
            rest = {doc for doc, clauses in by_document.items()
                    if any(chunks[cid].doc_id + chunks[cid].clause not in listed for cid in clauses)}
            text += render("duty_more", more=str(total - shown), actor=actors[0], documents=str(len(rest)))
        return Answer(question=question, text=text.strip(), refused=False, citations=tuple(citations))
