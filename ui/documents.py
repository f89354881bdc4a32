"""The "Văn bản" tab: the loaded documents, one document as a whole, and the administrator's
upload and remove, as plain Python (tested without a browser).

Uploads and removals run on one background worker thread, so chatting never waits for them;
the library swaps its search index in at once when a write ends.
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from ui.access import AccessDenied, AdminGate
from ui.chat import escape
from ui.exports import deadline_text

TABLE_HEADERS = ["Loại", "Số/ký hiệu", "Ngày", "Cơ quan ban hành", "Tỉnh", "Trích yếu", "Hiệu lực", "Điều khoản",
                 "Nhiệm vụ", "Định dạng", "OCR", "Ngày nạp", "Tệp", "Mã"]
STATUS_LABELS = {"added": "đã thêm", "updated": "đã cập nhật", "unchanged": "không đổi", "failed": "lỗi",
                 "removed": "đã gỡ", "not_found": "không tìm thấy", "skipped": "bỏ qua"}
MAX_FILES_PER_UPLOAD = 200
_FRACTION = re.compile(r"(\d+)/(\d+)")


def file_path_and_name(item) -> tuple[str, str]:
    """(where the bytes are, the name the user gave) of what gr.File hands over: a path string, a
    FileData-like dict or object with `path` and `orig_name`."""
    if isinstance(item, dict):
        path = item.get("path") or item.get("name") or ""
        return str(path), str(item.get("orig_name") or Path(str(path)).name)
    path = getattr(item, "path", None) or getattr(item, "name", None) or str(item)
    return str(path), str(getattr(item, "orig_name", None) or Path(str(path)).name)


class DocumentHandlers:
    def __init__(self, library, gate: AdminGate):
        self.library = library
        self.gate = gate
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-worker")

    # ---- reading -------------------------------------------------------------------------
    def documents(self) -> list[dict]:
        """The API's /documents: the fields of `python app.py documents --json`, plus when loaded."""
        self.library.refresh()
        loaded = {d["doc_id"]: d["ingested_at"] for d in self.library.documents()}
        return [{**d, "ingested_at": _iso(loaded.get(d["id"]))} for d in self.library.document_list()]

    def table(self, query: str | None = None) -> list[list]:
        words = (query or "").lower().split()
        rows = []
        for d in self.documents():
            row = [d["type"], d["number"] or "—", d["date"] or "—", d["issuer"] or "—", d["province"] or "—",
                   d["subject"] or "—", self.validity_text(d["id"]), d["clauses"], d["duties"], d["format"],
                   "có" if d["ocr"] else "không",
                   (d["ingested_at"] or "")[:16].replace("T", " "), " + ".join(d["files"]), d["id"]]
            if all(w in " ".join(map(str, row)).lower() for w in words):
                rows.append(row)
        return rows

    def validity_text(self, doc_id: str) -> str:
        from assistant.validity import STATUS_LABELS

        v = self.library.validity_of(doc_id)
        return v.note() or STATUS_LABELS[v.status]

    def choices(self) -> list[tuple[str, str]]:
        """Every loaded file, for removal (another file of a directive is marked as such)."""
        names = {d["doc_id"]: d["name"] for d in self.library.documents()}
        return [(f'{d["name"]} · {d["header"].number or "không số"}'
                 + (f' (bản khác của {names.get(self.library.copies[d["doc_id"]], "")})'
                    if d["doc_id"] in self.library.copies else ""), d["doc_id"])
                for d in self.library.documents()]

    def view(self, ref: str | None, at: int | None = None) -> tuple[str, str | None, list[str]]:
        """(HTML of the whole document, its original file for download, its page images); the
        clause holding offset `at` (a citation's) is highlighted."""
        shown = self.library.show(ref) if ref else None
        if shown is None:
            return '<div class="rag-doc rag-empty">Chọn một văn bản trong bảng để xem toàn văn.</div>', None, []
        by_chunk: dict[str, list] = {}
        for duty in self.library.duties(document=shown["document"]):
            by_chunk.setdefault(duty.chunk_id, []).append(duty)
        chunks = self.library.catalog.chunks_of(shown["id"])
        head = " · ".join(escape(x) for x in (
            shown["type"], f'Số: {shown["number"] or "(không ghi)"}', f'Ngày: {shown["date"] or "(không ghi)"}',
            shown["issuer"], shown["province"], shown["document"]) if x)
        from ui.chat import validity_line

        parts = [f'<div class="rag-doc"><h3>{escape(shown["subject"] or shown["document"])}</h3>'
                 f'<div class="rag-source-meta">{head}</div>{validity_line(self.library.validity_of(shown["id"]))}']
        if shown["signer"]:
            parts.append(f'<div class="rag-source-meta">Người ký: {escape(shown["signer"])} '
                         f'({escape(shown["signer_title"])})</div>')
        for chunk in chunks:
            depth = chunk.clause.count(",")
            page = f" · trang {chunk.page}" if chunk.page else ""
            duties = "".join(f'<li><b>{escape(d.named)}</b> ({escape(d.role)}): {escape(d.action)}'
                             f'{" — hạn: " + escape(deadline_text(d)) if deadline_text(d) else ""}</li>'
                             for d in by_chunk.get(chunk.chunk_id, []))
            cited = at is not None and chunk.start <= at < max(chunk.end, chunk.start + 1)
            focus = " rag-clause-focus" if cited else ""
            parts.append(
                f'<div class="rag-clause{focus}" id="clause-{chunk.start}" style="margin-left:{min(depth, 4)}em">'
                f'<div class="rag-clause-text"><div class="rag-source-clause">{escape(chunk.clause)}{page}</div>'
                f'{escape(chunk.text)}</div>'
                f'{f"<ul class=rag-clause-duties>{duties}</ul>" if duties else ""}</div>')
        parts.append("</div>")
        original = self.library.original_file(shown["id"])
        return "".join(parts), str(original) if original else None, self._pages(original, shown)

    def open_cited(self, target: str | None) -> tuple[str, str | None, list[str]]:
        """A citation link's "doc_id#offset#nonce" -> the view of that document at that clause."""
        doc_id, _, rest = (target or "").partition("#")
        offset = rest.split("#")[0]
        return self.view(doc_id, int(offset) if offset.isdigit() else None)

    def _pages(self, original: Path | None, shown: dict) -> list[str]:
        from ui.pages import page_files

        if original is None:
            return []
        if original.suffix.lower() in {".png", ".jpg", ".jpeg", ".tif", ".tiff"}:
            return [str(original)]
        return page_files(original, shown["pages"], self.library.data_dir / "pages")

    # ---- access ------------------------------------------------------------------------------
    def login(self, user: str, password: str, client: str) -> tuple[str | None, str]:
        """(session token or None, message)."""
        try:
            session = self.gate.login(user, password, client)
        except AccessDenied as e:
            return None, f"⚠️ {escape(str(e))}"
        return session.token, f"Đã đăng nhập quản trị: **{escape(session.user)}**. Phiên hết hạn sau " \
                              f"{self.gate.session_s // 60} phút."

    def logout(self, token: str | None) -> tuple[None, str]:
        self.gate.logout(token)
        return None, "Đã đăng xuất."

    # ---- writing -----------------------------------------------------------------------------
    def conflicts(self, files) -> list[str]:
        """Names of files about to replace a loaded upload of the same name (asked before replacing)."""
        from assistant.uploads import safe_upload_name, upload_source

        sources = {d["source"] for d in self.library.documents()}
        out = []
        for item in files or []:
            try:
                name = safe_upload_name(file_path_and_name(item)[1])
            except Exception:  # noqa: BLE001 - a bad name is reported by the upload itself
                continue
            if upload_source(name) in sources:
                out.append(name)
        return out

    def upload(self, files, user: str, client: str, progress=None) -> list[dict]:
        """Load the files on the worker and wait; one result per file (the API contract)."""
        future, _ = self._start_upload(files, user, client, progress)
        return future.result()

    def upload_api(self, files, password: str, client: str) -> list[dict]:
        user = self.gate.check(password, client)
        return self.upload(files, user, client)

    def upload_stream(self, files, token: str | None, client: str) -> Iterator[tuple[str, list[dict]]]:
        """For the page: yields (progress HTML, results) while the worker loads the files."""
        user = self.gate.session_user(token)
        items = [file_path_and_name(f) for f in files or []]
        if not items:
            yield '<div class="rag-upload">Chưa chọn tệp nào.</div>', []
            return
        state = {"index": 0, "label": ""}

        def progress(done: int, total: int, label: str) -> None:
            state["index"], state["label"] = done, label

        future, names = self._start_upload(files, user, client, progress)
        yield _progress_html(names, 0, ""), []
        while not future.done():
            yield _progress_html(names, state["index"], state["label"]), []
            time.sleep(0.4)
        results = future.result()
        yield results_html(results, self.library), results

    def _start_upload(self, files, user: str, client: str, progress) -> tuple[Future, list[str]]:
        items = [file_path_and_name(f) for f in files or []]
        if len(items) > MAX_FILES_PER_UPLOAD:
            raise AccessDenied(f"Tối đa {MAX_FILES_PER_UPLOAD} tệp mỗi lần / at most {MAX_FILES_PER_UPLOAD} files "
                               "per upload")

        def run() -> list[dict]:
            shas = {}
            for path, name in items:  # what was sent, for the audit log, failed files included
                sha = _sha(Path(path))
                shas[name] = shas[_kept_name(name)] = sha
            try:
                report = self.library.upload(items, progress=progress)
            finally:
                self.library.release_ingest_models()
            out = []
            for r in report.results:
                out.append({"document": r.path, "id": r.doc_id, "status": r.status, "reason": r.reason,
                            "same_as": list(r.same_as)})
                self.gate.audit(user, client, "upload", r.path, shas.get(r.path, ""), r.status)
            return out

        return self.worker.submit(run), [name for _, name in items]

    def remove(self, refs: list[str], user: str, client: str) -> list[dict]:
        refs = [str(r) for r in (refs or []) if str(r).strip()]
        hashes = {d["doc_id"]: d["content_hash"] for d in self.library.documents()}
        results = self.worker.submit(self.library.remove, refs).result()
        out = []
        for r in results:
            self.gate.audit(user, client, "remove", r.path, hashes.get(r.doc_id, ""), r.status)
            out.append({"document": r.path, "id": r.doc_id, "status": r.status})
        return out

    def remove_api(self, documents: list[str] | str, password: str, client: str) -> list[dict]:
        user = self.gate.check(password, client)
        return self.remove([documents] if isinstance(documents, str) else documents, user, client)

    def remove_with_session(self, refs: list[str], token: str | None, client: str) -> list[dict]:
        return self.remove(refs, self.gate.session_user(token), client)

    def audit_rows(self, token: str | None) -> list[list[str]]:
        self.gate.session_user(token)
        return [[e["time"], e["user"], e["client"], e["action"], e["document"], e["status"], e["sha256"][:16]]
                for e in self.gate.audit_entries()]


def results_html(results: list[dict], library=None) -> str:
    if not results:
        return '<div class="rag-upload">Không có tệp nào.</div>'
    names = {d["doc_id"]: d["name"] for d in library.documents()} if library else {}
    rows = []
    for r in results:
        status = STATUS_LABELS.get(r["status"], r["status"])
        extra = escape(r.get("reason") or "")
        same = [names.get(i, i) for i in r.get("same_as") or []]
        if same:
            extra += ("Cùng số/ký hiệu, cơ quan và ngày với: " + ", ".join(escape(n) for n in same) +
                      ". Hai tệp được coi là một văn bản (bản ký được trích dẫn, nhiệm vụ tính một lần); "
                      "nếu tệp cũ không còn cần, hãy gỡ nó ở mục Gỡ văn bản.")
        rows.append(f'<tr class="rag-status-{escape(r["status"])}"><td>{escape(r["document"])}</td>'
                    f'<td>{escape(status)}</td><td>{extra}</td></tr>')
    return ('<table class="rag-docs rag-upload-results"><thead><tr><th>Tệp</th><th>Kết quả</th><th>Ghi chú</th>'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _progress_html(names: list[str], index: int, label: str) -> str:
    rows = []
    for i, name in enumerate(names):
        if i < index:
            value, text = 100, "xong"
        elif i == index:
            m = _FRACTION.search(label or "")
            value = int(100 * int(m.group(1)) / max(1, int(m.group(2)))) if m else 5
            text = escape(label.split(": ", 1)[-1]) if ": " in (label or "") else "đang đọc…"
        else:
            value, text = 0, "đang chờ"
        rows.append(f'<tr><td>{escape(name)}</td><td><progress max="100" value="{value}"></progress></td>'
                    f'<td>{text}</td></tr>')
    return f'<table class="rag-docs rag-upload-progress"><tbody>{"".join(rows)}</tbody></table>'


def _iso(timestamp: float | None) -> str:
    return datetime.fromtimestamp(timestamp).isoformat(timespec="seconds") if timestamp else ""


def _sha(path: Path | None) -> str:
    from core.types import file_sha256

    try:
        return file_sha256(path) if path and path.is_file() else ""
    except OSError:
        return ""


def _kept_name(name: str) -> str:
    from assistant.uploads import safe_upload_name

    try:
        return safe_upload_name(name)
    except Exception:  # noqa: BLE001 - an unusable name keeps its raw form in the log
        return name
