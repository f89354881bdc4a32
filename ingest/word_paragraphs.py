"""Paragraph text of a .docx body in reading order: runs (hidden, deleted and field-code text left
out), text boxes, bold from direct formatting or styles, list numbers rendered from numbering.xml,
footnotes. Tables are read by the subclass in ingest/word.py."""
from __future__ import annotations

import re
from dataclasses import replace

from core.text import nfc
from core.types import Block

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
M_T = "{http://schemas.openxmlformats.org/officeDocument/2006/math}t"
# Inline elements whose content is never shown: deletions, field codes, properties, comment marks.
_SKIP = {W + t for t in ("del", "moveFrom", "delText", "rPr", "pPr", "instrText", "sdtPr", "fldData", "sectPr",
                         "commentReference", "endnoteReference", "annotationRef", "tblPr", "trPr", "tcPr")}
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACE = re.compile(r"[ \t\u00a0\u2002-\u200a\u202f\u3000]+")


class _ParagraphReader:
    """Walks one document body; list counters and footnote order live here, in reading order.
    Tables (self.table) are read by the subclass ingest.word._Reader."""

    def __init__(self, document):
        self.document = document
        self.styles = _styles(document.styles.element)
        self.default_pstyle = next((k for k, s in self.styles.items() if s["default"]), None)
        numbering = _numbering_part(document.part)  # not document.part.numbering_part: that adds one
        self.numbering = _Numbering(numbering.element if numbering is not None else None, self)
        self.footnotes: list[str] = []   # footnote ids in order of first reference
        self.tables = 0

    def read(self, body) -> list[Block]:
        blocks = self.container(body, lines=False)
        numbers: dict[int, int] = {}  # data tables numbered 1.. in reading order (a nested one is read first)
        blocks = [replace(b, table=numbers.setdefault(b.table, len(numbers) + 1)) if b.kind == "row" else b
                  for b in blocks]
        notes = self._footnote_texts()
        for n, fid in enumerate(self.footnotes, 1):
            if notes.get(fid):
                blocks.append(Block(f"Chú thích {n}: {notes[fid]}"))
        return blocks

    def style(self, sid: str | None, key: str):
        for _ in range(20):  # basedOn chain, loop-safe
            s = self.styles.get(sid)
            if s is None:
                return None
            if s[key] is not None:
                return s[key]
            sid = s["based"]
        return None

    def container(self, el, lines: bool) -> list[Block]:
        """Paragraphs and tables of a body, cell, text box or content control, in order."""
        out: list[Block] = []
        for child in el:
            if child.tag == W + "p":
                out.extend(self.paragraph(child, lines))
            elif child.tag == W + "tbl":
                out.extend(self.table(child))
            elif child.tag == MC + "AlternateContent":
                out.extend(self.container(_one_choice(child), lines))
            elif child.tag not in _SKIP and isinstance(child.tag, str):
                out.extend(self.container(child, lines))
        return out

    def paragraph(self, p, lines: bool) -> list[Block]:
        pstyle = _val(p.find(f"{W}pPr/{W}pStyle")) or self.default_pstyle
        pieces: list[tuple[str, bool]] = []
        boxes: tuple[list[Block], list[Block]] = ([], [])
        self.inline(p, pieces, boxes, pstyle, False)
        label = self.numbering.label(p, pstyle)
        styled = re.match(r"^(heading \d|title)$", (self.style(pstyle, "name") or "").lower())
        segments: list[list[tuple[str, bool]]] = [[]]
        for t, b in pieces:  # a soft break splits the lines of a header or signature cell, else is a space
            if t == "\n" and lines:
                segments.append([])
            else:
                segments[-1].append((" " if t == "\n" else t, b))
        own = []
        for segment in segments:
            text = _clean("".join(t for t, _ in segment))
            if _has_text(text):
                bold = all(b for t, b in segment if t.strip())
                own.append(Block(text, "heading" if styled or bold else "para"))
        if own and label:
            own[0] = Block(_clean(label + own[0].text), own[0].kind)
        elif lines and _has_text(label):  # an empty numbered paragraph in a cell: the number is the content
            own = [Block(_clean(label))]
        return boxes[0] + own + boxes[1]

    def inline(self, el, pieces: list, boxes: tuple, pstyle: str | None, bold: bool) -> None:
        """Collect (text, bold) of runs; text boxes become blocks before or after the paragraph text."""
        for child in el:
            tag = child.tag
            if tag == W + "t" or tag == M_T:
                pieces.append((child.text or "", bold))
            elif tag == W + "r":
                rpr = child.find(W + "rPr")
                if rpr is not None and _on(rpr.find(W + "vanish")):
                    continue  # hidden text
                self.inline(child, pieces, boxes, pstyle, self._bold(rpr, pstyle))
            elif tag in (W + "tab", W + "ptab"):
                pieces.append((" ", None))
            elif tag in (W + "br", W + "cr"):
                pieces.append(("\n", None))
            elif tag == W + "noBreakHyphen":
                pieces.append(("-", bold))
            elif tag == W + "footnoteReference":
                if child.get(W + "id") not in self.footnotes:
                    self.footnotes.append(child.get(W + "id"))  # the mark itself is left out of the text
            elif tag == W + "txbxContent":
                before = not any(t.strip() for t, _ in pieces)
                boxes[0 if before else 1].extend(self.container(child, lines=True))
            elif tag == MC + "AlternateContent":
                self.inline(_one_choice(child), pieces, boxes, pstyle, bold)
            elif tag not in _SKIP and isinstance(tag, str):
                self.inline(child, pieces, boxes, pstyle, bold)  # ins, moveTo, hyperlink, smartTag, sdt, fields

    def _bold(self, rpr, pstyle: str | None) -> bool:
        if rpr is not None and rpr.find(W + "b") is not None:
            return _on(rpr.find(W + "b"))
        for sid in (_val(rpr.find(W + "rStyle")) if rpr is not None else None, pstyle):
            value = self.style(sid, "b")
            if value is not None:
                return value
        return bool(self.style("\0defaults", "b"))


    def _footnote_texts(self) -> dict[str, str]:
        from lxml import etree

        if not self.footnotes:
            return {}
        part = next((r.target_part for r in self.document.part.rels.values()
                     if not r.is_external and r.reltype.endswith("/footnotes")), None)
        if part is None:
            return {}
        root = etree.fromstring(part.blob, etree.XMLParser(resolve_entities=False, no_network=True))
        return {note.get(W + "id"): " ".join(b.text for b in self.container(note, lines=False))
                for note in root.iterfind(W + "footnote")}


class _Numbering:
    """numbering.xml: level formats per list (numId), with counters advanced in reading order."""

    def __init__(self, root, reader: _ParagraphReader):
        self.reader = reader
        self.counters: dict[str, dict[int, int]] = {}
        abstract = {}
        self.lists: dict[str, dict[int, dict]] = {}
        if root is None:
            return
        links = {}
        for an in root.iterfind(W + "abstractNum"):
            abstract[an.get(W + "abstractNumId")] = {int(lv.get(W + "ilvl", 0)): _level(lv)
                                                     for lv in an.iterfind(W + "lvl")}
            links[an.get(W + "abstractNumId")] = _val(an.find(W + "numStyleLink"))
        targets = {n.get(W + "numId"): _val(n.find(W + "abstractNumId")) for n in root.iterfind(W + "num")}
        for aid, style in links.items():  # a list defined by a numbering style: take that style's list
            if style and not abstract[aid]:
                abstract[aid] = abstract.get(targets.get(reader.style(style, "numId")), {})
        for num in root.iterfind(W + "num"):
            levels = dict(abstract.get(_val(num.find(W + "abstractNumId")), {}))
            for ov in num.iterfind(W + "lvlOverride"):
                ilvl = int(ov.get(W + "ilvl", 0))
                lvl = ov.find(W + "lvl")
                level = _level(lvl) if lvl is not None else dict(levels.get(ilvl, _level(None)))
                start = _val(ov.find(W + "startOverride"))
                if start is not None:
                    level["start"] = int(start)
                levels[ilvl] = level
            self.lists[num.get(W + "numId")] = levels

    def label(self, p, pstyle: str | None) -> str:
        """The rendered number of paragraph p ("1. ", "a) ", "- "), advancing its list's counters."""
        num_pr = p.find(f"{W}pPr/{W}numPr")
        num_id = _val(num_pr.find(W + "numId")) if num_pr is not None else None
        ilvl = _val(num_pr.find(W + "ilvl")) if num_pr is not None else None
        num_id = num_id or self.reader.style(pstyle, "numId")
        levels = self.lists.get(num_id or "0")
        if not levels:
            return ""
        if ilvl is None:
            ilvl = self.reader.style(pstyle, "ilvl") or next(
                (k for k, lv in levels.items() if lv["pstyle"] and lv["pstyle"] == pstyle), 0)
        ilvl = int(ilvl)
        level = levels.get(ilvl)
        if level is None:
            return ""
        counts = self.counters.setdefault(num_id, {})
        counts[ilvl] = counts[ilvl] + 1 if ilvl in counts else level["start"]
        for deeper in [k for k in counts if k > ilvl]:  # a higher level advanced: restart lower ones
            restart = levels.get(deeper, {}).get("restart")
            if restart is None or (restart != 0 and ilvl < restart):
                del counts[deeper]
        if level["fmt"] == "bullet":
            mark = level["text"].strip()
            return (mark if mark in ("-", "+", "–", "•") else "-") + " "

        def number(m: re.Match) -> str:
            lv = levels.get(int(m.group(1)) - 1) or _level(None)
            value = counts.get(int(m.group(1)) - 1, lv["start"])
            return _format(value, "decimal" if level["lgl"] else lv["fmt"])

        text = re.sub(r"%([1-9])", number, level["text"])
        if not text.strip():
            return ""
        return text + ("" if level["suff"] == "nothing" else " ")


def _level(lv) -> dict:
    get = (lambda tag: _val(lv.find(W + tag))) if lv is not None else (lambda tag: None)
    restart = get("lvlRestart")
    return {"fmt": get("numFmt") or "decimal", "text": get("lvlText") or "", "start": int(get("start") or 1),
            "restart": int(restart) if restart is not None else None, "suff": get("suff") or "tab",
            "lgl": lv is not None and lv.find(W + "isLgl") is not None and _on(lv.find(W + "isLgl")),
            "pstyle": get("pStyle")}


def _format(value: int, fmt: str) -> str:
    if not 0 < value < 4000:  # beyond what any list shows; also keeps hostile start values cheap
        return str(value)
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)  # Word: y, z, aa, bb
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman, n = "", value
        for arabic, sym in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                            (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
            while n >= arabic:
                roman, n = roman + sym, n - arabic
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalZero":
        return f"{value:02d}"
    return "" if fmt == "none" else str(value)


def _styles(root) -> dict[str, dict]:
    """styleId -> name, basedOn, bold, numbering; '\\0defaults' holds the document defaults."""
    styles: dict[str, dict] = {}
    default_b = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}b")
    styles["\0defaults"] = {"name": None, "based": None, "b": _on(default_b) if default_b is not None else None,
                            "numId": None, "ilvl": None, "default": False}
    for s in root.iterfind(W + "style"):
        b = s.find(f"{W}rPr/{W}b")
        styles[s.get(W + "styleId")] = {
            "name": _val(s.find(W + "name")), "based": _val(s.find(W + "basedOn")),
            "b": _on(b) if b is not None else None,
            "numId": _val(s.find(f"{W}pPr/{W}numPr/{W}numId")), "ilvl": _val(s.find(f"{W}pPr/{W}numPr/{W}ilvl")),
            "default": s.get(W + "type") == "paragraph" and _on_attr(s.get(W + "default"))}
    return styles


def _numbering_part(part):
    return next((r.target_part for r in part.rels.values() if not r.is_external and r.reltype.endswith("/numbering")),
                None)

def _one_choice(alternate):
    """mc:AlternateContent holds the same content twice (Choice, Fallback): read only one."""
    for tag in (MC + "Choice", MC + "Fallback"):
        found = alternate.find(tag)
        if found is not None:
            return found
    return []


def _val(el) -> str | None:
    return el.get(W + "val") if el is not None else None


def _on(el) -> bool:
    return el is not None and _on_attr(el.get(W + "val", "1"))


def _on_attr(value: str | None) -> bool:
    return value in ("1", "true", "on")


def _clean(text: str) -> str:
    return _SPACE.sub(" ", nfc(text).translate(_ZERO_WIDTH).replace("\n", " ")).strip()


def _has_text(text: str) -> bool:
    """Rules drawn with characters ("______", "-----") and empty lines are not text."""
    return any(ch.isalnum() for ch in text)
