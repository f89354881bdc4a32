"""Question -> Answer: refuse what the directives do not cover, retrieve, focus, answer.

On top of hybrid retrieval, plain rules route and focus a question:
- a question that asks two things is answered part by part (assistant/answer/compound.py);
- "Văn bản nào do X ban hành?", "… của Đắk Nông?", "… còn hiệu lực?", "… về phòng, chống ma túy?",
  "Công văn 1468 còn hiệu lực không?" list or judge documents from their headers, validity and
  clauses (assistant/answer/issued.py);
- "X phải làm gì trước ngày …?", "Nhiệm vụ nào đến hạn trong tháng …?" are answered from the duty
  table's dates (assistant/answer/due.py), before retrieval;
- "X phải làm gì?" naming a known agency is answered completely from the duty table, and so are
  counts, what one named document assigns, and which documents were sent to a body
  (assistant/duty_routes.py);
- questions about a document itself (who signed it, its number or date) put that document's
  header and signature block first;
- questions naming an agency put the clauses the duty table assigns to it first;
- a province named in the question puts that province's clauses first;
- "… trước ngày nào? / bao nhiêu?" puts first the shown clauses that hold a date or figure, and
  "Ai là Trưởng ban …?" the Trưởng ban before the deputies (assistant/answer/focus.py);
- a body named as before the 2025 reorganisation gets a note on who holds its work today.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

from assistant.answer.compound import asked_twice, merged, question_parts, with_subject
from assistant.answer.due import due_window
from assistant.answer.duties import DutyAnswerer, listed_actors
from assistant.answer.extractive import ExtractiveAnswerer, is_effect_question, refusal
from assistant.answer.focus import (
    acting_first,
    asides_last,
    asks_place,
    asks_title_holder,
    figure_first,
    place_first,
    title_first,
)
from assistant.answer.followup import is_follow_up, standalone
from assistant.answer.issued import (
    document_validity,
    documents_about,
    folded_key,
    issued_by,
    library_listing,
    listing_province,
    topic_asked,
    validity_listing,
)
from assistant.answer.llm import BACKENDS, LLMAnswerer, build_context
from assistant.answer.members import (
    asked_body,
    asks_members,
    body_first,
    member_list,
    members_answer,
    without_list,
)
from assistant.answer.named import named_documents
from assistant.answer.recipients import document_recipients
from assistant.answer.reorganised import district_note, province_reorganised
from assistant.answerability import AnswerabilityModel, asked_for
from assistant.answerability import features as answerability_features
from assistant.duty_routes import (
    WHO,
    DutyRoutes,
    named_provinces,
    on_topic,
    topic_missing,
)
from assistant.library import Library
from assistant.prompts import render
from core.errors import ConfigError
from core.types import Answer, Hit

log = logging.getLogger(__name__)

_SIGNER = re.compile(r"\b(ai ky|nguoi ky|ky boi|do ai ky)\b")
_WHEN_OR_NUMBER = re.compile(r"\b(ngay nao|ngay ban hanh|ban hanh khi nao|ban hanh nam nao|ban hanh thang nao|"
                             r"ky khi nao|ky nam nao|so hieu|ky hieu|so bao nhieu)\b")
_IN_FORCE = re.compile(r"\b(hieu luc|thi hanh|ap dung)\b")   # "… có hiệu lực từ ngày nào?": its own article says
_ABOUT_DOCUMENT = re.compile(r"^(cong van|chi thi|ke hoach|quyet dinh|thong bao|van ban|cong dien)\b")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_TAKES_EFFECT = re.compile(r"\bcó hiệu lực\b", re.IGNORECASE)
_COUNTED = re.compile(r"\b(bao nhieu|may) (nhiem vu|viec|cong viec)\b")


@dataclass
class Assistant:
    library: Library
    answerer: ExtractiveAnswerer = None
    candidates: int = 30
    generator: LLMAnswerer | None = None   # from RAG_LLM; None = extractive answers only

    def __post_init__(self):
        s = self.library.settings
        model = AnswerabilityModel.load()
        self.answerability = model if model and model.embedder == self.library.embedder_name else None
        if self.answerer is None:
            self.answerer = ExtractiveAnswerer(today=s.today_date)
        self.duty_answerer = DutyAnswerer(today=s.today_date)
        self.routes = DutyRoutes(self.library, self.duty_answerer, self.answerer, self.candidates)
        if self.generator is None and s.llm not in ("", "none", "extractive"):
            if s.llm not in BACKENDS:
                raise ConfigError(f"RAG_LLM={s.llm!r}: use one of {', '.join(BACKENDS)}, or leave it empty")
            self.generator = LLMAnswerer(s.llm, s.llm_model, s.llm_context_tokens, s.llm_answer_tokens,
                                         s.llm_timeout_s, agencies=self.library.agencies)

    def ask(self, question: str, k: int | None = None, documents: list[str] | None = None,
            provinces: list[str] | None = None, mode: str = "hybrid", history: list[str] | None = None,
            include_replaced: bool = False) -> Answer:
        final = None
        for event in self.stream(question, k, documents, provinces, mode, history, include_replaced):
            if isinstance(event, Answer):
                final = event
        return final

    def standalone(self, question: str, history: list[str] | None) -> str:
        """A follow-up ("còn Sở Tài chính thì sao?") rewritten with the earlier questions."""
        return self._standalone(question, history)[0]

    def _standalone(self, question: str, history: list[str] | None) -> tuple[str, str | None]:
        """(the standalone question, why the configured LLM could not rewrite it, or None)."""
        if not history or not is_follow_up(question):
            return question, None
        reason = None
        if self.generator is not None:
            try:
                return self.generator.rewrite(question, history), None
            except Exception as e:  # noqa: BLE001 - any model failure: the rule-based rewrite below still works
                reason = f"{self.generator.name}: {e.__class__.__name__}: {e}"[:300]
                log.warning("follow-up rewrite by the LLM failed, using the rule-based rewrite: %s", reason)
        return standalone(question, history, self.library.agencies, self.library.known_actors), reason

    def _figure_not_stated(self, question: str, hits: list[Hit], values: dict) -> Answer | None:
        """The first clause holds what the question is about but no figure of the kind it asks for
        (an amount, a time, a count), nor does any clause the answer could come from: say that the
        documents do not state it, and show that clause, which is all they say."""
        asked = asked_for(question)
        if asked is None or not values.get("type_missing_all") or values.get("idf_top1", 0.0) < 0.5:
            return None
        nearest = self.answerer.answer(question, hits[:1], self.library.headers, self.library.duties_by_chunk)
        if nearest.refused or not nearest.citations:
            return None
        what = _WHAT_IS_ASKED.get(asked) or _WHAT_IS_ASKED[asked[0]]
        text = render("figure_not_stated", what=what, statements=nearest.text)
        return replace(nearest, text=text, refused=True)

    def stream(self, question: str, k: int | None = None, documents: list[str] | None = None,
               provinces: list[str] | None = None, mode: str = "hybrid", history: list[str] | None = None,
               include_replaced: bool = False) -> Iterator[str | Answer]:
        """Text deltas while an LLM writes (none for extractive answers), then the final Answer.
        Documents that a loaded document replaces or repeals are cited after those in force, unless
        `include_replaced` asks for them on purpose."""
        asked = " ".join((question or "").split())
        if not asked:
            raise ValueError("Câu hỏi trống / empty question")
        # "So Noi vu phai lam gi?" is read as "Sở Nội vụ phải làm gì?", before a follow-up is recognised
        # ("Van ban do …" is "Văn bản đó …")
        question, rewrite_failed = self._standalone(self.library.with_marks(asked), history)
        heads = self.library.header_chunks()
        named = [] if documents else named_documents(question, self.library.headers, heads)
        documents = documents or named or None   # "Công văn số 1468/STP-BTTP yêu cầu gì?": that document only
        named_head = next(c for c in heads.values() if c.document == named[0]) if named else None
        former = self.library.successions_named_in(question)   # bodies named as before the 2025 reorganisation

        def tag(answer: Answer) -> Answer:
            generic = answer.refused and answer.text == refusal(question).text
            answer = replace(answer, question=asked, standalone=question if question != asked else None)
            if generic and named_head:  # the question named the document: it does not say so
                answer = replace(answer, text=render("refusal_named", title=named_head.title or named_head.document,
                                                     number=named_head.number or ""))
            elif generic and (documents or provinces):  # say what was searched
                answer = replace(answer, text=render("refusal_filtered", scope=_scope(documents, provinces)))
            if not answer.refused or not generic:   # "Sở TT&TT phải làm gì?": say who holds its work today
                note = self._reorganisation_note(question, former)
                answer = replace(answer, text=f"{note}\n\n{answer.text}") if note else answer
            if rewrite_failed and not answer.fallback_reason:
                answer = replace(answer, fallback_reason=f"rewrite: {rewrite_failed}")
            return self._with_validity(answer)
        k = k or self.library.settings.top_k
        # (without the refusal model only a subject asked two things is split: each part is answered)
        parts = question_parts(question) if self.answerability is not None else asked_twice(question) or [question]
        if len(parts) > 1:  # "A và B?": answer the parts the documents cover, say which parts they do not
            subject = (self.library.agencies_named_in(parts[0]) or [None])[0]
            parts = [parts[0], *(p if self.library.agencies_named_in(p) else with_subject(p, subject)
                                 for p in parts[1:])]
            judged = [(part, self._answerable(part, documents, provinces, mode)) for part in parts]
            covered, missing = [p for p, ok in judged if ok], [p for p, ok in judged if not ok]
            if covered and (missing or len(covered) > 1):
                answers = []
                for part in covered:
                    if len(covered) > 1 and self.generator is not None:
                        yield f"**{part.rstrip(' ?')}?**\n"
                    for event in self.stream(part, k, documents, provinces, mode, None, include_replaced):
                        if isinstance(event, Answer):   # a former body's note goes once, on top of the whole
                            note = self._reorganisation_note(part, self.library.successions_named_in(part))
                            text = event.text.removeprefix(f"{note}\n\n") if note else event.text
                            answers.append((part, replace(event, text=text)))
                        else:
                            yield event
                answer = answers[0][1] if len(answers) == 1 else merged(answers, question)
                if missing and not answer.refused:
                    note = render("not_found_part", parts="; ".join(f"«{p}»" for p in missing))
                    answer = replace(answer, text=f"{answer.text}\n{note}", not_found=tuple(missing))
                yield tag(answer)
                return
        issued = province_reorganised(question, self.library.headers) or \
            library_listing(question, self.library.headers, heads) or \
            validity_listing(question, self.library.headers, heads, self.library.validity_of) or \
            issued_by(question, self.library.headers, heads, documents)
        if issued is not None:   # "Văn bản nào của Bộ Nội vụ?": from the headers, whatever retrieval would say
            yield tag(issued)
            return
        status = document_validity(question, named_head, self.library.headers.get(named_head.doc_id),
                                   self.library.validity_of(named_head.doc_id)) if named_head else None
        if status is not None:   # "Công văn 1468 còn hiệu lực không?": what the loaded documents say of it
            yield tag(status)
            return
        about = topic_asked(question) if not named_head else None
        if about is not None:   # "Có văn bản nào về phòng, chống ma túy không?": the documents, not one clause
            # many clauses of one long plan would fill the usual candidates: look wider, one line a document
            # "Lâm Đồng có những văn bản nào về ma túy?": that province's
            place = listing_province(question)
            hits = self.library.search(about[0], max(k, 8 * self.candidates), documents,
                                       provinces or ([place] if place else None), mode=mode)
            yield tag(documents_about(question, *about, hits, self.library.headers))
            return
        sent = document_recipients(question, named_head, self.library.headers.get(named_head.doc_id), next(
            (c for c in self.library.clauses_of(named_head.doc_id) if c.kind == "recipients"), None)) \
            if named_head else None
        if sent is not None:     # "Công văn của Nghệ An gửi những ai?": its Kính gửi and Nơi nhận as written
            yield tag(sent)
            return
        listed = self.routes.document_duties(question, named_head)
        if listed is not None:   # "Công văn 1468 giao những nhiệm vụ nào?": the named document's duty table
            yield tag(listed)
            return
        window = due_window(question, self.library.settings.today_date())
        if window is not None:   # answered from the duty table's dates, whatever retrieval would say
            due = self.routes.due_duties(question, window, k, documents, provinces)
            if due is not None:
                yield tag(due)
                return
        if _COUNTED.search(folded_key(question)) and not _YEAR.search(question):
            # "X được giao bao nhiêu nhiệm vụ?": the duty table counts them (a year asked about is the
            # gate's to judge: which documents of that year are loaded)
            counted = self.routes.counted_duties(question, k, documents, provinces, named_head)
            if counted is not None:
                yield tag(counted)
                return
        # "Sở Tư pháp đề nghị Đoàn Luật sư làm gì?": what the documents of the body that asks say
        requested = self.routes.requester_documents(question, documents)
        unassigned = self.routes.unassigned(question, documents, provinces, requested)
        if unassigned is not None:   # "Sở Y tế / Bộ Công an phải làm gì?" and no duty names that body
            yield tag(unassigned)
            return
        # a body named as before 2025 ("Sở Thông tin và Truyền thông") is known by its name today
        coverage = self.library.coverage(" ".join([question, *(s.new for s in former)]))
        if coverage < self.library.settings.refusal_threshold:  # the corpus does not even know the words
            yield tag(refusal(question))
            return
        # "Sở Tư pháp yêu cầu Hội công chứng viên làm gì?" where no duty names the Hội: the clauses
        # about the body asked of, not the duties of the one that asks
        directed = self.routes.asked_of(question)
        asked_about = directed if directed != question and not self.library.agencies_named_in(directed) else question
        documents = requested or documents
        hits = self.library.search(asked_about, max(k, self.candidates), documents, provinces, mode=mode)
        if hits and self.answerability is not None:  # decided from the retrieved clauses themselves
            evidence = hits if mode == "hybrid" else \
                self.library.search(question, self.candidates, documents, provinces)  # features are hybrid ones
            values = answerability_features(question, evidence, self.library.searcher.lexical, coverage,
                                            self.library.headers)
            if not self.answerability.answerable(values):
                yield tag(self._figure_not_stated(question, evidence, values) or refusal(question))
                return
        if not include_replaced:  # documents in force first; a replaced one is cited only after them
            hits = sorted(hits, key=lambda h: not self.library.validity_of(h.chunk.doc_id).current)
        if not hits:
            yield tag(refusal(question))
            return
        chunks = self.library.chunks()
        sent = self.routes.sent_to(question, documents)
        if sent is not None:
            yield tag(sent)
            return
        duty_route = self.routes.agency_duties(question, hits, documents, provinces)
        if duty_route is not None and not duty_route[1] and requested:
            duty_route = None   # none of the asking body's duties names the body asked of: its clauses answer
        if duty_route is not None:
            actors, duties, wanted = duty_route
            if not duties:  # say so plainly rather than answering about other agencies
                yield tag(self.routes.no_duties(question, actors, sorted(wanted), named_head))
                return
            topic = None if named_head else topic_missing(directed, actors, wanted, duties,
                                                          chunks, heads)
            if topic:   # "Sở Y tế phải làm gì về phòng chống dịch tả lợn?": none of its duties is about that
                listed = self.duty_answerer.answer(question, actors, duties, chunks)
                note = render("duty_off_topic", actors=listed_actors(actors), topic=topic)
                yield tag(replace(listed, text=f"{note}\n{listed.text}", not_found=(topic,)))
                return
            narrowed = None if named_head else on_topic(directed, actors, wanted, duties,
                                                        chunks, heads)
            if narrowed:   # "Sở Xây dựng phải làm gì về quy hoạch xã?": those duties, and how many others there are
                topic, about = narrowed
                lines = {d.chunk_id for d in about}   # counted by clause, as the list shows them
                heading = render("duty_on_topic", actors=listed_actors(actors), topic=topic, count=str(len(lines)),
                                 documents=str(len({d.document for d in about})),
                                 others=str(len({d.chunk_id for d in duties} - lines)))
                yield tag(self.duty_answerer.answer(question, actors, about, chunks, heading=heading))
                return
            fallback = lambda: self.duty_answerer.answer(question, actors, duties, chunks)
            items = build_context(hits, chunks, self.generator.budget_chars, k, duties) if self.generator else []
        else:
            if asks_place(question):   # "… ở đâu?" shares no word with "Địa điểm: …": searched with it too
                hits = place_first(hits, self.library.search(f"{asked_about} địa điểm", max(k, self.candidates),
                                                             documents, provinces, mode=mode))
            focused = figure_first(question, _province_first(question, self._focus(asked_about, asides_last(
                question, hits), chunks)), k, self.answerer.relative_floor, self._deadline_of)
            members = member_list(focused, self.library.clauses_of) if asks_members(question) else None
            if members:   # "Ban Chỉ đạo … gồm những ai?": the decision's whole list, not three of its lines
                yield tag(members_answer(question, *members, self.library.document_text(members[1][0].doc_id)))
                return
            body = asked_body(question)
            if body:      # no list of its members: said so, above the clauses that speak of the body
                focused = body_first(focused, body[1])
            fallback = lambda: without_list(self.answerer.answer(question, focused[:k], self.library.headers,
                                                                 self.library.duties_by_chunk), body)
            items = build_context(focused, chunks, self.generator.budget_chars, max(k, 8)) if self.generator else []
        if self.generator is None:
            yield tag(fallback())
            return
        for event in self.generator.stream(question, items, self.library.known_actors, fallback):
            yield tag(event) if isinstance(event, Answer) else event

    def _deadline_of(self, chunk_id: str) -> str:
        """The deadlines the duty table gives a clause's duties, as written ('' when none)."""
        duties = self.library.duties_by_chunk.get(chunk_id, ())
        return " ".join(dict.fromkeys(d.time.text for d in duties if d.time.text))

    def _reorganisation_note(self, question: str, former: list) -> str:
        """What the 2025 reorganisation changed for the bodies a question names: a department merged
        into another, the district level gone."""
        return "\n".join(note for note in (self._succession_note(former), district_note(question)) if note)

    @staticmethod
    def _succession_note(former: list) -> str:
        """"Lưu ý: từ ngày 01/03/2025, Sở Thông tin và Truyền thông đã hợp nhất vào Sở Khoa học và Công
        nghệ …" for each body a question names by its name before the 2025 reorganisation (`former`:
        their successions)."""
        notes = []
        for s in former:
            parts = f" (một phần nhiệm vụ chuyển sang {', '.join(s.parts)})" if s.parts else ""
            since = "/".join(reversed(s.since.split("-")))
            notes.append(render("succession_note", since=since, old=s.old, new=s.new, parts=parts))
        return "\n".join(notes)

    def _answerable(self, question: str, documents, provinces, mode: str) -> bool:
        hits = self.library.search(question, self.candidates, documents, provinces)  # the model's features: hybrid
        coverage = self.library.coverage(question)
        if not hits or coverage < self.library.settings.refusal_threshold:
            return False
        return self.answerability is None or self.answerability.answerable(
            answerability_features(question, hits, self.library.searcher.lexical, coverage, self.library.headers))

    def _with_validity(self, answer: Answer) -> Answer:
        """Each citation carries its document's status; a cited document that another loaded document
        replaces, repeals or amends is said so in the answer itself."""
        if not answer.citations:
            return answer
        citations, notes = [], {}
        for c in answer.citations:
            v = self.library.validity_of(c.doc_id)
            citations.append(replace(c, status=v.status))
            if v.note() and c.doc_id not in notes and v.note() not in answer.text:   # not said twice
                title = f"{c.title or c.document}" + (f" số {c.number}" if c.number and c.number not in c.title else "")
                notes[c.doc_id] = render("validity_note", n=str(c.n), title=title, note=v.note())
        text = answer.text + ("\n" + "\n".join(notes.values()) if notes else "")
        return replace(answer, citations=tuple(citations), text=text)

    def timed_ask(self, question: str, **kwargs) -> tuple[Answer, float]:
        start = time.perf_counter()
        answer = self.ask(question, **kwargs)
        return answer, (time.perf_counter() - start) * 1000

    def _focus(self, question: str, hits: list[Hit], chunks: dict) -> list[Hit]:
        q = folded_key(question)
        if _SIGNER.search(q) or (_WHEN_OR_NUMBER.search(q) and _ABOUT_DOCUMENT.search(q) and not _IN_FORCE.search(q)):
            doc_id = hits[0].chunk.doc_id
            parts = [c for c in chunks.values() if c.doc_id == doc_id and c.kind in ("header", "signature")]
            parts.sort(key=lambda c: c.kind != "header")
            front = [Hit(chunk=c, score=hits[0].score) for c in parts]
            ids = {c.chunk_id for c in parts}
            return front + [h for h in hits if h.chunk.chunk_id not in ids]
        if is_effect_question(question):   # "… có hiệu lực từ khi nào?": the article that says so first
            said = [h for h in hits if h.chunk.kind == "clause" and _TAKES_EFFECT.search(h.chunk.text)]
            ids = {h.chunk.chunk_id for h in said}
            return said + [h for h in hits if h.chunk.chunk_id not in ids]
        by_chunk = self.library.duties_by_chunk
        # "Ai tham mưu cho Chủ tịch …?", "Ban Chỉ đạo … do ai làm Trưởng ban?": the agency named is
        # not the one asked about
        if WHO.search(q) or asks_title_holder(question):
            return acting_first(question, title_first(question, hits), lambda chunk_id: by_chunk.get(chunk_id, ()),
                                self.answerer.relative_floor)
        subject = self.library.subject_of(question)
        # "Sở Nội vụ phối hợp với ai …?" asks of its part as a partner; otherwise that part is not its task
        partner = "phoi hop" in q
        assigned = [h for h in hits if subject and h.chunk.kind == "clause"
                    and subject in {d.actor for d in by_chunk.get(h.chunk.chunk_id, ())
                                    if d.role != "phối hợp" or partner}]
        if assigned:
            ids = {h.chunk.chunk_id for h in assigned}
            return assigned + [h for h in hits if h.chunk.chunk_id not in ids]
        return hits


_WHAT_IS_ASKED = {("amount", "money"): "số tiền", ("amount", "share"): "tỷ lệ", "amount": "số tiền, mức hay tỷ lệ",
                  "time": "thời gian, thời hạn", "count": "con số"}


def _province_first(question: str, hits: list[Hit]) -> list[Hit]:
    """'… ở Cao Bằng?': clauses of the named province's documents come first."""
    named = named_provinces(question, hits)
    if not named:
        return hits
    return [h for h in hits if h.chunk.province in named] + [h for h in hits if h.chunk.province not in named]


def _scope(documents: list[str] | None, provinces: list[str] | None) -> str:
    """'2 văn bản đã chọn (a.docx, b.pdf) của tỉnh Gia Lai' for a filtered refusal."""
    parts = []
    if documents:
        names = ", ".join(documents[:3]) + (f" và {len(documents) - 3} văn bản khác" if len(documents) > 3 else "")
        parts.append(f"{len(documents)} văn bản đã chọn ({names})")
    else:
        parts.append("các văn bản")
    if provinces:
        parts.append("của tỉnh " + ", ".join(provinces))
    return " ".join(parts)
