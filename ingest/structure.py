"""Clause tree of a directive body: Phần (I., II.), Điều, Mục (1., 2.), điểm (a) … đ)), gạch đầu
dòng (-, •, +), plain paragraphs (đoạn) and headings written in bold or with '##'."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.types import Layout
from ingest.layout import layout

_ROMAN = re.compile(r"^(X{0,3}(?:IX|IV|V?I{0,3}))[.)]\s+(?=\S)")
_CHUONG = re.compile(r"^(Chương|Phần)\s+([IVXLC\d]+)\b[.:]?\s*", re.IGNORECASE)
_DIEU = re.compile(r"^Điều\s+(\d+[a-z]?)\s*[.:]?\s*")
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)[.)]\s+(?=\S)")
_LETTER = re.compile(r"^([a-zđ])\)\s*(?=\S)")
_BULLET = re.compile(r"^([-•+–*])\s*(?=\S)")
CLOSING_MARK = re.compile(r"\s*\.?\s*/\s*\.?\s*$")  # "./.", "/.", ". /" end the body of a document

RANK = {"appendix": -1, "heading": 0, "chuong": 1, "roman": 2, "dieu": 3, "numbered": 4, "sub": 5, "letter": 6,
        "bullet": 7}
APPENDIX_LABELS = ("Phụ lục", "Chú thích")   # how the clause path of anything after the signature begins
# "PHỤ LỤC II", "Phụ lục 01", "PHỤ LỤC": the appendix's own number, if it has one.
_APPENDIX_NUMBER = re.compile(r"^(?:PHỤ LỤC|Phụ lục)(?:\s+(?:số\s+)?([IVXLC]+|\d{1,2}))?\b")


@dataclass
class Node:
    kind: str                 # heading | chuong | roman | dieu | numbered | sub | letter | bullet | para | root
    marker: str               # "3", "b", "-", "II", ""
    start: int                # offset of the node's own text (after its marker)
    end: int
    line_start: int           # offset of the line, marker included
    children: list["Node"] = field(default_factory=list)
    label: str = ""

    @property
    def rank(self) -> float:
        return RANK.get(self.kind, 8)


@dataclass
class Outline:
    """The document split into its parts; each part is a root whose children form a tree."""
    header: tuple[int, int] | None
    preamble: Node
    body: Node
    closing: Node
    recipients: tuple[int, int] | None
    signature: tuple[int, int] | None


def _classify(line: str, is_heading: bool) -> tuple[str, str, int]:
    """(kind, marker, length of the marker prefix) of one line."""
    for kind, pattern in (("chuong", _CHUONG), ("dieu", _DIEU)):
        m = pattern.match(line)
        if m:
            return kind, (m.group(2) if kind == "chuong" else m.group(1)), m.end()
    m = _ROMAN.match(line)
    if m and m.group(1):
        return "roman", m.group(1), m.end()
    m = _NUMBERED.match(line)
    if m:
        return ("sub" if "." in m.group(1) else "numbered"), m.group(1), m.end()
    m = _LETTER.match(line)
    if m:
        return "letter", m.group(1), m.end()
    m = _BULLET.match(line)
    if m:
        return "bullet", m.group(1), m.end()
    if is_heading and len(line) < 200 and not line.endswith((".", ";")):
        return "heading", "", 0
    return "para", "", 0


def parse_outline(text: str, heading_lines: tuple[int, ...] = (), lay: Layout | None = None,
                  rows: tuple[tuple[int, int, int], ...] = ()) -> Outline:
    lay = lay or layout(text, rows)
    headings = set(heading_lines)
    row_at = {offset: (table, row) for offset, table, row in rows}
    preamble = Node("root", "", 0, 0, 0, label="Phần mở đầu")
    body = Node("root", "", 0, 0, 0)
    closing = Node("root", "", 0, 0, 0, label="Phần kết thúc")
    stack: list[Node] = []
    part = preamble
    offset = 0
    for line in text.split("\n"):
        line_start, offset = offset, offset + len(line) + 1
        in_appendix = lay.appendix_start is not None and line_start >= lay.appendix_start
        if not line.strip() or line_start < lay.header_end or (line_start >= lay.body_end and not in_appendix):
            continue
        titled = _APPENDIX_NUMBER.match(line.strip()) if in_appendix else None
        if line_start == lay.appendix_start or (titled and line_start not in row_at):
            # after the signature: an appendix, cited as such ("Phụ lục II, bảng 1, dòng 3"), not as the body
            marker = (titled.group(1) or "") if titled else ("notes" if line.lstrip().startswith("Chú thích") else "")
            appendix = Node("appendix", marker, line_start,
                            line_start + len(line.rstrip()) if titled else line_start, line_start)
            body.children.append(appendix)
            part, stack = body, [appendix]
            if titled:
                continue
        if line_start in row_at:  # a table row is a clause of its own, under the enclosing heading
            table, row = row_at[line_start]
            node = Node("row", f"{table}.{row}", line_start, line_start + len(line.rstrip()), line_start)
            while stack and stack[-1].kind in ("letter", "bullet", "para", "row"):
                stack.pop()
            (stack[-1] if stack else (body if part is preamble else part)).children.append(node)
            continue
        kind, marker, skip = _classify(line, line_start in headings)
        node = Node(kind, marker, line_start + skip, line_start + len(line.rstrip()), line_start)
        if part is closing:
            closing.children.append(node if kind == "para" else Node("para", "", line_start, node.end, line_start))
            continue
        if kind == "para":
            if part is body and CLOSING_MARK.search(line):
                part = closing
                closing.children.append(node)
                continue
            # Plain paragraphs belong to the enclosing item, not to a point or bullet before them,
            # unless that point introduces them ("đ) Đối với việc …:").
            while stack and stack[-1].kind in ("letter", "bullet", "para") \
                    and not (stack[-1].kind != "para" and _is_lead_in(text, stack[-1])):
                stack.pop()
            parent = stack[-1] if stack else part
            parent.children.append(node)
            if _is_lead_in(text, node):
                stack.append(node)  # bullets after "… như sau:" hang under it
            continue
        if part is preamble and kind in ("heading", "chuong", "roman", "dieu", "numbered"):
            part, stack = body, []
        while stack and (stack[-1].kind == "para" and kind not in ("letter", "bullet") or
                         stack[-1].kind != "para" and stack[-1].rank >= node.rank
                         and not _nests_under(stack, node)):
            stack.pop()
        (stack[-1] if stack else part).children.append(node)
        stack.append(node)
    _label(preamble, body, closing)
    return Outline(header=(0, lay.header_end) if lay.header_end else None, preamble=preamble, body=body,
                   closing=closing, recipients=lay.recipients_span, signature=lay.signature_span)


def _bullet_family(marker: str) -> str:
    return "-" if marker in "-–" else marker


def _nests_under(stack: list[Node], node: Node) -> bool:
    """A bullet with a new marker ('+' after '-') is a sub-bullet of the one above it; a marker
    already open higher up ('-' after '+') closes the sub-list instead."""
    if node.kind != "bullet" or stack[-1].kind != "bullet":
        return False
    family = _bullet_family(node.marker)
    return all(_bullet_family(n.marker) != family for n in stack if n.kind == "bullet")


def _is_lead_in(text: str, node: Node) -> bool:
    return text[node.start:node.end].rstrip().endswith(":")


def _label(*roots: Node) -> None:
    for root in roots:
        _label_children(root, in_dieu=False)


def _label_children(parent: Node, in_dieu: bool) -> None:
    counters: dict[str, int] = {}
    for child in parent.children:
        counters[child.kind] = counters.get(child.kind, 0) + 1
        n = counters[child.kind]
        child.label = {
            "chuong": f"Chương {child.marker}",
            "roman": f"Phần {child.marker}",
            "dieu": f"Điều {child.marker}",
            "numbered": f"{'khoản' if in_dieu else 'Mục'} {child.marker}",
            "sub": f"Mục {child.marker}",
            "letter": f"điểm {child.marker}",
            "bullet": f"gạch đầu dòng {n}",
            "para": f"đoạn {n}",
            "heading": f"tiêu đề {n}",
            "row": "bảng {}, dòng {}".format(*child.marker.split(".")) if child.kind == "row" else "",
            "appendix": APPENDIX_LABELS[1] if child.marker == "notes"
            else f"{APPENDIX_LABELS[0]} {child.marker}".strip(),
        }[child.kind]
        _label_children(child, in_dieu or child.kind == "dieu")
