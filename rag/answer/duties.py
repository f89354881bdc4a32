"""Complete "what must X do" answers from the duty table: every duty of the agency across the
loaded documents, grouped by document, each with its [n] citation, and the count."""
from __future__ import annotations

from rag.prompts import render
from rag.text import squash
from rag.types import Answer, Chunk, Citation, Duty

ROLE_ORDER = {"chủ trì": 0, "thực hiện": 1, "tham mưu": 2, "theo dõi, đôn đốc": 3, "báo cáo": 4, "phối hợp": 5}


def order_duties(duties: list[Duty], relevance: dict[str, int], provinces_first: set[str]) -> list[Duty]:
    """Documents of a named province first, then documents with more duties; inside a document
    the agency's own duties before coordination, then by relevance to the question."""
    per_doc: dict[str, int] = {}
    for d in duties:
        per_doc[d.document] = per_doc.get(d.document, 0) + 1
    far = len(relevance) + 1
    return sorted(duties, key=lambda d: (d.province not in provinces_first, -per_doc[d.document], d.document,
                                         ROLE_ORDER.get(d.role, 9), relevance.get(d.chunk_id, far), d.start))


class DutyAnswerer:
    name = "duty-table"

    def answer(self, question: str, actors: list[str], duties: list[Duty], chunks: dict[str, Chunk]) -> Answer:
        citations: list[Citation] = []
        by_chunk: dict[str, int] = {}
        groups = []
        for document in dict.fromkeys(d.document for d in duties):
            lines = []
            mine = [d for d in duties if d.document == document]
            for chunk_id in dict.fromkeys(d.chunk_id for d in mine):
                same = [d for d in mine if d.chunk_id == chunk_id]
                chunk = chunks.get(chunk_id)
                if chunk is None:
                    continue
                if chunk_id not in by_chunk:
                    by_chunk[chunk_id] = len(citations) + 1
                    citations.append(_citation(by_chunk[chunk_id], chunk))
                first = same[0]
                who = ", ".join(f"{d.actor}: {d.role}" if len(actors) > 1 else d.role for d in same)
                lines.append(render("duty_line", role=f"({who}) ", action=first.action,
                                    when=f" — thời hạn: {first.time.text}" if first.time.text else "",
                                    clause=first.clause, n=str(by_chunk[chunk_id])))
            head = chunks.get(mine[0].chunk_id)
            where = ", ".join(x for x in (head.number if head and head.number and not head.number.startswith("/")
                                          else None, mine[0].province) if x)
            groups.append(render("duty_group", title=head.title if head else document, where=where or document,
                                 lines="\n".join(lines)))
        text = render("duty_answer", actors=", ".join(actors), count=str(len(by_chunk)),
                      documents=str(len({d.document for d in duties})), groups="".join(groups))
        return Answer(question=question, text=text.strip(), refused=False, citations=tuple(citations))


def _citation(n: int, c: Chunk) -> Citation:
    return Citation(n=n, document=c.document, title=c.title, number=c.number, province=c.province,
                    clause=c.clause, text=squash(c.text), score=1.0, date=c.date, start=c.start, end=c.end,
                    doc_id=c.doc_id)
