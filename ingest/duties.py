"""Who must do what, by when: duties extracted from a document's clauses (pure but for the tagger).

A duty is found per sentence part (sentences, and their ';' parts; ingest/sentences.py), in order:
1. an assignment: "Giao / Yêu cầu / Đề nghị X …" anywhere in the part; "X chỉ đạo Y …" (both act);
2. a subject: the part starts with agencies ("Sở Tài chính bố trí …", "Chánh Văn phòng …, Giám
   đốc … chịu trách nhiệm thi hành …"), possibly after an opening phrase ("Trong tháng 12/2025, …")
   or a condition ("…, thì người đứng đầu … phải …"), or as "X: task";
3. the addressee in force: the nearest heading that addresses an actor ("3. Giao Sở Nội vụ:",
   "a) Công an tỉnh", "Điều 3. Nhiệm vụ của Ban Chỉ đạo"), a preceding line that does ("Giao Sở Tài
   chính" before its tasks; "… đề nghị UBND tỉnh một số nội dung sau:"), the previous part's actor
   in the same clause, and, in a letter sent down to its addressees, the Kính gửi.
"phối hợp (với) Y" makes Y a 'phối hợp' actor of the same part. Agencies are recognised by form
(ingest/actors.py), so one missing from agencies.json is kept as written, never dropped; each duty
also names the body that holds it today (ingest/successions.py).
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from functools import lru_cache

from core.text import squash
from core.types import Chunk, Document, Duty, DutyTime, content_id
from ingest.actors import Span, agency_list, bare_head, enumerated, find_agencies
from ingest.agencies import AgencyNames, agency_key
from ingest.deadlines import parse_cell_deadline, recurrence_end
from ingest.deadlines import parse_deadline as _parse_deadline
from ingest.layout import KINH_GUI
from ingest.sentences import (
    ABOUT,
    ADVERBS,
    ALLOTTED,
    CHARGE_LEAD_IN,
    CHARGED,
    COMPOSITION,
    COORDINATE,
    DONE_BEFORE,
    EXECUTION,
    GIVEN,
    LABEL,
    NOT_A_TASK,
    ONLY_WHEN,
    OPENING,
    PASSIVE_AGENT,
    PRIVATE,
    PROPOSAL_NOUN,
    REFERENCE,
    RESTATED,
    SHORT_NAME,
    STANDING,
    SUBMIT,
    THEN,
    TRIGGER,
    action_phrase,
    in_scope,
    is_task,
    iso_date,
    role_of,
    sentence_parts,
    strip_marker,
    tidy,
    writes_upward,
)
from ingest.structure import APPENDIX_LABELS
from ingest.successions import Successions
from ingest.tagging import Tagger, Tokens, default_tagger
from ingest.task_table import LEAD_FIRST, ROLE_MARK, TaskRow, labelled_task, parse_row

_I = re.IGNORECASE
# A clause's sentences and headings are asked for their deadline once per part: remember the answers.
parse_deadline = lru_cache(maxsize=4096)(_parse_deadline)
DUTIES_VERSION = "duties-v35"  # v35: "hằng tuần vào thứ Sáu": the weekday after its period
# v31: "Ban Chỉ đạo có nhiệm vụ:" addresses the items below
# v30: "X (chủ trì), Y (phối hợp) …", "X chủ trì, cùng Y …"
# v29: "Giám đốc các Sở: Y tế, Tài chính" charges each director
# v28: a task's labelled lines ("- Đơn vị chủ trì: …") say who and by when
# v27: "dự toán giao cho …" is an allotment, not a task
# v25: a recurrence ends with its document's period ("… năm 2022")
# v24: "Ban Quản lý dự án và phát triển quỹ đất"; v23: boards ("Ban chấp hành …") head a name;
# v22: "X ban hành / gửi …" charges X; v21: "Thời gian <việc>: …"; v19: "X theo dõi …"
ROLES = ("chủ trì", "phối hợp", "thực hiện", "tham mưu", "theo dõi, đôn đốc", "báo cáo")
_DESCRIPTIVE = {"Báo cáo", "Tờ trình"}
# a closing request to carry out the whole document, nothing more: "… khẩn trương triển khai thực hiện./."
REQUEST = re.compile(r"\b(?:yêu cầu|đề nghị)\b", re.IGNORECASE)   # asked of them, not "thông báo để … biết"
IMPLEMENT = re.compile(r"(?:triển khai|tổ chức)?\s*thực hiện(?:\s+(?:nghiêm túc|có hiệu quả|kịp thời))?\s*[./]*\s*$",
                       re.IGNORECASE)
_TO_ADDRESSEES = {"Công văn", "Công điện", "Chỉ thị", None}
# The forward-looking sections of a report: what is to be done next, and by whom.
_FORWARD = re.compile(r"nhiệm vụ|giải pháp|tổ chức thực hiện|phương hướng|kiến nghị|đề xuất|thời gian tới", _I)
_ADDRESSEES = "\x00addressees"  # stands for the document's Kính gửi in an addressing line
Assignment = tuple[str, str, str]  # actor as written, role, action


def parse_time(text: str, signed: date | None = None) -> DutyTime:
    return parse_deadline(text, signed)


class DutyExtractor:
    def __init__(self, agencies: AgencyNames | None = None, tagger: Tagger | None = None):
        self.agencies = agencies or AgencyNames.load()
        self.successions = Successions.load()
        self._tagger = tagger
        self._tokens: dict[str, Tokens] = {}
        self._short: dict[str, str] = {}
        self._named: list[tuple[str, str]] = []

    @property
    def tagger(self) -> Tagger | None:
        if self._tagger is None:
            self._tagger = default_tagger()
        return self._tagger

    def extract(self, doc: Document, chunks: list[Chunk]) -> list[Duty]:
        duties: list[Duty] = []
        rows = {offset for offset, _, _ in doc.rows}
        self._short = self._short_names(doc.text)  # this document's "(sau đây gọi tắt là …)" names
        self._named = []                             # (head key, full name) in reading order
        # a công điện's "… điện:" list says whom it is sent to, no Kính gửi: its tasks name their bodies, and
        # its closing ("Nhận Công điện này, yêu cầu …") who carries out the rest
        head = doc.text[:doc.layout.header_end + 2000] if doc.layout else doc.text[:3000]
        called = not any(KINH_GUI.match(line.strip()) for line in head.split("\n"))
        addressees = [] if called else [a for r in doc.header.recipients for a in self._names(r)
                                        if not PRIVATE.match(a)]
        signed = iso_date(doc.header.date)
        # A letter or directive to its subordinates speaks to its addressees where a task names nobody;
        # a report up to the issuer's parent body ("Sở Nội vụ" -> "UBND tỉnh") assigns nothing that way.
        writes_down = doc.header.doc_type in _TO_ADDRESSEES and not writes_upward(doc.header.issuer,
                                                                                   doc.header.recipients)
        # "Nhận Công điện này, yêu cầu Thủ trưởng các phòng, ban; Chủ tịch UBND các xã khẩn trương triển khai
        # thực hiện./.": the closing names who carries out the tasks above that name nobody.
        implementers = self._implementers(chunks)
        pending: tuple[str, list[str]] | None = None  # (clause path, actors) of a line "Giao Sở Tài chính:"
        intro: tuple[str, str] | None = None  # (section, line) of "Trong tháng 12/2025, thực hiện các nhiệm vụ sau:"
        for chunk in chunks:
            if chunk.start in rows:  # a task-table row: its columns say who leads, who helps, by when
                duties.extend(self._row_duties(doc, chunk, signed))
                continue
            if chunk.kind not in ("clause", "closing", "preamble"):
                continue
            task = labelled_task(chunk.text) if chunk.kind == "clause" else None
            if task is not None:   # "Xây dựng …" / "- Đơn vị chủ trì: Sở Nội vụ." / "- Thời gian hoàn thành: …"
                duties.extend(self._row_duties(doc, chunk, signed, task))
                continue
            if pending and not in_scope(pending[0], chunk.clause):
                pending = None
            if any(COMPOSITION.search(h) for h in chunk.headings):
                continue  # "Thành lập Ban Chỉ đạo … gồm các thành viên sau:": who sits on it, not who must act
            context = self._heading_actors(chunk.headings) or (pending[1] if pending else [])
            context = [x for a in context for x in (addressees if a is _ADDRESSEES else [a])]
            # An appendix (forms, criteria, lists after the signature) is no letter to the addressees: a line
            # of it that names nobody assigns nothing, though its headings and table columns may name actors.
            appended = chunk.clause.startswith(APPENDIX_LABELS)
            fallback = [] if appended else implementers or (addressees if writes_down else [])
            # A report or a submission describes; only its explicit requests ("đề nghị …") assign.
            explicit_only = chunk.kind != "clause" or (doc.header.doc_type in _DESCRIPTIVE and not any(
                _FORWARD.search(h) for h in chunk.headings))
            if intro and not chunk.clause.startswith(intro[0] + ","):
                intro = None
            headings = (intro[1], *chunk.headings) if intro else chunk.headings
            found, addressed = self._chunk(chunk.text, context, explicit_only, signed, headings, fallback)
            if addressed and chunk.kind in ("clause", "preamble"):
                pending = (chunk.clause if chunk.kind == "clause" else "", addressed)
            intro = _time_intro(chunk, signed) or intro
            duties.extend(self._duty(doc, chunk, *f) for f in found)
        if addressees and writes_down and all(d.clause.startswith(APPENDIX_LABELS) for d in duties):
            # No sentence of the letter itself names anyone: the whole letter is addressed to its recipients.
            body = [c for c in chunks if c.kind in ("clause", "closing", "preamble")
                    and not c.clause.startswith(APPENDIX_LABELS)]
            if body:
                quote = (sentence_parts(body[0].text) or [("", squash(body[0].text))])[0][1]
                time = self._when(quote, quote, body[0].text, body[0].headings, signed)
                duties = [self._duty(doc, body[0], a, "thực hiện", quote, quote, time) for a in addressees] + duties
        duties = self._completed_names(_results_due(duties))
        return _recurring_until(_dedupe(duties), recurrence_end(doc.header.subject, signed))

    def _completed_names(self, duties: list[Duty]) -> list[Duty]:
        """A body's name of three or more words that begins exactly one longer name in the same
        document is that body, cut short ("Trung tâm Xúc", where a typo "Trung tâm Xúc đầu tư" ends the
        name at a lower-case word, beside "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh"). Not
        a group: "UBND các xã" are not "UBND các xã liên quan"."""
        names = {d.actor for d in duties}
        whole = {}
        for name in names:
            longer = {other for other in names if other.startswith(name + " ")}
            if len(longer) == 1 and len(name.split()) >= 3 and "các" not in name.lower().split():
                whole[name] = longer.pop()
        return [replace(d, actor=whole[d.actor], actor_current=self.successions.current(whole[d.actor]))
                if d.actor in whole else d for d in duties]

    def _implementers(self, chunks: list[Chunk]) -> list[str]:
        """The bodies a closing paragraph asks to carry the document out ("… yêu cầu X, Y khẩn trương
        triển khai thực hiện./.", "Đề nghị các đơn vị nghiêm túc thực hiện."), or []."""
        for chunk in chunks:
            if chunk.kind != "closing":
                continue
            for part, _ in sentence_parts(chunk.text):
                if IMPLEMENT.search(part) and REQUEST.search(part):
                    leads, _, _ = self._part(part)
                    if leads:
                        return [a for a, _, _ in leads]
            break                          # only the paragraph right after the body
        return []

    @staticmethod
    def _when(part: str, sentence: str, text: str, headings: tuple[str, ...], signed) -> DutyTime:
        """The part's own deadline, else its sentence's, else its clause's (the readers of the gold give a
        clause's deadline to each of its parts: measured better than the part alone), else its headings'
        ("b) Trong Quý II/2026:" over the tasks below it)."""
        scopes = [part, sentence, text]
        for scope in (*scopes, *reversed(headings)):
            time = parse_deadline(scope, signed)
            if time.kind != "none":
                return time
        return DutyTime()

    def _chunk(self, text: str, context: list[str], explicit_only: bool, signed, headings: tuple[str, ...] = (),
               fallback: list[str] = ()):
        """Assignments of one clause: (actor, role, action, quote, time) and the actors its last line
        addresses (a line that names actors and no task: the tasks follow)."""
        out = []
        previous: list[str] = []
        addressed: list[str] = []
        parts = sentence_parts(text)
        for part, sentence in parts:
            if out and ONLY_WHEN.match(part) and parse_deadline(part, signed).kind != "none":
                # "Hoàn thành trong tháng 9/2019.": the time of the task before it, not a task of its own
                time = parse_deadline(part, signed)
                last = out[-1][5]
                out = [(*f[:4], time, f[5]) if f[5] == last and f[4].kind == "none" else f for f in out]
                continue
            leads, coordinators, addressing = self._part(part, explicit_only)
            if addressing:
                addressed = addressing
                if _ADDRESSEES not in addressing:
                    previous = list(addressing)  # "Giao Phòng Y tế các việc sau: (1) …; (2) …": its tasks
                continue
            if leads and context and all(RESTATED.match(a) for a, _, _ in leads):
                leads = [(a, role, action) for a in context for _, role, action in leads[:1]]
            if leads:
                previous = [a for a, _, _ in leads]
            elif not explicit_only and is_task(part) and (previous or context or fallback) \
                    and self._opens_with_verb(part):
                who = previous or context or list(fallback)
                leads = [(a, role_of(part), part) for a in who]
            elif SUBMIT.search(part) and (previous or context or fallback):
                leads = [(a, "báo cáo", part) for a in previous or context or list(fallback)]
            time = self._when(part, sentence, text, headings, signed)
            lead_names = {a for a, _, _ in leads}
            for actor, role, action in leads:
                out.append((actor, role, action, sentence, time, part))
            for actor in coordinators:
                if actor not in lead_names:
                    out.append((actor, "phối hợp", part, sentence, time, part))

        return out, addressed

    def _part(self, part: str, explicit_only: bool = False) -> tuple[list[Assignment], list[str], list[str]]:
        """(leads, coordinators, addressed) of one sentence part."""
        executing = self._execution(part)
        if executing:
            return executing, [], []
        leads: list[Assignment] = []
        addressed_to: list = []
        described = False                    # an assignment reported, not made: its partners are not asked either
        for m in TRIGGER.finditer(part):
            word = m.group(0).split()[0]
            if word[0].isupper() and m.start() > 0 and part[:m.start()].rstrip()[-1:] not in (":", "."):
                continue  # "Ban Chỉ đạo", "Tổ Giao …": part of a name, not the verb ("…: Đề nghị X" is one)
            if word.lower() == "đề" and (PROPOSAL_NOUN.search(part[:m.start()]) or part[m.end():].startswith("của ")):
                continue  # "Hồ sơ đề nghị …", "theo đề nghị của Sở …": a proposal named, not a request
            if word.lower() == "giao" and ALLOTTED.search(part[:m.start()]):
                continue  # "Kinh phí … sử dụng trong dự toán giao cho các cơ quan …": an allotment, not a task
            if GIVEN.search(part[:m.start()]) or DONE_BEFORE.search(part[:m.start()]):
                described = True
                continue  # "nhiệm vụ do UBND tỉnh giao …", "UBND tỉnh đã có văn bản giao …": described, not assigned
            spans = self._agencies(part, m.end())
            if not spans and SUBMIT.match(part, m.start()):
                owner = self._owner_before(part, m.start())
                if owner:
                    return [(a, "báo cáo", part) for a in self._actors(owner)], [], []
                continue
            if not spans:
                if part.rstrip().endswith(":") and not leads:
                    addressed_to = [_ADDRESSEES]  # "Bộ Công an đề nghị Quý cơ quan …:" speaks to the Kính gửi
                continue
            marked = self._role_marked(part, spans)
            if marked:   # "Giao Sở Xây dựng (chủ trì), Sở Tài chính (phối hợp) rà soát …": each as marked
                roles, at = marked
                task = part[at:].strip(" ,;")
                leads.extend((a, "chủ trì", task) for a, role in roles if role == "chủ trì")
                return leads, [a for a, role in roles if role == "phối hợp"], []
            rest = part[spans[-1].end:]
            directing = word.lower() in ("chỉ đạo", "nhắc nhở") or m.group(0).lower().startswith("chỉ đạo")
            if directing and explicit_only:
                continue  # a report's "Ban Chỉ đạo tỉnh tiếp tục chỉ đạo các cơ quan …": what was done, not asked
            if directing:
                # "UBND huyện chỉ đạo phòng Tài nguyên … lập hồ sơ": both act; without a named subject
                # ("Chỉ đạo các sở …" under "1. Công an tỉnh") it is the addressee's own task.
                subject = self._subject_before(part, m.start()) if m.start() else []
                if not subject:
                    continue
                leads.extend((a, "thực hiện", part[m.start():]) for a in self._actors(subject))
            if part.rstrip().endswith(":") and not leads:
                return [], [], self._actors(spans)  # "… đề nghị UBND tỉnh thực hiện một số nội dung sau:"
            if not rest.strip(" :.") and not leads and m.start() < len(part) // 2 + 10:
                return [], [], self._actors(spans)
            leads.extend((a, role_of(rest), rest) for a in self._actors(spans))
            break  # a later "chỉ đạo X" or "đề nghị X" inside the task is its content, not another duty
        if not leads and addressed_to:
            return [], [], addressed_to
        if not leads and not explicit_only:
            subject = self._subject(part)
            if subject is not None:
                spans, rest = subject
                if not rest.strip(" :.;") or CHARGE_LEAD_IN.match(rest):
                    # "3. Sở Tài chính:", "Ban Chỉ đạo có nhiệm vụ:" address the lines that follow; a bare
                    # name in a list does not
                    return [], [], self._actors(spans)
                if not self._opens_with_verb(rest.lstrip(" :")):
                    return [], [], []  # "Phó Trưởng ban thường trực …", "Trưởng ban: Ông …": a title, not a task
                if NOT_A_TASK.match(rest.lstrip(" :")):
                    return [], [], []  # "UBND tỉnh ghi nhận …", "Trung tâm kính trình …": said, not assigned
                leads = [(a, role_of(rest.lstrip(" :")), rest.lstrip(" :")) for a in self._actors(spans)]
        coordinators = []
        for m in COORDINATE.finditer(part) if leads or not described else ():
            coordinators.extend(self._actors(self._agencies(part, m.end())))
        return leads, coordinators, []

    def _role_marked(self, part: str, spans: list[Span]) -> tuple[list[tuple[str, str]], int] | None:
        """([(actor, "chủ trì" | "phối hợp")], where the task begins) of an agency list whose names carry
        their role in brackets ("Sở Xây dựng (chủ trì), Sở Tài chính (phối hợp) rà soát …"), read on
        from the last of `spans`; None when the first name carries none."""
        roles: list[tuple[str, str]] = []
        names, at = list(spans), spans[-1].end
        while True:
            mark = ROLE_MARK.match(part, at)
            if not mark:
                break
            roles.extend((a, mark.group(1).lower()) for a in self._actors(names))
            at = mark.end()
            goes_on = _LIST_GOES_ON.match(part, at)
            following = self._agencies(part, goes_on.end()) if goes_on else []
            if not following:
                break
            names, at = following, following[-1].end
        return (roles, at) if roles and any(role == "chủ trì" for _, role in roles) else None

    def _execution(self, part: str) -> list[Assignment]:
        """The bodies an execution article names, each item of its ';' list whole: a name the
        recogniser stops inside ("Trưởng ban Vì sự tiến bộ của phụ nữ tỉnh") runs to its separator."""
        m = EXECUTION.search(part)
        if not m:
            return []
        action, actors = part[m.start():].strip(" ./"), []
        for item in re.split(r"\s*;\s*", part[:m.start()]):
            item = strip_marker(item).strip(" ,")
            spans = self._agencies(item, 0)
            if not spans:
                continue
            names = self._actors(spans)
            if item[spans[-1].end:].strip(" ,.") and not THEN.match(item[spans[-1].end:].strip(" ,")):
                names[-1] = item[spans[-1].start:].strip(" ,")
            # "Giám đốc các Sở: Y tế, Tài chính, Nội vụ": each director
            actors.extend(x for n in names for x in enumerated(n, self.agencies.canonical))
        return [(a, "thực hiện", action) for a in actors]

    def _owner_before(self, part: str, at: int) -> list[Span]:
        """"Số liệu của các bộ, ngành, địa phương đề nghị gửi …": the agencies after the last "của"
        before `at`, when they run up to it."""
        owners = [m.end() for m in re.finditer(r"(?<!\w)của\s+", part[:at])]
        spans = self._agencies(part, owners[-1]) if owners else []
        return spans if spans and not part[spans[-1].end:at].strip() else []

    def _subject_before(self, part: str, at: int) -> list[Span]:
        """The agencies whose list ends just before `at` and starts the part or follows a comma or
        colon: "UBND huyện" in "Đối với …, UBND huyện chỉ đạo phòng …"."""
        subject = self._subject(part[:at].rstrip() + " x")
        if subject:
            return subject[0]
        for m in re.finditer(r"[,:]\s+", part[:at]):
            spans = self._agencies(part, m.end())
            if spans and not part[spans[-1].end:at].strip():
                return spans
        return []

    def _subject(self, part: str) -> tuple[list[Span], str] | None:
        then = part.rfind(" thì ", 0, 300)
        if then > 0:  # "Đối với …, thì người đứng đầu cơ quan … phải …": the subject follows the condition
            found = self._subject(part[then + len(" thì "):])
            if found:
                shift = then + len(" thì ")
                return [Span(s.start + shift, s.end + shift, s.text) for s in found[0]], found[1]
        at = 0
        for _ in range(3):
            spans = self._agencies(part, at)
            if spans:
                rest = part[spans[-1].end:]
                charged = CHARGED.search(rest) if rest.lstrip().startswith("là ") else None
                if charged:  # "Sở Nội vụ là cơ quan thường trực …, có trách nhiệm giúp …": the task follows
                    return spans, rest[charged.start():].lstrip(" ,")
                standing = STANDING.match(rest)
                if standing and self._opens_with_verb(rest[standing.end():]):
                    return spans, rest[standing.end():]   # "… là cơ quan thường trực, theo dõi, đôn đốc …"
                if rest.strip() and THEN.match(rest.strip(" ,")) and not rest.lstrip().startswith(":"):
                    return None  # "Sở Nội vụ của tỉnh …", "UBND tỉnh đã …": not the subject of a task
                if rest.lstrip()[:1] in (",", ")", "("):
                    return None
                return spans, rest
            m = OPENING.match(part[at:]) or (LABEL.match(part[at:]) if at == 0 else None)
            if not m or PASSIVE_AGENT.search(m.group(0)):
                return None  # "Đối với nội dung được UBND tỉnh, Chủ tịch UBND tỉnh giao …": an agent, not a subject
            at += m.end()
        return None

    def _opens_with_verb(self, text: str) -> bool:
        text = text.strip()
        if not text or not self.tagger:
            return bool(text)
        if role_of(text) != "thực hiện" or ADVERBS.match(text) or OPENING.match(text):
            return True  # "Chủ trì, …", "Khẩn trương …", "Đồng thời, …": the tagger calls some of these nouns
        return self._tokens_of(text).first_tag in ("V", "R", "A")

    def _agencies(self, text: str, at: int) -> list[Span]:
        return agency_list(text, at, tokens=self._tokens_of(text))

    def _tokens_of(self, text: str) -> Tokens:
        tokens = self._tokens.get(text)
        if tokens is None:  # one tagging per sentence part, however many lists are looked for in it
            if len(self._tokens) > 256:
                self._tokens.clear()
            tokens = self._tokens[text] = Tokens(text, self.tagger)
        return tokens

    def _actors(self, spans: list[Span]) -> list[str]:
        names = [s.text.strip(" ,;:.") for s in spans if s.text.strip(" ,;:.")]
        out = [self._short.get(agency_key(n)) or self._named_before(n) or n for n in names]
        for name in out:                   # remembered, in reading order, for a later bare "Trung tâm"
            words = name.split()
            for n in range(1, min(4, len(words))):
                if bare_head(" ".join(words[:n])) and not bare_head(" ".join(words[:n + 1])):
                    self._named.append((agency_key(" ".join(words[:n])), name))
                    break
        return out

    def _named_before(self, name: str) -> str | None:
        """A bare head ("Trung tâm") as the body of that head this document named last."""
        if not bare_head(name):
            return None
        key = agency_key(name)
        return next((full for head, full in reversed(self._named) if head == key), None)

    def _short_names(self, text: str) -> dict[str, str]:
        """"Ban Chỉ đạo về dữ liệu tỉnh Lâm Đồng (sau đây gọi tắt là Ban Chỉ đạo)": short key -> full name."""
        out: dict[str, str] = {}
        for m in SHORT_NAME.finditer(text):
            before = squash(text[max(0, m.start() - 200):m.start()])
            spans = find_agencies(before, self.tagger)
            full = before[spans[-1].start:].strip() if spans else ""
            short = m.group("short").strip()
            if not (short.isupper() or self._agencies(short, 0)):
                continue  # "(sau đây gọi tắt là Quyết định số …)" names a document, not a body
            if full and len(full.split()) <= 15:  # the name runs from its head up to the parenthesis
                out[agency_key(m.group("short"))] = full
        return out

    def _names(self, phrase: str) -> list[str]:
        spans = agency_list(phrase.strip(" -+•;:."), 0, self.tagger)
        return self._actors(spans) if spans else ([phrase.strip(" -+•;:.")] if phrase.strip(" -+•;:.") else [])

    def _heading_actors(self, headings: tuple[str, ...]) -> list[str]:
        """The actors the nearest addressing heading names: "3. Giao Sở Nội vụ:", "a) Công an tỉnh",
        "2. Đối với cán bộ, công chức …", "Điều 3. Nhiệm vụ và quyền hạn của Ban Chỉ đạo"."""
        for heading in reversed(headings):
            last = (sentence_parts(strip_marker(heading)) or [("", "")])[-1][0]
            about = ABOUT.match(last)
            if about:
                who = last[about.end():].strip(" :")
                spans = self._agencies(who[:1].upper() + who[1:], 0)
                if spans:
                    return self._actors(spans)
            _, _, addressed = self._part(last)
            if addressed:
                return addressed
        return []

    def _row_duties(self, doc: Document, chunk: Chunk, signed, row: TaskRow | None = None) -> list[Duty]:
        row = row or parse_row(squash(chunk.text))
        if not row.is_assignment:
            return []  # a table of figures or names assigns nothing
        time = parse_cell_deadline(row.deadline, signed) if row.deadline else DutyTime()
        out = []
        for role, cell in row.actors:
            for n, actor_text in enumerate(self._cell_actors(cell, doc.header.province)):
                if role == LEAD_FIRST:   # one "Chủ trì, phối hợp" column: the first body named leads
                    role_of_this = "chủ trì" if n == 0 else "phối hợp"
                else:
                    role_of_this = role
                out.append(self._duty(doc, chunk, actor_text, role_of_this, row.task or row.product,
                                      squash(chunk.text), time))
        return out

    def _cell_actors(self, cell: str, province: str | None) -> list[str]:
        """The bodies a table cell names, by the same recognizer as the text ("Trung tâm Công nghệ thông
        tin tỉnh, Trung tâm Phục vụ hành chính công và các cơ quan liên quan" is three). A cell holds
        names only, so a name the recognizer stops inside runs on to the next name; a cell it finds
        nothing in is split by the alias table, or kept whole."""
        out: list[str] = []
        for piece in re.split(r"\s*[;\n]\s*|\s+-\s+", cell):
            piece = strip_marker(piece).strip(" ,.")
            at = 0
            while piece and at < len(piece):
                spans = self._agencies(piece, at)
                if not spans:
                    if at == 0:
                        out.extend(text for text, _ in self.agencies.split(piece, province, keep_generic=True))
                    break
                last = spans[-1]
                separators = re.finditer(r"\s*(?:[,;]|\bvà\b)\s*", piece[last.end:])
                stop, resume = next(((last.end + m.start(), last.end + m.end()) for m in separators
                                     if self._agencies(piece, last.end + m.end())), (len(piece), len(piece)))
                gap = piece[last.end:stop]
                if gap.strip(" ,;") and not _role_word(gap):
                    last = Span(last.start, stop, piece[last.start:stop])
                out.extend(self._actors([*spans[:-1], last]))
                at = resume
        return list(dict.fromkeys(out))

    def _duty(self, doc: Document, chunk: Chunk, actor_text: str, role: str, action: str, quote: str,
              time: DutyTime, part: str = "") -> Duty:
        actor = self.agencies.canonical(actor_text, doc.header.province) or tidy(actor_text)
        return Duty(
            duty_id=content_id(chunk.chunk_id, actor, part or quote), doc_id=doc.doc_id, document=doc.name,
            province=doc.header.province, actor=actor, actor_text=actor_text, role=role,
            action=action_phrase(action or quote), quote=quote, clause=chunk.clause, chunk_id=chunk.chunk_id,
            start=chunk.start, end=chunk.end, time=time,
            references=tuple(dict.fromkeys(m.group(0) for m in REFERENCE.finditer(quote))),
            actor_current=self.successions.current(actor))


def _recurring_until(duties: list[Duty], until: str | None) -> list[Duty]:
    """A document for a period ("Kế hoạch … năm 2022") asks for what recurs within it only."""
    if not until:
        return duties
    return [replace(d, time=replace(d.time, until=until)) if d.time.kind == "recurring" else d for d in duties]


# the comma, semicolon or "và" after a name's "(chủ trì)" / "(phối hợp)", before the next name
_LIST_GOES_ON = re.compile(r"\s*(?:,|;|\bvà\b)\s*", re.IGNORECASE)


def _role_word(text: str) -> bool:
    """"chủ trì", "phối hợp", "thực hiện" after a name in a cell: the role, not more of the name."""
    text = text.strip(" ,;")
    return role_of(text) != "thực hiện" or text.lower().startswith(("thực hiện", "tham gia"))


def _time_intro(chunk: Chunk, signed) -> tuple[str, str] | None:
    """(section, line) when a paragraph of a section ends in ':' and sets the time of what follows:
    "III. … / Trong tháng 12/2025, tập trung thực hiện những nhiệm vụ trọng tâm sau đây:" gives its
    time to every task of section III below it, as the tasks' own headings would."""
    line = squash(chunk.text)
    section, _, last = chunk.clause.rpartition(", ")
    if not (line.endswith(":") and section and last.startswith("đoạn")):
        return None
    return (section, line) if parse_deadline(line, signed).kind not in ("none", "ongoing") else None


# "Kết quả rà soát … đề nghị gửi về Bộ Công an trước ngày 15/10/2025", "Số liệu … gửi về Bộ Nội vụ trước …":
# a sentence about the results of the tasks just asked for, and when they are due.
_RESULTS_DUE = re.compile(r"^(?:kết quả|số liệu|báo cáo|văn bản|hồ sơ|ý kiến|danh sách)\b.{0,300}?\b(?:gửi|nộp)\b",
                          re.IGNORECASE)


def _results_due(duties: list[Duty]) -> list[Duty]:
    """The tasks of a section that name no deadline are due when the section says their results are
    due ("Đề nghị các bộ … rà soát …. Số liệu … đề nghị gửi về Bộ Nội vụ trước ngày 10/8/2025")."""
    out = list(duties)
    waiting: list[int] = []
    section = None
    for i, d in enumerate(out):
        parent = d.clause.rsplit(", ", 1)[0] if ", " in d.clause else ""
        if parent != section:
            waiting, section = [], parent
        if _RESULTS_DUE.match(d.quote) and d.time.date:
            for k in waiting:
                out[k] = replace(out[k], time=d.time)
            waiting = []
        elif not d.time.text:
            waiting.append(i)
    return out


def _dedupe(duties: list[Duty]) -> list[Duty]:
    """One duty per (clause, sentence part, actor): the first role found wins (the clause's own wording)."""
    seen, out = set(), []
    for d in duties:
        if d.duty_id not in seen:
            seen.add(d.duty_id)
            out.append(d)
    return out
