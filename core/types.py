"""Frozen values that cross stages: Document, Chunk, Hit, Citation, Answer."""
from __future__ import annotations

import hashlib
from bisect import bisect_right
from dataclasses import asdict, dataclass, field


def file_sha256(path) -> str:
    """sha256 of a file's bytes, read in 1 MiB blocks (large scans never sit whole in memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def filled_number(number: str | None) -> str | None:
    """A số/ký hiệu whose number was filled in ('10331/UBND-KSTT'); None for an unsigned draft's
    blank one ('/UBND-NC') or none at all."""
    return number if number and not number.startswith("/") else None


def content_id(*parts: str, size: int = 16) -> str:
    """Stable id derived from content, so re-ingesting the same text gives the same ids."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:size]


@dataclass(frozen=True)
class Header:
    """What the header and signature block of an administrative document say."""
    number: str | None = None          # số/ký hiệu as written, e.g. "10331/UBND-KSTT", "/UBND-THKH"
    doc_type: str | None = None        # Công văn, Chỉ thị, Kế hoạch, Quyết định, Thông báo …
    subject: str | None = None         # trích yếu ("V/v …") or title of a Chỉ thị
    place: str | None = None
    date: str | None = None            # ISO, possibly partial: "2021-12-31", "2021-12", "2022"
    date_text: str | None = None       # as written: "ngày 31 tháng 12 năm 2021"
    province: str | None = None
    recipients: tuple[str, ...] = ()   # Kính gửi
    signer: str | None = None
    signer_title: str | None = None    # "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"
    cc: tuple[str, ...] = ()           # Nơi nhận
    issuer: str | None = None          # cơ quan ban hành as printed, lines joined by " / "

    @property
    def title(self) -> str:
        kind = self.doc_type or "Văn bản"
        if not self.subject:
            return kind
        if self.subject.lower().startswith("về ") or kind != "Công văn":
            return f"{kind} {self.subject}"
        return f"{kind} V/v {self.subject}"


@dataclass(frozen=True)
class Block:
    """One paragraph, heading or table row as a loader read it, in reading order."""
    text: str                          # NFC, one line, whitespace collapsed
    kind: str = "para"                 # para | heading (bold, heading style, centred title) | row
    page: int | None = None            # 1-based page where it starts (PDF, scans)
    table: int = 0                     # rows: 1-based number of the data table in the document
    row: int = 0                       # rows: 1-based data row (header rows are not rows)
    ocr: bool = False                  # the text came from OCR


@dataclass(frozen=True)
class Extracted:
    """What a format loader read: blocks in reading order plus where they came from."""
    blocks: tuple[Block, ...]
    format: str                        # docx | doc | pdf | scan | image | html | txt | md
    pages: int = 0                     # page count when known
    ocr_pages: tuple[int, ...] = ()    # 1-based pages whose text came from OCR
    notes: tuple[str, ...] = ()        # provenance, e.g. "lớp chữ TCVN3 đã chuyển sang Unicode"


@dataclass(frozen=True)
class Layout:
    """Where the parts of a document lie in its cleaned text (character offsets)."""
    header_end: int          # body starts here
    body_end: int            # Nơi nhận / signature start here (== len(text) when absent)
    recipients_span: tuple[int, int] | None = None
    signature_span: tuple[int, int] | None = None
    appendix_start: int | None = None  # an appendix or task table after the signature


@dataclass(frozen=True)
class Document:
    """A cleaned directive: NFC text with artefacts removed; all offsets point into `text`."""
    source: str                        # absolute path of the file it came from
    name: str                          # file name, shown in citations
    text: str
    header: Header
    content_hash: str                  # sha256 of the raw file bytes
    heading_lines: tuple[int, ...] = ()  # start offsets of lines written as bold or '##' headings
    layout: Layout | None = field(default=None, compare=False)  # found once at load, reused by the chunker
    format: str = "txt"                # docx | doc | pdf | scan | image | html | txt | md
    pages: int = 0                     # page count of paged formats
    page_starts: tuple[int, ...] = ()  # offset in `text` where each page begins (page 1 first)
    ocr_pages: tuple[int, ...] = ()    # pages whose text came from OCR
    rows: tuple[tuple[int, int, int], ...] = ()  # (line offset, table, row) of table-row lines
    notes: tuple[str, ...] = ()        # how the text was obtained ("OCR", "TCVN3 → Unicode" …)
    reader: str = ""                   # what read it (loader version, + the OCR for scans): a newer one reads again

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding `offset` (None for formats without pages)."""
        if not self.page_starts:
            return None
        return bisect_right(self.page_starts, offset) or 1

    def info(self) -> dict:
        """The provenance fields, as stored beside the header."""
        return {"format": self.format, "pages": self.pages, "page_starts": list(self.page_starts),
                "ocr_pages": list(self.ocr_pages), "rows": [list(r) for r in self.rows], "notes": list(self.notes),
                "reader": self.reader}

    @staticmethod
    def info_fields(info: dict) -> dict:
        """Keyword arguments for Document from a stored info dict."""
        return {"format": info.get("format", "txt"), "pages": info.get("pages", 0),
                "page_starts": tuple(info.get("page_starts", ())), "ocr_pages": tuple(info.get("ocr_pages", ())),
                "rows": tuple(tuple(r) for r in info.get("rows", ())), "notes": tuple(info.get("notes", ())),
                "reader": info.get("reader", "")}

    @property
    def doc_id(self) -> str:
        return content_id(self.source, size=12)


@dataclass(frozen=True)
class Chunk:
    """One clause (or one sentence-aligned part of a long clause) with its place in the tree."""
    chunk_id: str
    doc_id: str
    document: str                      # file name
    text: str                          # == document.text[start:end]
    start: int
    end: int
    clause: str                        # "Mục 3, gạch đầu dòng 2"
    headings: tuple[str, ...] = ()     # heading texts above the clause, outermost first
    kind: str = "clause"               # header | preamble | clause | closing | signature | recipients
    title: str = ""
    number: str | None = None
    province: str | None = None
    date: str | None = None
    page: int | None = None            # 1-based page where the clause starts (paged formats)
    ocr: bool = False                  # the clause's text came from OCR

    def index_text(self) -> str:
        """What the embedder and BM25 see: the clause standing alone with its context."""
        where = f"tỉnh {self.province}" if self.province else ""
        parts = [f"{self.title} {where}".strip(), *self.headings, _KIND_HINTS.get(self.kind, ""), self.text]
        return "\n".join(p for p in parts if p)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Chunk":
        data = dict(data)
        data["headings"] = tuple(data.get("headings") or ())
        return cls(**data)


# Words a user asks with, for parts of a document that do not say them in their text.
_KIND_HINTS = {
    "header": "Số hiệu, ngày ban hành, trích yếu, nơi gửi của văn bản.",
    "signature": "Người ký văn bản, chức vụ người ký.",
    "recipients": "Nơi nhận văn bản.",
}


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float                       # fused relevance, higher is better
    dense: float | None = None         # cosine similarity from the embedder
    lexical: float | None = None       # BM25 score
    rank_dense: int | None = None
    rank_lexical: int | None = None


@dataclass(frozen=True)
class Citation:
    n: int
    document: str
    title: str
    number: str | None
    province: str | None
    clause: str
    text: str                          # verbatim clause text, whitespace-normalised
    score: float
    date: str | None = None
    start: int = 0
    end: int = 0
    doc_id: str = ""
    page: int | None = None            # 1-based page of a paged source (PDF, scan)
    ocr: bool = False                  # the cited text was read by OCR
    status: str = "in_force"           # in_force | replaced | repealed | amended | unknown (by the loaded documents)

    def to_json(self) -> dict:
        return {"n": self.n, "document": self.document, "title": self.title, "number": self.number,
                "province": self.province, "clause": self.clause, "page": self.page, "ocr": self.ocr,
                "text": self.text, "score": round(float(self.score), 4), "status": self.status}


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    hits: tuple[Hit, ...] = field(default=(), compare=False, repr=False)
    backend: str = "extractive"            # which answerer produced the text: extractive | openai | ollama …
    unsupported: tuple[str, ...] = ()      # generated sentences removed because no cited clause supports them
    fallback_reason: str | None = None     # why a configured LLM was not used for this answer
    standalone: str | None = None          # a follow-up question as rewritten before searching
    not_found: tuple[str, ...] = ()        # parts of the question that no loaded document answers

    def to_json(self) -> dict:
        out = {"question": self.question, "answer": self.text, "refused": self.refused,
               "citations": [c.to_json() for c in self.citations], "backend": self.backend,
               "unsupported": list(self.unsupported), "not_found": list(self.not_found)}
        if self.standalone:
            out["standalone_question"] = self.standalone
        if self.fallback_reason:
            out["fallback_reason"] = self.fallback_reason
        return out


@dataclass(frozen=True)
class DutyTime:
    """When a duty is due: 'date' (absolute), 'quarter' / 'month' / 'half' / 'year' (within a
    period, due on its last day), 'recurring' (with an RFC 5545 RRULE when the period is regular),
    'relative' ("trong 10 ngày kể từ …", "trước Hội nghị"), 'ongoing' ("thường xuyên") or 'none'."""
    text: str | None = None
    kind: str = "none"
    date: str | None = None            # YYYY-MM-DD: the day it is due (a period's last day)
    rrule: str | None = None           # e.g. "FREQ=MONTHLY" for kind 'recurring'
    due: str | None = None             # YYYY-MM-DDTHH:MM when an hour is stated ("trước 14 giờ, ngày …")
    period: str | None = None          # "2026-Q2", "2026-06", "2026-H1", "2026" for a period's kinds
    until: str | None = None           # YYYY-MM-DD: a recurrence's last day, when its document is for a period

    def to_json(self) -> dict:
        return {"text": self.text, "kind": self.kind, "date": self.date, "rrule": self.rrule,
                "due": self.due, "period": self.period, "until": self.until}

    def ended(self, today) -> bool:
        """A recurrence whose document's period is over ("hằng tuần" in a plan for 2019)."""
        return self.kind == "recurring" and bool(self.until) and self.until < today.isoformat()


@dataclass(frozen=True)
class Duty:
    """Who must do what, by when, and the clause that says so."""
    duty_id: str
    doc_id: str
    document: str                      # file name
    province: str | None
    actor: str                         # canonical agency name
    actor_text: str                    # as the directive writes it
    role: str                          # chủ trì | phối hợp | thực hiện | tham mưu | theo dõi, đôn đốc | báo cáo
    action: str                        # short action phrase
    quote: str                         # verbatim clause text (whitespace-normalised)
    clause: str
    chunk_id: str
    start: int
    end: int
    time: DutyTime = DutyTime()
    references: tuple[str, ...] = ()
    actor_current: str | None = None   # who holds the duty today ("Sở Tài chính" for "Sở Kế hoạch và Đầu tư")

    @property
    def holder(self) -> str:
        """The body that answers for the duty today."""
        return self.actor_current or self.actor

    @property
    def formerly(self) -> str | None:
        """The name the document used, when a successor holds the duty today."""
        return self.actor if self.actor_current and self.actor_current != self.actor else None

    @property
    def named(self) -> str:
        """'Sở Tài chính (trước đây: Sở Kế hoạch và Đầu tư)', or the actor when nothing changed."""
        return f"{self.holder} (trước đây: {self.formerly})" if self.formerly else self.actor

    def to_json(self) -> dict:
        return {"actor": self.actor, "actor_current": self.holder, "role": self.role, "action": self.action,
                "time": self.time.to_json(), "document": self.document, "province": self.province,
                "clause": self.clause, "quote": self.quote}

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Duty":
        data = dict(data)
        data["time"] = DutyTime(**data["time"])
        data["references"] = tuple(data.get("references") or ())
        return cls(**data)
