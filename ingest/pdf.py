"""PDF loader: the text layer read into blocks in reading order (pdfplumber); pages whose text
layer is missing or garbage go to OCR (ingest/ocr.py).

Per page: words -> lines -> paragraphs. The two-column header (page 1, and any page that opens
another document with the Quốc hiệu) and each Nơi nhận / signer block are emitted left column
first, one block per line. Ruled data tables become rows; running headers, footers, page numbers
and rules drawn with characters are dropped.
Lines, paragraphs, columns, running headers and stamped numbers: ingest/pdf_layout.py.
"""
from __future__ import annotations

import dataclasses
import re
from bisect import bisect
from dataclasses import dataclass
from pathlib import Path

from core.errors import InputFileError
from core.text import nfc
from core.types import Block, Extracted
from ingest.pdf_layout import (
    _LAYOUT_MARK,
    _SPACE,
    _columns_at_top,
    _continues,
    _drop_running,
    _insert_stamps,
    _Line,
    _lines,
    _Para,
    _paragraphs,
    _signatures,
    _stamped_numbers,
    sentence_goes_on,
)
from ingest.task_table import format_row

# A page whose text layer scores below QUALITY_MIN (encoding.text_quality) is OCR'd. On the 7
# non-held-out text PDFs (17 pages; the commune PDF after its glyphs are repaired) every page
# scores 0.99-1.0; the same pages with their marks stripped, as a hidden OCR layer read without
# Vietnamese looks, score 0.41-0.47. 0.7 sits between with room on both sides.
QUALITY_MIN = 0.7
MIN_TEXT = 200          # fewer letters and digits on a page mostly covered by images: a scan (stamp text only)
IMAGE_COVER = 0.5
_NATIONAL = re.compile(r"CỘNG\s+H[OÒ][AÀ]\s+XÃ\s+HỘI", re.IGNORECASE)
_ORDINAL_HEAD = {"stt", "tt", "số tt", "số thứ tự"}
_ORDINAL = re.compile(r"^(?:\d{1,3}|[IVXLC]{1,6}|[a-zđ])[.)]?$", re.IGNORECASE)
_COLUMN_INDEX = re.compile(r"^\(?(?:\d{1,2}|[A-Z])\)?$")


def read_pdf(path: Path, ocr=None, max_pages: int = 500, progress=None) -> Extracted:
    """Blocks of a PDF in reading order; pages without a usable text layer are OCR'd (`ocr`:
    ingest.ocr.Ocr), or refused with how to install Tesseract when `ocr` is None or unavailable."""
    import pdfplumber

    path = Path(path)
    read: list[_Page] = []
    try:
        with pdfplumber.open(path) as pdf:
            if len(pdf.pages) > max_pages:
                raise InputFileError(path, f"PDF có {len(pdf.pages)} trang, quá giới hạn {max_pages} / too many "
                                     f"pages ({len(pdf.pages)} > {max_pages})", "tách tệp thành các văn bản nhỏ "
                                     "hơn hoặc tăng RAG_MAX_PAGES / split the file or raise RAG_MAX_PAGES")
            for number, page in enumerate(pdf.pages, 1):
                if progress:
                    progress(number - 1, len(pdf.pages), f"PDF: trang {number}/{len(pdf.pages)}")
                read.append(_read_page(page, number))
                page.close()
    except (InputFileError, MemoryError):
        raise
    except Exception as e:  # pdfminer raises many kinds on a damaged or locked file
        raise _unreadable(path, e) from e
    if not read:
        raise _unreadable(path, ValueError("no pages"))
    notes = _repair(read)
    verdicts = [_verdict(p) for p in read]
    need_ocr = [p.number for p, v in zip(read, verdicts) if v == "ocr"]
    ocr_blocks = _run_ocr(path, need_ocr, ocr, progress)
    stamps = _stamped_numbers(path, len(read)) if "text" in verdicts else {}
    laid = [_layout_page(p, stamps.get(p.number, [])) if v == "text" else None for p, v in zip(read, verdicts)]
    blocks = _assemble([(x[0], p.width, p.height) if x else None for p, x in zip(read, laid)],
                       [x[1] if x else [] for x in laid], ocr_blocks)
    fmt = "scan" if need_ocr and "text" not in verdicts else "pdf"
    return Extracted(blocks=tuple(blocks), format=fmt, pages=len(read), ocr_pages=tuple(need_ocr), notes=notes)


def _unreadable(path: Path, e: Exception) -> InputFileError:
    inner = e.args[0] if e.args and isinstance(e.args[0], Exception) else e   # pdfplumber wraps pdfminer's
    if re.search("password|encrypt", f"{type(inner).__name__} {inner}", re.IGNORECASE):
        return InputFileError(path, "PDF được mã hóa / encrypted PDF",
                              "gỡ mật khẩu rồi nạp lại / remove the password and load it again")
    return InputFileError(path, f"PDF bị hỏng hoặc không đọc được ({type(inner).__name__}) / corrupt or truncated "
                          "PDF", "mở tệp bằng trình đọc PDF rồi lưu hoặc in lại thành PDF mới / open it in a PDF "
                          "viewer and save or print it to a new PDF")


def _run_ocr(path: Path, pages: list[int], ocr, progress) -> dict[int, list[Block]]:
    if not pages:
        return {}
    if ocr is None or not ocr.available():
        listed = ", ".join(map(str, pages[:10])) + ("…" if len(pages) > 10 else "")
        raise InputFileError(path, f"PDF là bản quét (trang {listed} không có lớp chữ dùng được), cần OCR nhưng chưa "
                             f"cài Tesseract / scanned PDF (no usable text layer on page {listed}): OCR needed",
                             "cài Tesseract: apt-get install tesseract-ocr tesseract-ocr-vie / install Tesseract: "
                             "apt-get install tesseract-ocr tesseract-ocr-vie")
    found = ocr.pdf_pages(path, pages, progress=progress)
    return {n: [b if b.page else dataclasses.replace(b, page=n) for b in found.get(n, [])] for n in pages}


# ---- a page: words, lines, quality, stamped numbers --------------------------------------------
@dataclass
class _Page:
    number: int
    width: float
    height: float
    words: list
    lines: list
    tables: list                   # ruled tables: (bbox, cell boxes)
    covered: float                 # share of the page under images
    drawn: bool                    # vector drawing on a page without text


def _read_page(page, number: int) -> _Page:
    words = []   # slim dicts: pdfplumber's per-character dicts would take gigabytes over 500 pages
    for w in page.extract_words(x_tolerance=1.5, y_tolerance=2, return_chars=True):
        if w["text"].strip():
            chars = w["chars"]
            words.append({"text": w["text"], "x0": w["x0"], "x1": w["x1"], "top": w["top"], "bottom": w["bottom"],
                          "size": sorted(c["size"] for c in chars)[len(chars) // 2], "chars": len(chars),
                          "bold": sum("bold" in c["fontname"].lower() for c in chars)})
    x0, top, x1, bottom = page.bbox
    covered = sum(max(0.0, min(im["x1"], x1) - max(im["x0"], x0)) * max(0.0, min(im["bottom"], bottom) - max(im["top"], top))
                  for im in page.images) / max(float((x1 - x0) * (bottom - top)), 1.0)
    tables = []
    if words:  # white-filled rectangles behind the text (signed PDFs have one per word) are not rules
        ruled = page.filter(lambda o: not (o.get("object_type") == "rect" and o.get("fill") and not o.get("stroke")
                                           and _is_white(o.get("non_stroking_color"))))
        tables = [(t.bbox, t.cells) for t in ruled.find_tables({"vertical_strategy": "lines",
                                                                 "horizontal_strategy": "lines"})]
    return _Page(number, float(page.width), float(page.height), words, _lines(words), tables, covered,
                 not words and bool(page.curves or page.rects))


def _repair(pages: list[_Page]) -> tuple[str, ...]:
    """Legacy font mappings converted over the whole document at once (encoding checks a
    misread glyph against the rest of it); the repaired words replace the read ones."""
    from ingest.encoding import NOTES, repair_legacy_text

    lines = [(p.number, line) for p in pages for line in p.lines]
    raw = [" ".join(w["text"] for w in line.words) for _, line in lines]
    repaired, name = repair_legacy_text("\n".join(raw))
    fixed = repaired.split("\n")
    if not name or len(fixed) != len(lines):
        return ()
    changed = set()
    for (number, line), old, new in zip(lines, raw, fixed):
        if new != old and len(new.split()) == len(line.words):
            changed.add(number)
            for w, token in zip(line.words, new.split()):
                w["text"] = token
    return (f"{NOTES.get(name, name)} (trang/page {', '.join(map(str, sorted(changed)))})",) if changed else ()


def _verdict(p: _Page) -> str:
    """'text'; 'ocr' for an image page, a stamp-only or a garbage text layer; or 'blank'."""
    from ingest.encoding import text_quality

    text = "\n".join(" ".join(w["text"] for w in line.words) for line in p.lines)
    real = sum(ch.isalnum() for ch in text)
    if real == 0:
        return "ocr" if p.covered > 0 or p.drawn else "blank"
    if real < MIN_TEXT and p.covered >= IMAGE_COVER or real >= 40 and text_quality(text) < QUALITY_MIN:
        return "ocr"
    return "text"


def _layout_page(p: _Page, stamps: list) -> tuple[list[_Line], list]:
    """Lines outside the data tables, and the data tables as (top, grid)."""
    grids, boxes = [], []
    for bbox, cells in p.tables:
        grid = _grid(cells, p.words)
        if grid and _is_data(grid):
            grids.append((bbox[1], grid))
            boxes.append(bbox)
    lines = _lines([w for w in p.words if not _inside(w, boxes)])
    alone = [x for x in lines if len(x.words) == 1 and re.fullmatch(r"\d{1,6}", x.text)]  # a số typed apart
    placed = _insert_stamps(lines, stamps + [x.words[0] for x in alone])
    return [x for x in lines if any(ch.isalnum() for ch in x.text) and not (x in alone and x.words[0] in placed)], grids


def _inside(w: dict, boxes: list) -> bool:
    x, y = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
    return any(b[0] - 1 <= x <= b[2] + 1 and b[1] - 1 <= y <= b[3] + 1 for b in boxes)


# ---- ruled tables -----------------------------------------------------------------------------
def _is_white(color) -> bool:
    values = color if isinstance(color, (tuple, list)) else (color,)
    if not values or not all(isinstance(v, (int, float)) for v in values):
        return False
    return all(v <= 0.1 for v in values) if len(values) == 4 else all(v >= 0.9 for v in values)


def _grid(cells: list, words: list) -> list[list]:
    """Rows over the grid columns; a merged cell is the same dict in every slot it covers."""
    def edges(values: list[float]) -> list[float]:
        out: list[float] = []
        for v in sorted(values):
            if not out or v - out[-1] > 2:
                out.append(v)
        return out

    def at(edge: list[float], v: float) -> int:
        return min(range(len(edge)), key=lambda k: abs(edge[k] - v))
    xs, ys = edges([c[0] for c in cells] + [c[2] for c in cells]), edges([c[1] for c in cells] + [c[3] for c in cells])
    rows: list[list] = [[None] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    for box in cells:
        cell: dict = {"words": []}
        for r in range(at(ys, box[1]), at(ys, box[3])):
            for c in range(at(xs, box[0]), at(xs, box[2])):
                rows[r][c] = cell
    for w in words:
        r, c = bisect(ys, (w["top"] + w["bottom"]) / 2) - 1, bisect(xs, (w["x0"] + w["x1"]) / 2) - 1
        if 0 <= r < len(rows) and 0 <= c < len(xs) - 1 and rows[r][c] is not None:
            rows[r][c]["words"].append(w)
    for row in rows:
        for cell in row:
            if cell is not None and "words" in cell:
                cell["text"] = " ".join(line.text for line in _lines(cell.pop("words"))).strip()
    return [row for row in rows if any(c is not None for c in row)]


def _is_data(rows: list[list]) -> bool:
    """A header row of short names over ≥3 columns (or an STT column) and a row under it. The
    header and signature blocks and boxes drawn with rules are layout, read as text."""
    if len(rows) < 2 or any(_LAYOUT_MARK.search(c["text"]) for row in rows for c in row if c):
        return False
    columns = max(len({id(c) for c in row if c is not None and c["text"]}) for row in rows)
    if columns < 2 or not _names(rows[0]):
        return False
    first = rows[0][0]["text"].lower().strip(" .") if rows[0][0] else ""
    ordinals = sum(1 for row in rows[1:] if row[0] is not None and _ORDINAL.match(row[0]["text"]))
    return columns >= 3 or first in _ORDINAL_HEAD or ordinals >= max(2, (len(rows) - 1) // 2)


def _names(row: list) -> bool:
    cells = list({id(c): c for c in row if c is not None}.values())
    return any(c["text"] for c in cells) and all(len(c["text"]) <= 80 for c in cells)


def _header(rows: list[list]) -> tuple[int, list[str]]:
    """How many rows the header takes (a header cell spanning columns has sub-headers under it;
    a cell spanning rows joins them) and the column labels "Parent - Child"."""
    heads = 1
    while heads < len(rows) - 1 and _names(rows[heads]) and (
            len({id(c) for c in rows[heads - 1]}) < len(rows[0])
            or any(a is b and a is not None for a, b in zip(rows[heads - 1], rows[heads]))):
        heads += 1
    labels = []
    for c in range(len(rows[0])):
        parts: list[str] = []
        for row in rows[:heads]:
            if row[c] is not None and row[c]["text"] and row[c]["text"] not in parts:
                parts.append(row[c]["text"])
        labels.append(" - ".join(parts))
    return heads, labels


def _row_texts(rows: list[list], labels: list[str], start: int) -> list[tuple[str, str]]:
    """("row", "<header>: <cell>; …") per data row, ("para", title) for a row of one cell."""
    out = []
    for r in range(start, len(rows)):
        texts = [c["text"] if c is not None else "" for c in rows[r]]
        filled = [t for t in texts if t]
        if not filled or len(filled) > 1 and r == start and all(_COLUMN_INDEX.match(t) for t in filled):
            continue  # an empty row, or the "(1) (2) (3)" column numbers under the header
        if len({id(c) for c in rows[r]}) == 1 and (r == 0 or rows[r][0] is not rows[r - 1][0]):
            out.append(("para", filled[0]))
            continue
        out.append(("row", format_row(labels, texts)))
    return out


# ---- assembly: pages, tables and OCR'd pages into blocks ---------------------------------------
def _assemble(pages: list, tables: list, ocr_blocks: dict[int, list[Block]]) -> list[Block]:
    """pages: per page (lines, width, height), None when OCR'd or blank; tables: per page grids."""
    _drop_running([e for e in pages if e])
    out: list = []                  # _Para, or Block from OCR
    count, open_table = 0, None
    for number, entry in enumerate(pages, 1):
        if entry is None:
            scanned = list(ocr_blocks.get(number, []))
            if scanned and out and isinstance(out[-1], Block) and _ocr_continues(out[-1], scanned[0]):
                out[-1] = dataclasses.replace(out[-1], text=f"{out[-1].text} {scanned.pop(0).text}")
            out.extend(scanned)
            continue
        lines, width, height = entry
        groups: list[tuple[float, list[_Para]]] = []
        if number == 1 or any(_NATIONAL.search(x.text) for x in lines[:6]):  # a document's first page
            head, lines = _columns_at_top(lines, width, height)
            groups += [(-1.0, head)] if head else []
        lines, signatures = _signatures(lines, width)
        groups += signatures + [(p.top, [p]) for p in _paragraphs(lines)]
        text_top = min((g[0] for g in groups), default=1e9)
        for top, grid in tables[number - 1]:
            in_rows = out and isinstance(out[-1], _Para) and out[-1].kind == "row"
            rows, open_table, count = _table_rows(grid, top, open_table if in_rows and top < text_top else None, count)
            groups.append((top, rows))
        for _top, paras in sorted(groups, key=lambda g: g[0]):
            for p in paras:
                p.page = number
                if out and isinstance(out[-1], _Para) and _continues(out[-1], p):
                    out[-1].text, out[-1].last_full = f"{out[-1].text} {p.text}", p.last_full
                else:
                    out.append(p)
    return [p if isinstance(p, Block) else Block(_SPACE.sub(" ", nfc(p.text)).strip(), p.kind, p.page, p.table, p.row)
            for p in out if p.text.strip()]


def _ocr_continues(prev: Block, first: Block) -> bool:
    """A scanned page's first paragraph goes on with the sentence the page before broke off
    ("… kiện toàn Ban" / "quản lý, Ban chỉ đạo …"); OCR gives no line geometry to go by."""
    return (prev.ocr and first.ocr and prev.kind == first.kind == "para" and prev.page != first.page
            and sentence_goes_on(prev.text, first.text))


def _table_rows(grid: list[list], top: float, carry: dict | None, count: int):
    """Row blocks of a data table. One going on from the previous page (same columns, its header
    repeated or not) keeps its number and row count."""
    heads, labels = _header(grid)
    same = carry is not None and len(grid[0]) == carry["width"]
    if same and labels == carry["labels"]:
        table, start = carry, heads
    elif same and grid[0][0] and _ORDINAL.match(grid[0][0]["text"]):
        table, start = carry, 0
    else:
        count += 1
        table, start = {"labels": labels, "width": len(grid[0]), "number": count, "rows": 0}, heads
    paras = []
    for kind, text in _row_texts(grid, table["labels"], start):
        table["rows"] += kind == "row"
        paras.append(_Para(text, kind, top, table=table["number"] if kind == "row" else 0,
                           row=table["rows"] if kind == "row" else 0))
    return paras, table, count
