"""What a directive says about other directives: which it replaces ("thay thế"), repeals ("bãi bỏ",
"… hết hiệu lực") or amends ("sửa đổi, bổ sung"), with the number and date it names.

Only the directive's own provisions count: legal bases ("Căn cứ …") cite amending laws of others,
and proposals ("đề xuất bãi bỏ …", "kiến nghị sửa đổi …") change nothing yet.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

RELATIONS_VERSION = "relations-v1"  # bumped when what is found changes: stored relations are found again
DOC_TYPES = (r"Quyết định|Kế hoạch|Chỉ thị|Công văn|Thông báo|Nghị quyết|Thông tư|Nghị định|Quy chế|Quy định|"
             r"Hướng dẫn|Văn bản|Công điện|Luật")
_DATE = r"\d{1,2}\s*(?:/|-|\s+tháng\s+)\s*\d{1,2}\s*(?:/|-|\s+năm\s+)\s*\d{4}"
DOC_REF = (rf"(?P<type>{DOC_TYPES})\s+(?:số\s+)?(?P<number>\d+[\w]*(?:/[\w\-.]+)+)"
           rf"(?:\s*,?\s*ngày\s+(?P<date>{_DATE}))?")
_RELATIONS = (
    ("replaced", rf"\b(?i:thay\s+thế\s+(?:cho\s+)?(?:toàn\s+bộ\s+)?){DOC_REF}"),
    ("repealed", rf"\b(?i:(?:bãi\s+bỏ|hủy\s+bỏ|huỷ\s+bỏ)\s+(?:toàn\s+bộ\s+)?){DOC_REF}"),
    ("repealed", rf"{DOC_REF}[^.;\n]{{0,160}}?\b(?i:hết\s+hiệu\s+lực|bị\s+bãi\s+bỏ)"),
    ("amended", rf"\b(?i:sửa\s+đổi(?:,?\s*(?:và\s+)?bổ\s+sung)?\s+(?:(?:một\s+số|các)\s+(?:điều|nội\s+dung|khoản)"
                rf"|(?:Điều|khoản|điểm|mục|Phụ\s+lục)\b[^.;\n]{{0,60}}?)?\s*(?:của|tại)?\s*){DOC_REF}"),
)
_PATTERNS = [(kind, re.compile(pattern)) for kind, pattern in _RELATIONS]
_NOT_YET = re.compile(r"\b(?:đề\s+xuất|đề\s+nghị|kiến\s+nghị|dự\s+thảo|xem\s+xét|tham\s+mưu|nghiên\s+cứu)\b[^.;\n]*$",
                      re.IGNORECASE)
_LEGAL_BASIS = re.compile(r"(?:^|\n)\s*Căn\s+cứ\b[^\n]*$")


@dataclass(frozen=True)
class Relation:
    kind: str            # replaced | repealed | amended: what this document does to the one it names
    doc_type: str        # "Quyết định"
    number: str          # "892/QĐ-BNV"
    date: str | None     # ISO "2024-12-05" when the reference gives it
    start: int           # offset of the provision saying so in the document text
    end: int

    def to_dict(self) -> dict:
        return {"kind": self.kind, "doc_type": self.doc_type, "number": self.number, "date": self.date,
                "start": self.start, "end": self.end}


def iso_date(text: str | None) -> str | None:
    if not text:
        return None
    parts = re.findall(r"\d+", text)
    if len(parts) != 3:
        return None
    day, month, year = (int(p) for p in parts)
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= day <= 31 and 1 <= month <= 12 else None


def number_key(number: str | None) -> str:
    """'892/QĐ-BNV' and '892/QD-BNV ' compare equal."""
    return re.sub(r"\s+", "", (number or "")).upper().replace("Đ", "D")


def find_relations(text: str, own_number: str | None = None) -> list[Relation]:
    out: list[Relation] = []
    seen: set[tuple[str, str]] = set()
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            before = text[max(0, m.start() - 300):m.start()]
            if _LEGAL_BASIS.search(before) or _NOT_YET.search(before.split("\n")[-1]):
                continue
            number = m.group("number").rstrip(".-")
            key = (kind, number_key(number))
            if number_key(number) == number_key(own_number) or key in seen:
                continue
            seen.add(key)
            out.append(Relation(kind, m.group("type"), number, iso_date(m.group("date")), m.start(), m.end()))
    return sorted(out, key=lambda r: r.start)


def number_index(documents: list[dict]) -> dict[str, list[dict]]:
    """The loaded documents by number key (what `resolve` looks relations up in)."""
    by_number: dict[str, list[dict]] = {}
    for d in documents:
        if d["header"].number:
            by_number.setdefault(number_key(d["header"].number), []).append(d)
    return by_number


def resolve(relations: list[Relation], documents: list[dict],
            by_number: dict[str, list[dict]] | None = None) -> list[str | None]:
    """The doc_id each relation names among the loaded documents (number, and date when given;
    a number shared by several documents without a date to tell them apart resolves to none).
    by_number: number_index(documents), when the caller resolves the relations of many documents."""
    if by_number is None:
        by_number = number_index(documents)
    out: list[str | None] = []
    for r in relations:
        found = by_number.get(number_key(r.number), [])
        if r.date:
            found = [d for d in found if not d["header"].date or d["header"].date == r.date]
        out.append(found[0]["doc_id"] if len(found) == 1 else None)
    return out
