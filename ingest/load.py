"""File -> Document: one loader per format behind one function, chosen by the file's content.

The format comes from the first bytes (PDF, zip/Word, OLE/Word 97, images, HTML), not only the
name, so a renamed or mislabelled file is read for what it is, or refused with the reason. Binary
formats are parsed in a sandboxed child (ingest/sandbox.py); .txt/.md are read in process.
"""
from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from core.errors import InputFileError
from core.text import nfc
from core.types import Document, Extracted
from ingest.textfile import clean_text, read_text_file  # noqa: F401  (clean_text: public for tests)

# Bumped when the same bytes are read differently (a loader, the layout or the OCR's text rules): a
# document read by an older reading is read again by the next ingest, though its file is unchanged.
LOADER_VERSION = "load-5"  # load-2 (2026-11-30): task-table group rows, OCR line and page joins;
# load-3 (2026-12-01): a district place gives its province; load-4: a central body's document has none;
# load-5: a Kính gửi list that runs over a line's end stays one addressee
TEXT_SUFFIXES = (".txt", ".md")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, ".docx", ".doc", ".pdf", ".html", ".htm", *IMAGE_SUFFIXES)
_SPACE = re.compile(r"\s+")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


@dataclass(frozen=True)
class LoadOptions:
    max_bytes: int = 20 * 1024 * 1024
    max_pages: int = 500
    ocr_dir: Path | None = None         # OCR cache; None = no OCR (scans are refused)
    ocr_dpi: int | None = None          # None = the OCR module's measured default
    timeout_s: float = 600.0            # per file, in the sandbox
    memory_mb: int = 3072               # per file, in the sandbox
    sandbox: bool = True


def sniff_format(head: bytes, path: Path) -> str:
    """docx | doc | pdf | image | html | text, from the first bytes of the file."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")):
        return "image"
    probe = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in probe[:512]:
        return "html"
    return "text"


_KIND_NAMES = {"pdf": "PDF", "zip": "tệp nén/Word (.docx) / zip or .docx", "ole": "Word 97 (.doc)",
               "image": "ảnh / image", "html": "trang HTML / HTML page", "text": "văn bản thuần / plain text"}


def _mismatch(path: Path, kind: str, fix: str) -> InputFileError:
    return InputFileError(path, f"phần mở rộng {path.suffix} nhưng nội dung là {_KIND_NAMES[kind]} / "
                          f"the name says {path.suffix} but the content is {_KIND_NAMES[kind]}", fix)


def route(path: Path, head: bytes) -> str:
    """The loader to use: txt | docx | doc | pdf | image | html; refuses what cannot be right."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputFileError(path, f"định dạng '{suffix or '(không có)'}' chưa hỗ trợ / unsupported file type",
                             "dùng .docx, .doc, .pdf, ảnh quét (.png/.jpg/.tif), .html, .txt hoặc .md / "
                             "use .docx, .doc, .pdf, a scan image, .html, .txt or .md")
    kind = sniff_format(head, path)
    if kind == "zip":
        return "docx"
    if kind == "ole":
        return "doc"
    if kind in ("pdf", "image"):
        return kind
    if kind == "html":
        if suffix in (".html", ".htm", *TEXT_SUFFIXES):
            return "html" if suffix in (".html", ".htm") else "txt"
        raise _mismatch(path, kind, "mở trang trong trình duyệt rồi in ra PDF, hoặc đổi đuôi thành .html / "
                        "print the page to PDF from a browser, or rename it to .html")
    if suffix in TEXT_SUFFIXES or suffix in (".html", ".htm"):
        return "html" if suffix in (".html", ".htm") else "txt"
    if not head.strip():
        raise InputFileError(path, "tệp rỗng / empty file", "kiểm tra lại tệp nguồn / check the source file")
    raise _mismatch(path, kind, f"tệp {suffix} bị hỏng hoặc không đúng định dạng; mở và lưu lại bằng phần mềm gốc / "
                    f"the {suffix} file is damaged or mislabelled; open and re-save it")


def extract(path: Path, loader: str, options: LoadOptions, progress=None) -> Extracted:
    """Run one format loader (in the sandboxed child when options.sandbox)."""
    if options.sandbox:
        from ingest.sandbox import run_limited
        return run_limited(_extract_here, (str(path), loader, options), path, options.timeout_s,
                           options.memory_mb, progress)
    return _extract_here(str(path), loader, options, progress=progress)


def _extract_here(path: str, loader: str, options: LoadOptions, progress=None) -> Extracted:
    path = Path(path)
    ocr = None
    if options.ocr_dir is not None and loader in ("pdf", "image"):
        from ingest.ocr import Ocr
        ocr = Ocr(options.ocr_dir, dpi=options.ocr_dpi)
    if loader == "docx":
        from ingest.word import read_docx
        return read_docx(path)
    if loader == "doc":
        from ingest.word import read_doc
        return read_doc(path, timeout_s=min(options.timeout_s, 120))
    if loader == "pdf":
        from ingest.pdf import read_pdf
        return read_pdf(path, ocr=ocr, max_pages=options.max_pages, progress=progress)
    if loader == "image":
        if ocr is None or not ocr.available():
            raise InputFileError(path, "ảnh quét cần OCR nhưng chưa cài Tesseract / a scan needs OCR, Tesseract is "
                                 "not installed", "apt-get install tesseract-ocr tesseract-ocr-vie")
        return ocr.read_image(path, progress=progress)
    if loader == "html":
        from ingest.webpage import read_html
        return read_html(path)
    raise ValueError(loader)


def assemble(extracted: Extracted) -> tuple[str, tuple[int, ...], tuple[int, ...], tuple[tuple[int, int, int], ...]]:
    """Blocks -> (text with one block per line, heading line offsets, page start offsets,
    (offset, table, row) of table-row lines)."""
    lines: list[str] = []
    headings: list[int] = []
    rows: list[tuple[int, int, int]] = []
    page_starts: list[int] = []
    offset = 0
    for block in extracted.blocks:
        line = _SPACE.sub(" ", nfc(block.text.translate(_ZERO_WIDTH))).strip()  # NFC after the removal
        if not line:
            continue
        while block.page and len(page_starts) < block.page:  # pages without text start where the next text does
            page_starts.append(offset)
        if block.kind == "heading":
            headings.append(offset)
        elif block.kind == "row":
            rows.append((offset, block.table, block.row))
        lines.append(line)
        offset += len(line) + 1
    while extracted.pages and page_starts and len(page_starts) < extracted.pages:
        page_starts.append(max(offset - 1, 0))
    return "\n".join(lines), tuple(headings), tuple(page_starts), tuple(rows)


def load_directive(path: str | Path, max_bytes: int = 20 * 1024 * 1024, options: LoadOptions | None = None,
                   progress=None) -> Document:
    """Read one directive of any supported format. Raises InputFileError naming the file and the fix."""
    from ingest.header import layout, parse_header

    options = options or LoadOptions(max_bytes=max_bytes)
    path = Path(path)
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        route(path, b"")  # raises the unsupported-type error
    try:
        size = path.stat().st_size
    except OSError as e:
        raise InputFileError(path, f"không đọc được tệp / cannot read file ({e.strerror})",
                             "kiểm tra đường dẫn và quyền đọc / check the path and permissions") from e
    if size > options.max_bytes:
        raise InputFileError(
            path, f"tệp quá lớn ({size / 1048576:.1f} MB > {options.max_bytes / 1048576:.0f} MB) / file too large",
            "tách thành các văn bản riêng hoặc tăng RAG_MAX_FILE_MB / split it or raise RAG_MAX_FILE_MB")
    raw = path.read_bytes()
    loader = route(path, raw[:4096])
    if loader == "docx" and not _is_docx(path):
        raise InputFileError(path, "tệp nhị phân dạng zip nhưng không phải văn bản Word (thiếu word/document.xml) / "
                             "a binary zip file, not a Word document (no word/document.xml)",
                             "mở tệp bằng Word và lưu lại dạng .docx / open it in Word and save as .docx")
    if loader == "txt":
        text, heading_lines, notes = read_text_file(raw, path)
        fmt, pages, page_starts, ocr_pages, rows = path.suffix.lower().lstrip("."), 0, (), (), ()
    else:
        extracted = extract(path, loader, options, progress)
        text, heading_lines, page_starts, rows = assemble(extracted)
        if not text.strip():
            raise InputFileError(path, "không có chữ nào đọc được / no readable text",
                                 "kiểm tra tệp; nếu là bản quét, cài Tesseract / check the file; for a scan, "
                                 "install tesseract-ocr tesseract-ocr-vie")
        fmt, pages, ocr_pages, notes = extracted.format, extracted.pages, extracted.ocr_pages, extracted.notes
    parts = layout(text, rows, heading_lines)
    reader = reading_id(bool(ocr_pages))
    return Document(source=str(path.resolve()), name=path.name, text=text, header=parse_header(text, parts),
                    content_hash=hashlib.sha256(raw).hexdigest(), heading_lines=heading_lines, layout=parts,
                    format=fmt, pages=pages, page_starts=page_starts, ocr_pages=tuple(ocr_pages), rows=rows,
                    notes=tuple(notes), reader=reader)


def reading_id(ocr: bool) -> str:
    """Names what read a document: this loader version, and for a scan the OCR (its settings,
    model, pen-digit weights and lexicon)."""
    if not ocr:
        return LOADER_VERSION
    from ingest.ocr import reader_id

    return f"{LOADER_VERSION}+{reader_id()}"


def _is_docx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


# Files in a folder that are plainly not documents: skipped and reported, not failures.
_NOT_DOCUMENTS = {".json", ".xlsx", ".xls", ".csv", ".zip", ".rar", ".7z", ".db", ".ini", ".xml", ".js",
                  ".css", ".pptx", ".ppt", ".odt", ".rtf", ".exe", ".gif", ".svg", ".mp4", ".mp3"}


def scan_directive_files(paths: list[str | Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Folders expanded to their supported files (sorted, hidden ones ignored) and the files
    skipped with the reason; files given by name are taken as given (and fail if unsupported)."""
    found: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for p in map(Path, paths):
        if not p.is_dir():
            found.append(p)
            continue
        for f in sorted(p.rglob("*")):
            if not f.is_file() or any(part.startswith(".") for part in f.relative_to(p).parts):
                continue
            suffix = f.suffix.lower()
            if suffix in SUPPORTED_SUFFIXES:
                if suffix in IMAGE_SUFFIXES and f.stat().st_size < 20_000:
                    skipped.append((f, "ảnh nhỏ, không phải trang văn bản quét / a small image, not a scanned page"))
                else:
                    found.append(f)
            else:
                why = "không phải văn bản chỉ đạo" if suffix in _NOT_DOCUMENTS else "định dạng chưa hỗ trợ"
                skipped.append((f, f"{why} ({suffix or 'không có đuôi'}) / not a supported document type"))
    return found, skipped


def find_directive_files(paths: list[str | Path]) -> list[Path]:
    """Expand folders to the supported files under them, sorted; files are taken as given."""
    return scan_directive_files(paths)[0]
