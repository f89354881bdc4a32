"""Which retrieved clauses an extractive answer shows first (pure): for "… trước ngày nào?" and
"… bao nhiêu?" the ones that hold a date or a figure of the kind asked; for "Ai là Trưởng ban …?"
the ones that name that title itself, not only its deputy ("Phó Trưởng ban")."""
from __future__ import annotations

import re

from assistant.answerability import asks_for_a_figure, holds_the_figure
from core.text import folded_words
from core.types import Hit

# titles of office as a question names them; "Phó …" before one is its deputy's
TITLES = ("truong ban", "truong phong", "giam doc", "chu tich", "chanh van phong", "to truong", "chanh thanh tra",
          "bi thu", "thu truong", "cuc truong", "vu truong", "hieu truong", "chanh an", "vien truong",
          "chi huy truong", "tong bien tap", "truong doan", "truong tieu ban", "chu nhiem", "tong giam doc")


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


def title_first(question: str, hits: list[Hit], k: int = 10) -> list[Hit]:
    """'Ai là Trưởng ban Ban Chỉ đạo …?': among the first k clauses, those that name the title the
    question asks for by itself come before those that only name its deputy ('Phó Trưởng ban');
    the rest keep their order. A question that asks for the deputy is left alone."""
    q = f" {folded_words(question)} "
    title = next((t for t in TITLES if f" {t} " in q and f" pho {t} " not in q), None)
    if title is None or not hits:
        return hits
    bare = re.compile(rf"(?<!\bpho )\b{title}\b")
    top = hits[:k]
    named = [h for h in top if bare.search(folded_words(h.chunk.text))]
    if not named or named[0] is top[0]:
        return hits
    ids = {h.chunk.chunk_id for h in named}
    return named + [h for h in hits if h.chunk.chunk_id not in ids]
