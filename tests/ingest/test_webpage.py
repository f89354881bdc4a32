"""Saved web pages: visible text in reading order, header/signature tables column by column, data
tables as rows, encodings, and hostile markup refused without running anything."""
from __future__ import annotations

import codecs
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

import ingest.webpage as webpage
from core.errors import InputFileError
from ingest.encoding import NOTES, encode_legacy
from ingest.webpage import read_html

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "formats" / "html_chi_thi.html"
ROOT = Path(__file__).resolve().parents[2]


def _page(tmp_path: Path, body: str | bytes, name: str = "trang.html") -> Path:
    path = tmp_path / name
    path.write_bytes(body if isinstance(body, bytes) else f"<html><body>{body}</body></html>".encode())
    return path


def _texts(path: Path) -> list[str]:
    return [b.text for b in read_html(path).blocks]


def test_saved_directive_page_reads_in_document_order():
    got = [(b.kind, b.text, b.table, b.row) for b in read_html(FIXTURE).blocks]
    assert got == [
        # header table: the left column top to bottom, then the right column
        ("para", "ỦY BAN NHÂN DÂN", 0, 0), ("para", "TỈNH THỬ NGHIỆM", 0, 0), ("para", "Số: 15/CT-UBND", 0, 0),
        ("para", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 0, 0), ("para", "Độc lập - Tự do - Hạnh phúc", 0, 0),
        ("para", "Thử Nghiệm, ngày 10 tháng 3 năm 2025", 0, 0),
        ("heading", "CHỈ THỊ", 0, 0),
        ("heading", "Về việc tăng cường kỷ luật, kỷ cương hành chính", 0, 0),
        ("para", "Thời gian qua, các cơ quan đã thực hiện nghiêm túc các quy định. Tuy nhiên, vẫn còn tình "
                 "trạng chậm trễ…", 0, 0),
        ("para", "Để khắc phục, Chủ tịch UBND tỉnh yêu cầu:", 0, 0),
        ("para", "1. Giám đốc các sở, ban, ngành thực hiện nghiêm giờ làm việc.", 0, 0),
        ("para", "2. Chủ tịch UBND các huyện chỉ đạo rà soát thủ tục hành chính:", 0, 0),
        ("para", "- công khai thủ tục tại bộ phận một cửa;", 0, 0),
        ("para", "- báo cáo kết quả trước ngày 30/6/2025.", 0, 0),
        ("para", "3. Sở Nội vụ kiểm tra đột xuất", 0, 0),  # <br> ends a line
        ("para", "việc chấp hành kỷ luật.", 0, 0),
        ("heading", "Phân công nhiệm vụ", 0, 0),
        # two header rows joined "Parent - Child"; the rowspan and colspan cells repeated
        ("row", "STT: 1; Nhiệm vụ: Rà soát thủ tục hành chính; Cơ quan - Chủ trì: Sở Nội vụ; "
                "Cơ quan - Phối hợp: Văn phòng UBND tỉnh; Thời hạn: Tháng 6/2025", 1, 1),
        ("row", "STT: 2; Nhiệm vụ: Kiểm tra công vụ; Cơ quan - Chủ trì: Sở Nội vụ; "
                "Cơ quan - Phối hợp: Thanh tra tỉnh", 1, 2),
        ("heading", "Nhiệm vụ thường xuyên", 0, 0),  # a label row across the table
        ("row", "STT: 3; Nhiệm vụ: Báo cáo định kỳ; Cơ quan - Chủ trì: Báo cáo định kỳ; "
                "Cơ quan - Phối hợp: Các sở, ngành; Thời hạn: Hằng quý", 1, 3),
        ("para", "Yêu cầu thủ trưởng các cơ quan, đơn vị nghiêm túc thực hiện Chỉ thị này./.", 0, 0),
        # signature table: Nơi nhận first, then the signer
        ("para", "Nơi nhận:", 0, 0), ("para", "- Như trên;", 0, 0), ("para", "- Lưu: VT.", 0, 0),
        ("para", "CHỦ TỊCH", 0, 0), ("para", "Nguyễn Văn A", 0, 0),
    ]


def test_page_furniture_scripts_and_hidden_text_are_dropped():
    text = "\n".join(_texts(FIXTURE))
    for absent in ("Không được hiện", "Bỏ qua", "Trang chủ", "Tin liên quan", "Tìm kiếm", "Bản quyền",
                   "ẩn", "CỔNG THÔNG TIN", "Cổng thông tin", "margin"):
        assert absent not in text
    extracted = read_html(FIXTURE)
    assert extracted.format == "html" and extracted.notes == () and extracted.pages == 0
    assert all(b.page is None and "\n" not in b.text and unicodedata.is_normalized("NFC", b.text)
               for b in extracted.blocks)


def _cp1258(text: str) -> bytes:
    """Windows-1258 as editors write it: base letter (with its hat or horn), then a tone byte."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", ch)
            hat = "".join(m for m in marks if m in "\u0302\u0306\u031b")
            out += unicodedata.normalize("NFC", base + hat).encode("cp1258")
            out += "".join(m for m in marks if m not in hat).encode("cp1258")
    return out


@pytest.mark.parametrize("encode", [
    pytest.param(lambda t: b'<meta charset="windows-1258">' + _cp1258(t), id="meta-windows-1258"),
    pytest.param(lambda t: codecs.BOM_UTF8 + t.encode(), id="utf-8-bom"),
    pytest.param(lambda t: t.encode("utf-16"), id="utf-16-bom"),
    pytest.param(lambda t: t.encode(), id="utf-8-undeclared"),
    pytest.param(lambda t: encode_legacy(t, "tcvn3"), id="tcvn3-bytes-undeclared"),
    pytest.param(lambda t: t.replace("ộ", "&#7897;").replace("à", "&agrave;").encode(), id="entities"),
])
def test_page_encodings(tmp_path, encode):
    text = "<p>Sở Nội vụ chủ trì, phối hợp với các sở, ngành kiểm tra công vụ và báo cáo kết quả.</p>"
    assert _texts(_page(tmp_path, encode(text))) == [
        "Sở Nội vụ chủ trì, phối hợp với các sở, ngành kiểm tra công vụ và báo cáo kết quả."]


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_page_typed_in_a_legacy_font_is_converted(tmp_path, encoding):
    glyphs = encode_legacy("Sở Nội vụ chủ trì, phối hợp kiểm tra công vụ", encoding).decode("cp1252")
    page = f'<p><font face=".VnTime">{glyphs}</font></p><p>UBND tỉnh</p>'
    extracted = read_html(_page(tmp_path, page))
    assert [b.text for b in extracted.blocks] == ["Sở Nội vụ chủ trì, phối hợp kiểm tra công vụ", "UBND tỉnh"]
    assert extracted.notes == (NOTES[encoding],)


def test_list_numbering_follows_the_markup(tmp_path):
    page = ('<ol start="3"><li>ba</li><li>bốn</li></ol><ol type="a"><li>một</li><li value="4">bốn</li></ol>'
            '<ol type="I"><li>mở đầu</li><li>nội dung</li></ol><ul style="list-style: none"><li>không dấu</li></ul>')
    assert _texts(_page(tmp_path, page)) == ["3. ba", "4. bốn", "a. một", "d. bốn", "I. mở đầu", "II. nội dung",
                                             "không dấu"]


def test_tables_without_th(tmp_path):
    data = ("<table><tr><td><b>Họ và tên</b></td><td><b>Chức vụ</b></td></tr>"
            "<tr><td>Nguyễn Văn A</td><td>Trưởng phòng</td></tr></table>")
    form = ("<table><tr><td>Thời gian:</td><td>8 giờ 00</td></tr><tr><td>Địa điểm:</td><td>Hội trường</td></tr>"
            "</table>")
    box = "<table><tr><td><p>Ghi chú một</p><p>Ghi chú hai</p></td></tr></table>"
    blocks = read_html(_page(tmp_path, data + form + box)).blocks
    assert [(b.kind, b.text, b.table, b.row) for b in blocks] == [
        ("row", "Họ và tên: Nguyễn Văn A; Chức vụ: Trưởng phòng", 1, 1),
        ("para", "Thời gian:", 0, 0), ("para", "8 giờ 00", 0, 0),  # label/value layout: row by row
        ("para", "Địa điểm:", 0, 0), ("para", "Hội trường", 0, 0),
        ("para", "Ghi chú một", 0, 0), ("para", "Ghi chú hai", 0, 0)]


# --- hostile and broken pages ---------------------------------------------------------------------

def test_deep_nesting_is_refused(tmp_path):
    with pytest.raises(InputFileError, match="nested too deeply"):
        read_html(_page(tmp_path, "<div>" * 100_000 + "x" + "</div>" * 100_000))


def test_entities_are_not_expanded_and_nothing_is_fetched(tmp_path):
    bomb = ('<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY x SYSTEM "file:///etc/passwd">]>'
            '<html><body><p>Kính gửi &c;&c; &x; &amp; &agrave;</p>'
            '<img src="http://192.0.2.1/x.png" onerror="alert(1)"><iframe src="http://192.0.2.1/"></iframe>'
            '<script src="http://192.0.2.1/a.js"></script></body></html>')
    text = "\n".join(_texts(_page(tmp_path, bomb.encode())))
    assert text.startswith("Kính gửi") and "aaaaaaaaaa" not in text and "root:" not in text
    assert "& à" in text and "]>" not in text


def test_span_bomb_is_refused(tmp_path):
    rows = "".join(f'<tr><td colspan="1000">{i}</td></tr>' for i in range(200))
    with pytest.raises(InputFileError, match="table too large"):
        read_html(_page(tmp_path, f"<table>{rows}</table>"))


def test_rowspan_past_the_table_is_clamped(tmp_path):
    page = ('<table><tr><th>Việc</th><th>Hạn</th></tr><tr><td rowspan="65534">Rà soát</td><td>Quý I</td></tr>'
            '<tr><td rowspan="0">Quý II</td></tr></table>')
    assert _texts(_page(tmp_path, page)) == ["Việc: Rà soát; Hạn: Quý I", "Việc: Rà soát; Hạn: Quý II"]


def test_too_many_elements_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(webpage, "MAX_ELEMENTS", 500)
    with pytest.raises(InputFileError, match="too large"):
        read_html(_page(tmp_path, "<p>x</p>" * 1000))


@pytest.mark.parametrize("raw, words", [
    (b"", "empty page"),
    (b"<html><body><script>var a = 1;</script><p hidden>x</p></body></html>", "no text"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary file"),
    (bytes(range(1, 256)) * 40, "unknown page encoding"),
])
def test_broken_pages_are_refused(tmp_path, raw, words):
    with pytest.raises(InputFileError, match=words):
        read_html(_page(tmp_path, raw))


def test_size_limit(tmp_path):
    with pytest.raises(InputFileError, match="too large"):
        read_html(FIXTURE, max_bytes=1000)


def test_lxml_is_imported_only_when_a_page_is_read():
    code = "import sys, ingest.webpage; print('lxml' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
