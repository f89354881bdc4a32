"""Questions that ask several things at once (pure): "Công an tỉnh phải làm gì và được cấp bao nhiêu
kinh phí?". The question is split between whole questions, a part that names no agency asks about
the agency of the first ("được cấp bao nhiêu kinh phí" -> "Công an tỉnh được cấp bao nhiêu kinh
phí"), each part is answered on its own, and the answers are merged under their parts with their
citations numbered in one run."""
from __future__ import annotations

import re
from dataclasses import replace

from core.types import Answer

_QUESTION_WORD = re.compile(r"\b(gì|nào|ai|bao nhiêu|bao giờ|bao lâu|khi nào|thế nào|ra sao|mấy)\b", re.IGNORECASE)
# what may be asked twice of one subject at the question's end, "… khi nào, ở đâu?"
_ASKED = r"(?:khi nào|lúc nào|bao giờ|mấy giờ|ngày nào|ở đâu|tại đâu|địa điểm nào|những ai|ai|bao nhiêu|thế nào)"
_SHARED_STEM = re.compile(r"^(?P<stem>.{8,}?)\s+(?P<first>" + _ASKED + r")\s*(?:,|và|,\s*và)\s*(?P<second>" + _ASKED
                          + r")\s*\??$", re.IGNORECASE)
# a part that goes on from the first one's subject: its predicate comes first
_PREDICATE = re.compile(r"^(?:được|phải|có|cần|đã|sẽ|còn phải|chịu|chủ trì|phối hợp|báo cáo|gửi|nộp)\b")


def question_parts(question: str) -> list[str]:
    """'Sở Nội vụ phải làm gì và học phí đại học là bao nhiêu?' -> its two questions. A question
    splits at '?' and ';', and at 'và' / 'đồng thời' only between two complete questions ('Sở Nội vụ
    và Sở Tài chính phải làm gì?', 'Cơ quan nào quản lý và chỉ đạo Đội …?' stay one)."""
    shared = asked_twice(question)
    if shared:
        return shared
    parts: list[str] = []
    for piece in re.split(r"\?\s*|;\s+", question):
        rest = piece.strip()
        while rest:
            m = next((m for m in re.finditer(r"\s+(?:và|đồng thời|còn)\s+", rest)
                      if _QUESTION_WORD.search(rest[:m.start()]) and _QUESTION_WORD.search(rest[m.end():])
                      and len(rest[m.end():].split()) >= 3), None)
            if m is None:
                parts.append(rest)
                break
            parts.append(rest[:m.start()].strip())
            rest = rest[m.end():].strip()
    parts = [p for p in parts if len(p.split()) >= 3]
    return parts if len(parts) > 1 else [question]


def asked_twice(question: str) -> list[str]:
    """"Hội nghị tổ chức khi nào, ở đâu?": one subject, two things asked of it, as two questions;
    [] otherwise."""
    shared = _SHARED_STEM.match(question.strip())
    if not shared:
        return []
    return [f"{shared.group('stem')} {shared.group('first')}?", f"{shared.group('stem')} {shared.group('second')}?"]


def with_subject(part: str, subject: str | None) -> str:
    """A later part that begins with its predicate asks it of the first part's agency."""
    if subject and _PREDICATE.match(part):
        return f"{subject} {part}"
    return part


def merged(answers: list[tuple[str, Answer]], question: str, headed: bool = True) -> Answer:
    """One answer of the parts' answers: each under its part in bold (unless not `headed`), its [n]
    renumbered to follow the citations of the parts before it."""
    blocks, citations = [], []
    for part, answer in answers:
        offset = len(citations)
        text = re.sub(r"\[(\d+)\]", lambda m: f"[{int(m.group(1)) + offset}]", answer.text)
        blocks.append(f"**{part.rstrip(' ?')}?**\n{text}" if headed else text)
        citations.extend(replace(c, n=c.n + offset) for c in answer.citations)
    first = answers[0][1]
    return replace(first, question=question, text="\n\n".join(blocks), citations=tuple(citations),
                   refused=all(a.refused for _, a in answers),
                   not_found=tuple(x for _, a in answers for x in a.not_found))
