"""Duty table exports: terminal table, CSV, JSON lines, iCalendar (.ics), Excel (.xlsx) and Word (.docx)."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta, timezone

from core.text import vn_date
from core.types import Duty

COLUMNS = ("Cơ quan (theo văn bản)", "Cơ quan hiện nay", "Vai trò", "Nhiệm vụ", "Thời hạn", "Hạn (ngày)",
           "Loại thời hạn", "Văn bản", "Tỉnh", "Tỉnh hiện nay", "Điều khoản", "Trích dẫn")
KIND_LABELS = {"date": "ngày", "quarter": "quý", "month": "tháng", "half": "nửa năm", "year": "năm",
               "recurring": "định kỳ", "relative": "tương đối", "ongoing": "thường xuyên", "none": "không có"}


def deadline_text(d: Duty) -> str:
    """The deadline as written, with the day it falls on when the words do not say it."""
    if d.time.date and d.time.kind != "date":
        return f"{d.time.text} (đến {vn_date(d.time.date)})"
    if d.time.kind == "recurring" and d.time.until:   # "hằng tháng" in a plan for one year
        return f"{d.time.text} (đến {vn_date(d.time.until)})"
    return d.time.text or ""


def rows(duties: list[Duty]) -> list[list[str]]:
    from ingest.provinces import current_province  # package data, read on first export

    return [[d.actor, d.holder, d.role, d.action, d.time.text or "", d.time.date or "",
             KIND_LABELS.get(d.time.kind, d.time.kind), d.document, d.province or "",
             current_province(d.province) or d.province or "", d.clause, d.quote] for d in duties]


def to_json_lines(duties: list[Duty]) -> str:
    return "".join(json.dumps(d.to_json(), ensure_ascii=False) + "\n" for d in duties)


def to_csv(duties: list[Duty]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    writer.writerows(rows(duties))
    return buf.getvalue()


def to_table(duties: list[Duty], width: int = 60) -> str:
    if not duties:
        return "Không có nhiệm vụ nào khớp điều kiện lọc."
    out = []
    for doc in dict.fromkeys(d.document for d in duties):
        mine = [d for d in duties if d.document == doc]
        out.append(f"{doc} ({len(mine)} nhiệm vụ)")
        for d in mine:
            when = f" — {d.time.text}" if d.time.text else ""
            action = d.action if len(d.action) <= width else d.action[:width - 1] + "…"
            who = d.named
            out.append(f"  {d.clause:<30} {who[:60]:<40} {d.role:<17} {action}{when}")
    return "\n".join(out)


def to_xlsx(duties: list[Duty], path: str) -> str:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Nhiệm vụ"
    ws.append(COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows(duties):
        ws.append(row)
    for column, width in zip("ABCDEFGHIJKL", (34, 34, 16, 60, 24, 12, 12, 36, 12, 12, 28, 80)):
        ws.column_dimensions[column].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    wb.save(path)
    return path


def to_docx(duties: list[Duty], path: str, title: str = "Bảng nhiệm vụ") -> str:
    """The duty table as a Word document (reports are written in Word): landscape A4, one table,
    the document's own agency name beside today's, the deadline with the day it falls on."""
    from docx import Document as WordDocument
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    word = WordDocument()
    section = word.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    style = word.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(11)
    word.add_heading(title, level=1)
    word.add_paragraph(f"{len(duties)} nhiệm vụ trong {len({d.document for d in duties})} văn bản.")
    headers = ("Cơ quan", "Vai trò", "Nhiệm vụ", "Thời hạn", "Văn bản, điều khoản")
    table = word.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for d in duties:
        who = d.named
        when = deadline_text(d)
        where = f"{d.document}, {d.clause}" + (f" ({d.province})" if d.province else "")
        for cell, text in zip(table.add_row().cells, (who, d.role, d.action, when, where)):
            cell.text = text
    for row in table.rows:
        for cell, width in zip(row.cells, (5.5, 2.5, 10.5, 3.5, 5.0)):
            cell.width = Cm(width)
    word.save(path)
    return path


def _ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545: lines longer than 75 octets continue on the next line after a space."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts, chunk = [], b""
    for ch in line:
        b = ch.encode("utf-8")
        if len(chunk) + len(b) > (75 if not parts else 74):
            parts.append(chunk.decode("utf-8"))
            chunk = b""
        chunk += b
    parts.append(chunk.decode("utf-8"))
    return "\r\n ".join(parts)


def calendar_duties(duties: list[Duty], today: date | None = None) -> list[Duty]:
    """Duties a calendar can hold: a due day (a date, or the last day of a quarter, month, half or
    year, or a span counted from the signing), or a recurrence (dated when its day is stated) that
    has not ended with its document's period."""
    today = today or date.today()
    return [d for d in duties if d.time.date or d.time.kind == "recurring" and d.time.rrule
            and not d.time.ended(today)]


def stated_day(rrule: str | None) -> bool:
    """Does the recurrence say on which day ("trước ngày 20 hằng tháng", "thứ hai hằng tuần")?"""
    return bool(rrule) and ("BYMONTHDAY=" in rrule or "BYDAY=" in rrule or rrule.startswith("FREQ=DAILY"))


def first_occurrence(rrule: str, today: date) -> date:
    """The first day on or after `today` that a stated-day RRULE falls on (never an invented day)."""
    parts = dict(p.split("=", 1) for p in rrule.split(";"))
    for offset in range(400):
        day = today + timedelta(days=offset)
        if "BYMONTH" in parts and day.month != int(parts["BYMONTH"]):
            continue
        if "BYMONTHDAY" in parts and day.day != int(parts["BYMONTHDAY"]):
            continue
        if "BYDAY" in parts and day.strftime("%a")[:2].upper() != parts["BYDAY"]:
            continue
        return day
    return today


def to_ics(duties: list[Duty], today: date | None = None) -> str:
    """A deadline is an all-day event on the day it falls due (a quarter or a month on its last day,
    its wording kept in the description); a recurrence with a stated day repeats from its next
    occurrence; a recurrence without one ("hằng tháng") is a task (VTODO) with its period, since
    any day we picked would be invented."""
    today = today or date.today()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tro-ly-van-ban-chi-dao//duties//VI",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:Lịch hạn nhiệm vụ"]
    for d in calendar_duties(duties, today):
        summary = _ics_escape(f"{d.actor}: {d.action}")
        description = _ics_escape(f"{deadline_text(d)} — {d.document}, {d.clause}. {d.quote}")
        common = [f"UID:{d.duty_id}@tro-ly-van-ban", f"DTSTAMP:{stamp}", f"SUMMARY:{summary}",
                  f"DESCRIPTION:{description}"]
        if d.time.date:
            day = date.fromisoformat(d.time.date)
            lines += ["BEGIN:VEVENT", *common, f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                      f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}", "END:VEVENT"]
        elif stated_day(d.time.rrule):
            day = first_occurrence(d.time.rrule, today)
            until = f";UNTIL={d.time.until.replace('-', '')}" if d.time.until else ""
            lines += ["BEGIN:VEVENT", *common, f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"RRULE:{d.time.rrule}{until}",
                      "END:VEVENT"]
        else:
            lines += ["BEGIN:VTODO", *common, f"CATEGORIES:{_ics_escape(d.time.text or 'định kỳ')}", "END:VTODO"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
