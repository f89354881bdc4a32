"""Offline extractive answerer: a short Vietnamese answer built from the best clauses, naming
who must act, every statement followed by its [n]; weaker matches are listed as 'Xem thêm'."""
from __future__ import annotations

import re
from datetime import date

from assistant.prompts import render
from core.text import fold, has_diacritics, lexical_tokens, split_sentences, squash, vn_date
from core.types import Answer, Chunk, Citation, Duty, DutyTime, Header, Hit, filled_number
from ingest.deadlines import parse_deadline

WHOLE_CLAUSE_CHARS = 360
MAX_SENTENCE_CHARS = 420


def refusal(question: str) -> Answer:
    return Answer(question=question, text=render("refusal"), refused=True)


def cite(n: int, c: Chunk, score: float) -> Citation:
    return Citation(n=n, document=c.document, title=c.title, number=c.number, province=c.province,
                    clause=c.clause, text=squash(c.text), score=score, date=c.date, start=c.start,
                    end=c.end, doc_id=c.doc_id, page=c.page, ocr=c.ocr)


# "Thời gian kiểm tra: Tháng 5/2026": the field's label is not the time
_LABEL = re.compile(r"^thời (?:gian|hạn)(?:\s+[^\W\d_]+){0,4}\s*:\s*", re.IGNORECASE)


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, max_statements: int = 3, relative_floor: float = 0.55, today=None):
        self.max_statements = max_statements
        self.relative_floor = relative_floor
        self.today = today or date.today  # a callable: a server runs across midnight

    def answer(self, question: str, hits: list[Hit], headers: dict[str, Header],
               duties_by_chunk: dict[str, list[Duty]] | None = None) -> Answer:
        if not hits:
            return refusal(question)
        top = hits[0].score
        statements, see_also, citations, timed = [], [], [], []
        for n, hit in enumerate(hits, 1):
            c = hit.chunk
            citations.append(cite(n, c, hit.score))
            primary = len(statements) < self.max_statements and (n == 1 or hit.score >= self.relative_floor * top)
            if primary:
                statement, dated = self._statement(question, hit, n, headers.get(c.doc_id),
                                                   (duties_by_chunk or {}).get(c.chunk_id, []))
                statements.append(statement)
                timed.append(dated)
            else:
                see_also.append(f"[{n}] {_where(hit)}")
        body = "\n".join(statements)
        text = render("extractive_answer", statements=body, see_also="; ".join(see_also)) if see_also \
            else render("extractive_answer_short", statements=body)
        if is_deadline_question(question) and not is_effect_question(question) and not any(timed):
            text = f"{render('deadline_none')}\n{text}"   # said first, not left to each line
        return Answer(question=question, text=text, refused=False, citations=tuple(citations), hits=tuple(hits))

    def _statement(self, question: str, hit: Hit, n: int, header: Header | None,
                   duties: list[Duty]) -> tuple[str, bool]:
        """(the line of one clause, whether it gives a time: a date, a deadline or a period)."""
        c = hit.chunk
        if c.kind == "header" and header:
            return render("extractive_statement", lead=f"{_where(hit)}: ", sentence=_document_facts(header),
                          n=str(n)), bool(header.date)
        if c.kind == "signature" and header and header.signer:
            title = f" ({header.signer_title})" if header.signer_title else ""
            return render("extractive_statement", lead=f"{_where(hit)}: ",
                          sentence=f"người ký là {header.signer}{title}.", n=str(n)), False
        deadline, dated = "", None
        effect_asked = is_effect_question(question)
        effect = _EFFECT_FROM_SIGNING.search(c.text) if effect_asked else None
        if effect and header and header.date and len(header.date) == 10:
            # "có hiệu lực kể từ ngày ký": the day it was signed, which the header gives
            deadline = f"hiệu lực từ ngày ký, **{vn_date(header.date)}**; "
        elif effect:
            deadline = "hiệu lực từ ngày ký (văn bản không ghi đủ ngày ký); "
        elif is_deadline_question(question) and not effect_asked:
            # the deadline first, or plainly that this clause sets none; a period or a span with the day
            dated = _asked_deadline(question, duties)
            word = "thời hạn"
            if dated is None:   # a clause that charges no one may still say when ("Thời gian kiểm tra: Tháng 5/2026")
                said = parse_deadline(c.text)
                dated = said if said.kind != "none" and said.text else None
                word = "thời gian"
            deadline = (f"{word} **{_LABEL.sub('', dated.text)}**" + (f" (đến ngày {vn_date(dated.date)})"
                                                                   if dated.date and dated.kind != "date" else "")
                        + (due_note(dated, self.today()) if word == "thời hạn" else "") + "; "
                        if dated else "điều khoản này không nêu thời hạn; ")
        actor = None
        if duties:  # who must act, from the duty table only: "**Sở Nội vụ** (chủ trì), **Văn phòng …** (phối hợp)"
            first: dict[str, Duty] = {}
            for d in duties:
                first.setdefault(d.actor, d)  # each actor once, with its first role in the clause
            first = list(first.values())
            actor = ", ".join(f"**{d.actor}** ({d.role})" for d in first[:4]) + (" …" if len(first) > 4 else "")
        lead = f"{_where(hit)}: " + deadline + (f"{actor} — " if actor else "")
        return render("extractive_statement", lead=lead, sentence=best_passage(question, c.text), n=str(n)), \
            bool(effect or dated)


_DEADLINE_Q = re.compile(r"\b(?:khi nao|bao gio|thoi han|han chot|han cuoi|han [a-z ]{0,40}la|truoc ngay nao|"
                         r"den ngay nao|trong bao lau|moc thoi gian)\b")


_EFFECT_Q = re.compile(r"\bhieu luc\b")
# "Quyết định này có hiệu lực (thi hành) kể từ ngày ký (ban hành)"
_EFFECT_FROM_SIGNING = re.compile(r"hiệu lực(?: thi hành)?(?: kể)? từ ngày ký", re.IGNORECASE)


def is_effect_question(question: str) -> bool:
    """"Quyết định … có hiệu lực từ khi nào?": when a document takes effect is no deadline."""
    return bool(_EFFECT_Q.search(fold(question).lower()))


def is_deadline_question(question: str) -> bool:
    """"Hạn báo cáo là khi nào?", "Thời hạn …?", "… trước ngày nào?" (not "ban hành khi nào")."""
    q = fold(question).lower()
    return bool(_DEADLINE_Q.search(q)) and "ban hanh" not in q


def overdue_note(iso: str | None, today: date) -> str:
    """' — đã quá hạn' when a dated deadline is before today."""
    return " — **đã quá hạn**" if iso and len(iso) == 10 and iso < today.isoformat() else ""


def _asked_deadline(question: str, duties: list[Duty]) -> DutyTime | None:
    """The deadline of the clause's duty the question speaks of ("Hạn tổng hợp báo cáo …" where one
    sentence sets "theo tiến độ" and another "thứ hai hằng tuần"): most of its words in the duty's
    action, the clause's first deadline on a tie."""
    timed = [d for d in duties if d.time.kind != "none"]
    if not timed:
        return None
    asked = set(lexical_tokens(question))
    return max(timed, key=lambda d: len(asked & set(lexical_tokens(d.action)))).time


def due_note(time: DutyTime, today: date) -> str:
    """' — đã quá hạn' for a dated deadline before today; for a recurrence of a document for a
    period, the day it stops, and whether it has."""
    if time.kind == "recurring" and time.until:
        if time.ended(today):
            return f" — **đã hết kỳ** (văn bản chỉ áp dụng đến {vn_date(time.until)})"
        return f" (đến {vn_date(time.until)})"
    return overdue_note(time.date, today)


def _where(hit: Hit) -> str:
    return where_of(hit.chunk)


def where_of(c: Chunk) -> str:
    """"10331/UBND-KSTT, Nghệ An — Mục 2": where a clause is, as an answer line names it."""
    origin = filled_number(c.number) or c.province or c.document
    if c.province and origin != c.province:
        origin = f"{origin}, {c.province}"
    return f"{origin} — {c.clause}"


def _document_facts(h: Header) -> str:
    parts = [h.title]
    parts.append(f"số {h.number}" if filled_number(h.number)
                 else (f"số/ký hiệu {h.number} (chưa ghi số)" if h.number else "không ghi số hiệu"))
    if h.place or h.date_text:
        parts.append(f"ban hành tại {h.place or '?'}, {h.date_text or 'không ghi ngày'}")
    else:
        parts.append("không ghi nơi, ngày ban hành")
    if h.signer:
        parts.append(f"người ký: {h.signer}" + (f" ({h.signer_title})" if h.signer_title else ""))
    elif h.signer_title:   # an unsigned draft, or a name the scan does not let be read
        parts.append(f"chức danh ký: {h.signer_title}, không ghi hoặc không đọc được tên người ký")
    else:
        parts.append("không ghi hoặc không đọc được người ký")
    return "; ".join(parts) + "."


def best_passage(question: str, text: str) -> str:
    """The clause itself when short; otherwise its sentence(s) closest to the question."""
    text = squash(text)
    if len(text) <= WHOLE_CLAUSE_CHARS:
        return text
    sentences = split_sentences(text)
    folded = not has_diacritics(question)
    wanted = set(lexical_tokens(question, folded=folded))

    def overlap(sentence: str) -> float:
        toks = lexical_tokens(fold(sentence) if folded else sentence)
        return sum(1.0 + ("_" in t) for t in set(toks) if t in wanted)

    best = max(range(len(sentences)), key=lambda i: (overlap(sentences[i]), -i))
    chosen = sentences[best]
    if len(chosen) < 80 and best + 1 < len(sentences):
        chosen = f"{chosen} {sentences[best + 1]}"
    if len(chosen) > MAX_SENTENCE_CHARS:
        cut = chosen.rfind(" ", 0, MAX_SENTENCE_CHARS)
        chosen = chosen[:cut if cut > 0 else MAX_SENTENCE_CHARS] + " …"
    return chosen
