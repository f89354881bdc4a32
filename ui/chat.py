"""Web chat handlers and HTML, as plain Python (tested without a browser).

Everything that comes from a document is escaped: no HTML or script from a file reaches the page.
"""
from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from assistant.ask import Assistant
from assistant.prompts import render
from core.types import Answer
from ui.pages import page_image

EXAMPLES = [
    "Sở Nội vụ phải làm gì theo công văn của Thanh Hóa?",
    "Ai chủ trì kiểm tra công vụ đột xuất?",
    "Hồ sơ trình có nội dung mật gửi thế nào?",
    "Chủ tịch UBND các huyện ở Long An chịu trách nhiệm gì?",
    "Ai ký công văn số 10331/UBND-KSTT của Nghệ An?",
]
CONTEXT_CHARS = 220
_MARKER = re.compile(r"\[(\d{1,2})\]")


def escape(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def chat_markdown(answer: Answer) -> str:
    """The answer for the chat bubble: markdown with [n] markers, document text escaped; a
    rewritten follow-up is shown, and sentences the verifier removed are listed, flagged."""
    text = _MARKER.sub(r"[[\1]](#src-\1)", escape(answer.text)).replace("\n", "  \n")  # [n] links to its source
    if answer.standalone:
        text = f"_Hiểu là: {escape(answer.standalone)}_  \n{text}"
    if answer.unsupported:
        note = render("unsupported_note", count=str(len(answer.unsupported)),
                      sentences="\n".join(f"~~{escape(s)}~~" for s in answer.unsupported))
        text += '  \n\n<div class="rag-unsupported">' + note.replace("\n", "<br>") + "</div>"
    return text


def previous_questions(history: list | None) -> list[str]:
    """The user's earlier questions in a Gradio messages history (stored escaped)."""
    out = []
    for message in history or []:
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):  # gradio may wrap text in content parts
                content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
            out.append(html.unescape(str(content or "")))
    return out


def sources_html(answer: Answer, document_text, page_image=None, validity_of=None) -> str:
    """One card per citation: title, number, date, province, clause path, and the cited span
    highlighted inside its surrounding text."""
    if not answer.citations:   # a refusal may show the nearest clause, which does not say what was asked
        return '<div class="rag-sources rag-empty">Không có nguồn trích dẫn.</div>'
    cards = []
    for c in answer.citations:
        full = document_text(c.doc_id) or ""
        if full[c.start:c.end] and c.end <= len(full):
            before = full[max(0, c.start - CONTEXT_CHARS):c.start]
            cited = full[c.start:c.end]
            after = full[c.end:c.end + CONTEXT_CHARS]
        else:
            before, cited, after = "", c.text, ""
        meta = " · ".join(escape(x) for x in (
            f"Số: {c.number}" if c.number else "Số: (không ghi)",
            f"Ngày: {c.date}" if c.date else "Ngày: (không ghi)",
            f"Tỉnh: {c.province}" if c.province else None,
            c.document) if x)
        where = (f" · trang {c.page}" if c.page else "") + (" · văn bản quét, chữ nhận dạng bằng OCR" if c.ocr else "")
        cards.append(
            f'<div class="rag-source" id="src-{c.n}">'
            f'<div class="rag-source-head"><b>[{c.n}]</b> {escape(c.title)}</div>'
            f'<div class="rag-source-meta">{meta}</div>'
            f'<div class="rag-source-clause">Điều khoản: {escape(c.clause)}{where}</div>'
            f'{validity_line(validity_of(c.doc_id) if validity_of else None)}'
            f'<div class="rag-source-text">{"…" if before else ""}{escape(before)}'
            f'<mark>{escape(cited)}</mark>{escape(after)}{"…" if after else ""}</div>'
            f'{_page_picture(c, page_image)}'
            f'<a href="#" class="rag-open" data-doc="{escape(c.doc_id)}" data-at="{int(c.start)}">'
            f'Mở văn bản tại điều khoản này</a>'
            f'</div>')
    copy = (f'<button type="button" class="rag-copy">Sao chép câu trả lời kèm nguồn</button>'
            f'<textarea class="rag-copy-text" hidden readonly>{escape(plain_text(answer))}</textarea>')
    return '<div class="rag-sources">' + copy + "".join(cards) + "</div>"


def plain_text(answer: Answer) -> str:
    """The answer and its sources as plain text, for the clipboard."""
    lines = [answer.text, "", "Nguồn:"]
    for c in answer.citations:
        where = " · ".join(x for x in (c.title, f"số {c.number}" if c.number else "", c.date or "", c.province or "",
                                       c.clause, f"trang {c.page}" if c.page else "", c.document) if x)
        lines.append(f"[{c.n}] {where}\n    «{c.text}»")
    return "\n".join(lines)


def validity_line(validity) -> str:
    """'Văn bản này đã bị thay thế bởi …', with the provision that says so."""
    if validity is None or not validity.note():
        return ""
    said = next((s for s in validity.said if s.kind == validity.status), None)
    quote = f' <span class="rag-validity-quote">«{escape(said.quote)}» ({escape(said.by_name)})</span>' if said else ""
    return f'<div class="rag-validity">⚠️ Văn bản này {escape(validity.note())}.{quote}</div>'


def _page_picture(c, page_image) -> str:
    uri = page_image(c.doc_id, c.page, c.text, c.ocr) if page_image and c.page else None
    if not uri:
        return ""
    return (f'<details class="rag-page"><summary>Xem trang {c.page} của bản gốc</summary>'
            f'<img src="{uri}" alt="Trang {c.page} của {escape(c.document)}" loading="lazy"></details>')


def documents_html(documents: list[dict]) -> str:
    if not documents:
        return "<p>Chưa nạp văn bản nào. Chạy <code>python app.py ingest THƯ_MỤC</code>.</p>"
    rows = []
    for d in documents:
        h = d["header"]
        rows.append("<tr>" + "".join(f"<td>{escape(x)}</td>" for x in (
            h.title, h.number or "—", h.date or "—", h.issuer or "—", h.province or "—",
            f"{h.signer} ({h.signer_title})" if h.signer else "—", d["name"])) + "</tr>")
    head = "".join(f"<th>{t}</th>" for t in ("Văn bản", "Số", "Ngày", "Cơ quan ban hành", "Tỉnh", "Người ký", "Tệp"))
    return f'<table class="rag-docs"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


class AnswerSlots:
    """The chat's two concurrency groups when an LLM writes the answers. Gradio picks a group per
    event, before anyone knows whether a question will reach the model, so the chat event takes a
    CPU slot (retrieval, extractive answers; one per core) and gives it back while it waits for, and
    on, a model slot: a question answered without the model never waits behind model calls."""

    def __init__(self, cpu: int, model: int):
        self.cpu, self.model = threading.BoundedSemaphore(cpu), threading.BoundedSemaphore(model)
        # Gradio may run each step of a streaming handler on another thread: a CPU slot is taken and
        # given back within one step, never held across a yield, so a thread-local flag can track it.
        self._holding = threading.local()

    @contextmanager
    def thinking(self):
        self.cpu.acquire()
        self._holding.cpu = True
        try:
            yield
        finally:
            self._give_back_cpu()

    @contextmanager
    def writing(self, think_after: bool):
        """Around a model call; `think_after`: take a CPU slot again when it returns (a rewrite,
        which retrieval follows in the same step; not a stream, whose words are yielded)."""
        gave_back = self._give_back_cpu()
        try:
            with self.model:
                yield
        finally:
            if gave_back and think_after:
                self.cpu.acquire()
                self._holding.cpu = True

    def _give_back_cpu(self) -> bool:
        if not getattr(self._holding, "cpu", False):
            return False
        self._holding.cpu = False
        self.cpu.release()
        return True


class GatedModel:
    """An LLMAnswerer whose calls go through the model slots of AnswerSlots."""

    def __init__(self, model, slots: AnswerSlots):
        self._model, self._slots = model, slots

    def __getattr__(self, name):
        return getattr(self._model, name)

    def rewrite(self, question: str, history: list[str]) -> str:
        with self._slots.writing(think_after=True):
            return self._model.rewrite(question, history)

    def stream(self, *args, **kwargs):
        with self._slots.writing(think_after=False):
            yield from self._model.stream(*args, **kwargs)


class ChatHandlers:
    def __init__(self, assistant: Assistant, slots: AnswerSlots | None = None):
        """`slots`: the CPU and model groups for when an LLM writes answers (ui/web.py); without
        an LLM, Gradio's own queue sizes the chat."""
        self.assistant = assistant
        self.slots = slots
        if slots is not None and assistant.generator is not None and not isinstance(assistant.generator, GatedModel):
            assistant.generator = GatedModel(assistant.generator, slots)

    def _thinking(self):
        return self.slots.thinking() if self.slots is not None else nullcontext()

    def document_choices(self) -> list[tuple[str, str]]:
        out = []
        for d in self.assistant.library.primary_documents():
            h = d["header"]
            label = " · ".join(x for x in (h.province, h.doc_type, h.number, d["name"]) if x)
            out.append((label, d["name"]))
        return out

    def province_choices(self) -> list[str]:
        return sorted({d["header"].province for d in self.assistant.library.primary_documents()
                       if d["header"].province})

    def respond(self, message: str, history: list | None, documents: list[str] | None = None,
                provinces: list[str] | None = None) -> tuple[list, str, str]:
        """(new chat history, sources panel HTML, cleared input box)."""
        final = None
        for final in self.respond_stream(message, history, documents, provinces):
            pass
        return final

    def respond_stream(self, message: str, history: list | None, documents: list[str] | None = None,
                       provinces: list[str] | None = None) -> Iterator[tuple[list, str, str]]:
        """Like respond, but yields the growing answer while an LLM writes it; the last yield
        holds the verified answer and its sources."""
        history = list(history or [])
        message = (message or "").strip()[:2000]
        if not message:
            yield history, sources_html(_EMPTY, lambda _: ""), ""
            return
        earlier = previous_questions(history)
        history.append({"role": "user", "content": escape(message)})
        yield history + [{"role": "assistant", "content": "_Đang tìm trong các văn bản…_"}], _CHECKING, ""
        events = self.assistant.stream(message, documents=documents or None, provinces=provinces or None,
                                       history=earlier)
        with self._thinking():
            event = next(events)  # retrieval and an extractive answer, or a model's first words
        written = ""
        while not isinstance(event, Answer):
            written += event
            draft = escape(written).replace("\n", "  \n") + "  \n_(đang viết, chưa kiểm chứng…)_"
            yield history + [{"role": "assistant", "content": draft}], _CHECKING, ""
            event = next(events)
        history.append({"role": "assistant", "content": chat_markdown(event)})
        with self._thinking():
            sources = sources_html(event, self.assistant.library.document_text, self.page_image,
                                   self.assistant.library.validity_of)
        yield history, sources, ""

    def page_image(self, doc_id: str, page: int, quote: str | None = None, ocr: bool = False) -> str | None:
        """The cited page of the original, `quote` highlighted where its position is known."""
        library = self.assistant.library
        original = library.original_file(doc_id)
        if not original:
            return None
        return page_image(str(original), page, quote, library.ocr_page(original, page) if ocr else None)

    def ask_json(self, question: str, documents: list[str] | None = None,
                 provinces: list[str] | None = None) -> dict:
        """The same contract as `python app.py ask --json`, for HTTP clients."""
        with self._thinking():
            return self.assistant.ask(question, documents=documents or None, provinces=provinces or None).to_json()


# A citation's "open" link puts "doc_id#offset" into the hidden box of the Văn bản tab, whose
# change event shows that document scrolled to the cited clause.
HEAD = """<script>
document.addEventListener('click', function (event) {
  const copy = event.target.closest ? event.target.closest('button.rag-copy') : null;
  if (copy) {
    const text = copy.parentElement.querySelector('textarea.rag-copy-text').value;
    const label = copy.textContent;
    const done = () => { copy.textContent = 'Đã sao chép'; setTimeout(() => { copy.textContent = label; }, 2000); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {  // plain http on a LAN address: the clipboard API is not available there
      const area = document.createElement('textarea');
      area.value = text; document.body.appendChild(area); area.select();
      document.execCommand('copy'); area.remove(); done();
    }
    return;
  }
  const link = event.target.closest ? event.target.closest('a.rag-open') : null;
  if (!link) return;
  event.preventDefault();
  const box = document.querySelector('#rag-open-document textarea, #rag-open-document input');
  if (!box) return;
  box.value = link.dataset.doc + '#' + link.dataset.at + '#' + Date.now();
  box.dispatchEvent(new Event('input', {bubbles: true}));
});
</script>"""

_EMPTY = Answer(question="", text="", refused=True)
_CHECKING = '<div class="rag-sources rag-empty">Đang soạn câu trả lời; nguồn hiện khi đã kiểm chứng.</div>'

CSS = """
.rag-source { border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 10px; margin-bottom: 8px; }
.rag-source-meta { color: #57606a; font-size: 0.85em; }
.rag-source-clause { font-weight: 600; margin: 4px 0; }
.rag-source-text { font-size: 0.9em; white-space: pre-wrap; line-height: 1.45; }
.rag-source-text mark, .rag-clause-focus { background: #fff1a8; color: #1f2328; padding: 0 1px; }
.dark .rag-source-text mark, .dark .rag-clause-focus { background: #6e5a00; color: #ffffff; }
.dark .rag-source-meta { color: #9da7b3; }
.dark .rag-unsupported { color: #f0d58a; background: #3d3000; }
.rag-open { font-size: 0.85em; }
.rag-validity { color: #9a3412; background: #fff3e0; border-radius: 6px; padding: 3px 8px; margin: 4px 0;
                font-size: 0.9em; }
.dark .rag-validity { color: #fed7aa; background: #431407; }
.rag-validity-quote { font-style: italic; }
.rag-overdue-label { color: #b91c1c; font-weight: 600; font-size: 0.85em; }
.dark .rag-overdue-label { color: #fca5a5; }
.rag-copy { font-size: 0.85em; margin-bottom: 6px; padding: 2px 8px; border: 1px solid #d0d7de; border-radius: 6px; }
.rag-clause { border-left: 2px solid #d0d7de; padding: 2px 8px; margin: 6px 0; white-space: pre-wrap; }
.rag-clause-duties { font-size: 0.9em; margin: 2px 0 0 1em; }
.rag-page summary { cursor: pointer; font-size: 0.85em; margin-top: 4px; }
.rag-page img { max-width: 100%; border: 1px solid #ccc; margin-top: 4px; }
.rag-unsupported { color: #9a6700; background: #fff8c5; border-radius: 6px; padding: 4px 8px; }
.rag-docs { font-size: 0.9em; border-collapse: collapse; }
.rag-docs td, .rag-docs th { border-bottom: 1px solid #d0d7de; padding: 4px 6px; text-align: left; }
"""
