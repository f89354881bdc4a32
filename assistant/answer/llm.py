"""Generative answers through any langchain chat model, every sentence verified.

RAG_LLM picks the backend: "openai" (langchain-openai; any OpenAI-compatible server through
OPENAI_BASE_URL) or "ollama" (langchain-ollama; OLLAMA_HOST). The backend package is imported
only when selected, on first use. If it is missing or the server cannot be reached, the
extractive answer is returned with a note saying so. Document text goes to the model inside
delimited data blocks that it is told never to obey, and the verifier (assistant/answer/verify.py)
removes any sentence the cited clauses do not support, whatever the model was talked into.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from assistant.answer.extractive import cite
from assistant.answer.verify import AnswerVerifier, Verdict, split_sentences
from assistant.prompts import render
from core.errors import ConfigError, RagError
from core.text import squash
from core.types import Answer, Chunk, Duty, Hit

log = logging.getLogger(__name__)

BACKENDS = ("openai", "ollama")
CHARS_PER_TOKEN = 3.0        # Vietnamese with e5/llama-style tokenizers: ~3 characters per token
_DELIMITERS = ("<<<", ">>>")


class LLMUnavailable(RagError):
    pass


@dataclass(frozen=True)
class ContextItem:
    n: int
    chunk: Chunk
    score: float = 0.0
    duties: tuple[Duty, ...] = ()


def make_chat_model(backend: str, model: str, context_tokens: int, answer_tokens: int, timeout: float):
    """The langchain chat model for `backend`; raises LLMUnavailable with the fix when its package is missing."""
    if backend == "openai":
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as e:
            raise LLMUnavailable("RAG_LLM=openai cần gói langchain-openai / needs langchain-openai: "
                                 "pip install -r requirements.txt") from e
        return ChatOpenAI(model=model or "gpt-4o-mini", base_url=os.environ.get("OPENAI_BASE_URL") or None,
                          api_key=os.environ.get("OPENAI_API_KEY") or "not-needed", temperature=0,
                          max_tokens=answer_tokens, timeout=timeout, max_retries=0)
    if backend == "ollama":
        try:
            from langchain_ollama import ChatOllama
        except ImportError as e:
            raise LLMUnavailable("RAG_LLM=ollama cần gói langchain-ollama / needs langchain-ollama: "
                                 "pip install -r requirements.txt") from e
        return ChatOllama(model=model or "qwen2.5:7b-instruct", base_url=os.environ.get("OLLAMA_HOST") or None,
                          temperature=0, num_ctx=context_tokens, num_predict=answer_tokens,
                          client_kwargs={"timeout": timeout})
    raise ConfigError(f"RAG_LLM={backend!r}: use one of {', '.join(BACKENDS)}, or leave it empty for extractive answers")


def _data(text: str) -> str:
    """Document text cannot open or close a data block."""
    for mark in _DELIMITERS:
        text = text.replace(mark, " ")
    return squash(text)


def build_context(hits: list[Hit], chunks: dict[str, Chunk], budget_chars: int, k: int,
                  duties: list[Duty] | None = None) -> list[ContextItem]:
    """Whole directives when the ones retrieved first fit the budget, otherwise the top `k`
    clauses; for a duty question, the clauses of that agency's duties with the duties spelled out."""
    if duties:
        by_chunk: dict[str, list[Duty]] = {}
        for d in duties:
            by_chunk.setdefault(d.chunk_id, []).append(d)
        items, used = [], 0
        for cid in (cid for cid in by_chunk if cid in chunks):  # most relevant first, within the budget
            used += len(chunks[cid].text) + 200
            if items and used > budget_chars:
                break
            items.append(ContextItem(len(items) + 1, chunks[cid], 1.0, tuple(by_chunk[cid])))
        return items
    docs = list(dict.fromkeys(h.chunk.doc_id for h in hits[:3]))
    whole = sorted((c for c in chunks.values() if c.doc_id in docs), key=lambda c: (docs.index(c.doc_id), c.start))
    if whole and sum(len(c.text) + 120 for c in whole) <= budget_chars:
        scores = {h.chunk.chunk_id: h.score for h in hits}
        return [ContextItem(n, c, scores.get(c.chunk_id, 0.0)) for n, c in enumerate(whole, 1)]
    items, used = [], 0
    for h in hits[:k]:
        used += len(h.chunk.text) + 120
        if items and used > budget_chars:
            break
        items.append(ContextItem(len(items) + 1, h.chunk, h.score))
    return items


def _duty_lines(item: ContextItem) -> list[str]:
    return [f"Nhiệm vụ: {d.actor} ({d.role}): {d.action}" + (f"; thời hạn: {d.time.text}" if d.time.text else "")
            for d in item.duties]


def render_context(items: list[ContextItem]) -> str:
    blocks = []
    for item in items:
        c = item.chunk
        source = " — ".join(x for x in (c.title, f"số {c.number}" if c.number else None, c.province, c.date) if x)
        # the heading often names who must act ("3. Giao Sở Nội vụ"): the model needs it too
        headings = f"Đề mục: {_data(' › '.join(c.headings))}\n" if c.headings else ""
        duties = "".join(_data(line) + "\n" for line in _duty_lines(item))
        blocks.append(render("llm_clause", n=str(item.n), source=_data(source), clause=_data(c.clause),
                             headings=headings, duties=duties, text=_data(c.text)))
    return "\n\n".join(blocks)


def shown_text(item: ContextItem) -> str:
    """What the model was shown for a clause: what its sentences may be checked against."""
    return " ".join((*item.chunk.headings, *_duty_lines(item), item.chunk.text))


class LLMAnswerer:
    """Generate, verify, and fall back to `fallback()` (the extractive answer) when unavailable."""

    def __init__(self, backend: str, model: str = "", context_tokens: int = 8192, answer_tokens: int = 1024,
                 timeout: float = 60.0, chat_model=None, agencies=None):
        self.name = backend
        self.settings = (backend, model, context_tokens, answer_tokens, timeout)
        self.context_tokens, self.answer_tokens = context_tokens, answer_tokens
        self._chat_model = chat_model
        self.agencies = agencies

    @property
    def budget_chars(self) -> int:
        """Room for clauses: the context window minus the answer, the rules and the question."""
        return max(2000, int((self.context_tokens - self.answer_tokens - 600) * CHARS_PER_TOKEN))

    def model(self):
        if self._chat_model is None:
            self._chat_model = make_chat_model(*self.settings)
        return self._chat_model

    def messages(self, question: str, items: list[ContextItem]):
        from langchain_core.messages import HumanMessage, SystemMessage
        return [SystemMessage(render("llm_system")),
                HumanMessage(render("llm_user", count=str(len(items)), context=render_context(items), question=question))]

    def rewrite(self, question: str, history: list[str]) -> str:
        """A follow-up plus the earlier questions -> one standalone question (None on failure)."""
        from langchain_core.messages import HumanMessage
        lines = "\n".join(f"- {q}" for q in history[-4:])
        reply = self.model().invoke([HumanMessage(render("llm_condense", history=lines, question=question))])
        lines = [line for line in str(reply.content).splitlines() if line.strip()]
        text = squash(lines[0]).strip(" \"'“”") if lines else ""
        return text or question

    def stream(self, question: str, items: list[ContextItem], known_actors,
               fallback: Callable[[], Answer]) -> Iterator[str | Answer]:
        """Text deltas as the model writes, then the verified Answer (always last)."""
        pieces: list[str] = []
        try:
            for chunk in self.model().stream(self.messages(question, items)):
                delta = chunk.content if isinstance(chunk.content, str) else ""
                if delta:
                    pieces.append(delta)
                    yield delta
        except Exception as e:  # noqa: BLE001 - any backend failure: the extractive answer, saying why
            log.warning("%s: generation failed, answering extractively: %s: %s", self.name, e.__class__.__name__, e)
            yield self._fell_back(fallback(), e)
            return
        yield self._verified(question, "".join(pieces), items, known_actors, fallback)

    def _fell_back(self, answer: Answer, error: Exception) -> Answer:
        reason = str(error) if isinstance(error, LLMUnavailable) else f"{self.name}: {error.__class__.__name__}: {error}"
        note = render("llm_fallback", reason=reason[:300])
        return replace(answer, text=f"{note}\n{answer.text}", backend="extractive", fallback_reason=reason)

    def _verified(self, question: str, text: str, items: list[ContextItem], known_actors,
                  fallback: Callable[[], Answer]) -> Answer:
        sources = {item.n: shown_text(item) for item in items}
        verdict: Verdict = AnswerVerifier(self.agencies, known_actors).verify(text, sources)
        kept = split_sentences(verdict.text)
        if kept and all(not any(ch.isdigit() for ch in s) and "không tìm thấy" in s.lower() for s in kept) \
                and not verdict.cited:
            return Answer(question=question, text=render("refusal"), refused=True, backend=self.name,
                          unsupported=verdict.unsupported)
        if not verdict.cited:  # nothing the clauses support: the extractive answer, saying why
            answer = fallback()
            note = render("llm_fallback", reason="câu trả lời của mô hình không được điều khoản xác nhận")
            return replace(answer, text=f"{note}\n{answer.text}", backend="extractive",
                           unsupported=verdict.unsupported, fallback_reason="unsupported")
        by_n = {item.n: item for item in items}
        citations = tuple(cite(n, by_n[n].chunk, by_n[n].score) for n in sorted(verdict.cited))
        return Answer(question=question, text=verdict.text, refused=False, citations=citations,
                      backend=self.name, unsupported=verdict.unsupported)
