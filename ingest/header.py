"""Header and signature block of a Vietnamese administrative document.

Parses số/ký hiệu, place and date, document type, trích yếu, Kính gửi, province, signer and
signing title, Nơi nhận; and says where the body starts and ends so clauses exclude them.
"""
from __future__ import annotations

import re

from core.text import fold
from core.types import Header, Layout

PROVINCES = (
    "An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre",
    "Bình Định", "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cần Thơ", "Cao Bằng", "Đà Nẵng",
    "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam",
    "Hà Nội", "Hà Tĩnh", "Hải Dương", "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa",
    "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định",
    "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam",
    "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình",
    "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Huế", "Thành phố Hồ Chí Minh", "Hồ Chí Minh",
    "Tiền Giang", "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
)
DOC_TYPES = ("Công văn", "Chỉ thị", "Kế hoạch", "Quyết định", "Thông báo", "Báo cáo", "Tờ trình",
             "Nghị quyết", "Hướng dẫn", "Công điện", "Chương trình", "Thông tư", "Nghị định", "Luật",
             "Quy chế", "Quy định")
_SYMBOL_TYPES = {"CT": "Chỉ thị", "KH": "Kế hoạch", "QĐ": "Quyết định", "TB": "Thông báo", "BC": "Báo cáo",
                 "TTr": "Tờ trình", "NQ": "Nghị quyết", "HD": "Hướng dẫn", "CĐ": "Công điện",
                 "CTr": "Chương trình", "TT": "Thông tư", "NĐ": "Nghị định"}

_NUMBER = re.compile(r"Số\s*:\s*(\S*)", re.IGNORECASE)
_DATE = re.compile(r"(?:^|\s)([^\n,]{2,40}?),\s*ngày\s*(\d{1,2})?\s*tháng\s*(\d{1,2})?\s*năm\s*(\d{4})")
_VV = re.compile(r"^V/v\b\s*", re.IGNORECASE)
_KINH_GUI = re.compile(r"^Kính\s+gửi\s*:?\s*(.*)$", re.IGNORECASE)
_NOI_NHAN = re.compile(r"^Nơi\s+nhận\s*:?", re.IGNORECASE)
_BULLET = re.compile(r"^[-•+–*]\s*")
_SIGN_TITLE = re.compile(r"^(?:KT|TM|TL|TUQ|Q)\.\s", re.IGNORECASE)
# Tiêu ngữ under the quốc hiệu, and rules drawn under it ("-----", "___").
_MOTTO = re.compile(r"^Độc\s+lập\s*[-–]\s*Tự\s+do\s*[-–]\s*Hạnh\s+phúc\b", re.IGNORECASE)
_RULE = re.compile(r"^[-–_=*.\s]+$")
# The first section of the body ("I. MỤC ĐÍCH, YÊU CẦU", "Chương I", "Điều 1."), upper case or not.
_SECTION = re.compile(r"^(?:[IVXLC]+[.)]\s|(?:Chương|Phần|Điều)\s+[IVXLC\d]+\b)", re.IGNORECASE)


def _lines(text: str) -> list[tuple[int, str]]:
    out, offset = [], 0
    for line in text.split("\n"):
        out.append((offset, line))
        offset += len(line) + 1
    return out


def _is_upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _sentence_case(line: str) -> str:
    """'VỀ TĂNG CƯỜNG … TỈNH CAO BẰNG' -> 'về tăng cường … tỉnh Cao Bằng'."""
    lowered = line.lower()
    for name in PROVINCES:
        lowered = re.sub(re.escape(name.lower()), name, lowered)
    return lowered


def find_province(place: str | None, text: str) -> str | None:
    if place:
        for name in PROVINCES:
            if fold(name).lower() == fold(place).lower().strip():
                return name
    counts = {}
    low = text.lower()
    for name in PROVINCES:
        n = len(re.findall(r"tỉnh\s+" + re.escape(name.lower()), low))
        n += len(re.findall(r"thành phố\s+" + re.escape(name.lower()), low))
        if n:
            counts[name] = n
    return max(counts, key=counts.get) if counts else None


def layout(text: str) -> Layout:
    lines = _lines(text)
    header_end = _find_header_end(lines)
    body_end, recipients_span, signature_span = len(text), None, None
    # Signature block: trailing run of short upper-case titles followed by a name.
    tail = [(o, l) for o, l in lines if l.strip()]
    sig_start = None
    idx = len(tail) - 1
    if idx >= 1 and len(tail[idx][1].split()) <= 6 and not _is_upper(tail[idx][1]) \
            and not tail[idx][1].rstrip().endswith((".", ";", ":")):
        j = idx - 1
        while j >= 0 and _is_upper(tail[j][1]) and len(tail[j][1].split()) <= 8:
            j -= 1
        if j < idx - 1:
            sig_start = tail[j + 1][0]
    for o, l in lines:
        if o >= header_end and _NOI_NHAN.match(l.strip()):
            end = sig_start if sig_start and sig_start > o else len(text)
            recipients_span = (o, end)
            body_end = o
            break
    if sig_start is not None:
        signature_span = (sig_start, len(text))
        body_end = min(body_end, sig_start)
    return Layout(header_end, body_end, recipients_span, signature_span)


def _find_header_end(lines: list[tuple[int, str]]) -> int:
    """The header runs through the Kính gửi list, or through the title lines of a Chỉ thị."""
    kg = next((i for i, (_, l) in enumerate(lines) if _KINH_GUI.match(l.strip())), None)
    if kg is not None and kg < 40:
        i = kg + 1
        inline = _KINH_GUI.match(lines[kg][1].strip()).group(1)
        seen_item = bool(inline)
        while i < len(lines):
            line = lines[i][1].strip()
            if not line:
                i += 1
                continue
            if _BULLET.match(line) or (not seen_item and len(line) < 150):
                seen_item = True
                i += 1
                continue
            break
        return lines[i][0] if i < len(lines) else lines[-1][0] + len(lines[-1][1])
    # No Kính gửi: header is the leading block of short lines (số, ngày, type, upper-case title).
    end = 0
    for o, l in [(o, l) for o, l in lines if l.strip()][:15]:
        s = l.strip()
        if _SECTION.match(s):
            break
        if _NUMBER.match(s) or _DATE.search(s) or _is_upper(s) or _VV.match(s) or (end and s[:1].islower()) \
                or _MOTTO.match(s) or _RULE.match(s):
            end = o + len(l) + 1
            continue
        break
    return min(end, lines[-1][0] + len(lines[-1][1]))


def parse_header(text: str, lay: Layout | None = None) -> Header:
    lay = lay or layout(text)
    head = text[:lay.header_end]
    number = None
    m = _NUMBER.search(head)
    if m and m.group(1) and "/" in m.group(1):
        number = m.group(1).rstrip(",.;")
    place = date = date_text = None
    m = _DATE.search(head) or _DATE.search(text[:600])
    if m:
        place = _NUMBER.sub("", m.group(1)).strip(" ,") or None
        day, month, year = m.group(2), m.group(3), m.group(4)
        date = year + (f"-{int(month):02d}" if month else "") + (f"-{int(day):02d}" if month and day else "")
        date_text = re.sub(r"\s+", " ", m.group(0)[len(m.group(1)) + 1:].strip(" ,"))
    head_lines = [l.strip() for l in head.split("\n")]
    subject = doc_type = None
    for line in head_lines:
        if _VV.match(line):
            subject = _VV.sub("", line).strip().rstrip(".")
            doc_type = "Công văn"
            break
    if doc_type is None:
        for i, line in enumerate(head_lines):
            law = re.match(r"^(BỘ LUẬT|LUẬT)\s+(.+)$", line)
            if law and _is_upper(line) and not _NUMBER.match(line):
                # "BỘ LUẬT DÂN SỰ", "LUẬT AN NINH MẠNG": the type and the name on one line.
                doc_type, subject = law.group(1).capitalize(), _sentence_case(law.group(2))
                break
            match = next((t for t in DOC_TYPES if line.upper() == t.upper()), None)
            if match:
                doc_type = match
                title_lines = []
                for nxt in head_lines[i + 1:]:
                    if not nxt or not _is_upper(nxt):
                        break
                    title_lines.append(nxt)
                subject = _sentence_case(" ".join(title_lines)) or None
                break
    if doc_type is None and number:
        code = number.split("/")[-1].split("-")[0]
        doc_type = _SYMBOL_TYPES.get(code, "Công văn" if code.upper() == "UBND" else None)
    recipients: list[str] = []
    for i, line in enumerate(head_lines):
        m = _KINH_GUI.match(line)
        if m:
            if m.group(1):
                recipients.append(m.group(1).strip(" ;."))
            for nxt in head_lines[i + 1:]:
                if nxt:
                    recipients.append(_BULLET.sub("", nxt).strip(" ;."))
            break
    signer = signer_title = None
    if lay.signature_span:
        sig = [l.strip() for l in text[slice(*lay.signature_span)].split("\n") if l.strip()]
        signer = sig[-1]
        signer_title = " / ".join(sig[:-1]) or None
    cc: tuple[str, ...] = ()
    if lay.recipients_span:
        block = text[slice(*lay.recipients_span)].split("\n")[1:]
        cc = tuple(_BULLET.sub("", l.strip()).strip(" ;.") for l in block if l.strip())
    return Header(number=number, doc_type=doc_type, subject=subject, place=place, date=date,
                  date_text=date_text, province=find_province(place, text), recipients=tuple(recipients),
                  signer=signer, signer_title=signer_title, cc=cc)
