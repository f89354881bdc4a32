"""Which loaded directives are still in force, from what the loaded directives say of each other.

A document is "replaced", "repealed" or "amended" when another loaded document says so (its
provision is kept, to be shown); "in_force" when none does; "unknown" when it has no number, so no
document can name it. Validity is only as complete as the library: a directive replaced by one
that is not loaded still reads "in_force".
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ingest.relations import Relation, number_index, resolve

STATUS_ORDER = ("replaced", "repealed", "amended")  # a replaced document that was also amended is replaced
STATUS_LABELS = {"in_force": "còn hiệu lực", "replaced": "đã bị thay thế", "repealed": "đã bị bãi bỏ",
                 "amended": "đã được sửa đổi, bổ sung", "unknown": "chưa rõ"}
VERB = {"replaced": "thay thế", "repealed": "bãi bỏ", "amended": "sửa đổi, bổ sung"}


@dataclass(frozen=True)
class Said:
    """One loaded document saying something of another."""
    kind: str            # replaced | repealed | amended
    by_doc_id: str
    by_name: str
    by_title: str        # "Quyết định số 1187/QĐ-BNV"
    quote: str           # the provision that says so, verbatim


@dataclass(frozen=True)
class Validity:
    status: str = "in_force"
    said: tuple[Said, ...] = field(default=())

    def by(self, kind: str) -> list[str]:
        return [s.by_title for s in self.said if s.kind == kind]

    @property
    def current(self) -> bool:
        return self.status not in ("replaced", "repealed")

    def note(self) -> str:
        """'đã bị thay thế bởi Quyết định số 1187/QĐ-BNV' ('' when in force)."""
        if self.status not in STATUS_ORDER:
            return ""
        return f"{STATUS_LABELS[self.status]} bởi {', '.join(self.by(self.status))}"

    def to_json(self) -> dict:
        return {"status": self.status, "replaced_by": self.by("replaced"), "repealed_by": self.by("repealed"),
                "amended_by": self.by("amended")}


def title_of(doc: dict) -> str:
    h = doc["header"]
    return f"{h.doc_type} số {h.number}" if h.number and h.number[0].isdigit() else f"{h.doc_type} {doc['name']}"


def validity(documents: list[dict], relations: dict[str, list[dict]], text_of) -> dict[str, Validity]:
    """doc_id -> Validity for every loaded document."""
    said: dict[str, list[Said]] = {}
    by_id = {d["doc_id"]: d for d in documents}
    by_number = number_index(documents)  # once, not once per document that names others
    for source_id, items in relations.items():
        source = by_id.get(source_id)
        if source is None or not items:
            continue
        parsed = [Relation(**item) for item in items]
        text = None
        for relation, target in zip(parsed, resolve(parsed, documents, by_number)):
            if target is None or target == source_id:
                continue
            text = text if text is not None else (text_of(source_id) or "")
            quote = _sentence(text, relation.start, relation.end)
            said.setdefault(target, []).append(Said(relation.kind, source_id, source["name"], title_of(source), quote))
    out: dict[str, Validity] = {}
    for d in documents:
        found = tuple(said.get(d["doc_id"], ()))
        status = next((k for k in STATUS_ORDER if any(s.kind == k for s in found)), None)
        if status is None:
            status = "in_force" if d["header"].number and d["header"].number[0].isdigit() else "unknown"
        out[d["doc_id"]] = Validity(status, found)
    return out


def _sentence(text: str, start: int, end: int) -> str:
    """The provision around a match: from the previous line or sentence end to the next."""
    left = max(text.rfind("\n", 0, start), text.rfind(". ", 0, start) + 1)
    stops = [i for i in (text.find("\n", end), text.find(". ", end)) if i != -1]
    right = min(stops) + 1 if stops else len(text)
    return " ".join(text[max(0, left):right].split())[:400]
