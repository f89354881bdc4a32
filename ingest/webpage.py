"""Saved web pages (.html/.htm) -> Extracted: the visible text in reading order, data tables as rows.

Parsed with lxml's HTML parser without network access and without entity expansion; nothing in
the page is run. Hostile markup (nesting past libxml2's limit, absurd spans) is refused.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import replace
from pathlib import Path

from core.errors import InputFileError
from core.text import fold, squash
from core.types import Block, Extracted
from ingest.encoding import NOTES, decode_text_bytes, repair_legacy_text

MAX_BYTES = 20 * 1024 * 1024
MAX_ELEMENTS = 300_000
MAX_TABLE_CELLS = 100_000
_SKIP = frozenset("script style nav header footer aside form noscript template iframe object embed svg math "
                  "canvas button select textarea input head title map audio video".split())
_BLOCK = frozenset("p div li h1 h2 h3 h4 h5 h6 section article main blockquote pre address center dd dt dl "
                   "ul ol figure figcaption caption fieldset legend details summary hr body html tr td th".split())
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.I)
_BOLD = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.I)
_HIDDEN_RULE = re.compile(r"([.#])([\w-]+)\s*\{[^}]*?(?:display\s*:\s*none|visibility\s*:\s*hidden)", re.I)
_NO_MARKER = re.compile(r"list-style(?:-type)?\s*:\s*none", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([\w.:\-]+)""", re.I)
_DOCTYPE = re.compile(r"<!DOCTYPE[^>\[]*(?:\[[^\]]*\])?\s*>", re.I)
_SAVE_AGAIN = "mở trang trong trình duyệt rồi lưu lại phần văn bản / open it in a browser and save its text again"
_CHECK_SOURCE = "kiểm tra lại trang nguồn / check the source page"
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\xad"), None)
# The header and signature blocks of a directive: read column by column, not row by row.
_HEADER_TABLE = re.compile(r"cong hoa xa hoi|doc lap - tu do|noi nhan|kinh gui|\bso:|ngay \S* ?thang|"
                           r"^(?:tm|kt|tl|tuq)\. ", re.I | re.M)


def read_html(path: Path, max_bytes: int = MAX_BYTES) -> Extracted:
    """Read a saved directive page. Raises InputFileError for binary, empty or hostile pages."""
    import lxml.html
    from lxml import etree

    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputFileError(path, f"trang quá lớn ({size / 1048576:.1f} MB) / page too large",
                                 "lưu riêng phần nội dung văn bản / save only the directive's text")
        raw = path.read_bytes()
    except OSError as e:
        raise InputFileError(path, f"không đọc được tệp / cannot read file ({e.strerror})",
                             "kiểm tra đường dẫn và quyền đọc / check the path and permissions") from e
    html = _DOCTYPE.sub("", _decode(raw, path), count=1)  # an internal DTD subset is never needed
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, huge_tree=False,
                                  encoding="utf-8")
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError) as e:
        raise InputFileError(path, "trang rỗng / empty page", _CHECK_SOURCE) from e
    if any(err.type_name == "ERR_RESOURCE_LIMIT" for err in parser.error_log) \
            or sum(1 for _ in root.iter()) > MAX_ELEMENTS:
        raise InputFileError(path, "mã HTML lồng quá sâu hoặc quá lớn / HTML nested too deeply or too large",
                             _SAVE_AGAIN)
    reader = _PageReader(path)
    for style in root.iter("style"):  # simple '.class { display: none }' rules of the page itself
        for kind, name in _HIDDEN_RULE.findall(style.text or ""):
            (reader.hidden_classes if kind == "." else reader.hidden_ids).add(name)
    try:
        reader.walk(root)
    except RecursionError as e:  # the parser caps nesting at 256; this is a second fence
        raise InputFileError(path, "mã HTML lồng quá sâu / HTML nested too deeply", _SAVE_AGAIN) from e
    reader.flush()
    blocks, notes = reader.blocks, []
    fixed, mapping = repair_legacy_text("\n".join(b.text for b in blocks))  # pages typed in .VnTime/VNI fonts
    if mapping and len(lines := fixed.split("\n")) == len(blocks):
        blocks, notes = [replace(b, text=line) for b, line in zip(blocks, lines)], [NOTES[mapping]]
    blocks = [replace(b, text=t) for b in blocks if (t := squash(b.text.translate(_INVISIBLE)))]
    if not blocks:
        raise InputFileError(path, "trang không có chữ / page has no text", _CHECK_SOURCE)
    return Extracted(blocks=tuple(blocks), format="html", notes=tuple(notes))


def _decode(raw: bytes, path: Path) -> str:
    """BOM, then the declared charset, then UTF-8, then the legacy guess of decode_text_bytes."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(codec, errors="replace")
    if b"\x00" in raw[:4096]:
        raise InputFileError(path, "tệp nhị phân, không phải trang HTML / binary file, not an HTML page",
                             "lưu lại trang dưới dạng .html / save the page again as .html")
    declared = _META_CHARSET.search(raw[:8192])
    for codec in ([declared.group(1).decode("ascii", "replace")] if declared else []) + ["utf-8"]:
        try:
            return raw.decode(codecs.lookup(codec).name)
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        return decode_text_bytes(raw, path)[0]
    except InputFileError as e:
        raise InputFileError(path, f"không nhận ra bảng mã của trang / unknown page encoding ({e.reason})",
                             "lưu lại trang dưới dạng UTF-8 / save the page again as UTF-8") from e


def _tag(el) -> str | None:
    return el.tag.lower() if isinstance(el.tag, str) else None


def _int(value, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(str(value).strip())))
    except (TypeError, ValueError):
        return default


class _PageReader:
    """Walks the DOM once, collecting inline text into blocks; tables go through _table()."""

    def __init__(self, path: Path, in_cell: bool = False, depth: int = 0):
        self.path, self.in_cell, self.depth = path, in_cell, depth  # depth: tables around this reader
        self.blocks: list[Block] = []
        self.parts: list[tuple[str, bool | None]] = []  # text, bold (None: a list marker)
        self.tables = 0
        self.layout = 0  # > 0 inside a layout table: everything is a para
        self.hidden_classes: set[str] = set()
        self.hidden_ids: set[str] = set()

    def flush(self, heading: bool = False) -> None:
        text = squash("".join(t for t, _ in self.parts))
        bold = [b for t, b in self.parts if b is not None and t.strip()]
        self.parts = []
        if text:
            kind = "para" if self.layout else "heading" if heading or (bold and all(bold)) else "para"
            self.blocks.append(Block(text=text, kind=kind))

    def walk(self, el, bold: bool = False) -> None:
        tag = _tag(el)
        style = el.get("style") or "" if tag else ""
        if tag is None or tag in _SKIP or el.get("hidden") is not None or el.get("aria-hidden") == "true" \
                or _HIDDEN.search(style) or el.get("id") in self.hidden_ids \
                or not self.hidden_classes.isdisjoint((el.get("class") or "").split()):
            self._tail(el, bold)
            return
        if tag in ("br", "table"):
            self.flush()
            if tag == "table":
                self._table(el)
            self._tail(el, bold)
            return
        block = tag in _BLOCK
        if block:
            self.flush()
        inner = bold or tag in ("b", "strong", "th") or bool(_BOLD.search(style))
        if tag == "li":
            self.parts.append((_marker(el), None))
        if el.text:
            self.parts.append((el.text, inner))
        for child in el:
            self.walk(child, inner)
        if block:
            self.flush(heading=tag in _HEADINGS)
        self._tail(el, bold)

    def _tail(self, el, bold: bool) -> None:
        if el.tail:
            self.parts.append((el.tail, bold))

    def _cell(self, cell) -> tuple[str, bool]:
        """Text of a table cell on one line, and whether all of it is bold."""
        sub = _PageReader(self.path, in_cell=True, depth=self.depth + 1)
        sub.hidden_classes, sub.hidden_ids = self.hidden_classes, self.hidden_ids
        sub.walk(cell)
        sub.flush()
        bold = bool(sub.blocks) and all(b.kind == "heading" for b in sub.blocks)
        return " ".join(b.text for b in sub.blocks), bold

    def _table(self, table) -> None:
        grid, cells = _grid(table, self.path)
        if not grid:
            return
        if self.depth > 8:  # tables nested this deep are layout; classifying them costs a walk each
            self._layout(grid, by_column=False)
            return
        caption = next((c for c in table if _tag(c) == "caption"), None)
        if caption is not None:
            self.walk(caption)
        # A leading row that is one cell across the table is the table's title.
        while len(grid) > 2 and len(grid[0]) > 1 and grid[0][0] is not None \
                and all(c is grid[0][0] for c in grid[0]) and grid[1][0] is not grid[0][0]:
            title, bold = self._cell(grid[0][0])
            if title:
                self.blocks.append(Block(text=title, kind="heading" if bold and not self.layout else "para"))
            grid = grid[1:]
        header_block = bool(_HEADER_TABLE.search(fold(" ".join(c.text_content() for c in cells)).lower()))
        if self.in_cell or header_block or not _is_data(table, grid, self._cell):
            self._layout(grid, by_column=header_block)
        else:
            self._rows(grid, {id(c): self._cell(c) for c in cells})

    def _layout(self, grid: list[list], by_column: bool) -> None:
        """Header/signature blocks column by column (left column first); other layout tables row by row."""
        order = [(r, c) for c in range(len(grid[0])) for r in range(len(grid))] if by_column \
            else [(r, c) for r in range(len(grid)) for c in range(len(grid[0]))]
        seen: set[int] = set()
        self.layout += 1
        self.depth += 1
        for r, c in order:
            cell = grid[r][c]
            if cell is not None and id(cell) not in seen:
                seen.add(id(cell))
                self.walk(cell)
                self.flush()
        self.layout -= 1
        self.depth -= 1

    def _rows(self, grid: list[list], text: dict) -> None:
        """One 'row' block per data row: 'Header: value; …' with merged cells repeated."""
        heads = 0
        while heads < len(grid) - 1 and all(c is not None and (_tag(c) == "th" or _tag(c.getparent().getparent())
                                                               == "thead") for c in grid[heads]):
            heads += 1
        if heads == 0:  # no <th>: the first row names the columns, a second one too under merged parents
            heads = 2 if len(grid) > 2 and len({id(c) for c in grid[0]}) < len(grid[0]) else 1
        names = []
        for c in range(len(grid[0])):
            parts: list[str] = []
            for r in range(heads):
                t = text[id(grid[r][c])][0] if grid[r][c] is not None else ""
                if t and t not in parts:
                    parts.append(t)
            names.append(" - ".join(parts))
        self.tables += 1
        number = 0
        for row in grid[heads:]:
            if len(grid[0]) > 1 and all(c is row[0] for c in row):  # a section label across the table
                label, bold = text[id(row[0])] if row[0] is not None else ("", False)
                if label:
                    self.blocks.append(Block(text=label, kind="heading" if bold else "para"))
                continue
            items = [f"{n}: {t}" if n else t for n, cell in zip(names, row)
                     if cell is not None and (t := text[id(cell)][0])]
            if items:
                number += 1
                self.blocks.append(Block(text="; ".join(items), kind="row", table=self.tables, row=number))


def _grid(table, path: Path) -> tuple[list[list], list]:
    """The table's cells on a rectangular grid, each merged cell in every slot it covers."""
    rows = [tr for part in table if _tag(part) in ("thead", "tbody", "tfoot", "tr")
            for tr in ([part] if _tag(part) == "tr" else [r for r in part if _tag(r) == "tr"])]
    taken: dict[tuple[int, int], object] = {}
    cells = []
    for r, tr in enumerate(rows):
        c = 0
        for cell in (x for x in tr if _tag(x) in ("td", "th")):
            while (r, c) in taken:
                c += 1
            down = _int(cell.get("rowspan"), 1, 0, 65534) or len(rows) - r  # rowspan=0: to the end
            across = _int(cell.get("colspan"), 1, 1, 1000)
            if len(taken) + min(down, len(rows) - r) * across > MAX_TABLE_CELLS:
                raise InputFileError(path, "bảng HTML quá lớn / HTML table too large", _SAVE_AGAIN)
            for dr in range(min(down, len(rows) - r)):
                for dc in range(across):
                    taken[(r + dr, c + dc)] = cell
            cells.append(cell)
            c += across
    if not taken:
        return [], []
    height, width = max(r for r, _ in taken) + 1, max(c for _, c in taken) + 1
    return [[taken.get((r, c)) for c in range(width)] for r in range(height)], cells


def _is_data(table, grid: list[list], cell_text) -> bool:
    """A data table has a header row of column names over at least one data row."""
    if len(grid) < 2 or len(grid[0]) < 2:
        return False
    first = [c for i, c in enumerate(grid[0]) if c is not None and (i == 0 or c is not grid[0][i - 1])]
    if any(_tag(c) == "th" for c in first) or any(_tag(p) == "thead" for p in table):
        return True
    names = [cell_text(c) for c in first]
    short = all(t and len(t.split()) <= 8 and not t.endswith(":") for t, _ in names)
    return short and (len(grid[0]) >= 3 or all(b for _, b in names))


def _marker(li) -> str:
    """The marker a browser draws before a list item: '- ' in <ul>, '1. ' / 'a. ' / 'I. ' in <ol>."""
    parent = li.getparent()
    if parent is None or _NO_MARKER.search((parent.get("style") or "") + (li.get("style") or "")):
        return ""
    if _tag(parent) != "ol":
        return "- "
    n = _int(parent.get("start"), 1, -10**6, 10**6) - 1
    for item in parent:
        if _tag(item) == "li":
            n = _int(item.get("value"), n + 1, -10**6, 10**6)
            if item is li:
                break
    kind = parent.get("type") or "1"
    if kind in ("a", "A") and 1 <= n <= 26:
        label = chr(ord(kind) + n - 1)
    elif kind in ("i", "I") and 1 <= n < 4000:
        label = _roman(n) if kind == "I" else _roman(n).lower()
    else:
        label = str(n)
    return f"{label}. "


def _roman(n: int) -> str:
    out = ""
    for value, digits in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, n = divmod(n, value)
        out += digits * count
    return out
