"""Duties from a task-table row (pure).

A loader writes each data row of a table as "Header: value; Header: value; …" (ingest/word.py,
ingest/pdf.py). Kế hoạch and thông báo kết luận put their assignments in such tables: a column
of tasks, one of lead agencies, one of partners, one of deadlines, sometimes one of who monitors.
The columns are recognised by what their header says, so any table that names them works.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.text import fold

# "Cơ quan chủ trì: Sở Nội vụ; Thời gian hoàn thành: Quý II/2026": a header is a short phrase
# that starts a segment and ends in ": ".
_CELL = re.compile(r"(?:^|;\s+)(?P<head>[^:;]{1,60}?):\s+")

# Column kinds by accent-folded header words, most specific first.
_KINDS = (
    ("monitor", re.compile(r"\b(?:theo doi|don doc|giam sat)\b")),
    ("partner", re.compile(r"\bphoi hop\b")),
    ("deadline", re.compile(r"\b(?:thoi gian|thoi han|tien do|han hoan thanh|han)\b")),
    ("lead", re.compile(r"\b(?:chu tri|(?:don vi|co quan) (?:thuc hien|chiu trach nhiem)|trach nhiem|phan cong)\b")),
    ("task", re.compile(r"\b(?:nhiem vu|noi dung|cong viec|giai phap|hoat dong|ten de an|de an)\b")),
    ("product", re.compile(r"\b(?:san pham|ket qua)\b")),
)
ROLE_OF = {"lead": "chủ trì", "partner": "phối hợp", "monitor": "theo dõi, đôn đốc"}
LEAD_FIRST = "chủ trì, phối hợp"   # a cell of one "Chủ trì, phối hợp" column: the first body named leads
ROLE_MARK = re.compile(r"\s*\((chủ trì|phối hợp)\)", re.IGNORECASE)
_PARTNERS = re.compile(r"(?:,\s*|\b)phối hợp(?:\s+với)?\b", re.IGNORECASE)
_LEAD_WORD = re.compile(r"^chủ trì\s*[:,]?\s*|\s*\bchủ trì\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class TaskRow:
    task: str = ""
    product: str = ""
    deadline: str = ""
    actors: tuple[tuple[str, str], ...] = ()   # (role, agencies as written in the cell)

    @property
    def is_assignment(self) -> bool:
        return bool(self.actors) and bool(self.task or self.product)


def format_row(labels: list[str], texts: list[str]) -> str:
    """A data row as the loaders write it: 'Header: value; …' (empty cells left out, a value that
    only repeats its header, or a cell merged across columns, written once)."""
    items: list[str] = []
    for label, text in zip(labels, texts):
        item = f"{label}: {text}" if label and label != text else text
        if text and item not in items:
            items.append(item)
    return "; ".join(items)


def cells(row_text: str) -> list[tuple[str, str]]:
    """'A: x; B: y' -> [('A', 'x'), ('B', 'y')]."""
    marks = list(_CELL.finditer(row_text))
    out = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(row_text)
        value = row_text[m.end():end].strip(" ;")
        if value:
            out.append((m.group("head").strip(), value))
    return out


def column_kind(header: str) -> str | None:
    folded = fold(header).lower()
    if "phoi hop" in folded and "chu tri" in folded:
        return "lead+partner"  # "Cơ quan chủ trì, phối hợp" in one column: its cells say who is which
    for kind, pattern in _KINDS:
        if pattern.search(folded):
            return kind
    return None


def parse_row(row_text: str) -> TaskRow:
    task = product = deadline = ""
    actors: list[tuple[str, str]] = []
    for header, value in cells(row_text):
        kind = column_kind(header)
        if kind in ROLE_OF:
            actors.append((ROLE_OF[kind], value))
        elif kind == "lead+partner":
            actors.extend(combined_cell(value))
        elif kind == "deadline" and not deadline:
            deadline = value
        elif kind == "task" and not task:
            task = value
        elif kind == "product" and not product:
            product = value
    return TaskRow(task=task, product=product, deadline=deadline, actors=tuple(actors))


def combined_cell(value: str) -> list[tuple[str, str]]:
    """(role, bodies) of a cell of a "Chủ trì, phối hợp" column, by its own words: "Sở Nội vụ chủ trì,
    phối hợp với các sở, ngành", "Chủ trì: Sở Nội vụ; Phối hợp: các sở", "Sở Nội vụ (chủ trì); Sở
    Tài chính (phối hợp)". A cell without them ("Sở Nội vụ; các sở, ngành") names the lead first."""
    if ROLE_MARK.search(value):
        out = []
        for piece in re.split(r"\s*;\s*|\n", value):
            mark = ROLE_MARK.search(piece)
            role = "chủ trì" if mark and mark.group(1).lower() == "chủ trì" else "phối hợp"
            out.append((role, ROLE_MARK.sub("", piece).strip(" ,;:-")))
        return [(role, bodies) for role, bodies in out if bodies]
    partners = _PARTNERS.search(value)
    if partners:
        lead = _LEAD_WORD.sub("", value[:partners.start()].strip(" ,;:-")).strip(" ,;:-")
        rest = value[partners.end():].strip(" ,;:-")
        return [(role, bodies) for role, bodies in (("chủ trì", lead), ("phối hợp", rest)) if bodies]
    return [(LEAD_FIRST, _LEAD_WORD.sub("", value).strip(" ,;:-"))]


# "- Đơn vị chủ trì: Sở Nội vụ.": a line under a task that says who leads, helps, or by when
_ATTRIBUTE = re.compile(r"^[-•+–*]?\s*(?P<head>[^:;\n]{2,40}?)\s*:\s+(?P<value>\S.*)$")
ATTRIBUTE_KINDS = {"lead", "partner", "monitor", "lead+partner", "deadline", "product"}


def attribute_line(line: str) -> tuple[str, str] | None:
    """('Đơn vị chủ trì', 'Sở Nội vụ') of a line "- Đơn vị chủ trì: Sở Nội vụ." whose label names a
    task table's column other than the task; None otherwise ("- Địa điểm: …", a sentence)."""
    m = _ATTRIBUTE.match(line.strip())
    if not m or column_kind(m.group("head")) not in ATTRIBUTE_KINDS:
        return None
    return m.group("head").strip(), m.group("value").strip().rstrip(".;")


def labelled_task(text: str) -> TaskRow | None:
    """A task written as a list item with its columns as labelled lines under it (Kế hoạch of many
    provinces do so instead of a table): "Xây dựng cơ sở dữ liệu …" / "- Đơn vị chủ trì: Sở Nội vụ." /
    "- Đơn vị phối hợp: …" / "- Thời gian hoàn thành: Quý III/2026." read as the row "Nhiệm vụ: …;
    Đơn vị chủ trì: …; …". None unless a line names who leads."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) < 2 or attribute_line(lines[0]):
        return None
    labelled = [attribute_line(line) for line in lines[1:]]
    if not all(labelled):
        return None
    row = parse_row("; ".join([f"Nhiệm vụ: {lines[0].rstrip(':.;')}", *(f"{h}: {v}" for h, v in labelled)]))
    return row if row.is_assignment and any(role == "chủ trì" or role == LEAD_FIRST for role, _ in row.actors) \
        else None
