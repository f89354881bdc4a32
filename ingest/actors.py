"""Who must act on a clause: from its headings ("3. Giao Sở Nội vụ"), an inline assignment
("Giao X chủ trì …", "Yêu cầu X …", "X phối hợp với …"), or else the document's addressees."""
from __future__ import annotations

import re

_MARKER = re.compile(r"^(?:[IVX]+[.)]|\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ]\)|[-•+–*])\s*")
_LEAD = re.compile(r"^(?:Giao|Yêu cầu|Đề nghị|Đối với|Trách nhiệm của)\s+", re.IGNORECASE)
AGENCY_START = re.compile(
    r"^(?:Sở|Ban|Báo|Đài|Văn phòng|VP|UBND|Ủy ban|Uỷ ban|Chủ tịch|Thủ trưởng|Thủ tướng|Giám đốc|Công an|Bộ|Cục|"
    r"Thanh tra|Kho bạc|Hội đồng|HĐND|Các|Người đứng đầu|Cán bộ|Trung tâm|Phòng|Chi cục|Cơ quan|"
    r"Bộ Chỉ huy|Liên đoàn|Mặt trận|Tỉnh đoàn|Đoàn|Hội|Trường|Bệnh viện)\b")
# Verbs that end the actor phrase: "Sở Nội vụ chủ trì, phối hợp …".
_VERB = re.compile(r"\s+(?:chủ trì|phối hợp|thực hiện|có trách nhiệm|chịu trách nhiệm|chủ động|tham mưu|"
                   r"theo dõi|tổ chức|triển khai|khẩn trương|nghiêm túc|tiếp tục|tăng cường|thường xuyên|"
                   r"căn cứ|hướng dẫn|kiểm tra|báo cáo|rà soát|xây dựng|phát huy|khi|nếu|phải|sẽ|có biện pháp)\b")


def _strip_marker(line: str) -> str:
    return _MARKER.sub("", line.strip()).strip()


def actor_from_heading(heading: str) -> str | None:
    """'3. Giao Sở Nội vụ' -> 'Sở Nội vụ'; '2. Đối với cán bộ, công chức …' -> 'cán bộ, công chức …'."""
    text = _strip_marker(heading).rstrip(":").strip()
    lead = _LEAD.match(text)
    rest = _LEAD.sub("", text) if lead else text
    verb = _VERB.search(rest)
    if verb:
        rest = rest[:verb.start()]
    rest = rest.strip(" ,;:")
    if not rest or len(rest.split()) > 40:
        return None
    if lead or (AGENCY_START.match(rest) and not text.endswith((".", ";"))):
        return rest
    return None


def actor_inline(text: str) -> str | None:
    """An actor named at the start of the clause itself."""
    text = text.strip()
    lead = _LEAD.match(text)
    if lead and lead.group(0).lower().startswith(("giao", "yêu cầu", "đề nghị")):
        rest = text[lead.end():]
        verb = _VERB.search(rest)
        if verb and verb.start() < 200:
            return rest[:verb.start()].strip(" ,;")
    if AGENCY_START.match(text):
        verb = _VERB.search(text)
        if verb and 0 < verb.start() < 200 and len(text[:verb.start()].split()) <= 25:
            return text[:verb.start()].strip(" ,;")
    return None


def actor_of(text: str, headings: tuple[str, ...], addressees: tuple[str, ...], kind: str) -> str | None:
    """The agency responsible for a clause, or None for clauses that assign nothing."""
    found = actor_inline(text)
    if found:
        return found
    for heading in reversed(headings):
        found = actor_from_heading(heading)
        if found:
            return found
    if kind == "clause" and addressees:
        return "; ".join(addressees)
    return None
