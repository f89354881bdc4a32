"""Builders of hostile and broken files in real formats, for the bad-input tests."""
from __future__ import annotations

import io
import re
import zipfile


def blank_pdf(pages: int = 1, width: float = 595, height: float = 842) -> bytes:
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument.new()
    for _ in range(pages):
        doc.new_page(width, height)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    """A valid PDF with an incremental update that encrypts it (Standard security handler, a user
    password nobody knows): what a 'protected' PDF from a mail attachment looks like to a reader."""
    base = blank_pdf(1)
    prev = int(re.findall(rb"startxref\s+(\d+)", base)[-1])
    size = int(re.findall(rb"/Size\s*(\d+)", base)[-1])
    base = base.rstrip() + b"\n"
    offset = len(base)
    obj = (f"{size} 0 obj\n<</Filter/Standard/V 2/R 3/Length 128/P -3904/O<{'11' * 32}>/U<{'22' * 32}>>>\n"
           "endobj\n").encode()
    xref_at = offset + len(obj)
    tail = (f"xref\n{size} 1\n{offset:010d} 00000 n \ntrailer\n<</Size {size + 1}/Root 1 0 R/Prev {prev}"
            f"/Encrypt {size} 0 R/ID[<{'33' * 16}><{'33' * 16}>]>>\nstartxref\n{xref_at}\n%%EOF\n").encode()
    return base + obj + tail


def minimal_docx(body_xml: str = "<w:p><w:r><w:t>Sở Nội vụ chủ trì.</w:t></w:r></w:p>") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/'
                   'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
                   '"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                   f'wordprocessingml/2006/main"><w:body>{body_xml}</w:body></w:document>')
    return out.getvalue()


def corrupt_docx() -> bytes:
    """A .docx whose main part is cut off in the middle of its XML."""
    return minimal_docx("<w:p><w:r><w:t>Sở Nội vụ chủ trì")


def zip_bomb_docx(uncompressed_mb: int = 300) -> bytes:
    """A few hundred KB that inflate to hundreds of MB of XML."""
    out = io.BytesIO()
    good = zipfile.ZipFile(io.BytesIO(minimal_docx()))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name in good.namelist():
            if name != "word/document.xml":
                z.writestr(name, good.read(name))
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                    b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
            chunk = b" " * (1 << 20)
            for _ in range(uncompressed_mb):
                f.write(chunk)
            f.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return out.getvalue()


def huge_image_pdf() -> bytes:
    """One page of 200 × 200 inches holding a scanned image: 1.6 billion pixels at OCR resolution."""
    from PIL import Image
    out = io.BytesIO()
    Image.new("L", (1000, 1000), 255).save(out, "PDF", resolution=5.0)
    return out.getvalue()


def directive_docx(path, number: str, duty: str, province: str = "Gia Lai") -> None:
    """A small real Word directive (python-docx) whose clause 1 gives `duty`."""
    import docx

    d = docx.Document()
    for line in (f"ỦY BAN NHÂN DÂN TỈNH {province.upper()}", f"Số: {number}", "V/v triển khai nhiệm vụ năm 2027",
                 f"{province}, ngày 10 tháng 3 năm 2027", "Kính gửi: Các sở, ban, ngành tỉnh.",
                 "Ủy ban nhân dân tỉnh chỉ đạo như sau:", f"1. {duty}",
                 "2. Các cơ quan, đơn vị báo cáo kết quả thực hiện về Ủy ban nhân dân tỉnh.",
                 "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn Thử"):
        d.add_paragraph(line)
    d.save(str(path))
