"""The answers read from the duty table rather than from retrieved text: what an agency must do
("Sở Nội vụ phải làm gì?", with a topic, a count, a span of due dates or a recurrence), what a
department no duty names must do all the same (the duties of "các sở, ban, ngành"), that a body no
duty names has none, what one named document assigns, and which documents were sent to a body.
ask.py routes questions to them."""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answer.compound import merged
from assistant.answer.due import DueWindow, Recurrence
from assistant.answer.duties import DutyAnswerer, order_duties
from assistant.answer.extractive import ExtractiveAnswerer, cite
from assistant.answer.issued import folded_key, issuing_body, same_issuer
from assistant.answer.named import DOCUMENT_WORDS
from assistant.library import Library
from assistant.prompts import render
from core.text import fold, folded_words, nfc
from core.types import Answer, Hit, filled_number
from ingest.actors import find_agencies, led_body
from ingest.agencies import body_key
from ingest.agency_words import HOLDER, ORG_HEADS
from ingest.provinces import current_province, provinces_in, provinces_named, same_province
from ingest.tagging import Tokens

WHO = re.compile(r"^(ai|co quan nao|don vi nao|ai la nguoi)\b|\b(la ai|ai chiu|ai phai|ai chu tri|ai co trach nhiem)\b")
DUTY_CUE = re.compile(r"\b(phai lam gi|lam gi|lam nhung gi|nhiem vu gi|nhiem vu nao|nhung nhiem vu|duoc giao|"
                      r"trach nhiem gi|nhung viec gi|viec gi|nhung viec nao|phai thuc hien nhung|giao cho|"
                      r"liet ke|cac nhiem vu|bao nhieu nhiem vu|may nhiem vu|"
                      r"(?:nhung|cac) viec (?:\w+ )*?(?:phai|can) (?:lam|thuc hien)|phai lam (?:trong|truoc|den|tu))\b")
_DIRECTS = re.compile(r"\b(?:yêu cầu|đề nghị|giao cho|giao|chỉ đạo)\s+", re.IGNORECASE)
# "Chỉ thị … yêu cầu những gì?", "… chỉ đạo gì?": what a named document asks is its duty table
_REQUIRES = re.compile(r"\b(?:yeu cau|de nghi|chi dao|giao)\s+(?:nhung\s+)?(?:gi|viec gi|noi dung gi|nhung gi|"
                       r"nhung viec gi|nhung noi dung gi)\b")
_OVERVIEW = re.compile(r"\b(tom tat|tom luoc|noi ve (?:viec )?(?:gi|nhung gi)|ve viec gi|"
                       r"noi dung (?:chinh )?(?:la )?gi|noi dung chinh)\b")
# the heads agency names begin with ("bộ", "sở", "ủy ban nhân dân" …), folded, longest first
_HEADS = sorted((tuple(folded_words(h).split()) for h in ORG_HEADS), key=len, reverse=True)
# a group that names every provincial department: its duties are each department's
_EVERY_DEPARTMENT = re.compile(r"\bcac so\b|\bso ban nganh\b|\bso nganh\b|\bgiam doc so\b|\bthu truong so\b")
_SENT_TO = re.compile(r"\b(van ban nao|nhung van ban|cac van ban|van ban gi)\b.*\b(gui|giao viec|giao nhiem vu|"
                      r"noi nhan|kinh gui)\b")


@dataclass
class DutyRoutes:
    library: Library
    duty_answerer: DutyAnswerer
    answerer: ExtractiveAnswerer
    candidates: int = 30

    def agency_duties(self, question: str, hits: list[Hit], documents, provinces):
        """'Sở Nội vụ phải làm gì?': (agencies, all their duties in order, provinces asked about),
        from the duty table; None when the question is not of that kind."""
        q = folded_key(question)
        if WHO.search(q) or not DUTY_CUE.search(q):
            return None
        actors = self.library.agencies_named_in(self.asked_of(question))
        if not actors:
            return None
        wanted_provinces = set(provinces or ()) | named_provinces(question, hits)

        def in_scope(ds):
            return [d for d in ds if (not documents or d.document in documents)
                    and (not wanted_provinces or any(same_province(d.province, p) for p in wanted_provinces))]
        per_actor = {actor: in_scope(self.library.duties(actor=actor)) for actor in actors}
        for actor in list(actors):
            # "Công điện … yêu cầu UBND các xã làm gì?" where it charges "Chủ tịch UBND các xã, thị trấn",
            # "Sở Tư pháp phải làm gì?" where a decision charges "Giám đốc Sở Tư pháp" with carrying it out:
            # what a body's head is charged with is what the document asks of that body, named as written
            heads = [h for h in self.library.heads_of(actor) if h not in per_actor]
            for head in heads:
                per_actor[head] = in_scope(self.library.duties(actor=head))
            heads = [h for h in heads if per_actor[h]]
            if heads:
                actors = [h for a in actors for h in ([a] if a != actor else [a, *heads] if per_actor[a] else heads)]
        duties = list({d.duty_id: d for ds in per_actor.values() for d in ds}.values())  # predecessors share duties
        headed = places_headed(question, {d.doc_id for d in duties}, self.library.header_chunks())
        where = set().union(*headed.values())
        if where:   # "Phòng Y tế huyện Krông Nô": the documents of that district, not another's
            duties = [d for d in duties if d.doc_id in where]
        actors = [a for a in actors if per_actor[a]] or actors   # "các xã": only the bodies that have duties here
        relevance = {h.chunk.chunk_id: i for i, h in enumerate(hits)}
        topical = len(beyond_agency(question, actors, wanted_provinces)) >= 2
        ordered = order_duties(duties, relevance, wanted_provinces, topical) if duties else []
        ordered.sort(key=lambda d: not self.library.validity_of(d.doc_id).current)  # in force first, stable
        return actors, ordered, wanted_provinces

    def asked_of(self, question: str) -> str:
        """The part of a duty question about the bodies it asks of: after the directive verb in
        "UBND huyện Krông Nô yêu cầu | các xã làm gì về …?" (a body named on both sides of it: the one
        after is charged, the one before charges), else the whole question."""
        split = self._directed(question)
        return split[1] if split else question

    def requester_documents(self, question: str, documents=None) -> list[str] | None:
        """"Sở Tư pháp đề nghị Đoàn Luật sư làm gì?": the loaded documents (file names) that the body
        asking issued, the one before the directive verb; None when the question names no such body
        or it issued none of them (then every document is searched, as before)."""
        split = self._directed(question, known_asker=False)
        if split is None:
            return None
        spans = find_agencies(split[0], self.library.duty_extractor.tagger)
        if not spans:
            return None
        body = folded_key(spans[-1].text)
        found, unknown = [], []
        for doc_id, header in self.library.headers.items():
            issuer = issuing_body(header.issuer)
            head = self.library.header_chunks().get(doc_id)
            if head is None or (documents and head.document not in documents):
                continue
            if not issuer:   # a copy without its header block may be that body's too: not left out
                unknown.append(head.document)
                continue
            if same_issuer(issuer, body):
                found.append(head.document)
        return sorted({*found, *unknown}) if found else None

    def _directed(self, question: str, known_asker: bool = True) -> tuple[str, str] | None:
        """(the part before the directive verb, the part after it) when a body before it asks one
        after it; None when the question is not of that form. `known_asker`: the body before must be
        one the duty table names (else its name's shape is enough: an issuer need not be charged)."""
        for verb in _DIRECTS.finditer(question):
            tagger = self.library.duty_extractor.tagger   # loaded only for a question with such a verb
            after, before = question[verb.end():], question[:verb.start()]
            if re.search(r"\b(?:được|bị|đã)\s*$", before, re.IGNORECASE):
                continue   # "Sở Tài chính được giao …": the body before is the one charged
            opens = re.match(r"(?:các|những)\s", after, re.IGNORECASE) or \
                self.library.agencies.subject_of(after, self.library.known_actors)
            if not (self.library.agencies_named_in(before) or (not known_asker and find_agencies(before, tagger))):
                continue
            if opens and self.library.agencies_named_in(after):
                return before, after
            # "Sở Tư pháp yêu cầu Hội công chứng viên làm gì?": a body no duty names yet is still the
            # one asked about, never the one that asks (recognised by the shape of its name)
            if any(span.start == verb.end() for span in find_agencies(question, tagger)):
                # (the whole question tagged: alone, "Hội công chứng viên làm gì" reads as a verb)
                return before, after
            if Tokens(after.lower(), None).match(0, HOLDER):
                return before, after   # "… yêu cầu người đứng đầu / thủ trưởng làm gì?": office holders, in lower case
        return None

    def document_duties(self, question: str, named_head) -> Answer | None:
        """Every duty of the one document the question names, in the document's order, when it asks
        what that document assigns (or for its gist: its header first) and names no agency; None
        otherwise (or when it assigns none)."""
        q = folded_key(question)
        if named_head is None or WHO.search(q) or not (DUTY_CUE.search(q) or _OVERVIEW.search(q)
                                                       or _REQUIRES.search(q)) \
                or self.library.agencies_named_in(question):
            return None
        duties = sorted(self.library.duties(document=named_head.document), key=lambda d: d.start)
        if not duties:
            return None
        actors = list(dict.fromkeys(d.named for d in duties))
        heading = render("document_duties", count=str(len({d.chunk_id for d in duties})), actors=str(len(actors)))
        listed = self.duty_answerer.answer(question, actors, duties, self.library.chunks(), heading=heading,
                                           name_each=True)
        if not _OVERVIEW.search(q):
            return listed
        # "Tóm tắt công văn 1468", "… nói về việc gì?": what the document is (its header), then what it assigns
        facts = self.answerer.answer(question, [Hit(chunk=named_head, score=1.0)], self.library.headers)
        return merged([("", facts), ("", listed)], question, headed=False)

    def counted_duties(self, question: str, k: int, documents, provinces, named_head=None) -> Answer | None:
        """"Sở Nội vụ được giao bao nhiêu nhiệm vụ?": the agency's duties with their count, before the
        answerability gate (no clause states such a count; the table does). A province the question
        names that no loaded document belongs to gets none. None when no agency is asked about."""
        hits = self.library.search(question, max(k, self.candidates), documents, provinces)
        route = self.agency_duties(question, hits, documents, provinces)
        if route is None:
            return None
        actors, duties, wanted = route
        loaded = set().union(*(provinces_in(p) for p in wanted)) if wanted else set()
        elsewhere = sorted(provinces_named(question) - loaded)
        if elsewhere:   # "… tỉnh Quảng Ninh …" with no document of Quảng Ninh loaded
            return self.no_duties(question, actors, [current_province(key) or key for key in elsewhere])
        if not duties:
            return self.no_duties(question, actors, sorted(wanted), named_head)
        return self.duty_answerer.answer(question, actors, duties, self.library.chunks())

    def unassigned(self, question: str, documents, provinces, requested: list[str] | None = None) -> Answer | None:
        """A duty question about a body that no duty names: a department gets the duties every department
        has ("Sở Y tế phải làm gì?"), another body is told none is found ("Bộ Công an …"). Answered from
        the table before the vocabulary gate: the corpus need not know the body's words. None otherwise.
        `requested`: the documents the body that asks issued (`requester_documents`), read instead."""
        q = folded_key(question)
        if WHO.search(q) or not DUTY_CUE.search(q):
            return None
        named = self.loaded_provinces_in(question)   # (no retrieval: the table answers these)
        shared = self.shared_duties(question, named, documents, provinces)
        if shared is not None:
            return shared
        addressed = self.addressed_duties(question, documents, provinces)
        if addressed is not None:
            return addressed
        if self.library.agencies_named_in(question) or requested:
            return None   # (what a body that issued loaded documents asks is read from them)
        unknown = self.unknown_body(question)
        if unknown is None:
            return None
        return self.no_duties(question, [unknown], [p for p in sorted(named) if p not in unknown])

    def loaded_provinces_in(self, question: str) -> set[str]:
        """The provinces of loaded documents that the question writes ('… ở Cao Bằng?')."""
        q = f" {folded_key(question)} "
        return {p for p in self.library.provinces if f" {folded_key(p)} " in q}

    def shared_duties(self, question: str, named: set[str], documents, provinces) -> Answer | None:
        """"Sở Y tế phải làm gì?" where no duty names Sở Y tế: the duties the documents give every
        department ("Thủ trưởng các sở, ban, ngành tỉnh", "các sở, ngành"), which are its too, said as
        such; None when the question names no department or asks no duties."""
        q = folded_key(question)
        if WHO.search(q) or not DUTY_CUE.search(q):
            return None
        known = self.library.known_actors
        split = self._directed(question, known_asker=False)   # "Sở Tư pháp đề nghị Đoàn Luật sư …": the Sở asks
        asked_of = split[1] if split else question
        asked = [a for a in self.library.agencies.mentioned_in(asked_of, known) if a.startswith("Sở ")]
        groups = sorted(a for a in known if _EVERY_DEPARTMENT.search(folded_key(a)) and not _one_body(a))
        if not asked or not groups:
            return None
        wanted = set(provinces or ()) | named

        def in_scope(duties):
            return [d for d in duties if (not documents or d.document in documents)
                    and (not wanted or any(same_province(d.province, p) for p in wanted))]
        own = self.library.agencies_named_in(asked_of)
        # "Sở Khoa học và Công nghệ phải làm gì theo các văn bản của Cao Bằng?": a department the
        # table names elsewhere, but not in the province asked about, has there what every one has
        if own and (not wanted or any(in_scope(self.library.duties(actor=a, with_heads=True)) for a in own)):
            return None
        duties = [d for g in groups for d in in_scope(self.library.duties(actor=g))]
        if not duties:
            return None
        duties = order_duties(list({d.duty_id: d for d in duties}.values()), {}, wanted)
        topic = topic_missing(question, asked + groups, wanted, duties, self.library.chunks(),
                              self.library.header_chunks())
        if topic:   # "Sở Y tế phải làm gì về dịch tả lợn?": nor do the duties every department has
            return Answer(question=question, refused=True, not_found=(topic,),
                          text=render("duty_none_topic", actors=", ".join(asked), topic=topic))
        where = f" của {', '.join(sorted(wanted))}" if wanted else ""
        heading = render("duty_shared", actors=", ".join(asked), count=str(len({d.chunk_id for d in duties})),
                         where=where)
        return self.duty_answerer.answer(question, groups, duties, self.library.chunks(), heading=heading,
                                         name_each=True)

    def addressed_duties(self, question: str, documents, provinces, actors: list[str] | None = None) -> Answer | None:
        """"UBND xã phải làm gì?" where no duty names it, but a letter sent to it ("Kính gửi: … Ủy ban nhân
        dân các xã, phường") asks its addressees as a whole ("đề nghị các cơ quan, đơn vị, địa phương …"):
        those duties, said to be the addressees'. None when no such letter is loaded. `actors`: the
        bodies asked about (else the one the question names)."""
        q = folded_key(question)
        if WHO.search(q) or not DUTY_CUE.search(q):
            return None
        recipients = self.library.recipients()
        asked = actors or [s.text for s in find_agencies(self.asked_of(question))][:1]
        if not asked:
            return None
        wanted = set(provinces or ()) | self.loaded_provinces_in(question)
        issued = {doc_id for doc_id, h in self.library.headers.items()   # its own letter asks the others
                  if any(_addressed_to(a, issuing_body(h.issuer)) for a in asked)}
        letters = {doc_id for doc_id, names in recipients.items() if doc_id not in issued
                   and any(via == "Kính gửi" and _addressed_to(a, name) for name, via in names.items() for a in asked)}
        duties = [d for ds in self.library.duties_by_chunk.values() for d in ds
                  if d.doc_id in letters and d.role != "phối hợp" and _COLLECTIVE.match(d.actor.strip())
                  and (not documents or d.document in documents)
                  and (not wanted or any(same_province(d.province, p) for p in wanted))]
        if not duties:
            return None
        groups = sorted({d.actor for d in duties})
        duties = order_duties(list({d.duty_id: d for d in duties}.values()), {}, wanted)
        heading = render("duty_addressed", actors=", ".join(asked), count=str(len({d.chunk_id for d in duties})),
                         documents=str(len({d.doc_id for d in duties})))
        return self.duty_answerer.answer(question, groups, duties, self.library.chunks(), heading=heading,
                                         name_each=True)

    def unknown_body(self, question: str) -> str | None:
        """The body a duty question asks about by a name no duty holds ("Bộ Công an phải làm gì?"): its
        subject, when that begins with the head of an agency's name and goes on capitalised. (Called
        by `unassigned`, which has ruled out who-questions.)"""
        words = re.findall(r"\w+", question)
        folded = [folded_words(w) for w in words]
        m = DUTY_CUE.search(" ".join(folded))
        if not m:
            return None
        subject = words[:len(" ".join(folded)[:m.start()].split())]
        while subject and folded_words(subject[-1]) in _AUXILIARIES:   # "… có nhiệm vụ gì?"
            subject = subject[:-1]
        head = next((h for h in _HEADS if tuple(folded[:len(h)]) == h), None)
        if head is None or not any(w[:1].isupper() or w[:1].isdigit() for w in subject[len(head):]):
            return None   # "Trường học phải làm gì?": no name after the head ("Ban Chỉ đạo 389" has one)
        name = " ".join(subject)
        # a body the documents speak of without charging it ("Thành lập Ban Vì sự tiến bộ của phụ nữ
        # tỉnh …"): what they say of it is the answer, found by retrieval
        key = f" {folded_key(name)} "
        if any(key in f" {folded_key(h.chunk.text)} " for h in self.library.search(name, 5, mode="bm25")):
            return None
        return name

    def no_duties(self, question: str, actors: list[str], places: list[str], named_head=None) -> Answer:
        """"Không tìm thấy nhiệm vụ nào của X ở …"; for a document the question named (its header
        clause `named_head`): "*Kế hoạch …* không giao nhiệm vụ nào cho X", and how many others do."""
        who, where = ", ".join(actors), f" ở {', '.join(places)}" if places else ""
        if named_head is None:
            return Answer(question=question, refused=True, text=render("duty_none", actors=who, where=where))
        elsewhere = {d.document for a in actors for d in self.library.duties(actor=a)}
        text = render("duty_none_named", actors=who, where=where, title=named_head.title or named_head.document)
        if elsewhere:
            text += render("duty_elsewhere", actors=who, documents=str(len(elsewhere)))
        return Answer(question=question, refused=True, text=text)

    def due_duties(self, question: str, window: DueWindow | Recurrence, k: int, documents, provinces) -> Answer | None:
        """"Sở Tài chính phải làm gì trước ngày 30/6/2026?", "Nhiệm vụ nào đến hạn trong tháng 12/2026?":
        the duties (of the agency named, else of every agency) due in the window, earliest first,
        with how many others were left out. None when the question names an agency without asking
        for its duties ("Ai …?")."""
        hits = self.library.search(question, max(k, self.candidates), documents, provinces)
        route = self.agency_duties(question, hits, documents, provinces)
        if route is not None:
            actors, duties, wanted = route
        elif self.library.agencies_named_in(question):
            return None
        else:
            actors, wanted = [], set(provinces or ()) | named_provinces(question, hits)
            duties = [d for d in self.library.duties() if (not documents or d.document in documents)
                      and (not wanted or any(same_province(d.province, p) for p in wanted))]
        due = sorted((d for d in duties if window.holds(d)),
                     key=lambda d: (not self.library.validity_of(d.doc_id).current, d.time.date or "", d.document,
                                    d.start))
        off_topic = 0
        if not actors and due:
            # "Ai phải báo cáo Bộ Nội vụ trước ngày 10/8/2025?": the duties due then that are about it
            words = [w for w in folded_key(_DATES.sub(" ", question)).split() if w not in _DUE_QUESTION_WORDS]
            pairs = {f"{a} {b}" for a, b in zip(words, words[1:])}
            about = _about(due, pairs, self.library.chunks()) if len(pairs) >= 2 else []
            off_topic = len({d.chunk_id for d in due} - {d.chunk_id for d in about}) if about else 0
            due = about or due
        who = f"**{', '.join(actors)}** có " if actors else "Có "
        # counted by clause, as the list shows them (a clause's duties are one line)
        listed = {d.chunk_id for d in due}
        ended = {d.chunk_id: d.time.until[:4] for d in duties if d.chunk_id not in listed and window.ended(d)}
        rest = len({d.chunk_id for d in duties} - listed) - off_topic - len(ended)
        others = "; ".join(([f"{rest} nhiệm vụ khác không nêu hạn hoặc có hạn ngoài khoảng này"] if rest else [])
                           + ([f"{off_topic} nhiệm vụ khác đến hạn nhưng không về nội dung hỏi"] if off_topic else [])
                           + ([f"{len(ended)} nhiệm vụ định kỳ của văn bản chỉ áp dụng đến hết năm "
                               f"{', '.join(sorted(set(ended.values())))}"] if ended else []))
        others = f" ({others})" if others else ""
        where = f" ở {', '.join(sorted(wanted))}" if wanted else ""
        if not due:
            of = f"của {', '.join(actors)}{where} " if actors else (f"{where.strip()} " if where else "")
            return Answer(question=question, refused=True, text=render("due_none", of=of, due=window.label,
                                                                       others=others))
        documents_count = len({d.document for d in due})
        heading = render("due_answer", who=who, count=str(len({d.chunk_id for d in due})), due=window.label + where,
                         documents=str(documents_count), others=others)
        return self.duty_answerer.answer(question, actors, due, self.library.chunks(), heading=heading,
                                         more="due_more", name_each=not actors)

    def sent_to(self, question: str, documents) -> Answer | None:
        """"Văn bản nào gửi Sở Y tế?", "Những văn bản giao việc cho UBND xã …": the documents whose
        Kính gửi or Nơi nhận name that body (today's name; older names count), each cited by its
        header, with the duties it gives that body. None when the question is not of that kind."""
        q = folded_key(question)
        if not _SENT_TO.search(q):
            return None
        recipients = self.library.recipients()
        known = {name for names in recipients.values() for name in names}
        asked = self.library.agencies.mentioned_in(question, known | self.library.known_actors) or \
            [s.text for s in find_agencies(question)][-1:]   # "… gửi Chủ tịch UBND các xã?": as written
        if not asked:
            return None
        successions = self.library.duty_extractor.successions
        actor = successions.current(asked[0])
        headers = self.library.header_chunks()
        given: dict[str, int] = {}  # doc_id -> duties it gives that body
        for ds in self.library.duties_by_chunk.values():
            for d in ds:
                led = led_body(d.actor)   # "Giám đốc Sở Tư pháp chịu trách nhiệm thi hành" charges the department
                if actor in (d.actor, d.holder) or _addressed_to(actor, d.actor) or (led and successions.current(
                        self.library.agencies.canonical(led, d.province) or led) == actor):
                    given[d.doc_id] = given.get(d.doc_id, 0) + 1
        lines, citations = [], []
        for doc_id, names in recipients.items():
            # "Chủ tịch UBND các xã" is among "Chủ tịch UBND các xã, thị trấn", a Sở among "Các sở, ban, ngành"
            via = names.get(actor) or next((f"{v} («{n}»)" for n, v in names.items() if _addressed_to(actor, n)), None)
            head = headers.get(doc_id)
            if not via or head is None or (documents and head.document not in documents):
                continue
            mine = given.get(doc_id, 0)
            citations.append(cite(len(citations) + 1, head, 1.0))
            number = f" số {head.number}" if filled_number(head.number) else ""
            where = f"{number}" + (f", {head.province}" if head.province else "")
            duties = f"; giao {mine} nhiệm vụ" if mine else "; không giao nhiệm vụ riêng"
            lines.append(render("recipient_line", title=head.title or head.document, where=where,
                                via=f"{via}", duties=duties, n=str(len(citations))))
        if not lines:
            return Answer(question=question, refused=True, text=render("recipient_none", actor=actor, where=""))
        text = render("recipient_answer", actor=actor, count=str(len(lines)), lines="\n".join(lines))
        return Answer(question=question, text=text.strip(), refused=False, citations=tuple(citations))


# the words of "X phải làm gì?" itself: what is left names a topic ("… khi có Đoàn kiểm tra C04")
_DUTY_WORDS = set("phai lam gi nhung nhiem vu nao duoc giao viec cong trach co thuc hien can cac la ve cua "
                  "va o tai tinh thi the nhu gom".split())


# a letter's own word for its addressees: "các cơ quan, đơn vị, địa phương", "Quý cơ quan", "các đơn vị"
_COLLECTIVE = re.compile(r"^(?:(?:các|quý|những)\s+)?(?:cơ quan|đơn vị|địa phương)(?:\s*(?:,|và)\s*(?:các\s+)?"
                         r"(?:cơ quan|đơn vị|địa phương))*(?:\s+(?:trực thuộc|thuộc tỉnh))?$", re.IGNORECASE)


def _addressed_to(asked: str, recipient: str) -> bool:
    """Whether a Kính gửi line names the body asked about: the body itself, a group it belongs to
    ("UBND xã" in "Ủy ban nhân dân các xã, phường, đặc khu"), or, for a department, every one ("Các
    sở, ban, ngành thuộc tỉnh")."""
    a = [w for w in body_key(asked).split() if w not in ("cac", "cap")]    # "UBND cấp xã", "UBND các xã"
    r = [w for w in body_key(recipient).split() if w not in ("cac", "cap")]
    if a and r[:len(a)] == a:
        return True
    return bool(a) and a[0] == "so" and bool(_EVERY_DEPARTMENT.search(folded_key(recipient))) \
        and not _one_body(recipient)   # "Giám đốc Sở Nội vụ" is one department's head, not every one's


def _one_body(name: str) -> bool:
    """"Giám đốc Sở Tài chính": the head of one named department, not of every one ("Giám đốc các sở")."""
    led = led_body(name)
    return bool(led) and not re.match(r"(?:các|những)\s", led, re.IGNORECASE)


def beyond_agency(question: str, actors: list[str], provinces: set[str]) -> list[str]:
    """The question's words that are neither the agencies', the provinces', the duty question's nor
    those naming its source ("… theo công văn của Thanh Hóa", "… trong Kế hoạch 41")."""
    q = f" {_SOURCE.sub(' ', folded_key(question))} "
    named = set()
    for name in map(folded_key, [*actors, *provinces]):
        if f" {name} " in q:   # the name as written goes, not its words elsewhere ("chấn chỉnh" of "Sở Tài chính")
            q = q.replace(f" {name} ", " ")
        else:                  # an alias ("Sở TC"): its words
            named |= set(name.split())
    return [w for w in q.split() if w not in named and w not in _DUTY_WORDS]


# "theo công văn", "trong kế hoạch số 41", "tại quyết định 2536": the document a duty question is about
_SOURCE = re.compile(r"\b(?:theo|trong|tai|cua)?\s*(?:" + "|".join(folded_words(w) for w in DOCUMENT_WORDS) +
                     r")(?:\s+so)?(?:\s+\d[\w/\-]*)?\b")


# a date or period the question's due window was read from: not its topic
_DATES = re.compile(r"\b(?:trước|sau|đến|tới|từ|trong|hết)?\s*(?:ngày|tháng|quý|năm)?\s*\d[\d/.\-]*",
                    re.IGNORECASE)
# the words of "Ai phải … / Những việc nào … đến hạn …?" itself
_DUE_QUESTION_WORDS = set("ai phai lam gi nhung nhiem vu nao viec co can duoc la cua cac den han".split())
_AUXILIARIES = {"co", "phai", "duoc", "can", "se", "da", "dang", "nen"}
_TOPIC_STOP = set("trong năm tháng quý ngày theo khi đến từ với cho để được một số này đó".split())


# "… của Phòng Y tế huyện Krông Nô": a place after its unit word, each of its words capitalised
_PLACE_UNIT = re.compile(r"\b(?:huyện|xã|thị trấn|thị xã|thành phố|tỉnh|phường|quận|đặc khu)\s+", re.IGNORECASE)


def places_named(question: str) -> list[str]:
    """The places a question names with their unit word ('huyện Krông Nô'), as written."""
    out = []
    for unit in _PLACE_UNIT.finditer(question):
        names = re.match(r"(?:[^\W\d_][\w'’-]*\s*)+", question[unit.end():])
        words = []
        for word in (names.group().split() if names else ()):
            if not word[:1].isupper():
                break
            words.append(word)
        if words:
            out.append(f"{unit.group()}{' '.join(words)}")
    return out


def places_headed(question: str, doc_ids, heads: dict) -> dict[str, set[str]]:
    """Each place the question names ('huyện Krông Nô') -> the documents among `doc_ids` whose
    header names it ('UBND HUYỆN KRÔNG NÔ'). `heads`: doc_id -> its header clause."""
    out = {}
    for place in places_named(question):
        name = folded_key(_PLACE_UNIT.sub("", place, count=1))
        out[place] = {d for d in doc_ids if name and d in heads and f" {name} " in f" {folded_key(heads[d].text)} "}
    return out


def _topic_pairs(question: str, actors: list[str], provinces: set[str], duties: list, heads: dict | None
                 ) -> tuple[set[str], set[str]]:
    """(the folded words a duty question names beyond its agency, place and duty words; their
    adjacent pairs). A place the duties' documents name in their header is where they apply."""
    beyond = set(beyond_agency(question, actors, provinces))
    for place, documents in places_headed(question, {d.doc_id for d in duties}, heads or {}).items():
        if documents:
            beyond -= set(folded_key(place).split())
    words = folded_key(question).split()
    written = re.findall(r"\w+", nfc(question).lower())
    # a stop word by its marks: "quý" (a quarter) is one, "quy" of "quy hoạch" is not; "để", not "đề án"
    kept = [w in beyond and m not in _TOPIC_STOP for w, m in zip(words, written)] if len(written) == len(words) \
        else [w in beyond and w not in {fold(x) for x in _TOPIC_STOP} for w in words]   # "UBND" folded from three words
    topic = {w for w, keep in zip(words, kept) if keep}
    return topic, {f"{a} {b}" for a, b, ka, kb in zip(words, words[1:], kept, kept[1:]) if ka and kb}


def _about(duties: list, pairs: set[str], chunks: dict) -> list:
    """The duties whose clause (with its headings and its document's title: every duty of the report
    on "Đề án 06" is about it) holds half of the topic's word pairs, the half rounded down: one pair
    in two straddles two words ("chỉnh kỷ" of "chấn chỉnh kỷ luật")."""
    held_by: dict[str, bool] = {}
    for chunk_id in {d.chunk_id for d in duties}:
        chunk = chunks.get(chunk_id)
        folded = f" {folded_key(' '.join([chunk.title or '', chunk.text, *chunk.headings]))} " if chunk else ""
        held = sum(f" {p} " in folded for p in pairs)
        held_by[chunk_id] = bool(held) and 2 * held >= len(pairs) - 1
    return [d for d in duties if held_by[d.chunk_id]]


def _topic_text(question: str, actors: list[str], beyond: set[str]) -> str | None:
    found = list(re.finditer(r"\w+", question))
    keys = [folded_key(m.group()) for m in found]
    masked = set()   # the words of the agencies' names as written: "chính" of "Sở Tài chính" is not the topic's
    for name in (folded_key(a).split() for a in actors):
        for i in range(len(keys) - len(name) + 1):
            if keys[i:i + len(name)] == name:
                masked.update(range(i, i + len(name)))
    spans = [m for i, m in enumerate(found) if keys[i] in beyond and i not in masked]
    if not spans:
        return None
    return question[spans[0].start():spans[-1].end()]   # "lịch làm việc của Đoàn kiểm tra C04"


def topic_missing(question: str, actors: list[str], provinces: set[str], duties: list, chunks: dict,
                  heads: dict | None = None) -> str | None:
    """The topic a duty question names beyond its agency ("về phòng chống dịch tả lợn"), as written,
    when none of the agency's duties is about it (`_about`); None when the question names no topic
    or some duty is about it. A place the question names that the duties' documents name in their
    header ("huyện Krông Nô" of "UBND HUYỆN KRÔNG NÔ") is where they apply, not a topic; `heads`:
    doc_id -> its header clause."""
    beyond, pairs = _topic_pairs(question, actors, provinces, duties, heads)
    if len(pairs) < 2 or _about(duties, pairs, chunks):
        return None
    return _topic_text(question, actors, beyond)


def on_topic(question: str, actors: list[str], provinces: set[str], duties: list, chunks: dict,
             heads: dict | None = None) -> tuple[str, list] | None:
    """"Sở Xây dựng phải làm gì về quy hoạch xã?": (the topic as written, the duties about it) when
    some of the agency's duties are about it and some are not; None otherwise, and for a situation
    ("… phải làm gì khi nhận phản ánh …?"), whose duties are all listed, the closest first."""
    beyond, pairs = _topic_pairs(question, actors, provinces, duties, heads)
    if not pairs:   # one pair is enough after "về" ("… về kinh phí?"): the question says it is the topic
        return None
    topic = _topic_text(question, actors, beyond)
    if not topic or not re.search(rf"\bvề\s+{re.escape(topic)}", question, re.IGNORECASE):
        return None
    about = _about(duties, pairs, chunks)
    return (topic, about) if 0 < len(about) < len(duties) else None


def named_provinces(question: str, hits: list[Hit]) -> set[str]:
    """Provinces of the retrieved documents that the question names ('… ở Cao Bằng?')."""
    q = f" {folded_key(question)} "
    return {h.chunk.province for h in hits if h.chunk.province and f" {folded_key(h.chunk.province)} " in q}
