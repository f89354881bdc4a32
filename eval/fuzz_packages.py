"""Hostile Word, PDF and image files for the loader fuzzer (eval/fuzz.py): mutators that work
inside the container (the XML parts and members of a .docx zip, the objects, cross-reference and
content streams of a PDF, the size fields of an image) where byte flips would only break a checksum.
Each is a pure function of (seed bytes, random.Random)."""
from __future__ import annotations

import io
import random
import re
import warnings
import zipfile
import zlib

# ---- Word (.docx): its XML parts and its zip --------------------------------------------------------
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_WTAGS = ("p r t tbl tr tc tcPr gridSpan vMerge tblGrid gridCol numPr ilvl numId pPr pStyle ins del delText "
          "txbxContent footnoteReference br tab sdt sdtContent customXml hyperlink fldSimple instrText "
          "trPr tblHeader gridBefore b i rPr vanish").split()
_WVALS = ("0", "-1", "1", "99999", "999999999999", "x", "", "continue", "restart", "true", "off", "\u0000")


def _rezip(data: bytes, change) -> bytes:
    """The package with its members changed by change(dict name -> bytes), written again."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    parts = change(parts)
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        warnings.simplefilter("ignore")  # duplicate member names are one of the mutations
        for name, body in (parts.items() if isinstance(parts, dict) else parts):
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), body, zipfile.ZIP_DEFLATED)  # same bytes every run
    return out.getvalue()


def _random_xml(rng: random.Random, depth: int = 0) -> str:
    tag = rng.choice(_WTAGS)
    attrs = " ".join(f'w:{rng.choice(("val", "id", "w", "type", "author"))}="{rng.choice(_WVALS)}"'
                     for _ in range(rng.randint(0, 2)))
    inner = rng.choice(("Sở Nội vụ", "", "1.", "&amp;", "<![CDATA[x]]>")) if depth > 5 or rng.random() < 0.3 else \
        "".join(_random_xml(rng, depth + 1) for _ in range(rng.randint(0, 4)))
    return f"<w:{tag} {attrs}>{inner}</w:{tag}>"


def docx_xml(data: bytes, rng: random.Random) -> bytes:
    """document.xml (or another part) edited by hand: random elements, attribute values, cuts."""
    def change(parts: dict) -> dict:
        name = rng.choice([n for n in parts if n.endswith(".xml")] + ["word/document.xml"] * 4)
        xml = parts.get(name, b"").decode("utf-8", "replace")
        for _ in range(rng.randint(1, 6)):
            op, at = rng.randrange(4), rng.randrange(len(xml) + 1)
            tags = [m.start() for m in re.finditer("<w:", xml)] or [at]
            if op == 0:
                at = rng.choice(tags)
                xml = xml[:at] + _random_xml(rng) + xml[at:]
            elif op == 1:
                xml = re.sub(r'w:val="[^"]*"', lambda m: f'w:val="{rng.choice(_WVALS)}"' if rng.random() < 0.3
                             else m.group(), xml)
            elif op == 2:
                a, b = sorted(rng.sample(tags, 2)) if len(tags) > 1 else (at, at)
                xml = xml[:a] + xml[b:]
            else:
                xml = xml[:at] + rng.choice(("</w:p>", "<w:tbl>", "<w:tc>", "&bogus;", "<!DOCTYPE x>")) + xml[at:]
        parts[name] = xml.encode("utf-8", "surrogatepass")
        return parts
    return _rezip(data, change)


def docx_random_xml(data: bytes, rng: random.Random) -> bytes:
    """A whole part replaced by random WordprocessingML."""
    body = "".join(_random_xml(rng) for _ in range(rng.randint(1, 40)))
    xml = f'<?xml version="1.0"?><w:document {_W}><w:body>{body}</w:body></w:document>'
    target = rng.choice(("word/document.xml", "word/document.xml", "word/numbering.xml", "word/styles.xml",
                         "word/footnotes.xml"))
    return _rezip(data, lambda parts: {**parts, target: xml.encode()})


def docx_nesting(data: bytes, rng: random.Random) -> bytes:
    """Tables in cells, content controls or runs nested hundreds to 100,000 deep."""
    n = rng.choice((40, 150, 255, 1000, 100_000))
    opening, closing = rng.choice((("<w:tbl><w:tr><w:tc>", "<w:p/></w:tc></w:tr></w:tbl>"),
                                   ("<w:sdt><w:sdtContent>", "</w:sdtContent></w:sdt>"),
                                   ("<w:ins>", "</w:ins>"), ("<w:customXml>", "</w:customXml>")))
    deep = opening * n + "<w:p><w:r><w:t>Sở Nội vụ</w:t></w:r></w:p>" + closing * n
    xml = f'<?xml version="1.0"?><w:document {_W}><w:body>{deep}</w:body></w:document>'
    return _rezip(data, lambda parts: {**parts, "word/document.xml": xml.encode()})


def docx_members(data: bytes, rng: random.Random) -> bytes:
    """Members dropped, duplicated, replaced by garbage or by another zip (zips of zips)."""
    def change(parts: dict):
        items = list(parts.items())
        for _ in range(rng.randint(1, 3)):
            op, k = rng.randrange(6), rng.randrange(len(items)) if items else 0
            if op == 0 and items:
                del items[k]
            elif op == 1 and items:
                items.append((items[k][0], rng.randbytes(rng.randint(0, 2000))))  # the same name twice
            elif op == 2 and items:
                items[k] = (items[k][0], rng.randbytes(rng.randint(0, 2000)))
            elif op == 3:
                items.append((rng.choice(("word/document.xml", "word/embeddings/x.docx", "x.zip")), data))
            elif op == 4 and items:
                items[k] = (rng.choice(("../../etc/x", "/abs.xml", "a" * 300, "word/\u0000.xml", "")), items[k][1])
            else:
                rels = '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' + \
                    "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                            f'relationships/{t}" Target="{g}"{m}/>' for i, (t, g, m) in enumerate(rng.choices(
                                [("styles", "styles.xml", ""), ("numbering", "missing.xml", ""),
                                 ("footnotes", "../../../x.xml", ""),
                                 ("image", "http://x/y.png", ' TargetMode="External"'),
                                 ("officeDocument", "document.xml", "")], k=4))) + "</Relationships>"
                items.append(("word/_rels/document.xml.rels", rels.encode()))
        return items
    return _rezip(data, change)


def docx_giant(data: bytes, rng: random.Random) -> bytes:
    """A run of one or two megabytes, repetitive (a bomb to the ratio check) or not."""
    n = rng.choice((1, 2)) * 1_000_000
    # random letters, in a 64 KB period longer than deflate's window: compressed about 2:1, not a bomb
    text = "Sở Nội vụ " * (n // 12) if rng.random() < 0.5 else \
        "".join(rng.choices("aăâbcdđeêghiklmnoôơpqrstuưvxy ", k=65536)) * (n // 65536)
    run = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"

    def change(parts: dict) -> dict:
        xml = parts.get("word/document.xml", b"").decode("utf-8", "replace")
        at = xml.find("<w:body>") + len("<w:body>")
        parts["word/document.xml"] = (xml[:at] + run + xml[at:]).encode()
        return parts
    return _rezip(data, change)


# ---- PDF: objects, xref, nesting, content streams --------------------------------------------------
_OBJ = re.compile(rb"(\d+)\s+(\d+)\s+obj\b(.*?)endobj", re.S)
_PDF_VALUES = (b"null", b"0", b"-1", b"2147483648", b"1e308", b"/Type /Pages", b"/Count 999999999",
               b"/Kids [1 0 R 1 0 R]", b"/MediaBox [0 0 1e30 1e30]", b"/MediaBox [0 0 0 0]", b"/Length -5",
               b"/Parent 99999 0 R", b"/Root 1 0 R", b"(\xff\xfe)", b"<zz>", b"/Filter /LZWDecode",
               b"/Filter [/FlateDecode /ASCII85Decode]", b"/DecodeParms << /Predictor 15 /Columns 999999 >>",
               b"/Font << /F1 9999 0 R >>", b"/Encrypt << /Filter /Standard /V 9 >>", b"/Resources 3 0 R")


def _pdf_value(rng: random.Random, depth: int = 0) -> bytes:
    if depth > 3 or rng.random() < 0.4:
        return rng.choice(_PDF_VALUES)
    items = b" ".join(_pdf_value(rng, depth + 1) for _ in range(rng.randint(0, 4)))
    return b"<< " + items + b" >>" if rng.random() < 0.5 else b"[ " + items + b" ]"


def pdf_objects(data: bytes, rng: random.Random) -> bytes:
    """Objects deleted, duplicated under the same number, or given random bodies."""
    objs = list(_OBJ.finditer(data))
    for _ in range(rng.randint(1, 4)):
        if not objs:
            break
        m = rng.choice(objs)
        op = rng.randrange(4)
        if op == 0:
            data = data.replace(m.group(0), b"", 1)
        elif op == 1:
            data = data + b"\n" + m.group(1) + b" 0 obj\n" + _pdf_value(rng) + b"\nendobj\n"
        elif op == 2:
            data = data.replace(m.group(0), m.group(1) + b" " + m.group(2) + b" obj\n" + _pdf_value(rng)
                                + b"\nendobj", 1)
        else:
            body = m.group(3)
            keys = list(re.finditer(rb"/\w+", body[:2000]))
            if keys:
                k = rng.choice(keys)
                body = body[:k.end()] + b" " + rng.choice(_PDF_VALUES) + body[k.end():]
                data = data.replace(m.group(3), body, 1)
        objs = list(_OBJ.finditer(data))
    return data


def pdf_xref(data: bytes, rng: random.Random) -> bytes:
    """Cross-reference and trailer broken: wrong offsets, loops, missing tables, a second trailer."""
    op = rng.randrange(5)
    if op == 0:
        return re.sub(rb"startxref\s+\d+", b"startxref\n" + str(rng.choice((0, 1, 10**12, len(data) // 2))).encode(),
                      data)
    if op == 1:
        return re.sub(rb"\d{10} \d{5} [nf]", lambda m: b"%010d 00000 n" % rng.randrange(len(data) * 2), data)
    if op == 2:
        return re.sub(rb"xref.*?trailer", b"", data, flags=re.S)
    if op == 3:
        return data + b"\ntrailer\n<< /Size 9 /Root " + rng.choice((b"1 0 R", b"99 0 R", b"(x)"))
        + b" /Prev " + str(len(data)).encode() + b" >>\nstartxref\n" + str(len(data)).encode() + b"\n%%EOF\n"
    return data + b"\nxref\n0 3\n" + b"".join(b"%010d 00000 n \n" % rng.randrange(len(data)) for _ in range(3)) + \
        b"trailer\n<< /Size 3 /Root 1 0 R /Prev " + str(len(data) + 1).encode() + b" >>\nstartxref\n" + \
        str(len(data) + 1).encode() + b"\n%%EOF\n"


def pdf_nesting(data: bytes, rng: random.Random) -> bytes:
    """Arrays or dictionaries nested up to 100,000 deep, and a page tree that contains itself."""
    n = rng.choice((100, 1000, 100_000))
    deep = rng.choice((b"[" * n + b"]" * n, b"<< /A " * n + b">>" * n, b"[" * n, b"<</Kids [ 1 0 R " * 50))
    number = rng.choice([m.group(1) for m in _OBJ.finditer(data)] or [b"1"])
    return data + b"\n" + number + b" 0 obj\n" + deep + b"\nendobj\n"


def pdf_stream(data: bytes, rng: random.Random) -> bytes:
    """A content stream decompressed, edited (random operators, deep q nesting, odd strings) and
    written back uncompressed."""
    streams = list(re.finditer(rb"<<(.*?)>>\s*stream\r?\n(.*?)endstream", data, re.S))
    if not streams:
        return data + b"\nstream\n" + rng.randbytes(64) + b"\nendstream\n"
    m = rng.choice(streams)
    try:
        content = zlib.decompress(m.group(2)) if b"FlateDecode" in m.group(1) else m.group(2)
    except zlib.error:
        content = m.group(2)
    ops = [b"q " * rng.choice((10, 10_000)), b"BT /F9 12 Tf (\xff\xfe\x00) Tj", b"1e308 0 0 1e308 0 0 cm",
           b"BT", b"ET", b"(unterminated", b"/Im9 Do", b"0 0 m 1e30 1e30 l S", b"[(a) -99999 (b)] TJ", b"<aabbz> Tj"]
    lines = content.split(b"\n")
    for _ in range(rng.randint(1, 10)):
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(ops))
    content = b"\n".join(lines)
    head = re.sub(rb"/Filter\s*/\w+|/Length\s+\d+(\s+\d+\s+R)?", b"", m.group(1)) + b" /Length " + \
        str(len(content)).encode()
    return data[:m.start()] + b"<<" + head + b">>stream\n" + content + b"\nendstream" + data[m.end():]


# ---- images ----------------------------------------------------------------------------------------
def image_dims(data: bytes, rng: random.Random) -> bytes:
    """Width and height fields rewritten: zero, huge, or just wrong for the pixel data."""
    big = rng.choice((0, 1, 65535, 0x7FFFFFFF, 50_000))
    out = bytearray(data)
    if data.startswith(b"\x89PNG") and len(out) > 24:
        out[16:24] = big.to_bytes(4, "big") + rng.choice((big, 3)).to_bytes(4, "big")
    elif data.startswith(b"\xff\xd8"):
        at = data.find(b"\xff\xc0")
        if at > 0:
            out[at + 5:at + 9] = (big & 0xFFFF).to_bytes(2, "big") + (rng.choice((big, 3)) & 0xFFFF).to_bytes(2, "big")
    else:
        for tag in (b"\x00\x01\x03\x00", b"\x01\x01\x03\x00"):  # TIFF ImageWidth/ImageLength, SHORT, little-endian
            at = data.find(tag)
            if at > 0:
                out[at + 8:at + 10] = (big & 0xFFFF).to_bytes(2, "little")
    return bytes(out)
