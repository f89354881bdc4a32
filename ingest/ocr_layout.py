"""Layout of one OCR'd page: Tesseract's words (read by ingest/ocr.py) put back in reading order.

Word boxes become lines, split where a gap is too wide and cleared of stamp and seal noise; the
two-column header and the signature block come out left column first, then the right; body lines
are re-joined into paragraphs. Pure: no image, no tesseract process.
"""
from __future__ import annotations

import itertools
import re
from typing import NamedTuple

from core.text import nfc
from core.types import Block


class Word(NamedTuple):
    """One word of Tesseract's TSV output: its line ids, box in pixels, confidence and text."""
    block: int
    par: int
    line: int
    left: int
    top: int
    width: int
    height: int
    conf: float
    text: str


def _parse_tsv(tsv: str) -> list[Word]:
    """Word rows (level 5) of Tesseract's TSV output."""
    words = []
    for line in tsv.splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) == 12 and cols[0] == "5" and cols[11].strip():
            ids = [int(c) for c in (cols[2], cols[3], cols[4], *cols[6:10])]
            words.append(Word(*ids, round(float(cols[10]), 1), cols[11].strip()))
    return words


# -- layout: words -> blocks in reading order --------------------------------------------------
_MARKER = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ][)]|[IVXLC]+[.)]|[-–•+]|Điều\s+\d"
                     r"|Chương\s+(?:[IVXLC]+|\d+)\b|Mục\s+\d)",
                     re.IGNORECASE)
_LETTER = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ]")    # Latin letters and digits, not modifier marks like 'ˆ'
_BULLETS = ("-", "–", "+", "•")
_CIRCUMFLEX = dict(zip("éèẻẽẹÉÈẺẼẸ", "ếềểễệẾỀỂỄỆ"))
_IE = re.compile(r"(?<![gG])([iIyY])([éèẻẽẹÉÈẺẼẸ])(?=[cmnptuCMNPTU])")
_PAGE_NUMBER = re.compile(r"^[-–]?\s*\d{1,3}\s*[-–]?$")


class _Line:
    """Words of one visual line (or of one column of it), left to right."""

    def __init__(self, words: list[Word]):
        self.words = sorted(words, key=lambda w: w.left)
        self.left = min(w.left for w in words)
        self.right = max(w.left + w.width for w in words)
        self.top = min(w.top for w in words)
        self.bottom = max(w.top + w.height for w in words)
        self.text = " ".join(w.text for w in self.words)

    @property
    def mid(self) -> float:
        return (self.top + self.bottom) / 2


def page_blocks(words: list[Word], size: tuple[int, int], page: int) -> list[Block]:
    """Blocks of one page: header columns (left, then right), body paragraphs, signature columns."""
    width = size[0]
    lines = sorted(_segments(words), key=lambda ln: (ln.mid, ln.left))
    if lines and _PAGE_NUMBER.match(lines[0].text):
        lines = lines[1:]
    if lines and _PAGE_NUMBER.match(lines[-1].text):
        lines = lines[:-1]
    height = _median([w.height for ln in lines for w in ln.words]) or 1
    head, lines = _columns(lines, width, height)
    tail, lines = _columns(lines[::-1], width, height)
    lines.sort(key=lambda ln: (ln.mid, ln.left))
    blocks = [Block(t, page=page, ocr=True) for t in head]
    blocks += [Block(t, kind=k, page=page, ocr=True) for t, k in _paragraphs(_rows(lines), height)]
    blocks += [Block(t, page=page, ocr=True) for t in tail]
    return [b for b in blocks if b.text]


def _segments(words: list[Word]) -> list[_Line]:
    """Tesseract's lines, split where a gap is wider than 1.5 letter heights (a line can run
    across both header columns; justified body text has narrower gaps), without noise: stamp and
    seal fragments, rules, stray marks. A list dash Tesseract put on a line of its own goes back
    in front of the text just right of it."""
    by_line: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        text = w.text.replace("_", "").replace("|", "")
        if text and (_LETTER.search(text) or w.conf >= 60 or text in _BULLETS):
            by_line.setdefault((w.block, w.par, w.line), []).append(w._replace(text=text))
    out, dashes = [], []
    for ws in by_line.values():
        ws.sort(key=lambda w: w.left)
        height = _median([w.height for w in ws])
        start = 0
        for i in range(1, len(ws) + 1):
            if i == len(ws) or ws[i].left - (ws[i - 1].left + ws[i - 1].width) > 1.5 * height:
                seg, start = ws[start:i], i
                letters = sum(len(_LETTER.findall(w.text)) for w in seg)
                conf = sum(w.conf for w in seg) / len(seg)
                if len(seg) == 1 and seg[0].text in _BULLETS:
                    dashes.append(seg[0])
                # Tesseract's confidence is 0 on some well-read words: trust letters more than it.
                elif letters >= 2 and not (letters < 4 and conf < 50):
                    out.append(_Line(seg))
    for dash in dashes:
        for i, ln in enumerate(out):
            gap = ln.left - dash.left - dash.width
            if 0 <= gap < 3 * (ln.bottom - ln.top) and ln.top <= dash.top + dash.height / 2 <= ln.bottom:
                out[i] = _Line([dash, *ln.words])
                break
    return out


def _columns(lines: list[_Line], width: int, height: float) -> tuple[list[str], list[_Line]]:
    """The two-column zone that `lines` (top down or bottom up) start with, if any: its left
    column's lines then its right column's, top down; and the lines after it. The gutter is the
    x that the most leading lines stay clear of by half a letter height, with lines on both sides.
    A column ends at a row out of line with it (a centred title under the header, a blot); the two
    columns must sit side by side."""
    margin = 0.5 * height
    best, best_x = 0, 0
    for x in range(width * 25 // 100, width * 70 // 100, max(1, width // 200)):
        n = 0
        while n < len(lines) and not lines[n].left - margin <= x <= lines[n].right + margin:
            n += 1
        if n > best and len({lines[k].right < x for k in range(n)}) == 2:
            best, best_x = n, x
    upward = len(lines) > 1 and lines[0].mid > lines[-1].mid
    rows = [(side, r) for side in (True, False)    # pieces of one row and side (split by a blot) joined
            for r in _rows(sorted((ln for ln in lines[:best] if (ln.right < best_x) == side), key=lambda ln: ln.mid))]
    rows.sort(key=lambda sr: -sr[1].mid if upward else sr[1].mid)
    first: dict[bool, _Line] = {}
    closed, left, right, rest = set(), [], [], []
    for on_left, row in rows:
        ref = first.setdefault(on_left, row)
        aligned = (abs(row.left + row.right - ref.left - ref.right) / 2 < 0.12 * width
                   or (on_left and abs(row.left - ref.left) < 0.12 * width))     # Nơi nhận: left-aligned
        if not aligned:
            closed.add(on_left)
        (rest if on_left in closed else left if on_left else right).append(row)
    left.sort(key=lambda r: r.mid)
    right.sort(key=lambda r: r.mid)
    if not left or not right or max(left[0].top, right[0].top) > min(left[-1].bottom, right[-1].bottom):
        return [], lines
    return [_clean(r.text) for r in left + right], rest + lines[best:]


def _rows(lines: list[_Line]) -> list[_Line]:
    """Merge pieces that sit on the same visual row (ordered top down); pieces that overlap in x
    are different rows however close (tight footnote lines)."""
    rows: list[list[_Line]] = []
    for ln in lines:
        last = rows[-1][-1] if rows else None
        if last and (last.top <= ln.mid <= last.bottom or ln.top <= last.mid <= ln.bottom) and not any(
                p.left < ln.right and ln.left < p.right for p in rows[-1]):
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return [_Line([w for piece in row for w in piece.words]) for row in rows]


def _paragraphs(rows: list[_Line], height: float) -> list[tuple[str, str]]:
    """Re-join wrapped lines: a paragraph starts at a list marker or 'Điều', at an indented line,
    after a short line ending in '.', ':' or ';'. A centred line (title) stands alone, or joins
    the centred lines right above it of the same case."""
    if not rows:
        return []
    full = [r for r in rows if r.right - r.left > 0.6 * (max(r.right for r in rows) - min(r.left for r in rows))]
    left_margin = _median([r.left for r in full or rows], 0.2)       # first-line indents are above it
    right_margin = _median([r.right for r in full or rows], 0.8)     # ragged or short lines are below
    spacing = _median([b.top - a.bottom for a, b in itertools.pairwise(rows)])   # the usual gap between lines
    out: list[list] = []                            # [text, kind, centred, upper]
    prev = None
    for r in rows:
        text = _clean(r.text)
        marker = bool(_MARKER.match(text))
        centred = (not marker and r.left > left_margin + 2 * height and r.right < right_margin - 2 * height
                   and abs((r.left - left_margin) - (right_margin - r.right)) < 2.5 * height)
        upper = text.upper() == text and sum(ch.isalpha() for ch in text) >= 4
        if prev is None or r.top - prev.bottom > spacing + 0.6 * height:    # extra space above
            new = True
        elif centred or out[-1][2]:
            new = not (centred and out[-1][2] and upper == out[-1][3])
        else:
            short = prev.right < right_margin - 2 * height
            ended = out[-1][0].rstrip("”\")").endswith((".", ":", ";", "!", "?"))
            # a full line that stops mid-sentence wraps on, however the next one is indented (a skewed scan)
            wraps = not short and not ended and not upper and not out[-1][3]  # not after an upper-case title
            new = (marker or (r.left > left_margin + 1.2 * height and not wraps) or (short and ended))
        if new:
            out.append([text, "heading" if centred and upper else "para", centred, upper])
        else:
            out[-1][0] += " " + text
        prev = r
    return [(text, kind) for text, kind, _, _ in out]


def _clean(text: str) -> str:
    text = nfc(text).replace("\u2044", "/")                      # Tesseract reads some '/' as '⁄'
    # Vietnamese spelling: a toned e after i/y (not the gi- onset) and before a final consonant
    # is always ê ('QUYÉT' is 'QUYẾT'); the model often drops that circumflex on capitals.
    text = _IE.sub(lambda m: m[1] + _CIRCUMFLEX[m[2]], text)
    return " ".join(text.split())


def _median(values: list[float], rank: float = 0.5) -> float:
    values = sorted(values)
    return values[int(len(values) * rank)] if values else 0.0
