"""Plain-text directives (.txt, .md): decode, validate, clean conversion artefacts, NFC."""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from core.errors import InputFileError
from core.text import nfc

_BOOKMARK = re.compile(r"\[bookmark:[^\]\n]*\]")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_BOLD = re.compile(r"\*\*|__")
# Stray file-name lines left by converters, e.g. "CD_trachnhiemcongvu" or "bao_cao.docx".
_FILE_NAME_LINE = re.compile(r"^(?:[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+|[\w\-]+\.(?:docx?|pdf|txt|odt|rtf))$")
_ENDS_SENTENCE = re.compile(r"[.;:!?…\"”')\]]$")
_LIST_MARKER = re.compile(r"^(?:[a-zđ]\)|[-•+–*]\s)")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


def decode_bytes(raw: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM) or UTF-16 (with BOM); anything else is a clear error."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as e:
            raise InputFileError(path, "tệp UTF-16 bị hỏng / corrupt UTF-16 file",
                                 "lưu lại tệp dưới dạng UTF-8 / re-save the file as UTF-8") from e
    if b"\x00" in raw[:4096]:
        raise InputFileError(path, "tệp nhị phân, không phải văn bản / binary file, not text",
                             "chỉ nạp tệp .txt hoặc .md / convert it to a UTF-8 .txt or .md file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputFileError(
            path, f"không phải mã UTF-8 (byte lỗi ở vị trí {e.start}) / not UTF-8 (bad byte at {e.start})",
            "lưu lại tệp dưới dạng UTF-8, ví dụ: iconv -f WINDOWS-1258 -t UTF-8 / re-save as UTF-8") from e


def clean_text(text: str) -> tuple[str, tuple[int, ...]]:
    """Return the cleaned NFC text and the offsets of lines written as headings (bold or '##')."""
    text = nfc(text).translate(_ZERO_WIDTH).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\t", " ").replace("\u00a0", " ")
    text = _BOOKMARK.sub("", text)
    lines: list[tuple[str, bool]] = []
    for raw_line in text.split("\n"):
        line = raw_line.strip()
        heading = bool(_MD_HEADING.match(line))
        line = _MD_HEADING.sub("", line)
        bold_whole = line.startswith("**") and line.endswith("**") and len(line) > 4
        # NFC again: a mark or zero-width space removed between a letter and its accent leaves
        # the pair decomposed ("c**\u0301" -> "c\u0301")
        line = nfc(_BOLD.sub("", line).strip())
        if _FILE_NAME_LINE.match(line):
            continue
        lines.append((line, heading or bold_whole))
    merged = _rejoin_broken_paragraphs(lines)
    out: list[str] = []
    heading_starts: list[int] = []
    offset = 0
    for line, heading in merged:
        if not line and (not out or not out[-1]):
            continue  # collapse runs of blank lines (and leading ones)
        if heading and line:
            heading_starts.append(offset)
        out.append(line)
        offset += len(line) + 1
    while out and not out[-1]:
        out.pop()
    return "\n".join(out), tuple(heading_starts)


def _rejoin_broken_paragraphs(lines: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """A page break cuts a sentence: 'kiểm tra việc' / blank / 'thực hiện …'. Join such
    pieces when the first does not end a sentence and the next starts in lower case."""
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(lines):
        line, heading = lines[i]
        j = i + 1
        while line and not _ENDS_SENTENCE.search(line):
            k = j
            while k < len(lines) and not lines[k][0]:
                k += 1
            if k >= len(lines) or k - j > 3:
                break
            nxt = lines[k][0]
            if not nxt[:1].islower() or _LIST_MARKER.match(nxt):
                break
            line = f"{line} {nxt}"
            heading = heading or lines[k][1]
            j = k + 1
        out.append((line, heading))
        i = j
    return out


def read_text_file(raw: bytes, path: Path) -> tuple[str, tuple[int, ...], tuple[str, ...]]:
    """A .txt/.md file's bytes -> (cleaned NFC text, heading line offsets, notes)."""
    text, encoding = _decode(raw, path)
    cleaned, heading_lines = clean_text(text)
    if not cleaned.strip():
        raise InputFileError(path, "tệp rỗng, không có nội dung / empty file, no text",
                             "kiểm tra lại tệp nguồn / check the source file")
    if _control_ratio(cleaned) > 0.01:
        raise InputFileError(path, "tệp chứa ký tự điều khiển, có vẻ là tệp nhị phân / looks binary",
                             "chỉ nạp văn bản UTF-8 .txt hoặc .md / load UTF-8 .txt or .md text only")
    notes = () if encoding in ("utf-8", "utf-8-sig", "utf-16") else \
        (f"mã {encoding.upper()} đã chuyển sang Unicode / converted from {encoding.upper()}",)
    return cleaned, heading_lines, notes


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    """UTF-8/UTF-16, or a legacy Vietnamese encoding (TCVN3, VNI …) when ingest.encoding can tell."""
    try:
        from ingest.encoding import decode_text_bytes
    except ImportError:
        return decode_bytes(raw, path), "utf-8"
    return decode_text_bytes(raw, path)


def _control_ratio(text: str) -> float:
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n")
    return bad / max(len(text), 1)
