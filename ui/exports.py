"""Duty table exports: terminal table, CSV, JSON lines, iCalendar (.ics) and Excel (.xlsx)."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timezone

from core.types import Duty

COLUMNS = ("Cơ quan", "Vai trò", "Nhiệm vụ", "Thời hạn", "Loại thời hạn", "Văn bản", "Tỉnh", "Điều khoản", "Trích dẫn")


def rows(duties: list[Duty]) -> list[list[str]]:
    return [[d.actor, d.role, d.action, d.time.text or "", d.time.kind, d.document, d.province or "", d.clause, d.quote]
            for d in duties]


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
            out.append(f"  {d.clause:<30} {d.actor[:40]:<40} {d.role:<17} {action}{when}")
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
    for column, width in zip("ABCDEFGHI", (34, 16, 60, 24, 12, 36, 12, 28, 80)):
        ws.column_dimensions[column].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    wb.save(path)
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


def calendar_duties(duties: list[Duty]) -> list[Duty]:
    """Duties a calendar can hold: a date, or a regular recurrence."""
    return [d for d in duties if d.time.kind == "date" and d.time.date or d.time.kind == "recurring" and d.time.rrule]


def to_ics(duties: list[Duty], start_of_recurrence: date | None = None) -> str:
    """Dated duties as all-day events; recurring ones with their RRULE starting at
    `start_of_recurrence` (default: the first day of the current month)."""
    start = start_of_recurrence or date.today().replace(day=1)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tro-ly-van-ban-chi-dao//duties//VI",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:Lịch hạn nhiệm vụ"]
    for d in calendar_duties(duties):
        day = date.fromisoformat(d.time.date) if d.time.kind == "date" else start
        summary = _ics_escape(f"{d.actor}: {d.action}")
        description = _ics_escape(f"{d.time.text or ''} — {d.document}, {d.clause}. {d.quote}")
        lines += ["BEGIN:VEVENT", f"UID:{d.duty_id}@tro-ly-van-ban", f"DTSTAMP:{stamp}",
                  f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"SUMMARY:{summary}", f"DESCRIPTION:{description}"]
        if d.time.kind == "recurring":
            lines.append(f"RRULE:{d.time.rrule}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
