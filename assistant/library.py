"""The loaded directives: ingest files into the index and search them.

Every step that can fail (read, decode, parse, chunk, embed) runs before the index is touched,
so a failing file leaves the index exactly as it was and is reported with its reason.
"""
from __future__ import annotations

import re
import shutil
from array import array
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from assistant.served import Served
from assistant.uploads import UploadArea, is_upload, safe_upload_name, upload_source
from assistant.validity import Validity, validity
from assistant.versions import copies as same_directive_copies
from assistant.writing import WriterLock, settle_vectors
from core.errors import RagError
from core.settings import Settings
from core.text import has_diacritics, nfc
from core.types import Chunk, Duty, Hit, content_id, file_sha256
from index.embed import make_embedder
from index.hybrid import FusionWeights, HybridSearcher
from index.lexical import LexicalIndex
from index.store import Catalog, VectorStore
from ingest.actors import led_body
from ingest.agencies import body_key
from ingest.chunk import CHUNKER_VERSION, ClauseChunker
from ingest.duties import DUTIES_VERSION, DutyExtractor
from ingest.load import LoadOptions, load_directive, reading_id, scan_directive_files
from ingest.relations import RELATIONS_VERSION, find_relations

Progress = Callable[[int, int, str], None]
EMBED_BATCH = 64
# folded level words that a list of bodies goes on with ("UBND các xã, thị trấn")
_LEVEL_WORDS = {"xa", "phuong", "thi", "tran", "huyen", "quan", "thanh", "pho", "dac", "khu", "tinh"}


def _same_group(key: str, asked: str) -> bool:
    """Does the body whose key is `key` name `asked`, or a list that goes on from it with level words
    only ("ubnd cac xa thi tran" for "ubnd cac xa")?"""
    return key == asked or (key.startswith(asked + " ") and set(key[len(asked):].split()) <= _LEVEL_WORDS)


# a Nơi nhận line "Như Điều 3;" / "Như các Điều 2, 3": sent to those the articles name
_AS_IN_ARTICLES = re.compile(r"^như\s+(?:các\s+)?điều\s+(\d+(?:\s*(?:,|và)\s*\d+)*)", re.IGNORECASE)


@dataclass(frozen=True)
class FileResult:
    path: str
    status: str               # added | updated | unchanged | failed | removed | skipped | not_found
    chunks: int = 0
    reason: str = ""
    doc_id: str = ""
    # an upload whose number, issuer and date match another loaded document: offered as its replacement
    same_as: tuple[str, ...] = ()


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]


class Library:
    def __init__(self, settings: Settings, embedder=None, prefetch: bool = False, vectors_later: bool = False,
                 prefetch_passages: bool = False):
        """prefetch: start loading the question model now, while the index opens (for answering);
        prefetch_passages: the passage model (for an ingest).
        vectors_later: open the embedded vector store on first use or `open_vectors()` (a server
        builds its page from the catalog meanwhile)."""
        self.settings = settings
        self.data_dir = Path(settings.data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder or make_embedder(settings.embed_model, settings.model_dir, settings.embed_precision,
                                                  settings.query_precision)
        if hasattr(self.embedder, "prefetch"):
            if prefetch:
                self.embedder.prefetch()
            if prefetch_passages:
                self.embedder.prefetch(passages=True)
        self.chunker = ClauseChunker(settings.max_chunk_chars)
        self.duty_extractor = DutyExtractor()
        self.catalog = Catalog(self.data_dir / "catalog.sqlite")
        stale = self.catalog.check_manifest(self.manifest(), self.data_dir,
                                            derived=("duties", "schema", "relations", "chunker"))
        if "relations" in stale:
            for doc in self.catalog.stored_documents():
                self.catalog.replace_relations(doc.doc_id, _relations_of(doc))
        if stale & {"duties", "schema"}:
            self._reextract_duties()
        if "chunker" in stale:  # a newer chunker: each file is cut again at its next ingest; until then, as it was
            self.catalog.forget_readings()
        if stale:
            self.catalog.record_manifest({k: v for k, v in self.manifest().items() if k in stale})
        self.vectors = VectorStore(self.data_dir / "chroma", settings.chroma_url, settings.chroma_collection,
                                   connect=not vectors_later)
        self.uploads = UploadArea(self.data_dir)
        self.uploads.clean_staging()
        # Writers (ingest, upload, remove, repair) take this lock one at a time, in this process and
        # any other on the same index; readers never wait for it: they use the searcher of the last
        # reload, swapped in at once when a write ends.
        self._write = WriterLock(self.data_dir / "writer.lock")
        self._lock = self._write.threads  # held by our own write: refresh leaves the reload to it
        self._ocr = None                   # made on the first cited scan: it asks tesseract its version
        self._names = None                 # the names with_marks knows, made on the first question without marks
        self._reload()

    def open_vectors(self) -> None:
        """Open the vector store and load its graph (a server's background start, so that the first
        question does not pay for it)."""
        self.vectors.open()
        self.vectors.warm()

    def manifest(self) -> dict:
        return expected_manifest(self.embedder.name)

    def _reextract_duties(self) -> None:
        """A newer duty extractor: rebuild the duty table from the stored documents and clauses
        (no re-embedding needed)."""
        for doc in self.catalog.stored_documents():
            self.catalog.replace_duties(doc.doc_id, self.duty_extractor.extract(doc, self.catalog.chunks_of(doc.doc_id)))

    def close(self) -> None:
        self.catalog.close()

    # ---- reading -------------------------------------------------------------------------
    def refresh(self) -> bool:
        """Reload when another process (an ingesting worker) changed the shared catalog."""
        if self.catalog.generation() == self._generation:
            return False
        if not self._lock.acquire(blocking=False):  # our own ingest is running; it reloads when done
            return False
        try:
            if self.catalog.generation() != self._generation:
                self._reload()
        finally:
            self._lock.release()
        return True

    def _reload(self, lexical: LexicalIndex | None = None) -> None:
        """lexical: an index just rebuilt (repair); by default the current one is brought in step."""
        with self.catalog.snapshot():  # one state of the catalog, whatever another worker commits meanwhile
            now = self.catalog.generation()
            by_doc, changed = self._documents_read_again(now)
            # a draft and its signed PDF are one directive: only the file standing for it is cited and counted
            docs = self.catalog.documents()  # parsed once for the copies, validity and headers below
            copies = same_directive_copies(docs, self.catalog.document_text, self.catalog.text_lengths())
            self.validity = validity(docs, self.catalog.relations(), self.catalog.document_text)
        self._generation = now
        self._doc_order = [d["doc_id"] for d in docs]  # by name, as the catalog lists them
        held: Served | None = getattr(self, "_served", None)
        served = held.updated(by_doc, copies, changed) if held is not None else Served.of(by_doc, copies)
        lexical = self._lexical_in_step(served.every, lexical)
        self._served = served
        self.searcher = HybridSearcher(served.chunks, lexical, self.vectors, self.embedder, FusionWeights())
        self.copies = copies
        self.duties_by_chunk = served.duties_by_chunk
        self.known_actors = served.known_actors
        self.headers = {d["doc_id"]: d["header"] for d in docs}
        self._recipients: dict[str, dict[str, str]] | None = None  # built on the first question about them
        self._header_chunks: dict[str, Chunk] | None = None         # likewise
        self._by_first_words: tuple[dict[str, list[str]], frozenset[str]] | None = None   # likewise
        self._led_bodies: set[str] | None = None                    # likewise
        self.provinces = served.provinces  # for the province filter

    @property
    def _by_doc(self) -> dict[str, tuple[list[Chunk], list[Duty]]]:
        return self._served.by_doc

    def _documents_read_again(self, now: int) -> tuple[dict[str, tuple[list[Chunk], list[Duty]]], set[str] | None]:
        """(doc_id -> (clauses, duties) as the catalog holds them at generation `now`, the documents
        read again): only those its change log names since the last reload (a worker's refresh
        after one upload reads one document, not the corpus); everything (None) when it cannot tell."""
        served: Served | None = getattr(self, "_served", None)
        changed = self.catalog.changed_documents(self._generation, now) if served is not None else None
        if changed is None:
            out: dict[str, tuple[list[Chunk], list[Duty]]] = {}
            for chunk in self.catalog.all_chunks():
                out.setdefault(chunk.doc_id, ([], []))[0].append(chunk)
            for duty in self.catalog.duties():
                if duty.doc_id in out:
                    out[duty.doc_id][1].append(duty)
            return out, None
        out = dict(served.by_doc)
        for doc_id in changed:
            out.pop(doc_id, None)
            if self.catalog.document_hash(doc_id) is not None:
                chunks = self.catalog.chunks_of(doc_id)
                if chunks:
                    out[doc_id] = (chunks, self.catalog.duties_of(doc_id))
        return out, changed

    def recipients(self) -> dict[str, dict[str, str]]:
        """doc_id -> {today's name of each body the document is sent to: "Kính gửi" | "Nơi nhận"}:
        recipients are data too ("Văn bản nào gửi Sở Y tế?"), successions followed."""
        if self._recipients is None:
            from ingest.actors import agency_list, led_body

            successions, names = self.duty_extractor.successions, self.agencies
            noi_nhan: dict[str, list[str]] = {}  # doc_id -> its Nơi nhận lines, one pass over the clauses
            for c in self.searcher.chunks.values():
                if c.kind == "recipients":
                    noi_nhan.setdefault(c.doc_id, []).extend(c.text.splitlines()[1:])
            out: dict[str, dict[str, str]] = {}
            for doc_id, header in self.headers.items():
                found: dict[str, str] = {}

                def add(name: str, via: str) -> None:
                    canonical = names.canonical(name, header.province) or name
                    found.setdefault(successions.current(canonical), via)
                lines = [("Kính gửi", r) for r in header.recipients]
                lines += [("Nơi nhận", line) for line in noi_nhan.get(doc_id, ())]
                for via, line in lines:
                    line = line.strip(" -+•;:.")
                    articles = _AS_IN_ARTICLES.match(line)
                    if articles:   # "Như Điều 3;": those the article charges with carrying out the decision
                        numbers = re.findall(r"\d+", articles.group(1))
                        for d in self._by_doc.get(doc_id, ((), ()))[1]:   # the document's duties
                            if any(re.search(rf"\bĐiều {n}\b", d.clause) for n in numbers):
                                for name in (d.actor, led_body(d.actor)):
                                    if name:
                                        add(name, f"{via} (như Điều {', '.join(numbers)})")
                        continue
                    for span in agency_list(line, 0) or []:
                        add(span.text, via)
                out[doc_id] = found
            self._recipients = out
        return self._recipients

    def _lexical_in_step(self, every: dict[str, Chunk], current: LexicalIndex | None = None) -> LexicalIndex:
        """BM25 over exactly the catalog's clauses: the index in memory (else the saved one) with the
        difference applied, so only added clauses are tokenised; saved when it changed. This is
        how an ingest, another worker's refresh and a crash between catalog and BM25 all end."""
        searcher = getattr(self, "searcher", None)
        if current is None and searcher is not None:
            current = searcher.lexical
        live = set(current.chunk_ids) if current is not None else None
        if live != every.keys():
            # the saved index too: the worker that changed the catalog saved its new segment. Of the
            # two, the one nearer the catalog (saved files may be missing, old or behind)
            held = [(current, live)] if current is not None else []
            try:
                saved = LexicalIndex.load(self.data_dir / "lexical", reuse=current)
                held.append((saved, set(saved.chunk_ids)))
            except Exception:  # noqa: BLE001 - BM25 files are derived from the catalog: rebuild them
                if not held:
                    return self._rebuild_lexical(every)
            current, live = min(held, key=lambda pair: len(pair[1] ^ every.keys()))
        added = [(cid, c.index_text()) for cid, c in every.items() if cid not in live]
        removed = live - every.keys()
        if not added and not removed:
            return current
        lexical = current.changed(added, removed)
        lexical.save(self.data_dir / "lexical")
        return lexical

    def _rebuild_lexical(self, chunks: dict) -> LexicalIndex:
        ordered = list(chunks.values())
        lexical = LexicalIndex.build([c.chunk_id for c in ordered], [c.index_text() for c in ordered])
        lexical.save(self.data_dir / "lexical")
        return lexical

    def is_empty(self) -> bool:
        return self.catalog.count_documents() == 0

    def documents(self) -> list[dict]:
        return self.catalog.documents()

    def primary_documents(self) -> list[dict]:
        """The loaded documents, each directive once (its other files, e.g. the draft of a signed
        PDF, left out)."""
        copies = self.copies
        return [d for d in self.catalog.documents() if d["doc_id"] not in copies]

    def document_list(self) -> list[dict]:
        """Every loaded directive with its header fields and counts (`python app.py documents --json`);
        `files` names every file of it, the one cited first."""
        counts, docs, copies = self.catalog.counts(), self.catalog.documents(), self.copies
        names = {d["doc_id"]: d["name"] for d in docs}
        extra: dict[str, list[str]] = {}
        for copy, primary in copies.items():
            extra.setdefault(primary, []).append(names.get(copy, copy))
        return [{**_document_json(d, counts), "files": [d["name"], *sorted(extra.get(d["doc_id"], []))],
                 **self.validity_of(d["doc_id"]).to_json()}
                for d in docs if d["doc_id"] not in copies]

    def validity_of(self, doc_id: str) -> Validity:
        """Whether a loaded document is in force, as far as the loaded documents say."""
        return self.validity.get(doc_id) or Validity()

    def find_document(self, ref: str) -> dict | None:
        """A loaded document by its file name (as listed) or its id."""
        found = self.find_documents(ref)
        return found[0] if found else None

    def find_documents(self, ref: str) -> list[dict]:
        """The document with this id, or every document with this file name or source."""
        docs = self.catalog.documents()
        by_id = [d for d in docs if d["doc_id"] == ref]
        return by_id or [d for d in docs if ref and (d["name"] == ref or d["source"] == ref)]

    def show(self, ref: str) -> dict | None:
        """One document: its header fields plus its clauses in order, with their pages."""
        d = self.find_document(ref)
        if d is None:
            return None
        out = _document_json(d, self.catalog.counts())
        if d["doc_id"] in self.copies:  # another file of a directive cited from its signed version
            out["copy_of"] = self.copies[d["doc_id"]]
        out["clauses"] = [{"clause": c.clause, "page": c.page, "kind": c.kind, "text": c.text}
                          for c in self.catalog.chunks_of(d["doc_id"])]
        return out

    def document_text(self, doc_id: str) -> str | None:
        return self.catalog.document_text(doc_id)

    def duties(self, actor: str | None = None, document: str | None = None, province: str | None = None,
               role: str | None = None, with_heads: bool = False) -> list[Duty]:
        """Duties by agency, document, province and role. An agency includes its predecessors and
        successors ("Sở Tài chính" lists what older directives gave "Sở Kế hoạch và Đầu tư", and the
        other way round), and `with_heads` the office holders who lead it ("Giám đốc Sở Tư pháp"); a
        province includes the provinces merged into it in 2025 ("Lâm Đồng" lists the documents of
        Đắk Nông and Bình Thuận)."""
        from ingest.provinces import same_province

        names = None
        if actor:
            successions = self.duty_extractor.successions
            current = successions.current(actor)
            # any spelling of those bodies: "Phòng Tài nguyên & Môi trường" is "… và Môi trường"
            names = {body_key(n) for n in (actor, current, *successions.former(current),
                                           *(self.heads_of(actor) if with_heads else ()))}
        out, copies, by_doc = [], self.copies, self._by_doc
        # the duty table held since the last reload, in the catalog's order (document name, then
        # position): reading it from SQLite parsed every duty's JSON (2 s at 54,000 duties)
        held = (d for doc_id in self._doc_order for d in by_doc.get(doc_id, ((), ()))[1])
        for d in held:
            if (document and d.document != document) or (role and d.role != role):
                continue
            if d.doc_id in copies and not document:  # a directive's duties once, from the file cited
                continue
            if names and body_key(d.actor) not in names and body_key(d.holder) not in names:
                continue
            if province and not (d.province == province or same_province(d.province, province)):
                continue
            out.append(d)
        return out

    def heads_of(self, body: str) -> list[str]:
        """The duty table's office holders who lead `body` or a list that begins with it ("Giám đốc Sở
        Tư pháp" for "Sở Tư pháp", "Chủ tịch UBND các xã, thị trấn" for "UBND các xã"), by name."""
        key = body_key(body)
        heads: dict[str, str] = {}   # one per spelling: "Chánh Văn phòng UBND tỉnh" is "… Ủy ban nhân dân tỉnh"
        for name in sorted(self.known_actors):
            led = led_body(name)
            if led and _same_group(body_key(led), key):
                heads.setdefault(body_key(name), name)
        return list(heads.values())

    @property
    def embedder_name(self) -> str:
        return self.embedder.name

    @property
    def agencies(self):
        """The agency-name recognizer the duty table was built with (aliases, canonical names)."""
        return self.duty_extractor.agencies

    def chunks(self) -> dict[str, Chunk]:
        """Every loaded clause by id, as of the last reload."""
        return self.searcher.chunks

    def clauses_of(self, doc_id: str) -> list[Chunk]:
        """A loaded document's clauses in order, as of the last reload."""
        return list(self._by_doc.get(doc_id, ((), ()))[0])

    def header_chunks(self) -> dict[str, Chunk]:
        """doc_id -> its header clause ("Phần đầu văn bản", always a document's first), once per
        reload: the routes that answer from headers look at it on every question."""
        if self._header_chunks is None:
            self._header_chunks = {doc_id: chunks[0] for doc_id, (chunks, _) in self._by_doc.items()
                                   if chunks and chunks[0].kind == "header"}
        return self._header_chunks

    def coverage(self, question: str) -> float:
        """Share of the question's syllables that the loaded clauses know (the refusal gate)."""
        self.refresh()  # documents another worker just added must count
        return self.searcher.lexical.coverage(question)

    def with_marks(self, question: str) -> str:
        """A question typed without diacritics, written as the loaded documents would write it
        ("So Noi vu phai lam gi?" -> "Sở Nội vụ phải làm gì?"); any other question as it is."""
        from index.accents import Names, restore_marks
        from ingest.header import PROVINCES

        if has_diacritics(question):
            return question
        self.refresh()
        if self._names is None:   # the agency table's names and every province's, old and new
            names = [n for e in self.agencies.entries for n in (e["canonical"], *e.get("aliases", []))]
            self._names = Names.of([*names, *PROVINCES])
        return restore_marks(question, self.searcher.lexical, self._names)

    def agencies_named_in(self, text: str) -> list[str]:
        """Agencies of the duty table that `text` names (by any alias)."""
        successions = self.duty_extractor.successions
        found = []
        for name in self.agencies.mentioned_in(text, self.known_actors):
            # "Sở Thông tin và Truyền thông" (merged in 2025): the body that holds its duties today
            today = name if name in self.known_actors else successions.current(name)
            if today in self.known_actors and today not in found:
                found.append(today)
        if self._led_bodies is None:   # "Giám đốc Sở Tài chính" charged, "Sở Tài chính" never: its body all the same
            self._led_bodies = {b for b in map(led_body, self.known_actors) if b} - set(self.known_actors)
        for name in self.agencies.mentioned_in(text, self._led_bodies) if self._led_bodies else ():
            if name in self._led_bodies and name not in found and self.heads_of(name):
                found.append(name)
        # "Chủ tịch UBND các xã" also where a document writes "Chủ tịch UBND các xã, thị trấn" (groups only)
        groups = [body_key(f) for f in found if " cac " in f" {body_key(f)} "]
        if groups:
            found += [a for a in sorted(self.known_actors) if a not in found
                      and any(_same_group(body_key(a), g) and body_key(a) != g for g in groups)]
        shortened = self.named_by_first_words(text)
        if shortened and shortened not in found:   # "Trung tâm Xúc tiến Đầu tư" over a bare "Trung tâm"
            found = [shortened, *(a for a in found if body_key(a) not in body_key(shortened))]
        if not found:
            # "việc giao cho cấp huyện": a level names every body of that level in the duty table;
            # "các xã phải làm gì?": so does a plural ("UBND các xã, thị trấn", "Chủ tịch UBND các xã")
            low = nfc(text).lower()
            level = re.search(r"\bcấp (huyện|xã|tỉnh)\b", low)
            group = re.search(r"\b(?:các|những) (xã|phường|huyện|sở|địa phương)\b", low)
            if level:
                found = sorted(a for a in self.known_actors if f"cấp {level.group(1)}" in a.lower())
            elif group:   # the alias table writes the communes and districts as a level: "UBND cấp xã"
                kind = group.group(1)
                kinds = (f"các {kind}", f"cấp {kind}")
                found = sorted(a for a in self.known_actors if any(k in a.lower() for k in kinds)
                               and (kind in ("sở", "địa phương") or re.search(r"\bubnd\b|ủy ban|uỷ ban|^các ",
                                                                             a.lower())))
        return found

    def successions_named_in(self, text: str) -> list:
        """The 2025 successions of the bodies `text` names by a former name ("Sở TT&TT")."""
        successions = self.duty_extractor.successions
        named = self.agencies.mentioned_in(text, self.known_actors)
        return [s for s in successions.items if s.old in named]

    def subject_of(self, question: str) -> str | None:
        """The agency a question is about ('Sở Nội vụ làm gì khi …'), if the duty table knows it."""
        return self.agencies.subject_of(question, self.known_actors)

    def resolve_actor(self, name: str) -> str | None:
        """A user's name for an agency -> the canonical name used in the duty table."""
        canonical = self.duty_extractor.agencies.resolve(name)
        if canonical:
            return canonical
        key = body_key(name)
        return next((a for a in sorted(self.known_actors) if body_key(a) == key), None) or \
            self.named_by_first_words(name)

    def named_by_first_words(self, text: str) -> str | None:
        """The one body of the duty table whose name `text` gives by its first four or more words
        only, as users shorten long names ("Trung tâm Xúc tiến Đầu tư" for "Trung tâm Xúc tiến Đầu tư,
        Thương mại và Du lịch tỉnh"); None when the words name a body whole, or several bodies (three
        words, "Ban Chỉ đạo tỉnh", say too little of which board)."""
        if self._by_first_words is None:   # (first three words -> names, every name's key)
            index: dict[str, list[str]] = {}
            for actor in self.known_actors:
                words = body_key(actor).split()
                if len(words) > 3:
                    index.setdefault(" ".join(words[:3]), []).append(actor)
            self._by_first_words = (index, frozenset(body_key(a) for a in self.known_actors))
        index, whole = self._by_first_words
        words = body_key(text).split()
        best: tuple[int, set[str]] = (0, set())
        for i in range(len(words) - 2):
            for actor in index.get(" ".join(words[i:i + 3]), ()):
                name = body_key(actor).split()
                n = next((j for j, (a, b) in enumerate(zip(name, words[i:])) if a != b), min(len(name), len(words) - i))
                if " ".join(words[i:i + n]) in whole:
                    continue                   # the words name a body whole ("Sở Nội vụ")
                if n < 4:
                    continue
                if n > best[0]:
                    best = (n, {actor})
                elif n == best[0]:
                    best[1].add(actor)
        return next(iter(best[1])) if len(best[1]) == 1 else None

    def search(self, question: str, k: int | None = None, documents: list[str] | None = None,
               provinces: list[str] | None = None, mode: str = "hybrid") -> list[Hit]:
        self.refresh()
        searcher = self.searcher  # one snapshot for the whole search, even if a write swaps it now
        if provinces:  # "Lâm Đồng" also finds the documents of Đắk Nông and Bình Thuận, merged into it in 2025
            from ingest.provinces import same_province

            provinces = sorted(set(provinces) | {p for p in self.provinces
                                                 if any(same_province(p, want) for want in provinces)})
        return searcher.search(question, k or self.settings.top_k, documents, provinces, mode)

    # ---- writing -------------------------------------------------------------------------
    def _load_options(self) -> LoadOptions:
        s = self.settings
        return LoadOptions(max_bytes=int(s.max_file_mb * 1024 * 1024), max_pages=s.max_pages,
                           ocr_dir=self.data_dir / "ocr", ocr_dpi=s.ocr_dpi or None,
                           timeout_s=s.parse_timeout_s, memory_mb=s.parse_memory_mb)

    def ingest(self, paths: list[str | Path], sync: bool = False, progress: Progress | None = None
               ) -> IngestReport:
        report = IngestReport()
        files, skipped = scan_directive_files(paths)
        report.results.extend(FileResult(str(p), "skipped", reason=why) for p, why in skipped)
        for p in map(Path, paths):
            if not p.exists():
                report.results.append(FileResult(str(p), "failed", reason="không tồn tại / not found — "
                                                 "kiểm tra đường dẫn / check the path"))
        files = [f for f in files if f.exists()]
        with self._write.held(_waiting(progress, len(files))):
            settle_vectors(self.catalog, self.vectors)  # what a write that died midway left
            changed = self._load_files([(f, None) for f in files], report, progress)
            if sync:
                kept = {str(Path(f).resolve()) for f in files}
                roots = [Path(p).resolve() for p in paths if Path(p).is_dir()]
                for doc in self.catalog.documents():
                    src = Path(doc["source"])
                    under = any(root in src.parents for root in roots)
                    if under and str(src) not in kept and not src.exists():
                        self._remove(doc)
                        report.results.append(FileResult(doc["source"], "removed", doc_id=doc["doc_id"]))
                        changed = True
            self._commit(changed)
        return report

    def release_ingest_models(self) -> None:
        """Free what only ingesting holds (the default embedder's passage model): a server calls
        it after an ingest, since questions never need it."""
        release = getattr(self.embedder, "release_passage_model", None)
        if release:
            with self._lock:   # never in the middle of an ingest
                release()

    def upload(self, files: list[tuple[str | Path, str]], progress: Progress | None = None) -> IngestReport:
        """Files received by the web page or the API: (where the bytes are, the name they were
        uploaded with). Each is identified by that name in the upload area, so the same name again
        is a new version; each result's `path` is the name kept (no folders, no control characters)."""
        report = IngestReport()
        staged: list[tuple[Path, str]] = []
        limit = self.settings.max_file_mb * 1024 * 1024
        for path, raw_name in files:
            try:
                name = safe_upload_name(raw_name)
                size = Path(path).stat().st_size
                if size > limit:  # refused before copying anything
                    raise RagError(f"{name}: tệp quá lớn ({size / 1048576:.1f} MB > {self.settings.max_file_mb:g} MB)"
                                   " / file too large — tách văn bản hoặc tăng RAG_MAX_FILE_MB / split it or raise"
                                   " RAG_MAX_FILE_MB")
                staged.append((self.uploads.stage(Path(path), name), upload_source(name)))
            except RagError as e:
                report.results.append(FileResult(str(raw_name), "failed", reason=str(e)))
            except OSError as e:
                report.results.append(FileResult(str(raw_name), "failed", reason=f"không đọc được tệp tải lên / "
                                                 f"cannot read the upload ({e.strerror}) — tải lên lại / upload again"))
        try:
            with self._write.held(_waiting(progress, len(staged))):
                settle_vectors(self.catalog, self.vectors)
                self._commit(self._load_files(staged, report, progress))
        finally:
            for path, _ in staged:
                if path.exists():
                    self.uploads.discard(path)
        return report

    def remove(self, refs: list[str]) -> list[FileResult]:
        """Remove documents by file name or id; every document of that name goes."""
        results: list[FileResult] = []
        with self._write:
            settle_vectors(self.catalog, self.vectors)
            for ref in refs:
                docs = self.find_documents(ref)
                results.extend(FileResult(d["name"], "removed", doc_id=d["doc_id"]) for d in docs)
                if not docs:
                    results.append(FileResult(str(ref), "not_found"))
                for d in docs:
                    self._remove(d)
            self._commit(any(r.status == "removed" for r in results))
        return results

    def repair_derived(self) -> None:
        """`check --repair`: everything the catalog determines, derived again. Rows of missing
        documents go; duties and relations are extracted again; vectors of no clause go and
        missing ones come from the embedding cache or the model; BM25 is rebuilt."""
        with self._write:
            self.catalog.delete_orphan_rows()
            for doc in self.catalog.stored_documents():
                chunks = self.catalog.chunks_of(doc.doc_id)
                self.catalog.replace_duties(doc.doc_id, self.duty_extractor.extract(doc, chunks))
                self.catalog.replace_relations(doc.doc_id, _relations_of(doc))
            self.catalog.record_manifest(self.manifest())
            every = {c.chunk_id: c for c in self.catalog.all_chunks()}
            self.catalog.forget_vector_intents(self.catalog.vector_intents())  # the sweep below covers them
            stored = set(self.vectors.ids())
            self.vectors.delete(sorted(stored - set(every)))
            missing = [every[cid] for cid in sorted(set(every) - stored)]
            if missing:
                vectors = self.vectors_for(missing)
                self.vectors.upsert(missing, [vectors[c.chunk_id] for c in missing])
            wanted = {self.uploads.path_for(d["content_hash"], d["name"]) for d in self.catalog.documents()
                      if is_upload(d["source"])}
            self.uploads.forget_all_but(wanted)
            self._reload(self._rebuild_lexical(every))  # from the texts, whatever the saved files hold

    def _commit(self, changed: bool = True) -> None:
        """After a write: reload when it changed anything, or when the catalog moved anyway (a file
        that failed after its catalog swap). The reload brings BM25 in step and saves it."""
        if changed or self.catalog.generation() != self._generation:
            self._reload()

    def _load_files(self, items: list[tuple[Path, str | None]], report: IngestReport,
                    progress: Progress | None) -> bool:
        options, changed, total = self._load_options(), False, len(items)
        for i, (path, source) in enumerate(items, 1):
            if progress:
                progress(i - 1, total, path.name)

            def embedding(done: int, of: int, i=i, name=path.name) -> None:
                if progress:
                    progress(i - 1, total, f"{name}: {done}/{of} điều khoản")

            def reading(done: int, of: int, label: str, i=i, name=path.name) -> None:
                if progress:
                    progress(i - 1, total, f"{name}: {label} {done}/{of}")

            shown = path.name if source else str(path)
            try:
                result = self._ingest_file(path, options, embedding, reading, source)
            except RagError as e:
                result = FileResult(shown, "failed", reason=str(e))
            except Exception as e:  # noqa: BLE001 - report, never corrupt the index
                result = FileResult(shown, "failed", reason=f"{e.__class__.__name__}: {e}")
            changed |= result.status in ("added", "updated")
            report.results.append(result)
        if progress:
            progress(total, total, "")
        return changed

    def _ingest_file(self, path: Path, options: LoadOptions, on_embedded=None, on_read=None,
                     source: str | None = None) -> FileResult:
        source = source or str(path.resolve())
        shown = path.name if is_upload(source) else str(path)
        doc_id = content_id(source, size=12)
        old_hash = self.catalog.document_hash(doc_id)
        if old_hash is not None and path.is_file() and file_sha256(path) == old_hash \
                and self._read_by_current_reading(doc_id):  # before any parsing or OCR
            return FileResult(shown, "unchanged", len(self.catalog.chunk_ids_of(doc_id)), doc_id=doc_id)
        doc = replace(load_directive(path, options=options, progress=on_read), source=source)
        chunks = self.chunker.chunk(doc)
        if not chunks:
            raise RagError(f"{shown}: không tìm thấy nội dung để lập chỉ mục / no indexable text — check the file")
        # the duties are read beside the embedding: the engines release the GIL, and each call's last
        # batch leaves a core idle (whole cold ingests of 1,412 law clauses, 8 interleaved pairs:
        # 16.9 -> 15.2 s on average, ahead in 7)
        with ThreadPoolExecutor(1, thread_name_prefix="duties") as pool:
            pending = pool.submit(self.duty_extractor.extract, doc, chunks)
            vectors = self.vectors_for(chunks, on_embedded)
            duties = pending.result()
        old = self.find_document(doc.doc_id)
        if is_upload(source):  # the bytes are kept before the catalog names them
            self.uploads.keep(path, doc.content_hash)
        self.catalog.intend_vectors([c.chunk_id for c in chunks])  # kept if listed, whatever happens next
        self.vectors.upsert(chunks, [vectors[c.chunk_id] for c in chunks])
        self.catalog.replace_document(doc, chunks, duties, _relations_of(doc))  # records the stale ids
        settle_vectors(self.catalog, self.vectors)
        if old is not None:
            self._forget_original(old)
        return FileResult(shown, "updated" if old_hash else "added", len(chunks), doc_id=doc.doc_id,
                          same_as=self._same_directive(doc.doc_id, doc.header))

    def _read_by_current_reading(self, doc_id: str) -> bool:
        """False for a document an older reading read (a loader or OCR upgrade: settings, pen-digit
        weights, lexicon): the same bytes then read better, so an ingest reads them again."""
        info = self.catalog.document_info(doc_id)
        return info.get("reader") == reading_id(bool(info.get("ocr_pages")))

    def vectors_for(self, chunks: list[Chunk], on_embedded=None) -> dict[str, list[float]]:
        """Vectors for these clauses: those Chroma has by clause id, then those cached by clause
        text (a moved folder, the same text uploaded again), then the embedder for the rest."""
        vectors = self.vectors.existing([c.chunk_id for c in chunks])
        texts = {c.chunk_id: c.index_text() for c in chunks}
        text_hash = {cid: content_id(self.embedder.name, text, size=32) for cid, text in texts.items()}
        cached = self.catalog.cached_vectors([text_hash[c.chunk_id] for c in chunks if c.chunk_id not in vectors])
        for c in chunks:
            if c.chunk_id not in vectors and text_hash[c.chunk_id] in cached:
                vectors[c.chunk_id] = array("f", cached[text_hash[c.chunk_id]]).tolist()
        # by length: each slice's batches then pad little (the embedder sorts only within a call)
        todo = sorted((c for c in chunks if c.chunk_id not in vectors), key=lambda c: len(texts[c.chunk_id]))
        fresh: list[list[float]] = []
        for start in range(0, len(todo), EMBED_BATCH):  # in batches, so a long law shows progress
            fresh.extend(self.embedder.embed_documents([texts[c.chunk_id] for c in todo[start:start + EMBED_BATCH]]))
            if on_embedded:
                on_embedded(len(fresh), len(todo))
        vectors.update((c.chunk_id, list(v)) for c, v in zip(todo, fresh))
        self.catalog.cache_vectors({text_hash[c.chunk_id]: array("f", vectors[c.chunk_id]).tobytes()
                                    for c in chunks if text_hash[c.chunk_id] not in cached})
        return vectors

    def _same_directive(self, doc_id: str, header) -> tuple[str, ...]:
        """Other loaded documents with the same number, issuer and date (never a blank number):
        the same directive again, e.g. the signed PDF of a draft."""
        if not (header.number and header.number[0].isdigit() and header.date):
            return ()
        return tuple(d["doc_id"] for d in self.catalog.documents() if d["doc_id"] != doc_id
                     and (d["header"].number, d["header"].issuer, d["header"].date)
                     == (header.number, header.issuer, header.date))

    def _remove(self, doc: dict) -> None:
        self.catalog.remove_document(doc["doc_id"])  # records its clause ids
        settle_vectors(self.catalog, self.vectors)
        self._forget_original(doc)

    def _forget_original(self, doc: dict) -> None:
        """Drop an uploaded original that no loaded document uses any more."""
        if is_upload(doc["source"]) and not any(d["content_hash"] == doc["content_hash"]
                                                for d in self.catalog.documents()):
            self.uploads.forget(doc["content_hash"], doc["name"])

    def ocr_page(self, original: Path, page: int):
        """The OCR words of a page of an original that was OCR'd at ingest, from the OCR cache (None
        when not there): where a cited clause of a scan sits on its page."""
        if self._ocr is None:
            from ingest.ocr import Ocr

            self._ocr = Ocr(self.data_dir / "ocr", dpi=self.settings.ocr_dpi or None)
        return self._ocr.cached_page(original, page)

    def original_file(self, ref: str) -> Path | None:
        """The file a document was loaded from, for download: the kept upload, or its source file."""
        d = self.find_document(ref)
        if d is None:
            return None
        path = self.uploads.path_for(d["content_hash"], d["name"]) if is_upload(d["source"]) else Path(d["source"])
        return path if path.is_file() else None


def _waiting(progress: Progress | None, total: int):
    """What a write tells its progress while another process (a CLI ingest, another worker) writes."""
    if progress is None:
        return None
    return lambda: progress(0, total, "đang chờ một lượt nạp khác xong / waiting for another ingest to finish")


def expected_manifest(embedder_name: str) -> dict:
    """What builds an index: recorded in its catalog, compared at every start and by `check`."""
    return {"embedder": embedder_name, "chunker": CHUNKER_VERSION, "duties": DUTIES_VERSION, "schema": "2",
            "relations": RELATIONS_VERSION}


def _relations_of(doc) -> list[dict]:
    return [r.to_dict() for r in find_relations(doc.text, doc.header.number)]


def _document_json(d: dict, counts: dict) -> dict:
    h, info = d["header"], d.get("info") or {}
    clauses, duties = counts.get(d["doc_id"], (0, 0))
    return {"document": d["name"], "id": d["doc_id"], "type": h.doc_type, "number": h.number, "date": h.date,
            "place": h.place, "issuer": h.issuer, "province": h.province, "subject": h.subject,
            "signer": h.signer, "signer_title": h.signer_title, "format": info.get("format", "txt"),
            "pages": info.get("pages", 0), "ocr": bool(info.get("ocr_pages")), "clauses": clauses, "duties": duties}


def wipe_index(data_dir: Path, settings: Settings | None = None) -> None:
    """Remove everything the index keeps (for 'ingest --rebuild'), including its collection on
    a Chroma server: stale vectors there would otherwise be reused by clause id."""
    if settings is not None and settings.chroma_url:
        VectorStore(data_dir / "chroma", settings.chroma_url, settings.chroma_collection).drop()
    for name in ("catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm"):
        (data_dir / name).unlink(missing_ok=True)
    for name in ("chroma", "lexical"):
        shutil.rmtree(data_dir / name, ignore_errors=True)
