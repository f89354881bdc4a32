"""When a duty is due: the deadline wording of a clause as a structured DutyTime (pure).

A clause is searched in this order; within the first group the earliest phrase wins:
1. the duty's own deadline: a date after a deadline word ("trước ngày 10/5/2026", "chậm nhất là
   ngày …", "trước 14 giờ, ngày 08 tháng 10 năm 2025") -> 'date'; a stated day of a period
   ("trước ngày 20 hằng tháng", "trước 15/12 hằng năm", "thứ hai hằng tuần") -> 'recurring' with it;
   a period ("trong Quý II/2026", "trong tháng 9/2024", "trong năm 2026", "6 tháng đầu năm 2026")
   -> 'quarter' / 'month' / 'half' / 'year' due on its last day; a span ("trong thời hạn 10 ngày
   kể từ ngày ký") -> 'relative', dated when it runs from the signing and `signed` is known;
2. a regular period without a stated day ("hằng tháng", "định kỳ hằng quý") -> 'recurring';
3. an event ("trước Hội nghị", "trước khi tiến hành kiểm tra") -> 'relative' without a date;
4. no fixed time ("thường xuyên", "theo tiến độ") -> 'ongoing'. "kịp thời" (promptly) says how, not
   when: it sets no deadline.
A date needs a deadline word: "Quyết định số 12/QĐ-UBND ngày 05/3/2025" is a referenced document,
and so is "văn bản được ban hành trước ngày …". A bare date or period counts only as the whole text
(a table's deadline cell) or, for a period, at the head of a sentence ("Quý I/2027, các …").
Impossible dates ("30/02/2026") are never returned.
"""
from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from core.text import squash
from core.types import DutyTime

_I = re.IGNORECASE
# d/m/yyyy, d-m-yyyy, d.m.yyyy, "d tháng m năm yyyy"
_DMY = (r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*(?:[/.\-]|\s+năm\s+)\s*\d{4}"
        r"|\d{1,2}\s+tháng\s+\d{1,2}\s*,?\s*năm\s+\d{4}")
# Words that make what follows the duty's own deadline.
_CUE = (r"(?<!\w)(?:(?:(?:hoàn thành|hoàn thiện|xong)\s+)?(?:trước|chậm nhất(?:\s+là)?(?:\s+(?:trước|trong|vào))?"
        r"|hạn chót(?:\s+là)?|hạn cuối(?:\s+là)?|đến hết|trong|thời hạn(?:\s+hoàn thành)?\s*:"
        r"|thời gian(?:\s+[^\W\d_]+){0,4}\s*:)|hoàn thành|xong)")   # "Thời gian kiểm tra: Tháng 5/2026"
_PERIOD_CUE = r"(?:" + _CUE + r"|(?<!\w)(?:(?:hoàn thành|xong)\s+)?(?:vào|đến cuối))"
_CLOCK = (r"(?:(?P<h>\d{1,2})\s*(?:giờ|h)\s*(?:(?P<mi>\d{1,2})\s*(?:phút)?)?\s*(?P<pm>sáng|trưa|chiều|tối)?"
          r"\s*,?\s*)?")
_WEEKDAY = r"(?:(?:thứ\s+\w+|chủ nhật)\s*,?\s*)?"
_DATE_RE = re.compile(r"(?P<cue>" + _CUE + r"\s+)?" + _CLOCK + _WEEKDAY + r"(?:ngày\s+)?(?<![\d/])(?P<day>"
                      + _DMY + r")(?!\d)", _I)
_QUARTER = r"quý\s+(?P<q>IV|I{1,3}|[1-4])\s*(?:[/\-]|\s+năm\s+)\s*(?P<qy>\d{4})"
_MONTH = r"tháng\s+(?P<mo>\d{1,2})\s*(?:[/\-.]|\s+năm\s+)\s*(?P<my>\d{4})"
_HALF = r"(?:6|06|sáu)\s+tháng\s+(?P<half>đầu|cuối)\s+năm\s+(?P<hy>\d{4})"
_YEAR = r"năm\s+(?P<y>\d{4})"
# "trong Quý II", "trong tháng 9", "trong 6 tháng cuối năm": a period whose year is the reader's to give
_PERIOD_NO_YEAR_RE = re.compile(r"(?P<cue>" + _CUE + r")\s+(?:(?:cuối|hết)\s+)?(?:(?:6|06|sáu)\s+tháng\s+"
                                r"(?P<half>đầu|cuối)\s+năm(?:\s+nay)?|quý\s+(?P<q>IV|I{1,3}|[1-4])|tháng\s+(?P<mo>\d{1,2}))"
                                r"(?!\w|\s*[/\-.]\s*\d|\s+(?:năm\s+)?\d|\s+(?:năm|vừa|qua|trước|của|tháng)\b)", _I)
# "thực hiện từ ngày 01/4/2026 đến ngày 30/4/2026", "Thời gian: từ tháng 3 đến tháng 6/2026": due at
# the span's end; a span after no such word ("số liệu từ ngày … đến ngày …") is what a report covers
_RANGE_RE = re.compile(r"(?<!\w)(?:thời gian(?:\s+[^\W\d_]+){0,4}\s*:|thực hiện|triển khai|tổ chức|diễn ra|tiến hành)"
                       r"\s+từ\s+(?:ngày\s+)?(?:\d{1,2}\s*[/.\-]\s*\d{1,2}(?:\s*[/.\-]\s*\d{4})?|tháng\s+\d{1,2}"
                       r"(?:\s*/\s*\d{4})?|quý\s+(?:IV|I{1,3}|[1-4])(?:\s*/\s*\d{4})?)\s*(?:đến|tới|-|–)\s*(?:hết\s+)?"
                       r"(?:(?:ngày\s+)?(?P<day>" + _DMY + r")|" + _MONTH + r"|" + _QUARTER + r")(?![\d\-–])", _I)
_PERIOD_RE = re.compile(r"(?P<cue>" + _PERIOD_CUE + r"\s+)?(?:(?:cuối|hết)\s+)?"
                        rf"(?:{_HALF}|{_QUARTER}|{_MONTH}|{_YEAR})(?![\d\-–])", _I)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_EVERY = r"(?:hằng|hàng|mỗi)"
_NEXT = r"(?:liền kề|sau|tiếp theo|kế tiếp)"
_YEARLY_DAY = re.compile(r"(?<!\w)(?:định kỳ\s+)?(?:" + _CUE + r"\s+)?(?:ngày\s+)?(?<![\d/])(?P<d>\d{1,2})\s*"
                         r"(?:[/.\-]|\s+tháng\s+)\s*(?P<m>\d{1,2})\s+(?:của\s+)?(?:" + _EVERY + r"\s+năm|năm\s+"
                         + _NEXT + r")", _I)
_MONTHLY_DAY = re.compile(r"(?<!\w)(?:định kỳ\s+)?(?:" + _CUE + r"\s+)?ngày\s+(?P<d>\d{1,2})\s+(?:của\s+)?(?:"
                          + _EVERY + r"\s+tháng|tháng\s+(?:(?P<qpos>đầu|cuối)\s+(?:của\s+)?quý(?:\s+" + _NEXT
                          + r")?|" + _NEXT + r"))", _I)
_WEEKDAYS = {"hai": "MO", "ba": "TU", "tư": "WE", "năm": "TH", "sáu": "FR", "bảy": "SA", "chủ nhật": "SU",
             "2": "MO", "3": "TU", "4": "WE", "5": "TH", "6": "FR", "7": "SA"}
_WEEKLY_DAY = re.compile(r"(?<!\w)(?:(?:định kỳ\s+)?vào\s+)?(?:(?:sáng|chiều|các)\s+)?(?:ngày\s+)?"
                         r"(?:thứ\s+(?P<wd>hai|ba|tư|năm|sáu|bảy|[2-7])|(?P<sun>chủ nhật))\s+(?:của\s+)?"
                         + _EVERY + r"\s+tuần"
                         # "hằng tuần vào thứ Sáu", "hằng tuần, trước 16 giờ thứ Năm": the day after its period
                         r"|(?<!\w)(?:định kỳ\s+)?" + _EVERY + r"\s+tuần\s*,?\s*(?:vào|trước)\s+(?:[^\W\d_]+\s+){0,2}"
                         r"(?:\d{1,2}\s*(?:giờ|h)(?:\s*\d{1,2})?\s*,?\s*)?(?:ngày\s+)?"
                         r"(?:thứ\s+(?P<wd2>hai|ba|tư|năm|sáu|bảy|[2-7])|(?P<sun2>chủ nhật))(?!\w)", _I)
# "Hằng tháng …, trước ngày 20": a day stated apart from its period.
_DAY_ONLY = re.compile(_CUE + r"\s+ngày\s+(?P<d>\d{1,2})(?:\s*[/.\-]\s*(?P<m>\d{1,2}))?"
                       r"(?!\d|\s*[/.\-]\s*\d|\s*(?:tháng|năm)\b)", _I)
# "hoàn thành trước 30/9", "trước ngày 15 tháng 12": a day and month, the year left to the reader
_DAY_MONTH = re.compile(r"(?P<cue>" + _CUE + r")\s+(?:ngày\s+)?(?<![\d/])(?P<d>\d{1,2})\s*(?:[/.\-]|\s+tháng\s+)\s*"
                        r"(?P<m>\d{1,2})(?!\d|\s*[/.\-]\s*\d|\s*,?\s*(?:của\s+)?(?:(?:hằng|hàng|mỗi)\s+)?năm\b)", _I)
_SPAN = (r"(?P<n>\d{1,3})(?:\s*\([^)]{1,20}\))?\s+"
         r"(?P<unit>ngày\s+làm\s+việc|ngày|tuần|tháng|năm|giờ(?:\s+làm\s+việc)?)(?!\s*\d)")
_RELATIVE_RE = re.compile(r"(?<!\w)(?P<cue>trong(?:\s+(?:thời hạn|vòng|thời gian))?|chậm nhất(?:\s+là)?|không quá"
                          r"|tối đa|sau)(?:\s+(?:không quá|tối đa|sau))?\s+" + _SPAN + r"(?P<tail>[^.;,]*)", _I)
_DOC = (r"(?:văn bản|quyết định|kế hoạch|công văn|công điện|chỉ thị|thông báo(?:\s+kết luận)?|kết luận(?:\s+thanh tra)?"
        r"|thông tư|nghị quyết|chương trình|hướng dẫn)")
_FROM_SIGNING = re.compile(r"(?:kể từ|tính từ|từ)\s+(?:ngày\s+)?(?:" + _DOC + r"\s+(?:này\s+)?(?:được\s+)?)?"
                           r"(?:ký|ban hành)(?:\s+ban hành)?(?:\s+" + _DOC + r"(?:\s+này)?)?\s*$", _I)
_FROM_DATE = re.compile(r"(?:kể từ|tính từ|từ)\s+ngày\s+(?P<day>" + _DMY + r")", _I)
# What a cued date must not follow: it belongs to a referenced document, or is an 'as of' date.
_REFERENCED = re.compile(r"(?:\bsố\s+\d[\w/\-.]*|(?:được|đã)\s+(?:ký|ban hành)(?:\s+ban hành)?|" + _DOC
                         + r"\s+(?:ký|ban hành)|có hiệu lực(?:\s+thi hành)?|tính)\s*$", _I)
_RECURRING = tuple((re.compile(p.replace("EVERY", _EVERY), _I), r) for p, r in (
    (r"(?:định kỳ\s+)?EVERY\s+ngày", "FREQ=DAILY"),
    (r"(?:định kỳ\s+)?EVERY\s+tuần", "FREQ=WEEKLY"),
    (r"(?:định kỳ\s+)?EVERY\s+tháng(?:,\s*cuối năm)?", "FREQ=MONTHLY"),
    (r"(?:định kỳ\s+)?EVERY\s+quý", "FREQ=MONTHLY;INTERVAL=3"),
    ((r"định kỳ\s+(?:6|06|sáu)\s+tháng(?:\s*(?:một|1|01)\s+lần|\s*/\s*lần)?(?!\s+(?:đầu|cuối))"
      r"|(?:EVERY\s+)?(?:6|06|sáu)\s+tháng\s*(?:(?:một|1|01)\s+lần|/\s*lần)"), "FREQ=MONTHLY;INTERVAL=6"),
    (r"(?:định kỳ\s+)?EVERY\s+năm", "FREQ=YEARLY"),
    (r"(?<!tháng )cuối năm(?!\s+\d)", "FREQ=YEARLY;BYMONTH=12"),  # not "6 tháng cuối năm"
    (r"sau các kỳ nghỉ Lễ,?\s*Tết", None),
    (r"định kỳ", None),
))
_EVENT_RE = re.compile(r"(?<!\w)trước\s+(?:khi\s+[^.;,:()]{3,80}|(?:các\s+|mỗi\s+)?(?:kỳ họp|phiên họp|cuộc họp"
                       r"|hội nghị|đại hội|buổi làm việc)(?:\s+(?:thứ|lần)\s+\w+)?"
                       # "trước Tết Nguyên đán (Bính Ngọ)": a lunar date the text does not give
                       r"|(?:dịp\s+)?Tết(?:\s+Nguyên\s+[đĐ]án)?(?-i:(?:\s+[A-ZĐ][^\W\d_]+\s+[A-ZĐ][^\W\d_]+))?"
                       r"(?:\s+(?:năm\s+)?\d{4})?)", _I)
_ONGOING_RE = re.compile(r"(?<!\w)(?:thường xuyên(?:\s*,\s*liên tục)?|(?:bảo đảm|đảm bảo|đúng|theo)\s+tiến độ"
                         r"(?:\s+(?:đề ra|được giao|theo kế hoạch(?:\s+đề ra)?|quy định))?)(?!\w)", _I)


def parse_deadline(text: str, signed: date | None = None) -> DutyTime:
    """The deadline a clause (or a table's deadline cell) sets; `signed` dates spans counted
    from the signing ("trong 10 ngày kể từ ngày ký")."""
    text = squash(text or "")
    found = [*_dates(text), *_periods(text), *_days_of_periods(text), *_relatives(text, signed),
             *_days_without_year(text, signed), *_periods_without_year(text, signed)]
    # a span's end only when nothing else is cued: "số liệu từ ngày … đến ngày …" is what a report covers
    for group in (found, _ranges(text)):
        if group:
            return min(group, key=lambda f: (f[0], -f[1]))[2]
    recurring = _recurring(text)
    if recurring.kind != "none":
        return recurring
    for pattern, kind in ((_EVENT_RE, "relative"), (_ONGOING_RE, "ongoing")):
        m = pattern.search(text)
        if m:
            return DutyTime(text=m.group(0).strip(), kind=kind)
    return DutyTime()


# A task table's time cell may hold only years: "2026", "2026 - 2030", "Giai đoạn 2026-2030", "Từ năm
# 2026 đến năm 2030", "Năm 2026 và các năm tiếp theo". In running text such years are a plan's scope.
_CELL_YEARS = re.compile(r"^(?:(?:giai đoạn|từ năm|từ|năm)\s+)?(?P<first>(?:19|20)\d\d)(?:\s*(?:-|–|—|đến(?:\s+năm)?)"
                         r"\s*(?P<last>(?:19|20)\d\d))?(?!\d)", _I)


def parse_cell_deadline(text: str, signed: date | None = None) -> DutyTime:
    """The deadline of a task table's time cell: as in running text, or else the last year it names
    (a period "2026 - 2030" is due by 31/12/2030)."""
    found = parse_deadline(text, signed)
    if found.kind != "none":
        return found
    text = squash(text or "").strip(" .;")
    m = _CELL_YEARS.match(text)
    if not m:
        return found
    last = int(m["last"] or m["first"])
    if last < int(m["first"]):
        return found
    period = m["first"] if not m["last"] else f"{m['first']}-{m['last']}"
    return DutyTime(text=text, kind="year", date=f"{last}-12-31", period=period)


# The years a document's title says it is for: "Kế hoạch … năm 2026", "… giai đoạn 2021 - 2025",
# "giao ban tháng 5/2019", "Quý II/2026", "năm học 2025-2026", "nhiệm kỳ 2025 - 2030" ...
_TITLE_YEARS = re.compile(r"(?:năm(?:\s+học)?|giai đoạn|nhiệm kỳ|tháng\s+\d{1,2}\s*[/\-]|"
                          r"quý\s+(?:IV|I{1,3}|[1-4])\s*[/\-])\s*(?P<first>(?:19|20)\d\d)"
                          r"(?:\s*(?:-|–|—|đến(?:\s+năm)?)\s*(?P<last>(?:19|20)\d\d))?(?!\d)", _I)
# ... and not the dates and numbers of the documents it cites, nor the year in a law's name.
_CITED = re.compile(r"(?:ngày\s+)?(?:" + _DMY + r")|\b\d+/(?:\d{4}/)?[^\W\d_]\S*|"
                    r"(?:\bBộ\s+)?\b(?:luật|hiến pháp)\b[^,;()]{0,60}?\bnăm\s+\d{4}", _I)


def recurrence_end(title: str | None, signed: date | None = None) -> str | None:
    """The day a duty that recurs ("hằng tháng", "thứ hai hằng tuần") stops recurring: the end of
    the last year the document's title names as its period ("Kế hoạch … năm 2022" -> 2022-12-31),
    never before the end of the year it was signed in; None when the title names no period (a
    standing instruction recurs until it is replaced)."""
    text = _CITED.sub(" ", squash(title or ""))
    years = [int(y) for m in _TITLE_YEARS.finditer(text) for y in (m["first"], m["last"]) if y]
    if not years:
        return None
    return f"{max([*years, signed.year] if signed else years)}-12-31"


Found = tuple[int, int, DutyTime]  # start, length, what it says


def _dates(text: str) -> list[Found]:
    out = []
    for m in _DATE_RE.finditer(text):
        day = _day(m["day"])
        if day is None or not (m["cue"] and not _referenced(text, m.start()) or _alone(text, m, leading=False)):
            continue
        due = None
        if m["h"]:
            hour, minute = int(m["h"]), int(m["mi"] or 0)
            hour += 12 if (m["pm"] or "").lower() in ("chiều", "tối") and hour < 12 else 0
            due = f"{day.isoformat()}T{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else None
        out.append((m.start(), len(m.group(0)), DutyTime(text=m.group(0).strip(), kind="date",
                                                         date=day.isoformat(), due=due)))
    return out


def _days_without_year(text: str, signed: date | None) -> list[Found]:
    """"Hoàn thành trước 30/9" in a document signed 02/3/2026: 30/9/2026, the first such day from
    the signing on (none without a signing date, or when the text names the day as a cited one's)."""
    if signed is None:
        return []
    out = []
    for m in _DAY_MONTH.finditer(text):
        if _referenced(text, m.start()):
            continue
        for year in (signed.year, signed.year + 1):
            try:
                day = date(year, int(m["m"]), int(m["d"]))
            except ValueError:
                break
            if day >= signed:
                out.append((m.start(), len(m.group(0)), DutyTime(text=m.group(0).strip(), kind="date",
                                                                 date=day.isoformat())))
                break
    return out


def _periods(text: str) -> list[Found]:
    out = []
    for m in _PERIOD_RE.finditer(text):
        if not (m["cue"] and not _referenced(text, m.start()) or _alone(text, m, leading=True)):
            continue
        span = _period(m)
        if span is None:
            continue
        kind, first, last, label = span
        phrase = m.group(0).strip()
        if m["cue"] and re.search(r"trước\s*$", m["cue"], _I):  # "trước quý IV/2025": before it begins
            time = DutyTime(text=phrase, kind="date", date=(first - timedelta(days=1)).isoformat())
        else:
            time = DutyTime(text=phrase, kind=kind, date=last.isoformat(), period=label)
        out.append((m.start(), len(m.group(0)), time))
    return out


def _periods_without_year(text: str, signed: date | None) -> list[Found]:
    """"Trong Quý II" in a document signed 10/3/2026: Quý II/2026, the first such period not over
    when the document was signed (none without a signing date, or when the text names it as a cited one's)."""
    if signed is None:
        return []
    out = []
    for m in _PERIOD_NO_YEAR_RE.finditer(text):
        if _referenced(text, m.start()) or m["half"] and re.fullmatch(r"trong", m["cue"], _I):
            continue  # "kết quả trong 6 tháng đầu năm" is what a review covers; "hoàn thành trong …" a time
        for year in (signed.year, signed.year + 1):
            span = _period(m, year)
            if span is None:
                break
            kind, first, last, label = span
            before = bool(re.search(r"trước\s*$", m["cue"], _I))  # "trước quý IV": before it begins
            due, phrase = first - timedelta(days=1) if before else last, m.group(0).strip()
            if due >= signed:
                time = (DutyTime(text=phrase, kind="date", date=due.isoformat()) if before
                        else DutyTime(text=phrase, kind=kind, date=due.isoformat(), period=label))
                out.append((m.start(), len(m.group(0)), time))
                break
    return out


def _ranges(text: str) -> list[Found]:
    out = []
    for m in _RANGE_RE.finditer(text):
        if _referenced(text, m.start()):
            continue
        if m["day"]:
            day = _day(m["day"])
            if day:
                out.append((m.start(), len(m.group(0)), DutyTime(text=m.group(0).strip(), kind="date",
                                                                 date=day.isoformat())))
            continue
        span = _period(m)
        if span:
            kind, _, last, label = span
            out.append((m.start(), len(m.group(0)), DutyTime(text=m.group(0).strip(), kind=kind,
                                                             date=last.isoformat(), period=label)))
    return out


def _period(m: re.Match, year: int | None = None) -> tuple[str, date, date, str] | None:
    """(kind, first day, last day, label) of a quarter, month, half or year; `year` for a period
    the text names without one."""
    groups = m.groupdict()
    try:
        if groups.get("q"):
            y, q = year or int(m["qy"]), _ROMAN[m["q"].lower()]
            return "quarter", date(y, 3 * q - 2, 1), _month_end(y, 3 * q), f"{y}-Q{q}"
        if groups.get("mo"):
            y, mo = year or int(m["my"]), int(m["mo"])
            return "month", date(y, mo, 1), _month_end(y, mo), f"{y}-{mo:02d}"
        if groups.get("half"):
            y, h = year or int(m["hy"]), 1 if m["half"].lower() == "đầu" else 2
            return "half", date(y, 6 * h - 5, 1), _month_end(y, 6 * h), f"{y}-H{h}"
        y = int(m["y"])
        return "year", date(y, 1, 1), date(y, 12, 31), str(y)
    except (ValueError, calendar.IllegalMonthError):
        return None


def _days_of_periods(text: str) -> list[Found]:
    out = []
    for m in _YEARLY_DAY.finditer(text):
        if _day(f"{m['d']}/{m['m']}/2024"):  # a leap year, so 29/02 stands
            out.append((m.start(), len(m.group(0)), _repeat(m, f"FREQ=YEARLY;BYMONTH={int(m['m'])};"
                                                              f"BYMONTHDAY={int(m['d'])}")))
    for m in _MONTHLY_DAY.finditer(text):
        if 1 <= int(m["d"]) <= 31:
            months = {"đầu": "BYMONTH=1,4,7,10;", "cuối": "BYMONTH=3,6,9,12;"}.get((m["qpos"] or "").lower())
            rule = f"FREQ=YEARLY;{months}" if months else "FREQ=MONTHLY;"
            out.append((m.start(), len(m.group(0)), _repeat(m, f"{rule}BYMONTHDAY={int(m['d'])}")))
    for m in _WEEKLY_DAY.finditer(text):
        day = _WEEKDAYS[(m["wd"] or m["sun"] or m["wd2"] or m["sun2"]).lower()]
        out.append((m.start(), len(m.group(0)), _repeat(m, f"FREQ=WEEKLY;BYDAY={day}")))
    return out


def _relatives(text: str, signed: date | None) -> list[Found]:
    out = []
    for m in _RELATIVE_RE.finditer(text):
        tail = m["tail"]
        if m["cue"].lower() in ("trong", "sau") and not re.match(r"\s*(?:kể từ|tính từ|sau khi|từ)\b", tail, _I):
            continue  # "trong 5 năm qua" is a span of the past, not a time limit
        start = _FROM_DATE.search(tail)
        base = _day(start["day"]) if start else signed if _FROM_SIGNING.search(tail) else None
        due = _add(base, int(m["n"]), " ".join(m["unit"].lower().split())) if base else None
        out.append((m.start(), len(m.group(0)), DutyTime(text=m.group(0).strip(), kind="relative",
                                                         date=due.isoformat() if due else None)))
    return out


def _recurring(text: str) -> DutyTime:
    """Every regular period the clause names, in order; the first regular one gives the RRULE."""
    found: list[tuple[int, int, str, str | None]] = []
    for pattern, rrule in _RECURRING:
        for m in pattern.finditer(text):
            if not any(a <= m.start() < b or m.start() <= a < m.end() for a, b, _, _ in found):
                found.append((m.start(), m.end(), m.group(0).strip(), rrule))
    if not found:
        return DutyTime()
    found.sort()
    phrases = list(dict.fromkeys(p for _, _, p, _ in found))
    rrule = next((r for _, _, _, r in found if r), None)
    day = _DAY_ONLY.search(text) if rrule in ("FREQ=MONTHLY", "FREQ=YEARLY") else None
    if day and rrule == "FREQ=MONTHLY" and not day["m"] and 1 <= int(day["d"]) <= 31:
        rrule, phrases = f"{rrule};BYMONTHDAY={int(day['d'])}", [*phrases, day.group(0).strip()]
    elif day and rrule == "FREQ=YEARLY" and day["m"] and _day(f"{day['d']}/{day['m']}/2024"):
        rrule = f"{rrule};BYMONTH={int(day['m'])};BYMONTHDAY={int(day['d'])}"
        phrases = [*phrases, day.group(0).strip()]
    return DutyTime(text="; ".join(phrases), kind="recurring", rrule=rrule)


def _repeat(m: re.Match, rrule: str) -> DutyTime:
    return DutyTime(text=m.group(0).strip(), kind="recurring", rrule=rrule)


def _day(phrase: str) -> date | None:
    """The date in "05/5/2026" or "10 tháng 5 năm 2026"; None for an impossible one ("30/02/2026")."""
    d, mo, y = (int(n) for n in re.findall(r"\d+", phrase)[-3:])
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add(base: date, n: int, unit: str) -> date | None:
    """`base` + n units. Working days skip Saturdays and Sundays only: there is no public-holiday
    calendar (Tết, 30/4, 2/9 …), so a span crossing a holiday comes out early. Hours give no date."""
    if unit == "ngày làm việc":
        day = base
        while n > 0:
            day += timedelta(days=1)
            n -= day.weekday() < 5
        return day
    if unit in ("ngày", "tuần"):
        return base + timedelta(days=n * (7 if unit == "tuần" else 1))
    if unit in ("tháng", "năm"):
        months = base.month - 1 + n * (12 if unit == "năm" else 1)
        year, month = base.year + months // 12, months % 12 + 1
        return date(year, month, min(base.day, calendar.monthrange(year, month)[1]))
    return None


def _referenced(text: str, start: int) -> bool:
    return bool(_REFERENCED.search(text[max(0, start - 80):start]))


def _alone(text: str, m: re.Match, leading: bool) -> bool:
    """The phrase is the whole text (a deadline cell), or — `leading` — opens a sentence ("Quý I/2027, …")."""
    before = text[:m.start()].strip(" -–•+*()[]")
    after = text[m.end():].strip()
    if not before and not after.strip(".;,)]"):
        return True
    return leading and (not before or before[-1] in ".;:!?") and after.startswith((",", ":"))
