"""What became of a province in the 2025 reorganisation (pure): "Đắk Nông sáp nhập vào tỉnh nào?",
"Tỉnh Bình Thuận bây giờ là tỉnh nào?", "Tỉnh Lâm Đồng mới gồm những tỉnh nào?". Answered from the
reorganisation data the province filter and the duty table use (the vietnamadminunits package: 63
provinces became 34 from 01/07/2025), and said to be that: no loaded directive is cited for it, and
the loaded documents of the provinces concerned are counted."""
from __future__ import annotations

import re

from assistant.prompts import render
from core.text import folded_words
from core.types import Answer, Header
from ingest.header import PROVINCES
from ingest.provinces import current_province, province_key, same_province

# asking what a province became, or what one is made of
_ASKS = re.compile(r"\b(?:sap nhap|hop nhat|nhap vao|nay la|nay thuoc|bay gio (?:la|thuoc)|hien nay (?:la|thuoc)|"
                   r"thuoc tinh nao|tro thanh|doi thanh|gom nhung tinh nao|gom cac tinh nao|con ton tai)\b")


# a body named in the question is what it asks about ("Sở Nội vụ tỉnh Lâm Đồng hợp nhất những phòng nào?")
_BODY = re.compile(r"\b(?:Sở|Ban|Phòng|Trung tâm|Đoàn|Hội|Chi cục|Cục|Công an|Văn phòng|Bộ)\b")


def province_reorganised(question: str, headers: dict[str, Header]) -> Answer | None:
    """Each province the question names with what it is part of today, or what it is made of;
    None when the question asks neither, names no province or asks about a body."""
    q = f" {folded_words(question)} "
    if not _ASKS.search(q) or _BODY.search(question):
        return None
    named = [p for p in PROVINCES if f" {folded_words(p)} " in q and current_province(p)]
    lines = []
    for name in named:
        today = current_province(name)
        members = sorted(p for p in PROVINCES
                         if current_province(p) == today and province_key(p) != province_key(today))
        own = str(sum(1 for h in headers.values() if h.province and province_key(h.province) == province_key(name)))
        if province_key(today) != province_key(name):
            others = [p for p in members if province_key(p) != province_key(name)]
            lines.append(render("province_merged", old=name, new=today, loaded=own,
                                others=f" (cùng {', '.join(others)})" if others else ""))
        elif members:   # the documents of the provinces merged into it count as its own
            lines.append(render("province_made_of", new=today, members=", ".join(members),
                                loaded=str(sum(1 for h in headers.values() if same_province(h.province, today)))))
        else:
            lines.append(render("province_kept", new=today, loaded=own))
    if not lines:
        return None
    return Answer(question=question, text="\n".join(lines) + "\n" + render("province_source"), refused=False)


# a body of the district level, gone since 01/07/2025: "UBND huyện Krông Nô", "Phòng Tài chính - Kế hoạch
# huyện", "Chủ tịch UBND các huyện, thị xã", "cấp huyện"
_DISTRICT_BODY = re.compile(r"\b(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân|HĐND|Hội đồng nhân dân|Chủ tịch|Phòng|"
                            r"Văn phòng|Công an|Ban Chỉ huy Quân sự|Trung tâm)\b(?:\s+[^\s?,.;:]+){0,6}?\s+"
                            r"(?:các\s+)?(?:cấp\s+)?(?:huyện|quận|thị xã)\b", re.IGNORECASE)


_ASKS_OF = re.compile(r"(?:\s+[A-ZĐÀ-Ỹ][^\s?,.;:]*){0,3}\s+(?:yêu cầu|giao|đề nghị|chỉ đạo|giao cho)\b")


def district_note(question: str) -> str:
    """"Lưu ý: từ ngày 01/07/2025 không còn cấp huyện …" for a question about a district-level body,
    whose duties older directives still give; "" for any other question."""
    m = _DISTRICT_BODY.search(question)
    if not m or _ASKS_OF.match(question[m.end():]):   # "UBND huyện yêu cầu các xã …": the district asks, not asked
        return ""
    return render("district_note", body=m.group(0))
