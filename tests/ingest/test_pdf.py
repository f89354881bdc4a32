"""ingest/pdf.py: reading order, header and signature columns, re-joined paragraphs, table rows,
page furniture, text-layer quality, and refusal of bad PDFs.

tests/data/formats/pdf_sample.pdf and pdf_encrypted.pdf were made by LibreOffice from the .docx
that `build_sample_docx` writes: `python tests/ingest/test_pdf.py` rebuilds them.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.errors import InputFileError
from ingest.pdf import read_pdf

FORMATS = ROOT / "tests" / "data" / "formats"
SAMPLE = FORMATS / "pdf_sample.pdf"
ENCRYPTED = FORMATS / "pdf_encrypted.pdf"
FILLER = 3         # paragraphs that push the long one across the page break
REAL = ROOT.parent / "shared" / "corpus" / "real"
SPLIT = ROOT / "tests" / "data" / "real" / "split.json"


def build_sample_docx(path: Path) -> None:
    """Two pages: a borderless 2-column header, wrapped paragraphs and list items, a ruled data
    table with a merged cell, a page number and a running footer, a Nơi nhận / signer block."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.name, normal.font.size = "Liberation Serif", Pt(13)
    normal.paragraph_format.space_after = Pt(4)
    section = d.sections[0]
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    number._p.append(field)
    for footer in (section.footer, section.first_page_footer):
        footer.paragraphs[0].text = "Tài liệu thử nghiệm bộ nạp PDF"
        footer.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER

    def cell(c, lines):
        c.paragraphs[0].text = ""
        for k, (line, bold, italic) in enumerate(lines):
            p = c.paragraphs[0] if k == 0 else c.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            r = p.add_run(line)
            r.bold, r.italic = bold, italic

    def para(line, bold=False, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY):
        p = d.add_paragraph()
        p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Cm(1)
        p.add_run(line).bold = bold
        return p

    head = d.add_table(rows=1, cols=2)
    head.autofit = False
    for column, width in zip(head.columns, (Cm(6), Cm(10))):
        column.width = head.cell(0, column._index).width = width
    cell(head.rows[0].cells[0], [("UBND TỈNH LÂM ĐỒNG", False, False), ("SỞ NỘI VỤ", True, False),
                                 ("________", False, False), ("Số: 123/SNV-TCBC", False, False),
                                 ("V/v triển khai cải cách", False, False), ("hành chính năm 2026", False, False)])
    cell(head.rows[0].cells[1], [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True, False),
                                 ("Độc lập - Tự do - Hạnh phúc", True, False), ("_______________", False, False),
                                 ("Lâm Đồng, ngày 15 tháng 11 năm 2025", False, True)])
    para("Kính gửi: Ủy ban nhân dân các xã, phường.", indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    para("Thực hiện chương trình cải cách hành chính của tỉnh, Sở Nội vụ đề nghị các cơ quan, đơn vị "
         "quan tâm triển khai đồng bộ các nhiệm vụ trọng tâm sau đây, bảo đảm chất lượng và đúng thời hạn "
         "được giao trong năm 2026.")
    para("1. Nhiệm vụ trọng tâm", bold=True)
    para("a) Rà soát, đơn giản hóa thủ tục hành chính thuộc phạm vi quản lý, kịp thời đề xuất cấp có "
         "thẩm quyền sửa đổi, bổ sung những quy định không còn phù hợp;")
    para("b) Đẩy mạnh số hóa hồ sơ, kết quả giải quyết thủ tục hành chính.")
    para("- Báo cáo kết quả thực hiện về Sở Nội vụ trước ngày 15 hằng tháng để tổng hợp, báo cáo Ủy ban "
         "nhân dân tỉnh theo quy định.")
    para("Bảng phân công nhiệm vụ như sau:")
    grid = d.add_table(rows=4, cols=4)
    grid.style = "Table Grid"
    rows = [("STT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời gian hoàn thành"),
            ("1", "Rà soát thủ tục hành chính", "Sở Nội vụ", "Quý I/2026"),
            ("2", "Số hóa hồ sơ", "Sở Khoa học và Công nghệ", "Tháng 6/2026"),
            ("3", "Đánh giá chỉ số cải cách", "", "Hằng năm")]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            grid.rows[r].cells[c].text = value
    grid.cell(2, 2).merge(grid.cell(3, 2)).text = "Sở Khoa học và Công nghệ"
    para("2. Tổ chức thực hiện", bold=True)
    for _ in range(FILLER):
        para("Các cơ quan, đơn vị quán triệt mục tiêu cải cách hành chính, gắn việc thực hiện nhiệm vụ với "
             "đánh giá, xếp loại cuối năm.")
    para("Các cơ quan, đơn vị chủ động xây dựng kế hoạch chi tiết, phân công cán bộ theo dõi và "
         "định kỳ báo cáo tiến độ; trong quá trình thực hiện, nếu có khó khăn, vướng mắc, kịp thời "
         "phản ánh về Sở Nội vụ để tổng hợp, báo cáo Ủy ban nhân dân tỉnh xem xét, giải quyết. Thủ trưởng "
         "các cơ quan, đơn vị chịu trách nhiệm trước Chủ tịch Ủy ban nhân dân tỉnh về kết quả thực hiện "
         "nhiệm vụ được giao và gửi báo cáo tổng kết trước ngày 15 tháng 12 năm 2026.").paragraph_format.widow_control = False
    para("Đề nghị các cơ quan, đơn vị quan tâm phối hợp thực hiện./.")
    sign = d.add_table(rows=1, cols=2)
    left, right = sign.rows[0].cells
    left.paragraphs[0].add_run("Nơi nhận:").bold = True
    for line in ("- Như trên;", "- Giám đốc Sở (để b/c);", "- Lưu: VT, TCBC."):
        left.add_paragraph(line)
    cell(right, [("KT. GIÁM ĐỐC", True, False), ("PHÓ GIÁM ĐỐC", True, False), ("", False, False),
                 ("", False, False), ("Nguyễn Văn An", True, False)])
    d.save(str(path))


def _convert(docx_path: Path, out_dir: Path, options: str = "") -> Path:
    subprocess.run(["soffice", "--headless", "--convert-to", f"pdf{options}", "--outdir", str(out_dir),
                    str(docx_path)], check=True, capture_output=True, timeout=180)
    return out_dir / (docx_path.stem + ".pdf")


# ---- the sample: reading order, columns, paragraphs, table rows, page furniture ------------------
EXPECTED = [  # (kind, page, text, table, row)
    ("para", 1, "UBND TỈNH LÂM ĐỒNG", 0, 0),
    ("para", 1, "SỞ NỘI VỤ", 0, 0),
    ("para", 1, "Số: 123/SNV-TCBC", 0, 0),
    ("para", 1, "V/v triển khai cải cách", 0, 0),
    ("para", 1, "hành chính năm 2026", 0, 0),
    ("para", 1, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 0, 0),
    ("para", 1, "Độc lập - Tự do - Hạnh phúc", 0, 0),
    ("para", 1, "Lâm Đồng, ngày 15 tháng 11 năm 2025", 0, 0),
    ("para", 1, "Kính gửi: Ủy ban nhân dân các xã, phường.", 0, 0),
    ("para", 1, ("Thực hiện chương trình cải cách hành chính của tỉnh, Sở Nội vụ đề nghị các cơ quan, đơn vị "
                "quan tâm triển khai đồng bộ các nhiệm vụ trọng tâm sau đây, bảo đảm chất lượng và đúng thời hạn "
                "được giao trong năm 2026."), 0, 0),
    ("heading", 1, "1. Nhiệm vụ trọng tâm", 0, 0),
    ("para", 1, ("a) Rà soát, đơn giản hóa thủ tục hành chính thuộc phạm vi quản lý, kịp thời đề xuất cấp có "
                "thẩm quyền sửa đổi, bổ sung những quy định không còn phù hợp;"), 0, 0),
    ("para", 1, "b) Đẩy mạnh số hóa hồ sơ, kết quả giải quyết thủ tục hành chính.", 0, 0),
    ("para", 1, ("- Báo cáo kết quả thực hiện về Sở Nội vụ trước ngày 15 hằng tháng để tổng hợp, báo cáo Ủy ban "
                "nhân dân tỉnh theo quy định."), 0, 0),
    ("para", 1, "Bảng phân công nhiệm vụ như sau:", 0, 0),
    ("row", 1, ("STT: 1; Nhiệm vụ: Rà soát thủ tục hành chính; Cơ quan chủ trì: Sở Nội vụ; "
               "Thời gian hoàn thành: Quý I/2026"), 1, 1),
    ("row", 1, ("STT: 2; Nhiệm vụ: Số hóa hồ sơ; Cơ quan chủ trì: Sở Khoa học và Công nghệ; "
               "Thời gian hoàn thành: Tháng 6/2026"), 1, 2),
    ("row", 1, ("STT: 3; Nhiệm vụ: Đánh giá chỉ số cải cách; Cơ quan chủ trì: Sở Khoa học và Công nghệ; "
               "Thời gian hoàn thành: Hằng năm"), 1, 3),
    ("heading", 1, "2. Tổ chức thực hiện", 0, 0),
    *[("para", 1, ("Các cơ quan, đơn vị quán triệt mục tiêu cải cách hành chính, gắn việc thực hiện nhiệm vụ với "
                  "đánh giá, xếp loại cuối năm."), 0, 0)] * FILLER,
    ("para", 1, ("Các cơ quan, đơn vị chủ động xây dựng kế hoạch chi tiết, phân công cán bộ theo dõi và định kỳ "
                "báo cáo tiến độ; trong quá trình thực hiện, nếu có khó khăn, vướng mắc, kịp thời phản ánh về "
                "Sở Nội vụ để tổng hợp, báo cáo Ủy ban nhân dân tỉnh xem xét, giải quyết. Thủ trưởng các cơ "
                "quan, đơn vị chịu trách nhiệm trước Chủ tịch Ủy ban nhân dân tỉnh về kết quả thực hiện nhiệm "
                "vụ được giao và gửi báo cáo tổng kết trước ngày 15 tháng 12 năm 2026."), 0, 0),
    ("para", 2, "Đề nghị các cơ quan, đơn vị quan tâm phối hợp thực hiện./.", 0, 0),
    ("para", 2, "Nơi nhận:", 0, 0),
    ("para", 2, "- Như trên;", 0, 0),
    ("para", 2, "- Giám đốc Sở (để b/c);", 0, 0),
    ("para", 2, "- Lưu: VT, TCBC.", 0, 0),
    ("para", 2, "KT. GIÁM ĐỐC", 0, 0),
    ("para", 2, "PHÓ GIÁM ĐỐC", 0, 0),
    ("para", 2, "Nguyễn Văn An", 0, 0),
]


@pytest.fixture(scope="module")
def sample_pdf():
    return read_pdf(SAMPLE)


def test_sample_blocks_in_reading_order(sample_pdf):
    """The whole golden: header left column then right column, one block per header line; wrapped
    lines re-joined (also across the page break, the block keeping the page it starts on); list
    items apart; the table as rows named by their headers, the merged cell repeated; the rules, the
    page number and the running footer gone; Nơi nhận before the signer."""
    got = [(b.kind, b.page, b.text, b.table, b.row) for b in sample_pdf.blocks]
    assert got == EXPECTED
    assert (sample_pdf.format, sample_pdf.pages, sample_pdf.ocr_pages, sample_pdf.notes) == ("pdf", 2, (), ())


def test_sample_invariants(sample_pdf):
    for b in sample_pdf.blocks:
        assert b.text == unicodedata.normalize("NFC", b.text) and "\n" not in b.text and b.text == b.text.strip()
        assert b.page in (1, 2) and not b.ocr
        assert not re.fullmatch(r"[-–_=.\s\d]*", b.text), b.text       # no rule, no page number
        assert "Tài liệu thử nghiệm" not in b.text                      # the running footer


def test_progress_reports_pages():
    calls = []
    read_pdf(SAMPLE, progress=lambda done, total, label: calls.append((done, total)))
    assert calls[:2] == [(0, 2), (1, 2)]


# ---- synthetic pages: text placed at exact positions with pdfium ---------------------------------
def _draw_pdf(path: Path, items: list[tuple[float, float, float, str]]) -> Path:
    """One A4 page with each (x, top, size, text) written in DejaVu Serif."""
    import ctypes

    import pypdfium2 as pdfium
    from PIL import ImageFont
    from pypdfium2 import raw

    doc = pdfium.PdfDocument.new()
    page = doc.new_page(595, 842)
    data = Path(ImageFont.truetype("DejaVuSerif.ttf", 12).path).read_bytes()
    buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
    font = raw.FPDFText_LoadFont(doc, buffer, len(data), raw.FPDF_FONT_TRUETYPE, True)
    for x, top, size, text in items:
        obj = raw.FPDFPageObj_CreateTextObj(doc, font, size)
        utf16 = ctypes.create_string_buffer((text + "\0").encode("utf-16-le"))
        raw.FPDFText_SetText(obj, ctypes.cast(utf16, ctypes.POINTER(raw.FPDF_WCHAR)))
        raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, 842 - top - size)
        raw.FPDFPage_InsertObject(page, obj)
    raw.FPDFPage_GenerateContent(page)
    doc.save(str(path))
    return path


BODY = [(85, 200 + 18 * k, 13, line) for k, line in enumerate([
    "        Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh, Trung tâm báo cáo kết quả cải thiện",
    "môi trường đầu tư trong năm và đề xuất các nhiệm vụ trọng tâm của năm tiếp theo."])]


def test_interleaved_agency_lines_stay_in_their_column(tmp_path):
    """A two-line agency name whose lines sit between the motto's lines in the text layer."""
    pdf = _draw_pdf(tmp_path / "head.pdf", [
        (95, 58, 12, "UBND TỈNH LÂM ĐỒNG"), (300, 58.6, 12, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        (70, 73.6, 12, "TRUNG TÂM XÚC TIẾN ĐẦU TƯ"), (340, 73.6, 12, "Độc lập - Tự do - Hạnh phúc"),
        (82, 88.6, 12, "THƯƠNG MẠI VÀ DU LỊCH"), (100, 112, 12, "Số: 644/TTXT-ĐTDN"),
        (310, 112, 12, "Lâm Đồng, ngày 06 tháng 11 năm 2025"), *BODY])
    texts = [b.text for b in read_pdf(pdf).blocks]
    assert texts[:7] == ["UBND TỈNH LÂM ĐỒNG", "TRUNG TÂM XÚC TIẾN ĐẦU TƯ", "THƯƠNG MẠI VÀ DU LỊCH",
                         "Số: 644/TTXT-ĐTDN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                         "Lâm Đồng, ngày 06 tháng 11 năm 2025"]
    assert texts[7].startswith("Thực hiện chỉ đạo") and texts[7].endswith("của năm tiếp theo.")


def test_number_floating_above_the_so_line_joins_it(tmp_path):
    pdf = _draw_pdf(tmp_path / "so.pdf", [
        (90, 50, 13, "BỘ NỘI VỤ"), (300, 50, 13, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        (110, 93, 13, "Số:        /BNV-CCHC"), (130, 80, 12, "12094"),
        (300, 93, 13, "Hà Nội, ngày 15 tháng 12 năm 2025"), *BODY])
    texts = [b.text for b in read_pdf(pdf).blocks]
    assert texts[:4] == ["BỘ NỘI VỤ", "Số: 12094/BNV-CCHC", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                         "Hà Nội, ngày 15 tháng 12 năm 2025"]
    assert "12094" not in texts[4:]


def test_a_second_document_in_the_pdf_gets_its_header_split_too(tmp_path):
    import pypdfium2 as pdfium

    letter = _draw_pdf(tmp_path / "letter.pdf", [(85, 60, 13, "Văn phòng gửi kèm dự thảo quyết định dưới đây."), *BODY])
    draft = _draw_pdf(tmp_path / "draft.pdf", [
        (95, 58, 12, "ỦY BAN NHÂN DÂN"), (300, 58.6, 12, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        (100, 73.6, 12, "TỈNH LÂM ĐỒNG"), (340, 73.6, 12, "Độc lập - Tự do - Hạnh phúc"),
        (100, 112, 12, "Số:      /QĐ-UBND"), (310, 112, 12, "Lâm Đồng, ngày     tháng    năm 2026"), *BODY])
    both = pdfium.PdfDocument(str(letter))
    both.import_pages(pdfium.PdfDocument(str(draft)))
    both.save(str(tmp_path / "both.pdf"))
    page2 = [b.text for b in read_pdf(tmp_path / "both.pdf").blocks if b.page == 2]
    assert page2[:6] == ["ỦY BAN NHÂN DÂN", "TỈNH LÂM ĐỒNG", "Số: /QĐ-UBND", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                         "Độc lập - Tự do - Hạnh phúc", "Lâm Đồng, ngày tháng năm 2026"]


# ---- bad input ------------------------------------------------------------------------------------
def test_encrypted_pdf_is_refused():
    with pytest.raises(InputFileError, match="mã hóa / encrypted PDF") as e:
        read_pdf(ENCRYPTED)
    assert "mật khẩu" in e.value.fix


@pytest.mark.parametrize("cut", [0.0, 0.3, 0.7, 0.97])
def test_truncated_pdf_is_refused(tmp_path, cut):
    raw = SAMPLE.read_bytes()
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(raw[:int(len(raw) * cut)])
    with pytest.raises(InputFileError, match="corrupt or truncated PDF"):
        read_pdf(broken)


def test_garbage_after_the_magic_bytes_is_refused(tmp_path):
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    with pytest.raises(InputFileError, match="corrupt"):
        read_pdf(junk)


def test_too_many_pages_names_the_setting():
    with pytest.raises(InputFileError, match="too many pages") as e:
        read_pdf(SAMPLE, max_pages=1)
    assert "RAG_MAX_PAGES" in e.value.fix


# ---- text layers that need OCR ------------------------------------------------------------------
def _image_pdf(path: Path, lines: list[str]) -> Path:
    """A scanned page: text drawn into a 150 dpi image, saved as an image-only PDF."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("DejaVuSerif.ttf", 34)
    for k, line in enumerate(lines):
        draw.text((150, 200 + 60 * k), line, font=font, fill=0)
    image.save(path, resolution=150)
    return path


SCAN_LINES = ["Ủy ban nhân dân tỉnh Lâm Đồng giao Sở Nội vụ chủ trì,", "phối hợp với các cơ quan liên quan",
              "báo cáo kết quả trước ngày 15 tháng 12 năm 2026."]


def test_accentless_text_layer_needs_ocr(tmp_path):
    """A text layer without any Vietnamese marks (a hidden OCR layer) scores under QUALITY_MIN."""
    from core.text import fold

    marked = "Sở Nội vụ đề nghị các cơ quan, đơn vị triển khai đồng bộ các nhiệm vụ trọng tâm"
    pdf = _draw_pdf(tmp_path / "accentless.pdf", [(70, 80 + 20 * k, 12, fold(marked)) for k in range(20)])
    with pytest.raises(InputFileError, match="OCR") as e:
        read_pdf(pdf)
    assert "apt-get install tesseract-ocr tesseract-ocr-vie" in e.value.fix
    marked = _draw_pdf(tmp_path / "marked.pdf", [(70, 80 + 20 * k, 12, marked) for k in range(20)])
    assert read_pdf(marked).format == "pdf"


def test_image_only_pdf_without_ocr_says_install_tesseract(tmp_path):
    with pytest.raises(InputFileError, match="bản quét") as e:
        read_pdf(_image_pdf(tmp_path / "scan.pdf", SCAN_LINES), ocr=None)
    assert "tesseract-ocr-vie" in e.value.fix


def _ocr(tmp_path):
    from ingest.ocr import Ocr

    ocr = Ocr(tmp_path / "ocr-cache")
    if not ocr.available():
        pytest.skip("tesseract with the Vietnamese model is not installed")
    return ocr


def test_scanned_page_goes_to_ocr(tmp_path):
    scan = read_pdf(_image_pdf(tmp_path / "scan.pdf", SCAN_LINES), ocr=_ocr(tmp_path))
    assert (scan.format, scan.pages, scan.ocr_pages) == ("scan", 1, (1,))
    assert scan.blocks and all(b.ocr and b.page == 1 for b in scan.blocks)
    assert "Sở Nội vụ" in " ".join(b.text for b in scan.blocks)


def test_mixed_pdf_ocrs_only_the_scanned_page(tmp_path):
    import pypdfium2 as pdfium

    mixed = pdfium.PdfDocument(str(SAMPLE))
    mixed.import_pages(pdfium.PdfDocument(str(_image_pdf(tmp_path / "scan.pdf", SCAN_LINES))))
    mixed.save(str(tmp_path / "mixed.pdf"))
    got = read_pdf(tmp_path / "mixed.pdf", ocr=_ocr(tmp_path))
    assert (got.format, got.pages, got.ocr_pages) == ("pdf", 3, (3,))
    assert [b.text for b in got.blocks if b.page in (1, 2)] == [e[2] for e in EXPECTED]
    assert all(b.ocr for b in got.blocks if b.page == 3) and any(b.page == 3 for b in got.blocks)


# ---- the real corpus ------------------------------------------------------------------------------
def _real(kind: str) -> list[str]:
    manifest = REAL / "MANIFEST.md"
    if not manifest.is_file():
        return []
    return sorted(line.split("|")[1].strip() for line in manifest.read_text(encoding="utf-8").splitlines()
                  if line.startswith("| ") and f"| {kind} |" in line)


def _gold() -> dict:
    path = ROOT / "tests" / "data" / "real" / "headers_gold.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    return {d["file"]: d for d in map(json.loads, filter(str.strip, lines))}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().casefold()


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/corpus/real is absent")
@pytest.mark.parametrize("name", _real("pdf-text"))
def test_real_text_pdf(name):
    """Every text PDF loads; no rule or page-number block; the issuer lines stay separate at the top
    of page 1, the stamped number joins its 'Số:' line."""
    got = read_pdf(REAL / name)
    assert got.format == "pdf" and not got.ocr_pages and got.blocks
    texts = [b.text for b in got.blocks]
    assert not [t for t in texts if "___" in t or re.fullmatch(r"[-–\s]*\d{1,3}[-–\s]*", t)]
    assert all(b.page and 1 <= b.page <= got.pages for b in got.blocks)
    gold = _gold().get(name)
    if gold:
        issuer = [_norm(part) for part in gold["issuer"].split(" / ")]
        first = [_norm(t) for t in texts[:len(issuer)]]
        assert first == issuer
        assert _norm(f"Số: {gold['number']}") in [_norm(t) for t in texts[:12]]


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/corpus/real is absent")
def test_real_legacy_glyphs_are_repaired():
    got = read_pdf(REAL / "krongno-QuangPhu-02-TB-lich-tiep-cong-dan.pdf")
    text = "\n".join(b.text for b in got.blocks)
    assert "HÕA" not in text and "PHÖ" not in text and "CỘNG HÒA" in text and got.notes


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/corpus/real is absent")
@pytest.mark.parametrize("name", _real("pdf-scan"))
def test_real_scans_are_sent_to_ocr(name):
    """Image-only pages, a signature stamp alone or a hidden accentless layer: all need OCR."""
    with pytest.raises(InputFileError, match="OCR"):
        read_pdf(REAL / name, ocr=None)


if __name__ == "__main__":  # rebuild the committed fixtures
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "pdf_sample.docx"
        build_sample_docx(source)
        _convert(source, Path(tmp)).replace(SAMPLE)
        secret = ':writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},' \
                 '"DocumentOpenPassword":{"type":"string","value":"secret"}}'
        source.rename(Path(tmp) / "pdf_encrypted.docx")
        _convert(Path(tmp) / "pdf_encrypted.docx", Path(tmp), secret).replace(ENCRYPTED)
    for f in (SAMPLE, ENCRYPTED):
        print(f, f.stat().st_size)
