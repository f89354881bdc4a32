"""The 2025 reorganisation of provinces (63 -> 34 since 1/7/2025), from the data that the
`vietnamadminunits` package keeps (not a hand-typed list): which old provinces each new one
took in, and the new short names.

    current_province("Đắk Nông") == "Lâm Đồng"
    provinces_in("Lâm Đồng") == {"Lâm Đồng", "Đắk Nông", "Bình Thuận"}   (old names as keys go)
"""
from __future__ import annotations

import json
import re
import sys
from functools import lru_cache
from pathlib import Path

from core.errors import ConfigError
from core.text import fold

_PREFIX = re.compile(r"^(?:tinh|thanhpho|tp)")


def province_key(name: str) -> str:
    """'Tỉnh Đắk Nông', 'Đăk Nông', 'dak nong' -> 'daknong' (the package's keys without their prefix)."""
    key = re.sub(r"[^a-z]", "", fold(name or "").lower().replace("đ", "d"))
    return _PREFIX.sub("", key)


def package_data() -> Path:
    """The package's data folder, found where `import vietnamadminunits` would find the package.
    Not imported: its __init__ loads the package's address parser, and with it geopy and aiohttp
    (1.2 s of a cold `app.py ask`), while we read two of its data files."""
    for entry in sys.path:
        folder = Path(entry or ".") / "vietnamadminunits" / "data"
        if (folder / "converter_2025.json").is_file():
            return folder.resolve()
    raise ConfigError("The vietnamadminunits package (provinces before and after 2025) is missing: "
                      "pip install -r requirements.txt")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, set[str]]]:
    """(old key -> new key, new key -> new short name, new key -> old keys)."""
    data = package_data()   # read once; the package's own converter parses whole addresses
    merged = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))["DICT_PROVINCE"]
    names = json.loads((data / "parser_from_2025.json").read_text(encoding="utf-8"))["DICT_PROVINCE"]
    successor: dict[str, str] = {}
    members: dict[str, set[str]] = {}
    for new, olds in merged.items():
        new_key = _PREFIX.sub("", new)
        members[new_key] = {_PREFIX.sub("", o) for o in olds} | {new_key}
        for old in olds:
            successor[_PREFIX.sub("", old)] = new_key
    short = {_PREFIX.sub("", k): v["provinceShort"] for k, v in names.items()}
    return successor, short, members


@lru_cache(maxsize=1)
def _districts() -> dict[str, str]:
    """District keyword ('krongno', 'huyenkrongno') -> its province's short name before 2025, for the
    district names found in one province only (the package's DICT_UNIQUE_DISTRICT_PROVINCE)."""
    legacy = json.loads((package_data() / "parser_legacy.json").read_text(encoding="utf-8"))
    short = {k: v["provinceShort"] for k, v in legacy["DICT_PROVINCE"].items()}
    return {word: short[entry["provinceKey"]] for entry in legacy["DICT_UNIQUE_DISTRICT_PROVINCE"].values()
            for word in entry["districtKeywords"] if entry["provinceKey"] in short}


def district_province(place: str | None) -> str | None:
    """The province (its name before 2025) of a district-level place a directive was issued in:
    'Đắk R'lấp', 'huyện Krông Nô', 'Đà Lạt' -> 'Đắk Nông', 'Đắk Nông', 'Lâm Đồng'; None when the
    place is no district, or a name several provinces' districts share."""
    key = re.sub(r"[^a-z]", "", fold(place or "").lower().replace("đ", "d"))
    return _districts().get(key) if len(key) > 3 else None


def current_province(name: str | None) -> str | None:
    """The province that `name` (an old or a current province) is part of today; None if unknown."""
    if not name:
        return None
    successor, short, _ = _tables()
    key = province_key(name)
    new = successor.get(key) or (key if key in short else None)
    return short.get(new) if new else None


def provinces_in(name: str) -> set[str]:
    """Keys of every province, old or current, that `name` covers today (itself included)."""
    successor, _, members = _tables()
    key = province_key(name)
    new = successor.get(key, key)
    return members.get(new, {key})


def same_province(document_province: str | None, wanted: str) -> bool:
    """Does a document of `document_province` belong to `wanted`? A province of today covers the
    ones merged into it in 2025 ("Lâm Đồng": Đắk Nông's and Bình Thuận's documents too); a former
    one only itself: what "Bình Thuận" asked of its departments is in Bình Thuận's documents, not
    in those of the Lâm Đồng it joined."""
    return bool(document_province) and province_key(document_province) in _covered_by(wanted)


@lru_cache(maxsize=256)
def _covered_by(wanted: str) -> frozenset[str]:
    """Keys of the provinces whose documents belong to `wanted` (resolved once per name: a filter
    asks it of every duty)."""
    key = province_key(wanted)
    if province_key(current_province(wanted) or "") != key:   # merged away (or unknown)
        return frozenset({key})
    return frozenset(provinces_in(wanted))


# capitalised syllables in a row, a dash allowed between them: "Bà Rịa - Vũng Tàu"
_NAME_SYLLABLES = re.compile(r"[A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?:(?:\s*[-–]\s*|\s+)[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){0,4}")


def provinces_named(text: str) -> set[str]:
    """Keys of the provinces (old or current) a text names in capitals: '… tỉnh Cà Mau …' -> {'camau'}."""
    successor, short, _ = _tables()
    known = set(successor) | set(short)
    found = set()
    for m in _NAME_SYLLABLES.finditer(text or ""):
        words = re.findall(r"[\wÀ-ỹ]+", m.group())
        for i in range(len(words)):
            for j in range(i + 1, min(len(words), i + 4) + 1):
                key = province_key(" ".join(words[i:j]))
                if key in known and len(key) > 3:
                    found.add(key)
    return found
