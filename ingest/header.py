"""Header and signature block of a Vietnamese administrative document.

Parses số/ký hiệu, place and date, document type, trích yếu, Kính gửi, province, signer and
signing title, Nơi nhận; and says where the body starts and ends so clauses exclude them.
"""
from __future__ import annotations

import re

from core.text import fold
from core.types import Header, Layout
from ingest.layout import (
    BODY_START,
    BULLET,
    CALLS,
    DATE,
    KINH_GUI,
    MOTTO,
    NATIONAL,
    NUMBER,
    RULE,
    VV,
    is_upper,
    layout,
    wraps_on,
)
from ingest.provinces import district_province

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
             "Quy chế", "Quy định", "Kết luận", "Đề án", "Giấy mời")
_SYMBOL_TYPES = {"CT": "Chỉ thị", "KH": "Kế hoạch", "QĐ": "Quyết định", "TB": "Thông báo", "BC": "Báo cáo",
                 "TTr": "Tờ trình", "NQ": "Nghị quyết", "HD": "Hướng dẫn", "CĐ": "Công điện",
                 "CTr": "Chương trình", "TT": "Thông tư", "NĐ": "Nghị định", "KL": "Kết luận", "GM": "Giấy mời"}

_SIGN_TITLE = re.compile(r"^(?:KT|TM|TL|TUQ|Q)\.\s", re.IGNORECASE)
# compared accent-folded: OCR reads "KHẨN" as "KHÁN"
_URGENCY = re.compile(r"\s+(?:KHAN|HOA TOC|THUONG KHAN|MAT)")
# a rank printed before a signer's name is not part of it ("Thiếu tướng Ngô Thanh Bình")
_RANK = re.compile(r"^(?:Đại|Thượng|Trung|Thiếu)\s+(?:tướng|tá|úy|uý)\s+")


def _sentence_case(line: str) -> str:
    """'VỀ TĂNG CƯỜNG … TỈNH CAO BẰNG' -> 'về tăng cường … tỉnh Cao Bằng'."""
    lowered = line.lower()
    for name in PROVINCES:
        lowered = re.sub(re.escape(name.lower()), name, lowered)
    return lowered


# A central body of the state, Party or courts: its documents belong to no province, wherever they
# are signed ("Hà Nội, ngày …" of a ministry). "Bộ Chỉ huy Quân sự tỉnh" and "Bộ đội Biên phòng tỉnh"
# are provincial: a name that goes on with a local unit is never central.
_CENTRAL = re.compile(r"(?:BO|CHINH PHU|THU TUONG|VAN PHONG CHINH PHU|THANH TRA CHINH PHU|QUOC HOI|"
                      r"UY BAN THUONG VU QUOC HOI|VAN PHONG QUOC HOI|VAN PHONG CHU TICH NUOC|CHU TICH NUOC|"
                      r"TOA AN NHAN DAN TOI CAO|VIEN KIEM SAT NHAN DAN TOI CAO|KIEM TOAN NHA NUOC|"
                      r"NGAN HANG NHA NUOC|UY BAN DAN TOC|BAN CHAP HANH TRUNG UONG|BAN BI THU)\b")
_NATIONWIDE = re.compile(r"\b(?:TRUNG UONG|TW|QUOC GIA|CHINH PHU)\b")
# ("XÃ", "QUẬN", "PHƯỜNG" are left out: folded they are also "XÃ HỘI", "QUÂN", and no central name
# begins with a commune's or ward's committee)
_LOCAL_UNIT = re.compile(r"\b(?:TINH|THANH PHO|HUYEN|THI XA|DAC KHU|THI TRAN)\b")


def is_central(issuer: str | None) -> bool:
    """Is the issuing body a ministry, the Government or another central body ("BỘ CÔNG AN / CỤC …",
    "VĂN PHÒNG CHÍNH PHỦ", "BAN CHỈ ĐẠO QUỐC GIA …", "TỔ CÔNG TÁC LIÊN NGÀNH TW")?"""
    lines = [fold(x).upper().strip() for x in (issuer or "").split("/") if x.strip()]
    if not lines or any(_LOCAL_UNIT.search(x) for x in lines):
        return False
    return bool(_CENTRAL.match(lines[0]) and not lines[0].startswith(("BO CHI HUY", "BO DOI"))
                or any(_NATIONWIDE.search(x) for x in lines))


def find_province(place: str | None, text: str, issuer: str | None = None) -> str | None:
    if is_central(issuer):
        return None
    if place:
        for name in PROVINCES:
            if fold(name).lower() == fold(place).lower().strip():
                return name
        # a district's office dates its letters there ("Đắk R'lấp, ngày …"), not in its province;
        # the provinces its text names are more often other ones (where an epidemic came from)
        district = district_province(place)
        if district:
            return district
    counts = {}
    low = text.lower()
    for name in PROVINCES:
        n = len(re.findall(r"tỉnh\s+" + re.escape(name.lower()), low))
        n += len(re.findall(r"thành phố\s+" + re.escape(name.lower()), low))
        if n:
            counts[name] = n
    return max(counts, key=counts.get) if counts else None


def parse_header(text: str, lay: Layout | None = None) -> Header:
    lay = lay or layout(text)
    head = text[:lay.header_end]
    head_lines = [line.strip() for line in head.split("\n")]
    number = _number(head)
    place = date = date_text = None
    m = DATE.search(head) or DATE.search(text[:600])
    if m:
        place = NUMBER.sub("", m.group(1)).strip(" ,") or None
        day, month, year = m.group(2), m.group(3), m.group(4)
        date = year + (f"-{int(month):02d}" if month else "") + (f"-{int(day):02d}" if month and day else "")
        date_text = re.sub(r"\s+", " ", m.group(0)[len(m.group(1)) + 1:].strip(" ,"))
    doc_type, subject = _type_and_subject(head_lines)
    if doc_type is None and number:
        code = number.split("/")[-1].split("-")[0]
        doc_type = _SYMBOL_TYPES.get(code, "Công văn" if code.upper() == "UBND" else None)
    recipients: list[str] = []
    for i, line in enumerate(head_lines):
        m = KINH_GUI.match(line)
        if m:
            if m.group(1):
                recipients.append(m.group(1).strip(" ;."))
            previous = m.group(1) or ""
            for nxt in head_lines[i + 1:]:
                if nxt and recipients and wraps_on(previous, nxt) and not BULLET.match(nxt):
                    recipients[-1] = f"{recipients[-1]} {nxt.strip(' ;.')}"   # the line ran over
                elif nxt:
                    recipients.append(BULLET.sub("", nxt).strip(" ;."))
                previous = nxt or previous
            break
    if not recipients:   # a công điện: "CHỦ TỊCH UBND HUYỆN điện:" and its list of addressees after it
        recipients = _called(text, lay.header_end)
    signer = signer_title = None
    if lay.signature_span:
        sig = [line.strip() for line in text[slice(*lay.signature_span)].split("\n") if line.strip()]
        if is_upper(sig[-1]):  # an unsigned draft: titles, no name yet
            signer, signer_title = None, " / ".join(sig)
        else:
            titles = [line for line in sig[:-1] if is_upper(line)]   # not a scribble's OCR noise
            signer, signer_title = _RANK.sub("", sig[-1]), " / ".join(titles) or None
    cc: tuple[str, ...] = ()
    issuer = _issuer(head_lines)
    if lay.recipients_span:
        block = text[slice(*lay.recipients_span)].split("\n")[1:]
        cc = tuple(BULLET.sub("", line.strip()).strip(" ;.") for line in block if line.strip())
    province = find_province(place, text, issuer)
    if issuer is None:   # a copy that lost its header block: the signer's authority and the symbol say who
        issuer = signed_for(signer_title, number, place, province)
    return Header(number=number, doc_type=doc_type, subject=subject, place=place, date=date,
                  date_text=date_text, province=province, recipients=tuple(recipients),
                  signer=signer, signer_title=signer_title, cc=cc, issuer=issuer)


# a People's Committee or Council signs for itself and needs its place to be named
_LOCAL_COUNCILS = {"UY BAN NHAN DAN": "ỦY BAN NHÂN DÂN", "UBND": "ỦY BAN NHÂN DÂN",
                   "HOI DONG NHAN DAN": "HỘI ĐỒNG NHÂN DÂN", "HDND": "HỘI ĐỒNG NHÂN DÂN"}


def signed_for(signer_title: str | None, number: str | None, place: str | None, province: str | None) -> str | None:
    """The issuing body of a document whose header block is missing, as its signature block gives
    it (Nghị định 30/2020/NĐ-CP): "TM. ỦY BAN NHÂN DÂN", or the Chủ tịch ("KT. CHỦ TỊCH", "CHỦ
    TỊCH") of a letter whose symbol is UBND's ("10331/UBND-KSTT"); the committee of a province
    when the document is dated in that province ("Long An, ngày …"): "ỦY BAN NHÂN DÂN / TỈNH LONG
    AN". None when the block names no such body or the place is not a province."""
    if not signer_title or not province or not place or fold(place).lower().strip() != fold(province).lower():
        return None
    titles = [fold(t).upper().strip() for t in signer_title.split(" / ")]
    body = None
    for t in titles:
        m = re.match(r"^TM\.\s*(.+)$", t)
        if m and m.group(1).strip() in _LOCAL_COUNCILS:
            body = _LOCAL_COUNCILS[m.group(1).strip()]
    symbol = fold(number or "").upper().split("/")[-1]
    if body is None and re.search(r"(?:^|\.\s*)CHU TICH$", titles[0]) and re.match(r"^UBND\b", symbol):
        body = "ỦY BAN NHÂN DÂN"
    if body is None:
        return None
    unit = "THÀNH PHỐ" if province in _CITIES else "TỈNH"
    return f"{body} / {unit} {province.removeprefix('Thành phố ').upper()}"


# the provinces that are cities run by the centre ("ỦY BAN NHÂN DÂN / THÀNH PHỐ HẢI PHÒNG")
_CITIES = {"Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế", "Thành phố Hồ Chí Minh", "Hồ Chí Minh"}


def _called(text: str, header_end: int) -> list[str]:
    """The addressees of a công điện: the lines after the one ending in "điện:" near the header's end
    ("- Thủ trưởng các phòng, ban, đơn vị;", "- Chủ tịch UBND các xã, thị trấn."), as the Kính gửi of a
    letter."""
    lines = text[:header_end + 2000].split("\n")
    at = next((i for i, line in enumerate(lines[:60]) if CALLS.search(line.strip())), None)
    out: list[str] = []
    for line in lines[at + 1:] if at is not None else ():
        line = line.strip()
        if not line:
            continue
        if not BULLET.match(line) or len(line) > 300:
            break
        out.append(BULLET.sub("", line).strip(" ;,."))
    return [r for r in out if r]


def _number(head: str) -> str | None:
    """"Số: 34 /CĐ-UBND" -> "34/CĐ-UBND"; a blank number keeps its symbol ("/UBND-NC")."""
    m = NUMBER.search(head)
    if not m:
        return None
    digits, symbol = (m.group(1), m.group(2)) if m.group(2) or m.group(1) else (m.group(3), m.group(4))
    if not symbol:
        return digits if digits and "/" in digits else None
    return ((digits or "") + re.sub(r"\s+", "", symbol)).rstrip(",.;")


def _is_type_line(line: str) -> str | None:
    """The document type a title line names ("QUYẾT ĐỊNH", "CÔNG ĐIỆN KHẨN"), or None."""
    if not is_upper(line):
        return None
    bare = fold(" ".join(line.split())).upper()
    for t in DOC_TYPES:
        head = fold(t).upper()
        if bare == head or (bare.startswith(head + " ") and _URGENCY.fullmatch(bare[len(head):])):
            return t
    return None


def _type_and_subject(head_lines: list[str]) -> tuple[str | None, str | None]:
    if not any(_is_type_line(line) for line in head_lines):
        for i, line in enumerate(head_lines):
            if VV.match(line) and not is_upper(line):
                return "Công văn", _continued(VV.sub("", line), head_lines[i + 1:])
    for i, line in enumerate(head_lines):
        law = re.match(r"^(BỘ LUẬT|LUẬT)\s+(.+)$", line)
        if law and is_upper(line) and not NUMBER.match(line):
            # "BỘ LUẬT DÂN SỰ", "LUẬT AN NINH MẠNG": the type and the name on one line.
            return law.group(1).capitalize(), _sentence_case(law.group(2))
        doc_type = _is_type_line(line)
        if not doc_type:
            continue
        rest = [nxt for nxt in head_lines[i + 1:] if nxt and not RULE.match(nxt)]
        title: list[str] = []
        if rest and not is_upper(rest[0]) and not BODY_START.match(rest[0]):
            return doc_type, _continued(rest[0], rest[1:])  # "Về việc …" / "Kết luận của …"
        for nxt in rest:  # an upper-case title: "VỀ TĂNG CƯỜNG KỶ LUẬT …"
            if not is_upper(nxt) or _is_authority(nxt):
                break
            title.append(nxt)
        return doc_type, _sentence_case(" ".join(title)) or None
    return None, None


def _is_authority(line: str) -> bool:
    """The line naming who decides, under a decision's title ("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH …")."""
    return bool(re.match(r"^(?:CHỦ TỊCH|BỘ TRƯỞNG|GIÁM ĐỐC|TRƯỞNG BAN|ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN)\b", line)) \
        and len(line.split()) > 3


def _continued(first: str, following: list[str]) -> str:
    """A trích yếu printed over several lines: the lines that continue it (lower-case start, or
    no sentence end yet and not another header element)."""
    parts = [first.strip()]
    for nxt in following:
        if not nxt or is_upper(nxt) or NATIONAL.match(nxt) or MOTTO.match(nxt) or DATE.search(nxt) \
                or KINH_GUI.match(nxt) or NUMBER.match(nxt) or BODY_START.match(nxt) or RULE.match(nxt) \
                or CALLS.search(nxt):
            break
        if not (nxt[:1].islower() or not parts[-1].endswith((".", ";", ":"))):
            break
        parts.append(nxt)
    return " ".join(parts).strip().rstrip(".") or None


def _issuer(head_lines: list[str]) -> str | None:
    """The issuing body: the upper-case lines before Số / Quốc hiệu at the top (the left column
    of the header), or, when the Quốc hiệu is printed first, the upper-case lines after it."""
    out: list[str] = []
    seen_national = False
    for line in head_lines:
        if not line or RULE.match(line):
            continue
        if NATIONAL.match(line) or MOTTO.match(line):
            if out:
                break
            seen_national = True
            continue
        if NUMBER.match(line) or DATE.search(line) or VV.match(line) or _is_type_line(line) or KINH_GUI.match(line):
            break
        if not is_upper(line) or len(line.split()) > 14:
            if seen_national or out:
                break
            continue
        out.append(" ".join(line.split()))
    return " / ".join(out) or None
