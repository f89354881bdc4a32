"""Which retrieved clauses an extractive answer shows first (pure): for "… trước ngày nào?" and
"… bao nhiêu?" the ones that hold a date or a figure of the kind asked; for "Ai là Trưởng ban …?"
the ones that name that title itself, not only its deputy ("Phó Trưởng ban"); for "Ai chủ trì …?"
and "… do ai thẩm định?" the ones whose duties are that act."""
from __future__ import annotations

import re

from assistant.answerability import asks_for_a_figure, holds_the_figure
from core.text import fold, folded_words
from core.types import Duty, Hit

# titles of office as a question names them; "Phó …" before one is its deputy's
TITLES = ("truong ban", "truong phong", "giam doc", "chu tich", "chanh van phong", "to truong", "chanh thanh tra",
          "bi thu", "thu truong", "cuc truong", "vu truong", "hieu truong", "chanh an", "vien truong",
          "chi huy truong", "tong bien tap", "truong doan", "truong tieu ban", "chu nhiem", "tong giam doc")

# "Ai chủ trì …", "… do ai thẩm định?", "Cơ quan nào phải báo cáo …": the act asked about follows the
# who-word, after words of obligation; "Ai là …" asks for a person, not an act
_WHO_ACTS = re.compile(r"\b(?:ai|(?:co quan|don vi|so|nganh|bo phan|to chuc) nao)\s+(?=(.+))")
_OBLIGED = re.compile(r"^(?:(?:se|can|phai|duoc giao|duoc|co trach nhiem|chiu trach nhiem|dang|nen)\s+)+")
# an act that is a duty's role: matched on the role the duty table gives (its text may say it otherwise)
_ROLE_ACTS = {"chu tri": "chủ trì", "phoi hop": "phối hợp", "tham muu": "tham mưu", "theo doi": "theo dõi, đôn đốc",
              "don doc": "theo dõi, đôn đốc", "bao cao": "báo cáo"}


def asked_act(question: str) -> str | None:
    """The act a who-question asks about, as its first two words unaccented ('chu tri', 'tham dinh'),
    or None ('Ai là Trưởng ban …?', not a who-question). The last who-word that an act follows
    counts: in 'Đề án AI do ai chủ trì?' the first 'ai' is the acronym."""
    for match in reversed(list(_WHO_ACTS.finditer(folded_words(question)))):
        words = _OBLIGED.sub("", match.group(1)).split()
        if words and words[0] == "la":
            return None
        if len(words) >= 2:
            return " ".join(words[:2])
    return None


def acting_first(question: str, hits: list[Hit], duties_of, relative_floor: float, k: int = 10) -> list[Hit]:
    """'Ai chủ trì tổ chức kiểm tra …?': among the first k clauses within the answerer's relative
    floor of the best score, those with a duty of the act asked (its role in the duty table, or the
    act in its action) come first; the rest keep their order. `duties_of(chunk_id)`: a clause's duties."""
    act = asked_act(question)
    if act is None or not hits:
        return hits
    role = _ROLE_ACTS.get(act)

    def does_it(duty: Duty) -> bool:
        return duty.role == role or f" {act} " in f" {folded_words(duty.action)} "

    floor = relative_floor * hits[0].score
    acting = [h for h in hits[:k] if h.score >= floor and any(does_it(d) for d in duties_of(h.chunk.chunk_id))]
    if not acting or acting[0] is hits[0]:
        return hits
    ids = {h.chunk.chunk_id for h in acting}
    return acting + [h for h in hits if h.chunk.chunk_id not in ids]


# "Văn bản gửi những ai?", "Nơi nhận gồm …": what asks for a document's recipients
_ASKS_RECIPIENTS = re.compile(r"\b(gui|noi nhan|nhan duoc|chuyen|dong gui|luu)\b")


# an appendix's caption, all of its clause: "(Kèm theo Quyết định số /QĐ-UBND ngày tháng 12 năm 2025"
_CAPTION = re.compile(r"^\(?\s*(?:ban hành\s+)?kèm theo\b[^()]*\)?\s*\.?$", re.IGNORECASE)


def asides_last(question: str, hits: list[Hit]) -> list[Hit]:
    """A document's "Nơi nhận" block names many bodies in few words, so it scores high on any
    question naming one of them, and an appendix's caption ("(Kèm theo Quyết định số … ngày …)")
    on any naming the document: neither says anything of the matter. Both are shown after every
    other clause; the recipients keep their rank when the question asks whom a document went to."""
    recipients = not _ASKS_RECIPIENTS.search(folded_words(question))

    def aside(hit: Hit) -> bool:
        return (recipients and hit.chunk.kind == "recipients") or bool(_CAPTION.match(hit.chunk.text.strip()))

    return [h for h in hits if not aside(h)] + [h for h in hits if aside(h)]


def figure_first(question: str, hits: list[Hit], k: int, relative_floor: float, deadline_of=None) -> list[Hit]:
    """'… trước ngày nào?', '… bao nhiêu?': among the clauses an answer shows first (the top k
    within the answerer's relative floor of the best score), those holding a date or a figure of
    the kind asked come first; the rest keep their order. `deadline_of(chunk_id)`: the deadline the
    duty table gives a clause's duties (from its section: "Trong tháng 12/2025, … các nhiệm vụ sau:"),
    which holds a time as well as the clause's own words."""
    if not hits or not asks_for_a_figure(question) or hits[0].chunk.kind in ("header", "signature"):
        return hits   # "… ban hành năm nào?": the header put first answers it, dated or not
    floor = relative_floor * hits[0].score
    holding = [h for h in hits[:k] if h.score >= floor and (holds_the_figure(question, h.chunk.text) or (
        deadline_of is not None and holds_the_figure(question, deadline_of(h.chunk.chunk_id))))]
    if not holding or holding[0] is hits[0]:
        return hits
    ids = {h.chunk.chunk_id for h in holding}
    return holding + [h for h in hits if h.chunk.chunk_id not in ids]


def asks_title_holder(question: str) -> bool:
    """'… do ai làm Trưởng ban?', 'Chủ tịch Hội đồng là ai?': who holds a title of office."""
    q = f" {folded_words(question)} "
    return " ai " in q and any(f" {t} " in q for t in TITLES)


def title_first(question: str, hits: list[Hit], k: int = 10) -> list[Hit]:
    """'Ai là Trưởng ban Ban Chỉ đạo …?': among the first k clauses, those that give the title the
    question asks for to someone ("Chủ tịch UBND tỉnh, Trưởng Ban Chỉ đạo.", "Trưởng ban: Ông …",
    "… làm Trưởng ban") come first, then those that only name it ("theo yêu cầu của … Trưởng Ban Chỉ
    đạo"), before those that name only its deputy ('Phó Trưởng ban'); the rest keep their order. A
    question that asks for the deputy is left alone."""
    q = f" {folded_words(question)} "
    title = next((t for t in TITLES if f" {t} " in q and f" pho {t} " not in q), None)
    if title is None or not hits:
        return hits
    bare = re.compile(rf"(?<!\bpho )\b{title}\b")
    top = hits[:k]
    named = [h for h in top if bare.search(folded_words(h.chunk.text))]
    holding = [h for h in named if gives_title(h.chunk.text, title)]
    named = holding + [h for h in named if h not in holding]
    if not named or named[0] is top[0]:
        return hits
    ids = {h.chunk.chunk_id for h in named}
    return named + [h for h in hits if h.chunk.chunk_id not in ids]


def gives_title(text: str, title: str) -> bool:
    """Whether a clause gives the title (folded, as in TITLES) to someone: a list line that ends in
    it after a comma ("Chủ tịch UBND tỉnh, Trưởng Ban Chỉ đạo."), its label ("Trưởng ban: Ông …"), or
    "làm/là Trưởng ban"; not its deputy ("Phó …"), nor a title named as whose request it is
    ("theo yêu cầu của UBND tỉnh, Trưởng Ban Chỉ đạo")."""
    t = " ".join(fold(text).lower().split())
    for m in re.finditer(rf"(?<!\bpho )\b{title}\b", t):
        before, after = t[:m.start()].rstrip(), t[m.end():]
        if after.lstrip().startswith(":") or re.search(r"\b(?:lam|la|giu chuc)$", before):
            return True
        line = re.split(r"[.;:]\s", before)[-1]   # the sentence or list line the title ends
        if before.endswith(",") and len(line) <= 100 and not re.search(r"\b(?:cua|theo|voi|cho)\b", line):
            return True
    return False


# "… tổ chức ở đâu?", "Họp tại đâu?": where a meeting or an event takes place
_ASKS_PLACE = re.compile(r"\b(?:o dau|tai dau|noi nao|dia diem nao|dia diem o dau)\b")
# how a directive says where: "Địa điểm: …", "tổ chức tại …", "tại Hội trường / Trụ sở / điểm cầu …"
_GIVES_PLACE = re.compile(r"\bĐịa điểm\b\s*(?:tổ chức|họp)?\s*:|\b(?:tổ chức|họp|diễn ra)\s+tại\b|"
                          r"\btại\s+(?:Hội trường|Trụ sở|Phòng họp|điểm cầu)\b", re.IGNORECASE)

_PLACE_LABEL = re.compile(r"Địa điểm\b\s*(?:tổ chức|họp)?\s*:", re.IGNORECASE)


def asks_place(question: str) -> bool:
    return bool(_ASKS_PLACE.search(folded_words(question)))


def place_first(hits: list[Hit], places: list[Hit], k: int = 10) -> list[Hit]:
    """'Hội nghị … tổ chức ở đâu?': the clauses that say where ("Địa điểm: …", "tổ chức tại …") among
    the first k of `places` (the same question searched with the word "địa điểm", which the
    question's own words do not share with such a clause) come first; the rest keep their order."""
    placed = [h for h in places[:k] if _GIVES_PLACE.search(h.chunk.text)]
    if not placed:
        return hits
    placed.sort(key=lambda h: not _PLACE_LABEL.match(h.chunk.text.strip()))   # "Địa điểm: …" itself first
    ids = {h.chunk.chunk_id for h in placed}
    return placed + [h for h in hits if h.chunk.chunk_id not in ids]
