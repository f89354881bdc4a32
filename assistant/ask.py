"""Question -> Answer: refuse what the directives do not cover, retrieve, focus, answer.

On top of hybrid retrieval, plain rules route and focus a question:
- "Văn bản nào do X ban hành?" lists X's documents from the headers (assistant/answer/issued.py);
- "X phải làm gì trước ngày …?", "Nhiệm vụ nào đến hạn trong tháng …?" are answered from the duty
  table's dates (assistant/answer/due.py), before retrieval;
- "X phải làm gì?" naming a known agency is answered completely from the duty table;
- questions about a document itself (who signed it, its number or date) put that document's
  header and signature block first;
- questions naming an agency put the clauses the duty table assigns to it first;
- a province named in the question puts that province's clauses first;
- "… trước ngày nào? / bao nhiêu?" puts first the shown clauses that hold a date or figure.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

from assistant.answer.compound import merged, question_parts, with_subject
from assistant.answer.due import DueWindow, due_window
from assistant.answer.duties import DutyAnswerer, order_duties
from assistant.answer.extractive import ExtractiveAnswerer, cite, refusal
from assistant.answer.focus import figure_first, title_first
from assistant.answer.followup import is_follow_up, standalone
from assistant.answer.issued import document_validity, folded_key, issued_by, library_listing, validity_listing
from assistant.answer.llm import BACKENDS, LLMAnswerer, build_context
from assistant.answer.named import named_documents
from assistant.answerability import AnswerabilityModel
from assistant.answerability import features as answerability_features
from assistant.library import Library
from assistant.prompts import render
from core.errors import ConfigError
from core.types import Answer, Hit, filled_number
from ingest.actors import led_body
from ingest.provinces import current_province, provinces_in, provinces_named, same_province

log = logging.getLogger(__name__)

_SIGNER = re.compile(r"\b(ai ky|nguoi ky|ky boi|do ai ky)\b")
_WHEN_OR_NUMBER = re.compile(r"\b(ngay nao|ngay ban hanh|ban hanh khi nao|ban hanh nam nao|ban hanh thang nao|"
                             r"ky khi nao|ky nam nao|so hieu|ky hieu|so bao nhieu)\b")
_IN_FORCE = re.compile(r"\b(hieu luc|thi hanh|ap dung)\b")   # "… có hiệu lực từ ngày nào?": its own article says
_ABOUT_DOCUMENT = re.compile(r"^(cong van|chi thi|ke hoach|quyet dinh|thong bao|van ban|cong dien)\b")
_WHO = re.compile(r"^(ai|co quan nao|don vi nao|ai la nguoi)\b|\b(la ai|ai chiu|ai phai|ai chu tri|ai co trach nhiem)\b")
_DUTY_CUE = re.compile(r"\b(phai lam gi|lam gi|lam nhung gi|nhiem vu gi|nhiem vu nao|nhung nhiem vu|duoc giao|"
                       r"trach nhiem gi|nhung viec gi|viec gi|nhung viec nao|phai thuc hien nhung|giao cho|"
                       r"liet ke|cac nhiem vu|bao nhieu nhiem vu|may nhiem vu)\b")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_OVERVIEW = re.compile(r"\b(tom tat|tom luoc|noi ve (?:viec )?(?:gi|nhung gi)|ve viec gi|"
                       r"noi dung (?:chinh )?(?:la )?gi|noi dung chinh)\b")
_COUNTED = re.compile(r"\b(bao nhieu|may) (nhiem vu|viec|cong viec)\b")
_SENT_TO = re.compile(r"\b(van ban nao|nhung van ban|cac van ban|van ban gi)\b.*\b(gui|giao viec|giao nhiem vu|"
                      r"noi nhan|kinh gui)\b")


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

    def stream(self, question: str, k: int | None = None, documents: list[str] | None = None,
               provinces: list[str] | None = None, mode: str = "hybrid", history: list[str] | None = None,
               include_replaced: bool = False) -> Iterator[str | Answer]:
        """Text deltas while an LLM writes (none for extractive answers), then the final Answer.
        Documents that a loaded document replaces or repeals are cited after those in force, unless
        `include_replaced` asks for them on purpose."""
        asked = " ".join((question or "").split())
        if not asked:
            raise ValueError("Câu hỏi trống / empty question")
        question, rewrite_failed = self._standalone(asked, history)
        heads = self.library.header_chunks()
        named = [] if documents else named_documents(question, self.library.headers, heads)
        documents = documents or named or None   # "Công văn số 1468/STP-BTTP yêu cầu gì?": that document only
        named_head = next(c for c in heads.values() if c.document == named[0]) if named else None

        def tag(answer: Answer) -> Answer:
            generic = answer.refused and answer.text == refusal(question).text
            answer = replace(answer, question=asked, standalone=question if question != asked else None)
            if generic and named_head:  # the question named the document: it does not say so
                answer = replace(answer, text=render("refusal_named", title=named_head.title or named_head.document,
                                                     number=named_head.number or ""))
            elif generic and (documents or provinces):  # say what was searched
                answer = replace(answer, text=render("refusal_filtered", scope=_scope(documents, provinces)))
            if not answer.refused or not generic:   # "Sở TT&TT phải làm gì?": say who holds its work today
                note = self._succession_note(question)
                answer = replace(answer, text=f"{note}\n\n{answer.text}") if note else answer
            if rewrite_failed and not answer.fallback_reason:
                answer = replace(answer, fallback_reason=f"rewrite: {rewrite_failed}")
            return self._with_validity(answer)
        k = k or self.library.settings.top_k
        parts = question_parts(question) if self.answerability is not None else [question]
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
                            note = self._succession_note(part)
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
        issued = library_listing(question, self.library.headers, heads) or \
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
        listed = self._document_duties(question, named_head)
        if listed is not None:   # "Công văn 1468 giao những nhiệm vụ nào?": the named document's duty table
            yield tag(listed)
            return
        window = due_window(question, self.library.settings.today_date())
        if window is not None:   # answered from the duty table's dates, whatever retrieval would say
            due = self._due_duties(question, window, k, documents, provinces)
            if due is not None:
                yield tag(due)
                return
        if _COUNTED.search(folded_key(question)) and not _YEAR.search(question):
            # "X được giao bao nhiêu nhiệm vụ?": the duty table counts them (a year asked about is the
            # gate's to judge: which documents of that year are loaded)
            counted = self._counted_duties(question, k, documents, provinces, named_head)
            if counted is not None:
                yield tag(counted)
                return
        # a body named as before 2025 ("Sở Thông tin và Truyền thông") is known by its name today
        today = [s.new for s in self.library.successions_named_in(question)]
        coverage = self.library.coverage(" ".join([question, *today]))
        if coverage < self.library.settings.refusal_threshold:  # the corpus does not even know the words
            yield tag(refusal(question))
            return
        hits = self.library.search(question, max(k, self.candidates), documents, provinces, mode=mode)
        if hits and self.answerability is not None:  # decided from the retrieved clauses themselves
            evidence = hits if mode == "hybrid" else \
                self.library.search(question, self.candidates, documents, provinces)  # features are hybrid ones
            values = answerability_features(question, evidence, self.library.searcher.lexical, coverage,
                                            self.library.headers)
            if not self.answerability.answerable(values):
                yield tag(refusal(question))
                return
        if not include_replaced:  # documents in force first; a replaced one is cited only after them
            hits = sorted(hits, key=lambda h: not self.library.validity_of(h.chunk.doc_id).current)
        if not hits:
            yield tag(refusal(question))
            return
        chunks = self.library.chunks()
        sent = self._sent_to(question, documents)
        if sent is not None:
            yield tag(sent)
            return
        duty_route = self._agency_duties(question, hits, documents, provinces)
        if duty_route is not None:
            actors, duties, wanted = duty_route
            if not duties:  # say so plainly rather than answering about other agencies
                yield tag(self._no_duties(question, actors, sorted(wanted), named_head))
                return
            topic = None if named_head else _topic_missing(question, actors, wanted, duties, chunks)
            if topic:   # "Sở Y tế phải làm gì về phòng chống dịch tả lợn?": none of its duties is about that
                listed = self.duty_answerer.answer(question, actors, duties, chunks)
                note = render("duty_off_topic", actors=", ".join(actors), topic=topic)
                yield tag(replace(listed, text=f"{note}\n{listed.text}", not_found=(topic,)))
                return
            fallback = lambda: self.duty_answerer.answer(question, actors, duties, chunks)
            items = build_context(hits, chunks, self.generator.budget_chars, k, duties) if self.generator else []
        else:
            focused = figure_first(question, _province_first(question, self._focus(question, hits, chunks)), k,
                                   self.answerer.relative_floor, self._deadline_of)
            fallback = lambda: self.answerer.answer(question, focused[:k], self.library.headers,
                                                    self.library.duties_by_chunk)
            items = build_context(focused, chunks, self.generator.budget_chars, max(k, 8)) if self.generator else []
        if self.generator is None:
            yield tag(fallback())
            return
        for event in self.generator.stream(question, items, self.library.known_actors, fallback):
            yield tag(event) if isinstance(event, Answer) else event

    def _agency_duties(self, question: str, hits: list[Hit], documents, provinces):
        """'Sở Nội vụ phải làm gì?': (agencies, all their duties in order, provinces asked about),
        from the duty table; None when the question is not of that kind."""
        q = folded_key(question)
        if _WHO.search(q) or not _DUTY_CUE.search(q):
            return None
        actors = self.library.agencies_named_in(question)
        if not actors:
            return None
        wanted_provinces = set(provinces or ()) | _named_provinces(question, hits)
        per_actor = {actor: [d for d in self.library.duties(actor=actor) if (not documents or d.document in documents)
                             and (not wanted_provinces or any(same_province(d.province, p) for p in wanted_provinces))]
                     for actor in actors}
        duties = list({d.duty_id: d for ds in per_actor.values() for d in ds}.values())  # predecessors share duties
        actors = [a for a in actors if per_actor[a]] or actors   # "các xã": only the bodies that have duties here
        relevance = {h.chunk.chunk_id: i for i, h in enumerate(hits)}
        topical = len(_beyond_agency(question, actors, wanted_provinces)) >= 2
        ordered = order_duties(duties, relevance, wanted_provinces, topical) if duties else []
        ordered.sort(key=lambda d: not self.library.validity_of(d.doc_id).current)  # in force first, stable
        return actors, ordered, wanted_provinces

    def _document_duties(self, question: str, named_head) -> Answer | None:
        """Every duty of the one document the question names, in the document's order, when it asks
        what that document assigns (or for its gist: its header first) and names no agency; None
        otherwise (or when it assigns none)."""
        q = folded_key(question)
        if named_head is None or _WHO.search(q) or not (_DUTY_CUE.search(q) or _OVERVIEW.search(q)) \
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

    def _deadline_of(self, chunk_id: str) -> str:
        """The deadlines the duty table gives a clause's duties, as written ('' when none)."""
        duties = self.library.duties_by_chunk.get(chunk_id, ())
        return " ".join(dict.fromkeys(d.time.text for d in duties if d.time.text))

    def _succession_note(self, question: str) -> str:
        """"Lưu ý: từ ngày 01/03/2025, Sở Thông tin và Truyền thông đã hợp nhất vào Sở Khoa học và Công
        nghệ …" for each body the question names by its name before the 2025 reorganisation."""
        notes = []
        for s in self.library.successions_named_in(question):
            parts = f" (một phần nhiệm vụ chuyển sang {', '.join(s.parts)})" if s.parts else ""
            since = "/".join(reversed(s.since.split("-")))
            notes.append(render("succession_note", since=since, old=s.old, new=s.new, parts=parts))
        return "\n".join(notes)

    def _counted_duties(self, question: str, k: int, documents, provinces, named_head=None) -> Answer | None:
        """"Sở Nội vụ được giao bao nhiêu nhiệm vụ?": the agency's duties with their count, before the
        answerability gate (no clause states such a count; the table does). A province the question
        names that no loaded document belongs to gets none. None when no agency is asked about."""
        hits = self.library.search(question, max(k, self.candidates), documents, provinces)
        route = self._agency_duties(question, hits, documents, provinces)
        if route is None:
            return None
        actors, duties, wanted = route
        loaded = set().union(*(provinces_in(p) for p in wanted)) if wanted else set()
        elsewhere = sorted(provinces_named(question) - loaded)
        if elsewhere:   # "… tỉnh Quảng Ninh …" with no document of Quảng Ninh loaded
            return self._no_duties(question, actors, [current_province(key) or key for key in elsewhere])
        if not duties:
            return self._no_duties(question, actors, sorted(wanted), named_head)
        return self.duty_answerer.answer(question, actors, duties, self.library.chunks())

    def _no_duties(self, question: str, actors: list[str], places: list[str], named_head=None) -> Answer:
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

    def _due_duties(self, question: str, window: DueWindow, k: int, documents, provinces) -> Answer | None:
        """"Sở Tài chính phải làm gì trước ngày 30/6/2026?", "Nhiệm vụ nào đến hạn trong tháng 12/2026?":
        the duties (of the agency named, else of every agency) due in the window, earliest first,
        with how many others were left out. None when the question names an agency without asking
        for its duties ("Ai …?")."""
        hits = self.library.search(question, max(k, self.candidates), documents, provinces)
        route = self._agency_duties(question, hits, documents, provinces)
        if route is not None:
            actors, duties, wanted = route
        elif self.library.agencies_named_in(question):
            return None
        else:
            actors, wanted = [], set(provinces or ()) | _named_provinces(question, hits)
            duties = [d for d in self.library.duties() if (not documents or d.document in documents)
                      and (not wanted or any(same_province(d.province, p) for p in wanted))]
        due = sorted((d for d in duties if window.holds(d)),
                     key=lambda d: (not self.library.validity_of(d.doc_id).current, d.time.date, d.document, d.start))
        who = f"**{', '.join(actors)}** có " if actors else "Có "
        rest = len({d.duty_id for d in duties}) - len(due)
        others = f" ({rest} nhiệm vụ khác không nêu hạn hoặc có hạn ngoài khoảng này)" if rest else ""
        where = f" ở {', '.join(sorted(wanted))}" if wanted else ""
        if not due:
            of = f"của {', '.join(actors)}{where} " if actors else (f"{where.strip()} " if where else "")
            return Answer(question=question, refused=True, text=render("due_none", of=of, due=window.label,
                                                                       others=others))
        documents_count = len({d.document for d in due})
        heading = render("due_answer", who=who, count=str(len(due)), due=window.label + where,
                         documents=str(documents_count), others=others)
        return self.duty_answerer.answer(question, actors, due, self.library.chunks(), heading=heading,
                                         more="due_more", name_each=not actors)

    def _answerable(self, question: str, documents, provinces, mode: str) -> bool:
        hits = self.library.search(question, self.candidates, documents, provinces)  # the model's features: hybrid
        coverage = self.library.coverage(question)
        return bool(hits) and coverage >= self.library.settings.refusal_threshold and self.answerability.answerable(
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

    def _sent_to(self, question: str, documents) -> Answer | None:
        """"Văn bản nào gửi Sở Y tế?", "Những văn bản giao việc cho UBND xã …": the documents whose
        Kính gửi or Nơi nhận name that body (today's name; older names count), each cited by its
        header, with the duties it gives that body. None when the question is not of that kind."""
        q = folded_key(question)
        if not _SENT_TO.search(q):
            return None
        recipients = self.library.recipients()
        known = {name for names in recipients.values() for name in names}
        asked = self.library.agencies.mentioned_in(question, known | self.library.known_actors)
        if not asked:
            return None
        successions = self.library.duty_extractor.successions
        actor = successions.current(asked[0])
        headers = self.library.header_chunks()
        given: dict[str, int] = {}  # doc_id -> duties it gives that body
        for ds in self.library.duties_by_chunk.values():
            for d in ds:
                led = led_body(d.actor)   # "Giám đốc Sở Tư pháp chịu trách nhiệm thi hành" charges the department
                if actor in (d.actor, d.holder) or (led and successions.current(
                        self.library.agencies.canonical(led, d.province) or led) == actor):
                    given[d.doc_id] = given.get(d.doc_id, 0) + 1
        lines, citations = [], []
        for doc_id, names in recipients.items():
            via = names.get(actor)
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
        if _WHO.search(q):  # "Ai tham mưu cho Chủ tịch …?": the agency named is not the one asked about
            return title_first(question, hits)
        subject = self.library.subject_of(question)
        by_chunk = self.library.duties_by_chunk
        assigned = [h for h in hits if subject and h.chunk.kind == "clause"
                    and subject in {d.actor for d in by_chunk.get(h.chunk.chunk_id, ()) if d.role != "phối hợp"}]
        if assigned:
            ids = {h.chunk.chunk_id for h in assigned}
            return assigned + [h for h in hits if h.chunk.chunk_id not in ids]
        return hits


# the words of "X phải làm gì?" itself: what is left names a topic ("… khi có Đoàn kiểm tra C04")
_DUTY_WORDS = set("phai lam gi nhung nhiem vu nao duoc giao viec cong trach co thuc hien can cac la ve cua "
                  "va o tai tinh thi the nhu gom".split())


def _beyond_agency(question: str, actors: list[str], provinces: set[str]) -> list[str]:
    """The question's words that are neither the agencies', the provinces' nor the duty question's."""
    named = set(folded_key(" ".join([*actors, *provinces])).split())
    return [w for w in folded_key(question).split() if w not in named and w not in _DUTY_WORDS]


_TOPIC_STOP = set("trong nam thang quy ngay theo khi den tu voi cho de duoc mot so nay do".split())


def _topic_missing(question: str, actors: list[str], provinces: set[str], duties: list, chunks: dict) -> str | None:
    """The topic a duty question names beyond its agency ("về phòng chống dịch tả lợn"), as written,
    when none of the agency's duties is about it (its clause holds under half of the topic's word
    pairs); None when the question names no topic or some duty is about it."""
    beyond = set(_beyond_agency(question, actors, provinces)) - _TOPIC_STOP
    words = folded_key(question).split()
    pairs = {f"{a} {b}" for a, b in zip(words, words[1:]) if a in beyond and b in beyond}
    if len(pairs) < 2:
        return None
    for chunk_id in {d.chunk_id for d in duties}:
        chunk = chunks.get(chunk_id)
        text = f" {folded_key(' '.join([chunk.text, *chunk.headings]))} " if chunk else ""
        if 2 * sum(f" {p} " in text for p in pairs) >= len(pairs):
            return None
    spans = [m for m in re.finditer(r"\w+", question) if folded_key(m.group()) in beyond]
    return question[spans[0].start():spans[-1].end()]   # "lịch làm việc của Đoàn kiểm tra C04"


def _named_provinces(question: str, hits: list[Hit]) -> set[str]:
    """Provinces of the retrieved documents that the question names ('… ở Cao Bằng?')."""
    q = f" {folded_key(question)} "
    return {h.chunk.province for h in hits if h.chunk.province and f" {folded_key(h.chunk.province)} " in q}


def _province_first(question: str, hits: list[Hit]) -> list[Hit]:
    """'… ở Cao Bằng?': clauses of the named province's documents come first."""
    named = _named_provinces(question, hits)
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
