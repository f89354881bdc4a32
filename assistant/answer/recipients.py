"""Whom one document was sent to (pure): "Công văn của Nghệ An gửi những ai?", "Nơi nhận của
Quyết định 2536?". Its Kính gửi list and its Nơi nhận block, as the document writes them, each cited;
the reverse question ("Văn bản nào gửi Sở Y tế?") is DutyRoutes.sent_to's."""
from __future__ import annotations

import re

from assistant.answer.extractive import cite
from assistant.prompts import render
from core.text import folded_words
from core.types import Answer, Chunk, Header

# "… gửi những ai / gửi cho cơ quan nào / gửi đến đâu?", "nơi nhận", "kính gửi ai", an invitation's "mời ai"
_ASKS_WHOM = re.compile(r"\b(?:gui|gui cho|gui den|gui toi|moi)\s+(?:nhung\s+|cac\s+)?(?:ai|co quan nao|don vi nao|dau|"
                        r"nhung noi nao|noi nao)\b|\bnoi nhan\b|\bkinh gui\s+(?:nhung\s+)?(?:ai|co quan nao)\b")


def asks_whom(question: str) -> bool:
    return bool(_ASKS_WHOM.search(folded_words(question)))


def document_recipients(question: str, head: Chunk, header: Header | None, listed: Chunk | None) -> Answer | None:
    """The recipients of the document whose header clause is `head` (`listed`: its Nơi nhận clause),
    when the question asks whom it was sent to; None otherwise. Each line as the document writes it."""
    if not asks_whom(question):
        return None
    parts, citations = [], []
    for via, clause, lines in (("Kính gửi", head, header.recipients if header else ()),
                               ("Nơi nhận", listed, listed.text.splitlines()[1:] if listed else ())):
        items = [item for item in (line.strip(" -+•;,.") for line in lines) if item]
        if items:
            citations.append(cite(len(citations) + 1, clause, 1.0))
            parts.append(render("recipients_part", via=via, lines="\n".join(f"- {r}" for r in items),
                                n=str(len(citations))))
    title = head.title or head.document
    if not parts:
        return Answer(question=question, refused=True, text=render("recipients_unknown", title=title))
    text = render("recipients_of", title=title) + "\n" + "\n\n".join(parts)   # a list ends before the next part
    return Answer(question=question, text=text, refused=False, citations=tuple(citations))
