"""ingest/word.py: .docx/.doc -> blocks in reading order. Fixtures are built here (raw WordprocessingML
for text boxes, numbering, tracked changes, footnotes, comments; python-docx for tables) or committed
under tests/data/formats/ (a Word 97 file and two password-protected files)."""
from __future__ import annotations

import json
import re
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from core.errors import InputFileError
from core.text import squash
from ingest import word
from ingest.word import read_doc, read_docx

TESTS = Path(__file__).resolve().parent.parent
FORMATS = TESTS / "data" / "formats"
REAL = TESTS.parent.parent / "shared" / "corpus" / "real"
GOLD = TESTS / "data" / "real"

NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
      'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
      'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
      'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"')


def make_docx(path: Path, body: str, styles: str = "", numbering: str = "", footnotes: str = "",
              comments: str = "", doctype: str = "") -> Path:
    """A minimal .docx package around a w:body (and optional styles, numbering, footnotes, comments)."""
    extra = {"styles": f"<w:styles {NS}>{styles}</w:styles>", "numbering": numbering and f"<w:numbering {NS}>"
             f"{numbering}</w:numbering>", "footnotes": footnotes and f"<w:footnotes {NS}>{footnotes}</w:footnotes>",
             "comments": comments and f"<w:comments {NS}>{comments}</w:comments>"}
    extra = {k: v for k, v in extra.items() if v}
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    types = "".join(f'<Override PartName="/word/{k}.xml" ContentType="{main}.{k}+xml"/>' for k in extra)
    rels = "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   f'relationships/{k}" Target="{k}.xml"/>' for i, k in enumerate(extra, 1))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="applica'
                   'tion/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="appl'
                   f'ication/xml"/><Override PartName="/word/document.xml" ContentType="{main}.document.main+xml"/>'
                   f'{types}</Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"'
                   '/></Relationships>')
        z.writestr("word/_rels/document.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns='
                   f'"http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>')
        z.writestr("word/document.xml", f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<w:document {NS}>'
                   f'<w:body>{body}</w:body></w:document>')
        for k, xml in extra.items():
            z.writestr(f"word/{k}.xml", f'<?xml version="1.0" encoding="UTF-8"?>{xml}')
    return path


def r(text: str = "", bold: bool = False, inner: str = "") -> str:
    props = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{props}{inner}<w:t xml:space="preserve">{text}</w:t></w:r>' if text else f"<w:r>{props}{inner}</w:r>"


def p(*runs: str, ppr: str = "") -> str:
    return f"<w:p>{'<w:pPr>' + ppr + '</w:pPr>' if ppr else ''}{''.join(runs)}</w:p>"


def num(num_id: int, ilvl: int = 0) -> str:
    return f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'


def level(ilvl: int, fmt: str, text: str, start: int = 1, extra: str = "") -> str:
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>{extra}'
            f'<w:lvlText w:val="{text}"/></w:lvl>')


def texts(extracted) -> list[str]:
    return [b.text for b in extracted.blocks]


BR = "<w:br/>"
# A line drawn as a shape, as Word saves it: DrawingML in mc:Choice, VML in mc:Fallback; its anchor
# numbers (distT, posOffset, extent, base64 gfxdata) are what naive XML text extraction leaks.
RULE = ('<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor distT="4294967291" '
        'distB="4294967291" distL="114300" distR="114300" simplePos="0" relativeHeight="251657728" behindDoc="0" '
        'locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/><wp:positionH relativeFrom='
        '"column"><wp:posOffset>425450</wp:posOffset></wp:positionH><wp:positionV relativeFrom="paragraph">'
        '<wp:posOffset>20954</wp:posOffset></wp:positionV><wp:extent cx="1088390" cy="0"/><wp:wrapNone/>'
        '<wp:docPr id="4" name="Straight Connector 3"/><a:graphic><a:graphicData uri="http://schemas.microsoft.'
        'com/office/word/2010/wordprocessingShape"><wps:wsp><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx='
        '"1088390" cy="0"/></a:xfrm><a:prstGeom prst="line"><a:avLst/></a:prstGeom></wps:spPr><wps:bodyPr/>'
        '</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict>'
        '<v:line id="Straight Connector 3" o:gfxdata="UEsDBBQABgAIAAAAIQC2gziS1234567890" from="33.5pt,1.65pt" '
        'to="119.2pt,1.65pt"/></w:pict></mc:Fallback></mc:AlternateContent></w:r>')


def text_box(*paragraphs: str) -> str:
    """A text box anchored in a run, in both the DrawingML (Choice) and VML (Fallback) copies."""
    content = f"<w:txbxContent>{''.join(paragraphs)}</w:txbxContent>"
    return ('<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor distT="0" distB="0" '
            'distL="114300" distR="114300" simplePos="0" relativeHeight="251659264" behindDoc="0" locked="0" '
            'layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="column">'
            '<wp:posOffset>-571500</wp:posOffset></wp:positionH><wp:positionV relativeFrom="paragraph"><wp:posOffset>'
            '-457200</wp:posOffset></wp:positionV><wp:extent cx="2743200" cy="914400"/><wp:docPr id="7" name="Text '
            'Box 7"/><a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessing'
            f'Shape"><wps:wsp><wps:txbx>{content}</wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic>'
            '</wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape id="Text Box 7" style="position:'
            f'absolute;margin-left:-45pt;margin-top:-36pt;width:216pt;height:72pt"><v:textbox>{content}</v:textbox>'
            '</v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>')


LISTS = ('<w:abstractNum w:abstractNumId="0">'
         + level(0, "decimal", "%1.") + level(1, "lowerLetter", "%2)") + level(2, "bullet", "\uf0b7") +
         '</w:abstractNum><w:abstractNum w:abstractNumId="1">' + level(0, "upperRoman", "%1.") +
         '</w:abstractNum><w:abstractNum w:abstractNumId="2">' + level(0, "decimal", "%1.") +
         level(1, "decimal", "%1.%2.") + '</w:abstractNum><w:abstractNum w:abstractNumId="3">' +
         level(0, "bullet", "-") + '</w:abstractNum>'
         '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
         '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
         '<w:num w:numId="3"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="3"/>'
         '</w:lvlOverride></w:num>'
         '<w:num w:numId="4"><w:abstractNumId w:val="2"/></w:num>'
         '<w:num w:numId="5"><w:abstractNumId w:val="3"/></w:num>'
         # a list that points at a numbering style, which points at the list that has the levels
         '<w:abstractNum w:abstractNumId="4"><w:numStyleLink w:val="DanhSach"/></w:abstractNum>'
         '<w:abstractNum w:abstractNumId="5"><w:styleLink w:val="DanhSach"/>' + level(0, "lowerLetter", "%1)") +
         '</w:abstractNum><w:num w:numId="6"><w:abstractNumId w:val="4"/></w:num>'
         '<w:num w:numId="7"><w:abstractNumId w:val="5"/></w:num>')
LIST_STYLE = ('<w:style w:type="paragraph" w:styleId="Gachdaudong"><w:name w:val="Gach dau dong"/><w:pPr>'
              f'{num(5)}</w:pPr></w:style><w:style w:type="numbering" w:styleId="DanhSach"><w:name w:val="Danh '
              f'sach"/><w:pPr>{num(7)}</w:pPr></w:style>')


def test_text_box_header_read_once_in_place_then_auto_numbering(tmp_path):
    body = (p(text_box(p(r("UBND TỈNH LÂM ĐỒNG", bold=True), r(inner=BR), r("SỞ NỘI VỤ", bold=True)),
                       p(r("Số: 12/SNV-TCBC")))) +
            p(r("Mục tiêu"), ppr=num(1)) + p(r("Nội dung"), ppr=num(1, 1)) + p(r("Tiến độ"), ppr=num(1, 1)) +
            p(r("Bước làm"), ppr=num(1, 2)) + p(r("Tổ chức"), ppr=num(1)) + p(r("Phân công"), ppr=num(1, 1)))
    got = read_docx(make_docx(tmp_path / "list.docx", body, numbering=LISTS))
    assert texts(got) == ["UBND TỈNH LÂM ĐỒNG", "SỞ NỘI VỤ", "Số: 12/SNV-TCBC", "1. Mục tiêu", "a) Nội dung",
                          "b) Tiến độ", "- Bước làm", "2. Tổ chức", "a) Phân công"]
    assert got.format == "docx" and [b.kind for b in got.blocks[:2]] == ["heading", "heading"]


def test_numbering_formats_overrides_and_counters_per_list(tmp_path):
    body = (p(r("Phần một"), ppr=num(2)) + p(r("Phần ba"), ppr=num(3)) + p(r("Phần hai"), ppr=num(2)) +
            p(r("Khoản"), ppr=num(4)) + p(r("Điểm"), ppr=num(4, 1)) + p(r("Điểm"), ppr=num(4, 1)) +
            p(r("Khoản"), ppr=num(4)) + p(r("Điểm"), ppr=num(4, 1)) +
            p(r("Theo kiểu"), ppr='<w:pStyle w:val="Gachdaudong"/>') + p(ppr=num(4)) + p(r("Sau ô trống"), ppr=num(4)) +
            p(r("Qua kiểu danh sách"), ppr=num(6)))
    got = read_docx(make_docx(tmp_path / "formats.docx", body, styles=LIST_STYLE, numbering=LISTS))
    assert texts(got) == ["I. Phần một", "III. Phần ba", "II. Phần hai", "1. Khoản", "1.1. Điểm", "1.2. Điểm",
                          "2. Khoản", "2.1. Điểm", "- Theo kiểu", "4. Sau ô trống", "a) Qua kiểu danh sách"]


def test_tracked_changes_accepted(tmp_path):
    body = (p(r("Giao "), '<w:del w:id="1" w:author="A"><w:r><w:delText>Sở Tài chính</w:delText></w:r></w:del>',
              '<w:ins w:id="2" w:author="A">' + r("Sở Nội vụ") + "</w:ins>", r(" chủ trì"),
              '<w:moveFrom w:id="3" w:author="A">' + r(" (bản cũ)") + "</w:moveFrom>",
              '<w:moveTo w:id="4" w:author="A">' + r(", báo cáo trước ngày 30/6") + "</w:moveTo>") +
            p('<w:del w:id="5" w:author="A"><w:r><w:delText>Đoạn đã xóa</w:delText></w:r></w:del>'))
    assert texts(read_docx(make_docx(tmp_path / "changes.docx", body))) == [
        "Giao Sở Nội vụ chủ trì, báo cáo trước ngày 30/6"]


def test_comments_dropped(tmp_path):
    body = p('<w:commentRangeStart w:id="0"/>', r("Nội dung chính"), '<w:commentRangeEnd w:id="0"/>',
             r(inner='<w:commentReference w:id="0"/>'), r(" tiếp theo."))
    comments = ('<w:comment w:id="0" w:author="B">' + p(r(inner="<w:annotationRef/>"), r("Ý kiến góp ý"))
                + "</w:comment>")
    got = read_docx(make_docx(tmp_path / "comments.docx", body, comments=comments))
    assert texts(got) == ["Nội dung chính tiếp theo."]


def test_footnotes_appended_in_reference_order(tmp_path):
    body = p(r("Căn cứ Luật"), r(inner='<w:footnoteReference w:id="2"/>'), r(" và Nghị định"),
             r(inner='<w:footnoteReference w:id="1"/>'), r("."))
    notes = ('<w:footnote w:type="separator" w:id="-1">' + p(r(inner="<w:separator/>")) + "</w:footnote>"
             '<w:footnote w:id="1">' + p(r(inner="<w:footnoteRef/>"), r(" Nghị định số 2/2025.")) + "</w:footnote>"
             '<w:footnote w:id="2">' + p(r(inner="<w:footnoteRef/>"), r(" Luật số 1/2025.")) + "</w:footnote>")
    got = read_docx(make_docx(tmp_path / "notes.docx", body, footnotes=notes))
    assert texts(got) == ["Căn cứ Luật và Nghị định.", "Chú thích 1: Luật số 1/2025.",
                          "Chú thích 2: Nghị định số 2/2025."]


def test_drawing_anchors_and_rules_never_become_text(tmp_path):
    body = (p(r("ỦY BAN NHÂN DÂN", bold=True)) + p(RULE) + p(RULE, r("Số: 15/UBND-NC")) + p(r("________")) +
            p(r("Nội dung"), RULE))
    got = read_docx(make_docx(tmp_path / "rules.docx", body))
    assert texts(got) == ["ỦY BAN NHÂN DÂN", "Số: 15/UBND-NC", "Nội dung"]
    assert not re.search(r"\d{5,}", " ".join(texts(got)))


def test_heading_hints_and_soft_breaks_in_body(tmp_path):
    styles = ('<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
              '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style>'
              '<w:style w:type="paragraph" w:styleId="Dam"><w:name w:val="Dam"/><w:rPr><w:b/></w:rPr></w:style>')
    body = (p(r("Mục lục theo kiểu"), ppr='<w:pStyle w:val="Heading1"/>') + p(r("Đậm cả đoạn", bold=True)) +
            p(r("Đậm theo kiểu"), ppr='<w:pStyle w:val="Dam"/>') +
            p(r("Chỉ "), r("một phần", bold=True), r(" đậm")) + p(r("dòng một"), r(inner=BR), r("dòng hai")))
    got = read_docx(make_docx(tmp_path / "hints.docx", body, styles=styles))
    assert [(b.text, b.kind) for b in got.blocks] == [
        ("Mục lục theo kiểu", "heading"), ("Đậm cả đoạn", "heading"), ("Đậm theo kiểu", "heading"),
        ("Chỉ một phần đậm", "para"), ("dòng một dòng hai", "para")]


def _layout_document(path: Path) -> Path:
    """A letter whose header and signature blocks are two-column layout tables (python-docx)."""
    import docx

    document = docx.Document()
    header = document.add_table(rows=2, cols=2)
    left = header.cell(0, 0).paragraphs[0]
    left.add_run("ỦY BAN NHÂN DÂN").bold = True
    left.add_run().add_break()
    left.add_run("TỈNH LÂM ĐỒNG").bold = True
    header.cell(0, 0).add_paragraph("Số: 15/UBND-NC")
    header.cell(0, 1).paragraphs[0].add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").bold = True
    header.cell(0, 1).add_paragraph().add_run("Độc lập - Tự do - Hạnh phúc").bold = True
    header.cell(1, 0).paragraphs[0].add_run("V/v phối hợp kiểm tra")
    header.cell(1, 1).paragraphs[0].add_run("Lâm Đồng, ngày 2 tháng 3 năm 2026")
    body = document.add_paragraph("Giao Sở Nội vụ chủ trì,")
    body.add_run().add_break()
    body.add_run("báo cáo trước ngày 30/6/2026.")
    sign = document.add_table(rows=1, cols=2)
    cc = sign.cell(0, 0).paragraphs[0]
    for i, line in enumerate(["Nơi nhận:", "- Như trên;", "- Lưu: VT."]):
        if i:
            cc.add_run().add_break()
        cc.add_run(line)
    title = sign.cell(0, 1).paragraphs[0]
    title.add_run("KT. CHỦ TỊCH").bold = True
    title.add_run().add_break()
    title.add_run("PHÓ CHỦ TỊCH").bold = True
    sign.cell(0, 1).add_paragraph("Người Ký Tên")
    document.add_paragraph()  # Word ends a body with a paragraph, never a table
    document.save(path)
    return path


LAYOUT_TEXTS = ["ỦY BAN NHÂN DÂN", "TỈNH LÂM ĐỒNG", "Số: 15/UBND-NC", "V/v phối hợp kiểm tra",
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                "Lâm Đồng, ngày 2 tháng 3 năm 2026", "Giao Sở Nội vụ chủ trì, báo cáo trước ngày 30/6/2026.",
                "Nơi nhận:", "- Như trên;", "- Lưu: VT.", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Người Ký Tên"]


def test_layout_tables_left_column_then_right_lines_kept(tmp_path):
    got = read_docx(_layout_document(tmp_path / "letter.docx"))
    assert texts(got) == LAYOUT_TEXTS
    assert all(b.kind != "row" for b in got.blocks)


def test_data_table_rows_with_merged_cells(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Phụ lục nhiệm vụ", style="Heading 1")
    table = document.add_table(rows=5, cols=4)
    for c, name in enumerate(["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn"]):
        table.cell(0, c).text = name
    for row, values in enumerate([["1", "Rà soát", "Sở Nội vụ", "Quý I"], ["2", "Báo cáo", "", "Quý II"],
                                  ["3", "Tổng kết chung", "", "Tháng 12"]], 1):
        for c, value in enumerate(values):
            table.cell(row, c).text = value
    table.cell(1, 2).merge(table.cell(2, 2))           # vertical: one agency for two tasks
    table.cell(3, 1).merge(table.cell(3, 2))           # horizontal: one text across two columns
    table.cell(4, 0).merge(table.cell(4, 3)).text = "Nhóm nhiệm vụ khác"  # a group title across the table
    document.save(tmp_path / "tasks.docx")
    got = read_docx(tmp_path / "tasks.docx")
    assert [(b.text, b.kind, b.table, b.row) for b in got.blocks] == [
        ("Phụ lục nhiệm vụ", "heading", 0, 0),
        ("STT: 1; Nhiệm vụ: Rà soát; Cơ quan chủ trì: Sở Nội vụ; Thời hạn: Quý I", "row", 1, 1),
        ("STT: 2; Nhiệm vụ: Báo cáo; Cơ quan chủ trì: Sở Nội vụ; Thời hạn: Quý II", "row", 1, 2),
        ("STT: 3; Nhiệm vụ: Tổng kết chung; Cơ quan chủ trì: Tổng kết chung; Thời hạn: Tháng 12", "row", 1, 3),
        ("Nhóm nhiệm vụ khác", "para", 0, 0)]


def test_group_rows_of_a_task_table_are_titles_over_their_rows(tmp_path):
    import docx

    document = docx.Document()
    table = document.add_table(rows=5, cols=5)
    for c, name in enumerate(["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]):
        table.cell(0, c).text = name
    table.cell(1, 0).text = "I"
    table.cell(1, 1).merge(table.cell(1, 4)).text = "Cải cách thể chế"   # merged across the other columns
    for c, value in enumerate(["1", "Rà soát văn bản", "Sở Tư pháp", "Các sở, ngành", "Hằng năm"]):
        table.cell(2, c).text = value
    table.cell(3, 0).text, table.cell(3, 1).text = "II.", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH"  # upper case, rest empty
    for c, value in enumerate(["2", "Số hóa hồ sơ", "Văn phòng UBND tỉnh", "", "Năm 2027"]):
        table.cell(4, c).text = value
    document.save(tmp_path / "groups.docx")
    got = read_docx(tmp_path / "groups.docx")
    assert [(b.text, b.kind) for b in got.blocks] == [
        ("I. Cải cách thể chế", "heading"),
        ("TT: 1; Nhiệm vụ: Rà soát văn bản; Cơ quan chủ trì: Sở Tư pháp; Cơ quan phối hợp: Các sở, ngành; "
         "Thời gian hoàn thành: Hằng năm", "row"),
        ("II. CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "heading"),
        ("TT: 2; Nhiệm vụ: Số hóa hồ sơ; Cơ quan chủ trì: Văn phòng UBND tỉnh; Thời gian hoàn thành: Năm 2027", "row")]


def test_data_table_two_header_rows_and_column_number_row(tmp_path):
    def tc(text: str, props: str = "") -> str:
        return f"<w:tc>{'<w:tcPr>' + props + '</w:tcPr>' if props else ''}{p(r(text))}</w:tc>"

    restart, cont, span2 = '<w:vMerge w:val="restart"/>', "<w:vMerge/>", '<w:gridSpan w:val="2"/>'
    rows = [tc("STT", restart) + tc("Đơn vị", restart) + tc("Kết quả", span2),
            tc("", cont) + tc("", cont) + tc("Tỷ lệ (%)") + tc("Điểm"),
            tc("(1)") + tc("(2)") + tc("(3)") + tc("(4)"),
            tc("1") + tc("Sở Tư pháp") + tc("90") + tc("18"),
            tc("2") + tc("Sở Y tế") + tc("") + tc("16")]
    body = (p(r("Bảng 1. Kết quả chấm điểm")) + "<w:tbl><w:tblGrid>" + '<w:gridCol w:w="800"/>' * 4 +
            "</w:tblGrid>" + "".join(f"<w:tr>{row}</w:tr>" for row in rows) + "</w:tbl>" + p(r("Sau bảng.")))
    got = read_docx(make_docx(tmp_path / "scores.docx", body))
    assert [(b.text, b.kind, b.row) for b in got.blocks] == [
        ("Bảng 1. Kết quả chấm điểm", "para", 0),
        ("STT: 1; Đơn vị: Sở Tư pháp; Kết quả - Tỷ lệ (%): 90; Kết quả - Điểm: 18", "row", 1),
        ("STT: 2; Đơn vị: Sở Y tế; Kết quả - Điểm: 16", "row", 2),
        ("Sau bảng.", "para", 0)]


def test_data_table_marked_header_row_and_numbered_cells(tmp_path):
    """Two columns only, but Word repeats the first row as a header: a data table; the first column
    is numbered automatically (empty paragraphs showing "1.", "2.")."""
    head = '<w:trPr><w:tblHeader/></w:trPr>'
    rows = [head + f"<w:tc>{p(r('Số thứ tự'))}</w:tc><w:tc>{p(r('Đơn vị'))}</w:tc>"] + [
        f"<w:tc>{p(ppr=num(1))}</w:tc><w:tc>{p(r(unit))}</w:tc>" for unit in ("Sở Y tế", "Sở Tư pháp")]
    body = "<w:tbl>" + "".join(f"<w:tr>{row}</w:tr>" for row in rows) + "</w:tbl>"
    got = read_docx(make_docx(tmp_path / "units.docx", body, numbering=LISTS))
    assert [(b.text, b.kind) for b in got.blocks] == [("Số thứ tự: 1.; Đơn vị: Sở Y tế", "row"),
                                                      ("Số thứ tự: 2.; Đơn vị: Sở Tư pháp", "row")]


def _table(*rows: list[str], title: str = "") -> str:
    grid = "<w:tblGrid>" + '<w:gridCol w:w="1000"/>' * len(rows[0]) + "</w:tblGrid>"
    head = (f'<w:tr><w:tc><w:tcPr><w:gridSpan w:val="{len(rows[0])}"/></w:tcPr>{p(r(title))}</w:tc></w:tr>'
            if title else "")
    return f"<w:tbl>{grid}{head}" + "".join(
        "<w:tr>" + "".join(f"<w:tc>{cell if cell.startswith('<') else p(r(cell))}</w:tc>" for cell in row)
        + "</w:tr>" for row in rows) + "</w:tbl>"


def test_table_title_row_content_controls_and_table_numbers(tmp_path):
    inner = _table(["STT", "Việc", "Hạn"], ["1", "Rà soát", "Quý I"])
    first = _table(["STT", "Nhóm", "Chi tiết"], ["1", "Nhóm một", inner + p()], title="BẢNG TỔNG HỢP")
    # rows wrapped in a content control (w:sdt), as form templates do
    second = _table(["STT", "Đơn vị", "Hạn"], ["1", "Sở Y tế", "Tháng 5"]).replace(
        "<w:tr><w:tc>", "<w:sdt><w:sdtPr/><w:sdtContent><w:tr><w:tc>", 2).replace(
        "</w:tr>", "</w:tr></w:sdtContent></w:sdt>", 2)
    got = read_docx(make_docx(tmp_path / "two.docx", first + p(r("Giữa hai bảng")) + second))
    assert [(b.text, b.kind, b.table, b.row) for b in got.blocks] == [
        ("BẢNG TỔNG HỢP", "para", 0, 0),
        ("STT: 1; Nhóm: Nhóm một; Chi tiết: STT: 1; Việc: Rà soát; Hạn: Quý I", "row", 1, 1),
        ("Giữa hai bảng", "para", 0, 0),
        ("STT: 1; Đơn vị: Sở Y tế; Hạn: Tháng 5", "row", 2, 1)]


def test_nested_table_inside_layout_cell(tmp_path):
    inner = ("<w:tbl>" + "".join(f"<w:tr><w:tc>{p(r(a))}</w:tc><w:tc>{p(r(b))}</w:tc></w:tr>"
                                 for a, b in [("TM. BAN CHỈ ĐẠO", "Ghi chú")]) + "</w:tbl>")
    body = f"<w:tbl><w:tr><w:tc>{p(r('Nơi nhận:'))}</w:tc><w:tc>{inner}{p(r('Người Ký'))}</w:tc></w:tr></w:tbl>"
    assert texts(read_docx(make_docx(tmp_path / "nested.docx", body))) == [
        "Nơi nhận:", "TM. BAN CHỈ ĐẠO", "Ghi chú", "Người Ký"]


# ---- bad input -------------------------------------------------------------------------------

def _raises(path: Path, *words: str, reader=read_docx) -> InputFileError:
    with pytest.raises(InputFileError) as caught:
        reader(path)
    message = str(caught.value)
    assert " / " in caught.value.reason and " / " in caught.value.fix  # bilingual reason and fix
    for w in words:
        assert w in message.lower(), message
    return caught.value


def test_not_a_zip_and_truncated_zip(tmp_path):
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"this is not a word file at all" * 10)
    _raises(junk, "corrupt")
    whole = make_docx(tmp_path / "whole.docx", p(r("Nội dung")))
    cut = tmp_path / "cut.docx"
    cut.write_bytes(whole.read_bytes()[:300])
    _raises(cut, "corrupt")


def test_zip_without_word_document(tmp_path):
    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("content.xml", "<x/>")
    _raises(path, "word/document.xml")


def test_malformed_document_xml(tmp_path):
    path = make_docx(tmp_path / "broken.docx", p(r("Nội dung")) + "<w:p><w:r>")
    _raises(path, "corrupt")


def test_zip_bomb_ratio_and_total_size(tmp_path, monkeypatch):
    path = make_docx(tmp_path / "bomb.docx", p(r("Nội dung")))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/media/fill.bin", b"\0" * (4 << 20))  # 4 MB of zeros squeeze ~1000:1
    _raises(path, "zip bomb")
    monkeypatch.setattr(word, "MAX_UNZIPPED", 1000)
    _raises(make_docx(tmp_path / "big.docx", p(r("Nội dung " * 200))), "zip bomb")


def test_entities_are_not_resolved(tmp_path):
    doctype = '<!DOCTYPE w:document [<!ENTITY leak SYSTEM "file:///etc/passwd">]>'
    path = make_docx(tmp_path / "xxe.docx", p(r("Trước &leak; sau")), doctype=doctype)
    try:
        got = texts(read_docx(path))
    except InputFileError:
        return
    assert not any("root:" in t for t in got)


def test_password_protected_files(tmp_path):
    _raises(FORMATS / "word_encrypted.docx", "encrypted")
    _raises(FORMATS / "word_encrypted.docx", "encrypted", reader=read_doc)  # the dispatcher routes OLE files to .doc
    _raises(FORMATS / "word_encrypted.doc", "encrypted", reader=read_doc)
    named = tmp_path / "word97.docx"
    shutil.copyfile(FORMATS / "word_letter.doc", named)
    _raises(named, ".doc")


# ---- .doc ------------------------------------------------------------------------------------

needs_soffice = pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                                   reason="LibreOffice is not installed")


@needs_soffice
def test_doc_through_libreoffice():
    got = read_doc(FORMATS / "word_letter.doc")
    assert got.format == "doc" and "LibreOffice" in " ".join(got.notes)
    assert texts(got) == LAYOUT_TEXTS


@pytest.mark.skipif(not shutil.which("antiword"), reason="antiword is not installed")
def test_doc_antiword_fallback(monkeypatch):
    found = shutil.which
    monkeypatch.setattr(word.shutil, "which", lambda name: None if name in ("soffice", "libreoffice") else found(name))
    got = read_doc(FORMATS / "word_letter.doc")
    assert got.format == "doc" and "antiword" in " ".join(got.notes)
    assert texts(got)[:2] == LAYOUT_TEXTS[:2] and "Nơi nhận:" in texts(got)


def test_doc_without_any_converter(monkeypatch):
    monkeypatch.setattr(word.shutil, "which", lambda name: None)
    _raises(FORMATS / "word_letter.doc", "apt-get install libreoffice-writer-nogui", "antiword", reader=read_doc)


@needs_soffice
def test_doc_conversion_timeout():
    with pytest.raises(InputFileError, match="timed out"):
        read_doc(FORMATS / "word_letter.doc", timeout_s=0.05)


def test_docx_named_doc(tmp_path):
    path = _layout_document(tmp_path / "letter.doc")
    got = read_doc(path)
    assert got.format == "doc" and texts(got) == LAYOUT_TEXTS


# ---- the real corpus (../shared) ---------------------------------------------------------------

REAL_FILES = sorted(f for f in REAL.glob("*") if f.suffix in (".docx", ".doc")) if REAL.is_dir() else []
# Where the page images show automatic list numbers (short generic phrases only).
NUMBERED = {"lamdong-TB-ketluan-PCI-xuc-tien-dau-tu.docx": "1. Thống nhất",
            "lamdong-TTPVHCC-BC-chat-luong-phuc-vu-766.docx": "a) Kết quả đánh giá"}


def _gold() -> tuple[dict, set]:
    rows = [json.loads(line) for line in (GOLD / "headers_gold.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return {g["file"]: g for g in rows}, set(json.loads((GOLD / "split.json").read_text())["heldout"])


@pytest.mark.skipif(not REAL_FILES, reason="../shared/corpus/real is absent")
@pytest.mark.parametrize("path", REAL_FILES, ids=[f.name for f in REAL_FILES])
def test_real_documents(path):
    got = read_docx(path) if path.suffix == ".docx" else read_doc(path)
    lines = texts(got)
    assert len(lines) > 10 and all(t and "\n" not in t and t == squash(t) for t in lines)
    digits = [tok for t in lines for tok in re.findall(r"\d{8,}", t) if not re.fullmatch(r"0\d{9,10}", tok)]
    assert not digits, "anchor-digit garbage"  # (phone numbers, 0 + 9-10 digits, are real text)
    if path.name in NUMBERED:
        assert any(t.startswith(NUMBERED[path.name]) for t in lines)
    gold, heldout = _gold()
    if path.name in heldout or path.name not in gold:
        return  # held-out documents: only that they load cleanly
    issuer = gold[path.name]["issuer"].split(" / ")
    header = []
    for t in lines:
        if "CỘNG HÒA" in t.upper():
            break
        header.append(t)
    assert lines[0] == issuer[0] and squash(" ".join(header)).startswith(squash(" ".join(issuer)))
    cc = next(i for i, t in enumerate(lines) if t.startswith("Nơi nhận"))
    title = gold[path.name]["signer_title"].split(" / ")
    starts = [i for i in range(cc, len(lines)) if lines[i:i + len(title)] == title]
    assert starts, "signer title lines after Nơi nhận"
    if gold[path.name].get("signer"):
        assert gold[path.name]["signer"] in lines[starts[0]:]


@pytest.mark.skipif(not REAL_FILES, reason="../shared/corpus/real is absent")
def test_real_documents_speed_report():
    """Not an assertion: prints how fast the .docx files load (pages per second)."""
    pages = seconds = 0.0
    files = [path for path in REAL_FILES if path.suffix == ".docx"]
    for path in files:
        start = time.perf_counter()
        pages += read_docx(path).pages
        seconds += time.perf_counter() - start
    print(f"\nread_docx: {len(files)} files, {pages:.0f} pages in {seconds:.2f} s = {pages / seconds:.0f} pages/s")
