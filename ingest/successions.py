"""Which body does today what an older directive gave to a body that no longer exists (pure).

The successions are data (ingest/data/successions.json): "Sở Kế hoạch và Đầu tư" -> "Sở Tài chính"
since 1/3/2025. A duty keeps the agency as its document names it (`actor`) and gains the one that
holds the duty today (`actor_current`); office holders follow their body ("Giám đốc Sở Kế hoạch và
Đầu tư" -> "Giám đốc Sở Tài chính").
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.agencies import agency_key

SUCCESSIONS_FILE = Path(__file__).resolve().parent / "data" / "successions.json"


@dataclass(frozen=True)
class Succession:
    old: str
    new: str
    since: str                       # ISO date the new body took over
    parts: tuple[str, ...] = ()      # bodies that took over parts of the old one's work


def _pattern(name: str) -> re.Pattern:
    """The name with any punctuation or spacing between its words, any case: "Lao động - Thương binh"
    also matches "Lao động, Thương binh" and "LAO ĐỘNG – THƯƠNG BINH"."""
    words = agency_key(name).split()
    return re.compile(r"(?<!\w)" + r"[\s,\-–—&]+".join(re.escape(w) for w in words) + r"(?!\w)", re.IGNORECASE)


class Successions:
    def __init__(self, items: list[Succession]):
        self.items = items
        self._patterns = [(s, _pattern(s.old)) for s in items]

    @classmethod
    def load(cls, path: Path = SUCCESSIONS_FILE) -> "Successions":
        return _load(str(path))

    def current(self, name: str) -> str:
        """The body (or office) that holds `name`'s duties today; `name` itself when nothing succeeded it."""
        out = name
        for _ in range(len(self.items)):  # successions chain: follow them to the end
            for succession, pattern in self._patterns:
                replaced = pattern.sub(succession.new, out, count=1)
                if replaced != out:
                    out = replaced
                    break
            else:
                return out
        return out

    def former(self, name: str) -> list[str]:
        """Bodies that `name` took over from ("Sở Tài chính" -> ["Sở Kế hoạch và Đầu tư"])."""
        key = agency_key(name)
        out: list[str] = []
        for s in self.items:
            if agency_key(s.new) == key:
                out.append(s.old)
                out.extend(self.former(s.old))
        return out

    def succession_of(self, name: str) -> Succession | None:
        return next((s for s, pattern in self._patterns if pattern.search(name)), None)


@lru_cache(maxsize=4)
def _load(path: str) -> Successions:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Successions([Succession(old=e["from"], new=e["to"], since=e["since"], parts=tuple(e.get("parts", ())))
                        for e in data["successions"]])
