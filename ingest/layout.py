"""Where the parts of a directive lie in its text: header, body, Nơi nhận, signature, appendix.

The loaders put each block on its own line, the header's left column (issuer, Số, V/v) before
its right column (Quốc hiệu, place and date), and the Nơi nhận list before the signer's block.
"""
from __future__ import annotations

import re

from core.types import Layout

NUMBER = re.compile(r"Số\s*:\s*([^\s/]*)\s*(/\s*[^\s,;]+)?|Số\s+(\d[^\s/]*)\s*(/\s*[^\s,;]+)", re.IGNORECASE)
# "Lâm Đồng, ngày 05 tháng 5 năm 2026"; a handwritten day or month read as junk by OCR leaves
# the rest ("Krông Nô, ngàyŸ tháng 6 năm 2019" is June 2019).
DATE = re.compile(r"(?:^|\s)([^\n,.]{2,40}?)[,.]\s*ngày\s*(\d{1,2})?\S{0,4}\s*(?:tháng|/)\s*(\d{1,2})?\S{0,3}"
                  r"\s*(?:năm|/)\s*(\d{4})")
VV = re.compile(r"^(?:V/v|Về việc)\b\s*:?\s*", re.IGNORECASE)
KINH_GUI = re.compile(r"^Kính\s+gửi\s*:?\s*(.*)$", re.IGNORECASE)
NOI_NHAN = re.compile(r"^Nơi\s+nhận\s*:?", re.IGNORECASE)
BULLET = re.compile(r"^[-•+–*]\s*")
# Quốc hiệu and tiêu ngữ, and rules drawn under them ("-----", "___").
NATIONAL = re.compile(r"^CỘNG\s+H[OÒ][AÀ]\s+XÃ\s+HỘI\s+CHỦ\s+NGHĨA\s+VIỆT\s+NAM", re.IGNORECASE)
MOTTO = re.compile(r"^Độc\s+lập\s*[-–]\s*Tự\s+do\s*[-–]\s*Hạnh\s+phúc\b", re.IGNORECASE)
RULE = re.compile(r"^[-–_=*.\s]+$")
# The first section of the body ("I. MỤC ĐÍCH, YÊU CẦU", "Chương I", "Điều 1."), upper case or not.
SECTION = re.compile(r"^(?:[IVXLC]+[.)]\s|(?:Chương|Phần|Điều)\s+[IVXLC\d]+\b)", re.IGNORECASE)
# What opens the body of a decision or a report once its title is over.
BODY_START = re.compile(r"^(?:Căn cứ|Xét đề nghị|Thực hiện|Ngày\s+\d|Theo|Kính gửi|Vừa qua|Hiện nay|Để)\b")
CALLS = re.compile(r"\bđiện\s*:\s*$")  # "CHỦ TỊCH UBND HUYỆN điện:" opens a công điện's address list
# An appendix, or the footnotes a loader appends ("Chú thích 1: …"), after the signature block.
ITEM = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ]\)|[-•+–*])\s")  # "1.", "1.2.", "a)", "-" open a clause
TITLE_GOES_ON = (",", "-", "–", " và", " của", " về", " tại")
APPENDIX = re.compile(r"^(?:PHỤ LỤC|Phụ lục\b|Chú thích \d+:)")
# the signer acts for the body: "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "Q. GIÁM ĐỐC", "TL. …", "TUQ. …"
AUTHORITY = re.compile(r"^(?:TM|KT|Q|TL|TUQ)\.\s*\S")


def lines_of(text: str) -> list[tuple[int, str]]:
    out, offset = [], 0
    for line in text.split("\n"):
        out.append((offset, line))
        offset += len(line) + 1
    return out


def is_upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def layout(text: str, rows: tuple[tuple[int, int, int], ...] = (), headings: tuple[int, ...] = ()) -> Layout:
    lines = lines_of(text)
    appendix = _find_appendix(lines, {r[0] for r in rows})
    end = appendix if appendix is not None else len(text)
    main = [(o, l) for o, l in lines if o < end]
    header_end = find_header_end(main, set(headings))
    found = _signature_after_noi_nhan(main, header_end)
    if found:
        noi_nhan, sig_start, sig_end, after = found
        if after is not None and (appendix is None or after < appendix):
            appendix = after  # notes, lists or tables printed after the signer's name
        return Layout(header_end, noi_nhan, (noi_nhan, _trim_end(text, sig_start)),
                      (sig_start, _trim_end(text, sig_end)) if sig_end > sig_start else None, appendix)
    body_end, recipients_span, signature_span = end, None, None
    # No Nơi nhận: the signature is the trailing run of short upper-case titles followed by a
    # name (or, in an unsigned draft, by nothing).
    tail = [(o, l) for o, l in main if l.strip()]
    sig_start = None
    idx = len(tail) - 1
    last = tail[idx][1] if tail else ""
    named = _is_name(last)
    if idx >= 1 and (named or (is_upper(last) and len(last.split()) <= 8)):
        j = idx - 1 if named else idx
        while j >= 0 and is_upper(tail[j][1]) and len(tail[j][1].split()) <= 8:
            j -= 1
        if j < idx - 1 or (not named and j < idx):
            sig_start = tail[j + 1][0]
    if sig_start is not None and sig_start >= header_end:
        signature_span = (sig_start, _trim_end(text, end))
        body_end = min(body_end, sig_start)
    return Layout(header_end, body_end, recipients_span, signature_span, appendix)


def _is_name(line: str) -> bool:
    """A signer's name: a few capitalised words, no digits, not a sentence."""
    words = line.split()
    return (not is_upper(line) and 1 <= len(words) <= 7 and not any(ch.isdigit() for ch in line)
            and not line.rstrip().endswith((".", ";", ":", ",")) and words[0][:1].isupper())


SCRIBBLE_CHARS = 12


def _person(line: str) -> bool:
    """A person's name as printed under a signature: 2-5 capitalised words of letters only."""
    words = line.split()
    return 2 <= len(words) <= 5 and all(w.isalpha() and w[0].isupper() and w[1:].islower() for w in words)


def _signature_after_noi_nhan(lines: list[tuple[int, str]], header_end: int):
    """(Nơi nhận offset, signature start, signature end, offset of what follows or None): the
    Nơi nhận list, then the signer's titles in upper case, then the name (absent in drafts)."""
    starts = [i for i, (o, l) in enumerate(lines) if o >= header_end and NOI_NHAN.match(l.strip())]
    if not starts:
        return None
    k = starts[-1]
    i = k + 1
    while i < len(lines):
        line = lines[i][1].strip()
        if line and not BULLET.match(line) and is_upper(line) and len(line.split()) <= 8:
            break
        i += 1
    if i >= len(lines):
        return None
    sig_start = lines[i][0]
    j = i
    while j < len(lines) and (not lines[j][1].strip() or
                              (is_upper(lines[j][1].strip()) and len(lines[j][1].split()) <= 8)):
        j += 1
    if j < len(lines) and _is_name(lines[j][1].strip()):
        j += 1
    else:   # a signed scan: the signature's scribble, OCR'd as a line or two of noise, before the name
        k2 = j
        while k2 < len(lines) and k2 - j < 3 and len(lines[k2][1].strip()) <= SCRIBBLE_CHARS \
                and not _person(lines[k2][1].strip()):
            k2 += 1
        if j < k2 < len(lines) and _person(lines[k2][1].strip()):
            j = k2 + 1
    sig_end = lines[j - 1][0] + len(lines[j - 1][1])
    rest = next((o for o, l in lines[j:] if l.strip()), None)
    return lines[k][0], sig_start, sig_end, rest


def _trim_end(text: str, end: int) -> int:
    while end > 0 and text[end - 1] == "\n":
        end -= 1
    return end


def _find_appendix(lines: list[tuple[int, str]], row_offsets: set[int]) -> int | None:
    """An appendix or task table printed after the Nơi nhận / signature block."""
    noi_nhan = [i for i, (_, l) in enumerate(lines) if NOI_NHAN.match(l.strip())]
    if not noi_nhan:
        # no Nơi nhận (a plan typed without it): an appendix title after the signer's authority line
        # ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"), which only a signature block opens
        signed = next((i for i, (_, line) in enumerate(lines) if AUTHORITY.match(line.strip())), None)
        if signed is None:
            return None
        return next((o for o, line in lines[signed + 1:] if APPENDIX.match(line.strip())), None)
    for o, l in lines[noi_nhan[-1] + 1:]:
        if o in row_offsets or APPENDIX.match(l.strip()):
            return o
    return None


def wraps_on(previous: str, line: str) -> bool:
    """Is `line` the rest of a Kính gửi list that ran over the line's end ("… Sơn La, Phú" / "Thọ,
    Hưng Yên.")? The list line is a full printed line that stops without its closing mark; what
    follows is short and opens no body paragraph."""
    return len(previous) >= 80 and not previous.endswith((".", ";", ":")) and len(line) < 150 \
        and not BODY_START.match(line) and not ITEM.match(line)


def find_header_end(lines: list[tuple[int, str]], headings: set[int] = frozenset()) -> int:
    """The header runs through the Kính gửi list, or through the title lines of a Chỉ thị,
    Quyết định, Kế hoạch or Thông báo (and the authority line of a decision)."""
    kg = next((i for i, (_, l) in enumerate(lines) if KINH_GUI.match(l.strip())), None)
    if kg is not None and kg < 40:
        i = kg + 1
        inline = KINH_GUI.match(lines[kg][1].strip()).group(1)
        seen_item = bool(inline)
        previous = inline or ""
        while i < len(lines):
            line = lines[i][1].strip()
            if not line:
                i += 1
                continue
            if BULLET.match(line) or (not seen_item and len(line) < 150) or wraps_on(previous, line):
                seen_item = True
                previous = line
                i += 1
                continue
            break
        return lines[i][0] if i < len(lines) else lines[-1][0] + len(lines[-1][1])
    if not lines:
        return 0
    # No Kính gửi: the leading block of short lines (số, ngày, type, upper-case title), and the
    # title in sentence case that follows a type line ("QUYẾT ĐỊNH" / "Về việc …"), over as many
    # lines as it runs (bold like its first line, or the line before ends mid-phrase).
    end = 0
    after_type = title_open = False
    previous = ""
    for o, l in [(o, l) for o, l in lines if l.strip()][:20]:
        s = l.strip()
        if SECTION.match(s) or (end and BODY_START.match(s)):
            break
        if NUMBER.match(s) or DATE.search(s) or is_upper(s) or (end and s[:1].islower()) \
                or MOTTO.match(s) or RULE.match(s) or NATIONAL.match(s):
            if is_upper(s):  # a short upper-case line may be the type ("QUYẾT ĐỊNH"); a long one is a title
                after_type = len(s.split()) <= 4
            title_open = title_open and s[:1].islower()
        elif (VV.match(s) or after_type) and len(s) < 400 and not s.endswith((".", ";")):
            after_type, title_open = False, True
        elif not (title_open and len(s) < 400 and not ITEM.match(s)
                  and (o in headings or previous.endswith(TITLE_GOES_ON))):
            break
        end = o + len(l) + 1
        previous = s
    return min(end, lines[-1][0] + len(lines[-1][1]))
