"""Canonical agency names. The alias table is data (ingest/data/agencies.json), scoped by
province: "Sở NV" = "Sở Nội vụ"; "Văn phòng Ủy ban nhân dân tỉnh" = "Văn phòng UBND tỉnh";
"Chủ tịch UBND các huyện, thị xã, thành phố" = "Chủ tịch UBND cấp huyện"."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from core.text import fold, nfc

ALIASES_FILE = Path(__file__).resolve().parent / "data" / "agencies.json"
# "Sở, Báo, Đài …" starting a list item marks a new agency in "A, B, C" lists.
_NEW_AGENCY = re.compile(
    r"(?:,|;|\svà)\s+(?=(?:Sở|Báo|Đài|Văn phòng|VP|Chủ tịch|Thủ trưởng|Giám đốc|UBND|Ủy ban|Ban|Công an|"
    r"Thanh tra|Kho bạc|Cục|Chi cục|Hội đồng|Mặt trận|Người đứng đầu)\b)")
_GENERIC = re.compile(r"^(?:các\s+(?:sở|ban|ngành|cấp|huyện)\b|(?:các\s+)?(?:cơ quan|đơn vị|ngành|sở, ban|sở, ngành|"
                      r"địa phương|tổ chức|cá nhân|bộ phận)\b)", re.IGNORECASE)


# Newspapers and broadcasters named after their province, written "… tỉnh" in its own documents.
_PROVINCE_MEDIA = re.compile(r"^(?:Báo|Đài)\b.*\stỉnh$")


def agency_key(name: str, folded: bool = False) -> str:
    """Comparison key: case, 'Ủy ban nhân dân' vs 'UBND', a leading 'các', punctuation ignored."""
    text = nfc(name).lower().replace("uỷ", "ủy").replace("ủy ban nhân dân", "ubnd")
    text = re.sub(r"[^\w\s]", " ", text)
    text = re.sub(r"^\s*các\s+", "", text)
    text = " ".join(text.split())
    return fold(text) if folded else text


@lru_cache(maxsize=1 << 14)
def body_key(name: str) -> str:
    """The folded key without the "và" that joins a name's parts: "Phòng Tài nguyên và Môi trường",
    "Phòng Tài nguyên & Môi trường", "Phòng Tài nguyên – Môi trường" and "Phòng Tài nguyên Môi
    trường" name one body (documents write all four). For finding and matching names at answer
    time; the duty table keeps each name as written."""
    return " ".join(w for w in agency_key(name, folded=True).split() if w != "va")


def is_generic(name: str) -> bool:
    """'các cơ quan, đơn vị liên quan' is an object of an action, not an accountable actor."""
    return bool(_GENERIC.match(name.strip()))


class AgencyNames:
    def __init__(self, entries: list[dict]):
        self.entries = entries
        self._keys: dict[tuple[str, str | None], str] = {}
        self._folded: dict[str, str] = {}
        # id of a set of known names -> (the set, its count, the name map built from it): the few sets a
        # library asks with (its actors, the bodies their heads lead) are each built once per reload
        self._built: dict[int, tuple] = {}
        for e in entries:
            for alias in [e["canonical"], *e.get("aliases", [])]:
                self._keys[(agency_key(alias), e.get("province"))] = e["canonical"]
                self._folded.setdefault(body_key(alias), e["canonical"])

    @classmethod
    def load(cls, path: Path = ALIASES_FILE) -> "AgencyNames":
        return _load(str(path))

    def canonical(self, name: str, province: str | None = None) -> str | None:
        key = agency_key(name)
        found = self._keys.get((key, province)) or self._keys.get((key, None))
        if found or not province:
            return found
        place = agency_key(province)
        if key.endswith(" " + place):
            # "Công an tỉnh Lâm Đồng" in a Lâm Đồng document is "Công an tỉnh"; "Chủ tịch UBND các huyện,
            # thị xã, tỉnh Nghệ An" is the usual group
            base = key[:-len(place) - 1]
            for candidate in (base, base.removesuffix(" tỉnh")):
                found = self._keys.get((candidate, None))
                if found:
                    return found
        if _PROVINCE_MEDIA.match(name.strip()):
            return name.strip()[:-len("tỉnh")] + province  # "Báo tỉnh" -> "Báo Cao Bằng": named after its province
        return None

    def split(self, phrase: str, province: str | None = None, keep_generic: bool = False) -> list[tuple[str, str]]:
        """'Báo Thanh Hóa, Đài …, Đài Truyền thanh cấp huyện' -> [(as written, canonical), …].
        A phrase that is itself a known alias stays whole. `keep_generic` keeps groups such as
        'các sở, ban, ngành' (a table's lead column names actors even when they are generic)."""
        phrase = phrase.strip(" ,;:.")
        if not phrase:
            return []
        whole = self.canonical(phrase, province)
        if whole:
            return [(phrase, whole)]
        out = []
        for part in _NEW_AGENCY.split(phrase):
            part = part.strip(" ,;:.")
            pieces = [part]
            if not self.canonical(part, province) and " và " in part:
                halves = [h.strip() for h in part.split(" và ")]
                if any(self.canonical(h, province) for h in halves):
                    pieces = halves  # "Báo Cao Bằng và các phương tiện thông tin đại chúng"
            for piece in pieces:
                # A known alias ("các sở, ban, ngành") is an actor even though it reads like a generic phrase.
                if piece and (self.canonical(piece, province) or keep_generic or not is_generic(piece)):
                    out.append((piece, self.canonical(piece, province) or _tidy(piece)))
        return out

    def resolve(self, query: str) -> str | None:
        """A user's name for an agency (aliases, any case, with or without diacritics)."""
        key = agency_key(query)
        for (alias_key, _), canonical in self._keys.items():
            if alias_key == key:
                return canonical
        return self._folded.get(body_key(query))

    def subject_of(self, text: str, known: set[str] | None = None) -> str | None:
        """The agency a question starts with ("Văn phòng UBND tỉnh … báo cáo khi nào?"), i.e. its
        subject, as opposed to one it merely mentions ("… trình UBND tỉnh …")."""
        hay = f" {body_key(text)} "
        names = self._names(known)
        starts = [(len(a), c) for a, c in names.items() if len(a.split()) >= 2 and hay.startswith(f" {a} ")]
        return max(starts)[1] if starts else None

    def _names(self, known: set[str] | None) -> dict[str, str]:
        """Body key (`body_key`) -> canonical agency: the alias table, then the duty table's own names. Built
        once per set of known names (a library's, until it reloads), not at every question."""
        held = self._built.get(id(known))
        if held is not None and held[0] is known and held[1] == len(known or ()):
            return held[2]
        # names that share a key ("Đơn vị", "Các đơn vị"; "Phòng Tài nguyên & Môi trường", "… và Môi
        # trường"): the one written with "và", as official names are, then the shortest, whatever the set's order
        exact = {body_key(k): k for k in sorted(known or (), key=lambda k: (" và " in k, -len(k), k))}
        # "Văn phòng UBND tỉnh (Trung tâm Phục vụ hành chính công)": the unit in brackets is how a user
        # names the body that does the work (over the alias table, unless a duty names that unit itself)
        bracketed = {body_key(inner): k for k in (known or ()) for inner in _BRACKETED.findall(k)}
        names = {**self._folded, **bracketed, **exact}
        if len(self._built) >= 4:   # a reload's new sets replace the old ones
            self._built.pop(next(iter(self._built)))
        self._built[id(known)] = (known, len(known or ()), names)   # holding `known` keeps its id unique
        return names

    def mentioned_in(self, text: str, known: set[str] | None = None) -> list[str]:
        """Canonical agencies whose name or alias appears in a question, longest match first."""
        hay = f" {body_key(text)} "
        found: list[tuple[int, int, str]] = []
        names = self._names(known)
        for alias, canonical in names.items():
            if f" {alias} " in hay and len(alias.split()) >= 2:   # the plain test first: most names are absent
                found.extend((len(alias), m.start(), canonical) for m in re.finditer(f"(?= {re.escape(alias)} )", hay))
        found.sort(key=lambda f: (-f[0], f[1]))
        taken: list[tuple[int, int]] = []
        seen, out = set(), []
        for length, start, canonical in found:
            end = start + length + 2
            if any(start + 1 < b and a < end - 1 for a, b in taken):
                continue  # "UBND tỉnh" inside "Văn phòng UBND tỉnh" names the Văn phòng, not the UBND
            taken.append((start, end))
            if canonical not in seen:
                seen.add(canonical)
                out.append(canonical)
        return out


_BRACKETED = re.compile(r"\(([^()]{8,}?)\)")


def _tidy(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" ,;:.")
    return name[:1].upper() + name[1:]


@lru_cache(maxsize=4)
def _load(path: str) -> AgencyNames:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return AgencyNames(data["agencies"])
