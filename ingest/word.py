"""Word loaders: .docx read from its XML in reading order (tables, text boxes, list numbers,
tracked changes, footnotes); .doc converted to .docx by LibreOffice first (antiword as fallback).
Paragraph text, list numbers and styles: ingest/word_paragraphs.py; tables, package checks and
.doc conversion here."""
from __future__ import annotations

import bisect
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
import zlib
from pathlib import Path

from core.errors import InputFileError
from core.text import fold
from core.types import Block, Extracted
from ingest.task_table import format_row
from ingest.word_paragraphs import W, _clean, _has_text, _on, _ParagraphReader, _val

MAX_UNZIPPED = 200 * 1024 * 1024
MAX_RATIO = 200          # deflate rarely passes ~20:1 on Word XML; 200:1 over 1 MB is a bomb
_ORDINAL_HEAD = {"stt", "tt", "so tt", "so thu tu"}
_ORDINAL = re.compile(r"^(?:\d{1,3}|[IVXLC]{1,6}|[a-zđ])[.)]?$", re.IGNORECASE)
_COLUMN_INDEX = re.compile(r"^\(?(?:\d{1,2}|[A-Z])\)?$")
_ENCRYPTED = ("tệp Word được đặt mật khẩu (mã hóa) / password-protected (encrypted) Word file",
              "gỡ mật khẩu trong Word rồi lưu lại / remove the password in Word and save it again")
_CORRUPT_FIX = "mở tệp bằng Word và lưu lại dạng .docx / open it in Word and save it again as .docx"
_DOC_FIX = "mở bằng Word và lưu lại dạng .docx / open it in Word and save it as .docx"
# What zipfile raises on a damaged archive besides BadZipFile: a corrupt deflate stream (zlib.error),
# a member offset moved before the start of the file (OSError EINVAL on seek), a cut-off member,
# an unknown compression method or an encrypted member.
_BROKEN_ZIP = (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError)


def read_docx(path: Path) -> Extracted:
    """Blocks of a .docx in reading order. Raises InputFileError on corrupt, encrypted or bomb files."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    path = Path(path)
    pages = _check_package(path)
    try:
        document = docx.Document(str(path))
        reader = _Reader(document)
        blocks = reader.read(document.element.body)
    except (PackageNotFoundError, KeyError, ValueError, *_BROKEN_ZIP, etree.LxmlError, RecursionError) as e:
        raise InputFileError(path, f"tệp .docx bị hỏng ({type(e).__name__}) / corrupt .docx",
                             _CORRUPT_FIX) from e
    return Extracted(blocks=tuple(blocks), format="docx", pages=pages)


def _check_package(path: Path) -> int:
    """Cheap checks before any XML is parsed; returns the page count Word saved (0 if none)."""
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as e:
        raise InputFileError(path, f"không đọc được tệp / cannot read file ({e.strerror})",
                             "kiểm tra đường dẫn và quyền đọc / check the path and permissions") from e
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE file: encrypted .docx, or a Word 97 file named .docx
        if _ole_encrypted(path):
            raise InputFileError(path, *_ENCRYPTED)
        raise InputFileError(path, "tệp Word 97 (.doc) mang đuôi .docx / a Word 97 .doc file named .docx",
                             "đổi đuôi thành .doc rồi nạp lại / rename it to .doc and load it again")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            total = sum(i.file_size for i in infos)
            if len(infos) > 10000 or total > MAX_UNZIPPED or any(
                    i.file_size > 1 << 20 and i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos):
                raise InputFileError(path, f"tệp nén bất thường ({total / 1048576:.0f} MB khi giải nén) / "
                                     "zip bomb or abnormal archive", "kiểm tra nguồn của tệp; tệp Word thật "
                                     "không như vậy / check where it came from; real Word files are not like this")
            if "word/document.xml" not in {i.filename for i in infos}:
                raise InputFileError(path, "tệp nén không chứa word/document.xml / not a Word document "
                                     "(no word/document.xml)", _CORRUPT_FIX)
            app = next((z.read(i) for i in infos if i.filename == "docProps/app.xml" and i.file_size < 1 << 20),
                       b"")
    except _BROKEN_ZIP as e:
        raise InputFileError(path, "không phải tệp .docx hợp lệ (tệp nén hỏng) / not a valid .docx "
                             "(corrupt or truncated zip)", _CORRUPT_FIX) from e
    found = re.search(rb"<(?:\w+:)?Pages>(\d{1,6})<", app)
    return int(found.group(1)) if found else 0


def _ole_encrypted(path: Path) -> bool:
    """An OLE file holding an encrypted OOXML package, or a Word 97 file with fEncrypted set."""
    data = path.read_bytes()
    if "EncryptionInfo".encode("utf-16-le") in data:
        return True
    for at in range(512, len(data) - 12, 512):  # the Word 97 FIB starts a sector: wIdent 0xA5EC
        if data[at:at + 2] == b"\xec\xa5" and data[at + 3] == 0 and data[at + 2] in (0x65, 0x68, 0xC0, 0xC1):
            return bool(data[at + 11] & 0x01)  # flags at 0x0A, fEncrypted = bit 8
    return False


class _Reader(_ParagraphReader):
    """The body reader with tables: data tables become rows under their column names, layout
    tables (header, signature, boxes) are read column by column."""

    def table(self, tbl) -> list[Block]:
        rows, repeated = self._grid(tbl)
        if not rows:
            return []
        width = max(len(r) for r in rows)
        rows = [r + [None] * (width - len(r)) for r in rows]
        title: list[Block] = []
        while len(rows) > 2 and len({id(c) for c in rows[0]}) == 1 and rows[0][0] is not rows[1][0]:
            title += rows.pop(0)[0].blocks  # a title row across the whole table is not a column header
            repeated = max(repeated - 1, 0)
        if 0 < repeated < len(rows) or _is_data(rows):
            return title + self._data_rows(rows, width, repeated)
        # Layout: the whole left column top to bottom, then the next. A cell's column is the grid
        # column under its centre, so a cell spanning several narrow spacer columns lands right.
        widths = [int(g.get(W + "w") or 0) for g in tbl.iterfind(f"{W}tblGrid/{W}gridCol")]
        widths = widths if len(widths) >= width and all(widths[:width]) else [1] * width
        edges = [sum(widths[:i]) for i in range(width + 1)]
        cells = list({id(c): c for row in rows for c in row if c is not None}.values())
        cells.sort(key=lambda c: (bisect.bisect_right(edges, (edges[c.col] + edges[c.end]) / 2) - 1, c.row))
        return title + [b for c in cells for b in c.blocks]

    def _grid(self, tbl) -> tuple[list[list], int]:
        """Rows of cells over the grid columns (a merged cell is the same object in every slot it
        covers), and how many leading rows Word repeats as header rows."""
        rows: list[list] = []
        repeated = 0
        for tr in _children(tbl, W + "tr"):
            if tr.find(f"{W}trPr/{W}del") is not None:
                continue  # a deleted row (tracked change accepted)
            if repeated == len(rows) and _on(tr.find(f"{W}trPr/{W}tblHeader")):
                repeated += 1
            row: list = [None] * min(int(_val(tr.find(f"{W}trPr/{W}gridBefore")) or 0), 64)
            for tc in _children(tr, W + "tc"):
                span = max(1, min(int(_val(tc.find(f"{W}tcPr/{W}gridSpan")) or 1), 64))
                vmerge = tc.find(f"{W}tcPr/{W}vMerge")
                above = rows[-1][len(row)] if rows and len(rows[-1]) > len(row) else None
                if vmerge is not None and _val(vmerge) in (None, "continue") and above is not None:
                    self.container(tc, lines=True)  # continuation cells are empty; read for counters only
                    cell = above
                else:
                    cell = _Cell(self.container(tc, lines=True), len(rows), len(row), len(row) + span)
                row.extend([cell] * span)
            rows.append(row)
        return rows, repeated

    def _data_rows(self, rows: list[list], width: int, repeated: int) -> list[Block]:
        heads = max(1, repeated)
        while heads < len(rows) - 1 and _names(rows[heads], 200) and not (  # sub-header names may be long
                rows[heads][0] is not rows[heads - 1][0] and _ORDINAL.match(rows[heads][0].text)) and (
                len({id(c) for c in rows[heads - 1]}) < width  # a header spanning columns has sub-headers
                or any(a is b and a is not None for a, b in zip(rows[heads - 1], rows[heads]))):
            heads += 1
        labels = []
        for c in range(width):
            parts: list[str] = []
            for row in rows[:heads]:
                t = row[c].text if row[c] is not None else ""
                if t and t not in parts:
                    parts.append(t)
            labels.append(" - ".join(parts))
        self.tables += 1  # a provisional number; read() renumbers in reading order
        out: list[Block] = []
        n = 0
        for r, row in enumerate(rows[heads:], heads):
            texts = [c.text if c is not None else "" for c in row]
            filled = [t for t in texts if t]
            if not filled or all(_COLUMN_INDEX.match(t) for t in filled) and len(filled) > 1 and r == heads:
                continue  # empty row, or the "(1) (2) (3)" column-number row under the header
            if len({id(c) for c in row}) == 1 and row[0] is not rows[r - 1][0]:
                out.extend(row[0].blocks)  # one cell across the table: a group title, not a data row
                continue
            title = _group_title(row, width)
            if title:
                out.append(Block(title, "heading"))  # "I | CẢI CÁCH THỂ CHẾ" over the rows of its group
                continue
            n += 1
            out.append(Block(format_row(labels, texts), "row", table=self.tables, row=n))
        return out


class _Cell:
    """A table cell read once: its blocks, its text, and where it starts (row, grid columns)."""

    def __init__(self, blocks: list[Block], row: int, col: int, end: int):
        self.blocks, self.row, self.col, self.end = blocks, row, col, end
        self.text = " ".join(b.text for b in blocks)


def _group_title(row: list, width: int) -> str | None:
    """"I. CẢI CÁCH THỂ CHẾ": a row of a wide table whose ordinal cell is followed by one title, in
    a cell merged across the other columns or in upper case with the other cells empty."""
    if width < 3 or row[0] is None or not _ORDINAL.match(row[0].text) or row[1] is None or row[1] is row[0]:
        return None
    rest = {id(c): c for c in row[1:] if c is not None}
    texts = [c.text for c in rest.values() if c.text]
    merged = len(rest) == 1 and row[-1] is row[1]
    heading = len(texts) == 1 and row[1].text and row[1].text.upper() == row[1].text
    if not (merged or heading) or len(texts) != 1:
        return None
    return f"{row[0].text.rstrip('.)')}. {texts[0]}"


def _is_data(rows: list[list]) -> bool:
    """A data table has a header row of short column names over ≥3 columns (or an 'STT' column) and
    at least one row under it; header blocks, signature blocks and boxes do not."""
    if len(rows) < 2:
        return False
    columns = max(len({id(c) for c in row if c is not None}) for row in rows)
    if columns < 2 or not _names(rows[0]):
        return False
    first = fold(rows[0][0].text).lower().strip(" .") if rows[0][0] is not None else ""
    ordinals = sum(1 for row in rows[1:] if row[0] is not None and _ORDINAL.match(row[0].text))
    return columns >= 3 or first in _ORDINAL_HEAD or ordinals >= max(2, (len(rows) - 1) // 2)


def _names(row: list, limit: int = 80) -> bool:
    """Every cell holds a short column name (a few lines, no long sentence)."""
    cells = list({id(c): c for c in row if c is not None}.values())
    return bool(cells) and all(c.text and len(c.text) <= limit and len(c.blocks) <= 3 for c in cells)


def _children(el, tag: str):
    """Rows of a table or cells of a row, also when wrapped in content controls."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in (W + "sdt", W + "sdtContent", W + "customXml"):
            yield from _children(child, tag)


def read_doc(path: Path, timeout_s: float = 60) -> Extracted:
    """A Word 97 .doc: LibreOffice converts it to .docx (own profile dir, killed after timeout_s),
    then read_docx; without LibreOffice, antiword gives the text only."""
    path = Path(path)
    try:
        head = path.read_bytes()[:8]
    except OSError as e:
        raise InputFileError(path, f"không đọc được tệp / cannot read file ({e.strerror})",
                             "kiểm tra đường dẫn và quyền đọc / check the path and permissions") from e
    if head.startswith(b"PK"):  # a .docx named .doc
        found = read_docx(path)
        return Extracted(found.blocks, "doc", found.pages, notes=found.notes)
    if head.startswith(b"\xd0\xcf\x11\xe0") and _ole_encrypted(path):
        raise InputFileError(path, *_ENCRYPTED)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        with tempfile.TemporaryDirectory(prefix="rag-doc-") as tmp:
            source = Path(tmp) / "input.doc"  # a plain name: LibreOffice reads odd names as options
            shutil.copyfile(path, source)
            profile = (Path(tmp) / "profile").as_uri()  # own profile: parallel runs share no lock
            _run([soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                  "--convert-to", "docx", "--outdir", tmp, str(source)], path, timeout_s)
            converted = Path(tmp) / "input.docx"
            if not converted.is_file():
                raise InputFileError(path, "LibreOffice không chuyển được tệp .doc (hỏng hoặc có mật khẩu) / "
                                     "LibreOffice could not convert the .doc (corrupt or password-protected)",
                                     _DOC_FIX)
            found = read_docx(converted)
        return Extracted(found.blocks, "doc", found.pages, notes=found.notes + (
            "chuyển .doc sang .docx bằng LibreOffice / converted to .docx by LibreOffice",))
    if shutil.which("antiword"):
        out = _run(["antiword", "-m", "UTF-8.txt", "-w", "0", str(path)], path, timeout_s)
        return Extracted(_antiword_blocks(out), "doc", notes=(
            "đọc bằng antiword: chỉ có chữ, không có định dạng / read with antiword: text only, no formatting",))
    raise InputFileError(path, "chưa cài LibreOffice hay antiword để đọc tệp .doc / "
                         "neither LibreOffice nor antiword is installed to read .doc files",
                         "apt-get install libreoffice-writer-nogui (hoặc / or: apt-get install antiword)")


def _antiword_blocks(text: str) -> tuple[Block, ...]:
    """One block per line; antiword draws a table as '|left|right' lines: read it column by column."""
    lines: list[str] = []
    table: list[list[str]] = []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            table.append(line[1:].split("|"))
            continue
        lines.extend(row[c] for c in range(max(map(len, table), default=0)) for row in table if c < len(row))
        table = []
        lines.append(line)
    return tuple(Block(t) for t in map(_clean, lines) if _has_text(t))


def _run(cmd: list[str], path: Path, timeout_s: float) -> str:
    """Run a converter in its own process group, killed as a whole when it overruns."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise InputFileError(path, f"chuyển đổi .doc quá {timeout_s:g} giây / .doc conversion timed out",
                             _DOC_FIX) from None
    if proc.returncode != 0 and b"encrypt" in err.lower():
        raise InputFileError(path, *_ENCRYPTED)
    if proc.returncode != 0 and cmd[0] == "antiword":
        raise InputFileError(path, "antiword không đọc được tệp .doc / antiword could not read the .doc", _DOC_FIX)
    return out.decode("utf-8", "replace")
