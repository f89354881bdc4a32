"""PDF page layout: words -> lines -> paragraphs, the header and signature columns, running
headers, footers and page numbers, and the numbers stamped by signature fields; used by
ingest/pdf.py."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from core.text import nfc

_ITEM = re.compile(r"^[“\"'(]?(?:[-–—•+*]\s|\d{1,2}(?:\.\d{1,2})*[.)]\s|[a-zđ]\)\s|[IVXLC]{1,6}[.)]\s"
                   r"|(?:Điều|Mục)\s+\d+[.:]|(?:Chương|Phần)\s+[\dIVXLC]+\b)")
_ENDS = re.compile(r"[.;:!?…][\"'”’)]*$")
_PAGE_NO = re.compile(r"^[-–—\s]*(?:Trang\s*)?\d{1,4}(?:\s*/\s*\d{1,4})?[-–—\s]*$", re.IGNORECASE)
_RULE = re.compile(r"_{3,}|[-–—]{4,}|={4,}|\.{8,}")
_STAMPED_SO = re.compile(r"^(Số\s*:?\s*\d+)\s+/")
_TYPE_TITLE = re.compile(r"^(?:QUYẾT ĐỊNH|THÔNG BÁO|CÔNG ĐIỆN|KẾ HOẠCH|BÁO CÁO|CHỈ THỊ|TỜ TRÌNH|HƯỚNG DẪN|KẾT LUẬN|"
                         r"NGHỊ QUYẾT|QUY CHẾ|QUY ĐỊNH|CHƯƠNG TRÌNH|GIẤY MỜI|ĐỀ ÁN|PHỤ LỤC)\b.{0,12}$")
_LAYOUT_MARK = re.compile(r"CỘNG H[OÒ][AÀ] XÃ|Độc lập|Nơi nhận|^Số\s*:|^(?:KT|TM|TL)\.", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


# ---- lines and stamped numbers -----------------------------------------------------------------
@dataclass
class _Line:
    words: list
    text: str = ""
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 12.0
    bold: float = 0.0              # share of its characters in a bold font

    def __post_init__(self):
        read = [w for w in self.words if w.get("chars")]
        if read:
            self.size = sorted(w["size"] for w in read)[len(read) // 2]
            self.bold = sum(w["bold"] for w in read) / sum(w["chars"] for w in read)
        self.refresh()

    def refresh(self) -> None:
        self.words.sort(key=lambda w: w["x0"])
        self.x0, self.x1 = min(w["x0"] for w in self.words), max(w["x1"] for w in self.words)
        self.top, self.bottom = min(w["top"] for w in self.words), max(w["bottom"] for w in self.words)
        text = _SPACE.sub(" ", _RULE.sub(" ", nfc(" ".join(w["text"] for w in self.words)))).strip()
        self.text = _STAMPED_SO.sub(r"\1/", text)    # "Số: 2926 /SNV" -> "Số: 2926/SNV"


def _lines(words: list) -> list[_Line]:
    """A word joins the line when it overlaps the line's first word vertically by half its height;
    the header's two columns, 1-2 pt apart, share lines until the columns are split."""
    out: list[list] = []
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        ref = out[-1][0] if out else None
        if ref and min(w["bottom"], ref["bottom"]) - max(w["top"], ref["top"]) >= \
                0.5 * min(w["bottom"] - w["top"], ref["bottom"] - ref["top"]):
            out[-1].append(w)
        else:
            out.append([w])
    return [_Line(group) for group in out]


def _stamped_numbers(path: Path, n_pages: int) -> dict[int, list]:
    """Digits drawn by signature fields (the stamped số and day of a signed PDF), which pdfminer
    does not read: pdfium flattens the page, and the digit runs it adds are kept as words."""
    import pypdfium2 as pdfium
    from pypdfium2 import raw

    found: dict[int, list] = {}
    try:
        doc = pdfium.PdfDocument(str(path))
        doc.init_forms()
        for i in range(min(len(doc), n_pages)):
            page = doc[i]
            if not raw.FPDFPage_GetAnnotCount(page) or page.get_rotation():
                continue
            textpage = page.get_textpage()
            before = textpage.count_chars()
            textpage.close()
            page.flatten()
            page.close()
            page = doc[i]
            height, bottom = page.get_height(), page.get_mediabox()[1]
            textpage, run = page.get_textpage(), []
            for k in range(before, textpage.count_chars() + 1):
                ch = textpage.get_text_range(k, 1) if k < textpage.count_chars() else ""
                if ch.isdigit():
                    left, low, right, high = textpage.get_charbox(k)
                    run.append((ch, left, height - high + bottom, right, height - low + bottom))
                elif run:
                    found.setdefault(i + 1, []).append({"text": "".join(r[0] for r in run), "x0": run[0][1],
                                                        "x1": run[-1][3], "top": min(r[2] for r in run),
                                                        "bottom": max(r[4] for r in run)})
                    run = []
        doc.close()
    except Exception:  # noqa: BLE001 - the stamps are a bonus; the text layer stands without them
        return found
    return found


def _insert_stamps(lines: list[_Line], stamps: list) -> list:
    """A stamped number joins the line it clearly belongs to: the gap it fills in a "Số:" or
    "ngày … tháng … năm" line, or the blank of a "Số: /BNV-CCHC" line it floats just above or
    below. Elsewhere it belongs to a seal or signature. Returns the stamps placed."""
    placed = []
    for s in stamps:
        height, mid = s["bottom"] - s["top"], (s["x0"] + s["x1"]) / 2
        for line in lines:
            overlap = min(s["bottom"], line.bottom) - max(s["top"], line.top)
            clear = not any(w["x0"] < s["x1"] - 1 and s["x0"] + 1 < w["x1"] for w in line.words)
            if overlap >= 0.5 * height and clear and line.x0 - 5 <= s["x0"] <= line.x1 + 5 \
                    and re.search(r"^Số\b|ngày|tháng|năm", line.text):
                line.words.append({**s, "top": line.top, "bottom": line.bottom})
            elif overlap > -0.8 * height and re.match(r"Số\s*:?\s*/", line.text) and len(line.words) > 1 \
                    and line.words[0]["x1"] - 5 <= mid <= line.words[1]["x0"] + 5:
                after = line.words[0]["x1"]
                line.words.append({**s, "x0": after + 0.1, "x1": after + 0.2, "top": line.top, "bottom": line.bottom})
            else:
                continue
            line.refresh()
            placed.append(s)
            break
    return placed


# ---- layout: page furniture, header and signature columns, paragraphs ---------------------------
@dataclass
class _Para:
    text: str
    kind: str = "para"
    top: float = 0.0
    page: int = 0
    table: int = 0
    row: int = 0
    free: bool = False             # body text: may go on across a page break
    first_at_margin: bool = False
    last_full: bool = False


def _drop_running(entries: list) -> None:
    """Page numbers, and lines repeated in the top or bottom margin of most pages, go."""
    def margin(x: _Line, height: float) -> bool:
        return x.top < 0.1 * height or x.bottom > 0.92 * height

    def key(x: _Line) -> str:
        return re.sub(r"\d+", "#", x.text.lower())
    seen = Counter(k for lines, _w, h in entries for k in
                   {key(x) for x in lines[:2] + lines[-2:] if margin(x, h) and not _LAYOUT_MARK.search(x.text)})
    running = {k for k, n in seen.items() if len(entries) >= 2 and n >= max(2, 0.6 * len(entries))}
    for lines, _w, height in entries:
        edge = lines[:2] + lines[-2:]
        lines[:] = [x for x in lines if not (x in edge and (margin(x, height) or x is lines[0] and x.top < 0.15 * height)
                                             and (_PAGE_NO.match(x.text) or key(x) in running))]


def _gutter(lines: list[_Line], width: float, lo: float = 0.3, hi: float = 0.72) -> float | None:
    """The middle of the widest x-range (≥ 6 pt) between lo and hi of the page width that no
    word of these lines covers: the gap between two columns."""
    cur, end, best = lo * width, hi * width, (0.0, None)
    for x0, x1 in sorted((w["x0"], w["x1"]) for line in lines for w in line.words):
        if x0 > cur and min(x0, end) - cur > best[0]:
            best = (min(x0, end) - cur, (cur + min(x0, end)) / 2)
        cur = max(cur, x1)
        if cur >= end:
            break
    if end - cur > best[0]:
        best = (end - cur, (cur + end) / 2)
    return best[1] if best[0] >= 6 else None


def _split(lines: list[_Line], at: float) -> tuple[list[_Line], list[_Line]]:
    words = [w for line in lines for w in line.words]
    return (_lines([w for w in words if (w["x0"] + w["x1"]) / 2 < at]),
            _lines([w for w in words if (w["x0"] + w["x1"]) / 2 >= at]))


def _columns_at_top(lines: list[_Line], width: float, height: float) -> tuple[list[_Para], list[_Line]]:
    """A document's header (page 1, or a page opening with the Quốc hiệu): the top lines whose words keep clear of one gutter near the centre, up to
    "Kính gửi". Issuer, Số and V/v lines (left), then Quốc hiệu, motto, place and date (right)."""
    k = 0
    while k < len(lines) and lines[k].top < 0.45 * height and not re.match(r"Kính\s*gửi", lines[k].text) \
            and _gutter(lines[:k + 1], width) is not None:
        k += 1
    at = _gutter(lines[:k], width) if k >= 2 else None
    if at is None or not any(x.x0 < at < x.x1 for x in lines[:k]):   # a line with words on both sides
        return [], lines
    left, right = _split(lines[:k], at)
    return [_Para(x.text, top=x.top) for x in left + right if x.text], lines[k:]


def _signatures(lines: list[_Line], width: float) -> tuple[list[_Line], list]:
    """Each Nơi nhận block and the signer beside it: the Nơi nhận list (wrapped items re-joined),
    then the signer's lines, one block each."""
    rest, groups, k = [], [], 0
    while k < len(lines):
        line = lines[k]
        k += 1
        if not (re.match(r"Nơi\s*nhận", line.text) and line.x0 < 0.45 * width):
            rest.append(line)
            continue
        start = len(rest)   # the signer's title may sit a line above "Nơi nhận"
        while start and rest[start - 1].x0 > 0.45 * width and line.top - rest[start - 1].bottom < 2.5 * line.size:
            start -= 1
        region, rest = rest[start:] + [line], rest[:start]
        while k < len(lines) and _gutter(region + [lines[k]], width, 0.3, 0.75) is not None:
            region.append(lines[k])
            k += 1
        at = _gutter(region, width, 0.3, 0.75)
        if at is None:
            rest.extend(region)
            continue
        left, right = _split(region, at)
        items: list[str] = []
        for x in left:
            if items and not _ITEM.match(x.text) and not re.search(r"[;.:]$", items[-1]):
                items[-1] += " " + x.text
            else:
                items.append(x.text)
        groups.append((region[0].top, [_Para(t, top=region[0].top) for t in items] +
                       [_Para(x.text, top=x.top) for x in right]))
    return rest, groups


def _paragraphs(lines: list[_Line]) -> list[_Para]:
    """A wrapped line re-joins the one above unless it starts an item, a heading or a new
    (indented) paragraph, or the one above ends a sentence short of the right margin."""
    if not lines:
        return []
    span = max(x.x1 for x in lines) - min(x.x0 for x in lines)
    long = [x for x in lines if x.x1 - x.x0 > 0.6 * span] or lines
    starts = Counter(round(x.x0) for x in long)
    left = min((x for x, n in starts.items() if n >= 2), default=starts.most_common(1)[0][0])  # not a hanging indent
    right = sorted(x.x1 for x in long)[int(0.8 * (len(long) - 1))]
    centre, text_width = (left + right) / 2, max(right - left, 1.0)

    def full(x): return right - x.x1 <= max(0.06 * text_width, 8)
    def at_margin(x): return abs(x.x0 - left) <= 3
    def centred(x): return abs((x.x0 + x.x1) / 2 - centre) <= 10 and x.x0 - left > 12 and right - x.x1 > 4
    def bold(x): return x.bold >= 0.9

    def joins(a: _Line, b: _Line) -> bool:
        ends, lower = bool(_ENDS.search(a.text)), b.text[:1].islower()
        if _ITEM.match(b.text) or b.top - a.bottom > 1.2 * a.size and (ends or not lower):
            return False
        hang = a.words[1]["x0"] if _ITEM.match(a.text) and len(a.words) > 1 else None
        if not ends and full(a) and (abs(b.x0 - a.x0) <= 3 or hang is not None and abs(b.x0 - hang) <= 4):
            return True             # wrapped under its own first line, or under the text of its item
        if centred(a) or centred(b):  # a title wrapped over centred lines
            return centred(a) and centred(b) and not ends and _is_upper(a.text) == _is_upper(b.text) \
                and bold(a) == bold(b) and not _TYPE_TITLE.match(a.text)
        if bold(a) != bold(b) and not lower:
            return False
        if ends:
            return full(a) and at_margin(b)
        return at_margin(b) or lower or hang is not None and abs(b.x0 - hang) <= 4

    groups: list[list[_Line]] = []
    for line in lines:
        if groups and joins(groups[-1][-1], line):
            groups[-1].append(line)
        else:
            groups.append([line])
    out = []
    for group in groups:
        text = " ".join(x.text for x in group)
        heading = all(bold(x) for x in group) and len(text) <= 300 or \
            all(centred(x) and _is_upper(x.text) for x in group) and len(text) <= 200
        out.append(_Para(text, "heading" if heading else "para", group[0].top, free=True,
                         first_at_margin=at_margin(group[0]), last_full=full(group[-1])))
    return out


def sentence_goes_on(before: str, after: str) -> bool:
    """The text after a page break goes on with the sentence before it: that one did not end, and
    this one starts in lower case (Vietnamese never opens a paragraph in lower case but for
    markers). All that a scan's OCR text tells; a text layer also has the lines' geometry."""
    return not _ENDS.search(before) and after[:1].isalpha() and after[:1].islower() and not _ITEM.match(after)


def _continues(prev: _Para, p: _Para) -> bool:
    """A paragraph cut by a page break goes on in the next page's first paragraph: its sentence
    goes on, or its last line runs to the right margin (or it did not end) and the next page's
    first line starts at the left one, not indented as a new paragraph."""
    if not (prev.free and p.free and prev.kind == p.kind == "para" and prev.page != p.page) or _ITEM.match(p.text):
        return False
    return sentence_goes_on(prev.text, p.text) or (p.first_at_margin
                                                   and (prev.last_full or not _ENDS.search(prev.text)))


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)
