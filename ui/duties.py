"""Handlers of the "Nhiệm vụ theo cơ quan" and "Lịch hạn" tabs, as plain Python."""
from __future__ import annotations

import re
import tempfile
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

from core.text import vn_date
from core.types import Duty
from ingest.duties import ROLES
from ingest.provinces import current_province, same_province
from ui import exports as duty_export
from ui.chat import escape

TABLE_HEADERS = ["Cơ quan", "Vai trò", "Nhiệm vụ", "Thời hạn", "Văn bản", "Tỉnh", "Điều khoản", "Trích dẫn"]
# A recurrence is listed under its period; the day it names, if any, stays in the duty's own wording.
RECURRENCE_LABELS = {"DAILY": "Hằng ngày", "WEEKLY": "Hằng tuần", "MONTHLY": "Hằng tháng", "MONTHLY;INTERVAL=3": "Hằng quý",
                     "MONTHLY;INTERVAL=6": "6 tháng một lần", "YEARLY": "Hằng năm"}


def recurrence_label(rrule: str | None) -> str:
    """'FREQ=MONTHLY;BYMONTHDAY=20' -> 'Hằng tháng'; unknown or missing -> 'Định kỳ / theo sự kiện'."""
    parts = [p for p in (rrule or "").split(";") if p.startswith(("FREQ=", "INTERVAL="))]
    key = ";".join(parts).removeprefix("FREQ=")
    return RECURRENCE_LABELS.get(key, "Định kỳ / theo sự kiện")


def export_name(base: str, extension: str, actor: str | None = None, provinces: list[str] | None = None,
                documents: list[str] | None = None, roles: list[str] | None = None) -> str:
    """A file name that says what was exported: 'nhiem-vu_so-tai-chinh_thanh-hoa.xlsx'."""
    import unicodedata

    def slug(text: str) -> str:
        plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
        plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
        return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")

    parts = [base, actor or "", *(provinces or []), *(Path(d).stem for d in documents or []), *(roles or [])]
    name = "_".join(p for p in map(slug, parts) if p)[:100].rstrip("-_")
    return f"{name}.{extension}"


class DutyHandlers:
    def __init__(self, library):
        self.library = library
        self.export_dir = Path(tempfile.mkdtemp(prefix="rag-exports-"))

    def actor_choices(self) -> list[str]:
        return sorted(self.library.known_actors)

    def role_choices(self) -> list[str]:
        return list(ROLES)

    def select(self, actor: str | None, provinces: list[str] | None = None, documents: list[str] | None = None,
               roles: list[str] | None = None) -> tuple[list[Duty], str]:
        """The duties matching the filters, and a one-line summary (or why there are none)."""
        canonical = None
        if actor and actor.strip():
            canonical = self.library.resolve_actor(actor)
            if canonical is None:
                return [], f"Không nhận ra cơ quan «{escape(actor)}». Chọn một cơ quan trong danh sách."
        duties = [d for d in self.library.duties(actor=canonical, with_heads=True)
                  if (not provinces or any(same_province(d.province, p) for p in provinces))
                  and (not documents or d.document in documents) and (not roles or d.role in roles)]
        who = f"**{escape(canonical)}**" if canonical else "Tất cả cơ quan"
        return duties, f"{who}: {len(duties)} nhiệm vụ trong {len({d.document for d in duties})} văn bản."

    def table(self, actor: str | None, provinces: list[str] | None = None,
              documents: list[str] | None = None, roles: list[str] | None = None) -> tuple[list[list[str]], str]:
        duties, summary = self.select(actor, provinces, documents, roles)
        rows = [[d.named, d.role, d.action, duty_export.deadline_text(d), d.document, _province(d.province),
                 d.clause, d.quote] for d in duties]
        return rows, summary

    def export_csv(self, actor: str | None, provinces: list[str] | None = None,
                   documents: list[str] | None = None, roles: list[str] | None = None) -> str:
        duties, _ = self.select(actor, provinces, documents, roles)
        path = self._export_path(export_name("nhiem-vu", "csv", actor, provinces, documents, roles))
        path.write_text("\ufeff" + duty_export.to_csv(duties), encoding="utf-8")  # BOM: Excel reads it as UTF-8
        return str(path)

    def export_xlsx(self, actor: str | None, provinces: list[str] | None = None,
                    documents: list[str] | None = None, roles: list[str] | None = None) -> str:
        duties, _ = self.select(actor, provinces, documents, roles)
        path = self._export_path(export_name("nhiem-vu", "xlsx", actor, provinces, documents, roles))
        return duty_export.to_xlsx(duties, str(path))

    def export_docx(self, actor: str | None, provinces: list[str] | None = None,
                    documents: list[str] | None = None, roles: list[str] | None = None) -> str:
        duties, _ = self.select(actor, provinces, documents, roles)
        title = f"Bảng nhiệm vụ — {actor.strip()}" if actor and actor.strip() else "Bảng nhiệm vụ"
        path = self._export_path(export_name("nhiem-vu", "docx", actor, provinces, documents, roles))
        return duty_export.to_docx(duties, str(path), title=title)

    def export_ics(self, actor: str | None = None, provinces: list[str] | None = None) -> str:
        duties, _ = self.select(actor, provinces)
        path = self._export_path(export_name("lich-han", "ics", actor, provinces))
        path.write_text(duty_export.to_ics(duties, self.library.settings.today_date()), encoding="utf-8")
        return str(path)

    def _export_path(self, name: str) -> Path:
        """A fresh folder per export: two users exporting at once never get each other's file."""
        return Path(tempfile.mkdtemp(dir=self.export_dir)) / name

    def calendar_html(self, actor: str | None = None, provinces: list[str] | None = None) -> str:
        """A timeline: dated duties in date order, then recurring ones by period."""
        duties, summary = self.select(actor, provinces)
        today = self.library.settings.today_date()
        # a date, or the last day of the quarter / month / half / year, or a span counted from the signing
        dated = sorted((d for d in duties if d.time.date), key=lambda d: d.time.date)
        soon = [d for d in dated if today.isoformat() <= d.time.date[:10] <= (today + timedelta(days=30)).isoformat()]
        recurring: dict[str, list[Duty]] = defaultdict(list)
        ended: list[Duty] = []   # "hằng tuần" in a plan for a year gone by
        for d in duties:
            if d.time.kind == "recurring":
                (ended if d.time.ended(today) else recurring[recurrence_label(d.time.rrule)]).append(d)
        relative = [d for d in duties if d.time.kind == "relative" and not d.time.date]
        parts = [f'<div class="rag-cal"><p>{summary.replace("**", "")} Hôm nay: {today:%d/%m/%Y}.</p>']
        parts.append("<h4>Sắp đến hạn (30 ngày tới)</h4>" + ("<ul>" + "".join(
            f"<li><b>{vn_date(d.time.date)}</b> — {_line(d)}</li>" for d in soon) + "</ul>" if soon
            else "<p>Không có hạn nào trong 30 ngày tới.</p>"))
        if dated:
            overdue = {id(d) for d in dated if d.time.date[:10] < today.isoformat()}
            parts.append("<h4>Hạn theo ngày</h4><ul>" + "".join(
                f'<li{" class=rag-overdue" if id(d) in overdue else ""}><b>{vn_date(d.time.date)}</b>'
                f'{" <span class=rag-overdue-label>quá hạn</span>" if id(d) in overdue else ""}'
                f" — {_line(d)}</li>" for d in dated) + "</ul>")
        for label in sorted(recurring):
            parts.append(f"<h4>{escape(label)}</h4><ul>" + "".join(f"<li>{_line(d)}</li>" for d in recurring[label]) + "</ul>")
        if ended:
            parts.append("<h4>Định kỳ đã hết kỳ (văn bản cho một giai đoạn đã qua)</h4><ul>" + "".join(
                f"<li>{_line(d)}</li>" for d in ended) + "</ul>")
        if relative:
            parts.append("<h4>Thời hạn tương đối</h4><ul>" + "".join(
                f"<li><b>{escape(d.time.text)}</b> — {_line(d)}</li>" for d in relative) + "</ul>")
        if not (dated or recurring or ended or relative):
            parts.append("<p>Không có nhiệm vụ nào có thời hạn hoặc định kỳ.</p>")
        return "".join(parts) + "</div>"


def _province(name: str | None) -> str:
    current = current_province(name)
    return f"{current} (trước đây: {name})" if name and current and current != name else (name or "")


def _line(d: Duty) -> str:
    until = f", đến {vn_date(d.time.until)}" if d.time.kind == "recurring" and d.time.until else ""
    when = f" <i>({escape(d.time.text)}{until})</i>" if d.time.text and d.time.kind != "date" else ""
    return (f"<b>{escape(d.named)}</b> ({escape(d.role)}): {escape(d.action)}{when} "
            f"<span class=\"rag-source-meta\">— {escape(d.province or '')}, {escape(d.document)}, {escape(d.clause)}</span>")
