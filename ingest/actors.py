"""Agencies recognised by the shapes of Vietnamese public administration, not by a list (pure).

An agency phrase starts with a head ("Sở", "Ban", "Phòng", "Trung tâm", "UBND", "Công an",
"Giám đốc", "Chủ tịch", "các sở, ban, ngành" …) and runs over its name: capitalised words
("Sở Văn hóa, Thể thao và Du lịch"), place and level words ("UBND các xã, thị trấn", "Công an
tỉnh"), qualifiers ("có liên quan", "trực thuộc Trung ương") and, where a tagger is available,
lowercase nouns ("Trung tâm dịch vụ kỹ thuật nông nghiệp"). It ends where the sentence's
predicate starts, whatever the verb: "Sở Tài chính bố trí kinh phí" gives "Sở Tài chính".
A list of agencies is joined by commas, semicolons, "và" and "cùng" when each item has a head.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.agency_words import (
    BARE,
    BOARDS,
    DETERMINERS,
    FIELD_GLUE,
    FIELD_HEADS,
    FIELD_WORDS,
    GROUP,
    HOLDER,
    HOLDER_TAILS,
    LIST_TAILS,
    NAMED,
    OBJECT_NOUNS,
    OFFICE_BODIES,
    ORG,
    PLACES,
    QUALS,
    ROLES,
    TIME_QUALIFIERS,
)
from ingest.tagging import Tagger, Tokens, capital

_WINDOW = 400  # characters looked at for one list of agencies


@dataclass(frozen=True)
class Span:
    """An agency phrase at text[start:end]; `text` is that slice, or it with a list's shared scope
    added ("Bí thư Đảng ủy" + " các xã, thị trấn")."""
    start: int
    end: int
    text: str


def _place(t: Tokens, i: int) -> int:
    """Tokens at i of a level or place word that goes on naming a body ("tỉnh", "cấp xã"); "số" only
    before a number ("Ban Quản lý dự án số 1", not "… (Trung tâm …) số hóa hồ sơ")."""
    k = t.match(i, PLACES)
    if k and t.low[i + k - 1] == "số" and not (i + k < len(t.low) and t.low[i + k][:1].isdigit()):
        return 0
    return k


def _head(t: Tokens, i: int) -> int:
    """Tokens of an agency head starting at i (0 if none)."""
    if i >= len(t.words):
        return 0
    if t.low[i] in DETERMINERS and i + 1 < len(t.words):
        n = t.match(i + 1, GROUP) or t.match(i + 1, ORG) or t.match(i + 1, HOLDER)
        return 1 + n if n else 0
    n = t.match(i, HOLDER)
    if n:
        named = t.match(i + n - 1, NAMED)
        if named > 1 and capital(t.words[i]):
            return n - 1 + named   # "Trưởng ban Vì sự tiến bộ của phụ nữ": the holder's word begins the body's name
        nxt = i + n
        follows = nxt < len(t.words) and (_starts_agency(t, nxt) or t.match(nxt, GROUP))  # "người đứng đầu cơ quan …"
        return n if capital(t.words[i]) or follows else 0
    n = t.match(i, ORG)
    if n and t.low[i:i + 2] == ["tổ", "chức"]:
        return 0  # "Tổ chức thực hiện", "TỔ CHỨC THỰC HIỆN": to organise, not a team
    if n:
        nxt = i + n
        if capital(t.words[i]) and (n > 1 or nxt < len(t.words) and (capital(t.words[nxt]) or _place(t, nxt)
                                                                  or t.noun[nxt] and not t.joined[nxt])):
            return n  # "Sở Nội vụ", "Công an tỉnh", "Đài truyền thanh huyện" (a noun, not "Báo cáo")
        if nxt < len(t.words) and capital(t.words[nxt]) and t.words[nxt].isalpha():
            return n  # "phòng Y tế", "sở Nội vụ"
        if capital(t.words[i]) and t.low[i] == "báo" and t.low[nxt:nxt + 1] == ["và"] \
                and nxt + 1 < len(t.words) and capital(t.words[nxt + 1]):
            return n  # "Báo và Phát thanh, Truyền hình Lâm Đồng": the provincial media merged in 2025
        if capital(t.words[i]) and _one_noun_then_place(t, i, nxt):
            return n  # "Đài truyền thanh huyện": the tagger reads "Đài truyền thanh" as one noun
        if capital(t.words[i]) and t.low[i] in ("ubnd", "hđnd", "vpđkđđ", "ttpvhcc", "bchqs", "bhxh", "bcđ"):
            return n
        return 0
    n = t.match(i, BARE)
    return n if capital(t.words[i]) else 0


def _one_noun_then_place(t: Tokens, head: int, nxt: int) -> bool:
    """The tagger made the head and the lowercase syllables after it one noun, and a level word
    ("huyện", "tỉnh", "xã") follows that noun."""
    end = nxt
    while end < len(t.words) and t.joined[end] and t.noun[end] and not capital(t.words[end]):
        end += 1
    return end > nxt and t.noun[head] and bool(_place(t, end))


def _inner_body_end(t: Tokens, i: int, head_end: int) -> int:
    """Index past a body's head phrase begun by a capitalised word just before i and running over
    it ("Đảng ủy", "Ủy ban nhân dân"), or 0."""
    for j in range(i - 1, max(head_end, i - 4) - 1, -1):
        k = t.match(j, ORG)
        if k and j + k > i and capital(t.words[j]):
            return j + k
    return 0


def _lower_nouns_then_place(t: Tokens, i: int, head_start: int) -> int:
    """Index past a run of up to four lower-case nouns and the level word that ends it, in a name
    that has no level word yet; 0 otherwise."""
    if any(_place(t, k) for k in range(head_start, i)):
        return 0
    end = i
    while end < min(i + 4, len(t.words)) and t.noun[end] and t.words[end].isalpha() and not capital(t.words[end]) \
            and not _place(t, end) and not t.match(end, ROLES):
        end += 1
    k = _place(t, end) if end > i else 0
    return end + k if k else 0


# the second half of a dashed compound that names a kind of body: "chính trị - xã hội", "… - nghề nghiệp"
_DASHED_TAILS = (["xã", "hội"], ["nghề", "nghiệp"])


def _lower_name_tail(t: Tokens, i: int, head_end: int, group: bool) -> int:
    """Index past lower-case words that go on naming the body ("Phòng Tài nguyên môi trường", "các
    cơ quan truyền thông"), or 0. Only whole nouns of two or more syllables count, and only where
    the name ends right after them (a separator, a role, a verb or the end), so that an object
    ("giao Sở Nội vụ nhiệm vụ …", "UBND tỉnh tháng 5") is not taken in."""
    if not t.noun[i] or t.joined[i] or capital(t.words[i]):
        return 0
    if group and i != head_end:
        return 0  # "các cơ quan truyền thông", not "các đơn vị liên quan tổ chức"
    if not group and not any(capital(x) for x in t.words[head_end:i]):
        return 0  # an all lower-case name is read by the descriptive-name rule
    end = i
    while end < len(t.words) and t.noun[end] and not capital(t.words[end]) and t.words[end].isalpha() \
            and not _place(t, end) and not t.match(end, ROLES):
        k = end + 1
        while k < len(t.words) and t.joined[k]:
            k += 1
        if k - end < 2 or " ".join(t.low[end:k]) in OBJECT_NOUNS:
            return 0
        end = k
    if end == i or end - i > 4:
        return 0
    while end < len(t.words) and t.words[end] in ("-", "–", "—") and t.low[end + 1:end + 3] in _DASHED_TAILS:
        end += 3  # "các tổ chức chính trị - xã hội - nghề nghiệp"
    after = t.low[end] if end < len(t.words) else ""
    closes = end == len(t.words) or after in (",", ";", ".", ":", ")", "và", "(") or t.match(end, ROLES) \
        or (t.tags[end] or "").startswith("V") or _place(t, end)
    return end if closes else 0


def _starts_agency(t: Tokens, i: int) -> bool:
    return _head(t, i) > 0


def _field_end(t: Tokens, i: int) -> int:
    """Index past a department's field starting at i, its glue words skipped ("Tài nguyên & Môi
    trường" = "tài nguyên và môi trường"), or 0."""
    for words in FIELD_WORDS:
        k, matched = i, 0
        while k < len(t.low) and matched < len(words):
            if t.low[k] == words[matched]:
                matched, k = matched + 1, k + 1
            elif matched and t.low[k] in FIELD_GLUE and k + 1 < len(t.low) and t.low[k + 1] == words[matched]:
                k += 1
            else:
                break
        if matched == len(words):
            return k
    return 0


def _extend(t: Tokens, i: int, group: bool, head_start: int = 0) -> int:
    """Index just past the agency name whose head (starting at head_start) ends before i."""
    n = len(t.words)
    head_end = i
    if t.low[head_start] in FIELD_HEADS and i == head_start + 1:
        i = _field_end(t, i) or i
    while i < n:
        w, low = t.words[i], t.low[i]
        if t.match(i, ROLES) and not t.joined[i] and not capital(w):
            return i
        if w in (",", "–", "-", "—", "&") or low == "và":
            j = i + 1
            if low == "và" and i == head_start + 1 and t.low[head_start] == "báo" and j < n and capital(t.words[j]):
                i = j  # "Báo và Đài Phát thanh, Truyền hình …": one body
                continue
            if j < n and t.low[head_start:head_start + 2] == ["văn", "phòng"] and t.low[j] in OFFICE_BODIES \
                    and t.low[j] not in t.low[head_start:i]:
                i = j  # "Văn phòng HĐND và UBND huyện", "Văn phòng Đoàn ĐBQH, HĐND và UBND tỉnh": one office
                continue
            if j >= n or _starts_agency(t, j):
                return i  # a separator before a new agency
            if capital(t.words[j]) and t.words[j].isalnum():
                i = j  # "Văn hóa, Thể thao và Du lịch"
                continue
            listing = group or t.low[i - 1] in LIST_TAILS
            if w == "," and listing and (t.match(j, GROUP) or _place(t, j)):
                i = j + (t.match(j, GROUP) or _place(t, j))  # "các sở, ban, ngành", "các xã, thị trấn"
                continue
            return i
        if w == "(" and ")" in t.words[i:i + 12]:
            close = t.words.index(")", i)
            inner = t.low[i + 1:close]
            if all(capital(x) or x.isdigit() or x in ",&-" for x in t.words[i + 1:close]) \
                    or " ".join(inner) in TIME_QUALIFIERS or _starts_agency(t, i + 1):
                i = close + 1  # "(VCCI)", "(cũ)", "Văn phòng UBND tỉnh (Trung tâm Phục vụ hành chính công)"
                continue
            return i
        if capital(w) or w.isdigit() or w == "&" or t.joined[i]:
            i += 1
            continue
        inner = _inner_body_end(t, i, head_end)
        if inner:
            i = inner  # "Bí thư Đảng ủy", "Ban Thường trực Ủy ban Mặt trận Tổ quốc": a body's name inside
            continue
        if low in ("các", "những") and t.match(head_start, BOARDS) and i == head_start + t.match(head_start, BOARDS) \
                and _starts_agency(t, i + 1):
            i += 1  # "Ban Chủ nhiệm các Đoàn Luật sư …": a board names the bodies it governs
            continue
        if low in ("các", "những") and (t.match(i + 1, GROUP) or _place(t, i + 1)):
            group = True  # "Thủ trưởng các sở, ban, ngành", "UBND các xã, thị trấn"
            i += 1 + (t.match(i + 1, GROUP) or _place(t, i + 1))
            continue
        if group and low == "khác":
            i += 1  # "các thành viên khác", "các cơ quan khác"
            continue
        k = _place(t, i) or t.match(i, QUALS)
        if k:
            i += k
            continue
        if (group or t.low[i - 1] in HOLDER_TAILS) and t.match(i, GROUP):
            i += t.match(i, GROUP)  # "Thủ trưởng sở, ngành tỉnh"
            continue
        if t.noun[i] and w.isalpha() and not group and all(not capital(x) for x in t.words[head_end:i]):
            i += 1  # a descriptive name in lower case: "Trung tâm dịch vụ kỹ thuật nông nghiệp"
            continue
        tail = _lower_name_tail(t, i, head_end, group)
        if tail:
            i = tail  # "Phòng Tài nguyên môi trường", "các cơ quan truyền thông, báo chí"
            continue
        placed = _lower_nouns_then_place(t, i, head_start)
        if placed:
            i = placed  # "Trung tâm Phục vụ hành chính công tỉnh": its level word closes the name
            continue
        return i
    return i


def agency_at(text: str, at: int = 0, tagger: Tagger | None = None) -> Span | None:
    """The agency phrase starting exactly at character `at`, if one does."""
    spans = agency_list(text, at, tagger)
    return spans[0] if spans else None


def agency_list(text: str, at: int = 0, tagger: Tagger | None = None, tokens: Tokens | None = None) -> list[Span]:
    """'Sở Nội vụ, Sở Tài chính và UBND các xã …' at character `at`: its agencies, in order; [] if
    no agency starts there."""
    if tokens is None:
        # Names are short: tag a window, not the whole text (a 300 kB line must stay linear).
        window = text[at:at + _WINDOW]
        return [Span(s.start + at, s.end + at, s.text) for s in agency_list(window, 0, tagger, Tokens(window, tagger))]
    t = tokens
    i = next((k for k, s in enumerate(t.starts) if s >= at), len(t.words))
    if i == len(t.words) or t.starts[i] - at > 1:
        return []
    out: list[Span] = []
    ranges: list[tuple[int, int]] = []
    while i < len(t.words):
        h = _head(t, i)
        if not h:
            break
        group = t.low[i] in DETERMINERS
        end = _extend(t, i + h, group, i)
        while end > i + h and t.words[end - 1] in (",", "-", "–", "—", "&") or end > i + 1 and t.low[end - 1] == "và":
            end -= 1
        out.append(Span(t.starts[i], t.ends[end - 1], text[t.starts[i]:t.ends[end - 1]]))
        ranges.append((i, end))
        # separators: ",", ";", "và", "cùng", "cùng với"
        j = end
        while j < len(t.words) and (t.words[j] in (",", ";") or t.low[j] in ("và", "cùng", "với")):
            j += 1
        if j == end or not _starts_agency(t, j):
            break
        i = j
    return _distributed(t, text, out, ranges)


def _heads_end(t: Tokens, i: int, end: int) -> int:
    """Index past the chain of head words at i ("Bí thư Đảng ủy", "Chủ tịch UBND")."""
    while i < end:
        k = t.match(i, HOLDER) or t.match(i, ORG)
        if not k or t.match(i, NAMED) == k:
            break
        i += k
    return i


def _distributed(t: Tokens, text: str, spans: list[Span], ranges: list[tuple[int, int]]) -> list[Span]:
    """"Bí thư Đảng ủy, Chủ tịch UBND các xã, thị trấn": the bare heads before the last item share its
    scope ("các xã, thị trấn", "tỉnh"), as a reader takes them: two office holders of each commune."""
    if len(spans) < 2:
        return spans
    last_start, last_end = ranges[-1]
    scope = _heads_end(t, last_start, last_end)
    if scope in (last_start, last_end) or not (t.low[scope] in DETERMINERS or _place(t, scope)):
        return spans
    suffix = text[t.starts[scope]:t.ends[last_end - 1]]
    out = list(spans)
    for n in range(len(spans) - 2, -1, -1):
        start, end = ranges[n]
        if _heads_end(t, start, end) != end:
            break
        out[n] = Span(spans[n].start, spans[n].end, f"{spans[n].text} {suffix}")
    return out


def bare_head(name: str) -> bool:
    """"Trung tâm", "Ban", "Hội đồng": a body's head alone, which refers back to a body named in full."""
    t = Tokens(name.strip(), None)
    return bool(t.words) and t.match(0, ORG) == len(t.words)


def find_agencies(text: str, tagger: Tagger | None = None) -> list[Span]:
    """Every agency phrase in a text, left to right."""
    t = Tokens(text, tagger)
    out, i = [], 0
    while i < len(t.words):
        if _starts_agency(t, i) and (i == 0 or not t.words[i - 1].isalpha() or not capital(t.words[i - 1])):
            spans = agency_list(text, t.starts[i], tokens=t)
            if spans:
                out.extend(spans)
                i = next((k for k, s in enumerate(t.starts) if s >= spans[-1].end), len(t.words))
                continue
        i += 1
    return out


@lru_cache(maxsize=8192)   # asked of every duty's actor on each "Văn bản nào gửi …?": few names, many duties
def led_body(name: str) -> str | None:
    """The body an office holder leads: "Giám đốc Sở Tư pháp" -> "Sở Tư pháp", "Chánh Văn phòng
    UBND tỉnh" -> "Văn phòng UBND tỉnh", "Chủ tịch UBND các xã" -> "UBND các xã"; None when `name`
    is not a holder of a named body ("Sở Tư pháp", "Giám đốc")."""
    t = Tokens(name.strip(), None)
    title = t.match(0, HOLDER)
    if not title or title >= len(t.words):
        return None
    start = 1 if title > 1 and t.match(1, ORG) else title   # "Chánh | Văn phòng …", "Chánh | Thanh tra …"
    body = name.strip()[t.starts[start]:]
    span = agency_at(body, 0)
    return body if span is not None and span.end >= len(body.rstrip()) else None


# "Giám đốc các Sở: Y tế, Tài chính, Nội vụ": one head, many departments of a province or district
_ENUMERATED = re.compile(r"^(?P<holder>(?:[^\W\d_]+\s+){0,3}?)các\s+(?P<kind>Sở|Phòng)\s*:\s*(?P<items>[^:;]+)$",
                         re.IGNORECASE)


def enumerated(name: str, known=lambda name: False) -> list[str]:
    """The departments a name lists after its kind and a colon, each named whole: "Giám đốc các Sở: Y
    tế, Tài chính, Giáo dục và Đào tạo" -> "Giám đốc Sở Y tế", "Giám đốc Sở Tài chính", "Giám đốc Sở
    Giáo dục và Đào tạo". Split at commas only ("và" is inside many names), and not inside a name
    `known(name)` knows with a comma ("Sở Văn hóa, Thể thao và Du lịch"); [name] otherwise."""
    m = _ENUMERATED.match(name.strip())
    if not m:
        return [name]
    kind = m.group("kind").capitalize()
    # "… Tài chính và các ông, bà có tên tại Điều 1": what follows "và các" is another group, named apart
    listed, *others = re.split(r"\s+và\s+(?=(?:các|những)\s)", m.group("items"), maxsplit=1)
    items: list[str] = []
    for item in (i.strip(" .") for i in listed.split(",")):
        if items and known(f"{kind} {items[-1]}, {item}"):
            items[-1] = f"{items[-1]}, {item}"
        elif item:
            items.append(item)
    if len(items) < 2 or any(len(i.split()) > 8 for i in items):
        return [name]
    return [f"{m.group('holder')}{kind} {item}" for item in items] + [o.strip(" .") for o in others]
