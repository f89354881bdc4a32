"""Hostile inputs for the loader fuzzer (eval/fuzz.py): small seed files of every format, and the
mutators that break them the ways real files break (bit rot, cut-off downloads, wrong encodings,
hand-edited XML, rebuilt PDFs) and the ways an attacker would (deep nesting, giant lines, zips of
zips, object loops). Those that work inside .docx, PDF and image containers: eval/fuzz_packages.py.
A mutator is a pure function of (seed bytes, random.Random): the same case number gives the same
file on any machine.
"""
from __future__ import annotations

import io
import random
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from core.settings import PROJECT_ROOT
from eval.fuzz_packages import (
    _rezip,
    docx_giant,
    docx_members,
    docx_nesting,
    docx_random_xml,
    docx_xml,
    image_dims,
    pdf_nesting,
    pdf_objects,
    pdf_stream,
    pdf_xref,
)

REAL_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "real"
FORMATS_DIR = PROJECT_ROOT / "tests" / "data" / "formats"
SUFFIXES = (".txt", ".md", ".html", ".docx", ".doc", ".pdf", ".png", ".jpg", ".tif")
_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_INTERESTING = b"\x00\xff\x7f\x80\n\r<>()[]{}/\\%#&;\"'"


@dataclass(frozen=True)
class Seed:
    name: str       # shown in reports: a file name, never the text (real seeds name private persons)
    fmt: str        # txt | md | html | docx | pdf | scan | image | doc
    suffix: str
    data: bytes
    weight: float = 1.0  # how often it is picked, relative to the other seeds of its format


def load_seeds(real_dir: Path | None = REAL_CORPUS) -> dict[str, list[Seed]]:
    """Seeds by format: the bundled samples and test fixtures, files built from them (Word, HTML,
    page images), and the small files of the real corpus when it is there (read, never copied)."""
    texts = sorted((PROJECT_ROOT / "data" / "directives").glob("*.txt")) + \
        sorted((PROJECT_ROOT / "tests" / "data").glob("*.txt"))
    sample = texts[0].read_text(encoding="utf-8")
    seeds: dict[str, list[Seed]] = {f: [] for f in ("txt", "md", "html", "docx", "pdf", "scan", "image", "doc")}

    def add(fmt: str, name: str, data: bytes, suffix: str | None = None, weight: float = 1.0) -> None:
        weight = 0.15 if "encrypted" in name else weight  # mutated, they mostly stay encrypted
        seeds[fmt].append(Seed(name, fmt, suffix or Path(name).suffix.lower(), data, weight))

    for path in texts:
        add("txt", path.name, path.read_bytes())
    for path in sorted((PROJECT_ROOT / "tests" / "data").glob("*.md")):
        add("md", path.name, path.read_bytes())
    add("html", "html_chi_thi.html", (FORMATS_DIR / "html_chi_thi.html").read_bytes())
    add("html", "built.html", _html(sample))
    add("docx", "built.docx", _docx(sample))
    add("pdf", "built.pdf", _pdf(sample))
    for name in ("pdf_sample.pdf", "pdf_encrypted.pdf"):
        add("pdf", name, (FORMATS_DIR / name).read_bytes())
    for name in ("word_letter.doc", "word_encrypted.doc"):
        add("doc", name, (FORMATS_DIR / name).read_bytes())
    page = _page_image(sample)
    when = time.gmtime(1_704_067_200)  # fixed dates: the same seed bytes in every process
    add("scan", "page.pdf", _save(page, "PDF", resolution=150.0, creationDate=when, modDate=when))
    for fmt, suffix in (("PNG", ".png"), ("JPEG", ".jpg"), ("TIFF", ".tif")):
        add("image", f"page{suffix}", _save(page, fmt), suffix)
    if real_dir and Path(real_dir).is_dir():
        limits = {".docx": ("docx", 80_000), ".pdf": ("pdf", 400_000), ".doc": ("doc", 70_000)}
        for path in sorted(Path(real_dir).iterdir()):
            fmt, most = limits.get(path.suffix.lower(), (None, 0))
            if fmt and path.stat().st_size <= most:  # real PDFs have pages to spare: seconds, not tenths
                add(fmt, path.name, path.read_bytes(), weight=0.4 if fmt == "pdf" else 1.0)
    return seeds


def _html(text: str) -> bytes:
    from html import escape
    lines = [x for x in text.splitlines() if x.strip()]
    rows = "".join(f"<tr><td>{i}</td><td>{escape(x[:60])}</td><td>Sở Nội vụ</td></tr>" for i, x in enumerate(lines[:6]))
    body = "".join(f"<p>{escape(x)}</p>" for x in lines)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head><body>{body}'
            f"<table><tr><th>STT</th><th>Nhiệm vụ</th><th>Chủ trì</th></tr>{rows}</table>"
            f'<ol type="a" start="3"><li>một</li><li>hai</li></ol></body></html>').encode()


def _docx(text: str) -> bytes:
    import docx
    d = docx.Document()
    lines = [x for x in text.splitlines() if x.strip()]
    for line in lines:
        d.add_paragraph(line)
    table = d.add_table(rows=1, cols=3)
    for cell, name in zip(table.rows[0].cells, ("STT", "Nhiệm vụ", "Cơ quan chủ trì")):
        cell.text = name
    for i, line in enumerate(lines[:5], 1):
        for cell, value in zip(table.add_row().cells, (str(i), line[:80], "Sở Tài chính")):
            cell.text = value
    d.add_paragraph("Triển khai ngay", style="List Number")
    out = io.BytesIO()
    d.save(out)
    return _rezip(out.getvalue(), lambda parts: parts)  # fixed member dates: the same seed in every process


def _pdf(text: str) -> bytes:
    """One A4 page with a real text layer (matplotlib embeds DejaVu Sans as TrueType)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig = plt.figure(figsize=(8.27, 11.69))
        for i, line in enumerate([x for x in text.splitlines() if x.strip()][:40]):
            fig.text(0.08, 0.95 - i * 0.022, line[:95], fontsize=9, family="DejaVu Sans")
        out = io.BytesIO()
        fig.savefig(out, format="pdf", metadata={"CreationDate": None, "Producer": None, "Creator": None})
        plt.close(fig)
    return out.getvalue()


def _page_image(text: str):
    """A small white page with a few lines of Vietnamese: cheap for Tesseract, yet real text."""
    from PIL import Image, ImageDraw, ImageFont
    image = Image.new("RGB", (900, 260), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(_FONT), 24) if _FONT.exists() else ImageFont.load_default()
    for i, line in enumerate([x for x in text.splitlines() if x.strip()][:6]):
        draw.text((20, 15 + 40 * i), line[:60], fill="black", font=font)
    return image


def _save(image, fmt: str, **kwargs) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **kwargs)
    return out.getvalue()


# ---- byte mutators: any format ------------------------------------------------------------------
def bitflip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 2, 8, 32))):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def byte_edit(data: bytes, rng: random.Random) -> bytes:
    """Insert, delete or overwrite short runs, often with bytes parsers treat specially."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        at, n = rng.randrange(len(out) + 1), rng.randint(1, 64)
        new = bytes(rng.choice(_INTERESTING) if rng.random() < 0.5 else rng.randrange(256) for _ in range(n))
        op = rng.randrange(3)
        if op == 0:
            out[at:at] = new
        elif op == 1:
            del out[at:at + n]
        else:
            out[at:at + n] = new
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    cut = rng.choice((rng.randrange(max(len(data), 1)), rng.randrange(min(len(data), 512) or 1),
                      len(data) - rng.randint(1, 64)))
    return data[:max(cut, 0)]


def splice(data: bytes, rng: random.Random) -> bytes:
    """A piece of the file copied elsewhere, or repeated many times (a file written twice)."""
    if not data:
        return data
    a = rng.randrange(len(data))
    piece = data[a:a + rng.randint(1, 4096)]
    at = rng.randrange(len(data) + 1)
    return data[:at] + piece * rng.choice((1, 2, 100, 1000)) + data[at:]


# ---- text mutators: .txt, .md, .html --------------------------------------------------------------
def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def reencode(data: bytes, rng: random.Random) -> bytes:
    """The same text in an encoding the loader must recognise, convert or refuse."""
    text, kind = _text(data), rng.randrange(9)
    if kind == 0:
        return text.encode(rng.choice(("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig")))
    if kind == 1:
        return unicodedata.normalize("NFD", text).encode("cp1258", errors="replace")
    if kind == 2:
        return text.encode(rng.choice(("latin-1", "cp1252", "ascii", "cp437")), errors="replace")
    if kind in (3, 4):
        return _legacy(text, "tcvn3" if kind == 3 else "vni")
    if kind == 5:  # a random byte table over the high half: an unknown legacy encoding
        table = list(range(128, 256))
        rng.shuffle(table)
        return bytes(b if b < 128 else table[b - 128] for b in data)
    if kind == 6:  # two encodings in one file (a header pasted from an old document)
        cut = rng.randrange(len(text) + 1)
        return text[:cut].encode("utf-8") + _legacy(text[cut:], rng.choice(("tcvn3", "vni")))
    if kind == 7:
        return rng.randbytes(rng.choice((16, 4096, 100_000)))
    return text.encode("utf-16-le")[:rng.randrange(len(text) * 2 + 1)] + b"\n"


def _legacy(text: str, encoding: str) -> bytes:
    """TCVN3/VNI bytes; a character those encoders have no byte for (a lone accent) becomes '?'."""
    from ingest.encoding import encode_legacy

    return encode_legacy("".join(c if c.isascii() or not unicodedata.combining(c) else "?" for c in text), encoding)


_JUNK = ["\u0301" * 500, "\u202e", "\u200b" * 50, "\ufeff", "\u2028", "\r", "\x0b\x0c", "\uffff", "\U0010ffff",
         "\u0000", "ǅ", "ﬁ", "Ａ", "𝐀", "\u00ad" * 20, "\u034f", "\ud7ff", "\u3000", "İ" * 50, "ß" * 50, "..." * 1000]


def unicode_junk(data: bytes, rng: random.Random) -> bytes:
    text = _text(data)
    for _ in range(rng.randint(1, 20)):
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(_JUNK) + text[at:]
    out = text.encode("utf-8", errors="surrogatepass")
    if rng.random() < 0.2:  # a lone surrogate and an overlong form: invalid UTF-8 inside valid text
        at = rng.randrange(len(out) + 1)
        out = out[:at] + rng.choice((b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80")) + out[at:]
    return out


_GIANT = ("Sở Nội vụ ", "Điều 1. ", "a", "1.", "ỗ", "|", "- ", "Số: 12/UBND-KT ", "ngày 1 tháng 2 năm 2024 ")


def giant_line(data: bytes, rng: random.Random) -> bytes:
    """One line of half a megabyte to two (a file without line breaks, a pasted table)."""
    unit = rng.choice(_GIANT)
    line = (unit * (rng.choice((1, 2, 4)) * 500_000 // len(unit.encode()))).encode()
    at = rng.choice((0, len(data), rng.randrange(len(data) + 1)))
    return data[:at] + line + data[at:]


def text_nesting(data: bytes, rng: random.Random) -> bytes:
    """Nested list markers, quotes and brackets, tens of thousands deep."""
    n = rng.choice((1000, 20_000, 100_000))
    kind = rng.randrange(4)
    if kind == 0:
        deep = "\n".join(" " * (i % 200) + rng.choice(("1.", "a)", "-", "+", "I.", "Điều 1.", "Khoản 2.")) + " x"
                         for i in range(n))
    elif kind == 1:
        deep = ">" * n + " Sở Nội vụ"
    elif kind == 2:
        deep = "(" * n + "Sở" + ")" * n
    else:
        deep = "1." * n + " Điều"
    return data + b"\n" + deep.encode()


# ---- HTML ----------------------------------------------------------------------------------------
_TAGS = "div table tr td th tbody thead ul ol li p b strong span font blockquote section h2 br caption".split()


def html_nesting(data: bytes, rng: random.Random) -> bytes:
    n = rng.choice((300, 10_000, 100_000))
    tags = [rng.choice(_TAGS) for _ in range(min(n, 50))]
    opening = "".join(f"<{tags[i % len(tags)]}>" for i in range(n))
    closing = "".join(f"</{tags[i % len(tags)]}>" for i in reversed(range(n))) if rng.random() < 0.5 else ""
    return _insert_in_body(data, (opening + "Sở Nội vụ chủ trì." + closing).encode(), rng)


_ATTRS = ['rowspan="0"', 'rowspan="-1"', 'rowspan="65535"', 'colspan="1000"', 'colspan="x"', 'colspan="99999999999"',
          'start="-99999999999"', 'value="4000"', 'type="I"', 'type="a"', 'style="display:none"', 'hidden',
          'style="font-weight:900"', 'class="x"', 'id="y"', 'aria-hidden="true"', 'style="list-style:none"']
_SNIPPETS = ['<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>', "<!--", "<![CDATA[",
             "&#0;", "&#xD800;", "&#99999999;", "&nbsp;" * 100, "<td>lạc</td>", "<tr><td>", "</table>",
             '<meta charset="utf-16">', '<meta charset="bogus">', '<meta charset="cp1258">',
             "<style>.x{display:none}</style>",
             "<script>while(1){}</script>", "<svg><text>Sở</text></svg>", "<?php echo 1 ?>", "\x00"]


def html_markup(data: bytes, rng: random.Random) -> bytes:
    """Random elements, hostile attributes and stray syntax spliced into the page."""
    parts = []
    for _ in range(rng.randint(1, 30)):
        if rng.random() < 0.3:
            parts.append(rng.choice(_SNIPPETS))
        else:
            tag = rng.choice(_TAGS)
            attrs = " ".join(rng.sample(_ATTRS, rng.randint(0, 3)))
            parts.append(f"<{tag} {attrs}>{rng.choice(('Sở Nội vụ', 'STT', '1', '', 'Kính gửi:'))}"
                         + (f"</{tag}>" if rng.random() < 0.6 else ""))
    return _insert_in_body(data, "".join(parts).encode(), rng)


def _insert_in_body(data: bytes, piece: bytes, rng: random.Random) -> bytes:
    at = data.find(b"<body")
    at = data.find(b">", at) + 1 if at >= 0 else 0
    at = rng.choice((at, rng.randrange(len(data) + 1)))
    return data[:at] + piece + data[at:]


BYTES = {"bitflip": bitflip, "byte_edit": byte_edit, "truncate": truncate, "splice": splice}
TEXT = {"reencode": reencode, "unicode_junk": unicode_junk, "giant_line": giant_line, "nesting": text_nesting}
MUTATORS: dict[str, dict] = {
    "txt": {**BYTES, **TEXT},
    "md": {**BYTES, **TEXT},
    "html": {**BYTES, **TEXT, "nesting": html_nesting, "markup": html_markup},
    "docx": {**BYTES, "xml_edit": docx_xml, "xml_random": docx_random_xml, "nesting": docx_nesting,
             "zip_members": docx_members, "giant_line": docx_giant},
    "pdf": {**BYTES, "objects": pdf_objects, "xref": pdf_xref, "nesting": pdf_nesting, "stream": pdf_stream},
    "scan": {**BYTES, "objects": pdf_objects, "xref": pdf_xref},
    "image": {**BYTES, "dims": image_dims},
    "doc": dict(BYTES),
}
for _table in MUTATORS.values():
    _table["wrong_ext"] = None  # the content unchanged under another supported name
