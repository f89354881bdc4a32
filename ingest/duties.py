"""Who must do what, by when: duties extracted from a document's clauses (pure).

The actor of a clause, in order of precedence:
1. an inline assignment in the clause ("Giao X chủ trì, phối hợp với Y …", "Yêu cầu X …",
   "X phối hợp với …" at its start, or "… giao X chủ động …" inside it);
2. the addressee of the nearest heading above it ("3. Giao Sở Nội vụ", "2. Đối với cán bộ …");
3. the document's Kính gửi addressees, for a body clause that names nobody.
A coordinating agency ("phối hợp với Y") gets its own duty with role 'phối hợp'.
"""
from __future__ import annotations

import re
from datetime import date

from core.text import split_sentences, squash
from core.types import Chunk, Document, Duty, DutyTime, content_id
from ingest.actors import _VERB, AGENCY_START, actor_from_heading
from ingest.agencies import AgencyNames
from ingest.structure import CLOSING_MARK
from ingest.task_table import parse_row

DUTIES_VERSION = "duties-v5"
ROLES = ("chủ trì", "phối hợp", "thực hiện", "tham mưu", "theo dõi, đôn đốc", "báo cáo")
_ROLE_START = (
    (re.compile(r"^chủ trì\b", re.I), "chủ trì"),
    (re.compile(r"^phối hợp\b", re.I), "phối hợp"),
    (re.compile(r"^(?:kịp thời\s+)?tham mưu\b", re.I), "tham mưu"),
    (re.compile(r"^(?:thường xuyên\s+|tiếp tục\s+)?(?:theo dõi|đôn đốc|kiểm tra, đôn đốc|giám sát)\b", re.I),
     "theo dõi, đôn đốc"),
    (re.compile(r"^(?:tổng hợp|báo cáo)\b", re.I), "báo cáo"),
)
# "Giao X <verb>" / "Yêu cầu X <verb>" anywhere in a clause (the Cao Bằng paragraph after 3c).
_ASSIGN = re.compile(r"(?:^|\s)(?:giao|yêu cầu)\s+(?P<who>[^.;:]{3,200}?)\s+(?P<verb>" +
                     _VERB.pattern[len(r"\s+(?:"):-len(r")\b")] + r")\b", re.IGNORECASE)
_ASSIGN_START = re.compile(r"^(?:Giao|Yêu cầu|Đề nghị)\s+", re.IGNORECASE)
_COORDINATE = re.compile(r"phối hợp(?: chặt chẽ)? với\s+(?P<who>[^.;:]+?)(?=\s+(?:và các|trong|để|tổ chức|tham mưu|"
                         r"theo dõi|thực hiện|tăng cường|rà soát|triển khai|kiểm tra|xây dựng|tổng hợp|hướng dẫn|"
                         r"đôn đốc|giám sát|đánh giá|đề xuất|tuyên truyền|xử lý|báo cáo|chỉ đạo|cập nhật)\b|[,.;:]|$)",
                         re.IGNORECASE)
_REPORT_TO = re.compile(r"gửi về\s+(?P<who>[^.;:,]+?)\s+để\s+(?:tổng hợp|báo cáo)", re.IGNORECASE)
_REFERENCE = re.compile(
    r"\b(?:Chỉ thị|Nghị quyết|Quyết định|Kế hoạch|Công văn|văn bản|Thông tư|Nghị định|Luật|Thông báo|Chương trình)"
    r"\s+số\s+[\w/.\-]+(?:\s+ngày\s+\d{1,2}/\d{1,2}/\d{4})?", re.UNICODE)

# A deadline needs a deadline word: "ngày 15/7/2021" alone is usually a referenced document's date.
_DEADLINE_CUE = r"(?:trước|chậm nhất(?: là)?|hạn chót|hạn cuối|hoàn thành trong|xong trước|đến hết|trong)\s+"
_DATE = re.compile(_DEADLINE_CUE + r"(?:ngày\s+)?(?:(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})"
                   r"|(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4}))", re.IGNORECASE)
_RELATIVE = re.compile(r"trong (?:thời hạn|vòng)\s+\d+\s+(?:ngày(?: làm việc)?|tuần|tháng)[^.;,]*", re.IGNORECASE)
_RECURRING = (
    (re.compile(r"(?:định kỳ\s+)?(?:hằng|hàng)\s+tuần", re.I), "FREQ=WEEKLY"),
    (re.compile(r"(?:định kỳ\s+)?(?:hằng|hàng)\s+tháng(?:,\s*cuối năm)?", re.I), "FREQ=MONTHLY"),
    (re.compile(r"(?:định kỳ\s+)?(?:hằng|hàng)\s+quý", re.I), "FREQ=MONTHLY;INTERVAL=3"),
    (re.compile(r"(?:định kỳ\s+)?6 tháng(?: một lần)?", re.I), "FREQ=MONTHLY;INTERVAL=6"),
    (re.compile(r"(?:định kỳ\s+)?(?:hằng|hàng)\s+năm", re.I), "FREQ=YEARLY"),
    (re.compile(r"cuối năm", re.I), "FREQ=YEARLY;BYMONTH=12"),
    (re.compile(r"sau các kỳ nghỉ Lễ,?\s*Tết", re.I), None),
    (re.compile(r"định kỳ", re.I), None),
)
_AGENCY_ANYWHERE = re.compile(r"(?:^|,\s+)(?=(?:" + AGENCY_START.pattern[len("^(?:"):-len(")\\b")] + r")\b)",
                              re.IGNORECASE)


def parse_time(text: str) -> DutyTime:
    for m in _DATE.finditer(text):
        d, mo, y = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
        try:  # "trước ngày 30/02/2022" is a typo, not a date: a calendar export must never see it
            day = date(int(y), int(mo), int(d))
        except ValueError:
            continue
        return DutyTime(text=m.group(0).strip(), kind="date", date=day.isoformat())
    m = _RELATIVE.search(text)
    if m:
        return DutyTime(text=m.group(0).strip(), kind="relative")
    found: list[tuple[int, int, str, str | None]] = []
    for pattern, rrule in _RECURRING:
        for m in pattern.finditer(text):
            if not any(a <= m.start() < b or m.start() <= a < m.end() for a, b, _, _ in found):
                found.append((m.start(), m.end(), m.group(0).strip(), rrule))
    if not found:
        return DutyTime()
    found.sort()
    phrases = list(dict.fromkeys(p for _, _, p, _ in found))
    rrule = next((r for _, _, _, r in found if r), None)
    return DutyTime(text="; ".join(phrases), kind="recurring", rrule=rrule)


def role_of(text: str) -> str:
    text = text.strip()
    for pattern, role in _ROLE_START:
        if pattern.match(text):
            return role
    return "thực hiện"


def action_phrase(text: str, limit: int = 160) -> str:
    first = CLOSING_MARK.sub("", (split_sentences(squash(text), keep_lists=True) or [""])[0]).rstrip(";.")  # "… tỉnh./."
    if len(first) > limit:
        cut = first.rfind(" ", 0, limit)
        first = first[:cut if cut > 0 else limit] + " …"
    return first


class DutyExtractor:
    def __init__(self, agencies: AgencyNames | None = None):
        self.agencies = agencies or AgencyNames.load()

    def extract(self, doc: Document, chunks: list[Chunk]) -> list[Duty]:
        duties: list[Duty] = []
        province = doc.header.province
        addressees = [a for r in doc.header.recipients for a in self.agencies.split(r, province)]
        rows = {offset for offset, _, _ in doc.rows}
        for chunk in chunks:
            if chunk.kind not in ("clause", "closing"):
                continue
            if chunk.start in rows:  # a task-table row: its columns say who leads, who helps, by when
                duties.extend(self._row_duties(doc, chunk, province))
                continue
            for actor_text, actor, role, *action in self._assignments(chunk, addressees, province):
                duties.append(self._duty(doc, chunk, actor_text, actor, role, *action))
        if not duties and addressees and chunks:
            # No recognisable clause structure: the whole document is addressed to its recipients.
            body = [c for c in chunks if c.kind in ("preamble", "clause", "closing")] or chunks
            for actor_text, actor in addressees:
                duties.append(self._duty(doc, body[0], actor_text, actor, "thực hiện"))
        return _dedupe(duties)

    def _assignments(self, chunk: Chunk, addressees, province) -> list[tuple[str, str, str]]:
        text = squash(chunk.text)
        out: list[tuple[str, str, str]] = []
        heading_actors = []
        for heading in reversed(chunk.headings):
            found = actor_from_heading(heading)
            if found:
                heading_actors = self.agencies.split(found, province)
                break
        assigned = self._assigned(text, province)
        if not assigned and chunk.kind == "closing" and _ASSIGN_START.match(text):
            # "Yêu cầu các cơ quan, đơn vị … nghiêm túc triển khai thực hiện./." speaks to the addressees.
            assigned = [(t, a, role_of(text[_ASSIGN_START.match(text).end():])) for t, a in addressees]
        if assigned:
            out.extend(assigned)
        elif heading_actors:
            # "Người đứng đầu … phải …" under "1. Thủ trưởng các sở …" speaks of the same people.
            out.extend((t, a, role_of(text)) for t, a in heading_actors)
        else:
            out.extend(self._subject(text, province) or
                       ([(t, a, role_of(text)) for t, a in addressees] if chunk.kind == "clause" else []))
        leads = {a for _, a, _ in out}
        for m in _COORDINATE.finditer(text):
            for t, a in self.agencies.split(m.group("who"), province):
                if a not in leads:
                    out.append((t, a, "phối hợp"))
        for m in _REPORT_TO.finditer(text):
            for t, a in self.agencies.split(m.group("who"), province):
                if a not in leads:
                    out.append((t, a, "báo cáo", _segment(text, m.start())))
        return out

    def _assigned(self, text: str, province) -> list[tuple[str, str, str]]:
        """'Giao X chủ trì …', '… yêu cầu X tổ chức …', '… giao X chủ động …' anywhere in the clause."""
        out = []
        if _ASSIGN_START.match(text) and not _ASSIGN.search(text):
            # "Yêu cầu Thủ trưởng các sở, ngành tỉnh; Chủ tịch UBND …./." names them without a verb.
            who = CLOSING_MARK.sub("", (split_sentences(text, keep_lists=True) or [""])[0][_ASSIGN_START.match(text).end():])
            return [(t, a, "thực hiện") for t, a in self.agencies.split(who, province)]
        for m in _ASSIGN.finditer(text):
            who = m.group("who").strip()
            if not AGENCY_START.match(who[:1].upper() + who[1:]):
                continue  # "nhiệm vụ được giao cho cấp phó" assigns nobody
            role = role_of(text[m.start("verb"):])
            out.extend((t, a, role) for t, a in self.agencies.split(who, province))
        return out

    def _subject(self, text: str, province) -> list[tuple[str, str, str]]:
        """'Báo Thanh Hóa, Đài … phối hợp với …', 'UBND tỉnh sẽ xem xét …': the clause's subject."""
        verb = _VERB.search(text)
        if not verb or not 0 < verb.start() < 250:
            return []
        subject = text[:verb.start()].split(" thì ")[-1]  # "Đối với …, thì người đứng đầu … phải …"
        start = _AGENCY_ANYWHERE.search(subject)  # "Căn cứ nội dung Chỉ thị này, thủ trưởng …"
        if not start:
            return []
        subject = subject[start.start():]
        parts = self.agencies.split(subject, province)
        if len(subject.split()) > 30 or not any(self.agencies.canonical(t, province) for t, _ in parts):
            return []
        role = role_of(text[verb.start():])
        return [(t, a, role) for t, a in parts]

    def _row_duties(self, doc: Document, chunk: Chunk, province) -> list[Duty]:
        row = parse_row(squash(chunk.text))
        if not row.is_assignment:
            return []  # a table of figures or names assigns nothing
        out = []
        for role, cell in row.actors:
            for actor_text, actor in self.agencies.split(cell, province, keep_generic=True):
                out.append(self._duty(doc, chunk, actor_text, actor, role, row.task or row.product,
                                      when=row.deadline or ""))
        return out

    def _duty(self, doc: Document, chunk: Chunk, actor_text: str, actor: str, role: str,
              action: str | None = None, when: str | None = None) -> Duty:
        text = squash(chunk.text)
        return Duty(
            duty_id=content_id(chunk.chunk_id, actor, role), doc_id=doc.doc_id, document=doc.name,
            province=doc.header.province, actor=actor, actor_text=actor_text, role=role,
            action=action_phrase(action or text), quote=text, clause=chunk.clause, chunk_id=chunk.chunk_id,
            start=chunk.start, end=chunk.end, time=parse_time(text if when is None else when),
            references=tuple(dict.fromkeys(m.group(0) for m in _REFERENCE.finditer(text))))


def _segment(text: str, at: int) -> str:
    """The ';'-separated part of a clause around position `at`."""
    start = text.rfind(";", 0, at) + 1
    end = text.find(";", at)
    return text[start:end if end >= 0 else len(text)].strip()


def _dedupe(duties: list[Duty]) -> list[Duty]:
    """One duty per (clause, actor): the first role found wins (the clause's own wording)."""
    seen, out = set(), []
    for d in duties:
        key = (d.chunk_id, d.actor)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
