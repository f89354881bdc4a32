"""One directive, several files: the draft .docx and the signed PDF of the same directive are one
document. Its duties are counted once and its signed version is the one cited.

Two loaded files are the same directive when their số/ký hiệu (never a blank number), issuer and
date agree, or when their texts are near-identical (same issuer and type, 5-syllable shingles
overlapping by JACCARD_SAME or more: a draft without its number and the signed scan of it).
"""
from __future__ import annotations

import re
import zlib
from collections.abc import Callable

SIGNED_FORMATS = {"pdf": 2, "scan": 2, "image": 2}  # what a signed, stamped directive arrives as
JACCARD_SAME = 0.85
SHINGLE = 5
_WORD = re.compile(r"\w+")


def shingles(text: str) -> set[int]:
    words = _WORD.findall(text.lower())
    return {zlib.crc32(" ".join(words[i:i + SHINGLE]).encode("utf-8")) for i in range(max(1, len(words) - SHINGLE + 1))}


def jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _has_number(header) -> bool:
    return bool(header.number) and header.number[0].isdigit()


def copies(docs: list[dict], text_of: Callable[[str], str | None], lengths: dict[str, int] | None = None
           ) -> dict[str, str]:
    """doc_id of each extra file of a directive -> doc_id of the file that stands for it (the
    signed one: a PDF or scan over a Word or text file, then the one with a number, then the
    latest loaded)."""
    parent = {d["doc_id"]: d["doc_id"] for d in docs}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(a: str, b: str) -> None:
        parent[root(a)] = root(b)

    by_key: dict[tuple, str] = {}
    for d in docs:
        h = d["header"]
        if _has_number(h) and h.date:
            key = (h.number, h.issuer, h.date)
            if key in by_key:
                join(d["doc_id"], by_key[key])
            else:
                by_key[key] = d["doc_id"]
    if lengths is None:
        lengths = {d["doc_id"]: len(text_of(d["doc_id"]) or "") for d in docs}
    lengths = {d["doc_id"]: lengths.get(d["doc_id"], 0) for d in docs}
    cache: dict[str, set[int]] = {}

    def sig(doc_id: str) -> set[int]:
        if doc_id not in cache:
            cache[doc_id] = shingles(text_of(doc_id) or "")
        return cache[doc_id]

    by_group: dict[tuple, list[dict]] = {}
    for d in docs:  # text comparison only among documents of the same issuer and type
        by_group.setdefault((d["header"].issuer, d["header"].doc_type), []).append(d)
    for group in by_group.values():
        group.sort(key=lambda d: lengths[d["doc_id"]])
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if lengths[b["doc_id"]] > 1.3 * max(1, lengths[a["doc_id"]]):
                    break  # sorted by length: the rest are longer still
                if root(a["doc_id"]) != root(b["doc_id"]) and _compatible(a, b) \
                        and jaccard(sig(a["doc_id"]), sig(b["doc_id"])) >= JACCARD_SAME:
                    join(a["doc_id"], b["doc_id"])

    groups: dict[str, list[dict]] = {}
    for d in docs:
        groups.setdefault(root(d["doc_id"]), []).append(d)
    out: dict[str, str] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        primary = max(members, key=lambda d: (SIGNED_FORMATS.get((d.get("info") or {}).get("format", "txt"), 0),
                                              _has_number(d["header"]), d.get("ingested_at", 0)))
        out.update({d["doc_id"]: primary["doc_id"] for d in members if d is not primary})
    return out


def _compatible(a: dict, b: dict) -> bool:
    """Two numbered directives with different numbers or dates are two directives, however alike
    (a yearly plan reissued with the same wording)."""
    ha, hb = a["header"], b["header"]
    if _has_number(ha) and _has_number(hb) and ha.number != hb.number:
        return False
    return not (ha.date and hb.date and ha.date != hb.date)
