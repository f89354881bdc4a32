"""The due dates a duty question asks about (pure): "Sở Tài chính phải làm gì trước ngày 30/6/2026?",
"Nhiệm vụ nào đến hạn trong tháng 12/2026?", "Việc gì sắp đến hạn?", "Nhiệm vụ nào đã quá hạn?",
"Tháng này có việc gì đến hạn?", and the duties that recur ("Những báo cáo nào phải gửi hằng tháng?").

The span is read with the deadline grammar the duty table itself is built with, so "Quý II/2026",
"tháng 9/2024" and "trước ngày 15 tháng 10 năm 2025" mean the same in a question as in a directive.
A duty is in the span when the day it is due (a period's last day) falls in it; a recurring one
when the span has a start and its rule falls in it ("trước ngày 15 hàng tháng" in May; "hàng tháng"
in a span of a month or more; "hằng tuần" in a week), until the period its document is for ends
("Kế hoạch … năm 2022": not in 2026); ongoing and undated duties are not.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from core.text import folded_words
from core.types import Duty
from ingest.deadlines import parse_deadline

SOON_DAYS = 30   # as the calendar tab's "Sắp đến hạn (30 ngày tới)"
_SOON = re.compile(r"\bsap (?:den|toi|het) (?:han|thoi han|han chot)\b")
_OVERDUE = re.compile(r"\b(?:da |bi )?(?:qua|tre) (?:han|thoi han|han chot)\b")
# what asks for a list of duties rather than for one deadline ("Hạn báo cáo là khi nào?" does not)
_LIST_CUE = re.compile(r"\b(?:nhiem vu|viec|cong viec|bao cao)\s+(?:nao|gi)\b|"
                       r"\bnhung (?:nhiem vu|viec|cong viec|bao cao)\b|\bcac (?:nhiem vu|viec|cong viec)\b|"
                       r"\blam (?:gi|nhung gi)\b|\bnhung gi\b|^ai phai\b")
# "hằng tháng", "định kỳ hằng quý", "hàng năm": duties that recur, by their period (RFC 5545 FREQ)
_RECURRING = re.compile(r"\b(?:dinh ky )?(?:hang|moi) (ngay|tuan|thang|quy|nam)\b|\b(dinh ky)\b")
_FREQ = {"ngay": ("DAILY", "hằng ngày"), "tuan": ("WEEKLY", "hằng tuần"), "thang": ("MONTHLY", "hằng tháng"),
         "quy": ("QUARTERLY", "hằng quý"), "nam": ("YEARLY", "hằng năm")}
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class DueWindow:
    first: date | None   # None: anything due by `last`, overdue included
    last: date
    label: str           # "đến ngày 30/06/2026", "trong tháng 12/2026", "trong 30 ngày tới", "đã quá hạn"

    def holds(self, duty: Duty) -> bool:
        if duty.time.kind == "recurring":
            last = min(self.last, date.fromisoformat(duty.time.until)) if duty.time.until else self.last
            return self.first is not None and self.first <= last and _recurs_within(duty.time.rrule or "", self.first,
                                                                                    last)
        due = duty.time.date
        if not due:
            return False
        due = due[:10]
        return (self.first is None or due >= self.first.isoformat()) and due <= self.last.isoformat()

    def ended(self, duty: Duty) -> bool:
        """A duty that would recur in the span had its document's period not ended before it."""
        return (duty.time.kind == "recurring" and bool(duty.time.until) and self.first is not None
                and not self.holds(duty) and _recurs_within(duty.time.rrule or "", self.first, self.last))


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _recurs_within(rule: str, first: date, last: date) -> bool:
    """Whether a duty recurring by `rule` (RFC 5545: FREQ, BYMONTHDAY, BYDAY) falls due between
    `first` and `last`. Without the day, a monthly duty falls in any span of a month or more and a
    weekly one in any week; a quarterly or yearly rule never says which month."""
    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
    days = [first + timedelta(n) for n in range((last - first).days + 1)]
    freq = parts.get("FREQ")
    if freq == "DAILY":
        return bool(days)
    if freq == "WEEKLY":
        wanted = [_WEEKDAYS.index(d) for d in parts.get("BYDAY", "").split(",") if d in _WEEKDAYS]
        return any(d.weekday() in wanted for d in days) if wanted else len(days) >= 7
    if freq == "MONTHLY" and "INTERVAL" not in parts:
        if parts.get("BYMONTHDAY", "").isdigit():
            return any(d.day == int(parts["BYMONTHDAY"]) for d in days)
        return len(days) >= 28
    return False


@dataclass(frozen=True)
class Recurrence:
    """Duties that recur with a period ("hằng tháng"), or any that recur ("định kỳ": `freq` None)."""
    freq: str | None
    label: str
    today: date | None = None   # a recurrence whose document's period ended before it is no longer due

    def holds(self, duty: Duty) -> bool:
        return self._recurs(duty) and not (self.today and duty.time.ended(self.today))

    def ended(self, duty: Duty) -> bool:
        return self._recurs(duty) and bool(self.today) and duty.time.ended(self.today)

    def _recurs(self, duty: Duty) -> bool:
        if duty.time.kind != "recurring":
            return False
        if self.freq is None:
            return True
        rule = duty.time.rrule or ""
        if self.freq == "QUARTERLY":   # a quarter is every third month
            return "INTERVAL=3" in rule or bool(re.search(r"\bquy\b", folded_words(duty.time.text or "")))
        return rule.startswith(f"FREQ={self.freq}")


def due_window(question: str, today: date) -> DueWindow | Recurrence | None:
    """The span of due dates, or the period of recurring duties, that a question asking for duties
    names; None when it names none."""
    q = folded_words(question)
    if not _LIST_CUE.search(q):
        return None
    recurring = _RECURRING.search(q)
    if recurring:   # "Những báo cáo nào phải gửi hằng tháng?"
        freq, label = _FREQ.get(recurring.group(1), (None, "định kỳ"))
        return Recurrence(freq, label, today)
    time = parse_deadline(question)   # a date or period named wins over "sắp" ("sắp đến hạn trong tháng 12")
    if not time.date:
        relative = _relative(q, today) or _without_year(q, today)
        if relative:
            return relative
        if _SOON.search(q):
            return DueWindow(today, today + timedelta(days=SOON_DAYS), f"trong {SOON_DAYS} ngày tới")
        if _OVERDUE.search(q):
            return DueWindow(None, today - timedelta(days=1), "đã quá hạn")
        return None
    last = date.fromisoformat(time.date[:10])
    if time.kind == "date":
        return DueWindow(None, last, f"đến ngày {last:%d/%m/%Y}")
    period = _period(time.kind, time.period or "")
    if period is None:
        return None
    first, label = period
    return DueWindow(first, last, label)


_RELATIVE = re.compile(r"\b(hom nay|tuan nay|tuan (?:toi|sau)|thang nay|thang (?:toi|sau)|quy nay|quy (?:toi|sau)|"
                       r"nam nay)\b")


def _relative(q: str, today: date) -> DueWindow | None:
    """"Tháng này có việc gì đến hạn?": this or the next week, month or quarter, today, this year."""
    m = _RELATIVE.search(q)
    if not m:
        return None
    word = m.group(1)
    if word == "hom nay":
        return DueWindow(today, today, f"hôm nay ({today:%d/%m/%Y})")
    if word.startswith("tuan"):
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=0 if word == "tuan nay" else 1)
        sunday = monday + timedelta(days=6)
        return DueWindow(monday, sunday, f"từ {monday:%d/%m/%Y} đến {sunday:%d/%m/%Y}")
    if word.startswith("thang"):
        month = today.month + (0 if word == "thang nay" else 1)
        return _month_span(today.year + (month - 1) // 12, (month - 1) % 12 + 1)
    if word.startswith("quy"):
        quarter = (today.month - 1) // 3 + (0 if word == "quy nay" else 1)
        return _quarter_span(today.year + quarter // 4, quarter % 4 + 1)
    return DueWindow(date(today.year, 1, 1), date(today.year, 12, 31), f"trong năm {today.year}")


def _month_span(year: int, month: int) -> DueWindow:
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return DueWindow(date(year, month, 1), nxt - timedelta(days=1), f"trong tháng {month}/{year}")


def _quarter_span(year: int, quarter: int) -> DueWindow:
    first, nxt = date(year, 3 * quarter - 2, 1), date(year + quarter // 4, (3 * quarter) % 12 + 1, 1)
    return DueWindow(first, nxt - timedelta(days=1), f"trong quý {_ROMAN[quarter]}/{year}")


# "trong tháng 12", "tháng 12 này", "quý I", "tháng 12 năm 2026": a month or quarter named outside the
# deadline grammar (which wants "trong tháng …"), its year when given; a span asked for ("trong / vào /
# đến hạn / hết tháng 12", "tháng 12 này"), not a title's period ("Kết luận giao ban tháng 5 …")
_WHEN = r"(?:\b(?:trong|vao|het|cuoi|dau|han|den han|truoc)\s+|(?=\b(?:thang|quy) \w+ nay\b))"
_DAY_ALONE = re.compile(r"\b(?:truoc|den|cham nhat)(?: ngay)? (\d{1,2}) (?:thang )?(\d{1,2})\b(?!\s*(?:nam\s*)?\d)")
_MONTH_ALONE = re.compile(_WHEN + r"thang (\d{1,2})(?: (?:nam )?((?:19|20)\d\d))?\b(?!\s*(?:nam\s*)?\d)")
_QUARTER_ALONE = re.compile(_WHEN + r"quy (iv|iii|ii|i|[1-4])(?: (?:nam )?((?:19|20)\d\d))?\b(?!\s*(?:nam\s*)?\d)")
_QUARTER_NUMBER = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _without_year(q: str, today: date) -> DueWindow | None:
    """"Sở Nội vụ cần làm gì trong tháng 12?": the month or quarter next to come (this one
    included), or, for overdue duties, the last one gone, unless its year is given; "… trước ngày
    15 tháng 12?": by that day; None when none is named."""
    overdue = bool(_OVERDUE.search(q))
    m = _DAY_ALONE.search(q)
    if m:   # "… trước ngày 15 tháng 12?": by that day, overdue ones included, as with its year
        day, month = int(m.group(1)), int(m.group(2))
        for year in (today.year, today.year + 1):
            try:
                last = date(year, month, day)
            except ValueError:
                return None
            if last >= today or overdue:
                return DueWindow(None, last, f"đến ngày {last:%d/%m/%Y}")
        return None
    m = _MONTH_ALONE.search(q)
    if m and 1 <= int(m.group(1)) <= 12:
        month = int(m.group(1))
        year = int(m.group(2)) if m.group(2) else today.year + (1 if month < today.month and not overdue else 0) \
            - (1 if month > today.month and overdue else 0)
        return _month_span(year, month)
    m = _QUARTER_ALONE.search(q)
    if m:
        quarter, now = _QUARTER_NUMBER[m.group(1)], (today.month - 1) // 3 + 1
        year = int(m.group(2)) if m.group(2) else \
            today.year + (1 if quarter < now and not overdue else 0) - (1 if quarter > now and overdue else 0)
        return _quarter_span(year, quarter)
    return None


def _period(kind: str, period: str) -> tuple[date, str] | None:
    """(first day, label) of "2026-12", "2026-Q2", "2026-H1", "2026"."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})|-Q([1-4])|-H([12]))?", period)
    if not m:
        return None
    year = int(m.group(1))
    if kind == "month" and m.group(2):
        return date(year, int(m.group(2)), 1), f"trong tháng {int(m.group(2))}/{year}"
    if kind == "quarter" and m.group(3):
        quarter = int(m.group(3))
        return date(year, 3 * quarter - 2, 1), f"trong quý {_ROMAN[quarter]}/{year}"
    if kind == "half" and m.group(4):
        first_half = m.group(4) == "1"
        return date(year, 1 if first_half else 7, 1), f"trong 6 tháng {'đầu' if first_half else 'cuối'} năm {year}"
    if kind == "year" and not any(m.groups()[1:]):
        return date(year, 1, 1), f"trong năm {year}"
    return None
