"""Document -> Chunk[]: one chunk per clause, pure and deterministic.

Structure first (the clause tree), size second: a clause longer than `max_chars` is split on
sentence boundaries, each part keeping the clause's headings so it stands alone.
"""
from __future__ import annotations

from dataclasses import replace

from core.text import sentence_starts
from core.types import Chunk, Document, content_id
from ingest.structure import Node, parse_outline
from ingest.task_table import attribute_line, labelled_task

# Bumped when clauses are cut or labelled differently: an index built by an older chunker still opens
# and answers, and each file is cut again at its next ingest. clause-v2 (2026-11-30): appendix paths
# ("Phụ lục II, bảng 1, dòng 3"). clause-v3 (2026-12-01): paragraphs after a point or bullet that ends
# with ":" hang under it. clause-v4 (2026-12-02): an appendix after a signer's block without a Nơi nhận.
# clause-v5 (2026-12-02): a task's labelled lines ("- Đơn vị chủ trì: …") are part of its clause.
# clause-v6 (2026-12-02): a công điện's "… điện:" list read as its addressees (the header it is cut with).
CHUNKER_VERSION = "clause-v6"


class ClauseChunker:
    def __init__(self, max_chars: int = 1500):
        self.max_chars = max_chars

    def chunk(self, doc: Document) -> list[Chunk]:
        outline = parse_outline(doc.text, doc.heading_lines, doc.layout, doc.rows)
        out: list[Chunk] = []
        if outline.header:
            self._emit(doc, out, *outline.header, "Phần đầu văn bản", (), "header")
        self._walk(doc, out, outline.preamble, [outline.preamble.label], (), "preamble")
        self._walk(doc, out, outline.body, [], (), "clause")
        self._walk(doc, out, outline.closing, [outline.closing.label], (), "closing")
        if outline.recipients:
            self._emit(doc, out, *outline.recipients, "Nơi nhận", (), "recipients")
        if outline.signature:
            self._emit(doc, out, *outline.signature, "Phần ký", (), "signature")
        return out

    def _walk(self, doc: Document, out: list[Chunk], node: Node, path: list[str],
              headings: tuple[str, ...], kind: str) -> None:
        for child in node.children:
            child_path = path + [child.label]
            own = doc.text[child.start:child.end]
            attributes = _attribute_lines(doc.text, child)
            if attributes:   # a task with its lead, partners and deadline as lines under it: one clause
                self._emit(doc, out, child.start, attributes[-1].end, ", ".join(child_path), headings, kind)
                child = replace(child, children=child.children[len(attributes):])
            elif child.children and _is_heading_only(own):
                pass  # a bare heading ("3. Giao Sở Nội vụ") lives on in its children's headings
            else:
                self._emit(doc, out, child.start, child.end, ", ".join(child_path), headings, kind)
            line = doc.text[child.line_start:child.end]
            self._walk(doc, out, child, child_path, headings + (line,), kind)

    def _emit(self, doc: Document, out: list[Chunk], start: int, end: int, clause: str,
              headings: tuple[str, ...], kind: str) -> None:
        start, end = _strip_span(doc.text, start, end)
        if end <= start:
            return
        pieces = _split_sentences(doc.text, start, end, self.max_chars)
        for i, (s, e) in enumerate(pieces, 1):
            label = clause if len(pieces) == 1 else f"{clause} (phần {i}/{len(pieces)})"
            h = doc.header
            page = doc.page_at(s)
            chunk = Chunk(chunk_id="", doc_id=doc.doc_id, document=doc.name, text=doc.text[s:e], start=s,
                          end=e, clause=label, headings=headings, kind=kind, title=h.title,
                          number=h.number, province=h.province, date=h.date, page=page,
                          ocr=page is not None and page in doc.ocr_pages)
            # The id covers everything the embedder sees, so a stored vector is reused only
            # when it is still right.
            out.append(replace(chunk, chunk_id=content_id(doc.doc_id, label, str(s), chunk.index_text())))


def _attribute_lines(text: str, node: Node) -> list[Node]:
    """The lines right under a task item that give its columns ("- Đơn vị chủ trì: Sở Nội vụ.", "-
    Thời gian hoàn thành: Quý III/2026."), when they say who leads: they belong to the task's clause,
    which then reads on its own as a task-table row does; [] otherwise."""
    lines = []
    for child in node.children:
        if child.children or attribute_line(text[child.line_start:child.end]) is None:
            break
        lines.append(child)
    if len(lines) < 2 or labelled_task(text[node.start:lines[-1].end]) is None:
        return []
    return lines


def _is_heading_only(text: str) -> bool:
    text = text.strip()
    if text.endswith(":"):
        return len(text.split()) < 12
    return not text.endswith((".", ";", "!", "?", "…")) and ". " not in text


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _split_sentences(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Split [start, end) into pieces of at most max_chars on sentence boundaries (a single
    sentence longer than that stays whole: cutting mid-sentence would break the citation)."""
    if end - start <= max_chars:
        return [(start, end)]
    bounds = [start] + [start + i for i in sentence_starts(text[start:end])] + [end]
    sentences = [_strip_span(text, a, b) for a, b in zip(bounds, bounds[1:])]
    pieces: list[tuple[int, int]] = []
    for s, e in sentences:
        if e <= s:
            continue
        if pieces and e - pieces[-1][0] <= max_chars:
            pieces[-1] = (pieces[-1][0], e)
        else:
            pieces.append((s, e))
    return _balance(pieces, max_chars)


def _balance(pieces: list[tuple[int, int]], max_chars: int) -> list[tuple[int, int]]:
    """Avoid a tiny last piece: merge it back when the result still fits comfortably."""
    if len(pieces) >= 2 and pieces[-1][1] - pieces[-1][0] < max_chars // 5 \
            and pieces[-1][1] - pieces[-2][0] <= int(max_chars * 1.2):
        pieces[-2:] = [(pieces[-2][0], pieces[-1][1])]
    return pieces
