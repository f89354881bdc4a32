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
from collections.abc import Callable
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+(?:[&'’.]\w+)*|[^\w\s]")
# Heads, longest first when matched. Lower-case in the text they need a capitalised name after them
# ("phòng Y tế"), so that "phòng học" or "ban hành" never start an agency.
_ORG_HEADS = (
    "bộ chỉ huy quân sự", "bộ chỉ huy", "ủy ban nhân dân", "ủy ban mặt trận tổ quốc", "ủy ban", "ubnd", "hđnd",
    "hội đồng nhân dân", "hội đồng", "văn phòng", "vp", "chi cục", "tổng cục", "cục", "trung tâm", "thanh tra",
    "công an", "kho bạc nhà nước", "kho bạc", "sở", "ban", "phòng", "đài", "báo", "bộ", "hạt", "đội", "tổ", "hội",
    "liên đoàn", "liên minh", "mặt trận", "tỉnh đoàn", "huyện đoàn", "đoàn", "công ty", "tập đoàn", "ngân hàng",
    "bảo hiểm xã hội", "bhxh", "thuế", "chi nhánh", "trường", "bệnh viện", "viện kiểm sát", "viện", "tòa án",
    "đảng ủy", "quỹ", "bchqs", "vpđkđđ", "ttpvhcc", "ban chỉ đạo", "bcđ", "tòa soạn", "đài phát thanh",
    "mặt trận tổ quốc", "tổ giúp việc", "tổ công tác", "tổ thư ký", "ban quản lý",
)
# Bodies found in every province whose names hold verbs ("đầu tư", "phát triển", "đăng ký"), so that
# a name never ends at them: "Ban Quản lý dự án đầu tư xây dựng số 1 chủ trì …". Whole names, not heads
# that share a list's scope.
_NAMED_BODIES = (
    "ban quản lý dự án đầu tư xây dựng", "ban quản lý dự án", "trung tâm phát triển quỹ đất",
    "văn phòng đăng ký đất đai", "trung tâm kiểm soát bệnh tật", "ban tiếp công dân", "chi cục quản lý thị trường",
    "đội quản lý thị trường", "ban quản lý khu kinh tế", "trung tâm xúc tiến đầu tư",
)
_HOLDER_HEADS = (
    "phó giám đốc", "giám đốc", "phó chủ tịch", "chủ tịch", "phó bí thư", "phó trưởng phòng", "phó thủ trưởng",
    "thủ trưởng", "chánh văn phòng", "chánh thanh tra",
    "phó trưởng ban", "trưởng ban", "trưởng phòng", "hiệu trưởng", "chỉ huy trưởng", "người đứng đầu", "bí thư",
    "tổng biên tập", "thủ tướng", "bộ trưởng", "chánh án", "viện trưởng", "tổ trưởng", "trưởng", "lãnh đạo",
)
# Nouns that name an accountable group after "các" ("các sở, ban, ngành", "các đơn vị có liên quan").
_GROUP_NOUNS = (
    "sở", "bộ", "ban", "ngành", "cơ quan", "đơn vị", "địa phương", "tổ chức", "doanh nghiệp", "hội", "đoàn thể",
    "phòng", "xã", "phường", "thị trấn", "huyện", "tỉnh", "thành phố", "thành viên", "đại biểu", "chủ đầu tư",
    "nhà đầu tư", "cấp", "trường", "cơ sở", "ủy viên", "đồng chí", "ông", "bà", "bộ phận", "đặc khu", "quận",
    "lực lượng", "phương tiện", "hợp tác xã", "tập thể", "cán bộ", "công chức", "viên chức", "người lao động",
    "khu công nghiệp", "khu kinh tế", "khu chế xuất", "dự án",  # "Ban Quản lý các khu công nghiệp …"
)
_BARE_GROUPS = ("nhà đầu tư", "chủ đầu tư", "cơ quan", "đơn vị", "doanh nghiệp", "cán bộ, công chức")
# Words that go on naming the agency though written in lower case.
_PLACE = ("tỉnh", "huyện", "xã", "phường", "thị trấn", "thị xã", "thành phố", "đặc khu", "quận", "cấp tỉnh",
          "cấp huyện", "cấp xã", "trung ương", "khu vực", "số")
_QUALIFIERS = ("có tên tại", "có tên trong", "có tên", "có liên quan", "liên quan", "trực thuộc", "thuộc",
               "lâm thời", "trên địa bàn", "đóng trên địa bàn", "chuyên môn", "ngang bộ", "ngang sở", "ngành dọc",
               "cùng cấp", "được kiểm tra", "chức năng", "được giao", "nhà nước")
# "Đoàn Luật sư tỉnh Bình Thuận (cũ)": a body named before or after a merger.
_TIME_QUALIFIERS = {"cũ", "mới", "trước đây", "trước sáp nhập", "sau sáp nhập", "sau hợp nhất", "nay"}
# Words after which ", huyện, thị xã" or ", ngành" goes on listing the same kind of body.
_LIST_TAILS = {"sở", "ban", "ngành", "huyện", "xã", "tỉnh", "phường", "thị trấn", "thị xã", "thành phố", "đơn vị",
               "cơ quan", "địa phương", "đặc khu", "quận", "trấn", "phố", "khu", "quan", "vị", "phương", "chức", "bộ"}
_HOLDER_TAILS = {"trưởng", "đốc", "tịch", "đạo"}  # "Thủ trưởng sở", "Giám đốc sở", "Chủ tịch xã", "lãnh đạo sở"
_OFFICE_BODIES = {"hđnd", "ubnd", "đoàn", "ủy", "hội"}  # bodies a shared Văn phòng serves
_WINDOW = 400  # characters looked at for one list of agencies
_DETERMINERS = ("các", "những", "toàn thể", "từng", "mỗi")
_NOUN_TAGS = {"N", "Np", "Nc", "Ny", "Nu", "M", "Nb"}
# The fields of provincial departments (Nghị định 45/2025/NĐ-CP and before) and district offices, read
# whole after "Sở"/"Phòng" however cased or joined ("Phòng nông nghiệp và phát triển nông thôn huyện",
# "phòng Tài nguyên & Môi trường"): their "và" and dashes are not list separators.
_FIELDS = (
    "nội vụ", "tư pháp", "tài chính", "công thương", "nông nghiệp và môi trường", "xây dựng", "khoa học và công nghệ",
    "văn hóa, thể thao và du lịch", "giáo dục và đào tạo", "y tế", "ngoại vụ", "dân tộc và tôn giáo", "du lịch",
    "kế hoạch và đầu tư", "thông tin và truyền thông", "lao động - thương binh và xã hội",
    "nông nghiệp và phát triển nông thôn", "tài nguyên và môi trường", "giao thông vận tải", "tài chính - kế hoạch",
    "kinh tế - hạ tầng", "kinh tế, hạ tầng và đô thị", "kinh tế", "văn hóa và thông tin", "văn hóa - xã hội",
    "văn hóa, khoa học và thông tin", "quản lý đô thị", "dân tộc",
)
_FIELD_HEADS = {"sở", "phòng"}
_FIELD_GLUE = {"và", "-", "–", "—", "&", ","}
# Nouns that are what a body is given or asked for, never a part of its name.
_OBJECT_NOUNS = {"nhiệm vụ", "kế hoạch", "văn bản", "công văn", "kết quả", "hồ sơ", "kinh phí", "báo cáo", "nội dung",
                 "thời gian", "thời hạn", "ý kiến", "tài liệu", "số liệu", "danh sách", "dự thảo", "dự toán",
                 "chương trình", "đề án", "quy định", "phương án", "giải pháp", "tình hình", "công tác", "trách nhiệm"}

Tagger = Callable[[str], list[tuple[str, str]]]


@dataclass(frozen=True)
class Span:
    """An agency phrase at text[start:end]; `text` is that slice, or it with a list's shared scope
    added ("Bí thư Đảng ủy" + " các xã, thị trấn")."""
    start: int
    end: int
    text: str


Phrases = dict[str, list[tuple[str, ...]]]  # first word -> the phrases starting with it, longest first


def _phrases(words: tuple[str, ...]) -> Phrases:
    out: Phrases = {}
    for phrase in sorted((tuple(_TOKEN.findall(w)) for w in words), key=len, reverse=True):
        out.setdefault(phrase[0], []).append(phrase)
    return out


_FIELD_WORDS = sorted((tuple(w for w in _TOKEN.findall(f) if w not in _FIELD_GLUE) for f in _FIELDS),
                      key=len, reverse=True)
_ORG = _phrases(_ORG_HEADS + _NAMED_BODIES)
_NAMED = _phrases(_NAMED_BODIES)
_HOLDER = _phrases(_HOLDER_HEADS)
_GROUP = _phrases(_GROUP_NOUNS)
_PLACES = _phrases(_PLACE)
_QUALS = _phrases(_QUALIFIERS)
_BARE = _phrases(_BARE_GROUPS)
# The syntax of an assignment ends a name even where a tagger calls the word a noun ("chủ trì").
_ROLES = _phrases(("chủ trì", "phối hợp", "tham mưu", "thực hiện", "có trách nhiệm", "chịu trách nhiệm", "chủ động",
                   "tổ chức", "triển khai", "theo dõi", "báo cáo", "xây dựng", "cập nhật", "kiểm tra", "hướng dẫn"))


def _low(word: str) -> str:
    return word.lower().replace("uỷ", "ủy").replace("toà", "tòa")


def _capital(word: str) -> bool:
    return word[:1].isupper() or (any(c.isupper() for c in word) and word.isalnum())


class Tokens:
    """A text's words with offsets, and what the tagger says of them: built once, queried often,
    tagged only when a question needs the tags (most sentences never name an agency)."""

    def __init__(self, text: str, tagger: Tagger | None):
        self.text = text
        found = list(_TOKEN.finditer(text))
        self.words = [m.group(0) for m in found]
        self.starts = [m.start() for m in found]
        self.ends = [m.end() for m in found]
        self.low = [_low(w) for w in self.words]
        self._tagger = tagger
        self._tags: tuple[list[bool], list[bool], list[str]] | None = None

    @property
    def noun(self) -> list[bool]:
        return self._tagged()[0]

    @property
    def joined(self) -> list[bool]:
        """True for a syllable that continues the previous one's word ("Tài chính")."""
        return self._tagged()[1]

    @property
    def first_tag(self) -> str | None:
        tags = self._tagged()[2]
        return tags[0] if tags else None

    def _tagged(self) -> tuple[list[bool], list[bool], list[str]]:
        if self._tags is None:
            self._tags = self._tag()
        return self._tags

    def _tag(self) -> tuple[list[bool], list[bool], list[str]]:
        n = len(self.words)
        if not self._tagger:
            # one lower-case syllable after a capitalised one continues it (Vietnamese words are mostly two)
            joined = [i > 0 and not _capital(w) and w.isalpha() and self.words[i - 1].istitle()
                      and self.words[i - 1].isalpha() for i, w in enumerate(self.words)]
            return [False] * n, joined, []
        noun, joined, tags = [False] * n, [False] * n, [""] * n
        # a capital at the start misleads the tagger into reading a name ("Tham mưu" as a noun)
        text = self.text[:1].lower() + self.text[1:] if self.text[:1].isupper() and not self.text[:2].isupper() \
            else self.text
        position, i = 0, 0
        for word, tag in self._tagger(text):
            at = text.find(word.split()[0], position)
            if at < 0:
                continue
            position = at + len(word)
            while i < n and self.starts[i] < at:
                i += 1
            k = 0
            while i < n and self.starts[i] < at + len(word):
                noun[i], joined[i], tags[i] = tag in _NOUN_TAGS, k > 0, tag
                i, k = i + 1, k + 1
        return noun, joined, tags

    def match(self, i: int, phrases: Phrases) -> int:
        """Number of tokens at i matching the longest phrase (0 if none)."""
        if i >= len(self.low):
            return 0
        for p in phrases.get(self.low[i], ()):
            if tuple(self.low[i:i + len(p)]) == p:
                return len(p)
        return 0


def _head(t: Tokens, i: int) -> int:
    """Tokens of an agency head starting at i (0 if none)."""
    if i >= len(t.words):
        return 0
    if t.low[i] in _DETERMINERS and i + 1 < len(t.words):
        n = t.match(i + 1, _GROUP) or t.match(i + 1, _ORG) or t.match(i + 1, _HOLDER)
        return 1 + n if n else 0
    n = t.match(i, _HOLDER)
    if n:
        nxt = i + n
        follows = nxt < len(t.words) and (_starts_agency(t, nxt) or t.match(nxt, _GROUP))  # "người đứng đầu cơ quan …"
        return n if _capital(t.words[i]) or follows else 0
    n = t.match(i, _ORG)
    if n and t.low[i:i + 2] == ["tổ", "chức"]:
        return 0  # "Tổ chức thực hiện", "TỔ CHỨC THỰC HIỆN": to organise, not a team
    if n:
        nxt = i + n
        if _capital(t.words[i]) and (n > 1 or nxt < len(t.words) and (_capital(t.words[nxt]) or t.match(nxt, _PLACES)
                                                                  or t.noun[nxt] and not t.joined[nxt])):
            return n  # "Sở Nội vụ", "Công an tỉnh", "Đài truyền thanh huyện" (a noun, not "Báo cáo")
        if nxt < len(t.words) and _capital(t.words[nxt]) and t.words[nxt].isalpha():
            return n  # "phòng Y tế", "sở Nội vụ"
        if _capital(t.words[i]) and t.low[i] == "báo" and t.low[nxt:nxt + 1] == ["và"] \
                and nxt + 1 < len(t.words) and _capital(t.words[nxt + 1]):
            return n  # "Báo và Phát thanh, Truyền hình Lâm Đồng": the provincial media merged in 2025
        if _capital(t.words[i]) and _one_noun_then_place(t, i, nxt):
            return n  # "Đài truyền thanh huyện": the tagger reads "Đài truyền thanh" as one noun
        if _capital(t.words[i]) and t.low[i] in ("ubnd", "hđnd", "vpđkđđ", "ttpvhcc", "bchqs", "bhxh", "bcđ"):
            return n
        return 0
    n = t.match(i, _BARE)
    return n if _capital(t.words[i]) else 0


def _one_noun_then_place(t: Tokens, head: int, nxt: int) -> bool:
    """The tagger made the head and the lowercase syllables after it one noun, and a level word
    ("huyện", "tỉnh", "xã") follows that noun."""
    end = nxt
    while end < len(t.words) and t.joined[end] and t.noun[end] and not _capital(t.words[end]):
        end += 1
    return end > nxt and t.noun[head] and bool(t.match(end, _PLACES))


def _inner_body_end(t: Tokens, i: int, head_end: int) -> int:
    """Index past a body's head phrase begun by a capitalised word just before i and running over
    it ("Đảng ủy", "Ủy ban nhân dân"), or 0."""
    for j in range(i - 1, max(head_end, i - 4) - 1, -1):
        k = t.match(j, _ORG)
        if k and j + k > i and _capital(t.words[j]):
            return j + k
    return 0


def _lower_nouns_then_place(t: Tokens, i: int, head_start: int) -> int:
    """Index past a run of up to four lower-case nouns and the level word that ends it, in a name
    that has no level word yet; 0 otherwise."""
    if any(t.match(k, _PLACES) for k in range(head_start, i)):
        return 0
    end = i
    while end < min(i + 4, len(t.words)) and t.noun[end] and t.words[end].isalpha() and not _capital(t.words[end]) \
            and not t.match(end, _PLACES) and not t.match(end, _ROLES):
        end += 1
    k = t.match(end, _PLACES) if end > i else 0
    return end + k if k else 0


def _lower_name_tail(t: Tokens, i: int, head_end: int, group: bool) -> int:
    """Index past lower-case words that go on naming the body ("Phòng Tài nguyên môi trường", "các
    cơ quan truyền thông"), or 0. Only whole nouns of two or more syllables count, and only where
    the name ends right after them (a separator, a role, a verb or the end), so that an object
    ("giao Sở Nội vụ nhiệm vụ …", "UBND tỉnh tháng 5") is not taken in."""
    if not t.noun[i] or t.joined[i] or _capital(t.words[i]):
        return 0
    if group and i != head_end:
        return 0  # "các cơ quan truyền thông", not "các đơn vị liên quan tổ chức"
    if not group and not any(_capital(x) for x in t.words[head_end:i]):
        return 0  # an all lower-case name is read by the descriptive-name rule
    end = i
    while end < len(t.words) and t.noun[end] and not _capital(t.words[end]) and t.words[end].isalpha() \
            and not t.match(end, _PLACES) and not t.match(end, _ROLES):
        k = end + 1
        while k < len(t.words) and t.joined[k]:
            k += 1
        if k - end < 2 or " ".join(t.low[end:k]) in _OBJECT_NOUNS:
            return 0
        end = k
    if end == i or end - i > 4:
        return 0
    after = t.low[end] if end < len(t.words) else ""
    closes = end == len(t.words) or after in (",", ";", ".", ":", ")", "và", "(") or t.match(end, _ROLES) \
        or (t._tagged()[2][end] or "").startswith("V") or t.match(end, _PLACES)
    return end if closes else 0


def _starts_agency(t: Tokens, i: int) -> bool:
    return _head(t, i) > 0


def _field_end(t: Tokens, i: int) -> int:
    """Index past a department's field starting at i, its glue words skipped ("Tài nguyên & Môi
    trường" = "tài nguyên và môi trường"), or 0."""
    for words in _FIELD_WORDS:
        k, matched = i, 0
        while k < len(t.low) and matched < len(words):
            if t.low[k] == words[matched]:
                matched, k = matched + 1, k + 1
            elif matched and t.low[k] in _FIELD_GLUE and k + 1 < len(t.low) and t.low[k + 1] == words[matched]:
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
    if t.low[head_start] in _FIELD_HEADS and i == head_start + 1:
        i = _field_end(t, i) or i
    while i < n:
        w, low = t.words[i], t.low[i]
        if t.match(i, _ROLES) and not t.joined[i] and not _capital(w):
            return i
        if w in (",", "–", "-", "—", "&") or low == "và":
            j = i + 1
            if low == "và" and i == head_start + 1 and t.low[head_start] == "báo" and j < n and _capital(t.words[j]):
                i = j  # "Báo và Đài Phát thanh, Truyền hình …": one body
                continue
            if j < n and t.low[head_start:head_start + 2] == ["văn", "phòng"] and t.low[j] in _OFFICE_BODIES \
                    and t.low[j] not in t.low[head_start:i]:
                i = j  # "Văn phòng HĐND và UBND huyện", "Văn phòng Đoàn ĐBQH, HĐND và UBND tỉnh": one office
                continue
            if j >= n or _starts_agency(t, j):
                return i  # a separator before a new agency
            if _capital(t.words[j]) and t.words[j].isalnum():
                i = j  # "Văn hóa, Thể thao và Du lịch"
                continue
            listing = group or t.low[i - 1] in _LIST_TAILS
            if w == "," and listing and (t.match(j, _GROUP) or t.match(j, _PLACES)):
                i = j + (t.match(j, _GROUP) or t.match(j, _PLACES))  # "các sở, ban, ngành", "các xã, thị trấn"
                continue
            return i
        if w == "(" and ")" in t.words[i:i + 12]:
            close = t.words.index(")", i)
            inner = t.low[i + 1:close]
            if all(_capital(x) or x.isdigit() or x in ",&-" for x in t.words[i + 1:close]) \
                    or " ".join(inner) in _TIME_QUALIFIERS or _starts_agency(t, i + 1):
                i = close + 1  # "(VCCI)", "(cũ)", "Văn phòng UBND tỉnh (Trung tâm Phục vụ hành chính công)"
                continue
            return i
        if _capital(w) or w.isdigit() or w == "&" or t.joined[i]:
            i += 1
            continue
        inner = _inner_body_end(t, i, head_end)
        if inner:
            i = inner  # "Bí thư Đảng ủy", "Ban Thường trực Ủy ban Mặt trận Tổ quốc": a body's name inside
            continue
        if low in ("các", "những") and (t.match(i + 1, _GROUP) or t.match(i + 1, _PLACES)):
            group = True  # "Thủ trưởng các sở, ban, ngành", "UBND các xã, thị trấn"
            i += 1 + (t.match(i + 1, _GROUP) or t.match(i + 1, _PLACES))
            continue
        k = t.match(i, _PLACES) or t.match(i, _QUALS)
        if k:
            i += k
            continue
        if (group or t.low[i - 1] in _HOLDER_TAILS) and t.match(i, _GROUP):
            i += t.match(i, _GROUP)  # "Thủ trưởng sở, ngành tỉnh"
            continue
        if t.noun[i] and w.isalpha() and not group and all(not _capital(x) for x in t.words[head_end:i]):
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
        group = t.low[i] in _DETERMINERS
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
        k = t.match(i, _HOLDER) or t.match(i, _ORG)
        if not k or t.match(i, _NAMED) == k:
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
    if scope in (last_start, last_end) or not (t.low[scope] in _DETERMINERS or t.match(scope, _PLACES)):
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
    return bool(t.words) and t.match(0, _ORG) == len(t.words)


def find_agencies(text: str, tagger: Tagger | None = None) -> list[Span]:
    """Every agency phrase in a text, left to right."""
    t = Tokens(text, tagger)
    out, i = [], 0
    while i < len(t.words):
        if _starts_agency(t, i) and (i == 0 or not t.words[i - 1].isalpha() or not _capital(t.words[i - 1])):
            spans = agency_list(text, t.starts[i], tokens=t)
            if spans:
                out.extend(spans)
                i = next((k for k, s in enumerate(t.starts) if s >= spans[-1].end), len(t.words))
                continue
        i += 1
    return out


_TAGGER: list = []


def default_tagger() -> Tagger | None:
    """underthesea's Vietnamese word segmenter and POS tagger (the 2023 VLSP CRF models bundled in the
    package, run by its Rust CRF), or None when underthesea is not installed. Chosen over the
    package's default `pos_tag` model: 2x faster here, and it tags "chủ trì", "rà soát" as verbs."""
    if not _TAGGER:
        _TAGGER.append(_load_tagger())
    return _TAGGER[0]


def _load_tagger() -> Tagger | None:
    import sys
    # underthesea's package __init__ imports its optional translation pipeline, which pulls in
    # transformers and torch (4 s of a cold `app.py ask`). We never translate: marking that module
    # absent makes the package skip it, as it skips any optional module that fails to import.
    sys.modules.setdefault("underthesea.pipeline.translate", None)
    try:  # heavy: imported on first use only
        import underthesea.pipeline.pos_tag as pos_package
        from underthesea import word_tokenize
        from underthesea.models.fast_crf_sequence_tagger import FastCRFSequenceTagger
    except ImportError:
        return None
    import os

    model = FastCRFSequenceTagger()
    model.load(os.path.join(os.path.dirname(pos_package.__file__), "models", "pos_crf_vlsp2013_20230303"))

    def tag(text: str) -> list[tuple[str, str]]:
        words = word_tokenize(text)
        return list(zip(words, (t[2:] for t in model.predict([[w] for w in words])))) if words else []

    return tag
